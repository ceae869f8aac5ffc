"""Equalized learning rate (ProGAN / StyleGAN): N(0, 1) weights scaled at run time by He's constant."""

import math

import keras
from keras import ops

from keras_gans.utils.serialization import register

#: He's gain for (leaky) ReLU layers, the default of both layers.
RELU_GAIN = math.sqrt(2.0)


def checked_lr_multiplier(value, name="lr_multiplier"):
    """`value` as a float, or a ValueError naming the option `name` unless it is positive."""
    if float(value) <= 0:
        raise ValueError(f"{name} must be positive, got {value}")
    return float(value)


def equalized_scale(fan_in, gain=RELU_GAIN, lr_multiplier=1.0):
    """The run-time weight multiplier `gain / sqrt(fan_in) * lr_multiplier`."""
    return float(gain) / math.sqrt(fan_in) * float(lr_multiplier)


class _Equalized(keras.layers.Layer):
    """What the equalized layers share: their options, weights and config."""

    def __init__(self, gain=RELU_GAIN, lr_multiplier=1.0, use_bias=True, bias_init=0.0, **kwargs):
        super().__init__(**kwargs)
        self.gain = float(gain)
        self.lr_multiplier = checked_lr_multiplier(lr_multiplier)
        self.use_bias = bool(use_bias)
        self.bias_init = float(bias_init)

    def _add_weights(self, kernel_shape, fan_in):
        self.scale = equalized_scale(fan_in, self.gain, self.lr_multiplier)
        # Stored weights ~ N(0, 1 / lr_multiplier): times the run-time `scale` they are He-initialised,
        # and every step of the optimiser moves the effective weight lr_multiplier times as much.
        self.kernel = self.add_weight(
            shape=kernel_shape,
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            name="kernel",
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(kernel_shape[-1],),
                initializer=keras.initializers.Constant(self.bias_init / self.lr_multiplier),
                name="bias",
            )

    def _add_bias(self, x):
        return x if self.bias is None else x + self.bias * self.lr_multiplier

    def get_config(self):
        return {
            **super().get_config(),
            "gain": self.gain,
            "lr_multiplier": self.lr_multiplier,
            "use_bias": self.use_bias,
            "bias_init": self.bias_init,
        }


@register
class EqualizedDense(_Equalized):
    """A dense layer with an equalized learning rate (Karras et al. 2018, arXiv:1710.10196, Sec. 4.1).

    The kernel is stored as N(0, 1) samples and multiplied at every call by
    `gain / sqrt(fan_in)` (He's initialisation constant), and the bias is stored likewise. With
    adaptive optimisers (Adam divides the update by its running RMS), every weight then learns at
    the same speed relative to its scale, whatever its fan-in. StyleGAN (Karras et al. 2019,
    arXiv:1812.04948, Appendix C) uses `lr_multiplier=0.01` in the mapping network: weights stored
    as N(0, 1 / lr_multiplier) and multiplied by `lr_multiplier` too, so the effective learning
    rate there is 100 times lower. No activation: put a `LeakyReLU(0.2)` after it.

    Args:
        units: output features.
        gain: `sqrt(2)` before a (leaky) ReLU, 1 before a linear output.
        lr_multiplier: the relative learning rate of the layer's weights.
        use_bias: add a bias (also scaled by `lr_multiplier`).
        bias_init: the effective initial bias.
    """

    def __init__(self, units, gain=RELU_GAIN, lr_multiplier=1.0, use_bias=True, bias_init=0.0, **kwargs):
        super().__init__(gain=gain, lr_multiplier=lr_multiplier, use_bias=use_bias, bias_init=bias_init, **kwargs)
        self.units = int(units)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self._add_weights((fan_in, self.units), fan_in)

    def call(self, inputs):
        return self._add_bias(ops.matmul(inputs, self.kernel * self.scale))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@register
class EqualizedConv2D(_Equalized):
    """A stride-1, 'same'-padded 2-D convolution with an equalized learning rate (see `EqualizedDense`).

    `fan_in = kernel_size^2 * in_channels`. ProGAN and StyleGAN use 3x3 convolutions in the blocks
    and 1x1 ones for toRGB (gain 1) / fromRGB. Channels last.

    Args:
        filters: output channels.
        kernel_size: the (square) kernel's size.
        gain, lr_multiplier, use_bias, bias_init: as in `EqualizedDense`.
    """

    def __init__(self, filters, kernel_size=3, gain=RELU_GAIN, lr_multiplier=1.0, use_bias=True, bias_init=0.0,
                 **kwargs):
        super().__init__(gain=gain, lr_multiplier=lr_multiplier, use_bias=use_bias, bias_init=bias_init, **kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        k = self.kernel_size
        self._add_weights((k, k, channels, self.filters), k * k * channels)

    def call(self, inputs):
        return self._add_bias(ops.conv(inputs, self.kernel * self.scale, strides=1, padding="same"))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.filters,)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size}
