"""Base class of the adversarial losses."""

import keras

from keras_gans.utils.serialization import register


@register
class GANLoss:
    """An adversarial objective: one loss for the discriminator, one for the generator.

    Both methods take the discriminator's raw outputs (logits, critic values or energies, any shape
    with the batch first) on a real batch and on a generated batch, and return a scalar: the mean
    over the batch. The generator loss takes the real outputs too, because relativistic losses need
    them; most losses ignore them. The math lives in small pure functions next to each subclass, so
    that it can be tested on fixed numbers; the classes only carry hyper-parameters and a name.

    Under a `tf.distribute` strategy each replica computes these means on its local batch; the GAN
    scales them by `1 / num_replicas_in_sync` before taking gradients, so the summed gradients are
    those of the global-batch mean. A statistic used inside a per-sample term (the relativistic
    losses' averages) must be a global-batch one: see `keras_gans.utils.distribute.global_mean`.
    """

    #: The string name the loss is known by (`keras_gans.losses.get(name)`).
    name = None

    #: Whether `generator_loss` reads `real_output` (relativistic losses). When False the GAN
    #: skips the discriminator pass on the real batch in the generator step and passes None.
    uses_real_in_generator_loss = False

    def realness(self, output):
        """Per-sample score, higher = judged more real (used by top-k generator updates)."""
        return output

    def discriminator_loss(self, real_output, fake_output):
        raise NotImplementedError

    def generator_loss(self, real_output, fake_output):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def reduce_mean(x):
    """Mean over every axis, in float32 (outputs of mixed-precision nets may be float16)."""
    return keras.ops.mean(keras.ops.cast(x, "float32"))


def as_float32(x):
    """`x` as a float32 tensor, so the losses are computed in float32 whatever the net's policy."""
    return keras.ops.cast(keras.ops.convert_to_tensor(x), "float32")
