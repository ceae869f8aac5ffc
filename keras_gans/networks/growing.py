"""The parts progressively grown networks share (ProGAN: Karras et al. 2018, arXiv 1710.10196).

A grown network is built at its full resolution with every block; its `LevelOfDetail` layer says
how far it has grown (`levels - 1`: 4x4, 0: the full resolution) and `FadeIn` layers blend each
new block in. Used by the `progan` networks and by the StyleGAN networks built with
`progressive=True`; `keras_gans.models.ProgressiveGAN` moves the level along its schedule.
"""

import math

import keras

from keras_gans.layers import EqualizedConv2D, FadeIn, LevelOfDetail

#: The leaky ReLU slope of the ProGAN and StyleGAN networks.
SLOPE = 0.2


def resolutions(resolution):
    """The number of resolutions 4, 8, ..., `resolution` (a power of two times 4, at least 8)."""
    n = math.log2(resolution / 4)
    if resolution < 8 or n != int(n):
        raise ValueError(
            f"StyleGAN and ProGAN resolution must be 4 * 2^n (8, 16, 32, 64, 128, ...), got {resolution}"
        )
    return int(n) + 1


def filters_at(res, resolution, base_filters, max_filters):
    """Filters at resolution `res`: `base_filters` at the full `resolution`, doubled at every
    halving, at most `max_filters`."""
    return min(base_filters * (resolution // res), max_filters)


def level_of_detail_layer(tensor, levels):
    """The network's `LevelOfDetail` (named `level_of_detail`), a `(batch, 1)` tensor; `tensor`
    only gives the batch size."""
    return LevelOfDetail(levels, name="level_of_detail")(tensor)


def grown_images(features, lod, channels, output_activation="tanh"):
    """The generator's output from its features at 4x4, 8x8, ..., full size (`features`, coarse
    first): each resolution's 1x1 toRGB (gain 1) and `output_activation`, the 4x4 image upsampled
    (nearest) and faded (`FadeIn`) into each finer one by `lod`. Layers are named `b{res}_...`."""
    levels = len(features)

    def to_images(x, res):
        x = EqualizedConv2D(channels, 1, gain=1.0, name=f"b{res}_to_rgb")(x)
        return keras.layers.Activation(output_activation, name=f"b{res}_images")(x)

    images = to_images(features[0], 4)
    for level, x in enumerate(features[1:], start=1):
        res = 4 * 2**level
        coarse = keras.layers.UpSampling2D(2, name=f"b{res}_images_up")(images)
        images = FadeIn(levels - 1 - level, name=f"b{res}_fade_in")([coarse, to_images(x, res), lod])
    return keras.layers.Activation("linear", dtype="float32", name="images")(images)


def from_rgb(image, filters, name):
    """The discriminator's 1x1 fromRGB conv + leaky ReLU."""
    x = EqualizedConv2D(filters, 1, name=name)(image)
    return keras.layers.LeakyReLU(SLOPE, name=f"{name}_lrelu")(x)
