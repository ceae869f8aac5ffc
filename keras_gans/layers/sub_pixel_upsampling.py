"""Sub-pixel convolution's rearrangement: channels to space (Shi et al. 2016, arXiv 1609.05158)."""

import keras
import tensorflow as tf

from keras_gans.utils.checks import checked_integer
from keras_gans.utils.serialization import register


@register
class SubPixelUpsampling(keras.layers.Layer):
    """(batch, H, W, C * r^2) -> (batch, H * r, W * r, C), `tf.nn.depth_to_space` with block `r`.

    After a convolution with `C * r^2` filters it is the "sub-pixel convolution" SRGAN's generator
    up-samples with: each output pixel of an r x r block comes from its own filters, so the
    up-sampling is learned without the checkerboard overlap of strided transposed convolutions.

    Args:
        factor: the up-sampling factor r per side (an integer >= 2).
    """

    def __init__(self, factor=2, **kwargs):
        super().__init__(**kwargs)
        self.factor = checked_integer(factor, "factor", 2)

    def call(self, inputs):
        return tf.nn.depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        if channels is not None and channels % self.factor**2:
            raise ValueError(f"SubPixelUpsampling({self.factor}) needs channels divisible by {self.factor**2}, "
                             f"got {channels}")
        scale = lambda size: None if size is None else size * self.factor  # noqa: E731
        return (batch, scale(height), scale(width), None if channels is None else channels // self.factor**2)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
