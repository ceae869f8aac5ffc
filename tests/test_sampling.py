"""Discriminator rejection sampling (keras_gans.sampling) and GAN.generate with it."""

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.recipes import UserError
from keras_gans.sampling import DiscriminatorRejection, get_rejection


def shifted_gaussian_gan(rejection, loss="non_saturating"):
    """p_g = N(0, 1) (G is the identity) and D's logit x - 1/2 = log N(x; 1, 1) / N(x; 0, 1): the
    optimal discriminator between p_data = N(1, 1) and p_g."""
    z = keras.Input((1,))
    generator = keras.Model(z, keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(z))
    x = keras.Input((1,))
    logit = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer=keras.initializers.Constant(-0.5))(x)
    gan = keras_gans.GAN(generator, keras.Model(x, logit), seed=0, rejection=rejection)
    gan.compile(loss=loss)
    return gan


def test_rejection_with_the_optimal_discriminator_samples_the_data_distribution():
    gan = shifted_gaussian_gan({"burn_in": 20_000})
    raw = gan.generate(20_000, seed=1, rejection=False)[:, 0]
    samples, stats = gan.rejection_sample(20_000, seed=1)
    assert abs(raw.mean()) < 0.03 and abs(raw.std() - 1) < 0.03  # the generator: N(0, 1)
    assert abs(samples[:, 0].mean() - 1.0) < 0.03  # accepted: N(1, 1)
    assert abs(samples[:, 0].std() - 1.0) < 0.03
    # Acceptance exp(l - M): E[exp(x - 1/2)] / exp(M) under N(0, 1) = exp(-M). M is raised when a
    # round finds a larger logit, so the rate lies between exp(-final M) and a few times more.
    assert np.exp(-stats["max_logit"]) * 0.9 < stats["acceptance"] < 3 * np.exp(-stats["max_logit"])
    assert stats["gamma"] == 0.0


def test_gamma_percentile_makes_rejection_stricter():
    loose = shifted_gaussian_gan({"burn_in": 5000, "gamma_percentile": 50}).rejection_sample(4000, seed=2)
    strict = shifted_gaussian_gan({"burn_in": 5000, "gamma_percentile": 99}).rejection_sample(4000, seed=2)
    assert strict[1]["gamma"] > loose[1]["gamma"]
    assert strict[1]["acceptance"] < loose[1]["acceptance"]
    assert strict[0].mean() > loose[0].mean() + 0.2  # only the highest logits (largest x) survive


def test_generate_with_rejection_is_reproducible_and_sized():
    gan = shifted_gaussian_gan({"burn_in": 500})
    a, b = gan.generate(300, seed=5), gan.generate(300, seed=5)
    assert a.shape == (300, 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, gan.generate(300, seed=6))
    assert not np.array_equal(a, gan.generate(300, seed=5, rejection=False))


def test_rejection_needs_a_density_ratio_discriminator():
    with pytest.raises(ValueError, match="needs a discriminator trained with one of minimax, non_saturating .* drop the rejection"):
        shifted_gaussian_gan({}, loss="wasserstein")


def test_rejection_gives_up_with_a_clear_error():
    gan = shifted_gaussian_gan({"burn_in": 10, "gamma_percentile": 99, "max_rounds": 2})
    with pytest.raises(RuntimeError, match="accepted [0-9]+ of 1010 samples in 2 rounds, fewer than the 1000 asked"):
        gan.generate(1000, seed=0)


def test_rejection_arguments_are_checked():
    with pytest.raises(ValueError, match="gamma_percentile must be in"):
        DiscriminatorRejection(gamma_percentile=100)
    with pytest.raises(ValueError, match="Could not interpret rejection"):
        get_rejection("drs")
    assert get_rejection(None) is None and get_rejection(False) is None
    assert get_rejection({"gamma_percentile": 80}).get_config()["gamma_percentile"] == 80.0


def test_rejection_survives_save_and_load(tmp_path):
    gan = shifted_gaussian_gan({"burn_in": 500, "gamma_percentile": 50})
    path = str(tmp_path / "drs.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.rejection.get_config() == gan.rejection.get_config()
    np.testing.assert_array_equal(loaded.generate(200, seed=3), gan.generate(200, seed=3))


def test_recipe_model_rejection():
    from keras_gans import recipes

    recipe = recipes.apply_overrides(recipes.load("ring"), ["model.rejection={gamma_percentile: 80}"])
    gan = recipes.build_model(recipe)
    assert gan.rejection.gamma_percentile == 80.0
    bad = recipes.apply_overrides(recipes.load("ring"), ["model.rejection={gamma: 1}"])
    with pytest.raises(UserError, match="model.rejection: unknown rejection option.s. gamma: valid options are gamma_percentile, burn_in"):
        recipes.build_model(bad)


def test_cli_sample_no_rejection_writes_the_generators_own_samples(tmp_path, capsys):
    """`keras-gans sample RUN --no-rejection`: the zoo ring model's generator without its DRS."""
    from cli_helpers import assert_one_error_line

    from keras_gans.cli import main
    from keras_gans.runs import load_run

    assert main(["sample", "ring", "--n", "300", "--seed", "1", "--out", str(tmp_path / "drs.npy")]) == 0
    assert main(["sample", "ring", "--n", "300", "--seed", "1", "--no-rejection", "--out",
                 str(tmp_path / "own.npy")]) == 0
    assert main(["sample", "ring", "--n", "300", "--seed", "1", "--no-rejection", "--out",
                 str(tmp_path / "own.png")]) == 0
    gan, _ = load_run("ring")
    own = np.load(tmp_path / "own.npy")
    np.testing.assert_array_equal(own, gan.generate(300, seed=1, rejection=False))
    assert not np.array_equal(own, np.load(tmp_path / "drs.npy"))
    capsys.readouterr()
    assert_one_error_line(capsys, main(["sample", "dcgan-mnist", "--no-rejection", "--out", str(tmp_path / "x.png")]),
                          "has no model.rejection, so --no-rejection changes nothing")
