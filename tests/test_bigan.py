"""BiGAN / ALI: the pairs D compares, the players, exact resume, replicas, the encode signature."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.models import BiGAN
from keras_gans.inversion import invert
from keras_gans.serving import export_gan

from model_helpers import (assert_weights_close, built, labelled_batches, one_and_two_replicas,
                           straight_and_resumed, weights)


def tiny(*overrides):
    """bigan-mnist with 4-filter networks, z of 8, batches of 8."""
    return recipes.apply_overrides(recipes.load("bigan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.encoder.base_filters=4",
        "model.encoder.hidden_units=8", "model.discriminator.base_filters=4", "model.discriminator.latent_units=8",
        "model.discriminator.joint_units=8", "train.batch_size=8", *overrides])


def _linear_bigan():
    """G and E linear maps between z (4) and 2 x 2 images, D a linear function of the pair."""
    g = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), keras.layers.Reshape((2, 2, 1))])
    e = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten(), keras.layers.Dense(4)])
    x, z = keras.Input((2, 2, 1)), keras.Input((4,))
    d = keras.Model([x, z], keras.layers.Dense(1)(keras.layers.Concatenate()([keras.layers.Flatten()(x), z])))
    return BiGAN(g, e, d, seed=0)


def test_discriminator_compares_data_pairs_with_model_pairs():
    model = _linear_bigan()
    x = tf.random.uniform([3, 2, 2, 1], -1, 1, seed=1)
    z = tf.random.normal([3, 4], seed=2)
    (x_data, z_data), (x_model, z_model) = model.pairs(x, z, training=False)
    np.testing.assert_array_equal(x_data, x)
    np.testing.assert_allclose(z_data, model.encoder(x), atol=1e-6)
    np.testing.assert_allclose(x_model, model.generator(z), atol=1e-6)
    np.testing.assert_array_equal(z_model, z)


def test_one_step_updates_d_then_generator_and_encoder_together():
    model = _linear_bigan()
    model.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), jit_compile=False)
    assert model.players["g"] == ("generator", "encoder")
    before = {slot: weights(getattr(model, slot)) for slot in ("generator", "encoder", "discriminator")}
    x = np.random.default_rng(0).uniform(-1, 1, (8, 2, 2, 1)).astype("float32")
    model.fit(tf.data.Dataset.from_tensors(x), epochs=1, steps_per_epoch=1, verbose=0)
    for slot, old in before.items():
        assert any(np.abs(a - b).max() > 1e-6 for a, b in zip(weights(getattr(model, slot)), old)), slot
    assert int(model.step_counter.numpy()) == 1 == int(model.d_optimizer.iterations.numpy())


def test_bigan_refuses_losses_without_a_swapped_form_and_has_no_rejection():
    model = _linear_bigan()
    with pytest.raises(ValueError, match="pairs swapped, which needs one of"):
        model.compile(loss="energy")
    # D reads (x, z) pairs: discriminator rejection sampling, which scores samples alone, is not an option.
    assert "rejection" not in BiGAN.recipe_keys()


def test_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny(), tmp_path)
    assert type(loaded) is BiGAN and loaded.ema_encoder is not None
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_encode_reconstruct_inversion_start_and_the_encode_signature(tmp_path):
    model = built(tiny())
    x = next(iter(labelled_batches(n=5, batch=5)))[0].numpy()
    z = model.encode(x)
    assert z.shape == (5, 8) and np.abs(z).max() <= 1.0  # tanh encoder for U[-1, 1] latents
    np.testing.assert_allclose(model.reconstruct(x), model._generate_from(z, 256), atol=1e-6)
    np.testing.assert_allclose(invert(model, x, steps=0).latents, z, atol=1e-6)  # inversion starts at E(x)

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    assert {"serving_default", "generate_uint8", "generate_from_seed", "encode"} <= set(served.signatures)
    np.testing.assert_allclose(served.signatures["encode"](images=tf.constant(x))["z"].numpy(), z, atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images must be in \[-1, 1\]"):
        served.signatures["encode"](images=tf.constant(x * 255.0))
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        served.signatures["encode"](images=tf.zeros([2, 14, 14, 1]))
