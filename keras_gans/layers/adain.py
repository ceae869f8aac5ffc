"""Adaptive instance normalisation: StyleGAN's way of applying a style w to feature maps."""

import keras
from keras import ops

from keras_gans.layers.equalized_learning_rate import checked_lr_multiplier, equalized_scale
from keras_gans.utils.serialization import register


def instance_normalize(x, epsilon=1e-8):
    """`(x - mean) / sqrt(var + epsilon)` over the spatial axes of channels-last `x`, per sample
    and channel, in float32."""
    x = ops.cast(x, "float32")
    mean = ops.mean(x, axis=(1, 2), keepdims=True)
    x = x - mean
    return x * ops.rsqrt(ops.mean(ops.square(x), axis=(1, 2), keepdims=True) + epsilon)


@register
class AdaIN(keras.layers.Layer):
    """`y_s * instance_norm(x) + y_b`, where the style `(y_s, y_b)` is an affine map of w.

    StyleGAN (Karras et al. 2019, arXiv:1812.04948, Eq. 1; Huang and Belongie 2017): after every
    convolution of the synthesis network each feature map is normalised to zero mean and unit
    variance (per sample), then scaled and shifted by the style, a learned affine transform "A" of
    w with one `(y_s, y_b)` pair per channel. The normalisation makes each style control one
    convolution only; the next AdaIN overrides it.

    The affine maps use an equalized learning rate with gain 1 (weights N(0, 1) times
    `1 / sqrt(w_dim)`), and their biases start at 1 for `y_s` and 0 for `y_b`, so that a fresh
    layer is about `instance_norm(x)` (the official code's `x * (style + 1)`). `lr_multiplier`
    (StyleGAN's `lrmul`, as `EqualizedDense`'s) stores the maps' weights and biases divided by
    it and multiplies them back at run time: the same layer at the start, and every optimizer
    step moves the styles `lr_multiplier` times as far. Adam moves each weight by about its
    learning rate per step whatever its scale, so at 2e-4 a gain of 1 needs some 10,000 steps to
    change sign; a conditional norm that must learn per-domain gains (StarGAN's) needs more.

    Called on `[x, w]`: `x` is `(batch, height, width, channels)`, `w` is `(batch, w_dim)`, or the
    per-layer styles `(batch, num_styles, w_dim)` of a style-mixing generator, of which row
    `style_index` is used. Normalisation in float32 (epsilon 1e-8 as the paper's code), the result
    cast to the compute dtype.

    Args:
        style_index: the row of a `(batch, num_styles, w_dim)` w to use; None for `(batch, w_dim)`.
        epsilon: added to the variance.
        lr_multiplier: the relative learning rate of the affine maps (a positive number).
    """

    def __init__(self, style_index=None, epsilon=1e-8, lr_multiplier=1.0, **kwargs):
        super().__init__(**kwargs)
        self.style_index = None if style_index is None else int(style_index)
        self.epsilon = float(epsilon)
        self.lr_multiplier = checked_lr_multiplier(lr_multiplier)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        if (len(w_shape) == 3) != (self.style_index is not None):
            raise ValueError(
                f"AdaIN takes w of shape (batch, w_dim), or (batch, num_styles, w_dim) with a style_index; "
                f"got w of shape {tuple(w_shape)} and style_index={self.style_index}"
            )
        channels, w_dim = int(x_shape[-1]), int(w_shape[-1])
        self.style_scale = equalized_scale(w_dim, 1.0, self.lr_multiplier)
        normal = keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier)
        self.scale_kernel = self.add_weight(shape=(w_dim, channels), initializer=normal, name="scale_kernel")
        self.scale_bias = self.add_weight(shape=(channels,), initializer=keras.initializers.Constant(
            1.0 / self.lr_multiplier), name="scale_bias")
        self.shift_kernel = self.add_weight(shape=(w_dim, channels), initializer=normal, name="shift_kernel")
        self.shift_bias = self.add_weight(shape=(channels,), initializer="zeros", name="shift_bias")

    def styles(self, w):
        """`(y_s, y_b)`, each `(batch, channels)`, for the w given to `call`."""
        if self.style_index is not None:
            w = w[:, self.style_index]
        y_s = ops.matmul(w, self.scale_kernel * self.style_scale) + self.scale_bias * self.lr_multiplier
        y_b = ops.matmul(w, self.shift_kernel * self.style_scale) + self.shift_bias * self.lr_multiplier
        return y_s, y_b

    def call(self, inputs):
        x, w = inputs
        y_s, y_b = self.styles(w)
        y_s = ops.cast(y_s[:, None, None, :], "float32")
        y_b = ops.cast(y_b[:, None, None, :], "float32")
        return ops.cast(y_s * instance_normalize(x, self.epsilon) + y_b, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "style_index": self.style_index, "epsilon": self.epsilon,
                "lr_multiplier": self.lr_multiplier}
