"""InfoGAN's variational lower bound on the mutual information between codes and samples."""

import math

import keras
import tensorflow as tf


def categorical_mutual_information(codes, logits):
    """`L_I = H(c) + E[log Q(c | x)]` for a uniform categorical code: `log K - CE(c, Q(x))`.

    Chen et al. 2016 (InfoGAN, arXiv 1606.03657, Eq. 5): a lower bound on I(c; G(z, c)); it
    reaches `log K` (K categories) when Q recovers every code.

    Args:
        codes: int `(batch,)` categories the samples were generated with.
        logits: `(batch, K)` Q's logits for them.
    """
    logits = tf.cast(logits, tf.float32)
    cross_entropy = keras.losses.sparse_categorical_crossentropy(codes, logits, from_logits=True)
    return math.log(logits.shape[-1]) - tf.reduce_mean(cross_entropy)


def gaussian_code_log_likelihood(codes, means):
    """`E[log N(c; mu, 1)]` summed over the continuous codes: the part of the continuous codes' bound
    that Q and G can change (`H(c)` of the uniform prior is a constant)."""
    codes, means = tf.cast(codes, tf.float32), tf.cast(means, tf.float32)
    per_code = -0.5 * tf.square(codes - means) - 0.5 * math.log(2.0 * math.pi)
    return tf.reduce_mean(tf.reduce_sum(per_code, axis=-1))
