"""PacGAN's packing: `PackSamples`, the discriminators' `pack` option and a GAN trained with it."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import recipes
from keras_gans.layers import PackSamples
from keras_gans.layers.pack_samples import samples_per_pack
from keras_gans.networks import dcgan_discriminator, mlp_discriminator, mlp_generator
from model_helpers import assert_weights_close, one_and_two_replicas, straight_and_resumed, weights


def tiny(*overrides):
    """stacked-mnist with 4-filter networks packing pairs, batches of 8."""
    return recipes.apply_overrides(recipes.load("stacked-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "model.discriminator.pack=2", "train.batch_size=8", *overrides])


def stacked_batches(n=32, batch=8):
    return keras_gans.data.make_dataset("stacked_mnist", batch, seed=0).take(n // batch)


def test_pack_joins_consecutive_samples_along_the_last_axis():
    images = np.arange(6 * 2 * 3 * 2, dtype="float32").reshape(6, 2, 3, 2)
    packed = keras.ops.convert_to_numpy(PackSamples(3)(images))
    assert packed.shape == (2, 2, 3, 6)
    for j in range(2):
        np.testing.assert_array_equal(packed[j], np.concatenate(list(images[3 * j: 3 * j + 3]), axis=-1))
    points = np.arange(8, dtype="float32").reshape(4, 2)
    np.testing.assert_array_equal(PackSamples(2)(points), [[0, 1, 2, 3], [4, 5, 6, 7]])
    assert PackSamples(2).compute_output_shape((None, 28, 28, 3)) == (None, 28, 28, 6)
    layer = PackSamples.from_config(PackSamples(4, name="p").get_config())
    assert layer.pack == 4 and layer.name == "p"
    with pytest.raises(ValueError, match="divisible by 3, got 5"):
        PackSamples(3)(images[:5])  # a static batch

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def unknown_batch(x):
        return PackSamples(2)(x)

    with pytest.raises(tf.errors.InvalidArgumentError, match="divisible by 2"):
        unknown_batch(points[:3])
    for bad in (0, 1.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            PackSamples(bad)


def test_packing_discriminators_judge_packs():
    d = dcgan_discriminator((28, 28, 3), base_filters=4, pack=2)
    assert d(np.zeros((6, 28, 28, 3), "float32")).shape == (3, 1)
    assert d.get_layer("pack_2").output.shape == (None, 28, 28, 6)
    x = np.random.default_rng(0).normal(size=(4, 28, 28, 3)).astype("float32")
    swapped = x[[1, 0, 2, 3]]  # another pairing changes the first pack's input, not the second's
    out, out_swapped = (keras.ops.convert_to_numpy(d(v, training=False)) for v in (x, swapped))
    assert abs(out[0, 0] - out_swapped[0, 0]) > 1e-6 and out[1, 0] == pytest.approx(out_swapped[1, 0], abs=1e-6)
    assert mlp_discriminator((2,), units=(8,), pack=4)(np.zeros((8, 2), "float32")).shape == (2, 1)
    assert samples_per_pack(dcgan_discriminator((28, 28, 1), base_filters=4)) == 1  # pack=1 adds no layer
    assert samples_per_pack(d) == 2


def test_gan_with_a_packing_discriminator_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny(), tmp_path, batches=stacked_batches)
    assert loaded.pack == 2
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy, batches=stacked_batches)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_packing_is_refused_where_outputs_must_match_samples():
    with pytest.raises(ValueError, match="VAEGAN reads one discriminator output per sample, but it judges packs of 2"):
        recipes.build_model(recipes.apply_overrides(recipes.load("vaegan-mnist"), [
            "model.discriminator.pack=2", "model.discriminator.base_filters=4", "model.generator.base_filters=4",
            "model.encoder.base_filters=4"]))
    gan = keras_gans.GAN(mlp_generator(2, (2,), units=(8,)), mlp_discriminator((2,), units=(8,), pack=2))
    with pytest.raises(ValueError, match="gradient_penalty take D's gradient norm per sample"):
        gan.compile(penalties=[{"name": "gradient_penalty", "weight": 1.0}])


def test_packing_refuses_rejection_sampling_and_odd_batches():
    packing = mlp_discriminator((2,), units=(8,), pack=2)
    with pytest.raises(ValueError, match="packs of 2 samples"):
        keras_gans.GAN(mlp_generator(2, (2,), units=(8,)), packing, rejection={"gamma_percentile": 80})
    gan = keras_gans.GAN(mlp_generator(2, (2,), units=(8,)), packing, seed=0)
    gan.compile(jit_compile=False)
    with pytest.raises(ValueError, match="batch size divisible by 2"):
        gan.fit(tf.data.Dataset.from_tensors(np.zeros((5, 2), "float32")), epochs=1, steps_per_epoch=1, verbose=0)


def test_cli_refuses_a_batch_of_broken_packs_before_making_the_run_folder(tmp_path, capsys):
    from keras_gans.cli import main
    from cli_helpers import assert_one_error_line

    out = tmp_path / "run"
    code = main(["train", "stacked-mnist", "--steps", "2", "--batch-size", "5", "--quiet",
                 "--set", "model.generator.base_filters=4", "--set", "model.discriminator.base_filters=4",
                 "--set", "model.discriminator.pack=2", "--out", str(out)])
    assert_one_error_line(capsys, code, "packs of 2 samples", "train.batch_size 5", "divisible by 2")
    assert not out.exists()
