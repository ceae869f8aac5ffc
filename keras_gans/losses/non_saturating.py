"""The non-saturating GAN loss (the heuristic generator loss of Goodfellow et al. 2014)."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.losses.minimax import _check_label_smoothing, minimax_discriminator_loss
from keras_gans.utils.serialization import register


def non_saturating_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Same discriminator loss as the minimax GAN: binary cross-entropy, real -> 1, fake -> 0.

    See `minimax_discriminator_loss`. Returns a float32 scalar.
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


def non_saturating_generator_loss(fake_logits):
    """`-E[log sigmoid(D(G(z)))] = E[softplus(-D(G(z)))]`: the generator labels its samples real.

    Returns a float32 scalar.
    """
    return reduce_mean(ops.softplus(-as_float32(fake_logits)))


@register
class NonSaturatingLoss(GANLoss):
    """Non-saturating GAN loss (Goodfellow et al. 2014, arXiv:1406.2661, Sec. 3).

    With `D` the discriminator's logit and `s` the sigmoid:

        L_D = -E_x[log s(D(x))] - E_z[log(1 - s(D(G(z))))]
        L_G = -E_z[log s(D(G(z)))]

    computed as `softplus(-D(x))`, `softplus(D(G(z)))` and `softplus(-D(G(z)))`. Same fixed point as
    the minimax game, but strong generator gradients when the discriminator wins; the usual
    "vanilla GAN" / DCGAN loss.

    Args:
        label_smoothing: one-sided label smoothing of the discriminator's real target, which
            becomes `1 - label_smoothing` (Salimans et al. 2016, arXiv:1606.03498). Default 0.
    """

    name = "non_saturating"

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = _check_label_smoothing(label_smoothing)

    def discriminator_loss(self, real_output, fake_output):
        return non_saturating_discriminator_loss(real_output, fake_output, self.label_smoothing)

    def generator_loss(self, real_output, fake_output):
        return non_saturating_generator_loss(fake_output)

    def get_config(self):
        return {"label_smoothing": self.label_smoothing}
