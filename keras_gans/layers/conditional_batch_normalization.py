"""Class-conditional batch normalisation: a per-class gain and bias after batch statistics."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class ConditionalBatchNormalization(keras.layers.Layer):
    """`gamma[y] * BN(x) + beta[y]`: batch normalisation whose scale and shift are chosen by the label.

    De Vries et al. 2017 ("Modulating early visual processing by language", arXiv 1707.00683) and
    Miyato & Koyama 2018 (cGANs with projection discriminator, arXiv 1802.05637): the generator's
    batch normalisations take a per-class gain and bias, an embedding of the label (gain
    initialised to 1, bias to 0, so a fresh layer is plain batch normalisation). The statistics are
    the global batch's (synchronized over replicas; moving averages at inference), shared by every
    class.

    Called on `[x, labels]`: `x` is `(batch, ..., channels)`, `labels` int `(batch,)`.

    Args:
        num_classes: number of labels.
        momentum, epsilon: of the underlying `BatchNormalization` (which has no scale or centre).
    """

    def __init__(self, num_classes, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.num_classes = int(num_classes)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.batch_norm = keras.layers.BatchNormalization(momentum=momentum, epsilon=epsilon, center=False,
                                                          scale=False, synchronized=True, dtype=self.dtype_policy)

    def build(self, input_shape):
        x_shape = input_shape[0]
        channels = x_shape[-1]
        self.batch_norm.build(x_shape)
        self.gamma = self.add_weight(name="gamma", shape=(self.num_classes, channels), initializer="ones")
        self.beta = self.add_weight(name="beta", shape=(self.num_classes, channels), initializer="zeros")

    def call(self, inputs, training=None):
        x, labels = inputs
        normalized = self.batch_norm(x, training=training)
        labels = ops.cast(ops.reshape(labels, (-1,)), "int32")
        broadcast = (-1,) + (1,) * (len(x.shape) - 2) + (x.shape[-1],)
        gamma = ops.reshape(ops.take(self.gamma, labels, axis=0), broadcast)
        beta = ops.reshape(ops.take(self.beta, labels, axis=0), broadcast)
        return ops.cast(gamma, normalized.dtype) * normalized + ops.cast(beta, normalized.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes, "momentum": self.momentum,
                "epsilon": self.epsilon}
