"""The least-squares GAN loss of Mao et al. 2017."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register


def least_squares_discriminator_loss(real_output, fake_output, a=0.0, b=1.0):
    """`0.5 E[(D(x) - b)^2] + 0.5 E[(D(G(z)) - a)^2]`. Float32 scalar."""
    return 0.5 * reduce_mean(ops.square(as_float32(real_output) - b)) + 0.5 * reduce_mean(
        ops.square(as_float32(fake_output) - a)
    )


def least_squares_generator_loss(fake_output, c=1.0):
    """`0.5 E[(D(G(z)) - c)^2]`. Float32 scalar."""
    return 0.5 * reduce_mean(ops.square(as_float32(fake_output) - c))


@register
class LeastSquaresLoss(GANLoss):
    """Least-squares GAN loss (Mao et al. 2017, arXiv:1611.04076).

    With `D` the discriminator's raw (linear) output:

        L_D = 1/2 E_x[(D(x) - b)^2] + 1/2 E_z[(D(G(z)) - a)^2]
        L_G = 1/2 E_z[(D(G(z)) - c)^2]

    Args:
        a: target of the discriminator for fake samples. Default 0.
        b: target of the discriminator for real samples. Default 1.
        c: value the generator wants the discriminator to output on fakes. Default 1.
            The paper's `a=-1, b=1, c=0` minimises the Pearson chi^2 divergence; the default
            `a=0, b=c=1` is the "0-1 coding" it also recommends.
    """

    name = "least_squares"

    def __init__(self, a=0.0, b=1.0, c=1.0):
        self.a = float(a)
        self.b = float(b)
        self.c = float(c)

    def discriminator_loss(self, real_output, fake_output):
        return least_squares_discriminator_loss(real_output, fake_output, self.a, self.b)

    def generator_loss(self, real_output, fake_output):
        return least_squares_generator_loss(fake_output, self.c)

    def get_config(self):
        return {"a": self.a, "b": self.b, "c": self.c}
