"""`strategy:` / `precision:` in recipes and `--strategy` in the CLI, wired through training.run.train."""

import os

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.errors import UserError
from keras_gans.runs import load_model
from keras_gans.training.run import train
from keras_gans.training.strategy import get_strategy, is_chief

from cli_helpers import assert_one_error_line

TINY = ["model.generator.units=[8]", "model.discriminator.units=[8]", "train.batch_size=8",
        "train.steps=2", "train.steps_per_epoch=2"]


def _recipe(*overrides):
    return recipes.apply_overrides(recipes.load("ring"), [*TINY, *overrides])


def test_recipes_default_to_one_device_in_float32():
    recipe = recipes.load("dcgan-mnist")
    assert recipe["strategy"] == "default" and recipe["precision"] == "float32"


@pytest.mark.parametrize("key, value, message", [
    ("strategy", "horovod", "unknown strategy 'horovod': valid strategies are default, mirrored, multiworker, tpu"),
    ("precision", "float16", "unknown precision 'float16': valid precisions are float32, mixed_float16, mixed_bfloat16"),
])
def test_bad_strategy_or_precision_is_refused(key, value, message):
    with pytest.raises(UserError, match=message):
        _recipe(f"{key}={value}")


def test_mirrored_run_trains_in_the_strategy_scope(tmp_path, monkeypatch, mirrored_strategy):
    # One MirroredStrategy per process (see conftest): hand the session's to get_strategy.
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", lambda *a, **k: mirrored_strategy)
    out = str(tmp_path / "mirrored")
    gan, history = train(_recipe("strategy=mirrored"), out, verbose=0, log=lambda *a: None)
    assert gan.distribute_strategy is mirrored_strategy
    assert gan.d_optimizer.iterations.numpy() == 2 and np.isfinite(history.history["d_loss"]).all()
    assert isinstance(gan.generator.weights[0].value, tf.distribute.DistributedValues)
    assert load_model(os.path.join(out, "model.keras")).g_optimizer.iterations.numpy() == 2


def test_global_batch_must_split_over_the_replicas(tmp_path, monkeypatch, mirrored_strategy, capsys):
    monkeypatch.setattr(tf.distribute, "MirroredStrategy", lambda *a, **k: mirrored_strategy)
    code = main(["train", "ring", "--strategy", "mirrored", "--batch-size", "7", "--out", str(tmp_path / "x"),
                 *sum((["--set", o] for o in TINY[:2]), [])])
    assert_one_error_line(capsys, code, "train.batch_size 7 is the global batch: it must be divisible by the 2 replicas")


def test_multiworker_without_tf_config_is_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    code = main(["train", "ring", "--strategy", "multiworker", "--out", str(tmp_path / "x")])
    assert_one_error_line(capsys, code, "--strategy multiworker needs TF_CONFIG")


def test_tpu_without_a_tpu_is_one_line_error(tmp_path, capsys):
    code = main(["train", "ring", "--strategy", "tpu", "--out", str(tmp_path / "x")])
    assert_one_error_line(capsys, code, "--strategy tpu found no TPU")


def test_default_strategy_is_chief():
    assert is_chief(get_strategy("default"))


@pytest.mark.parametrize("precision", ["mixed_bfloat16", "mixed_float16"])
def test_precision_recipe_builds_low_precision_networks_and_round_trips(tmp_path, precision):
    out = str(tmp_path / precision)
    gan, _ = train(_recipe(f"precision={precision}"), out, verbose=0, log=lambda *a: None)
    compute = precision.split("_")[1]
    hidden = [layer for layer in gan.generator.layers if layer.weights][0]
    assert hidden.compute_dtype == compute and hidden.variable_dtype == "float32"
    assert gan.generate(4, seed=0).dtype == np.float32
    import keras

    scaled = isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert scaled == (precision == "mixed_float16")
    loaded = load_model(os.path.join(out, "model.keras"))
    assert loaded.precision == precision
    np.testing.assert_allclose(loaded.generate(4, seed=0), gan.generate(4, seed=0), atol=1e-6)
    assert keras_policy_is_restored()


def keras_policy_is_restored():
    import keras

    return keras.config.dtype_policy().name == "float32"
