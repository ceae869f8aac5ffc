"""Tests of the adversarial losses against hand computations with the textbook formulas."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import losses
from keras_gans.losses import GANLoss

REAL = np.array([1.0, -0.5, 2.0])
FAKE = np.array([-1.0, 0.3, 0.0])
# Non-negative energies (EBGAN), with fake energies on both sides of the default margin 1.
REAL_ENERGY = np.array([0.2, 0.5, 1.5])
FAKE_ENERGY = np.array([0.1, 0.9, 2.0])
LOG2 = np.log(2.0)


# --- textbook formulas in NumPy (float64, deliberately not simplified) --------------------------


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_bce_d(real, fake, label_smoothing=0.0):
    t = 1.0 - label_smoothing
    real_term = -(t * np.log(sigmoid(real)) + (1.0 - t) * np.log(1.0 - sigmoid(real)))
    return np.mean(real_term) + np.mean(-np.log(1.0 - sigmoid(fake)))


def np_minimax_g(real, fake):
    return np.mean(np.log(1.0 - sigmoid(fake)))


def np_non_saturating_g(real, fake):
    return np.mean(-np.log(sigmoid(fake)))


def np_wasserstein_d(real, fake):
    return np.mean(fake) - np.mean(real)


def np_wasserstein_g(real, fake):
    return -np.mean(fake)


def np_hinge_d(real, fake):
    return np.mean(np.maximum(0.0, 1.0 - real)) + np.mean(np.maximum(0.0, 1.0 + fake))


def np_least_squares_d(real, fake, a=0.0, b=1.0):
    return 0.5 * np.mean((real - b) ** 2) + 0.5 * np.mean((fake - a) ** 2)


def np_least_squares_g(real, fake, c=1.0):
    return 0.5 * np.mean((fake - c) ** 2)


def np_relative(real, fake):
    dr = np.array([r - np.mean(fake) for r in real])
    df = np.array([f - np.mean(real) for f in fake])
    return dr, df


def np_ra_d(real, fake):
    dr, df = np_relative(real, fake)
    return -np.mean(np.log(sigmoid(dr))) - np.mean(np.log(1.0 - sigmoid(df)))


def np_ra_g(real, fake):
    dr, df = np_relative(real, fake)
    return -np.mean(np.log(sigmoid(df))) - np.mean(np.log(1.0 - sigmoid(dr)))


def np_rahinge_d(real, fake):
    dr, df = np_relative(real, fake)
    return np.mean(np.maximum(0.0, 1.0 - dr)) + np.mean(np.maximum(0.0, 1.0 + df))


def np_rahinge_g(real, fake):
    dr, df = np_relative(real, fake)
    return np.mean(np.maximum(0.0, 1.0 + dr)) + np.mean(np.maximum(0.0, 1.0 - df))


# Nowozin et al. 2016, Table 6: output activation g_f and conjugate f*, composed literally.
F_GAN = {
    "kl": (lambda v: v, lambda t: np.exp(t - 1.0)),
    "reverse_kl": (lambda v: -np.exp(-v), lambda t: -1.0 - np.log(-t)),
    "pearson": (lambda v: v, lambda t: t**2 / 4.0 + t),
    "js": (lambda v: np.log(2.0) - np.log(1.0 + np.exp(-v)), lambda t: -np.log(2.0 - np.exp(t))),
    "hellinger": (lambda v: 1.0 - np.exp(-v), lambda t: t / (1.0 - t)),
}


def np_f_d(divergence):
    g, f_star = F_GAN[divergence]
    return lambda real, fake: -(np.mean(g(real)) - np.mean(f_star(g(fake))))


def np_f_g(divergence):
    g, _ = F_GAN[divergence]
    return lambda real, fake: -np.mean(g(fake))


def np_energy_d(real, fake, margin=1.0):
    return np.mean(real) + np.mean(np.maximum(0.0, margin - fake))


def np_energy_g(real, fake):
    return np.mean(fake)


# name -> (expected class, numpy D loss, numpy G loss, inputs)
CASES = {
    "minimax": (losses.MinimaxLoss, np_bce_d, np_minimax_g, (REAL, FAKE)),
    "non_saturating": (losses.NonSaturatingLoss, np_bce_d, np_non_saturating_g, (REAL, FAKE)),
    "wasserstein": (losses.WassersteinLoss, np_wasserstein_d, np_wasserstein_g, (REAL, FAKE)),
    "hinge": (losses.HingeLoss, np_hinge_d, np_wasserstein_g, (REAL, FAKE)),
    "least_squares": (
        losses.LeastSquaresLoss, np_least_squares_d, np_least_squares_g, (REAL, FAKE)
    ),
    "relativistic_average": (losses.RelativisticAverageLoss, np_ra_d, np_ra_g, (REAL, FAKE)),
    "relativistic_average_hinge": (
        losses.RelativisticAverageHingeLoss, np_rahinge_d, np_rahinge_g, (REAL, FAKE)
    ),
    **{
        f"f_{d}": (losses.FDivergenceLoss, np_f_d(d), np_f_g(d), (REAL, FAKE))
        for d in ("kl", "reverse_kl", "pearson", "js", "hellinger")
    },
    "energy": (losses.EnergyLoss, np_energy_d, np_energy_g, (REAL_ENERGY, FAKE_ENERGY)),
}

LOG_BASED = (
    "minimax",
    "non_saturating",
    "relativistic_average",
    "f_kl",
    "f_reverse_kl",
    "f_js",
    "f_hellinger",
)


def test_all_names_order():
    assert losses.ALL_NAMES == (
        "minimax",
        "non_saturating",
        "wasserstein",
        "hinge",
        "least_squares",
        "relativistic_average",
        "relativistic_average_hinge",
        "f_kl",
        "f_reverse_kl",
        "f_pearson",
        "f_js",
        "f_hellinger",
        "energy",
    )
    assert set(CASES) == set(losses.ALL_NAMES)


@pytest.mark.parametrize("name", list(CASES))
def test_values_match_textbook_formulas(name):
    _, np_d, np_g, (real, fake) = CASES[name]
    loss = losses.get(name)
    d = loss.discriminator_loss(real.astype("float32"), fake.astype("float32"))
    g = loss.generator_loss(real.astype("float32"), fake.astype("float32"))
    for value in (d, g):
        assert keras.ops.shape(value) == ()
        assert keras.backend.standardize_dtype(value.dtype) == "float32"
    np.testing.assert_allclose(float(d), np_d(real, fake), rtol=0, atol=1e-5)
    np.testing.assert_allclose(float(g), np_g(real, fake), rtol=0, atol=1e-5)


def test_hand_values_are_not_degenerate():
    # The fixed inputs tell the losses apart: no two share both D and G values.
    pairs = [
        (round(np_d(*inputs), 6), round(np_g(*inputs), 6))
        for _, np_d, np_g, inputs in CASES.values()
    ]
    assert len(set(pairs)) == len(pairs)


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_label_smoothing(name):
    loss = losses.get({"name": name, "label_smoothing": 0.1})
    assert loss.label_smoothing == pytest.approx(0.1)
    d = float(loss.discriminator_loss(REAL, FAKE))
    np.testing.assert_allclose(d, np_bce_d(REAL, FAKE, 0.1), rtol=0, atol=1e-5)
    assert abs(d - np_bce_d(REAL, FAKE, 0.0)) > 1e-2  # smoothing did change the loss
    # One-sided: the generator loss does not depend on it.
    np.testing.assert_allclose(
        float(loss.generator_loss(REAL, FAKE)),
        float(losses.get(name).generator_loss(REAL, FAKE)),
        rtol=0,
        atol=1e-7,
    )


@pytest.mark.parametrize("name", ["minimax", "non_saturating"])
def test_label_smoothing_out_of_range(name):
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.get({"name": name, "label_smoothing": 1.0})


def test_least_squares_hyperparameters():
    loss = losses.get({"name": "least_squares", "a": -1, "b": 1, "c": 0})
    assert loss.get_config() == {"a": -1.0, "b": 1.0, "c": 0.0}
    np.testing.assert_allclose(
        float(loss.discriminator_loss(REAL, FAKE)),
        np_least_squares_d(REAL, FAKE, a=-1.0, b=1.0),
        rtol=0,
        atol=1e-5,
    )
    np.testing.assert_allclose(
        float(loss.generator_loss(REAL, FAKE)), np_least_squares_g(REAL, FAKE, c=0.0), atol=1e-5
    )


def test_energy_margin():
    loss = losses.EnergyLoss(margin=0.5)
    np.testing.assert_allclose(
        float(loss.discriminator_loss(REAL_ENERGY, FAKE_ENERGY)),
        np_energy_d(REAL_ENERGY, FAKE_ENERGY, margin=0.5),
        rtol=0,
        atol=1e-5,
    )
    default = np_energy_d(REAL_ENERGY, FAKE_ENERGY)
    assert abs(np_energy_d(REAL_ENERGY, FAKE_ENERGY, 0.5) - default) > 0.1
    with pytest.raises(ValueError, match="margin"):
        losses.EnergyLoss(margin=0.0)


@pytest.mark.parametrize("name", list(CASES))
def test_output_shape_independent(name):
    _, _, _, (real, fake) = CASES[name]
    loss = losses.get(name)
    flat = (real.astype("float32"), fake.astype("float32"))
    column = (real[:, None].astype("float32"), fake[:, None].astype("float32"))
    for method in (loss.discriminator_loss, loss.generator_loss):
        np.testing.assert_allclose(float(method(*column)), float(method(*flat)), rtol=0, atol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_patch_outputs_average_over_everything(name):
    # PatchGAN-style outputs (B, H, W, 1): the mean over every element, as if flattened.
    rng = np.random.default_rng(0)
    real = rng.uniform(0.0, 2.0, size=(2, 3, 3, 1))
    fake = rng.uniform(0.0, 2.0, size=(2, 3, 3, 1))
    _, np_d, np_g, _ = CASES[name]
    loss = losses.get(name)
    np.testing.assert_allclose(
        float(loss.discriminator_loss(real, fake)), np_d(real.ravel(), fake.ravel()), atol=1e-5
    )
    np.testing.assert_allclose(
        float(loss.generator_loss(real, fake)), np_g(real.ravel(), fake.ravel()), atol=1e-5
    )


@pytest.mark.parametrize("name", list(CASES))
def test_float16_inputs_give_float32(name):
    _, np_d, _, (real, fake) = CASES[name]
    d = losses.get(name).discriminator_loss(real.astype("float16"), fake.astype("float16"))
    assert keras.backend.standardize_dtype(d.dtype) == "float32"
    real16, fake16 = (x.astype("float16").astype("float64") for x in (real, fake))
    np.testing.assert_allclose(float(d), np_d(real16, fake16), atol=1e-5)


def test_pure_functions():
    np.testing.assert_allclose(
        float(losses.minimax_discriminator_loss(REAL, FAKE, label_smoothing=0.2)),
        np_bce_d(REAL, FAKE, 0.2),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        float(losses.minimax_generator_loss(FAKE)), np_minimax_g(REAL, FAKE), atol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.non_saturating_generator_loss(FAKE)),
        np_non_saturating_g(REAL, FAKE),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        float(losses.hinge_discriminator_loss(REAL, FAKE)), np_hinge_d(REAL, FAKE), atol=1e-5
    )
    np.testing.assert_allclose(
        float(losses.relativistic_average_generator_loss(REAL, FAKE)),
        np_ra_g(REAL, FAKE),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        float(losses.energy_discriminator_loss(REAL_ENERGY, FAKE_ENERGY, margin=1.5)),
        np_energy_d(REAL_ENERGY, FAKE_ENERGY, 1.5),
        atol=1e-5,
    )
    for divergence, (g, f_star) in F_GAN.items():
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(losses.f_output_activation(FAKE, divergence)),
            g(FAKE),
            atol=1e-6,
        )
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(losses.f_conjugate_of_activation(FAKE, divergence)),
            f_star(g(FAKE)),
            atol=1e-6,
        )


# --- numerical stability ------------------------------------------------------------------------

BIG = np.array([50.0, -50.0, 50.0, -50.0], dtype="float32")
BIG_OTHER = np.array([-50.0, 50.0, 50.0, -50.0], dtype="float32")


@pytest.mark.parametrize("name", LOG_BASED)
def test_finite_values_and_gradients_at_large_logits(name):
    loss = losses.get(name)
    real = tf.constant(BIG)
    fake = tf.constant(BIG_OTHER)
    for method in (loss.discriminator_loss, loss.generator_loss):
        with tf.GradientTape() as tape:
            tape.watch([real, fake])
            value = method(real, fake)
        grads = tape.gradient(value, [real, fake])
        assert np.isfinite(float(value)), (name, method.__name__)
        for grad in grads:
            if grad is not None:
                assert np.all(np.isfinite(grad.numpy())), (name, method.__name__, grad)


def test_large_logit_values_are_exact():
    # softplus(50) = 50 up to float32 precision; a naive -log(1 - sigmoid(50)) would be inf.
    real = np.array([-50.0], dtype="float32")
    fake = np.array([50.0], dtype="float32")
    np.testing.assert_allclose(
        float(losses.minimax_discriminator_loss(real, fake)), 100.0, rtol=1e-6
    )
    np.testing.assert_allclose(float(losses.non_saturating_generator_loss(-fake)), 50.0, rtol=1e-6)
    np.testing.assert_allclose(float(losses.minimax_generator_loss(fake)), -50.0, rtol=1e-6)
    # JS: f*(g(50)) = softplus(50) - log 2; the literal -log(2 - exp(g(50))) overflows in float32.
    np.testing.assert_allclose(
        float(losses.f_divergence_discriminator_loss(real, fake, "js")),
        (50.0 - LOG2) - (LOG2 - 50.0),
        rtol=1e-6,
    )


def test_gradients_at_moderate_logits():
    # d/dv of the non-saturating G loss is -sigmoid(-v) / B; of the saturating one -sigmoid(v) / B.
    fake = tf.constant(FAKE.astype("float32"))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(fake)
        ns = losses.non_saturating_generator_loss(fake)
        mm = losses.minimax_generator_loss(fake)
    np.testing.assert_allclose(tape.gradient(ns, fake).numpy(), -sigmoid(-FAKE) / 3, atol=1e-6)
    np.testing.assert_allclose(tape.gradient(mm, fake).numpy(), -sigmoid(FAKE) / 3, atol=1e-6)


# --- lookup and serialization -------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_get_by_name(name):
    loss = losses.get(name)
    assert type(loss) is CASES[name][0]
    assert isinstance(loss, GANLoss)
    assert loss.name == name


def test_get_f_divergences_configs():
    for divergence in ("kl", "reverse_kl", "pearson", "js", "hellinger"):
        loss = losses.get(f"f_{divergence}")
        assert loss.get_config() == {"divergence": divergence}
        assert losses.FDivergenceLoss(divergence=divergence).name == f"f_{divergence}"
    with pytest.raises(ValueError, match="f_kl"):
        losses.get({"name": "f_kl", "divergence": "js"})
    with pytest.raises(ValueError, match="reverse_kl, pearson, js, hellinger"):
        losses.FDivergenceLoss(divergence="total_variation")


def test_get_instance_and_dict():
    loss = losses.HingeLoss()
    assert losses.get(loss) is loss
    ls = losses.get({"name": "least_squares", "a": -1})
    assert type(ls) is losses.LeastSquaresLoss
    assert ls.get_config() == {"a": -1.0, "b": 1.0, "c": 1.0}
    assert type(losses.get(losses.WassersteinLoss)) is losses.WassersteinLoss


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as info:
        losses.get("vanilla")
    message = str(info.value)
    assert "vanilla" in message
    for name in losses.ALL_NAMES:
        assert name in message
    with pytest.raises(ValueError, match="minimax"):
        losses.get({"name": "wgan"})
    with pytest.raises(ValueError):
        losses.get(42)


def _all_losses():
    return [losses.get(name) for name in losses.ALL_NAMES] + [
        losses.MinimaxLoss(label_smoothing=0.1),
        losses.NonSaturatingLoss(label_smoothing=0.2),
        losses.LeastSquaresLoss(a=-1.0, b=1.0, c=0.0),
        losses.EnergyLoss(margin=3.5),
    ]


@pytest.mark.parametrize("loss", _all_losses(), ids=repr)
def test_keras_serialization_round_trip(loss):
    config = keras.saving.serialize_keras_object(loss)
    assert config == losses.serialize(loss)
    # Through JSON, as in a .keras file, and in safe mode.
    config = json.loads(json.dumps(config))
    restored = keras.saving.deserialize_keras_object(config, safe_mode=True)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()
    assert restored.name == loss.name
    for other in (losses.deserialize(config), losses.get(config)):
        assert type(other) is type(loss)
        assert other.get_config() == loss.get_config()
    np.testing.assert_allclose(
        float(restored.discriminator_loss(REAL_ENERGY, FAKE_ENERGY)),
        float(loss.discriminator_loss(REAL_ENERGY, FAKE_ENERGY)),
        atol=1e-7,
    )
