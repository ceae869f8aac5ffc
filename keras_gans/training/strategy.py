"""The `tf.distribute` strategy a run trains under: `strategy:` in recipes, `--strategy` in the CLI.

- `default`: TensorFlow's default strategy (one device: the CPU, or the first GPU).
- `mirrored`: `MirroredStrategy`, synchronous data parallelism over the local GPUs (or the
  logical CPU devices configured before TensorFlow starts). Each replica gets
  `batch_size / num_replicas` examples; losses are averaged over the global batch.
- `multiworker`: `MultiWorkerMirroredStrategy` over several machines described by the
  `TF_CONFIG` environment variable of each (see docs/distributed.md). Worker 0 is the chief:
  only it writes checkpoints, samples and the final model.
- `tpu`: `TPUStrategy` on the TPU found by `TPUClusterResolver` (Cloud TPU VMs / Colab).

Models, optimizers, the EMA generator and metrics must be created inside `strategy.scope()`;
`keras_gans.training.run.train` does that.
"""

import json
import os

from keras_gans.errors import UserError
from keras_gans.recipes import STRATEGIES


def get_strategy(name="default"):
    """The `tf.distribute.Strategy` called `name` (one of `STRATEGIES`)."""
    import tensorflow as tf

    if name not in STRATEGIES:
        raise UserError(f"unknown strategy {name!r}: valid strategies are {', '.join(STRATEGIES)}")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multiworker":
        config = _tf_config()
        if not config.get("cluster", {}).get("worker"):
            raise UserError(
                "--strategy multiworker needs TF_CONFIG with a cluster of workers and this worker's "
                'task, e.g. {"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": '
                '"worker", "index": 0}} (see docs/distributed.md)'
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as e:
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"--strategy tpu found no TPU ({reason[:150]}): run on a TPU VM or use mirrored") from None
    return tf.distribute.TPUStrategy(resolver)


def _tf_config():
    raw = os.environ.get("TF_CONFIG", "")
    if not raw:
        return {}
    try:
        config = json.loads(raw)
    except ValueError as e:
        raise UserError(f"TF_CONFIG is not valid JSON ({e})") from None
    if not isinstance(config, dict):
        raise UserError("TF_CONFIG must be a JSON object with 'cluster' and 'task'")
    return config


def is_chief(strategy):
    """True on the worker that writes files: always, except on the non-chief workers of a multi-worker run.

    The chief is the task of type "chief" if the cluster has one, else worker 0 (TF's convention).
    """
    in_multi_worker = getattr(strategy.extended, "_in_multi_worker_mode", None)
    if in_multi_worker is None or not in_multi_worker():
        return True
    resolver = strategy.cluster_resolver
    if "chief" in resolver.cluster_spec().as_dict():
        return resolver.task_type == "chief"
    return resolver.task_type in (None, "worker") and not resolver.task_id
