"""StyleGAN networks (tiny): shapes, resolutions, training with the core GAN, save / load, sampling
reproducibility, truncation, the recipe, export, and two replicas against one device."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import recipes
from keras_gans.layers import MinibatchStandardDeviation, NoiseInjection, StyleMixing, Truncation
from keras_gans.networks import build_discriminator, build_generator
from keras_gans.networks.stylegan import (
    num_styles,
    set_truncation,
    stylegan_discriminator,
    stylegan_generator,
)
from keras_gans.serving import export_gan

LATENT = 8
TINY = dict(base_filters=4, max_filters=8)


def generator(resolution=8, channels=1, **options):
    return stylegan_generator(LATENT, (resolution, resolution, channels), mapping_layers=2, **TINY, **options)


def discriminator(resolution=8, channels=1, **options):
    return stylegan_discriminator((resolution, resolution, channels), **TINY, **options)


def tiny_gan(resolution=8, ema_decay=0.9, seed=1, **generator_options):
    keras.utils.set_random_seed(seed)
    gan = keras_gans.GAN(generator(resolution, **generator_options), discriminator(resolution), seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99),
        loss="non_saturating",
        penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")],
        ema_decay=ema_decay,
    )
    return gan


def images(n, resolution=8, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, resolution, resolution, 1)).astype("float32")


def dataset(resolution=8, batch=8):
    return tf.data.Dataset.from_tensor_slices(images(32, resolution)).batch(batch, drop_remainder=True).repeat()


@pytest.fixture(scope="module")
def trained():
    """A tiny 8x8 StyleGAN after 2 fit steps with NS + R1 and an EMA generator."""
    gan = tiny_gan()
    gan.run_eagerly = True  # faster than tracing the train step, for 2 steps
    history = gan.fit(dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    return gan, history.history


@pytest.mark.parametrize("resolution, channels", [(8, 1), (16, 3), (32, 1)])
def test_shapes(resolution, channels):
    g = generator(resolution, channels)
    d = discriminator(resolution, channels)
    assert g.output_shape == (None, resolution, resolution, channels)
    assert d.input_shape == (None, resolution, resolution, channels) and d.output_shape == (None, 1)
    z = np.random.default_rng(0).standard_normal((2, LATENT)).astype("float32")
    for training in (False, True):
        x = keras.ops.convert_to_numpy(g(z, training=training))
        assert x.shape == (2, resolution, resolution, channels)
        assert np.all(np.abs(x) <= 1.0) and np.all(np.isfinite(x))  # tanh output
        logits = keras.ops.convert_to_numpy(d(x, training=training))
        assert logits.shape == (2, 1) and np.all(np.isfinite(logits))
    # two AdaIN + two noise layers per resolution from 4x4, one style each
    styles = num_styles(resolution)
    assert styles == 2 * (int(np.log2(resolution)) - 1)
    assert g.get_layer("style_mixing").output.shape == (None, styles, LATENT)
    assert len([l for l in g.layers if isinstance(l, NoiseInjection)]) == styles
    assert sorted(l.style_index for l in g.layers if type(l).__name__ == "AdaIN") == list(range(styles))
    assert len([l for l in d.layers if isinstance(l, MinibatchStandardDeviation)]) == 1


def test_filters_double_as_the_resolution_halves_up_to_the_cap():
    g = stylegan_generator(LATENT, (32, 32, 1), base_filters=4, max_filters=12, mapping_layers=1)
    assert [g.get_layer(n).filters for n in ("b4_conv", "b8_conv0", "b16_conv0", "b32_conv0")] == [12, 12, 8, 4]
    mapping = g.get_layer("style_mixing").layer
    assert len([l for l in mapping.layers if type(l).__name__ == "EqualizedDense"]) == 1
    assert stylegan_generator(LATENT, (8, 8, 1), w_dim=6, mapping_layers=1, **TINY).get_layer("truncation").output.shape == (None, 4, 6)
    d = stylegan_discriminator((32, 32, 1), base_filters=4, max_filters=12, mbstd_group_size=0)
    assert d.get_layer("from_rgb").filters == 4 and d.get_layer("b4_conv").filters == 12
    assert not [l for l in d.layers if isinstance(l, MinibatchStandardDeviation)]


@pytest.mark.parametrize("resolution", [4, 12, 28, 30, 100])
def test_bad_resolution(resolution):
    with pytest.raises(ValueError, match=rf"StyleGAN and ProGAN resolution must be 4 \* 2\^n \(8, 16, 32.*got {resolution}"):
        generator(resolution)
    with pytest.raises(ValueError, match="StyleGAN and ProGAN resolution"):
        discriminator(resolution)
    from keras_gans.networks.progan import progan_discriminator

    with pytest.raises(ValueError, match=rf"ProGAN resolution must be 4 \* 2\^n .*got {resolution}"):
        progan_discriminator((resolution, resolution, 1))


def test_points_are_pointed_to_the_mlp_networks():
    with pytest.raises(ValueError, match=r"StyleGAN generator works on images.*\(2,\).*mlp"):
        stylegan_generator(LATENT, (2,))
    with pytest.raises(ValueError, match=r"StyleGAN discriminator works on images.*\(2,\).*mlp"):
        stylegan_discriminator((2,))


def test_registered_for_recipes():
    g = build_generator({"name": "stylegan", "base_filters": 4, "max_filters": 8, "mapping_layers": 2}, LATENT, (16, 16, 1))
    d = build_discriminator({"name": "stylegan", "base_filters": 4, "mbstd_group_size": 2}, (16, 16, 1))
    assert g.output_shape == (None, 16, 16, 1) and d.output_shape == (None, 1)
    assert d.get_layer("mbstd").group_size == 2
    with pytest.raises(ValueError, match=r"unknown generator option\(s\) filters for 'stylegan'.*mapping_layers"):
        build_generator({"name": "stylegan", "filters": 4}, LATENT, (16, 16, 1))


def test_two_fit_steps_with_non_saturating_loss_and_r1(trained):
    gan, history = trained
    assert int(gan.g_optimizer.iterations.numpy()) == 2
    for key in ("d_loss", "g_loss", "gradient_penalty"):
        assert np.isfinite(history[key][-1]), key
    assert history["gradient_penalty"][-1] > 0
    # the training-time state moved: the tracked average w, copied into the EMA generator
    w_avg = gan.generator.get_layer("truncation").w_avg.numpy()
    assert np.any(w_avg != 0)
    np.testing.assert_array_equal(gan.ema_generator.get_layer("truncation").w_avg.numpy(), w_avg)
    # and the fixed inference noise is the same in both generators
    noise = [l.const_noise.numpy() for l in gan.generator.layers if isinstance(l, NoiseInjection)]
    ema_noise = [l.const_noise.numpy() for l in gan.ema_generator.layers if isinstance(l, NoiseInjection)]
    for a, b in zip(noise, ema_noise):
        np.testing.assert_array_equal(a, b)


def test_generate_is_reproducible(trained):
    gan, _ = trained
    first = gan.generate(4, seed=1)
    assert first.shape == (4, 8, 8, 1)
    np.testing.assert_array_equal(gan.generate(4, seed=1), first)
    assert not np.allclose(gan.generate(4, seed=2), first)
    assert not np.allclose(first[0], first[1])


def test_save_and_load_in_safe_mode_give_the_same_samples(trained, tmp_path):
    gan, _ = trained
    set_truncation(gan, 0.8)
    try:
        path = str(tmp_path / "stylegan.keras")
        gan.save(path)
        loaded = keras.saving.load_model(path, safe_mode=True)
        np.testing.assert_allclose(loaded.generate(4, seed=1), gan.generate(4, seed=1), atol=1e-6)
        mixing = loaded.generator.get_layer("style_mixing")
        assert isinstance(mixing, StyleMixing) and mixing.probability == 0.9
        assert loaded.ema_generator.get_layer("truncation").psi == 0.8
        # and it trains on
        loaded.run_eagerly = True
        loaded.fit(dataset(), epochs=1, steps_per_epoch=1, verbose=0)
        assert int(loaded.g_optimizer.iterations.numpy()) == 3
    finally:
        set_truncation(gan, 1.0)


def test_truncation_trick(trained):
    gan, _ = trained
    free = gan.generate(4, seed=3)
    try:
        set_truncation(gan, 0.0)  # every sample is the image of w_avg (with the fixed noise)
        mean = gan.generate(4, seed=3)
        for sample in mean[1:]:
            np.testing.assert_allclose(sample, mean[0], atol=1e-5)
        set_truncation(gan, 0.5)
        half = gan.generate(4, seed=3)
        assert np.std(half, axis=0).mean() < np.std(free, axis=0).mean()
    finally:
        set_truncation(gan, 1.0)
    np.testing.assert_array_equal(gan.generate(4, seed=3), free)
    assert all(isinstance(layer, Truncation) and layer.psi == 1.0 for layer in
               [gan.generator.get_layer("truncation"), gan.ema_generator.get_layer("truncation")])
    with pytest.raises(ValueError, match="no Truncation layer"):
        set_truncation(discriminator(), 0.5)


def test_random_inference_noise_varies_and_none_is_deterministic():
    z = np.random.default_rng(0).standard_normal((3, LATENT)).astype("float32")
    random = generator(inference_noise="random")
    for layer in random.layers:  # noise strengths start at 0: make the noise visible
        if isinstance(layer, NoiseInjection):
            layer.strength.assign(np.ones(layer.strength.shape, "float32"))
    assert not np.allclose(random(z), random(z))
    quiet = generator(inference_noise="none")
    np.testing.assert_array_equal(quiet(z), quiet(z))


def test_recipe_validates_and_builds():
    recipe = recipes.load("stylegan-mnist")
    assert "StyleGAN" in recipes.list_recipes()["stylegan-mnist"]
    assert recipes.data_shape(recipe) == (32, 32, 1)
    assert recipe["model"]["generator"]["name"] == "stylegan" and recipe["model"]["discriminator"]["name"] == "stylegan"
    compile_section = recipe["compile"]
    assert compile_section["loss"] == "non_saturating" and compile_section["penalties"][0]["mode"] == "r1"
    assert compile_section["d_optimizer"]["beta_1"] == 0.0 and compile_section["d_optimizer"]["beta_2"] == 0.99
    assert compile_section["ema_decay"]
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    assert gan.generator.output_shape == (None, 32, 32, 1) and gan.discriminator.output_shape == (None, 1)
    assert gan.ema_generator is not None and gan.latent_dim == recipe["model"]["latent_dim"]
    assert gan.penalties[0].mode == "r1"


def test_export_is_deterministic_and_matches_the_ema_generator(trained, tmp_path):
    gan, _ = trained
    path = export_gan(gan, str(tmp_path / "exported"))
    served = tf.saved_model.load(path).signatures["serving_default"]
    z = np.random.default_rng(7).standard_normal((3, LATENT)).astype("float32")
    first = served(z=tf.constant(z))["images"].numpy()
    np.testing.assert_array_equal(served(z=tf.constant(z))["images"].numpy(), first)  # "const" noise
    np.testing.assert_allclose(first, keras.ops.convert_to_numpy(gan.ema_generator(z, training=False)), atol=1e-5)


def test_export_with_random_noise_draws_fresh_noise_per_call(tmp_path):
    g = generator(inference_noise="random")
    for layer in g.layers:
        if isinstance(layer, NoiseInjection):
            layer.strength.assign(np.ones(layer.strength.shape, "float32"))
    path = export_gan(g, str(tmp_path / "random"))
    z = tf.constant(np.random.default_rng(8).standard_normal((2, LATENT)).astype("float32"))
    served = tf.saved_model.load(path).signatures["serving_default"]
    first = served(z=z)["images"].numpy()
    assert not np.allclose(served(z=z)["images"].numpy(), first)
    # the exported seed state starts where it was saved: a fresh load repeats the first call
    again = tf.saved_model.load(path).signatures["serving_default"](z=z)["images"].numpy()
    np.testing.assert_array_equal(again, first)


def test_two_replicas_match_one_device(mirrored_strategy):
    """Noise, style mixing, the average w and the minibatch std all use the global batch."""

    def one_step(strategy):
        with strategy.scope():
            keras.utils.set_random_seed(11)  # also the seeds of the layers' SeedGenerators
            gan = keras_gans.GAN(generator(), discriminator(), seed=5)
            gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
        for layer in gan.generator.layers:  # noise that matters from the first step
            if isinstance(layer, NoiseInjection):
                layer.strength.assign(np.full(layer.strength.shape, 0.5, "float32"))
        gan.run_eagerly = True  # faster than tracing, also under the strategy
        start = [w.numpy() for w in gan.generator.weights + gan.discriminator.weights]
        gan.fit(dataset(batch=16), epochs=1, steps_per_epoch=1, verbose=0)
        return start, [keras.ops.convert_to_numpy(w) for w in gan.generator.weights + gan.discriminator.weights]

    start, one = one_step(tf.distribute.OneDeviceStrategy("/cpu:0"))
    _, two = one_step(mirrored_strategy)
    assert max(np.abs(a - b).max() for a, b in zip(one, start)) > 1e-3
    for a, b in zip(two, one):
        np.testing.assert_allclose(a, b, atol=1e-4)


def test_the_readme_snippet_runs():
    """The README's StyleGAN snippet, as printed, builds a GAN that samples 64x64 RGB images."""
    import os
    import re

    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")).read()
    section = readme[readme.index("### StyleGAN"):]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(compile(snippet, "README.md (StyleGAN)", "exec"), namespace)
    samples = namespace["gan"].generate(2, seed=0)
    assert samples.shape == (2, 64, 64, 3) and np.all(np.abs(samples) <= 1.0)
