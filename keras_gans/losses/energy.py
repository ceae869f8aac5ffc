"""The energy-based GAN loss of Zhao et al. 2017 (EBGAN)."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register


def energy_discriminator_loss(real_energy, fake_energy, margin=1.0):
    """`E[E(x)] + E[relu(margin - E(G(z)))]`. Float32 scalar."""
    return reduce_mean(as_float32(real_energy)) + reduce_mean(
        ops.relu(margin - as_float32(fake_energy))
    )


def energy_generator_loss(fake_energy):
    """`E[E(G(z))]`. Float32 scalar."""
    return reduce_mean(as_float32(fake_energy))


@register
class EnergyLoss(GANLoss):
    """Energy-based GAN loss (Zhao, Mathieu & LeCun 2017, arXiv:1609.03126).

    The discriminator outputs a non-negative energy `E` per sample (in EBGAN, the reconstruction
    mean squared error of an autoencoder), low on real data and high on fakes:

        L_D = E_x[E(x)] + E_z[max(0, m - E(G(z)))]
        L_G = E_z[E(G(z))]

    Args:
        margin: the margin `m` (> 0). Fake samples with energy above `m` no longer push the
            discriminator. Its right value depends on the data and the energy's scale (the paper
            tunes it per data set); the default 1.0 is only a starting point.
    """

    name = "energy"

    def __init__(self, margin=1.0):
        margin = float(margin)
        if margin <= 0.0:
            raise ValueError(f"`margin` must be positive, got {margin}.")
        self.margin = margin

    def realness(self, output):
        """Low energy means real."""
        return -output

    def discriminator_loss(self, real_output, fake_output):
        return energy_discriminator_loss(real_output, fake_output, self.margin)

    def generator_loss(self, real_output, fake_output):
        return energy_generator_loss(fake_output)

    def get_config(self):
        return {"margin": self.margin}
