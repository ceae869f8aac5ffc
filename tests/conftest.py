"""Test session set-up: two logical CPU devices (for MirroredStrategy tests), quiet TF, fixed seeds."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras_gans  # noqa: E402,F401  (first, as in the CLI: it chooses the oneDNN kernels before TF loads)
import tensorflow as tf  # noqa: E402

_cpus = tf.config.list_physical_devices("CPU")
try:
    tf.config.set_logical_device_configuration(
        _cpus[0], [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
    )
except RuntimeError:  # already initialised (e.g. a plugin touched TF first)
    pass
if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest -n 2 (pyproject.toml) runs two of these processes on the 2 cores: one thread per op
    # each keeps them from oversubscribing the cores. (Inter-op threads stay: the two replicas of
    # a MirroredStrategy test run their all-reduce concurrently.)
    tf.config.threading.set_intra_op_parallelism_threads(1)

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(1234)
    yield


@pytest.fixture(scope="session")
def mirrored_strategy():
    """One two-replica MirroredStrategy for the whole session.

    Several MirroredStrategy objects in one process reuse collective instance keys and can pair
    one replica's all-reduce with another's (TF reports a collective "shape mismatch"); a real
    training process has one strategy, and so do the tests.
    """
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
