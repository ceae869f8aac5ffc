"""Stacked MNIST: three bundled digits drawn independently, stacked as the R, G, B channels.

Metz et al. 2017 ("Unrolled Generative Adversarial Networks", arXiv 1611.02163) made this the
standard mode-collapse benchmark on images: with ten digits per channel there are 10^3 = 1000
modes, the triples `(d_R, d_G, d_B)`, each with probability 1/1000 in the data. A generator that
misses digit combinations (the channels are not independent in its samples) covers fewer modes;
`keras_gans.metrics.stacked_mnist` counts them with the bundled classifier, channel by channel.

The transform, for the bundled 10,000 digits `x_0 .. x_9999` (uint8, 28x28) and index triples
`(i, j, k)` drawn uniformly and independently (with replacement):

    stacked = concat([x_i, x_j, x_k], axis=-1)    # (28, 28, 3), mode 100 * y_i + 10 * y_j + y_k

The triples come from stateless random draws keyed on `(seed, batch number)`, so the stream never
repeats (10^12 possible triples; no finite pool to memorise) and is the same after a resume.
"""

import numpy as np
import tensorflow as tf

from keras_gans.data.datasets import check_batch_size, prefetched
from keras_gans.data.mnist import load_mnist

#: The data config name (`{"name": "stacked_mnist"}`) and the shape of one sample.
NAME = "stacked_mnist"
CHANNELS = 3
SHAPE = (28, 28, CHANNELS)


def mode_ids(digits):
    """The mode ids `100 * d_R + 10 * d_G + d_B` in [0, 1000) of `(n, 3)` digit triples (NumPy or TF)."""
    return digits[:, 0] * 100 + digits[:, 1] * 10 + digits[:, 2]


def stack_digits(images, labels, triples):
    """Stacks digits as channels: `(stacked uint8 (n, 28, 28, 3), int mode ids (n,))`.

    Args:
        images: `(N, 28, 28)` (or `(N, 28, 28, 1)`) uint8 digits; `labels` their `(N,)` classes.
        triples: `(n, 3)` int indices into `images`: channel c of image m is `images[triples[m, c]]`.
    """
    images, labels, triples = np.asarray(images), np.asarray(labels), np.asarray(triples)
    if images.ndim == 4:
        images = images[..., 0]
    if triples.ndim != 2 or triples.shape[1] != CHANNELS:
        raise ValueError(f"triples must have shape (n, {CHANNELS}), got {triples.shape}")
    stacked = np.stack([images[triples[:, c]] for c in range(CHANNELS)], axis=-1)
    return stacked, mode_ids(labels[triples].astype("int64"))


def stacked_mnist_dataset(batch_size, with_labels=False, seed=0):
    """Infinite batches of stacked digits, float32 `(batch, 28, 28, 3)` in [-1, 1].

    With `with_labels=True` the elements are `(images, int32 mode ids)`, `100 * d_R + 10 * d_G +
    d_B` in [0, 1000). Every batch is drawn fresh (stateless, keyed on `(seed, batch number)`).
    """
    check_batch_size(batch_size)
    images, labels = load_mnist()
    images = tf.constant(images[..., np.newaxis])  # (N, 28, 28, 1) uint8: 7.8 MB
    labels = tf.constant(labels.astype("int32"))
    seed = tf.constant(seed, "int64")

    def draw(step):
        triples = tf.random.stateless_uniform([batch_size, CHANNELS], tf.stack([seed, step]), 0, len(labels),
                                              dtype="int32")
        stacked = tf.concat([tf.gather(images, triples[:, c]) for c in range(CHANNELS)], axis=-1)
        stacked = tf.cast(stacked, "float32") / 127.5 - 1.0
        return (stacked, mode_ids(tf.gather(labels, triples))) if with_labels else stacked

    return prefetched(tf.data.Dataset.counter().map(draw, num_parallel_calls=tf.data.AUTOTUNE))
