"""InfoGAN on 2-D points (`ring-infogan`, `grid-infogan`): the MLP D with Q's head, a categorical code
without continuous codes, exact resume, replicas, pictures and serving."""

import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.networks.mlp import info_mlp_discriminator
from keras_gans.serving import export_gan

from model_helpers import assert_weights_close, built, one_and_two_replicas, straight_and_resumed, weights

SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")


def tiny(name="ring-infogan", *overrides):
    return recipes.apply_overrides(recipes.load(name), [
        "model.generator.units=[16]", "model.discriminator.units=[16]", "train.batch_size=8", "train.steps=2",
        "train.steps_per_epoch=2", "train.samples=40", *overrides])


def points(n=32, batch=8):
    """Ring-like points, no labels, in batches of `batch`."""
    angle = np.random.default_rng(0).uniform(0, 2 * np.pi, n)
    x = np.stack([np.cos(angle), np.sin(angle)], axis=1).astype("float32")
    return tf.data.Dataset.from_tensor_slices(x).batch(batch)


def test_info_mlp_discriminator_heads():
    with_codes = info_mlp_discriminator((2,), categories=8, continuous=2, units=(16, 16))
    out = with_codes(tf.zeros([5, 2]))
    assert {k: tuple(v.shape) for k, v in out.items()} == {"logits": (5, 1), "category": (5, 8), "continuous": (5, 2)}
    without = info_mlp_discriminator((2,), categories=25, continuous=0, units=(16,))
    assert set(without(tf.zeros([3, 2]))) == {"logits", "category"}


def test_recipes_draw_one_categorical_code_and_no_continuous_ones():
    for name, k, noise in (("ring-infogan", 8, 2), ("grid-infogan", 25, 1)):
        model = built(tiny(name))
        assert (model.categories, model.continuous, model.noise_dim, model.latent_dim) == (k, 0, noise, k + noise)
        z, category, continuous = model.sample_generator_inputs(400, "latent")
        assert z.shape == (400, noise) and continuous.shape == (400, 0) and set(category.numpy()) == set(range(k))
    history = model.fit(points(), epochs=1, steps_per_epoch=2, verbose=0).history
    assert history["continuous_ll"][-1] == 0.0 and np.isfinite(history["categorical_mi"][-1])
    samples = model.generate(50, seed=3)
    assert samples.shape == (50, 2)
    np.testing.assert_array_equal(samples, model.generate(50, seed=3))
    picture = model.sample_picture(100, seed=0, centers=np.zeros((25, 2)), title="grid")
    assert picture.ndim == 3 and picture.shape[-1] in (3, 4)  # a scatter plot, not an image grid


def test_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny(), tmp_path, batches=points)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy, batches=points)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_export_takes_z_and_category(tmp_path):
    model = built(tiny())
    model.fit(points(), epochs=1, steps_per_epoch=2, verbose=0)
    path = export_gan(model, str(tmp_path / "e"), max_num=4)
    served = tf.saved_model.load(path)
    assert set(served.signatures) == {"serving_default"}  # points have no uint8 images
    z, category = np.random.default_rng(1).normal(size=(3, 2)).astype("float32"), np.array([0, 5, 7], "int32")
    out = served.signatures["serving_default"](z=tf.constant(z), category=tf.constant(category))["images"]
    np.testing.assert_allclose(out.numpy(), model._generate_from(z, category, np.zeros((3, 0), "float32"), 8),
                               atol=1e-5)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"category must be in \[0, 8\)"):
        served.signatures["serving_default"](z=tf.constant(z), category=tf.constant([0, 8, 1]))
    # As TF Serving runs it: the TF1 loader of saved_model_cli, in a process without keras_gans.
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "c.npy", category)
    proc = subprocess.run([SAVED_MODEL_CLI, "run", "--dir", path, "--tag_set", "serve", "--signature_def",
                           "serving_default", "--inputs", "z=z.npy;category=c.npy", "--outdir", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES=""))
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "out" / "images.npy"), out.numpy(), atol=1e-5)


def test_cli_trains_samples_and_refuses_labels(tmp_path, capsys):
    import json

    import yaml

    from keras_gans.cli import main

    from cli_helpers import assert_one_error_line

    recipe = tmp_path / "ring-infogan.yaml"
    recipe.write_text(yaml.safe_dump(tiny()))
    run = str(tmp_path / "run")
    assert main(["train", str(recipe), "--out", run, "--quiet"]) == 0
    assert main(["sample", run, "--n", "100", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (100, 2)
    assert main(["sample", run, "--codes", "--out", str(tmp_path / "codes.png")]) == 0
    capsys.readouterr()
    assert_one_error_line(capsys, main(["sample", run, "--labels", "1", "--out", str(tmp_path / "l.png")]),
                          "is an InfoGAN, which takes no --labels")
    assert main(["eval", run, "--n", "100", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["metrics"]
    assert set(result) == {"modes", "hq"} and 0 <= result["modes"] <= 8
