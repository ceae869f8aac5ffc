"""The drift penalty of ProGAN, keeping a Wasserstein critic's outputs near zero."""

import tensorflow as tf

from keras_gans.penalties.penalty import Penalty
from keras_gans.utils.serialization import register


def drift_penalty_value(real_output):
    """`E[D(x)^2]` over every element of the critic's outputs on reals, in float32."""
    return tf.reduce_mean(tf.square(tf.cast(real_output, tf.float32)))


@register
class DriftPenalty(Penalty):
    """`weight * E[D(x)^2]` on reals (Karras et al. 2018, ProGAN, arXiv:1710.10196, Sec. A.1).

    The WGAN critic loss only sees differences of outputs, so they can drift far from zero; this
    small term (epsilon_drift = 0.001 in the paper) anchors them. Uses the outputs the GAN already
    computed: no extra pass of D.
    """

    default_name = "drift_penalty"

    def __init__(self, weight=0.001, name="drift_penalty"):
        super().__init__(weight=weight, interval=1, name=name)

    def compute(self, context):
        return drift_penalty_value(context.real_output)

    def get_config(self):
        return {"weight": self.weight, "name": self.name}
