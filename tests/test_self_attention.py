"""SelfAttention2D: the identity at gamma = 0, the attention sum against NumPy, SN, saving; in DCGAN's networks
and the sagan-mnist recipe (exact resume, 2 replicas = 1 device)."""

import keras
import numpy as np
import pytest

from keras_gans import recipes
from keras_gans.layers import SelfAttention2D, SpectralNormalization
from keras_gans.networks import dcgan_discriminator, dcgan_generator

from model_helpers import assert_weights_close, one_and_two_replicas, straight_and_resumed, weights


def features(seed=0):
    return np.random.default_rng(seed).normal(size=(2, 4, 4, 16)).astype("float32")


def test_at_gamma_zero_the_block_is_the_identity():
    x = features()
    layer = SelfAttention2D()
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x)
    assert float(layer.gamma.numpy()) == 0.0 and layer.gamma.trainable


def test_output_is_x_plus_gamma_times_the_attended_values():
    x = features(1)
    layer = SelfAttention2D(key_ratio=8, value_ratio=2)
    layer(x)
    layer.gamma.assign(0.7)
    q, k, v, o = (layer.query.kernel.numpy()[0, 0], layer.key.kernel.numpy()[0, 0],
                  layer.value.kernel.numpy()[0, 0], layer.attention_output.kernel.numpy()[0, 0])
    assert q.shape == (16, 2) and v.shape == (16, 8) and o.shape == (8, 16)
    flat = x.reshape(2, 16, 16)
    logits = (flat @ q) @ (flat @ k).transpose(0, 2, 1)
    weights = np.exp(logits - logits.max(-1, keepdims=True))
    weights /= weights.sum(-1, keepdims=True)
    expected = flat + 0.7 * (weights @ (flat @ v)) @ o
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected.reshape(x.shape), rtol=1e-4, atol=1e-4)


def test_spectral_norm_and_saving(tmp_path):
    inputs = keras.Input((4, 4, 16))
    model = keras.Model(inputs, SelfAttention2D(spectral_norm=True, name="attention")(inputs))
    layer = model.get_layer("attention")
    assert all(isinstance(getattr(layer, n), SpectralNormalization)
               for n in ("query", "key", "value", "attention_output"))
    layer.gamma.assign(0.5)
    x = features(2)
    model(x, training=True)  # moves each u once
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)
    assert loaded.get_layer("attention").get_config()["spectral_norm"] is True


def test_dcgan_networks_place_attention_at_the_asked_resolution():
    g = dcgan_generator(latent_dim=8, base_filters=4, attention_resolution=14)
    d = dcgan_discriminator(base_filters=4, spectral_norm=True, normalization_type="none", attention_resolution=7)
    assert [layer.input.shape[1:] for layer in g.layers if isinstance(layer, SelfAttention2D)] == [(14, 14, 4)]
    assert [layer.get_config()["spectral_norm"] for layer in d.layers if isinstance(layer, SelfAttention2D)] == [True]
    assert g(np.zeros((2, 8), "float32")).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match=r"attention_resolution must be one of the feature-map sizes \[7, 14\], got 28"):
        dcgan_generator(latent_dim=8, base_filters=4, attention_resolution=28)


def tiny_sagan():
    return recipes.apply_overrides(recipes.load("sagan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "model.discriminator.hidden_units=8", "train.batch_size=8"])


def test_sagan_recipe_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny_sagan(), tmp_path)
    gammas = [layer.gamma.numpy() for layer in loaded.generator.layers if isinstance(layer, SelfAttention2D)]
    assert gammas and all(np.abs(g).max() > 0 for g in gammas)  # attention was trained before the save
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_sagan_recipe_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny_sagan(), mirrored_strategy)
    assert any(isinstance(layer, SelfAttention2D) for layer in one.generator.layers)
    assert_weights_close(weights(two), weights(one), atol=1e-4)
