"""The original (minimax) GAN loss of Goodfellow et al. 2014."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register


def sigmoid_cross_entropy(logits, target):
    """Elementwise binary cross-entropy of `sigmoid(logits)` against a constant `target` in [0, 1].

    `-target * log(sigmoid(x)) - (1 - target) * log(1 - sigmoid(x))`, written with
    `-log(sigmoid(x)) = softplus(-x)` and `-log(1 - sigmoid(x)) = softplus(x)`, which stay finite
    (with finite gradients) at any logit.
    """
    logits = as_float32(logits)
    return target * ops.softplus(-logits) + (1.0 - target) * ops.softplus(logits)


def _check_label_smoothing(label_smoothing):
    label_smoothing = float(label_smoothing)
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"`label_smoothing` must be in [0, 1), got {label_smoothing}.")
    return label_smoothing


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """Discriminator loss of the standard GAN: binary cross-entropy, real -> 1, fake -> 0.

    `E_real[BCE(x, 1 - label_smoothing)] + E_fake[BCE(x, 0)]`, i.e. with `label_smoothing=0`,
    `E[softplus(-D(x))] + E[softplus(D(G(z)))]`, which is
    `-E[log sigmoid(D(x))] - E[log(1 - sigmoid(D(G(z))))]`.
    Smoothing is one-sided (only the real target is lowered, Salimans et al. 2016).

    Args:
        real_logits: raw discriminator outputs on a real batch, any shape with the batch first.
        fake_logits: raw discriminator outputs on a generated batch.
        label_smoothing: float in [0, 1); the real target becomes `1 - label_smoothing`.

    Returns:
        A float32 scalar.
    """
    real_target = 1.0 - label_smoothing
    return reduce_mean(sigmoid_cross_entropy(real_logits, real_target)) + reduce_mean(
        sigmoid_cross_entropy(fake_logits, 0.0)
    )


def minimax_generator_loss(fake_logits):
    """Saturating generator loss: `E[log(1 - sigmoid(D(G(z))))] = -E[softplus(D(G(z)))]`.

    The generator minimises it, i.e. plays the exact minimax game. Its gradient vanishes when the
    discriminator confidently rejects the samples (large negative logits), hence "saturating".

    Returns:
        A float32 scalar.
    """
    return -reduce_mean(ops.softplus(as_float32(fake_logits)))


@register
class MinimaxLoss(GANLoss):
    """The original minimax GAN loss (Goodfellow et al. 2014, arXiv:1406.2661).

    With `D` the discriminator's logit and `s` the sigmoid:

        L_D = -E_x[log s(D(x))] - E_z[log(1 - s(D(G(z))))]
        L_G =  E_z[log(1 - s(D(G(z))))]

    computed as `softplus(-D(x))`, `softplus(D(G(z)))` and `-softplus(D(G(z)))`. The generator loss
    saturates early in training; see `NonSaturatingLoss` for the variant used in practice.

    Args:
        label_smoothing: one-sided label smoothing of the discriminator's real target, which
            becomes `1 - label_smoothing` (Salimans et al. 2016, arXiv:1606.03498). Default 0.
    """

    name = "minimax"

    def __init__(self, label_smoothing=0.0):
        self.label_smoothing = _check_label_smoothing(label_smoothing)

    def discriminator_loss(self, real_output, fake_output):
        return minimax_discriminator_loss(real_output, fake_output, self.label_smoothing)

    def generator_loss(self, real_output, fake_output):
        return minimax_generator_loss(fake_output)

    def get_config(self):
        return {"label_smoothing": self.label_smoothing}
