"""Base class of the discriminator regularisers (gradient penalties, drift)."""

import tensorflow as tf

from keras_gans.utils.serialization import register


@register
class Penalty:
    """A term added to the discriminator loss: `weight * value`.

    Subclasses implement `compute(critic, real, fake, real_output, fake_output)`, returning the
    unweighted scalar value (a mean over the batch). `critic` is a callable `x -> D(x)` (with
    `training=True` and any conditioning already bound), so penalties that need gradients of D at
    other points (interpolates, perturbed reals) can call it inside their own `GradientTape`.

    Lazy regularisation (Karras et al. 2020, StyleGAN2 Sec. 3.1): with `interval=k > 1` the penalty is
    computed only on every k-th discriminator step and multiplied by k there, so that its expected
    contribution is unchanged while costing 1/k of the compute.

    Args:
        weight: multiplier of the value in the discriminator loss.
        interval: compute every `interval` discriminator steps (1 = every step).
        name: metric name the GAN reports the unweighted value under.
    """

    default_name = "penalty"

    def __init__(self, weight=1.0, interval=1, name=None):
        if interval < 1:
            raise ValueError(f"interval must be >= 1, got {interval}")
        self.weight = float(weight)
        self.interval = int(interval)
        self.name = name or self.default_name

    def compute(self, critic, real, fake, real_output, fake_output):
        raise NotImplementedError

    def __call__(self, critic, real, fake, real_output, fake_output, step=None):
        """Returns `(weighted_term, value)`; both zero on the skipped steps of a lazy penalty."""

        def value():
            return tf.cast(self.compute(critic, real, fake, real_output, fake_output), tf.float32)

        if self.interval == 1 or step is None:
            v = value()
            return self.weight * v, v
        active = tf.equal(tf.math.floormod(tf.cast(step, tf.int64), self.interval), 0)
        v = tf.cond(active, value, lambda: tf.constant(0.0, tf.float32))
        return (self.weight * self.interval) * v, v

    def get_config(self):
        return {"weight": self.weight, "interval": self.interval, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
