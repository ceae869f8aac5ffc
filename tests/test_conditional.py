"""Conditional families: CGAN (mismatched pairs), projection discriminator, ACGAN, InfoGAN."""

import json
import math
import os

import numpy as np
import pytest
import tensorflow as tf
import yaml

import keras_gans
from keras_gans import recipes
from keras_gans.cli import main

from keras_gans.layers import ConditionalBatchNormalization
from keras_gans.losses.mutual_information import categorical_mutual_information, gaussian_code_log_likelihood
from keras_gans.metrics import code_purity, intra_class_frechet_distance
from keras_gans.models.cgan import mismatch_discriminator_loss

from cli_helpers import assert_one_error_line
from model_helpers import (assert_weights_close, built, one_and_two_replicas,
                           straight_and_resumed, weights)

FAMILIES = ("cgan-mnist", "projection-mnist", "acgan-mnist", "infogan-mnist")


def tiny(name, *overrides):
    """The shipped recipe with tiny networks, batch 8, 2 steps."""
    recipe = recipes.load(name)
    size = "model.noise_dim=8" if recipe["model"].get("type") == "infogan" else "model.latent_dim=8"
    return recipes.apply_overrides(recipe, [
        size, "model.generator.base_filters=4", "model.discriminator.base_filters=4", "train.batch_size=8",
        "train.steps=2", "train.steps_per_epoch=2", "train.samples=20", *overrides])


# ------------------------------------------------------------------------------- the math


def test_mismatched_pairs_change_the_discriminator_loss():
    loss = keras_gans.losses.get("non_saturating")
    real, fake, wrong = tf.constant([[2.0], [1.0]]), tf.constant([[-1.0], [0.0]]), tf.constant([[3.0], [2.0]])
    plain = float(loss.discriminator_loss(real, fake))
    assert float(mismatch_discriminator_loss(loss, real, fake, wrong, 0.0)) == pytest.approx(plain)
    with_mismatch = float(mismatch_discriminator_loss(loss, real, fake, wrong, 0.5))
    # A(real) + 0.5 B(fake) + 0.5 B(wrong): wrong pairs that D calls real cost it.
    a = float(tf.reduce_mean(tf.nn.softplus(-real)))
    b = lambda x: float(tf.reduce_mean(tf.nn.softplus(x)))  # noqa: E731
    assert with_mismatch == pytest.approx(a + 0.5 * b(fake) + 0.5 * b(wrong), rel=1e-6)
    assert with_mismatch > plain


def test_categorical_mutual_information_bound():
    codes = tf.constant(np.arange(10), tf.int32)
    perfect = tf.one_hot(codes, 10) * 50.0
    assert float(categorical_mutual_information(codes, perfect)) == pytest.approx(math.log(10), abs=1e-5)
    assert float(categorical_mutual_information(codes, tf.zeros([10, 10]))) == pytest.approx(0.0, abs=1e-6)
    c = tf.constant([[0.5, -0.5]])
    assert float(gaussian_code_log_likelihood(c, c)) == pytest.approx(-math.log(2 * math.pi), rel=1e-6)


def test_conditional_batch_norm_uses_the_class_gain_and_bias():
    layer = ConditionalBatchNormalization(3)
    x = tf.constant(np.random.default_rng(0).normal(size=(6, 2, 2, 4)).astype("float32"))
    labels = tf.constant([0, 1, 2, 0, 1, 2])
    layer([x, labels], training=True)
    layer.gamma.assign(np.array([[1.0] * 4, [2.0] * 4, [3.0] * 4], "float32"))
    layer.beta.assign(np.array([[0.0] * 4, [10.0] * 4, [-5.0] * 4], "float32"))
    out = layer([x, labels], training=True).numpy()
    normalized = layer.batch_norm(x, training=True).numpy()
    for i, c in enumerate(labels.numpy()):
        np.testing.assert_allclose(out[i], (1.0 + c) * normalized[i] + [0.0, 10.0, -5.0][c], atol=1e-5)


def test_code_purity_and_intra_fid():
    codes = np.repeat(np.arange(3), 4)
    assert code_purity((codes + 1) % 3, codes) == 1.0  # any relabelling of the codes is pure
    assert code_purity(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) == 0.5
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 3))
    labels = np.repeat([0, 1], 100)
    assert intra_class_frechet_distance(real, labels, real, labels) == pytest.approx(0.0, abs=1e-6)
    assert intra_class_frechet_distance(real, labels, real + 1.0, labels) == pytest.approx(3.0, abs=1e-3)


# ------------------------------------------------------------------------------ the families


@pytest.mark.parametrize("name", FAMILIES)
def test_each_family_trains_saves_and_continues_exactly(name, tmp_path):
    straight, loaded = straight_and_resumed(tiny(name), tmp_path)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


@pytest.mark.parametrize("name", FAMILIES)
def test_two_replicas_equal_one_device(name, mirrored_strategy):
    recipe = tiny(name)
    one, two = one_and_two_replicas(recipe, mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_generate_for_labels_and_reject_bad_ones():
    model = built(tiny("cgan-mnist"))
    samples = model.generate(6, seed=1, labels=[7])
    assert samples.shape == (6, 28, 28, 1)
    np.testing.assert_array_equal(samples, model.generate(6, seed=1, labels=[7]))
    assert not np.allclose(samples, model.generate(6, seed=1, labels=[3]))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), got \[10\]"):
        model.generate(2, labels=[10])
    picture = model.sample_picture(20, seed=0)  # one row per class, 2 per row
    assert picture.shape[0] > picture.shape[1] * 4


@pytest.mark.parametrize("name", ["infogan-mnist", "cgan-mnist", "dcgan-mnist"])
def test_noise_distribution(name):
    """`model.noise: uniform` (the DCGAN paper's, InfoGAN's code) draws z from U[-1, 1] in training
    and sampling; `normal` (the default) from N(0, 1). The same weights and seed give other samples."""
    normal, uniform = built(tiny(name, "model.noise=normal")), built(tiny(name, "model.noise=uniform"))

    def z_of(model):
        inputs = model.sample_generator_inputs(512, "latent")
        return inputs[0] if isinstance(inputs, tuple) else inputs

    z_normal, z_uniform = z_of(normal), z_of(uniform)
    assert z_uniform.shape == (512, 8) and float(tf.reduce_max(tf.abs(z_uniform))) <= 1.0
    assert float(tf.reduce_max(tf.abs(z_normal))) > 2.0  # N(0, 1): 4096 draws reach past 2
    assert float(tf.math.reduce_std(z_uniform)) == pytest.approx(1 / math.sqrt(3), rel=0.05)
    assert uniform.get_config()["noise"] == "uniform" and normal.get_config()["noise"] == "normal"
    assert_weights_close(weights(uniform), weights(normal), atol=0)
    assert not np.allclose(uniform.generate(4, seed=0), normal.generate(4, seed=0))
    np.testing.assert_array_equal(uniform.generate(4, seed=0), uniform.generate(4, seed=0))
    with pytest.raises(ValueError, match="unknown noise 'cauchy': use one of normal, uniform"):
        built(tiny(name, "model.noise=cauchy"))
    if name == "infogan-mnist":
        _, category, continuous = uniform.sample_generator_inputs(512, "latent")
        assert float(tf.reduce_max(tf.abs(continuous))) <= 1.0 and set(category.numpy()) == set(range(10))
    if name == "dcgan-mnist":
        assert np.abs(uniform.latent(100, seed=0)).max() <= 1.0


def test_infogan_noise_scale(tmp_path):
    """`model.noise_scale` and `continuous_scale` multiply z and the continuous codes at G's input
    (the one-hot code is not scaled); z and the codes as drawn, passed to `generate` and to the
    SavedModel stay U[-1, 1]; the scales are saved in the config."""
    from keras_gans.serving import export_gan

    model = built(tiny("infogan-mnist", "model.noise_scale=0.25", "model.continuous_scale=0.5"))
    z, category, continuous = model.sample_generator_inputs(512, "latent")
    assert float(tf.math.reduce_std(z)) == pytest.approx(1 / math.sqrt(3), rel=0.05)
    given = model.generator_input(z, category, continuous)
    np.testing.assert_allclose(given[:, :8], 0.25 * z.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(given[:, 8:18], tf.one_hot(category, 10))
    np.testing.assert_allclose(given[:, 18:], 0.5 * continuous.numpy(), rtol=1e-6)
    assert float(tf.reduce_max(tf.abs(continuous))) > 0.9
    assert (model.get_config()["noise_scale"], model.get_config()["continuous_scale"]) == (0.25, 0.5)
    unscaled = built(tiny("infogan-mnist", "model.noise_scale=1.0", "model.continuous_scale=1.0"))
    unscaled.set_weights(model.get_weights())
    assert not np.allclose(unscaled.generate(4, seed=0), model.generate(4, seed=0))
    z = np.random.default_rng(0).uniform(-1, 1, (3, 8)).astype("float32")
    category = np.array([0, 5, 9], "int32")
    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    for codes in (np.zeros((3, 2), "float32"), np.random.default_rng(1).uniform(-1, 1, (3, 2)).astype("float32")):
        out = served.signatures["serving_default"](z=z, category=category, continuous=codes)["images"]
        np.testing.assert_allclose(out.numpy(), model._generate_from(z, category, codes, 8), atol=1e-5)
    for key, bad in (("noise_scale", 0), ("noise_scale", "small"), ("continuous_scale", -0.5),
                     ("continuous_scale", True)):
        with pytest.raises(ValueError, match=f"{key} multiplies an input of G, a number > 0"):
            built(tiny("infogan-mnist", f"model.{key}={bad}"))


def test_export_takes_labels_and_refuses_bad_ones(tmp_path):
    from keras_gans.serving import export_gan

    model = built(tiny("acgan-mnist"))
    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    z = tf.constant(np.random.default_rng(0).normal(size=(3, 8)).astype("float32"))
    images = served.signatures["serving_default"](z=z, labels=tf.constant([0, 4, 9]))["images"]
    np.testing.assert_allclose(images.numpy(), model.call((z, tf.constant([0, 4, 9]))).numpy(), atol=1e-5)
    uint8 = served.signatures["generate_uint8"](z=z, labels=tf.constant([0, 4, 9]))["images"]
    assert uint8.dtype == tf.uint8
    for bad in ([0, 4, 10], [0, -1, 3]):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must be in \[0, 10\)"):
            served.signatures["serving_default"](z=z, labels=tf.constant(bad))
    info = built(tiny("infogan-mnist"))
    served = tf.saved_model.load(export_gan(info, str(tmp_path / "i")))
    out = served.signatures["serving_default"](z=tf.zeros([2, 8]), category=tf.constant([1, 2]),
                                               continuous=tf.zeros([2, 2]))["images"]
    assert out.shape == (2, 28, 28, 1)
    for inputs, message in (({"continuous": tf.constant([[0.0, np.nan], [0.0, 0.0]])}, "continuous must be finite"),
                            ({"z": tf.fill([2, 8], np.inf)}, "z must be finite"),
                            ({"category": tf.constant([1, 2, 3])}, "same batch size")):
        request = {"z": tf.zeros([2, 8]), "category": tf.constant([1, 2]), "continuous": tf.zeros([2, 2]), **inputs}
        with pytest.raises(tf.errors.InvalidArgumentError, match=message):
            served.signatures["serving_default"](**request)


def test_cli_sample_labels_codes_and_eval(tmp_path, capsys):
    runs = {}
    for name in ("cgan-mnist", "infogan-mnist"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(yaml.safe_dump(tiny(name)))
        runs[name] = str(tmp_path / name)
        assert main(["train", str(path), "--out", runs[name], "--quiet"]) == 0
    grid = tmp_path / "grid.png"
    assert main(["sample", runs["cgan-mnist"], "--labels", "0,1,2", "--n", "30", "--out", str(grid)]) == 0
    assert os.path.getsize(grid) > 500
    assert main(["sample", runs["cgan-mnist"], "--labels", "7", "--n", "5", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (5, 28, 28, 1)
    assert main(["sample", runs["infogan-mnist"], "--codes", "--out", str(tmp_path / "codes.png")]) == 0
    capsys.readouterr()
    assert_one_error_line(capsys, main(["sample", runs["cgan-mnist"], "--labels", "3,12", "--out", str(grid)]),
                          r"labels must be in [0, 10)")
    assert_one_error_line(capsys, main(["sample", "ring", "--labels", "1", "--out", str(grid)]),
                          "is a GAN, which takes no --labels")
    assert main(["eval", runs["cgan-mnist"], "--metrics", "cacc,ifid", "--n", "200", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["metrics"]
    assert set(result) == {"conditional_accuracy", "confident", "intra_fid"}
    assert 0.0 <= result["conditional_accuracy"] <= 1.0 and result["intra_fid"] > 0
    assert main(["eval", runs["infogan-mnist"], "--metrics", "purity", "--n", "50", "--json"]) == 0
    purity = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["metrics"]["code_purity"]
    assert 0.1 <= purity <= 1.0
    assert_one_error_line(capsys, main(["eval", "ring", "--metrics", "cacc"]), "cacc does not apply to 2-D points")
    assert_one_error_line(capsys, main(["eval", runs["cgan-mnist"], "--psi", "0.7", "--n", "20"]),
                          "needs a StyleGAN generator; this is a ConditionalGAN")


def test_fine_tune_a_conditional_model_to_one_class(tmp_path, capsys):
    source = tmp_path / "source.yaml"
    source.write_text(yaml.safe_dump(tiny("projection-mnist")))
    assert main(["train", str(source), "--out", str(tmp_path / "source"), "--quiet"]) == 0
    assert main(["train", str(source), "--init", str(tmp_path / "source"), "--set", "data.classes=[7]",
                 "--out", str(tmp_path / "sevens"), "--quiet"]) == 0
    assert "initialized from" in capsys.readouterr().out
    tuned = keras_gans.runs.load_run(str(tmp_path / "sevens"))[0]
    assert isinstance(tuned, keras_gans.models.ConditionalGAN) and int(tuned.step_counter.numpy()) == 2


def test_benchmark_table_of_conditional_runs():
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))
    from conditional import markdown_table, parse_rows, zoo_seed0_run

    runs = [{"row": "cgan-mnist", "seed": s, "steps": 10, "n": 100, "train_seconds": 60.0 + s,
             "conditional_accuracy": 0.97 + 0.01 * s, "confident": 0.9, "intra_fid": 20.0, "fid": 10.0}
            for s in range(2)] + [{"row": "infogan-mnist", "seed": 0, "steps": 10, "n": 100, "train_seconds": 50.0,
                                   "code_purity": 0.8, "fid": 12.0}]
    table = markdown_table(runs, [("cgan-mnist", None), ("infogan-mnist", 10), ("acgan-mnist", None),
                                  ("cgan-mnist", 20)]).splitlines()
    assert len(table) == 4  # header, rule, two rows with runs (none at 20 steps, none of acgan-mnist)
    assert "| `cgan-mnist` (10 steps) | 97.5 ± 0.5 | 90.0 ± 0.0 | 20.0 ± 0.0 | – | 10.0 ± 0.0 | 60 | 2 |" == table[2]
    assert table[3].startswith("| `infogan-mnist` (10 steps) | – | – | – | 80.0 ± 0.0 | 12.0 ± 0.0 |")
    steps = {name: recipes.load(name)["train"]["steps"] for name in ("cgan-mnist", "projection-mnist")}
    assert parse_rows("projection-mnist, dcgan-mnist,dcgan-mnist@123") == [
        ("projection-mnist", steps["projection-mnist"]), ("dcgan-mnist", steps["cgan-mnist"]), ("dcgan-mnist", 123)]
    assert parse_rows("cgan-mnist,dcgan-mnist@7", steps=50) == [("cgan-mnist", 50), ("dcgan-mnist", 7)]
    card = json.load(open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "saved_models",
                                       "cgan-mnist", "card.json")))
    seed0 = zoo_seed0_run("cgan-mnist", card["steps"], 10000)
    assert seed0["seed"] == 0 and seed0["conditional_accuracy"] == card["metrics"]["conditional_accuracy"]
    assert seed0["train_seconds"] == card["wall_seconds"] and seed0["source"].endswith("cgan-mnist/card.json")
    assert zoo_seed0_run("cgan-mnist", card["steps"] + 1, 10000) is None  # another budget: train it
    assert zoo_seed0_run("cgan-mnist", card["steps"], 500) is None
    for bad, message in (("wgan-mnist", "unknown row 'wgan-mnist'"), ("cgan-mnist@ten", "bad row 'cgan-mnist@ten'")):
        with pytest.raises(SystemExit, match=message):
            parse_rows(bad)
