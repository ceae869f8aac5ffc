"""DiffAugment: each policy's effect, gradients to its input, draws per input, in the generator step, replicas."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.augment import DiffAugment, get
from keras_gans.augment.diff_augment import adjust_color, cutout, translate

from model_helpers import assert_weights_close, built, generator_step_d_inputs, one_and_two_replicas, weights

SEED = tf.constant([3, 4], tf.int32)


def images(n=4, size=8, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)), tf.float32)


def test_translate_moves_each_sample_by_its_shift_with_zeros_moved_in():
    x = tf.reshape(tf.range(1.0, 17.0), [1, 4, 4, 1])
    x = tf.concat([x, x], axis=0)
    moved = translate(x, tf.constant([[1, 0], [0, -2]])).numpy()[..., 0]
    expected_down = np.vstack([np.zeros(4), np.arange(1, 17).reshape(4, 4)[:3]])
    expected_left = np.hstack([np.arange(1, 17).reshape(4, 4)[:, 2:], np.zeros((4, 2))])
    np.testing.assert_array_equal(moved[0], expected_down)
    np.testing.assert_array_equal(moved[1], expected_left)


def test_cutout_zeros_a_square_around_each_center_clipped_at_the_border():
    x = tf.ones([2, 6, 6, 1])
    out = cutout(x, tf.constant([[3, 3], [0, 5]]), (2, 2)).numpy()[..., 0]
    assert out[0].sum() == 36 - 4 and (out[0][2:4, 2:4] == 0).all()
    assert out[1].sum() == 36 - 2 and (out[1][0, 4:] == 0).all()  # rows -1..0, columns 4..5: two pixels inside


def test_adjust_color_at_the_neutral_factors_is_the_identity():
    x = images()
    half = tf.fill([4, 1, 1, 1], 0.5)
    np.testing.assert_allclose(adjust_color(x, half, half, half).numpy(), x.numpy(), atol=1e-6)
    brighter = adjust_color(x, half + 0.25, half, half)
    np.testing.assert_allclose(brighter.numpy(), x.numpy() + 0.25, atol=1e-6)


@pytest.mark.parametrize("policy", ["color", "translation", "cutout", "color,translation,cutout"])
def test_each_policy_changes_the_input_and_passes_gradients_to_it(policy):
    x = images()
    augment = DiffAugment(policy)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = augment(x, step=0, seed=SEED)
        loss = tf.reduce_sum(y * tf.reshape(tf.range(64.0), [1, 8, 8, 1]))
    gradient = tape.gradient(loss, x)
    assert y.shape == x.shape and np.abs(y.numpy() - x.numpy()).max() > 1e-3
    assert gradient is not None and np.isfinite(gradient.numpy()).all() and np.abs(gradient.numpy()).sum() > 0
    np.testing.assert_array_equal(augment(x, 0, seed=SEED).numpy(), y.numpy())  # a seed fixes the draws
    assert np.abs(augment(x, 0, seed=SEED + 1).numpy() - y.numpy()).max() > 1e-3


def test_policies_config_and_errors():
    augment = get({"name": "diff_augment", "policy": "cutout, color"})
    assert augment.policy == "color,cutout"  # the paper's order
    assert DiffAugment.from_config(augment.get_config()).get_config() == augment.get_config()
    with pytest.raises(ValueError, match="policy must name some of color, translation, cutout"):
        DiffAugment("flip")
    with pytest.raises(ValueError, match="augments images"):
        DiffAugment()(tf.zeros([2, 3]), 0, seed=SEED)


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("dcgan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "model.discriminator.hidden_units=8", "train.batch_size=8", "compile.augment=[{name: diff_augment}]",
        *overrides])


def test_the_generator_step_feeds_d_augmented_fakes():
    gan = built(tiny())
    assert [type(t).__name__ for t in gan.d_input_transforms] == ["DiffAugment"]
    seen, fakes = generator_step_d_inputs(gan)
    # Cutout (a quarter of each image) and translation leave zeros where G's outputs are rarely exactly 0.
    assert len(seen) == 1 and np.mean(seen[0].numpy() == 0.0) > 0.2 and np.mean(fakes.numpy() == 0.0) < 0.01


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-4)
    assert keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(one.augment[0])).policy == \
        "color,translation,cutout"
