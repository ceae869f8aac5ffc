"""VAE-GAN: the KL term, the three players of one step, exact resume, replicas, encode and serving."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.losses import gaussian_kl_divergence, reparameterize, squared_error_sum
from keras_gans.models import VAEGAN
from keras_gans.inversion import invert
from keras_gans.serving import export_gan

from model_helpers import (assert_weights_close, built, labelled_batches, one_and_two_replicas,
                           straight_and_resumed, weights)


def tiny(*overrides):
    """vaegan-mnist with 4-filter networks, z of 8, batches of 8."""
    return recipes.apply_overrides(recipes.load("vaegan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.encoder.base_filters=4",
        "model.discriminator.base_filters=4", "model.discriminator.hidden_units=8", "train.batch_size=8",
        *overrides])


def test_kl_term_equals_the_closed_form_and_a_monte_carlo_estimate():
    mean = np.array([[1.0, 0.0, -0.5], [0.0, 0.0, 0.0]], "float32")
    log_variance = np.array([[0.0, np.log(2.0), -1.0], [0.0, 0.0, 0.0]], "float32")
    kl = gaussian_kl_divergence(mean, log_variance).numpy()
    # By hand: 0.5 * sum(var + mean^2 - 1 - log var).
    expected = 0.5 * ((1 + 1 - 1 - 0) + (2 + 0 - 1 - np.log(2.0)) + (np.exp(-1.0) + 0.25 - 1 + 1.0))
    np.testing.assert_allclose(kl, [expected, 0.0], rtol=1e-6)
    # E_q[log q(z) - log p(z)] with z drawn by the reparameterisation.
    eps = np.random.default_rng(0).standard_normal((200_000, 3)).astype("float32")
    z = reparameterize(np.repeat(mean[:1], len(eps), 0), np.repeat(log_variance[:1], len(eps), 0), eps).numpy()
    std = np.exp(0.5 * log_variance[0])
    log_q = (-0.5 * ((z - mean[0]) / std) ** 2 - np.log(std)).sum(1)
    log_p = (-0.5 * z**2).sum(1)
    assert abs((log_q - log_p).mean() - expected) < 0.01


def test_reconstruction_error_is_the_per_sample_sum_of_squares():
    a = np.zeros((2, 2, 2, 1), "float32")
    b = np.stack([np.full((2, 2, 1), 0.5), np.full((2, 2, 1), 1.0)]).astype("float32")
    np.testing.assert_allclose(squared_error_sum(a, b).numpy(), [1.0, 4.0])


def test_one_step_updates_three_players_with_their_own_losses():
    model = built(tiny())
    assert set(model.players) == {"d", "e", "g"}
    before = {slot: weights(getattr(model, slot)) for slot in ("generator", "encoder", "discriminator")}
    model.fit(labelled_batches(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    for slot, old in before.items():
        assert any(np.abs(a - b).max() > 1e-7 for a, b in zip(weights(getattr(model, slot)), old)), slot
    iterations = {p: int(model.optimizer_of(p).iterations.numpy()) for p in model.players}
    assert iterations == {"d": 1, "e": 1, "g": 1} and int(model.step_counter.numpy()) == 1
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert logs["kl"] > 0 and logs["reconstruction"] > 0


def test_a_plain_vae_leaves_the_discriminator_alone():
    model = built(tiny("compile.adversarial_weight=0", "compile.reconstruction=pixels",
                       "compile.reconstruction_weight=1"))
    before = weights(model.discriminator)
    model.fit(labelled_batches(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    assert_weights_close(weights(model.discriminator), before, atol=0)
    assert int(model.d_optimizer.iterations.numpy()) == 0


def test_refuses_bad_settings():
    model = built(tiny())
    with pytest.raises(ValueError, match="reconstruction must be one of features, pixels"):
        model.compile(reconstruction="logits")
    with pytest.raises(ValueError, match="kl_weight must be >= 0"):
        model.compile(kl_weight=-1)
    with pytest.raises(ValueError, match="noise must be 'normal'"):
        VAEGAN(model.generator, model.encoder, model.discriminator, noise="uniform")


def test_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny(), tmp_path)
    assert type(loaded) is VAEGAN and loaded.ema_encoder is not None and loaded.kl_weight == 1.0
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_encode_reconstruct_inversion_start_and_the_encode_signature(tmp_path):
    model = built(tiny())
    x = next(iter(labelled_batches(n=5, batch=5)))[0].numpy()
    mean, log_variance = model.posterior(x)
    assert mean.shape == log_variance.shape == (5, 8)
    np.testing.assert_allclose(model.encode(x), mean)
    np.testing.assert_allclose(model.reconstruct(x), model._generate_from(mean, 256), atol=1e-6)
    np.testing.assert_allclose(invert(model, x, steps=0).latents, mean, atol=1e-6)  # inversion starts at E[z | x]

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    assert {"serving_default", "generate_uint8", "generate_from_seed", "encode"} <= set(served.signatures)
    outputs = served.signatures["encode"](images=tf.constant(x))
    np.testing.assert_allclose(outputs["z"].numpy(), mean, atol=1e-5)
    np.testing.assert_allclose(outputs["log_variance"].numpy(), log_variance, atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images must be in \[-1, 1\]"):
        served.signatures["encode"](images=tf.constant(x * 255.0))
