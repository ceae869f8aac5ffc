"""Base class of the discriminator regularisers (gradient penalties, drift)."""

import tensorflow as tf

from keras_gans.utils.serialization import register


@register
class Penalty:
    """A term added to a player's loss: `weight * value`.

    Subclasses implement `compute(context)`, returning the unweighted scalar value (a mean over
    the batch) from a `keras_gans.models.StepContext`: the update's reals and fakes (as D sees
    them), D's outputs on them, `critic` (a callable `x -> D(x)` with `training=True` and any
    conditioning bound, for penalties that need gradients of D at other points: interpolates,
    perturbed reals), `seed` (a stateless RNG key, int32 shape `(2,)`, for the penalty's random
    draws, or None for TF's stateful ops), the generator's inputs and the updated player's
    `variables`. `player` says whose loss the term joins: "d" (the default: gradient penalties,
    drift) or "g" (generator regularisers such as `OrthogonalRegularization`).

    Distribution: `real` and `fake` are the replica's slice of the global batch. The model scales
    the returned batch mean by `1 / num_replicas_in_sync` like its losses, so the summed gradients
    are those of the global-batch mean; a penalty drawing random numbers with a `seed` draws the
    global batch's numbers and keeps the replica's rows (`distribute.global_batch_sample`), and a
    penalty using batch statistics takes them over the global batch (`distribute.global_mean`).

    Lazy regularisation (Karras et al. 2020, StyleGAN2 Sec. 3.1): with `interval=k > 1` the penalty is
    computed only on every k-th step of its player and multiplied by k there, so that its expected
    contribution is unchanged while costing 1/k of the compute.

    Args:
        weight: multiplier of the value in the player's loss.
        interval: compute every `interval` steps of the player (1 = every step).
        name: metric name the model reports the unweighted value under.
    """

    #: Whose loss the term is added to: "d" (discriminator) or "g" (generator).
    player = "d"
    default_name = "penalty"

    def __init__(self, weight=1.0, interval=1, name=None):
        if interval < 1:
            raise ValueError(f"interval must be >= 1, got {interval}")
        self.weight = float(weight)
        self.interval = int(interval)
        self.name = name or self.default_name

    def compute(self, context):
        """The unweighted value (a float32 scalar) for a `StepContext`."""
        raise NotImplementedError

    def __call__(self, context):
        """Returns `(weighted_term, value)`; both zero on the skipped steps of a lazy penalty."""
        step = context.step

        def value():
            return tf.cast(self.compute(context), tf.float32)

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
