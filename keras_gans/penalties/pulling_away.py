"""EBGAN's pulling-away term, a generator regulariser against mode collapse."""

import tensorflow as tf

from keras_gans.penalties.penalty import Penalty
from keras_gans.utils import distribute
from keras_gans.utils.serialization import register

#: The discriminator head holding the codes of the autoencoder discriminator.
CODE_HEAD = "code"


def pulling_away_value(codes):
    """`f_PT(S) = 1 / (N (N - 1)) sum_{i != j} (s_i . s_j / (|s_i| |s_j|))^2` over the rows of
    `codes` (N, ...) (Zhao et al. 2017, "Energy-based Generative Adversarial Network", Eq. 5).

    Computed as `(||sum_i u_i u_i^T||_F^2 - N) / (N (N - 1))` with u_i = s_i / |s_i|: the outer
    products are summed over the global batch (`distribute.global_sum`), so that N replicas
    compute the term of the whole batch, not of their slices.
    """
    flat = tf.reshape(tf.cast(codes, tf.float32), [tf.shape(codes)[0], -1])
    units = tf.math.l2_normalize(flat, axis=1)
    gram, count = distribute.global_sum([tf.matmul(units, units, transpose_a=True), tf.shape(units)[0]])
    return (tf.reduce_sum(tf.square(gram)) - count) / tf.maximum(count * (count - 1.0), 1.0)


@register
class PullingAway(Penalty):
    """`weight * f_PT` of the fakes' codes in the generator's loss (EBGAN-PT; the paper's weight 0.1).

    It needs a discriminator that outputs its code: the autoencoder discriminator with
    `code_output=True` (outputs `{"logits": energy, "code": code}`).
    """

    player = "g"
    default_name = "pulling_away"

    def __init__(self, weight=0.1, interval=1, name="pulling_away"):
        super().__init__(weight=weight, interval=interval, name=name)

    def compute(self, context):
        heads = (context.heads or {}).get("fake")
        if not isinstance(heads, dict) or CODE_HEAD not in heads:
            raise ValueError("the pulling-away term reads the discriminator's 'code' output: use the autoencoder "
                             "discriminator with code_output: true")
        return pulling_away_value(heads[CODE_HEAD])
