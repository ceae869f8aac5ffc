"""Stacked MNIST: the data (three bundled digits as R, G, B), its channel-by-channel score, the recipe."""

import json

import numpy as np
import pytest
from PIL import Image

from keras_gans.cli import main
from keras_gans.data import load_mnist
from keras_gans.data import make_dataset
from keras_gans.data import sample_shape
from keras_gans.data.stacked_mnist import stack_digits
from keras_gans.metrics import SampleEvaluator
from keras_gans.metrics.evaluate import default_samples, metrics_of_run
from keras_gans.metrics.stacked_mnist import channels_as_images, stacked_mnist_results
from cli_helpers import assert_one_error_line

TINY = ["--steps", "2", "--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=2",
        "--set", "train.samples=4", "--set", "model.latent_dim=8",
        "--set", "model.generator.base_filters=4", "--set", "model.discriminator.base_filters=4"]


def _digit_index():
    """{digit bytes: label} of the bundled digits."""
    images, labels = load_mnist()
    return {image.tobytes(): int(label) for image, label in zip(images, labels)}


def test_stack_digits_on_fixed_arrays():
    images = np.arange(4 * 28 * 28, dtype="int64").reshape(4, 28, 28).astype("uint8")
    labels = np.array([3, 1, 4, 1])
    stacked, modes = stack_digits(images, labels, [[0, 1, 2], [3, 3, 0]])
    assert stacked.shape == (2, 28, 28, 3) and stacked.dtype == np.uint8
    np.testing.assert_array_equal(stacked[0, ..., 0], images[0])
    np.testing.assert_array_equal(stacked[0, ..., 2], images[2])
    np.testing.assert_array_equal(stacked[1, ..., 1], images[3])
    np.testing.assert_array_equal(modes, [314, 113])
    np.testing.assert_array_equal(stack_digits(images[..., None], labels, [[2, 2, 2]])[1], [444])
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        stack_digits(images, labels, [[0, 1]])


def test_dataset_stacks_bundled_digits_with_their_mode_ids():
    index = _digit_index()
    images, modes = next(iter(make_dataset({"name": "stacked_mnist"}, 16, (28, 28, 3), seed=3, with_labels=True)))
    images, modes = images.numpy(), modes.numpy()
    assert images.shape == (16, 28, 28, 3) and images.dtype == np.float32 and modes.dtype == np.int32
    assert images.min() >= -1.0 and images.max() <= 1.0
    as_uint8 = np.rint((images + 1.0) * 127.5).astype("uint8")
    for image, mode in zip(as_uint8, modes):
        digits = [index[image[..., c].tobytes()] for c in range(3)]  # each channel is a bundled digit
        assert mode == digits[0] * 100 + digits[1] * 10 + digits[2]


def test_dataset_is_seeded_fresh_and_covers_every_mode():
    def batches(seed, count, skip=0):
        dataset = make_dataset("stacked_mnist", 64, seed=seed, with_labels=True).skip(skip).take(count)
        return [(x.numpy(), y.numpy()) for x, y in dataset]

    first = batches(0, 3)
    again = batches(0, 3)
    for (x, y), (x2, y2) in zip(first, again):
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(batches(0, 1, skip=2)[0][1], first[2][1])  # a resume's skip continues
    assert not np.array_equal(batches(1, 1)[0][1], first[0][1])
    assert not np.array_equal(first[0][1], first[1][1])  # each batch drawn anew
    modes = np.concatenate([y for _, y in batches(0, 120)])  # 7,680 independent draws
    assert np.unique(modes).size >= 995  # expected 1000 * (1 - exp(-7.68)) = 999.5
    digits = np.stack([modes // 100, modes // 10 % 10, modes % 10], axis=1)
    for channel in range(3):  # each channel's digits as the bundled data has them (8.9% - 11.4%)
        shares = np.bincount(digits[:, channel], minlength=10) / len(digits)
        assert shares.min() > 0.07 and shares.max() < 0.13


def test_data_config_shape_and_errors():
    assert sample_shape({"name": "stacked_mnist"}) == (28, 28, 3)
    with pytest.raises(ValueError, match="28x28 RGB"):
        make_dataset({"name": "stacked_mnist"}, 8, (28, 28, 1))
    with pytest.raises(ValueError, match="do not apply"):
        sample_shape({"name": "stacked_mnist", "classes": [1]})
    with pytest.raises(ValueError, match="stacked_mnist"):
        make_dataset({"name": "stacked"}, 8)  # the valid names are listed


def test_stacked_results_and_channel_order():
    probabilities = np.full((4, 3, 10), 0.01)
    digits = np.array([[1, 2, 3], [1, 2, 3], [9, 0, 0], [4, 4, 4]])
    for m, row in enumerate(digits):
        probabilities[m, range(3), row] = 0.91
    probabilities[3, 2] = 0.1  # a blurred channel: argmax 0, not confident
    results = stacked_mnist_results(probabilities)
    assert results["stacked_modes"] == 3  # 123, 900 and 440
    q = np.array([0.5, 0.25, 0.25])
    assert results["stacked_kl"] == pytest.approx(np.sum(q * np.log(q * 1000)))
    assert results["stacked_confident"] == pytest.approx(11 / 12)
    # per channel: R 1, 1, 9, 4; G 2, 2, 0, 4; B 3, 3, 0 and the blurred channel's argmax 0
    assert results["stacked_kl_r"] == pytest.approx(0.5 * np.log(5) + 2 * 0.25 * np.log(2.5))
    assert results["stacked_kl_g"] == pytest.approx(0.5 * np.log(5) + 2 * 0.25 * np.log(2.5))
    assert results["stacked_kl_b"] == pytest.approx(np.log(5))
    with pytest.raises(ValueError, match=r"\(n, 3, 10\)"):
        stacked_mnist_results(probabilities[:, :2])
    images = np.arange(2 * 2 * 2 * 3).reshape(2, 2, 2, 3)
    channels = channels_as_images(images)
    assert channels.shape == (6, 2, 2, 1)
    np.testing.assert_array_equal(channels[4, ..., 0], images[1, ..., 1])  # image 1, channel G


def test_evaluator_reads_each_channel_of_real_stacks():
    """The bundled classifier finds the modes of real stacks made of known digits."""
    images, labels = load_mnist()
    triples = np.random.default_rng(0).integers(0, len(labels), size=(600, 3))
    stacked, modes = stack_digits(images, labels, triples)
    real = stacked.astype("float32") / 127.5 - 1.0
    results = SampleEvaluator(real[:2], ("stacked",))(real)
    true_modes = np.unique(modes).size
    assert true_modes - 10 <= results["stacked_modes"] <= true_modes + 10  # classifier errors: ~1% per digit
    assert results["stacked_confident"] > 0.95
    with pytest.raises(Exception, match="3-channel"):
        SampleEvaluator(real[:2, ..., :1], ("stacked",))(real[:5, ..., :1])


def test_stacked_defaults():
    assert default_samples({"name": "stacked_mnist"}) == 25600
    assert default_samples("mnist") == 10000 and default_samples("ring") == 2500
    assert metrics_of_run(None, None, {"name": "stacked_mnist"}) == ("stacked",)
    assert metrics_of_run(None, "stacked,fid", {"name": "stacked_mnist"}) == ("stacked", "fid")


def test_recipe_trains_and_evaluates_by_name(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "stacked-mnist", *TINY, "--out", out]) == 0
    capsys.readouterr()
    assert main(["eval", out, "--n", "300", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 300 and set(report["metrics"]) == {"stacked_modes", "stacked_kl", "stacked_confident",
                                                             "stacked_kl_r", "stacked_kl_g", "stacked_kl_b"}
    assert report["metrics"]["stacked_modes"] < 100  # a 2-step generator
    # 300 real stacks, read as the samples are: about 1000 (1 - 0.999^300) = 259 distinct modes
    assert 235 <= report["reference"]["stacked_modes"] <= 285 and report["reference"]["stacked_confident"] > 0.9
    assert_one_error_line(capsys, main(["eval", out, "--metrics", "classes,bogus"]), "unknown metric(s) bogus")
    picture = str(tmp_path / "channels.png")
    assert main(["sample", out, "--n", "8", "--seed", "0", "--channels", "--out", picture]) == 0
    tiles = np.asarray(Image.open(picture).convert("RGB"))
    scale = tiles.shape[1] // (16 * 30 + 2)  # 16 tiles of 28 pixels + 2 of padding, scaled up
    assert tiles.shape[:2] == (2 * scale * 30 + 2 * scale, 16 * 30 * scale + 2 * scale)
    sample = np.asarray(Image.open(picture))[2 * scale:30 * scale:scale, 2 * scale:30 * scale:scale]
    grey = np.asarray(Image.open(picture))[2 * scale:30 * scale:scale, 32 * scale:60 * scale:scale]
    np.testing.assert_array_equal(grey[..., 0], sample[..., 0])  # tile 2 is tile 1's red channel
    np.testing.assert_array_equal(grey[..., 1], sample[..., 0])
    capsys.readouterr()
    assert_one_error_line(capsys, main(["sample", out, "--channels", "--interp", "4", "--out", picture]),
                          "--channels draws a picture", "--interp")


def test_channels_picture_needs_rgb_samples(tmp_path, capsys):
    out = str(tmp_path / "ring")
    assert main(["train", "ring-gan", "--steps", "1", "--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=1",
                 "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]", "--out", out]) == 0
    capsys.readouterr()
    code = main(["sample", out, "--channels", "--out", str(tmp_path / "c.png")])
    assert_one_error_line(capsys, code, "does not generate RGB images")
