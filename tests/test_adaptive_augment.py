"""ADA: the operations, p tuned from D's outputs on reals, saved and resumed, logged, replicas, families."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.augment import AdaptiveAugment, AugmentProbability, get
from keras_gans.augment.adaptive import adjust_color, reflect_translate, rotate90

from model_helpers import assert_weights_close, built, generator_step_d_inputs, one_and_two_replicas, straight_and_resumed
from model_helpers import weights

SEED = tf.constant([5, 6], tf.int32)


def images(n=8, size=8, channels=1, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)), tf.float32)


def test_reflect_translate_mirrors_the_border_in():
    grid = np.arange(16.0).reshape(4, 4)
    x = tf.constant(np.stack([grid, grid])[..., None], tf.float32)
    moved = reflect_translate(x, tf.constant([[1, 0], [0, -2]])).numpy()[..., 0]
    np.testing.assert_array_equal(moved[0], grid[[1, 0, 1, 2]])  # down one row: row 1 mirrored in at the top
    np.testing.assert_array_equal(moved[1], grid[:, [2, 3, 2, 1]])  # left two columns: 2, 1 mirrored in


def test_rotate90_turns_each_sample_by_its_quarter_turns():
    x = images(4)
    turned = rotate90(x, tf.constant([0, 1, 2, 3])).numpy()
    for k in range(4):
        np.testing.assert_array_equal(turned[k], np.rot90(x.numpy()[k], k))


def test_adjust_color_neutral_factors_and_grey_images():
    x = images(channels=3)
    ones, zeros = tf.ones([8, 1, 1, 1]), tf.zeros([8, 1, 1, 1])
    np.testing.assert_allclose(adjust_color(x, zeros, ones, ones).numpy(), x.numpy(), atol=1e-6)
    grey = images(channels=1)
    np.testing.assert_allclose(adjust_color(grey, zeros + 0.1, ones * 2, ones * 3).numpy(), (grey.numpy() + 0.1) * 2,
                               atol=1e-6)  # saturation has nothing to scale in one channel


def with_p(p, policy="xflip,rotate90,xint,color"):
    ada = AdaptiveAugment(policy, initial_p=p)
    ada.make_state("augment_state")
    return ada


def test_p_0_is_the_identity_and_p_1_changes_every_sample_with_gradients():
    x = images()
    np.testing.assert_array_equal(with_p(0.0)(x, 0, seed=SEED).numpy(), x.numpy())
    for policy in ("xflip", "rotate90", "xint", "color", "xflip,rotate90,xint,color"):
        ada = with_p(1.0, policy)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = ada(x, 0, seed=SEED)
            loss = tf.reduce_sum(y * tf.reshape(tf.range(64.0), [1, 8, 8, 1]))
        gradient = tape.gradient(loss, x).numpy()
        changed = np.abs(y.numpy() - x.numpy()).reshape(8, -1).max(axis=1) > 1e-4
        # each sample changed, but for a turn of 0 (rotate90) or a shift of 0 (xint): a quarter / a ninth of them
        assert changed.mean() >= (0.5 if policy in ("rotate90", "xint") else 1.0), policy
        assert np.isfinite(gradient).all() and np.abs(gradient).sum() > 0, policy
        np.testing.assert_array_equal(ada(x, 0, seed=SEED).numpy(), y.numpy())  # the seed fixes the draws


def test_p_is_the_share_of_samples_each_operation_changes():
    x = tf.tile(images(1, size=8), [2000, 1, 1, 1])
    flipped = with_p(0.3, "xflip")(x, 0, seed=SEED).numpy()
    share = np.mean(np.abs(flipped - x.numpy()).reshape(2000, -1).max(axis=1) > 0)
    assert share == pytest.approx(0.3, abs=0.04)


def test_config_and_errors():
    ada = get({"name": "ada", "policy": "color, xflip", "target": 0.5, "speed_images": 1000})
    assert ada.policy == "xflip,color" and ada.target == 0.5
    assert AdaptiveAugment.from_config(ada.get_config()).get_config() == ada.get_config()
    with pytest.raises(ValueError, match="policy must name some of xflip, rotate90, xint, color"):
        AdaptiveAugment("cutout")
    with pytest.raises(ValueError, match="target in"):
        AdaptiveAugment(target=1.5)
    with pytest.raises(ValueError, match="no state yet"):
        AdaptiveAugment()(images(), 0, seed=SEED)
    with pytest.raises(ValueError, match="rotate90 turns square images"):
        with_p(0.5)(tf.zeros([2, 8, 6, 1]), 0, seed=SEED)


def test_p_rises_for_an_overfitting_d_and_falls_otherwise_every_interval():
    state = AugmentProbability(initial_p=0.5, target=0.6, interval=2, speed_images=100)
    confident = tf.constant([[3.0]] * 10)  # D calls all 10 reals real: r_t = 1 > 0.6
    state.observe(confident)
    assert float(state.p) == 0.5  # not before the interval's end
    state.observe(confident)
    assert float(state.p) == pytest.approx(0.5 + 20 / 100)  # 20 images seen, 100 from 0 to 1
    unsure = tf.constant([[1.0]] * 5 + [[-1.0]] * 5)  # r_t = 0 < 0.6
    for _ in range(2 * 5):
        state.observe(unsure)
    assert float(state.p) == 0.0  # clipped
    patches = tf.ones([4, 3, 3, 1])  # a PatchGAN's outputs: 4 images, not 36
    for _ in range(2):
        state.observe(patches)
    assert float(state.p) == pytest.approx(8 / 100)


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("dcgan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.generator.hidden_units=8",
        "model.discriminator.base_filters=4", "model.discriminator.hidden_units=8", "train.batch_size=8",
        "compile.augment=[{name: ada, initial_p: 0.5, interval: 1, speed_images: 80}]", *overrides])


def test_a_gan_tunes_logs_saves_and_resumes_p(tmp_path):
    def p_saved(loaded, straight):
        assert float(loaded.augment_state.p) == float(straight.augment_state.p) != 0.5

    straight, loaded = straight_and_resumed(tiny(), tmp_path, on_load=p_saved)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-6)
    assert float(loaded.augment_state.p) == float(straight.augment_state.p)
    logged = {t.name: float(t.result()) for t in loaded.metrics}["augment_p"]  # the mean of the fit's 2 steps
    assert 0.0 <= logged <= 1.0 and logged != 0.5


def test_the_generator_step_feeds_d_augmented_fakes():
    seen, fakes = generator_step_d_inputs(built(tiny("compile.augment=[{name: ada, initial_p: 1.0, policy: xflip}]")))
    np.testing.assert_allclose(seen[0].numpy(), fakes.numpy()[:, :, ::-1], atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)
    p_two, p_one = (float(keras.ops.convert_to_numpy(m.augment_state.p)) for m in (two, one))
    assert p_two == pytest.approx(p_one, abs=1e-6) and p_one != 0.5


def test_families_that_do_not_tune_p_refuse_it():
    for name in ("infogan-mnist", "cgan-mnist"):  # these tune it
        assert built(recipes.apply_overrides(recipes.load(name), [
            "model.generator.base_filters=4", "model.discriminator.base_filters=4",
            "compile.augment=[{name: ada}]"])).augment_state is not None
    recipe = recipes.apply_overrides(recipes.load("pix2pix-edges2digits"), [
        "model.generator.base_filters=4", "model.discriminator.base_filters=4", "compile.augment=[{name: ada}]"])
    with pytest.raises(ValueError, match="Pix2Pix does not tune adaptive augmentation"):
        built(recipe)
    with pytest.raises(ValueError, match="at most one adaptive augmentation"):
        built(tiny("compile.augment=[{name: ada}, {name: ada}]"))
    assert isinstance(keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(with_p(0.2))),
                      AdaptiveAugment)
