"""BEGAN: the equilibrium controller k, the convergence measure, exact resume and replicas."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.models import BEGAN
from keras_gans.models.began import convergence_measure, equilibrium_update

from model_helpers import (assert_weights_close, built, labelled_batches, one_and_two_replicas,
                           straight_and_resumed, weights)


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("began-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "model.discriminator.code_dim=8", "train.batch_size=8", *overrides])


def test_equilibrium_update_and_convergence_measure():
    assert float(equilibrium_update(0.2, 0.4, 0.1, 0.5, 0.1)) == pytest.approx(0.2 + 0.1 * (0.2 - 0.1))
    assert float(equilibrium_update(0.0, 0.1, 0.4, 0.5, 0.1)) == 0.0  # clipped to [0, 1]
    assert float(equilibrium_update(0.99, 1.0, 0.0, 1.0, 0.5)) == 1.0
    assert float(convergence_measure(0.4, 0.1, 0.5)) == pytest.approx(0.4 + 0.1)
    assert float(convergence_measure(0.4, 0.3, 0.5)) == pytest.approx(0.4 + 0.1)


def test_reconstruction_energy_l1_and_l2():
    from keras_gans.layers.reconstruction_energy import ReconstructionEnergy

    x = np.zeros((2, 2, 2, 1), "float32")
    reconstruction = np.stack([np.full((2, 2, 1), 0.5), np.array([[[1.0], [0.0]], [[0.0], [-1.0]]])]).astype("float32")
    np.testing.assert_allclose(ReconstructionEnergy()([x, reconstruction]), [0.25, 0.5])
    l1 = ReconstructionEnergy.from_config(ReconstructionEnergy(norm="l1").get_config())
    np.testing.assert_allclose(l1([x, reconstruction]), [0.5, 0.5])
    with pytest.raises(ValueError, match="norm must be one of l2, l1"):
        ReconstructionEnergy(norm="l3")


def test_one_step_moves_k_by_the_controller_and_logs_it():
    model = built(tiny("compile.lambda_k=0.5"))
    real = next(iter(labelled_batches(n=8)))[0]
    # What the step will see: D before its update on the reals and on G(z) of the step's z.
    z = model.sample_generator_inputs(8, "latent")
    real_energy = float(tf.reduce_mean(model.discriminator(real, training=True)))
    fake_energy = float(tf.reduce_mean(model.discriminator(model.generator(z, training=True), training=True)))
    history = model.fit(labelled_batches(n=8), epochs=1, steps_per_epoch=1, verbose=0).history
    expected = float(equilibrium_update(0.0, real_energy, fake_energy, model.gamma, 0.5))
    assert float(model.k.numpy()) == pytest.approx(expected, abs=1e-5) and expected > 0.0
    assert history["k"][0] == pytest.approx(expected, abs=1e-5)
    assert history["convergence"][0] == pytest.approx(
        float(convergence_measure(real_energy, fake_energy, model.gamma)), rel=1e-4)


def test_trains_saves_and_continues_exactly_with_k(tmp_path):
    straight, loaded = straight_and_resumed(tiny("compile.lambda_k=0.5"), tmp_path)
    assert float(loaded.k.numpy()) == pytest.approx(float(straight.k.numpy()), abs=1e-6) and float(loaded.k.numpy())
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny("compile.lambda_k=0.5"), mirrored_strategy)
    assert float(two.k.numpy()) == pytest.approx(float(one.k.numpy()), abs=1e-5)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_export_serves_what_generate_draws(tmp_path):
    from keras_gans.serving import export_gan

    model = built(tiny())
    model.fit(labelled_batches(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    z = model.latent(3, seed=0)
    images = served.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(images, model.generate(3, seed=0), atol=1e-5)


def test_began_refuses_a_bad_gamma_and_has_no_rejection():
    model = built(tiny())
    with pytest.raises(ValueError, match="gamma must be in"):
        model.compile(gamma=1.5)
    # D outputs an energy, not a density ratio: discriminator rejection sampling is not an option.
    assert "rejection" not in BEGAN.recipe_keys()
    assert np.isfinite(model.generate(2, seed=0)).all()
