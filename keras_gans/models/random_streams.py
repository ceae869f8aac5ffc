"""Named stateless random streams: every draw of a train step gets its own key."""

import zlib

import tensorflow as tf

from keras_gans.utils import distribute


def stream_id(name):
    """A stable 31-bit integer for a stream name (CRC-32, the same in every process)."""
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


class RandomStreams:
    """Stateless RNG keys `key(name, step, *indices)` derived from one seed.

    `key = fold_in(... fold_in(fold_in([seed, step], id(name)), index_0) ..., index_k)`: a draw is
    named ("latent", "penalty", "d_input") and indexed (the critic iteration, the penalty's
    position), so two draws share a key only if they share name, step and indices. (The former
    `step * 16 + stream` scheme reused keys once `n_critic >= 16`.) Every replica of a
    `tf.distribute` strategy computes the same key, draws the global batch and keeps its rows
    (`keras_gans.utils.distribute.global_batch_sample`), so a run is independent of the number of
    replicas.
    """

    def __init__(self, seed):
        self.seed = int(seed) % (2**31 - 1)

    def key(self, name, step, *indices):
        """The int32 key, shape `(2,)`, of draw `name[indices]` at `step` (a tensor or int)."""
        key = tf.stack([tf.constant(self.seed, tf.int32), tf.cast(step, tf.int32)])
        key = tf.random.experimental.stateless_fold_in(key, stream_id(name))
        for index in indices:
            key = tf.random.experimental.stateless_fold_in(key, tf.cast(index, tf.int32))
        return key


class RandomDraws:
    """The draws of a model's train step (a mixin of `AdversarialModel`, which has `random`, a
    `RandomStreams`, and `step_counter`): this replica's rows of a global-batch draw of a named
    stream at this step, the same on 1 device and on R replicas."""

    def random_normal(self, name, shape, *indices):
        """This replica's rows of an N(0, 1) draw of stream `name` (at this step) for the global
        batch; `shape` is the local `(batch, ...)`. The same on 1 device and on R replicas."""
        key = self.random.key(name, self.step_counter, *indices)
        return distribute.global_batch_sample(lambda s: tf.random.stateless_normal(s, seed=key), shape)

    def random_uniform(self, name, shape, *indices, minval=-1.0, maxval=1.0):
        """This replica's rows of a U[minval, maxval) draw of stream `name` for the global batch."""
        key = self.random.key(name, self.step_counter, *indices)
        return distribute.global_batch_sample(
            lambda s: tf.random.stateless_uniform(s, seed=key, minval=minval, maxval=maxval), shape)

    def random_labels(self, name, batch_size, num_classes, *indices):
        """This replica's rows of int32 labels drawn uniformly from `[0, num_classes)` for the global batch."""
        key = self.random.key(name, self.step_counter, *indices)
        return distribute.global_batch_sample(
            lambda s: tf.random.stateless_uniform(s, seed=key, minval=0, maxval=num_classes, dtype=tf.int32),
            tf.reshape(batch_size, [1]),
        )
