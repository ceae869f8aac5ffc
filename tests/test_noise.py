"""The latent distributions a recipe chooses with `model.noise`: normal, uniform, categorical:K."""

import os

import keras
import numpy as np
import pytest

import keras_gans
from keras_gans.cli import main
from keras_gans.models.noise import categories, check_noise, numpy_noise
from keras_gans.networks import mlp_discriminator, mlp_generator
from keras_gans.serving import latent_from_seed
from cli_helpers import assert_one_error_line


def _assert_categorical(z, k):
    codes = z[:, :k]
    np.testing.assert_array_equal(np.sort(np.unique(codes)), [0.0, 1.0])
    np.testing.assert_array_equal(codes.sum(axis=1), np.ones(len(z)))
    return np.argmax(codes, axis=1)


def test_check_noise():
    assert check_noise("normal") == "normal" and check_noise("uniform", 4) == "uniform"
    assert check_noise("categorical:8", 10) == "categorical:8" and categories("categorical:8") == 8
    assert categories("normal") == 0 and categories("uniform") == 0
    for bad, match in (("gauss", "unknown noise 'gauss'.*categorical:K"), ("categorical:1", "K >= 2"),
                       ("categorical:", "K >= 2"), ("categorical:eight", "K >= 2")):
        with pytest.raises(ValueError, match=match):
            check_noise(bad)
    with pytest.raises(ValueError, match="needs latent_dim > 8"):
        check_noise("categorical:8", 8)


def test_numpy_categorical_noise():
    z = numpy_noise("categorical:5", np.random.default_rng(0), (5000, 7))
    assert z.dtype == np.float32 and z.shape == (5000, 7)
    shares = np.bincount(_assert_categorical(z, 5), minlength=5) / len(z)
    assert np.abs(shares - 0.2).max() < 0.03
    assert abs(z[:, 5:].std() - 1.0) < 0.05 and abs(z[:, 5:].mean()) < 0.05
    np.testing.assert_array_equal(z, numpy_noise("categorical:5", np.random.default_rng(0), (5000, 7)))


def test_training_draws_and_serving_seed_draws_are_categorical():
    keras.utils.set_random_seed(1)
    gan = keras_gans.GAN(mlp_generator(6, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)), seed=3,
                         noise="categorical:4")
    gan.compile()
    z = gan.sample_generator_inputs(2000, "latent").numpy()
    shares = np.bincount(_assert_categorical(z, 4), minlength=4) / len(z)
    assert np.abs(shares - 0.25).max() < 0.04 and abs(z[:, 4:].std() - 1.0) < 0.1
    other = gan.sample_generator_inputs(2000, "latent", 1).numpy()  # another index, another draw
    assert not np.array_equal(np.argmax(other[:, :4], 1), np.argmax(z[:, :4], 1))
    seeded = latent_from_seed(7, 400, 6, "categorical:4")
    _assert_categorical(seeded, 4)
    np.testing.assert_array_equal(seeded, latent_from_seed(7, 400, 6, "categorical:4"))
    _assert_categorical(gan.latent(50, seed=0), 4)
    with pytest.raises(ValueError, match="needs latent_dim > 6"):
        keras_gans.GAN(mlp_generator(6, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)),
                       noise="categorical:6")


def test_recipe_chooses_categorical_noise_and_keras_file_keeps_it(tmp_path, capsys):
    out = str(tmp_path / "ring")
    tiny = ["--steps", "2", "--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=2",
            "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]"]
    assert main(["train", "ring", *tiny, "--set", "model.noise=categorical:8", "--set", "model.latent_dim=10",
                 "--out", out]) == 0
    gan = keras.saving.load_model(os.path.join(out, "model.keras"))
    assert gan.noise == "categorical:8" and gan.latent_dim == 10
    _assert_categorical(gan.latent(20, seed=1), 8)
    assert np.isfinite(gan.generate(20, seed=1)).all()
    capsys.readouterr()
    code = main(["train", "ring", *tiny, "--set", "model.noise=categorical:8", "--out", str(tmp_path / "bad")])
    assert_one_error_line(capsys, code, "needs latent_dim > 8")
