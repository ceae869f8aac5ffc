"""The variational autoencoder's terms (Kingma & Welling 2014, arXiv 1312.6114), as VAE-GAN uses them."""

import tensorflow as tf


def gaussian_kl_divergence(mean, log_variance):
    """`KL(N(mean, diag(exp(log_variance))) || N(0, I))` per sample, in closed form:

    `0.5 * sum_j (exp(log_variance_j) + mean_j^2 - 1 - log_variance_j)` (the VAE's prior term,
    Kingma & Welling 2014, Appendix B), summed over the latent axis; shape `(batch,)`.
    """
    mean, log_variance = tf.cast(mean, tf.float32), tf.cast(log_variance, tf.float32)
    return 0.5 * tf.reduce_sum(tf.exp(log_variance) + tf.square(mean) - 1.0 - log_variance, axis=-1)


def reparameterize(mean, log_variance, noise):
    """`z = mean + exp(log_variance / 2) * noise` with `noise ~ N(0, I)`: a sample of q(z | x)
    through which gradients reach the mean and the log-variance (the reparameterisation trick)."""
    return tf.cast(mean, tf.float32) + tf.exp(0.5 * tf.cast(log_variance, tf.float32)) * noise


def squared_error_sum(targets, reconstructions):
    """`sum_i (targets_i - reconstructions_i)^2` per sample over every non-batch axis; shape `(batch,)`.

    Up to a constant, the negative log-likelihood of the targets under a Gaussian of variance 1/2
    centred on the reconstructions: VAE-GAN's `L_llike` when both are D's features of x and of
    its reconstruction, a plain VAE's when they are pixels.
    """
    difference = tf.cast(targets, tf.float32) - tf.cast(reconstructions, tf.float32)
    return tf.reduce_sum(tf.reshape(tf.square(difference), [tf.shape(difference)[0], -1]), axis=-1)
