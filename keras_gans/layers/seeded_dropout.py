"""Dropout whose masks survive a save / load and do not depend on the number of replicas."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans.utils import distribute
from keras_gans.utils.serialization import register


@register
class SeededDropout(keras.layers.Layer):
    """Dropout (Srivastava et al. 2014): in training, each value is zeroed with probability `rate`
    and the others scaled by `1 / (1 - rate)`; outside training, the identity.

    Keras's `Dropout` draws from a `SeedGenerator` whose state is not saved in `.keras` files and
    whose draws differ per replica, so a resumed run, or one on 2 replicas, would drop other
    values. Here the mask of a call is a stateless draw keyed on `(seed, calls)`: `seed` is in the
    config and `calls`, the training calls so far, is a saved weight; the mask of the global batch is
    drawn and each replica keeps its rows (`keras_gans.utils.distribute.global_batch_sample`).
    Pix2Pix's generator uses it as its only noise.

    Args:
        rate: the probability of dropping a value, in [0, 1).
        seed: an integer; drawn from NumPy's global generator when omitted (seeded by
            `keras.utils.set_random_seed`).
    """

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(rate) < 1:
            raise ValueError(f"rate must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.seed = int(np.random.randint(0, 2**31 - 1) if seed is None else seed)

    def build(self, input_shape):
        self.calls = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False, name="calls",
                                     aggregation="only_first_replica")

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        key = tf.stack([tf.constant(self.seed, tf.int64), tf.convert_to_tensor(self.calls.value)])
        keep = distribute.global_batch_sample(
            lambda shape: tf.random.stateless_uniform(shape, seed=key) >= self.rate, tf.shape(inputs))
        self.calls.assign_add(1)
        return tf.where(keep, inputs / tf.cast(1.0 - self.rate, inputs.dtype), tf.zeros_like(inputs))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
