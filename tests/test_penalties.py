"""Tests of the discriminator penalties against closed forms and NumPy gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import penalties
from keras_gans.layers import SpectralNormalization
from keras_gans.models import StepContext
from keras_gans.penalties import DriftPenalty, GradientPenalty, Penalty
from keras_gans.penalties import gradient_penalty as gp_module

SHAPE = (4, 3, 3, 2)  # a tiny batch of images


def images(seed, shape=SHAPE):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def linear_critic(norm, shape=SHAPE):
    """`D(x) = sum(w * x)` per sample, `||w||_2 = norm`: its input gradient is `w` everywhere."""
    w = np.random.default_rng(7).normal(size=shape[1:])
    w = tf.constant(norm * w / np.linalg.norm(w), tf.float32)
    axes = list(range(1, len(shape)))
    return lambda x: tf.reduce_sum(w * tf.cast(x, tf.float32), axis=axes)


def square_critic(x):
    """`D(x) = sum(x^2)` per sample: gradient `2 x`."""
    return tf.reduce_sum(tf.square(x), axis=list(range(1, len(x.shape))))


def context(critic, real, fake, real_output=None, fake_output=None, step=None, seed=None):
    """The `StepContext` a discriminator update hands its penalties."""
    return StepContext(real=real, fake=fake, real_output=real_output, fake_output=fake_output,
                       critic=critic, step=step, seed=seed)


def value(penalty, critic, real=None, fake=None):
    real = images(1) if real is None else real
    fake = images(2) if fake is None else fake
    return float(penalty.compute(context(critic, real, fake, critic(real), critic(fake))))


# --- closed forms with a linear critic ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["two_sided", "dragan"])
def test_unit_gradient_norm_gives_zero(mode):
    assert value(GradientPenalty(mode=mode), linear_critic(1.0)) == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize(
    "mode, norm, expected",
    [
        ("two_sided", 3.0, 4.0),
        ("one_sided", 3.0, 4.0),
        ("dragan", 3.0, 4.0),
        ("r1", 3.0, 4.5),
        ("r2", 3.0, 4.5),
        ("two_sided", 0.5, 0.25),
        ("one_sided", 0.5, 0.0),
        ("r1", 0.5, 0.125),
    ],
)
def test_linear_critic_closed_forms(mode, norm, expected):
    got = value(GradientPenalty(mode=mode), linear_critic(norm))
    assert got == pytest.approx(expected, abs=1e-5)


def test_target_moves_the_minimum():
    assert value(GradientPenalty(target=3.0), linear_critic(3.0)) == pytest.approx(0.0, abs=1e-6)
    assert value(GradientPenalty(target=2.0), linear_critic(3.0)) == pytest.approx(1.0, abs=1e-5)


def test_feature_vectors_and_patch_outputs():
    shape = (5, 6)
    real, fake = images(1, shape), images(2, shape)
    got = value(GradientPenalty(), linear_critic(3.0, shape), real, fake)
    assert got == pytest.approx(4.0, abs=1e-5)

    # A critic with one output per pixel (PatchGAN-like): the gradient of the sum is used.
    def patch_critic(x):
        return 3.0 * x / np.sqrt(np.prod(SHAPE[1:]))

    assert value(GradientPenalty(mode="r1"), patch_critic) == pytest.approx(4.5, abs=1e-5)


# --- the penalty points -------------------------------------------------------------------------


def test_per_sample_uniform_shape_and_range():
    alpha = gp_module.per_sample_uniform(tf.zeros((64, 3, 3, 2))).numpy()
    assert alpha.shape == (64, 1, 1, 1)
    assert alpha.min() >= 0.0 and alpha.max() <= 1.0
    assert np.std(alpha) > 0.1  # one draw per sample, not one per batch
    assert gp_module.per_sample_uniform(tf.zeros((8, 5))).shape == (8, 1)


def test_interpolates_use_one_alpha_per_sample():
    real, fake = images(1), images(2)
    points = GradientPenalty(mode="two_sided").penalty_points(real, fake).numpy()
    ratio = (points - fake) / (real - fake)  # = alpha, the same over each sample's pixels
    per_sample = ratio.reshape(len(real), -1)
    first_pixel = np.broadcast_to(per_sample[:, :1], per_sample.shape)
    np.testing.assert_allclose(per_sample, first_pixel, atol=1e-4)
    assert np.all((per_sample >= -1e-4) & (per_sample <= 1 + 1e-4))
    assert np.ptp(per_sample[:, 0]) > 0.0


def test_interpolate_and_dragan_perturb_formulas():
    real, fake = images(1), images(2)
    alpha = np.array([0.0, 0.25, 0.5, 1.0], "float32").reshape(4, 1, 1, 1)
    noise = np.random.default_rng(3).uniform(size=SHAPE).astype("float32")
    np.testing.assert_allclose(
        gp_module.interpolate(real, fake, alpha), alpha * real + (1 - alpha) * fake, atol=1e-6
    )
    np.testing.assert_allclose(
        gp_module.dragan_perturb(tf.constant(real), alpha, noise, 0.5),
        real + alpha * 0.5 * real.std() * noise,
        atol=1e-5,
    )


def test_dragan_points_lie_in_the_perturbation_box():
    real = images(1)
    penalty = GradientPenalty(mode="dragan", dragan_scale=0.5)
    delta = penalty.penalty_points(real, images(2)).numpy() - real
    assert np.all(delta >= -1e-6) and np.all(delta <= 0.5 * real.std() + 1e-5)
    assert np.abs(delta).max() > 0.0


@pytest.mark.parametrize("mode", ["r1", "r2"])
def test_r1_r2_points(mode):
    real, fake = images(1), images(2)
    points = GradientPenalty(mode=mode).penalty_points(real, fake).numpy()
    np.testing.assert_array_equal(points, real if mode == "r1" else fake)


# --- a nonlinear critic against NumPy -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["two_sided", "one_sided"])
def test_square_critic_matches_numpy(monkeypatch, mode):
    real, fake = images(1), 0.2 * images(2)
    alpha = np.array([0.1, 0.4, 0.7, 0.95], "float32").reshape(4, 1, 1, 1)
    monkeypatch.setattr(gp_module, "per_sample_uniform", lambda x, seed=None: tf.constant(alpha))
    penalty = GradientPenalty(mode=mode, target=1.0)
    got = value(penalty, square_critic, real, fake)

    x_hat = alpha * real.astype("float64") + (1 - alpha) * fake
    norms = np.sqrt(np.sum((2 * x_hat) ** 2, axis=(1, 2, 3)))
    excess = norms - 1.0
    if mode == "one_sided":
        excess = np.maximum(excess, 0.0)
    expected = np.mean(excess**2)
    assert got == pytest.approx(expected, rel=1e-5)


def test_square_critic_r1_and_dragan_value_at_match_numpy():
    real = images(1)
    expected_r1 = 0.5 * np.mean(np.sum((2 * real.astype("float64")) ** 2, axis=(1, 2, 3)))
    got = value(GradientPenalty(mode="r1"), square_critic, real)
    assert got == pytest.approx(expected_r1, rel=1e-5)

    points = 0.1 * real
    penalty = GradientPenalty(mode="dragan")
    got = float(penalty.value_at(square_critic, tf.constant(points)))
    norms = np.sqrt(np.sum((2 * points.astype("float64")) ** 2, axis=(1, 2, 3)))
    assert got == pytest.approx(np.mean((norms - 1.0) ** 2), rel=1e-5)


def test_float16_inputs_are_penalised_in_float32():
    real, fake = images(1).astype("float16"), images(2).astype("float16")
    penalty = GradientPenalty(mode="two_sided")
    result = penalty.compute(context(linear_critic(3.0), real, fake))
    assert result.dtype == tf.float32
    assert float(result) == pytest.approx(4.0, abs=1e-4)


# --- drift --------------------------------------------------------------------------------------


def test_drift_penalty():
    real_output = np.array([[1.0], [-2.0], [3.0]], "float32")
    penalty = DriftPenalty()
    term, v = penalty(context(None, None, None, real_output, np.zeros((3, 1), "float32")))
    assert float(v) == pytest.approx(14.0 / 3.0)
    assert float(term) == pytest.approx(0.001 * 14.0 / 3.0)
    term, _ = DriftPenalty(weight=0.5)(context(None, None, None, real_output))
    assert float(term) == pytest.approx(7.0 / 3.0)


# --- lazy regularisation ------------------------------------------------------------------------


def test_lazy_interval_in_tf_function():
    penalty = GradientPenalty(weight=2.0, interval=4)
    critic = linear_critic(3.0)  # value 4
    real, fake = tf.constant(images(1)), tf.constant(images(2))

    @tf.function
    def step(i):
        return penalty(context(critic, real, fake, critic(real), critic(fake), step=i))

    terms = np.array([float(step(tf.constant(i, tf.int64))[0]) for i in range(8)])
    assert np.flatnonzero(terms).tolist() == [0, 4]
    np.testing.assert_allclose(terms[[0, 4]], 4 * 2.0 * 4.0, rtol=1e-5)
    assert float(step(tf.constant(5, tf.int64))[1]) == 0.0
    assert float(step(tf.constant(8, tf.int64))[1]) == pytest.approx(4.0, abs=1e-5)


# --- double back-propagation to the critic's weights --------------------------------------------


def conv_critic(spectral=False):
    def wrap(layer):
        return SpectralNormalization(layer) if spectral else layer

    inputs = keras.Input(SHAPE[1:])
    x = wrap(keras.layers.Conv2D(4, 3, padding="same"))(inputs)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Flatten()(x)
    x = wrap(keras.layers.Dense(8, activation="tanh"))(x)
    outputs = wrap(keras.layers.Dense(1))(x)
    return keras.Model(inputs, outputs)


def weight_gradients(penalty, model, jit_compile=False):
    real, fake = tf.constant(images(1)), tf.constant(images(2))

    def critic(x):
        return model(x, training=True)

    @tf.function(jit_compile=jit_compile)
    def grads():
        with tf.GradientTape() as tape:
            term, _ = penalty(context(critic, real, fake, critic(real), critic(fake)))
        return tape.gradient(term, model.trainable_variables)

    return grads()


@pytest.mark.parametrize("mode", ["two_sided", "one_sided", "dragan", "r1", "r2"])
def test_double_backprop_reaches_critic_weights(mode):
    model = conv_critic()
    # target 0 so that even the one-sided penalty is active.
    grads = weight_gradients(GradientPenalty(mode=mode, target=0.0), model)
    assert len(grads) == len(model.trainable_variables)
    for g, v in zip(grads, model.trainable_variables):
        if "kernel" in v.path:
            assert g is not None, v.path
            assert np.all(np.isfinite(g.numpy())), v.path
            assert np.abs(g.numpy()).max() > 0.0, v.path
        elif g is not None:  # the last bias does not change the input gradients: None
            assert np.all(np.isfinite(g.numpy())), v.path


def test_double_backprop_is_finite_at_a_zero_gradient():
    # D constant in x: ||grad|| = 0, where sqrt is not differentiable without the epsilon.
    dense = keras.layers.Dense(1, kernel_initializer="zeros")
    model = keras.Sequential([keras.Input(SHAPE[1:]), keras.layers.Flatten(), dense])
    grads = weight_gradients(GradientPenalty(mode="two_sided"), model)
    kernel_grad = grads[0].numpy()
    assert np.all(np.isfinite(kernel_grad))


def test_double_backprop_under_xla_with_spectral_normalization():
    model = conv_critic(spectral=True)
    grads = weight_gradients(GradientPenalty(mode="two_sided", target=0.0), model, jit_compile=True)
    kernels = [g for g, v in zip(grads, model.trainable_variables) if "kernel" in v.path]
    assert len(kernels) == 3
    for g in kernels:
        assert np.all(np.isfinite(g.numpy())) and np.abs(g.numpy()).max() > 0.0


def test_lazy_penalty_with_spectral_norm_critic_in_mirrored_replicas(mirrored_strategy):
    strategy = mirrored_strategy
    with strategy.scope():
        model = conv_critic(spectral=True)
    penalty = GradientPenalty(mode="r1", interval=2)
    real = tf.constant(images(1))

    @tf.function
    def step(i):
        def replica_fn(x):
            def critic(y):
                return model(y, training=True)

            with tf.GradientTape() as tape:
                term, v = penalty(context(critic, x, x, critic(x), critic(x), step=i))
            grads = tape.gradient(term, model.trainable_variables)
            return v, tf.add_n([tf.reduce_sum(tf.abs(g)) for g in grads if g is not None])

        return strategy.run(replica_fn, args=(real,))

    for i, active in [(0, True), (1, False)]:
        values, grad_sums = step(tf.constant(i, tf.int64))
        local = strategy.experimental_local_results
        for v, g in zip(local(values), local(grad_sums)):
            assert (float(v) > 0.0) == active
            assert np.isfinite(float(g)) and (float(g) > 0.0) == active


# --- configuration ------------------------------------------------------------------------------


def test_unknown_mode_lists_modes():
    with pytest.raises(ValueError, match="two_sided, one_sided, dragan, r1, r2"):
        GradientPenalty(mode="wgan")
    with pytest.raises(ValueError, match="interval"):
        GradientPenalty(interval=0)


@pytest.mark.parametrize(
    "penalty",
    [
        GradientPenalty(weight=5.0, mode="r1", interval=16, name="r1"),
        GradientPenalty(mode="dragan", dragan_scale=0.25, target=0.5),
        DriftPenalty(weight=0.01),
    ],
)
def test_serialization_round_trip(penalty):
    config = keras.saving.serialize_keras_object(penalty)
    assert config["registered_name"] == f"keras_gans>{type(penalty).__name__}"
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(penalty)
    assert restored.get_config() == penalty.get_config()
    assert penalties.deserialize(penalties.serialize(penalty)).get_config() == penalty.get_config()


def test_get():
    instance = GradientPenalty(mode="r2")
    assert penalties.get(instance) is instance
    r1 = penalties.get({"name": "gradient_penalty", "weight": 10, "mode": "r1"})
    assert isinstance(r1, GradientPenalty) and r1.mode == "r1" and r1.weight == 10.0
    assert isinstance(penalties.get("drift_penalty"), DriftPenalty)
    assert isinstance(penalties.get(GradientPenalty), GradientPenalty)
    serialized = keras.saving.serialize_keras_object(DriftPenalty(weight=0.1))
    assert penalties.get(serialized).weight == 0.1
    assert isinstance(penalties.get(serialized), Penalty)
    with pytest.raises(ValueError, match="gradient_penalty, drift_penalty"):
        penalties.get({"name": "spectral_penalty"})
    with pytest.raises(ValueError, match="gradient_penalty, drift_penalty"):
        penalties.get("nope")
    with pytest.raises(ValueError):
        penalties.get(3)
