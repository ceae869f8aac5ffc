"""Progressively grown generator and discriminator (ProGAN: Karras et al. 2018, "Progressive Growing
of GANs for Improved Quality, Stability, and Variation", arXiv 1710.10196, Table 2).

Both networks are built at their final resolution with every block, as in the paper's code (its
"linear" structure), and a `LevelOfDetail` layer says how far they have grown: `lod = levels - 1`
draws 4x4 images (shown upsampled to the full size), 0 the full resolution; between two integers
the finer block fades in (`FadeIn`). `keras_gans.models.ProgressiveGAN` moves `lod` along its
schedule; every shape stays the same, so `fit`, `.keras` files, the optimizers, the EMA generator,
`tf.distribute` and the serving export treat them as any other network (the blocks not yet grown
get zero gradients and stay as they were initialised). The price: every step computes every
block, so the early phases are not faster than the last, as they were in the paper.

- Generator: z -> `PixelNormalization` -> `EqualizedDense` to 4x4 features (the paper's 4x4
  convolution of the 1x1 latent) -> leaky ReLU -> pixel norm -> 3x3 conv -> leaky ReLU -> pixel
  norm; each following resolution doubles (nearest upsampling) and has two 3x3 convs, each with
  leaky ReLU and pixel norm. Every resolution has a 1x1 toRGB (gain 1) and `tanh` (images in
  [-1, 1], the library's data scale; the paper's output is linear); the image is the 4x4 one
  upsampled and, block by block, faded into each finer one, the blend of images the reals get
  (`keras_gans.models.progan.reals_at_level`).
- Discriminator: fromRGB (1x1 conv + leaky ReLU) of the full-resolution image; per resolution down
  to 8x8, two 3x3 convs + leaky ReLU and 2x2 average pooling, faded with the fromRGB of the image
  averaged down to that size; at 4x4, `MinibatchStandardDeviation`, a 3x3 conv, a dense layer
  and the linear output.

The shared parts are in `keras_gans.networks.growing`; the discriminator is the StyleGAN one
built with `progressive=True`. Filters as in the StyleGAN networks: `base_filters` at the full
resolution, doubled at every halving, at most `max_filters` (the paper: 16 at 1024x1024 up to 512).
"""

import math

import keras

from keras_gans.layers import EqualizedConv2D, EqualizedDense, PixelNormalization
from keras_gans.networks.common import check_image_shape
from keras_gans.networks.growing import (SLOPE, filters_at, grown_images, level_of_detail_layer,
                                        resolutions)
from keras_gans.networks.registry import register_network
from keras_gans.networks.stylegan import stylegan_discriminator


def _conv(x, filters, name):
    x = EqualizedConv2D(filters, 3, name=f"{name}_conv")(x)
    x = keras.layers.LeakyReLU(SLOPE, name=f"{name}_lrelu")(x)
    return PixelNormalization(name=f"{name}_pixel_norm")(x)


@register_network("progan", role="generator")
def progan_generator(latent_dim=512, output_shape=(32, 32, 1), base_filters=32, max_filters=512,
                     output_activation="tanh", name="generator"):
    """The ProGAN generator z -> image at its `LevelOfDetail` (see the module docstring).

    Args:
        latent_dim: size of z (512 in the paper).
        output_shape: `(resolution, resolution, channels)`, resolution 4 * 2^n, at least 8.
        base_filters, max_filters: filters at the full resolution, and the cap as the resolution
            halves (filters double).
        output_activation: "tanh" (images in [-1, 1]) or "linear" (the paper).
    """
    check_image_shape(output_shape, "ProGAN generator")
    resolution, _, channels = output_shape
    levels = resolutions(resolution)
    z = keras.Input((latent_dim,), name="z")
    filters = filters_at(4, resolution, base_filters, max_filters)
    x = PixelNormalization(name="normalize_z")(z)
    x = EqualizedDense(4 * 4 * filters, gain=math.sqrt(2.0) / 4, name="b4_dense")(x)
    x = keras.layers.Reshape((4, 4, filters), name="b4_reshape")(x)
    x = keras.layers.LeakyReLU(SLOPE, name="b4_dense_lrelu")(x)
    x = PixelNormalization(name="b4_dense_pixel_norm")(x)
    features = [_conv(x, filters, "b4")]
    for level in range(1, levels):
        res = 4 * 2**level
        x = keras.layers.UpSampling2D(2, name=f"b{res}_up")(features[-1])
        for j in range(2):
            x = _conv(x, filters_at(res, resolution, base_filters, max_filters), f"b{res}_{j}")
        features.append(x)
    images = grown_images(features, level_of_detail_layer(z, levels), channels, output_activation)
    return keras.Model(z, images, name=name)


@register_network("progan", role="discriminator")
def progan_discriminator(input_shape=(32, 32, 1), base_filters=32, max_filters=512, mbstd_group_size=4,
                         name="discriminator"):
    """The ProGAN discriminator image -> logit at its `LevelOfDetail`: the grown StyleGAN
    discriminator (`stylegan_discriminator(..., progressive=True)`; StyleGAN kept ProGAN's)."""
    check_image_shape(input_shape, "ProGAN discriminator")
    return stylegan_discriminator(input_shape, base_filters, max_filters, mbstd_group_size, progressive=True,
                                  name=name)
