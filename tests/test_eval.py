"""Evaluating GANs: MetricsCallback during fit, evaluate_run, and the `keras-gans eval` command."""

import collections
import json
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.cli import main
from keras_gans.data import get_mixture
from keras_gans.data import load_mnist
from keras_gans.errors import UserError
from keras_gans.metrics import FIDCallback
from keras_gans.metrics import MetricsCallback
from keras_gans.metrics import SampleEvaluator
from keras_gans.metrics import evaluate as evaluate_module
from keras_gans.metrics import evaluate_run
from keras_gans.metrics.evaluate import real_data_key
from keras_gans.metrics.evaluate import real_samples
from keras_gans.metrics.reference import reference_results
from keras_gans.runs import load_run
from cli_helpers import assert_one_error_line

TINY_RING = [
    "--steps", "2", "--batch-size", "8", "--quiet",
    "--set", "train.steps_per_epoch=2",
    "--set", "model.generator.units=[8]",
    "--set", "model.discriminator.units=[8]",
]
TINY_DCGAN = [
    "--steps", "2", "--batch-size", "8", "--quiet",
    "--set", "train.steps_per_epoch=2",
    "--set", "train.samples=4",
    "--set", "model.latent_dim=8",
    "--set", "model.generator.base_filters=4",
    "--set", "model.discriminator.base_filters=4",
]
IMAGE_KEYS = {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall"}


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("eval") / "ring")
    assert main(["train", "ring-gan", *TINY_RING, "--out", out]) == 0
    return out


@pytest.fixture(scope="module")
def mnist_run(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("eval") / "dcgan")
    assert main(["train", "dcgan-mnist", *TINY_DCGAN, "--out", out]) == 0
    return out


# ---------------------------------------------------------------------------- callback


def _tiny_image_gan():
    generator = keras_gans.networks.dcgan_generator(8, (28, 28, 1), base_filters=4)
    discriminator = keras_gans.networks.dcgan_discriminator((28, 28, 1), base_filters=4)
    gan = keras_gans.GAN(generator, discriminator, seed=0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    return gan


def test_fid_callback_writes_fid_into_the_logs_every_epoch():
    images, _ = load_mnist()
    data = tf.data.Dataset.from_tensor_slices(images[:64, ..., None].astype("float32") / 127.5 - 1).batch(8).repeat()
    gan = _tiny_image_gan()
    seen = []
    callback = FIDCallback("mnist", num_samples=200)
    probe = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(dict(logs)))
    history = gan.fit(data, epochs=2, steps_per_epoch=2, callbacks=[callback, probe], verbose=0)
    fids = history.history["fid"]
    assert len(fids) == 2 and all(math.isfinite(v) and v > 0 for v in fids)
    assert callback.epochs == [0, 1]
    assert [logs["fid"] for logs in seen] == fids  # Callbacks after it (TensorBoard) see it too.
    # The value is the FID of model.generate(200, seed=0) against the 10,000 bundled digits.
    evaluator = SampleEvaluator(real_samples("mnist"), ("fid",), real_key=real_data_key("mnist", (28, 28, 1)))
    expected = evaluator(gan.generate(200, seed=0))["fid"]
    assert fids[-1] == pytest.approx(expected, rel=1e-6)


def test_metrics_callback_on_2d_points_every_other_epoch():
    generator = keras_gans.networks.mlp_generator(2, (2,), units=(8,))
    discriminator = keras_gans.networks.mlp_discriminator((2,), units=(8,))
    gan = keras_gans.GAN(generator, discriminator, seed=0)
    gan.compile()
    data = keras_gans.data.mixture_dataset("ring", 8)
    callback = MetricsCallback("ring", metrics=("modes",), every_n_epochs=2, num_samples=500)
    history = gan.fit(data, epochs=3, steps_per_epoch=2, callbacks=[callback], verbose=0)
    assert len(history.history["modes"]) == 1 and len(history.history["hq"]) == 1
    assert callback.epochs == [1]
    assert 0 <= history.history["modes"][0] <= 8
    assert 0.0 <= history.history["hq"][0] <= 1.0
    # A generator that puts every sample on a mode centre covers every mode.
    ring = get_mixture("ring")
    perfect = SampleEvaluator(ring, "modes")(np.repeat(ring.centers, 10, axis=0))
    assert perfect == {"modes": 8, "hq": 1.0}


def test_metrics_callback_checks_its_arguments_up_front():
    with pytest.raises(UserError, match="fid do.*not apply to 2-D points.*modes"):
        MetricsCallback("ring", metrics=("fid",))
    with pytest.raises(UserError, match="modes do.*not apply to images.*fid, kid, is, pr, dc"):
        MetricsCallback("mnist", metrics="modes")
    with pytest.raises(UserError, match="unknown metric.*fdi"):
        MetricsCallback("mnist", metrics="fdi")
    with pytest.raises(UserError, match="at least 10 for is"):
        MetricsCallback("mnist", metrics=("fid", "is"), num_samples=5)
    with pytest.raises(UserError, match="pass the mixture"):
        MetricsCallback(np.zeros((10, 2)), metrics=("modes",))
    with pytest.raises(ValueError, match="every_n_epochs"):
        FIDCallback("mnist", every_n_epochs=0)


# ---------------------------------------------------------------------------- evaluate_run


def test_real_feature_cache_is_keyed_by_data_and_matches_a_fresh_computation(monkeypatch):
    monkeypatch.setattr(evaluate_module, "_REAL_FEATURES", collections.OrderedDict())
    images, _ = load_mnist()
    first, second = images[:300, ..., None], images[300:600, ..., None]
    fresh = SampleEvaluator(first, "fid").real_features()
    cached = SampleEvaluator(first, "fid", real_key="first").real_features()
    np.testing.assert_allclose(cached, fresh, rtol=1e-6)
    other = SampleEvaluator(second, "fid", real_key="second").real_features()
    assert not np.allclose(other, cached)
    np.testing.assert_allclose(other, SampleEvaluator(second, "fid").real_features(), rtol=1e-6)
    assert len(evaluate_module._REAL_FEATURES) == 2
    # A third evaluator of the first data reuses the cached features without extracting again.
    again = SampleEvaluator(first, "fid", real_key="first")
    monkeypatch.setattr(again.extractor, "features", lambda *args, **kwargs: pytest.fail("not cached"))
    np.testing.assert_array_equal(again.real_features(), cached)
    # Only the 2 most recent real sets are kept.
    SampleEvaluator(second, "fid", real_key="third").real_features()
    assert [key[1] for key in evaluate_module._REAL_FEATURES] == ["first", "third"]


def test_evaluate_run_images_and_gan_object(mnist_run):
    results = evaluate_run(mnist_run, metrics=("fid", "is", "pr", "dc"), n=200, seed=0)  # kid: CLI test
    assert set(results) == {"fid", "is", "is_std", "precision", "recall", "density", "coverage"}
    assert all(math.isfinite(v) for v in results.values())
    assert results["fid"] > 0 and 1.0 <= results["is"] <= 10.0
    for key in ("precision", "recall", "coverage"):
        assert 0.0 <= results[key] <= 1.0
    gan, _ = load_run(mnist_run)
    same = evaluate_run(gan, metrics="fid", n=200, seed=0, data="mnist")
    assert same["fid"] == pytest.approx(results["fid"], rel=1e-6)
    other_seed = evaluate_run(gan, metrics="fid", n=200, seed=1, data="mnist")
    assert other_seed["fid"] != results["fid"]
    with pytest.raises(UserError, match="pass data="):
        evaluate_run(gan, metrics="fid", n=200)
    arrays = evaluate_run(gan, n=200, seed=0, data=real_samples("mnist"))  # defaults, real images as an array
    assert set(arrays) == {"fid", "kid", "kid_std", "is", "is_std", "precision", "recall"}
    assert arrays["fid"] == pytest.approx(results["fid"], rel=1e-6)


def test_evaluate_run_points(ring_run):
    results = evaluate_run(ring_run, n=300)
    assert set(results) == {"modes", "hq"}
    gan, _ = load_run(ring_run)
    samples = gan.generate(300, seed=0)
    expected = keras_gans.metrics.mode_coverage(samples, get_mixture("ring").centers, get_mixture("ring").sigma)
    assert (results["modes"], results["hq"]) == expected


# ---------------------------------------------------------------------------- CLI


def test_cli_eval_points_table(ring_run, capsys):
    assert main(["eval", ring_run, "--metrics", "modes", "--n", "300"]) == 0
    out = capsys.readouterr().out.strip().split("\n")
    assert "300 samples" in out[0]
    assert out[1].split() == ["metric", "value", "real", "vs", "real"]
    rows = {line.split()[0]: line.split()[1:] for line in out[2:4]}
    assert set(rows) == {"modes", "hq"} and out[4].startswith("real vs real: points drawn from the mixture")
    expected = evaluate_run(ring_run, n=300)
    assert int(rows["modes"][0]) == expected["modes"]
    assert float(rows["hq"][0]) == pytest.approx(expected["hq"], abs=1e-6)
    assert int(rows["modes"][1]) == 8 and float(rows["hq"][1]) > 0.97  # the mixture's own points


def test_class_balance_math():
    from keras_gans.metrics.class_balance import class_balance

    probabilities = np.array([[0.95, 0.05, 0.0], [0.6, 0.4, 0.0], [0.1, 0.9, 0.0], [0.0, 0.05, 0.95]])
    results = class_balance(probabilities)
    assert results["confident"] == 0.75  # 0.95, 0.9 and 0.95 reach 0.9; 0.6 does not
    assert (results["class_0"], results["class_1"], results["class_2"]) == (0.5, 0.25, 0.25)
    assert (results["class_min"], results["class_max"]) == (0.25, 0.5)
    assert class_balance(np.eye(4)[[0, 0, 0, 1]])["class_2"] == 0.0  # a class never drawn
    with pytest.raises(ValueError, match="probabilities must be"):
        class_balance(np.zeros((3,)))


def test_cli_eval_mnist_defaults_with_class_balance_and_real_reference(mnist_run, capsys):
    """On MNIST, eval adds the confident share and the class histogram to the defaults, and
    reports each metric for as many real digits as samples (at most half of them) against the
    other half."""
    assert main(["eval", mnist_run, "--n", "200", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    metrics, reference = report["metrics"], report["reference"]
    assert set(metrics) == IMAGE_KEYS | {"confident", "class_min", "class_max", *(f"class_{c}" for c in range(10))}
    assert set(reference) == set(metrics)
    assert sum(metrics[f"class_{c}"] for c in range(10)) == pytest.approx(1.0)
    assert reference["fid"] < metrics["fid"] and reference["confident"] > 0.9  # real digits; a 2-step generator
    x = real_samples("mnist")  # the same computation, by hand: 200 real digits against the other half
    order = np.random.default_rng(0).permutation(len(x))
    by_hand = SampleEvaluator(x[order[5000:]], ("fid",))(x[order[:200]])
    assert reference["fid"] == pytest.approx(by_hand["fid"], rel=1e-6)
    halves = reference_results("mnist", ("fid", "classes"))  # a default evaluation's: half against half
    assert halves["fid"] < 10 < by_hand["fid"]  # FID grows as the samples get fewer
    assert halves["confident"] > 0.95 and 0.08 < halves["class_min"] <= 0.1 <= halves["class_max"] < 0.12
    assert main(["eval", mnist_run, "--metrics", "fid", "--n", "200", "--json", "--no-reference"]) == 0
    assert json.loads(capsys.readouterr().out)["reference"] == {}


def test_cli_eval_images_json(mnist_run, capsys):
    assert main(["eval", mnist_run, "--metrics", "fid,kid,is,pr", "--n", "200", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 200 and report["seed"] == 0 and report["extractor"] == "mnist"
    assert set(report["metrics"]) == IMAGE_KEYS
    assert report["metrics"]["fid"] == pytest.approx(
        evaluate_run(mnist_run, metrics="fid", n=200)["fid"], rel=1e-6
    )


@pytest.mark.parametrize(
    "args, fragments",
    [
        (["--metrics", "fid,bogus"], ["unknown metric(s) bogus", "fid, kid, is, pr, dc, modes"]),
        (["--metrics", "modes"], ["not apply to images", "fid, kid, is, pr, dc"]),
        (["--metrics", "is", "--n", "5"], ["at least 10 for is"]),
        (["--extractor", "vgg"], ["unknown feature extractor 'vgg'"]),
        (["--extractor", "inception"], ["inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"]),
        (["--weights", "w.h5"], ["only applies to the 'inception'"]),
    ],
)
def test_cli_eval_image_errors(mnist_run, capsys, monkeypatch, tmp_path, args, fragments):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert_one_error_line(capsys, main(["eval", mnist_run, "--n", "200", *args]), *fragments)


def test_cli_eval_other_errors(ring_run, tmp_path, capsys):
    assert_one_error_line(capsys, main(["eval", ring_run, "--metrics", "fid"]), "not apply to 2-D points", "modes")
    assert_one_error_line(capsys, main(["eval", str(tmp_path / "missing")]), "does not exist")
