"""BigGAN's orthogonal regularisation of the generator's weights, a generator-side penalty."""

import tensorflow as tf

from keras_gans.penalties.penalty import Penalty
from keras_gans.utils.serialization import register


def orthogonal_regularization_value(kernels):
    """`sum_W ||W^T W ⊙ (1 - I)||_F^2` over `kernels`, each reshaped to (fan_in, filters).

    Brock et al. 2019, "Large Scale GAN Training for High Fidelity Natural Image Synthesis" (BigGAN,
    arXiv 1809.11096), Eq. 3: only the off-diagonal cosine similarities of the filters are
    penalised, not their norms, which relaxes full orthogonality and makes G amenable to the
    truncation trick.
    """
    total = tf.constant(0.0, tf.float32)
    for kernel in kernels:
        w = tf.reshape(tf.cast(kernel, tf.float32), [-1, kernel.shape[-1]])
        gram = tf.matmul(w, w, transpose_a=True)
        off_diagonal = gram * (1.0 - tf.eye(tf.shape(gram)[0]))
        total = total + tf.reduce_sum(tf.square(off_diagonal))
    return total


@register
class OrthogonalRegularization(Penalty):
    """`weight * sum_W ||W^T W ⊙ (1 - I)||_F^2` over the generator's kernels (BigGAN, beta = 1e-4).

    A generator regulariser (`player = "g"`): the model adds it to the generator loss, with the
    generator's trainable variables in `context.variables`. Kernels are the dense and convolution
    kernels (variables named `kernel`); biases, norms' scales and class tables (embeddings,
    conditional batch norm's per-class gains) are left out, as BigGAN's code leaves out its shared
    class embedding: a table of N(0, 1) rows is far from orthogonal and the term would shrink it.
    """

    player = "g"
    default_name = "orthogonal_regularization"

    def __init__(self, weight=1e-4, interval=1, name="orthogonal_regularization"):
        super().__init__(weight=weight, interval=interval, name=name)

    def compute(self, context):
        kernels = [v for v in context.variables if len(v.shape) >= 2 and v.name.split("/")[-1] == "kernel"]
        return orthogonal_regularization_value(kernels)
