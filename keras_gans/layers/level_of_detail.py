"""The level of detail of a progressively grown network (ProGAN): which resolutions it draws."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class LevelOfDetail(keras.layers.Layer):
    """Holds a network's level of detail `lod`, a non-trainable scalar, and outputs it per sample.

    ProGAN (Karras et al. 2018, arXiv:1710.10196) grows the generator and the discriminator from
    4x4 to the full resolution. Like the paper's code, the networks here are built at the full
    resolution with every block, and `lod` says how far they have grown: `levels - 1` draws only
    the 4x4 block (upsampled to the full size), 0 the full resolution, and a fraction between two
    integers fades the finer block in (`FadeIn`). `ProgressiveGAN` sets it from its step counter
    at every train step; it is saved with the network, so a trained generator samples (and is
    exported) at the level it reached. The input only gives the batch size.

    Args:
        levels: the network's resolutions 4, 8, ..., full (e.g. 4 for 32x32).
        initial: the level of detail before any training sets it (default 0: full resolution).
    """

    def __init__(self, levels, initial=0.0, **kwargs):
        super().__init__(**kwargs)
        self.levels = int(levels)
        if self.levels < 1:
            raise ValueError(f"levels must be at least 1, got {levels}")
        self.initial = float(initial)

    def build(self, input_shape):
        self.lod = self.add_weight(shape=(), initializer=keras.initializers.Constant(self.initial), trainable=False,
                                   name="lod", aggregation="only_first_replica")

    def call(self, inputs):
        batch = ops.shape(inputs)[0]
        return ops.broadcast_to(ops.reshape(ops.cast(self.lod, self.compute_dtype), (1, 1)), (batch, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self):
        return {**super().get_config(), "levels": self.levels, "initial": self.initial}
