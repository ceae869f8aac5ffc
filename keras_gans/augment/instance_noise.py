"""Instance noise: Gaussian noise added to every input of the discriminator."""

import tensorflow as tf

from keras_gans.augment.transform import DInputTransform
from keras_gans.utils import distribute
from keras_gans.utils.serialization import register


@register
class InstanceNoise(DInputTransform):
    """Adds N(0, sigma_t^2) noise to every discriminator input, annealed linearly to zero.

    Sønderby et al. 2017 (arXiv 1610.04490, Sec. 5) and Arjovsky & Bottou 2017 (arXiv 1701.04862):
    when the real and generated distributions have disjoint supports the discriminator saturates
    and its gradients vanish; convolving both with the same noise makes the supports overlap.
    `sigma_t = stddev * max(0, 1 - t / anneal_steps)` with `t` the generator step
    (`anneal_steps=None` keeps the noise constant).
    """

    def __init__(self, stddev=0.1, anneal_steps=None):
        self.stddev = float(stddev)
        self.anneal_steps = None if anneal_steps is None else int(anneal_steps)

    def stddev_at(self, step):
        stddev = tf.constant(self.stddev, tf.float32)
        if self.anneal_steps:
            progress = tf.cast(step, tf.float32) / float(self.anneal_steps)
            stddev = stddev * tf.maximum(0.0, 1.0 - progress)
        return stddev

    def __call__(self, x, step, seed=None):
        """`x` plus the noise of generator step `step`.

        With a stateless `seed` (what `GAN` passes) the noise of the whole global batch is drawn
        from it and each replica adds its own rows, so 2 replicas add what 1 device would.
        """
        stddev = tf.cast(self.stddev_at(step), x.dtype)
        if seed is None:
            noise = tf.random.normal(tf.shape(x), dtype=x.dtype)
        else:
            noise = distribute.global_batch_sample(
                lambda shape: tf.random.stateless_normal(shape, seed=seed, dtype=x.dtype), tf.shape(x)
            )
        return x + stddev * noise

    def get_config(self):
        return {"stddev": self.stddev, "anneal_steps": self.anneal_steps}
