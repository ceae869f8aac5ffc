"""Fine-tuning: --init from a zoo model or run, FreezeD, and the `classes` data option it is demoed with."""

import os

import numpy as np
import pytest

import keras_gans
from keras_gans.cli import main
from keras_gans.data import make_dataset
from keras_gans.errors import UserError
from keras_gans.networks import build_discriminator
from keras_gans.training.finetune import discriminator_blocks, freeze_discriminator_blocks, initialize_from
from keras_gans.runs import load_model
from keras_gans.training.run import train

from cli_helpers import assert_one_error_line

TINY = ["model.generator.units=[8]", "model.discriminator.units=[8, 8]", "train.batch_size=8",
        "train.steps_per_epoch=2"]


def _recipe(*overrides):
    return keras_gans.recipes.apply_overrides(keras_gans.recipes.load("ring"), [*TINY, *overrides])


EPOCH_STEPS = []  # what a callback given to `train` saw: the step at the end of each epoch


@pytest.fixture(scope="module")
def source_run(tmp_path_factory):
    import keras

    class EpochSteps(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            EPOCH_STEPS.append(int(self.model.step_counter.numpy()))

    out = str(tmp_path_factory.mktemp("source") / "run")
    train(_recipe("train.steps=4"), out, verbose=0, log=lambda *a: None, callbacks=[EpochSteps()])
    return out


def test_train_runs_the_callbacks_it_is_given(source_run):
    assert EPOCH_STEPS == [2, 4]


def _weights(model):
    return [w.numpy().copy() for w in model.weights]


def _assert_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_initialize_from_copies_every_network_not_the_optimizers(source_run):
    source = load_model(os.path.join(source_run, "model.keras"))
    recipe = _recipe("train.steps=4")
    gan = keras_gans.recipes.compile_model(keras_gans.recipes.build_model(recipe), recipe)
    initialize_from(gan, source)
    _assert_equal(_weights(gan.generator), _weights(source.generator))
    _assert_equal(_weights(gan.discriminator), _weights(source.discriminator))
    _assert_equal(_weights(gan.ema_generator), _weights(source.ema_generator))
    assert int(gan.g_optimizer.iterations.numpy()) == 0


def test_initialize_from_a_gan_without_ema_starts_the_ema_from_its_generator(source_run):
    source = load_model(os.path.join(source_run, "model.keras"))
    recipe = _recipe("compile.ema_decay=null")
    plain = keras_gans.recipes.compile_model(keras_gans.recipes.build_model(recipe), recipe)
    initialize_from(plain, source)
    with_ema = keras_gans.recipes.compile_model(keras_gans.recipes.build_model(_recipe()), _recipe())
    initialize_from(with_ema, plain)
    _assert_equal(_weights(with_ema.ema_generator), _weights(source.generator))


def test_initialize_from_another_architecture_is_a_clear_error(source_run):
    source = load_model(os.path.join(source_run, "model.keras"))
    recipe = _recipe("model.generator.units=[16]")
    gan = keras_gans.recipes.compile_model(keras_gans.recipes.build_model(recipe), recipe)
    with pytest.raises(UserError, match=r"pretrained generator's weight .* has shape \(2, 8\) but .* \(2, 16\)"):
        initialize_from(gan, source)


def test_discriminator_blocks_of_the_shipped_networks():
    mlp = build_discriminator({"name": "mlp", "units": [8, 8]}, (2,))
    assert len(discriminator_blocks(mlp)) == 3  # two hidden layers and the head
    dcgan = build_discriminator({"name": "dcgan", "base_filters": 4}, (28, 28, 1))
    blocks = discriminator_blocks(dcgan)
    assert len(blocks) == 3  # conv 14x14, conv 7x7 (+ batch norm), the dense head
    kinds = [[type(layer).__name__ for layer in block] for block in blocks]
    assert kinds[1][:2] == ["Conv2D", "BatchNormalization"] and "LeakyReLU" in kinds[1]
    sn = build_discriminator({"name": "dcgan", "base_filters": 4, "spectral_norm": True}, (28, 28, 1))
    assert len(discriminator_blocks(sn)) == 3


def test_freeze_discriminator_blocks_limits():
    mlp = build_discriminator({"name": "mlp", "units": [8, 8]}, (2,))
    with pytest.raises(UserError, match="freeze_d must be at most 2"):
        freeze_discriminator_blocks(mlp, 3)
    freeze_discriminator_blocks(mlp, 2)
    assert len(mlp.trainable_weights) == 2  # only the head's kernel and bias


def test_train_init_freeze_d_keeps_frozen_blocks_and_survives_resume(source_run, tmp_path, capsys):
    source = load_model(os.path.join(source_run, "model.keras"))
    source_first = [layer for layer in discriminator_blocks(source.discriminator)[0] if layer.weights][0]
    frozen_source = [w.numpy() for w in source_first.weights]
    out = str(tmp_path / "tuned")
    args = ["train", "ring", "--init", source_run, "--freeze-d", "1", "--steps", "2", "--quiet", "--out", out,
            *sum((["--set", o] for o in TINY), [])]
    assert main(args) == 0
    assert f"initialized from {source_run}, first 1 discriminator block(s) frozen" in capsys.readouterr().out
    tuned = load_model(os.path.join(out, "model.keras"))
    blocks = discriminator_blocks(tuned.discriminator)
    first = [layer for layer in blocks[0] if layer.weights]
    assert all(not layer.trainable for layer in first)
    _assert_equal([w.numpy() for w in first[0].weights], frozen_source)
    # The unfrozen head and the generator moved.
    head = [layer for layer in blocks[-1] if layer.weights][0]
    source_head = [layer for layer in discriminator_blocks(source.discriminator)[-1] if layer.weights][0]
    assert not np.allclose(head.weights[0].numpy(), source_head.weights[0].numpy())
    assert int(tuned.g_optimizer.iterations.numpy()) == 2

    assert main(["train", "ring", "--resume", "--steps", "4", "--quiet", "--out", out]) == 0
    resumed = load_model(os.path.join(out, "model.keras"))
    assert int(resumed.g_optimizer.iterations.numpy()) == 4
    first = [layer for layer in discriminator_blocks(resumed.discriminator)[0] if layer.weights]
    _assert_equal([w.numpy() for w in first[0].weights], frozen_source)


def test_freeze_d_needs_init_and_resume_refuses_init(tmp_path, capsys):
    code = main(["train", "ring", "--freeze-d", "1", "--out", str(tmp_path / "x")])
    assert_one_error_line(capsys, code, "train.freeze_d freezes pretrained discriminator blocks: it needs train.init")
    code = main(["train", "ring", "--init", "no-such-model", "--out", str(tmp_path / "y")])
    assert_one_error_line(capsys, code, "no zoo model has that name")


def test_mnist_classes_keeps_only_those_digits():
    images, labels = next(iter(make_dataset({"name": "mnist", "classes": [3, 7]}, 256, (28, 28, 1),
                                            with_labels=True)))
    assert images.shape == (256, 28, 28, 1)
    assert set(np.unique(labels.numpy())) == {3, 7}


@pytest.mark.parametrize("classes", [[], [10], [1, 1], ["7"], True])
def test_mnist_bad_classes_are_rejected(classes):
    with pytest.raises(ValueError, match="classes must be a non-empty list of distinct class ids in 0..9"):
        make_dataset({"name": "mnist", "classes": classes}, 8, (28, 28, 1))


def test_classes_do_not_apply_to_points():
    with pytest.raises(ValueError, match="classes and digits do not apply"):
        make_dataset({"name": "ring", "classes": [1]}, 8, (2,))
