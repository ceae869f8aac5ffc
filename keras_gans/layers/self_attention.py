"""Self-attention over the positions of a feature map: SAGAN's attention block."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class SelfAttention2D(keras.layers.Layer):
    """`y = x + gamma * o(softmax(q(x) k(x)^T) v(x))`, attention of every position over all positions.

    Zhang et al. 2019 (SAGAN, arXiv 1805.08318, Sec. 3): 1x1 convolutions make queries and keys
    of `channels / key_ratio` features and values of `channels / value_ratio`; each position's
    output is the softmax-weighted sum of the values of all positions, mapped back to `channels`
    by a 1x1 convolution `o` and scaled by a learned scalar `gamma` that starts at 0, so that a
    network starts from its convolutional (local) features and learns how much global context to
    add. `spectral_norm` wraps the four convolutions in our `SpectralNormalization` (SAGAN puts it
    in both G and D).

    Input and output: `(batch, height, width, channels)`; the attention matrix is
    `(batch, height * width, height * width)` (use it at 16x16 or below on CPU).
    """

    def __init__(self, key_ratio=8, value_ratio=2, spectral_norm=False, **kwargs):
        super().__init__(**kwargs)
        self.key_ratio, self.value_ratio = int(key_ratio), int(value_ratio)
        self.spectral_norm = bool(spectral_norm)

    def _conv(self, filters, name):
        layer = keras.layers.Conv2D(filters, 1, use_bias=False, dtype=self.dtype_policy, name=name)
        if not self.spectral_norm:
            return layer
        from keras_gans.layers.spectral_normalization import SpectralNormalization

        return SpectralNormalization(layer, name=f"{name}_sn")

    def build(self, input_shape):
        channels = int(input_shape[-1])
        keys, values = max(1, channels // self.key_ratio), max(1, channels // self.value_ratio)
        self.query = self._conv(keys, "query")
        self.key = self._conv(keys, "key")
        self.value = self._conv(values, "value")
        self.attention_output = self._conv(channels, "attention_output")
        for layer in (self.query, self.key, self.value):
            layer.build(input_shape)
        self.attention_output.build((*input_shape[:-1], values))
        self.gamma = self.add_weight(shape=(), initializer="zeros", name="gamma")

    def call(self, inputs, training=None):
        batch = ops.shape(inputs)[0]
        height, width = inputs.shape[1], inputs.shape[2]

        def positions(layer):
            features = layer(inputs, training=training)
            return ops.reshape(features, (batch, height * width, features.shape[-1]))

        query, key, value = positions(self.query), positions(self.key), positions(self.value)
        attention = ops.softmax(ops.matmul(query, ops.transpose(key, (0, 2, 1))), axis=-1)
        attended = ops.reshape(ops.matmul(attention, value), (batch, height, width, value.shape[-1]))
        return inputs + ops.cast(self.gamma, inputs.dtype) * self.attention_output(attended, training=training)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "key_ratio": self.key_ratio, "value_ratio": self.value_ratio,
                "spectral_norm": self.spectral_norm}
