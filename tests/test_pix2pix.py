"""Pix2Pix and the translation data: the transforms, D's pairs, the L1 term, exact resume,
replicas, serving, `keras-gans translate`, `eval` and the input | output | target picture."""

import json

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.data import load_mnist, make_dataset, source_shape, sample_shape, translation_pair
from keras_gans.data import translation
from keras_gans.errors import UserError
from keras_gans.models import Pix2Pix
from keras_gans.models.pix2pix import l1_distance
from keras_gans.networks.translation import patch_receptive_field
from keras_gans.serving import export_gan
from keras_gans.utils.images import image_grid, save_picture

from cli_helpers import assert_one_error_line
from model_helpers import assert_weights_close, built, one_device_reference, straight_and_resumed, weights

TINY = ["model.generator.base_filters=4", "model.discriminator.base_filters=4", "train.batch_size=8"]


def tiny(*overrides):
    """pix2pix-edges2digits with 4-filter networks and batches of 8."""
    return recipes.apply_overrides(recipes.load("pix2pix-edges2digits"), [*TINY, *overrides])


def pairs(n=32, batch=8):
    """The first `n` training pairs of edges2digits in [-1, 1], in batches of `batch`."""
    sources, targets, _ = translation.task_examples("edges2digits")
    scale = lambda a: a[:n].astype("float32") / 127.5 - 1.0  # noqa: E731
    return tf.data.Dataset.from_tensor_slices((scale(sources), scale(targets))).batch(batch)


# ------------------------------------------------------------------------------------ data


def test_transforms_on_fixed_digits():
    digit = np.zeros((1, 8, 8, 1), "uint8")
    digit[0, 3:5, 3:5] = 200  # a 2x2 ink square
    ring = translation.outline(digit)[0, ..., 0]
    assert ring[2:6, 2:6].sum() == 12 * 255 and ring[3:5, 3:5].sum() == 0 and ring.sum() == 12 * 255
    np.testing.assert_array_equal(translation.invert(digit), 255 - digit)
    block = np.arange(16, dtype="uint8").reshape(1, 4, 4, 1)
    assert translation.downsample(block)[0, 0, 0, 0] == round(block.mean())  # 7.5 rounds to 8
    assert translation.style(digit, "thick")[0, 2:6, 2:6].min() == 200  # dilated by one pixel
    assert translation.style(digit, "thin")[0, ..., 0].tolist().count([0] * 8) == 7  # one row of ink left
    with pytest.raises(ValueError, match="unknown digit style 'bold'"):
        translation.style(digit, "bold")


def test_translation_pair_shapes_and_the_held_out_split():
    digits = load_mnist()[0][:5, ..., None]
    for task, source_size in (("edges2digits", 28), ("mnist-inverted", 28), ("x4", 7), ("thick", 28)):
        sources, targets = translation_pair(task, digits)
        assert sources.shape == (5, source_size, source_size, 1) and sources.dtype == np.uint8
        np.testing.assert_array_equal(targets, translation.style(digits, "thick") if task == "thick"
                                      else 255 - digits if task == "mnist-inverted" else digits)
    with pytest.raises(ValueError, match="unknown translation task 'edges'"):
        translation_pair("edges", digits)
    with pytest.raises(ValueError, match=r"uint8 of shape \(N, H, W, 1\)"):
        translation_pair("x4", digits.astype("float32"))
    x = np.linspace(-1, 1, 8, dtype="float32")  # what the classifier sees: inverted digits negated back
    np.testing.assert_array_equal(translation.as_digits("mnist-inverted", "b", x), -x)
    np.testing.assert_array_equal(translation.as_digits("mnist-inverted", "a", x), x)
    np.testing.assert_array_equal(translation.as_digits("edges2digits", "b", x), x)
    train, test = translation.split_indices("train"), translation.split_indices("test")
    assert len(train) == 9000 and len(test) == 1000 and not set(train) & set(test)


def test_unpaired_domains_use_disjoint_halves_of_the_digits():
    images = load_mnist()[0][translation.split_indices("train")]
    sources, targets, _ = translation.task_examples("mnist-inverted")
    np.testing.assert_array_equal(sources[..., 0], images[:4500])
    np.testing.assert_array_equal(255 - targets[..., 0], images[4500:])


def test_translation_data_configs():
    config = {"translation": "x4", "split": "test"}
    assert sample_shape(config) == (28, 28, 1) and source_shape(config) == (7, 7, 1)
    small, large = next(iter(make_dataset(config, 4)))
    assert small.shape == (4, 7, 7, 1) and large.shape == (4, 28, 28, 1)
    # The 4x4 means of the targets are the sources (up to rounding).
    means = tf.nn.avg_pool2d((large + 1) * 127.5, 4, 4, "VALID")
    assert np.abs(means - (small + 1) * 127.5).max() <= 0.5 + 1e-3
    with pytest.raises(ValueError, match="valid tasks are edges2digits, x4, mnist-inverted"):
        make_dataset({"translation": "sketches"}, 4)
    with pytest.raises(ValueError, match="data.split must be one of train, test"):
        sample_shape({"translation": "x4", "split": "val"})
    with pytest.raises(ValueError, match="pairs without labels"):
        make_dataset({"translation": "x4"}, 4, with_labels=True)


def test_recipes_refuse_data_of_the_other_kind():
    with pytest.raises(UserError, match="translates images: its data must be a translation config"):
        recipes.apply_overrides(recipes.load("pix2pix-edges2digits"), ["data={name: mnist}"])
    with pytest.raises(UserError, match="but model.type is 'gan'"):
        recipes.apply_overrides(recipes.load("dcgan-mnist"), ["data={translation: edges2digits}"])


# ------------------------------------------------------------------------------------ model


def test_l1_term_and_the_patch_discriminator():
    a, b = np.zeros((2, 2, 2, 1), "float32"), np.full((2, 2, 2, 1), 0.5, "float32")
    assert float(l1_distance(a, b)) == pytest.approx(0.5)
    assert [patch_receptive_field(n) for n in (1, 2, 3)] == [16, 34, 70]  # 3: the paper's 70x70 PatchGAN
    model = built(tiny())
    source, target = next(iter(pairs(n=2, batch=2)))
    logits = model.discriminator({"sources": source, "images": target})
    assert logits.shape == (2, 7, 7, 1)  # one logit per patch
    # D reads the source: the same image with another source gets other logits.
    other = model.discriminator({"sources": -source, "images": target})
    assert np.abs(np.asarray(other) - np.asarray(logits)).max() > 1e-4


def test_one_step_trains_both_players_and_l1_only_leaves_d_alone():
    model = built(tiny())
    before = {slot: weights(getattr(model, slot)) for slot in ("generator", "discriminator")}
    model.fit(pairs(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    for slot, old in before.items():
        assert any(np.abs(a - b).max() > 1e-7 for a, b in zip(weights(getattr(model, slot)), old)), slot
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert logs["l1"] > 0 and logs["d_loss"] > 0 and int(model.step_counter.numpy()) == 1

    baseline = built(tiny("compile.adversarial_weight=0"))
    d_before = weights(baseline.discriminator)
    baseline.fit(pairs(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    assert_weights_close(weights(baseline.discriminator), d_before, atol=0)
    assert int(baseline.d_optimizer.iterations.numpy()) == 0
    with pytest.raises(ValueError, match="l1_weight must be >= 0"):
        model.compile(l1_weight=-1)


def test_trains_saves_and_continues_exactly(tmp_path):
    # with the decoder's dropout
    straight, loaded = straight_and_resumed(tiny("compile.ema_decay=0.9"), tmp_path, pairs)
    assert type(loaded) is Pix2Pix and loaded.l1_weight == 100.0 and loaded.ema_generator is not None
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    recipe = tiny()  # with the decoder's dropout
    one = one_device_reference(built(recipe))
    one.fit(pairs(), epochs=1, steps_per_epoch=2, verbose=0)
    two = built(recipe, mirrored_strategy)
    two.fit(pairs(), epochs=1, steps_per_epoch=2, verbose=0)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_translate_and_the_served_signatures(tmp_path):
    model = built(tiny())
    sources = next(iter(pairs(n=3, batch=3)))[0].numpy()
    outputs = model.translate(sources)
    assert outputs.shape == (3, 28, 28, 1) and np.abs(outputs).max() <= 1
    np.testing.assert_allclose(model.translate(np.round((sources + 1) * 127.5).astype("uint8")), outputs, atol=1e-2)
    with pytest.raises(ValueError, match=r"translates images of shape \(N, 28, 28, 1\)"):
        model.translate(np.zeros((2, 7, 7, 1), "float32"))
    with pytest.raises(ValueError, match="Pix2Pix translates images rather than drawing them"):
        model.generate(4)

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    assert set(served.signatures) == {"serving_default", "translate_uint8"}
    np.testing.assert_allclose(served.signatures["serving_default"](images=tf.constant(sources))["images"].numpy(),
                               outputs, atol=1e-5)
    as_uint8 = served.signatures["translate_uint8"](images=tf.constant(np.full((1, 28, 28, 1), 255, "uint8")))
    assert as_uint8["images"].dtype == tf.uint8 and as_uint8["images"].shape == (1, 28, 28, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"images must be in \[-1, 1\]"):
        served.signatures["serving_default"](images=tf.constant(sources * 255.0))
    with pytest.raises((ValueError, tf.errors.InvalidArgumentError)):
        served.signatures["serving_default"](images=tf.zeros((1, 7, 7, 1)))


# ------------------------------------------------------------------------------------ the command


@pytest.fixture(scope="module")
def pix2pix_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("pix2pix") / "run")
    sets = [arg for key in TINY for arg in ("--set", key)]
    assert main(["train", "pix2pix-edges2digits", "--steps", "2", "--set", "train.steps_per_epoch=2",
                 "--set", "train.samples=10", *sets, "--out", out]) == 0
    return out


def test_run_picture_rows_are_sources_outputs_targets(pix2pix_run, tmp_path, capsys):
    from keras_gans.utils.picture_tiles import read_images

    picture = tmp_path / "p.png"
    assert main(["sample", pix2pix_run, "--n", "10", "--seed", "3", "--out", str(picture)]) == 0
    tiles = read_images(str(picture), (28, 28, 1))
    # 10 examples, 8 a row: two groups of (sources, outputs, targets) rows, the last ones padded.
    assert tiles.shape[0] >= 8 * 5 + 2
    sources, targets, _ = translation.task_examples("edges2digits", "test")
    chosen = np.sort(np.random.default_rng(3).choice(len(sources), 10, replace=False))
    np.testing.assert_array_equal(tiles[:8], sources[chosen[:8]])
    np.testing.assert_array_equal(tiles[16:24], targets[chosen[:8]])
    assert_one_error_line(capsys, main(["sample", pix2pix_run, "--out", str(tmp_path / "x.npy")]),
                          "translates images rather than drawing them")


def test_cli_translate_reads_pictures_folders_and_arrays(pix2pix_run, tmp_path, capsys):
    from keras_gans.runs import load_run

    model, _ = load_run(pix2pix_run)
    sources = translation.task_examples("edges2digits", "test")[0][:3]
    expected = np.clip(np.round((model.translate(sources) + 1) * 127.5), 0, 255).astype("uint8")
    grid = tmp_path / "in.png"
    save_picture(str(grid), image_grid(sources.astype("float32") / 127.5 - 1, 3))
    np.save(tmp_path / "in.npy", sources)
    folder = tmp_path / "folder"
    folder.mkdir()
    for i, source in enumerate(sources):
        save_picture(str(folder / f"d{i}.png"), source)
    for given in (grid, tmp_path / "in.npy", folder):
        out = tmp_path / f"{given.stem}-out.npy"
        assert main(["translate", pix2pix_run, "--in", str(given), "--out", str(out)]) == 0
        np.testing.assert_array_equal(np.load(out), expected)
    assert main(["translate", pix2pix_run, "--in", str(folder), "--out", str(tmp_path / "outs")]) == 0
    assert sorted(p.name for p in (tmp_path / "outs").iterdir()) == ["d0.png", "d1.png", "d2.png"]
    capsys.readouterr()
    np.save(tmp_path / "small.npy", np.zeros((2, 7, 7, 1), "uint8"))
    assert_one_error_line(capsys, main(["translate", pix2pix_run, "--in", str(tmp_path / "small.npy"),
                                        "--out", str(tmp_path / "o.png")]), "(n, 28, 28, 1)")
    save_picture(str(tmp_path / "big.png"), np.zeros((40, 40, 1), "uint8"))
    assert_one_error_line(capsys, main(["translate", pix2pix_run, "--in", str(tmp_path / "big.png"),
                                        "--out", str(tmp_path / "o.png")]), "takes 28x28 images")
    assert_one_error_line(capsys, main(["translate", pix2pix_run, "--in", str(tmp_path / "nothing.png"),
                                        "--out", str(tmp_path / "o.png")]), "does not exist")
    assert_one_error_line(capsys, main(["translate", pix2pix_run, "--in", str(grid), "--out", str(tmp_path / "o.png"),
                                        "--direction", "b2a"]), "translates one way only")
    assert_one_error_line(capsys, main(["export", pix2pix_run, "--out", str(tmp_path / "x"), "--direction", "b2a"]),
                          "translates one way only")


def test_cli_eval_scores_held_out_pairs_beside_the_targets_own(pix2pix_run, capsys):
    assert main(["eval", pix2pix_run, "--n", "40", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["metrics"]) == ["l1", "psnr", "ssim", "accuracy", "fid"] and report["n"] == 40
    assert 0 <= report["metrics"]["accuracy"] <= 1 and report["metrics"]["l1"] > 0
    assert report["reference"]["accuracy"] > 0.9  # the classifier on the real target digits
    assert_one_error_line(capsys, main(["eval", pix2pix_run, "--metrics", "is"]), "valid metrics are l1, psnr")


def test_seeded_dropout_drops_at_its_rate_and_replays_from_its_count():
    import keras

    from keras_gans.layers import SeededDropout

    layer = SeededDropout(0.25, seed=7)
    x = np.ones((64, 32), "float32")
    np.testing.assert_array_equal(layer(x), x)  # identity outside training
    first = np.asarray(layer(x, training=True))
    assert set(np.unique(first)) == {0.0, np.float32(1 / 0.75)} and abs((first == 0).mean() - 0.25) < 0.03
    second = np.asarray(layer(x, training=True))
    assert int(layer.calls.numpy()) == 2 and not np.array_equal(first, second)  # a new mask each call
    copy = SeededDropout.from_config(layer.get_config())
    copy.build(x.shape)
    copy.calls.assign(1)  # a loaded layer continues from its saved count
    np.testing.assert_array_equal(copy(x, training=True), second)
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
        SeededDropout(1.0)
    assert isinstance(keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer)), SeededDropout)
