"""ProGAN's fade-in of a newly grown block."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


def fade_in_alpha(lod, block_lod):
    """The weight of a block's new path at level of detail `lod`: `clip(block_lod + 1 - lod, 0, 1)`,
    0 while the network has not grown to it (lod >= block_lod + 1), 1 once it has (lod <= block_lod)."""
    return ops.clip(ops.convert_to_tensor(block_lod + 1.0 - lod), 0.0, 1.0)


@register
class FadeIn(keras.layers.Layer):
    """`coarse + alpha * (fine - coarse)`, alpha = `fade_in_alpha(lod, block_lod)`.

    ProGAN (Karras et al. 2018, arXiv:1710.10196, Sec. 3 and Fig. 2) fades each new block in: while
    alpha rises from 0 to 1, the output of the doubled network is the old, coarser path (e.g. the
    4x4 image upsampled) blended with the new block's. In the generator the paths are images (the
    coarser one upsampled); in the discriminator, features (the coarser from the downscaled image).

    Call it on `[coarse, fine, lod]`, lod of shape `(batch, 1)` (`LevelOfDetail`).

    Args:
        block_lod: the level of detail at which this block is fully grown: 0 for the block of the
            full resolution, 1 for the one at half of it, ...
    """

    def __init__(self, block_lod, **kwargs):
        super().__init__(**kwargs)
        self.block_lod = int(block_lod)

    def call(self, inputs):
        coarse, fine, lod = inputs
        alpha = fade_in_alpha(ops.cast(lod, fine.dtype), self.block_lod)
        alpha = ops.reshape(alpha, (-1,) + (1,) * (len(fine.shape) - 1))
        return coarse + alpha * (fine - coarse)

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        return {**super().get_config(), "block_lod": self.block_lod}
