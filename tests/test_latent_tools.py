"""Latent tools: spherical interpolation walks, GAN inversion, and reading images back from pictures."""

import os

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans.cli import main
from keras_gans.models.gan import GAN
from keras_gans.runs import load_run
from keras_gans.sampling.interpolation import latent_walks, slerp
from keras_gans.inversion import invert
from keras_gans.utils.images import save_image_grid
from keras_gans.utils.picture_tiles import read_images

from cli_helpers import assert_one_error_line
from model_helpers import built
from test_cli import TINY_DCGAN
from test_conditional import tiny


# ------------------------------------------------------------------------------- interpolation


def test_slerp_keeps_the_ends_and_the_norm():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 50)), rng.normal(size=(3, 50))
    b *= np.linalg.norm(a, axis=1, keepdims=True) / np.linalg.norm(b, axis=1, keepdims=True)
    walk = slerp(a, b, np.linspace(0, 1, 7))
    np.testing.assert_allclose(walk[:, 0], a, atol=1e-12)
    np.testing.assert_allclose(walk[:, -1], b, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(walk, axis=-1), np.linalg.norm(a, axis=1)[:, None] * np.ones(7))
    # orthogonal unit vectors: halfway is their normalised sum, a straight line would have norm 1/sqrt(2)
    np.testing.assert_allclose(slerp([[1.0, 0.0]], [[0.0, 1.0]], [0.5])[0, 0], [0.5**0.5, 0.5**0.5])
    np.testing.assert_allclose(slerp([[2.0, 0.0]], [[4.0, 0.0]], [0.5])[0, 0], [3.0, 0.0])  # parallel


def test_latent_walks_are_rows_clipped_to_uniform_support():
    rng = np.random.default_rng(1)
    start, end = rng.uniform(-1, 1, (2, 30)), rng.uniform(-1, 1, (2, 30))
    walks = latent_walks(start, end, 5, noise="uniform")
    assert walks.shape == (10, 30) and walks.dtype == np.float32 and np.abs(walks).max() <= 1.0
    np.testing.assert_allclose(walks[5], start[1], atol=1e-6)
    with pytest.raises(ValueError, match="at least 2 steps"):
        latent_walks(start, end, 1)


def test_conditional_and_infogan_walks_keep_one_label_per_row():
    model = built(tiny("cgan-mnist"))
    walks = model.interpolate(2, 3, seed=5)
    assert walks.shape == (6, 28, 28, 1)
    # the ends are the samples of the same z: row i starts at z_i with label i
    ends = model.generate(4, seed=5, labels=[0, 1, 0, 1])
    np.testing.assert_allclose(walks[[0, 3]], ends[:2], atol=1e-5)
    infogan = built(tiny("infogan-mnist"))
    assert infogan.interpolate(3, 2, seed=0).shape == (6, 28, 28, 1)


# ------------------------------------------------------------------------------- inversion


def _linear_gan():
    """A GAN whose generator is a linear map of a 4-d z to 4 x 4 images (full column rank)."""
    kernel = keras.initializers.RandomUniform(-0.2, 0.2, seed=3)
    generator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, use_bias=False, kernel_initializer=kernel),
                                  keras.layers.Reshape((4, 4, 1))])
    discriminator = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    return GAN(generator, discriminator, latent_dim=4)


def test_inversion_recovers_a_planted_latent_of_a_linear_generator():
    gan = _linear_gan()
    planted = np.random.default_rng(1).normal(size=(6, 4)).astype("float32")
    images = gan._generate_from(planted, 256)
    found = invert(gan, images, steps=300, feature_weight=0, candidates=16, batch_size=4)  # 4, then 2 padded
    np.testing.assert_allclose(found.latents, planted, atol=1e-3)
    assert found.pixel_errors.max() < 1e-8 < found.start_errors.min()
    assert invert(gan, images, steps=0, candidates=16).latents.shape == (6, 4)  # the start alone
    with pytest.raises(ValueError, match=r"the images are \(5, 5, 1\), the model makes \(4, 4, 1\)"):
        invert(gan, np.zeros((2, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="generator takes more inputs"):
        invert(built(tiny("cgan-mnist")), np.zeros((2, 28, 28, 1), "float32"))


# ------------------------------------------------------------------------------- pictures


def test_read_images_from_grids_single_pictures_and_arrays(tmp_path):
    digits = np.random.default_rng(0).integers(1, 256, (5, 28, 28, 1)).astype("uint8")
    grid = str(tmp_path / "grid.png")
    save_image_grid(grid, digits.astype("float32") / 127.5 - 1)  # 2 x 3 cells, enlarged to >= 512 px
    np.testing.assert_array_equal(read_images(grid, (28, 28, 1)), digits)  # the empty 6th cell dropped
    Image.fromarray(digits[0, ..., 0]).save(tmp_path / "one.png")
    np.testing.assert_array_equal(read_images(str(tmp_path / "one.png"), (28, 28, 1)), digits[:1])
    Image.fromarray(np.full((40, 50), 200, "uint8")).save(tmp_path / "photo.png")  # not a grid: resized
    resized = read_images(str(tmp_path / "photo.png"), (28, 28, 1))
    assert resized.shape == (1, 28, 28, 1) and (resized == 200).all()
    np.save(tmp_path / "wrong.npy", digits[:, :20])
    with pytest.raises(ValueError, match=r"shape \(5, 20, 28, 1\); the model takes \(n, 28, 28, 1\)"):
        read_images(str(tmp_path / "wrong.npy"), (28, 28, 1))
    (tmp_path / "text.png").write_text("not a picture")
    with pytest.raises(ValueError, match="not a picture Pillow can read"):
        read_images(str(tmp_path / "text.png"), (28, 28, 1))


# ------------------------------------------------------------------------------- the commands


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("latent") / "dcgan")
    assert main(["train", "dcgan-mnist", "--steps", "2", *TINY_DCGAN, "--out", out]) == 0
    return out


def test_cli_sample_interp_draws_walks_between_random_latents(dcgan_run, tmp_path, capsys):
    npy, png = str(tmp_path / "walk.npy"), str(tmp_path / "walk.png")
    assert main(["sample", dcgan_run, "--interp", "4", "--n", "9", "--seed", "2", "--out", npy]) == 0
    assert "wrote 2 latent walks of 4 samples" in capsys.readouterr().out
    walks = np.load(npy)
    assert walks.shape == (8, 28, 28, 1) and walks.dtype == np.uint8
    gan, _ = load_run(dcgan_run)
    ends = gan._generate_from(gan.latent(4, seed=2), 256)  # walk i: from z_i to z_(i + 2)
    np.testing.assert_allclose(walks[[0, 3, 4, 7]].astype(float), np.round((ends[[0, 2, 1, 3]] + 1) * 127.5), atol=1)
    assert main(["sample", dcgan_run, "--interp", "4", "--n", "9", "--out", png]) == 0
    with Image.open(png) as picture:
        assert picture.width / picture.height == pytest.approx((4 * 30 + 2) / (2 * 30 + 2))
    assert_one_error_line(capsys, main(["sample", dcgan_run, "--interp", "1", "--out", png]), "at least 2")


def test_cli_invert_writes_latents_and_pairs_and_refuses_bad_input(dcgan_run, tmp_path, capsys):
    samples, latents, pairs = (str(tmp_path / name) for name in ("x.png", "z.npy", "pairs.png"))
    assert main(["sample", dcgan_run, "--n", "3", "--seed", "0", "--out", samples]) == 0
    assert main(["invert", dcgan_run, "--in", samples, "--steps", "20", "--out", latents]) == 0
    out = capsys.readouterr().out
    assert "inverted 3 images" in out and "mean squared pixel error" in out
    assert np.load(latents).shape == (3, 8)
    assert main(["invert", dcgan_run, "--in", samples, "--steps", "5", "--out", pairs]) == 0
    assert read_images(pairs, (28, 28, 1)).shape == (6, 28, 28, 1)  # inputs, then reconstructions
    np.save(tmp_path / "small.npy", np.zeros((2, 7, 7, 1), "uint8"))
    assert_one_error_line(capsys, main(["invert", dcgan_run, "--in", str(tmp_path / "small.npy"), "--out", latents]),
                          "shape (2, 7, 7, 1)", "(n, 28, 28, 1)")
    assert_one_error_line(capsys, main(["invert", dcgan_run, "--in", samples, "--out", str(tmp_path / "z.txt")]),
                          ".png", ".npy")
    assert not os.path.exists(tmp_path / "z.txt")
