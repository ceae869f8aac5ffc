"""The Wasserstein GAN loss of Arjovsky et al. 2017."""

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register


def wasserstein_discriminator_loss(real_output, fake_output):
    """Critic loss `E[D(G(z))] - E[D(x)]` (minus the Wasserstein-1 estimate). Float32 scalar."""
    return reduce_mean(as_float32(fake_output)) - reduce_mean(as_float32(real_output))


def wasserstein_generator_loss(fake_output):
    """Generator loss `-E[D(G(z))]`. Float32 scalar."""
    return -reduce_mean(as_float32(fake_output))


@register
class WassersteinLoss(GANLoss):
    """Wasserstein GAN loss (Arjovsky, Chintala & Bottou 2017, arXiv:1701.07875).

    The discriminator is a critic with unbounded real outputs `D`:

        L_D = E_z[D(G(z))] - E_x[D(x)]
        L_G = -E_z[D(G(z))]

    `-L_D` estimates the Wasserstein-1 distance only if `D` is (close to) 1-Lipschitz: pair this
    loss with weight clipping, a gradient penalty (Gulrajani et al. 2017) or spectral normalisation.
    """

    name = "wasserstein"

    def discriminator_loss(self, real_output, fake_output):
        return wasserstein_discriminator_loss(real_output, fake_output)

    def generator_loss(self, real_output, fake_output):
        return wasserstein_generator_loss(fake_output)
