"""Real translation datasets: pix2pix-style side-by-side folders, two folders of unpaired images
and TFDS `cycle_gan/*` (mocked: never downloads), down to a training step on each."""

import os

import numpy as np
import pytest
from PIL import Image

from keras_gans import data, recipes
from keras_gans.cli import main
from keras_gans.data import data_config

from model_helpers import built, weights
from test_cyclegan import tiny as tiny_cyclegan
from test_data import mock_tfds
from test_pix2pix import TINY

# A and B pixels of file i: 10 * i and 10 * i + 128, so each target is its source plus 128.
SHIFT = 128 / 127.5


def save_png(path, pixels):
    Image.fromarray(np.asarray(pixels, "uint8")).save(path)


@pytest.fixture
def pairs_folder(tmp_path):
    """8 side-by-side A|B files of 16x8 RGB (two 8x8 halves), one in a subfolder."""
    folder = tmp_path / "facades"
    (folder / "sub").mkdir(parents=True)
    for i in range(8):
        pair = np.concatenate([np.full((8, 8, 3), 10 * i), np.full((8, 8, 3), 10 * i + 128)], axis=1)
        save_png(folder / ("sub" if i == 7 else "") / f"{i}.png", pair)
    return folder


def side_by_side(folder, **options):
    return {"folder": str(folder), "side_by_side": True, "image_size": 8, **options}


def test_side_by_side_folder_yields_each_left_half_with_its_right_half(pairs_folder):
    config = side_by_side(pairs_folder)
    assert data.is_translation(config)
    assert data.source_shape(config) == data.sample_shape(config) == (8, 8, 3)
    sources, targets = (t.numpy() for t in next(iter(data.make_dataset(config, 8, (8, 8, 3)))))
    assert sources.shape == targets.shape == (8, 8, 8, 3) and sources.dtype == np.float32
    np.testing.assert_allclose(targets - sources, SHIFT, atol=1e-6)  # each source with its own target
    assert len(np.unique(sources)) == 8  # every file, the one in the subfolder too
    swapped = next(iter(data.make_dataset(side_by_side(pairs_folder, direction="b2a"), 4)))
    np.testing.assert_allclose(swapped[0] - swapped[1], SHIFT, atol=1e-6)
    small = next(iter(data.make_dataset(side_by_side(pairs_folder, image_size=4, channels=1), 4)))
    assert small[0].shape == small[1].shape == (4, 4, 4, 1)
    np.testing.assert_allclose(small[1] - small[0], SHIFT, atol=1e-3)  # resized, grey halves stay apart
    shown = data.translation_examples(config, 32)  # more than the folder holds: all 8 pairs
    assert shown[0].shape == (8, 8, 8, 3)


@pytest.mark.parametrize("size, name", [((15, 8), "odd.png"), ((8, 8), "square.png"), ((8, 12), "tall.png")])
def test_side_by_side_files_must_be_wider_with_an_even_width(pairs_folder, size, name):
    save_png(pairs_folder / name, np.zeros((size[1], size[0], 3)))
    match = rf"{name}' is {size[0]}x{size[1]} .*not a side-by-side A\|B pair.*even width larger than their height"
    with pytest.raises(ValueError, match=match):
        data.make_dataset(side_by_side(pairs_folder), 4)


@pytest.mark.parametrize("config, match", [
    ({"direction": "b2a"}, "comes with side_by_side: true"),
    ({"side_by_side": True, "direction": "BtoA"}, "must be one of a2b, b2a"),
    ({"side_by_side": "yes"}, "side_by_side .* must be true or false"),
    ({"side_by_side": True, "labels": True}, r"\(side_by_side\) yields \(sources, targets\) pairs without labels"),
])
def test_side_by_side_config_errors(pairs_folder, config, match):
    with pytest.raises(ValueError, match=match):
        data.make_dataset({"folder": str(pairs_folder), **config}, 4, (8, 8, 3))


def test_pix2pix_trains_on_a_side_by_side_folder_from_the_command_line(pairs_folder, tmp_path):
    out = str(tmp_path / "run")
    sets = [*TINY, "train.steps_per_epoch=1", "train.samples=16",  # more than the folder's 8 pairs
            f"data={{folder: '{pairs_folder}', side_by_side: true, image_size: 8}}"]
    assert main(["train", "pix2pix-edges2digits", "--steps", "1", "--quiet", "--out", out,
                 *[arg for key in sets for arg in ("--set", key)]]) == 0
    assert os.path.isfile(os.path.join(out, "samples", "epoch_0001.png"))


def test_two_folders_are_unpaired_domains(pairs_folder, tmp_path):
    folders = [tmp_path / "a", tmp_path / "b"]
    for value, folder in zip((0, 255), folders):
        folder.mkdir()
        for i in range(5):
            save_png(folder / f"{i}.png", np.full((6 + i, 6, 3), value))
    config = {"domains": [{"folder": str(folders[0]), "image_size": 4}, {"folder": str(folders[1]), "image_size": 4}]}
    assert data.is_translation(config) and data.source_shape(config) == (4, 4, 3)
    a, b = next(iter(data.make_dataset(config, 4)))
    np.testing.assert_array_equal(a, -1.0)
    np.testing.assert_array_equal(b, 1.0)
    shown = data.translation_examples(config, 8)  # the smaller folder's 5 images
    assert shown[0].shape == shown[1].shape == (5, 4, 4, 3)


def cycle_gan_splits(monkeypatch):
    """Records the splits `make_dataset` reads from TFDS."""
    splits, read = [], data_config.tfds_dataset
    monkeypatch.setattr(data_config, "tfds_dataset", lambda *args, split, **kw: splits.append(split) or read(
        *args, split=split, **kw))
    return splits


def test_cycle_gan_short_form_reads_its_two_domains(monkeypatch):
    splits = cycle_gan_splits(monkeypatch)
    config = {"tfds": "cycle_gan/horse2zebra", "image_size": 16}
    assert data.is_translation(config) and data.sample_shape(config) == data.source_shape(config) == (16, 16, 3)
    assert not data.is_translation({"tfds": "cycle_gan/horse2zebra", "split": "trainB"})  # one domain alone
    with mock_tfds():
        a, b = next(iter(data.make_dataset(config, 4)))
        data.make_dataset({**config, "split": "test", "direction": "b2a"}, 4)
        shown = data.translation_examples(config, 3)
    assert a.shape == b.shape == (4, 16, 16, 3) and shown[0].shape == (3, 16, 16, 3)
    assert splits == ["trainA", "trainB", "testB", "testA", "testA", "testB"]  # the picture shows held-out images
    with pytest.raises(ValueError, match="direction .* must be one of a2b, b2a"):
        data.make_dataset({**config, "direction": "AtoB"}, 4)


def test_cyclegan_takes_a_step_on_cycle_gan_data():
    recipe = tiny_cyclegan("data={tfds: cycle_gan/horse2zebra, image_size: 16}")
    with mock_tfds():
        model = built(recipe)
        before = weights(model.generator)
        model.fit(recipes.build_dataset(recipe), epochs=1, steps_per_epoch=1, verbose=0)
    assert model.generator.output_shape == (None, 16, 16, 3)
    assert any(np.abs(x - y).max() > 0 for x, y in zip(weights(model.generator), before))
