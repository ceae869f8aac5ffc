"""ChannelPermutation: a per-sample order of the channels, seeded, differentiable, in training, replicas."""

import itertools

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.augment import ChannelPermutation, get
from keras_gans.data.stacked_mnist import stacked_mnist_dataset

from model_helpers import assert_weights_close, built, generator_step_d_inputs, one_and_two_replicas, weights

SEED = tf.constant([3, 4], tf.int32)


def images(n=600, channels=3, size=4, seed=0):
    return tf.constant(np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)), tf.float32)


def test_each_sample_gets_one_uniform_order_of_its_channels():
    x = images()
    y = ChannelPermutation()(x, 0, seed=SEED).numpy()
    orders = []
    for before, after in zip(x.numpy(), y):
        # One order for every pixel of a sample: channel c of the output is one channel of the input.
        order = tuple(int(np.flatnonzero(np.all(before == after[..., [c]], axis=(0, 1)))[0]) for c in range(3))
        np.testing.assert_array_equal(after, before[..., list(order)])
        orders.append(order)
    counts = {order: orders.count(order) for order in itertools.permutations(range(3))}
    assert len(counts) == 6 and all(60 <= count <= 140 for count in counts.values()), counts  # 100 each expected


def test_draws_follow_the_seed_and_gradients_reach_every_channel():
    x = images(n=8)
    transform = ChannelPermutation()
    np.testing.assert_array_equal(transform(x, 0, seed=SEED), transform(x, 5, seed=SEED))
    assert not np.array_equal(transform(x, 0, seed=SEED), transform(x, 0, seed=tf.constant([3, 5])))
    with tf.GradientTape() as tape:
        tape.watch(x)
        weighted = tf.reduce_sum(transform(x, 0, seed=SEED) * tf.constant([1.0, 2.0, 3.0]))
    gradient = tape.gradient(weighted, x).numpy()
    # Each sample's gradient is the weights in its order: 1, 2 and 3 once each.
    np.testing.assert_array_equal(np.sort(gradient[:, 0, 0], axis=-1), np.tile([1.0, 2.0, 3.0], (8, 1)))


def test_config_and_errors():
    transform = get({"name": "channel_permutation"})
    assert isinstance(transform, ChannelPermutation) and transform.get_config() == {}
    assert isinstance(keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(transform)),
                      ChannelPermutation)
    with pytest.raises(ValueError, match=r"C >= 2\), got samples of shape \(4, 4, 1\)"):
        ChannelPermutation()(tf.zeros([2, 4, 4, 1]), 0, seed=SEED)
    with pytest.raises(ValueError, match="C >= 2"):
        ChannelPermutation().check_input_shape((3,))


def test_training_one_channel_data_with_it_is_a_one_line_error_before_any_step(tmp_path, capsys):
    from keras_gans import cli

    out = tmp_path / "run"
    assert cli.main(["train", "dcgan-mnist", "--out", str(out), "--steps", "1", "--quiet",
                     "--set", "compile.augment=[channel_permutation]"]) == 1
    assert capsys.readouterr().err == ("keras-gans: error: compile.augment: channel_permutation shuffles the channels "
                                       "of images (H, W, C >= 2), got samples of shape (28, 28, 1): use it on data "
                                       "with several channels (e.g. stacked_mnist)\n")
    assert not (out / "recipe.yaml").exists()


def tiny(*overrides):
    return recipes.apply_overrides(recipes.load("stacked-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "train.batch_size=8", "compile.augment=[channel_permutation]", *overrides])


def stacked_batches():
    return stacked_mnist_dataset(8).take(2)


def test_the_generator_step_feeds_d_fakes_in_a_shuffled_order():
    gan = built(tiny())
    assert [type(t).__name__ for t in gan.d_input_transforms] == ["ChannelPermutation"]
    seen, fakes = generator_step_d_inputs(gan)
    seen, fakes = seen[0].numpy(), fakes.numpy()
    # The same values per sample, and some sample's channels moved.
    np.testing.assert_allclose(np.sort(seen, axis=-1), np.sort(fakes, axis=-1), atol=1e-6)
    assert not np.allclose(seen, fakes)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy, batches=stacked_batches)
    assert_weights_close(weights(two), weights(one), atol=1e-4)
