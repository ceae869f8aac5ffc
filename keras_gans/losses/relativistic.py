"""Relativistic average GAN losses of Jolicoeur-Martineau 2018 (RaSGAN, RaHingeGAN)."""

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils import distribute
from keras_gans.utils.serialization import register


def _relative_logits(real_logits, fake_logits):
    """`(D(x) - E[D(G(z))], D(G(z)) - E[D(x)])`, the means taken over the whole (global) batch.

    Under a `tf.distribute` strategy the means `E[.]` are all-reduced over the replicas
    (`distribute.global_mean`), so that each replica compares its samples with the same averages a
    single device would; outside one (or on one replica) they are plain means.
    """
    real_logits = as_float32(real_logits)
    fake_logits = as_float32(fake_logits)
    return (
        real_logits - distribute.global_mean(fake_logits),
        fake_logits - distribute.global_mean(real_logits),
    )


def relativistic_average_discriminator_loss(real_logits, fake_logits):
    """`E[softplus(-dr)] + E[softplus(df)]` with `dr = D(x) - E[D(G(z))]`, `df = D(G(z)) - E[D(x)]`.

    That is `-E[log s(dr)] - E[log(1 - s(df))]`. Float32 scalar.
    """
    dr, df = _relative_logits(real_logits, fake_logits)
    return reduce_mean(ops.softplus(-dr)) + reduce_mean(ops.softplus(df))


def relativistic_average_generator_loss(real_logits, fake_logits):
    """`E[softplus(dr)] + E[softplus(-df)]`: the discriminator loss with real and fake swapped.

    That is `-E[log(1 - s(dr))] - E[log s(df)]`. Float32 scalar.
    """
    dr, df = _relative_logits(real_logits, fake_logits)
    return reduce_mean(ops.softplus(dr)) + reduce_mean(ops.softplus(-df))


def relativistic_average_hinge_discriminator_loss(real_logits, fake_logits):
    """`E[relu(1 - dr)] + E[relu(1 + df)]`. Float32 scalar."""
    dr, df = _relative_logits(real_logits, fake_logits)
    return reduce_mean(ops.relu(1.0 - dr)) + reduce_mean(ops.relu(1.0 + df))


def relativistic_average_hinge_generator_loss(real_logits, fake_logits):
    """`E[relu(1 + dr)] + E[relu(1 - df)]`. Float32 scalar."""
    dr, df = _relative_logits(real_logits, fake_logits)
    return reduce_mean(ops.relu(1.0 + dr)) + reduce_mean(ops.relu(1.0 - df))


@register
class RelativisticAverageLoss(GANLoss):
    """Relativistic average standard GAN loss, RaSGAN (Jolicoeur-Martineau 2018, arXiv:1807.00734).

    The discriminator estimates how much more realistic real data are than the average fake (and
    vice versa). With `C` the logit, `s` the sigmoid, `dr = C(x) - E_z[C(G(z))]` and
    `df = C(G(z)) - E_x[C(x)]`:

        L_D = -E_x[log s(dr)] - E_z[log(1 - s(df))]
        L_G = -E_z[log s(df)] - E_x[log(1 - s(dr))]

    computed with softplus. The averages inside `dr` and `df` are global-batch means under a
    `tf.distribute` strategy; the outer expectations are over the replica's batch (the GAN scales
    them by `1 / num_replicas_in_sync`). The generator loss needs the real outputs too.
    """

    name = "relativistic_average"

    uses_real_in_generator_loss = True

    def discriminator_loss(self, real_output, fake_output):
        return relativistic_average_discriminator_loss(real_output, fake_output)

    def generator_loss(self, real_output, fake_output):
        return relativistic_average_generator_loss(real_output, fake_output)


@register
class RelativisticAverageHingeLoss(GANLoss):
    """Relativistic average hinge loss, RaHingeGAN (Jolicoeur-Martineau 2018, arXiv:1807.00734).

    With `dr = C(x) - E_z[C(G(z))]` and `df = C(G(z)) - E_x[C(x)]`:

        L_D = E_x[max(0, 1 - dr)] + E_z[max(0, 1 + df)]
        L_G = E_x[max(0, 1 + dr)] + E_z[max(0, 1 - df)]

    The averages inside `dr` and `df` are global-batch means under a `tf.distribute` strategy; the
    outer expectations are over the replica's batch. The generator loss needs the real outputs too.
    """

    name = "relativistic_average_hinge"

    uses_real_in_generator_loss = True

    def discriminator_loss(self, real_output, fake_output):
        return relativistic_average_hinge_discriminator_loss(real_output, fake_output)

    def generator_loss(self, real_output, fake_output):
        return relativistic_average_hinge_generator_loss(real_output, fake_output)
