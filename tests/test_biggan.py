"""BigGAN-style networks: projected batch norm, hierarchical latent, projection D, truncation, the recipe."""

import keras
import numpy as np
import pytest
import tensorflow as tf
import yaml

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.layers import ProjectedBatchNormalization
from keras_gans.models.noise import truncated_normal
from keras_gans.networks import biggan_discriminator, biggan_generator

from cli_helpers import assert_one_error_line
from model_helpers import assert_weights_close, one_and_two_replicas, weights


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("biggan-mnist"), [
        "model.latent_dim=9", "model.generator.base_filters=4", "model.generator.embedding_dim=4",
        "model.discriminator.base_filters=4", "train.batch_size=8", "train.steps=2", "train.steps_per_epoch=2",
        "train.samples=20", *overrides])


def test_projected_batch_norm_is_batch_norm_modulated_by_linear_maps_of_c():
    x = tf.constant(np.random.default_rng(0).normal(2.0, 3.0, (6, 4, 4, 3)), tf.float32)
    c = tf.constant(np.random.default_rng(1).normal(size=(6, 5)), tf.float32)
    layer = ProjectedBatchNormalization()
    normalized = keras.layers.BatchNormalization(center=False, scale=False, epsilon=1e-5)(x, training=True).numpy()
    np.testing.assert_allclose(layer([x, c], training=True).numpy(), normalized, atol=1e-4)  # fresh: plain BN
    gain, bias = np.random.default_rng(2).normal(size=(2, 5, 3)).astype("float32")
    layer.gain.kernel.assign(gain)
    layer.bias.kernel.assign(bias)
    expected = (1 + c.numpy() @ gain)[:, None, None, :] * normalized + (c.numpy() @ bias)[:, None, None, :]
    np.testing.assert_allclose(layer([x, c], training=True).numpy(), expected, atol=1e-4)
    assert ProjectedBatchNormalization.from_config(layer.get_config()).epsilon == 1e-5


def test_generator_splits_z_over_its_blocks_and_takes_labels():
    g = biggan_generator(9, 10, (28, 28, 1), base_filters=4, embedding_dim=4)
    rng = np.random.default_rng(0)
    for layer in g.layers:  # the projections start at 0 (plain batch norm): give them weights
        if isinstance(layer, ProjectedBatchNormalization):
            for projection in (layer.gain, layer.bias):
                projection.kernel.assign(rng.normal(0, 0.5, projection.kernel.shape).astype("float32"))
    z = rng.normal(size=(2, 9)).astype("float32")
    labels = tf.constant([3, 3])
    out = g([tf.constant(z), labels]).numpy()
    assert out.shape == (2, 28, 28, 1) and np.abs(out).max() <= 1.0
    assert not np.allclose(out, g([tf.constant(z), tf.constant([3, 5])]).numpy())
    for chunk in range(3):  # every chunk of z reaches the image (the first layer, then each block's norms)
        changed = z.copy()
        changed[:, chunk * 3:(chunk + 1) * 3] += 1.0
        assert np.abs(g([tf.constant(changed), labels]).numpy() - out).max() > 1e-5, chunk
    assert biggan_generator(12, 10, (32, 32, 3), base_filters=4, embedding_dim=4, attention_resolution=16
                            ).output.shape[1:] == (32, 32, 3)
    uneven = biggan_generator(8, 10, (28, 28, 1), base_filters=4, embedding_dim=4)  # chunks of 3, 3 and 2
    assert [layer.output.shape[-1] for layer in uneven.layers if layer.name.startswith("condition_")] == [7, 6]
    with pytest.raises(ValueError, match="latent is split into 3 chunks at 28x28.*at least 3, got 2"):
        biggan_generator(2, 10, (28, 28, 1))


def test_discriminator_adds_the_projection_of_the_class_embedding():
    d = biggan_discriminator((28, 28, 1), 10, base_filters=4)
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (1, 28, 28, 1)), tf.float32)
    embedding = d.get_layer("class_embedding").embeddings.numpy()
    phi = keras.Model(d.inputs, d.get_layer("features").output)
    logit = lambda y: float(d([x, tf.constant([y])])[0, 0])  # noqa: E731
    phi_x = phi([x, tf.constant([0])]).numpy()[0]
    assert logit(2) - logit(7) == pytest.approx(float((embedding[2] - embedding[7]) @ phi_x), rel=1e-4, abs=1e-5)


def test_truncated_normal_keeps_every_entry_within_the_threshold():
    z = truncated_normal(np.random.default_rng(0), (500, 20), 0.5)
    assert z.dtype == np.float32 and np.abs(z).max() <= 0.5 and z.std() == pytest.approx(0.28, abs=0.02)
    with pytest.raises(ValueError, match="truncation is the largest"):
        truncated_normal(np.random.default_rng(0), (2, 2), 0)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_cli_trains_with_n_critic_samples_with_truncation_and_exports_with_labels(tmp_path, capsys):
    """The recipe with 2 D updates per G update (BigGAN's n_critic; the exact resume of the
    family, `ConditionalGAN`, is tested in test_conditional.py), saved, loaded, sampled, served."""
    from keras_gans.training.run import load_run

    path = tmp_path / "biggan.yaml"
    path.write_text(yaml.safe_dump(tiny("compile.n_critic=2")))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "--out", run, "--quiet"]) == 0
    loaded, _ = load_run(run)
    assert int(loaded.d_optimizer.iterations.numpy()) == 4 and int(loaded.step_counter.numpy()) == 2
    assert "orthogonal_regularization" in [t.name for t in loaded.loss_trackers]
    with pytest.raises(ValueError, match="n_critic must be a whole number >= 1, got 0"):
        recipes.compile_model(recipes.build_model(tiny()), tiny("compile.n_critic=0"))
    for name, flags in (("t", ["--truncation", "0.3"]), ("f", [])):
        assert main(["sample", run, "--n", "6", "--labels", "4", "--seed", "1", *flags,
                     "--out", str(tmp_path / f"{name}.npy")]) == 0
    truncated, free = np.load(tmp_path / "t.npy"), np.load(tmp_path / "f.npy")
    assert truncated.shape == (6, 28, 28, 1) and not np.array_equal(truncated, free)
    assert main(["sample", run, "--truncation", "0.5", "--out", str(tmp_path / "t.png")]) == 0
    assert_one_error_line(capsys, main(["sample", run, "--truncation", "-1", "--out", str(tmp_path / "b.npy")]),
                          "truncation is the largest |z| kept")
    assert_one_error_line(capsys, main(["sample", run, "--truncation", "0.5", "--interp", "4",
                                        "--out", str(tmp_path / "w.png")]), "--truncation goes with")
    assert main(["export", run, "--out", str(tmp_path / "exported")]) == 0
    served = tf.saved_model.load(str(tmp_path / "exported" / "1"))
    images = served.signatures["serving_default"](z=tf.zeros([2, 9]), labels=tf.constant([1, 8]))["images"]
    assert images.shape == (2, 28, 28, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must be in \[0, 10\)"):
        served.signatures["serving_default"](z=tf.zeros([1, 9]), labels=tf.constant([10]))


def test_the_documented_full_size_configurations_are_recipes_that_build():
    """docs/biggan.md's CIFAR-10 and ImageNet YAML: valid recipes, networks at the documented
    resolution (built small: the sizes are the documented ones but for the filters)."""
    import os
    import re

    text = open(os.path.join(os.path.dirname(__file__), "..", "docs", "biggan.md")).read()
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]
    assert [b["data"]["tfds"] for b in blocks] == ["cifar10", "imagenet2012"]
    for recipe, size, classes in zip(blocks, (32, 128), (10, 1000)):
        recipe = recipes.apply_overrides(recipes.validate(recipe), [
            "model.generator.base_filters=2", "model.discriminator.base_filters=2"])
        model = recipes.build_model(recipe)
        assert model.generator.output_shape[1:] == (size, size, 3) and model.num_classes == classes
