"""ProGAN: the growth schedule, the reals at each level, fade-in, networks that draw the smaller
network's output upsampled, exact resume in the middle of a fade-in, replicas, recipe, export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.layers import FadeIn, LevelOfDetail
from keras_gans.layers.fade_in import fade_in_alpha
from keras_gans.models import ProgressiveGAN
from keras_gans.models.progan import level_of_detail, reals_at_level
from keras_gans.networks.progan import progan_discriminator, progan_generator
from keras_gans.networks.stylegan import stylegan_generator

from model_helpers import (assert_weights_close, built, one_and_two_replicas, one_device_reference, straight_and_resumed,
                           weights)


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("progan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.generator.max_filters=8",
        "model.discriminator.base_filters=4", "model.discriminator.max_filters=8", "model.stable_steps=1",
        "model.fade_steps=2", "train.batch_size=8", *overrides])


def digits(n=32, batch=8):
    """The first `n` bundled digits at 32x32, in [-1, 1]."""
    from keras_gans.data import load_mnist

    x = load_mnist()[0][:n, ..., None].astype("float32") / 127.5 - 1.0
    return tf.data.Dataset.from_tensor_slices(tf.pad(x, [[0, 0], [2, 2], [2, 2], [0, 0]], constant_values=-1.0)
                                              ).batch(batch)


def test_level_of_detail_schedule():
    lods = [float(level_of_detail(step, 4, 2, 2)) for step in range(15)]
    assert lods == [3, 3, 3, 2.5, 2, 2, 2, 1.5, 1, 1, 1, 0.5, 0, 0, 0]
    assert [float(level_of_detail(step, 3, 2, 0)) for step in range(6)] == [2, 2, 1, 1, 0, 0]
    assert float(level_of_detail(10**6, 4, 2, 2)) == 0.0


def test_reals_at_level():
    x = tf.random.stateless_uniform((2, 8, 8, 1), seed=(1, 2), minval=-1.0, maxval=1.0)
    np.testing.assert_array_equal(reals_at_level(x, 0.0, 3), x)
    at_4x4 = tf.image.resize(tf.nn.avg_pool2d(x, 2, 2, "VALID"), (8, 8), method="nearest")
    np.testing.assert_allclose(reals_at_level(x, 1.0, 3), at_4x4, atol=1e-6)
    at_2x2 = tf.image.resize(tf.nn.avg_pool2d(x, 4, 4, "VALID"), (8, 8), method="nearest")
    np.testing.assert_allclose(reals_at_level(x, 2.0, 3), at_2x2, atol=1e-6)
    np.testing.assert_allclose(reals_at_level(x, 1.25, 3), 0.75 * at_4x4 + 0.25 * at_2x2, atol=1e-6)


def test_fade_in_alpha_and_layer():
    assert [float(fade_in_alpha(lod, 1)) for lod in (3.0, 2.0, 1.75, 1.0, 0.0)] == [0.0, 0.0, 0.25, 1.0, 1.0]
    coarse, fine = np.zeros((2, 2, 2, 1), "float32"), np.ones((2, 2, 2, 1), "float32")
    layer = FadeIn.from_config(FadeIn(1).get_config())
    out = layer([coarse, fine, np.array([[1.75], [2.0]], "float32")])
    np.testing.assert_allclose(out[:, 0, 0, 0], [0.25, 0.0])
    with pytest.raises(ValueError, match="levels must be at least 1"):
        LevelOfDetail(0)


def _set_lod(network, lod):
    network.get_layer("level_of_detail").lod.assign(lod)


GROWN_GENERATORS = {
    "progan": lambda: progan_generator(8, (32, 32, 1), base_filters=4, max_filters=8),
    "stylegan": lambda: stylegan_generator(8, (32, 32, 1), base_filters=4, max_filters=8, mapping_layers=1,
                                           progressive=True),
}


@pytest.mark.parametrize("name", sorted(GROWN_GENERATORS))
def test_the_generator_draws_the_smaller_generator_upsampled(name):
    keras.utils.set_random_seed(0)
    g = GROWN_GENERATORS[name]()
    z = np.random.default_rng(0).standard_normal((3, 8)).astype("float32")

    def smaller(res):  # the generator of resolution `res`, made of the same layers
        return keras.Model(g.input, g.get_layer(f"b{res}_images").output)

    def up(images, factor):
        return np.repeat(np.repeat(images, factor, axis=1), factor, axis=2)

    for lod, res in ((3.0, 4), (2.0, 8), (1.0, 16), (0.0, 32)):  # alpha = 0 for every block above res
        _set_lod(g, lod)
        np.testing.assert_allclose(g(z), up(smaller(res)(z), 32 // res), atol=1e-5)
    _set_lod(g, 0.25)  # the 32x32 block 3/4 faded in: a blend of images, as the reals'
    blocks = keras.Model(g.input, [g.get_layer("b16_to_rgb").output, g.get_layer("b32_to_rgb").output])
    rgb16, rgb32 = (keras.ops.convert_to_numpy(t) for t in blocks(z))
    np.testing.assert_allclose(g(z), 0.25 * up(np.tanh(rgb16), 2) + 0.75 * np.tanh(rgb32), atol=1e-5)


def test_the_discriminator_ignores_blocks_not_yet_grown():
    keras.utils.set_random_seed(0)
    d = progan_discriminator((16, 16, 1), base_filters=4, max_filters=8)
    x = tf.random.stateless_uniform((4, 16, 16, 1), seed=(3, 4), minval=-1.0, maxval=1.0)
    before = {lod: keras.ops.convert_to_numpy(d_at(d, lod, x)) for lod in (2.0, 1.0, 0.0)}
    kernel = d.get_layer("b16_conv0").kernel  # the 16x16 block: used from lod < 1 on
    kernel.assign(kernel * 3.0)
    after = {lod: keras.ops.convert_to_numpy(d_at(d, lod, x)) for lod in (2.0, 1.0, 0.0)}
    np.testing.assert_array_equal(after[2.0], before[2.0])
    np.testing.assert_array_equal(after[1.0], before[1.0])
    assert not np.allclose(after[0.0], before[0.0])
    _set_lod(d, 0.25)  # the 16x16 block 3/4 grown: its features blended with the 8x8 image's
    parts = keras.Model(d.input, [d.get_layer(name).output for name in ("b8_from_rgb_lrelu", "b16_down",
                                                                         "b16_fade_in")])
    coarse, fine, faded = (keras.ops.convert_to_numpy(t) for t in parts(x))
    np.testing.assert_allclose(faded, 0.25 * coarse + 0.75 * fine, atol=1e-5)


def d_at(d, lod, x):
    _set_lod(d, lod)
    return d(x)


@pytest.fixture(scope="module")
def stepped():
    """`(model, start, after)`: a tiny ProGAN (stable 1, fade 2) trained 6 steps one `fit` per step,
    its G and D weights at the start, and after each step its G and D weights (step 1 only), the
    optimizers' iterations, the step, D's learning rate and each network's level of detail. One
    eager model for the three tests below (tracing its step costs more than 6 eager steps; the
    traced step follows the schedule in the resume, replica and recipe tests)."""
    model = one_device_reference(built(tiny()))
    networks = (model.generator, model.discriminator)
    start = [[v.numpy() for v in network.weights] for network in networks]
    after = []
    for step in range(6):
        model.fit(digits(n=48).skip(step).take(1), epochs=1, steps_per_epoch=1, verbose=0)
        after.append({
            "weights": [[v.numpy() for v in network.weights] for network in networks] if step == 0 else None,
            "iterations": [int(model.optimizer_of(p).iterations.numpy()) for p in ("d", "g")],
            "step": int(model.step_counter.numpy()), "d_learning_rate": float(model.d_optimizer.learning_rate.numpy()),
            "lod": [float(n.get_layer("level_of_detail").lod.numpy())
                    for n in (model.generator, model.ema_generator, model.discriminator)]})
    return model, start, after


def test_training_follows_the_schedule_in_every_network(stepped):
    model, _, after = stepped
    assert isinstance(model, ProgressiveGAN) and model.levels == 4 and model.growth_steps() == 9
    expected = float(level_of_detail(5, 4, 1, 2))  # the last step's: 8x8 grown, 16x16 half faded in
    assert expected == 1.5
    assert after[5]["lod"] == [expected] * 3  # G, EMA G, D


def test_blocks_not_yet_grown_keep_their_weights(stepped):
    """One step at 4x4 (lod 3): only the 4x4 parts of G and D change (zero gradients elsewhere)."""
    model, start, after = stepped
    networks = (model.generator, model.discriminator)
    layers = {v.path.split("/")[-2] for network, before, now in zip(networks, start, after[0]["weights"])
              for v, value, new in zip(network.weights, before, now) if not np.array_equal(new, value)}
    assert {"b4_dense", "b4_to_rgb", "b4_from_rgb", "logits"} <= layers, sorted(layers)
    assert all(layer.startswith(("b4_", "logits")) for layer in layers), sorted(layers)


def test_optimizers_restart_when_a_fade_in_starts_and_ends(stepped):
    _, _, after = stepped  # lod 3, 3, then the fade-in 2.5 (starts: reset), then 2 (ends: reset)
    assert after[1]["iterations"] == [2, 2]
    assert after[3]["iterations"] == [1, 1]
    assert after[3]["step"] == 4 and after[3]["d_learning_rate"] > 0


def test_the_step_shows_the_reals_at_its_level(monkeypatch):
    """A step at lod 2.5 on digits x equals a step that takes `reals_at_level(x, 2.5)` as they are."""
    import keras_gans.models.progan as progan

    x = next(iter(digits(n=8)))

    def one_step(data):
        model = one_device_reference(built(tiny()))  # eager: the same step, without tracing it twice
        model.step_counter.assign(2)  # lod 2.5: the 8x8 block half faded in
        model.fit(tf.data.Dataset.from_tensors(data), epochs=1, steps_per_epoch=1, verbose=0)
        return weights(model)

    shown = one_step(x)
    at_level = reals_at_level(x, 2.5, 4)
    assert not np.allclose(at_level, x, atol=1e-3)  # the 8x8 level's blur: what the step must show
    monkeypatch.setattr(progan, "reals_at_level", lambda images, lod, levels: images)
    assert_weights_close(one_step(at_level), shown, atol=1e-6)


def test_resume_in_the_middle_of_a_fade_in_continues_exactly(tmp_path):
    # Saved after step 1 (lod 3); the resumed steps are the fade-in's (2.5) and its end (2).
    straight, loaded = straight_and_resumed(tiny(), tmp_path, batches=digits)
    assert float(loaded.generator.get_layer("level_of_detail").lod.numpy()) == 2.0
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy, steps=3, batches=digits)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_networks_without_a_level_of_detail_are_refused():
    from keras_gans.networks.stylegan import stylegan_discriminator

    g = progan_generator(8, (16, 16, 1), base_filters=4, max_filters=8)
    with pytest.raises(ValueError, match="one LevelOfDetail layer; this discriminator has 0"):
        ProgressiveGAN(g, stylegan_discriminator((16, 16, 1), base_filters=4, max_filters=8))
    with pytest.raises(ValueError, match="grows over 3 resolutions but the discriminator over 4"):
        ProgressiveGAN(g, progan_discriminator((32, 32, 1), base_filters=4, max_filters=8))
    with pytest.raises(ValueError, match="stable_steps must be at least 1"):
        ProgressiveGAN(g, progan_discriminator((16, 16, 1), base_filters=4, max_filters=8), stable_steps=0)
    with pytest.raises(ValueError, match=r"batch_sizes must be 3 positive batch sizes, one per resolution"):
        ProgressiveGAN(g, progan_discriminator((16, 16, 1), base_filters=4, max_filters=8), batch_sizes=[8, 4])


def test_batch_sizes_per_resolution():
    """Each resolution's batch size in its stable phase and the fade-in before it; the examples in
    their order, and `.skip(n)` (a resume) continues at batch n."""
    from keras_gans.data import scheduled_batches
    from keras_gans.data.batch_schedule import check_batch_schedule

    model = built(tiny("model.batch_sizes=[8, 4, 4, 2]"))  # stable 1, fade 2
    assert model.batch_schedule() == [(8, 2), (4, 1), (4, 2), (4, 1), (4, 2), (2, 1), (2, 2)]
    assert built(tiny()).batch_schedule() is None
    for stable, fade in ((1, 2), (2, 3), (3, 1), (2, 0)):  # step s: the size of resolution floor(lod)
        m = ProgressiveGAN(model.generator, model.discriminator, stable_steps=stable, fade_steps=fade,
                           batch_sizes=[8, 4, 4, 2])
        per_step = sum(([size] * steps for size, steps in m.batch_schedule()), [])
        floors = [int(np.floor(float(m.lod_at(step)))) for step in range(len(per_step))]
        assert per_step == [m.batch_sizes[m.levels - 1 - f] for f in floors], (stable, fade)
    examples = tf.data.Dataset.range(10**4)
    batches = scheduled_batches(examples.map(lambda i: (i, -i)).batch(5), model.batch_schedule())
    got = [b.numpy().tolist() for b, _ in batches.take(9)]
    assert [len(b) for b in got] == [8, 8, 4, 4, 4, 4, 4, 4, 2]
    assert sum(got, []) == list(range(42))
    assert [b.numpy().tolist() for b, _ in batches.skip(6).take(2)] == got[6:8]
    with pytest.raises(ValueError, match="a batch schedule is a non-empty list of"):
        check_batch_schedule([(4, 0)])
    from keras_gans.errors import UserError
    from keras_gans.training.run import _scheduled

    with pytest.raises(UserError, match=r"model.batch_sizes \[2\] do not split over the 4 replicas"):
        _scheduled(examples.batch(4), model, 4)


def test_xla_is_refused_or_kept_off_for_a_lazy_penalty_on_changing_batches():
    """XLA cannot compile the lazy R1 of progan-mnist (interval 4) through minibatch std on batches
    whose size changes (benchmarks/README.md, "Every family under XLA"); "auto" keeps it off on a CPU."""
    changing = tiny("model.batch_sizes=[8, 4, 4, 2]")
    with pytest.raises(ValueError, match="use jit_compile=False, interval 1 or one batch size"):
        recipes.compile_model(recipes.build_model(changing), changing, jit_compile=True)
    auto = recipes.compile_model(recipes.build_model(changing), changing)
    assert auto.jit_compile is False and "batch_sizes" in auto.jit_compile_reason and not auto._measure_jit
    for recipe in (tiny("model.batch_sizes=[8, 8, 8, 8]"), tiny("compile.penalties=[{name: gradient_penalty, mode: r1}]",
                                                                "model.batch_sizes=[8, 4, 4, 2]")):
        assert recipes.compile_model(recipes.build_model(recipe), recipe, jit_compile=True).jit_compile is True
        # "auto" on a CPU does not measure either: inside fit the XLA step was about 10 times slower
        auto = recipes.compile_model(recipes.build_model(recipe), recipe)
        assert auto.jit_compile is False and "10 times slower" in auto.jit_compile_reason and not auto._measure_jit


def test_recipe_trains_samples_and_exports_at_the_level_reached(tmp_path, capsys):
    import yaml

    path = tmp_path / "progan.yaml"
    # batch sizes 8 at 4x4, then 4 (the fade-in to 8x8 from step 1): the run re-batches its data
    path.write_text(yaml.safe_dump(tiny("train.steps=4", "train.steps_per_epoch=2", "train.samples=4",
                                        "model.batch_sizes=[8, 4, 4, 4]")))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "--out", run, "--quiet"]) == 0
    model = keras.saving.load_model(f"{run}/model.keras")
    assert float(model.ema_generator.get_layer("level_of_detail").lod.numpy()) == 2.0  # step 3: 8x8 grown
    samples = model.generate(4, seed=0)
    assert samples.shape == (4, 32, 32, 1)
    np.testing.assert_array_equal(samples[:, ::4, ::4], samples[:, 3::4, 3::4])  # 8x8 images shown at 32x32
    assert main(["export", run, "--out", str(tmp_path / "exported")]) == 0
    served = tf.saved_model.load(str(tmp_path / "exported" / "1"))
    z = model.latent(4, seed=0)
    images = served.signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(images, samples, atol=1e-5)


def test_stylegan_grows_too_and_keeps_its_sampling_tools(tmp_path):
    """The `stylegan-progressive-mnist` recipe: trained to step 4 (the 8x8 block grown), its
    samples, truncated samples and style mixing are all drawn at that level."""
    import yaml

    recipe = recipes.apply_overrides(recipes.load("stylegan-progressive-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.generator.max_filters=8",
        "model.generator.mapping_layers=1", "model.discriminator.base_filters=4",
        "model.discriminator.max_filters=8", "model.stable_steps=1", "model.fade_steps=2", "train.batch_size=8",
        "train.steps=4", "train.steps_per_epoch=2", "train.samples=4"])
    path = tmp_path / "stylegan.yaml"
    path.write_text(yaml.safe_dump(recipe))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "--out", run, "--quiet"]) == 0
    model = keras.saving.load_model(f"{run}/model.keras")
    assert isinstance(model, ProgressiveGAN)
    assert float(model.ema_generator.get_layer("level_of_detail").lod.numpy()) == 2.0
    for samples in (model.generate(4, seed=0), model.generate(4, seed=0, psi=0.5),
                    model.mix_styles(model.latent(2, seed=1), model.latent(3, seed=2)).reshape(6, 32, 32, 1)):
        assert np.all(np.isfinite(samples))
        np.testing.assert_array_equal(samples[:, ::4, ::4], samples[:, 3::4, 3::4])  # 8x8 images shown at 32x32
    assert not np.allclose(model.generate(4, seed=0, psi=0.5), model.generate(4, seed=0))
