"""Helpers shared by the tests of families built from recipes."""

import keras
import numpy as np
import tensorflow as tf

import keras_gans
from keras_gans import recipes


def built(recipe, strategy=None):
    """The recipe's compiled model, weights seeded (in `strategy`'s scope if given)."""
    keras.utils.set_random_seed(0)
    model = recipes.build_model(recipe, strategy)
    with (strategy or tf.distribute.get_strategy()).scope():
        return recipes.compile_model(model, recipe)


def labelled_batches(n=32, batch=8):
    """The first `n` bundled digits with their labels, in [-1, 1], in batches of `batch`."""
    images, labels = keras_gans.data.load_mnist()
    x = images[:n, ..., None].astype("float32") / 127.5 - 1.0
    return tf.data.Dataset.from_tensor_slices((x, labels[:n].astype("int32"))).batch(batch)


def weights(model):
    return [keras.ops.convert_to_numpy(w) for w in model.get_weights()]


def assert_weights_close(a, b, atol):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, atol=atol)
