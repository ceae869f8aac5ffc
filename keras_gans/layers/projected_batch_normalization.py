"""Batch normalisation whose gain and bias are linear functions of a conditioning vector (BigGAN)."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class ProjectedBatchNormalization(keras.layers.Layer):
    """`(1 + W_g c) * BN(x) + W_b c`: batch normalisation modulated by a conditioning vector `c`.

    BigGAN (Brock et al. 2019, arXiv 1809.11096, Sec. 3 and Appendix B): every batch norm of the
    generator takes its gain and bias from linear projections of `c`, the shared class embedding
    joined to this block's chunk of z (the hierarchical latent). The projections start at zero, so
    a fresh layer is plain batch normalisation. Statistics are the global batch's (synchronized
    over replicas; moving averages at inference). `ConditionalBatchNormalization` is the label
    lookup form of the same idea.

    Called on `[x, c]`: `x` is `(batch, ..., channels)`, `c` is `(batch, features)`.

    Args:
        momentum, epsilon: of the underlying `BatchNormalization` (which has no scale or centre).
    """

    def __init__(self, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.batch_norm = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, center=False,
                                                          scale=False, synchronized=True, dtype=self.dtype_policy)

    def build(self, input_shape):
        x_shape, c_shape = input_shape
        channels = x_shape[-1]
        self.batch_norm.build(x_shape)
        self.gain = keras.layers.Dense(channels, use_bias=False, kernel_initializer="zeros", name="gain",
                                       dtype=self.dtype_policy)
        self.bias = keras.layers.Dense(channels, use_bias=False, kernel_initializer="zeros", name="bias",
                                       dtype=self.dtype_policy)
        self.gain.build(c_shape)
        self.bias.build(c_shape)

    def call(self, inputs, training=None):
        x, c = inputs
        normalized = self.batch_norm(x, training=training)
        broadcast = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gain = ops.reshape(1.0 + self.gain(c), broadcast)
        bias = ops.reshape(self.bias(c), broadcast)
        return ops.cast(gain, normalized.dtype) * normalized + ops.cast(bias, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "epsilon": self.epsilon}
