"""The hinge GAN loss (Geometric GAN, Lim & Ye 2017; SN-GAN, Miyato et al. 2018)."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register


def hinge_discriminator_loss(real_output, fake_output):
    """`E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]`. Float32 scalar."""
    return reduce_mean(ops.relu(1.0 - as_float32(real_output))) + reduce_mean(
        ops.relu(1.0 + as_float32(fake_output))
    )


def hinge_generator_loss(fake_output):
    """`-E[D(G(z))]`. Float32 scalar."""
    return -reduce_mean(as_float32(fake_output))


@register
class HingeLoss(GANLoss):
    """Hinge GAN loss (Lim & Ye 2017, arXiv:1705.02894; Miyato et al. 2018, arXiv:1802.05957).

    With `D` the discriminator's raw output:

        L_D = E_x[max(0, 1 - D(x))] + E_z[max(0, 1 + D(G(z)))]
        L_G = -E_z[D(G(z))]

    The loss of SN-GAN, SAGAN and BigGAN.
    """

    name = "hinge"

    def discriminator_loss(self, real_output, fake_output):
        return hinge_discriminator_loss(real_output, fake_output)

    def generator_loss(self, real_output, fake_output):
        return hinge_generator_loss(fake_output)
