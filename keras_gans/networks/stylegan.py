"""StyleGAN generator and discriminator (Karras et al. 2019, "A Style-Based Generator Architecture
for Generative Adversarial Networks", arXiv 1812.04948), sized by resolution.

By default both networks are built at their final resolution and trained as they are (no
progressive growing, no fading-in of layers), like the paper's configurations trained without
growing and like StyleGAN2; `progressive=True` grows them (below). The parts:

- Generator = mapping network + synthesis network.
  - Mapping: z -> `PixelNormalization` -> `mapping_layers` x (`EqualizedDense(w_dim)` + leaky
    ReLU 0.2), with learning-rate multiplier 0.01 -> w.
  - `StyleMixing` (wrapping the mapping network) turns w into one style per AdaIN,
    `(batch, num_styles, w_dim)`, mixing in a second w in training; `Truncation` tracks the
    average w and applies the truncation trick at sampling time when `truncation_psi < 1`.
  - Synthesis: a learned constant 4x4 input (`ConstantInput`); at 4x4, noise + leaky ReLU + AdaIN,
    then a 3x3 conv + noise + leaky ReLU + AdaIN; every following resolution doubles the size
    (upsampling) and has two (3x3 `EqualizedConv2D` + `NoiseInjection` + leaky ReLU + `AdaIN`).
    A 1x1 toRGB convolution (gain 1) and `tanh` make images in [-1, 1], the scale of the
    library's data (the paper's output is linear; `output_activation="linear"` gives that).
- Discriminator (ProGAN's, as in StyleGAN): a 1x1 fromRGB conv + leaky ReLU; per resolution down
  to 8x8, two 3x3 `EqualizedConv2D` + leaky ReLU and a 2x2 average pooling; at 4x4,
  `MinibatchStandardDeviation`, a 3x3 conv, then `EqualizedDense` + leaky ReLU and an
  `EqualizedDense(1)` logit.

Filters: `base_filters` at the full resolution, doubled at every halving of the resolution, at
most `max_filters` (the paper: 32 at 1024x1024 up to 512). The paper trains it with the
non-saturating loss and R1 (`GradientPenalty(mode="r1")`, gamma 10 on FFHQ), Adam(0.001,
beta_1=0, beta_2=0.99), and an EMA of the generator: see the `stylegan-mnist` recipe.

With `progressive=True` both networks are built to grow as the paper trained them (its ProGAN
schedule, `keras_gans.models.ProgressiveGAN`, recipe `stylegan-progressive-mnist`; see
`keras_gans.networks.growing`). Omitted from the paper: the blur (low-pass) filters after
upsampling and before downsampling (bilinear upsampling and average pooling instead).
"""

import keras

from keras_gans.layers import (
    AdaIN,
    ConstantInput,
    EqualizedConv2D,
    EqualizedDense,
    FadeIn,
    MinibatchStandardDeviation,
    NoiseInjection,
    PixelNormalization,
    StyleMixing,
    Truncation,
)
from keras_gans.networks.common import check_image_shape
from keras_gans.networks.growing import (SLOPE, filters_at, from_rgb, grown_images, level_of_detail_layer,
                                        resolutions)
from keras_gans.networks.registry import register_network

def num_styles(resolution):
    """Styles (AdaIN layers) of a generator of this resolution: two per resolution from 4x4."""
    return 2 * resolutions(resolution)


def mapping_network(latent_dim, w_dim, mapping_layers=8, lr_multiplier=0.01, name="mapping"):
    """z -> PixelNorm -> `mapping_layers` x (EqualizedDense(w_dim) + leaky ReLU) -> w."""
    if int(mapping_layers) < 1:
        raise ValueError(f"mapping_layers must be at least 1, got {mapping_layers}")
    z = keras.Input((latent_dim,), name="z")
    w = PixelNormalization(name="normalize_z")(z)
    for i in range(mapping_layers):
        w = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, name=f"dense_{i}")(w)
        w = keras.layers.LeakyReLU(SLOPE, name=f"lrelu_{i}")(w)
    return keras.Model(z, w, name=name)


@register_network("stylegan", role="generator")
def stylegan_generator(latent_dim=512, output_shape=(32, 32, 1), base_filters=32, max_filters=512,
                       mapping_layers=8, w_dim=None, mapping_lr_multiplier=0.01, style_mixing=0.9,
                       truncation_psi=1.0, truncation_cutoff=None, w_avg_decay=0.995,
                       inference_noise="const", interpolation="bilinear", output_activation="tanh",
                       progressive=False, name="generator"):
    """The StyleGAN generator z -> image (see the module docstring).

    Args:
        latent_dim: size of z (512 in the paper).
        output_shape: `(resolution, resolution, channels)`, resolution 4 * 2^n, at least 8.
        base_filters, max_filters: filters at the full resolution, and the cap as the resolution
            halves (filters double).
        mapping_layers: dense layers of the mapping network (8 in the paper).
        w_dim: size of w and width of the mapping network; None for `latent_dim` (512 both in
            the paper).
        mapping_lr_multiplier: the mapping network's learning-rate multiplier (0.01).
        style_mixing: the share of training samples with mixed styles (0.9; 0 turns it off).
        truncation_psi, truncation_cutoff: the truncation trick at sampling time (1: off), see
            `Truncation` and `set_truncation`.
        w_avg_decay: decay of the tracked average w.
        inference_noise: the noise outside training: "const" (deterministic samples), "random"
            (the paper) or "none"; see `NoiseInjection`.
        interpolation: of the 2x upsampling, "bilinear" or "nearest".
        output_activation: "tanh" (images in [-1, 1]) or "linear" (the paper).
        progressive: grown as the paper trained it (with `keras_gans.models.ProgressiveGAN`): a
            `LevelOfDetail` layer and a toRGB per resolution, each new one faded in (see
            `keras_gans.networks.growing`); False: one toRGB at the full resolution.
    """
    check_image_shape(output_shape, "StyleGAN generator")
    resolution, _, channels = output_shape
    blocks = resolutions(resolution)
    w_dim = int(latent_dim if w_dim is None else w_dim)

    z = keras.Input((latent_dim,), name="z")
    mapping = mapping_network(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier)
    ws = StyleMixing(mapping, num_styles(resolution), style_mixing, name="style_mixing")(z)
    ws = Truncation(truncation_psi, truncation_cutoff, w_avg_decay, name="truncation")(ws)

    style = 0

    def epilogue(x, prefix):
        nonlocal style
        x = NoiseInjection(inference_noise, name=f"{prefix}_noise")(x)
        x = keras.layers.LeakyReLU(SLOPE, name=f"{prefix}_lrelu")(x)
        x = AdaIN(style_index=style, name=f"{prefix}_adain")([x, ws])
        style += 1
        return x

    filters = filters_at(4, resolution, base_filters, max_filters)
    x = ConstantInput((4, 4, filters), name="const")(ws)
    x = epilogue(x, "b4_const")
    x = EqualizedConv2D(filters, 3, name="b4_conv")(x)
    features = [epilogue(x, "b4_conv")]
    for i in range(1, blocks):
        res = 4 * 2**i
        filters = filters_at(res, resolution, base_filters, max_filters)
        x = keras.layers.UpSampling2D(2, interpolation=interpolation, name=f"b{res}_up")(features[-1])
        for j in range(2):
            x = EqualizedConv2D(filters, 3, name=f"b{res}_conv{j}")(x)
            x = epilogue(x, f"b{res}_conv{j}")
        features.append(x)
    if progressive:  # the level is read from the styles' tensor, so the synthesis network starts at ws
        images = grown_images(features, level_of_detail_layer(ws, blocks), channels, output_activation)
        return keras.Model(z, images, name=name)
    x = EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb")(features[-1])
    x = keras.layers.Activation(output_activation, dtype="float32", name="images")(x)
    return keras.Model(z, x, name=name)


@register_network("stylegan", role="discriminator")
def stylegan_discriminator(input_shape=(32, 32, 1), base_filters=32, max_filters=512, mbstd_group_size=4,
                           progressive=False, name="discriminator"):
    """The StyleGAN (ProGAN) discriminator image -> logit (see the module docstring).

    Args:
        input_shape: `(resolution, resolution, channels)`, resolution 4 * 2^n, at least 8.
        base_filters, max_filters: filters at the full resolution, and the cap as the resolution
            halves (filters double).
        mbstd_group_size: the group size of the minibatch standard deviation (4); 0 leaves the
            layer out.
        progressive: grown (ProGAN's discriminator, `keras_gans.networks.growing`): a
            `LevelOfDetail` layer and a fromRGB per resolution, each of the image averaged down to
            it, faded into the features of the finer blocks as they grow in; False: one fromRGB.
    """
    check_image_shape(input_shape, "StyleGAN discriminator")
    resolution = input_shape[0]
    blocks = resolutions(resolution)
    images = keras.Input(tuple(input_shape), name="images")
    lod = level_of_detail_layer(images, blocks) if progressive else None
    x = from_rgb(images, filters_at(resolution, resolution, base_filters, max_filters),
                 f"b{resolution}_from_rgb" if progressive else "from_rgb")
    image = images
    for i in reversed(range(1, blocks)):
        res = 4 * 2**i
        for j, filters_res in enumerate((res, res // 2)):
            filters = filters_at(filters_res, resolution, base_filters, max_filters)
            x = EqualizedConv2D(filters, 3, name=f"b{res}_conv{j}")(x)
            x = keras.layers.LeakyReLU(SLOPE, name=f"b{res}_lrelu{j}")(x)
        x = keras.layers.AveragePooling2D(2, name=f"b{res}_down")(x)
        if progressive:
            image = keras.layers.AveragePooling2D(2, name=f"b{res}_images_down")(image)
            coarse = from_rgb(image, filters_at(res // 2, resolution, base_filters, max_filters),
                              f"b{res // 2}_from_rgb")
            x = FadeIn(blocks - 1 - i, name=f"b{res}_fade_in")([coarse, x, lod])
    x = discriminator_head(x, filters_at(4, resolution, base_filters, max_filters), mbstd_group_size)
    return keras.Model(images, x, name=name)


def discriminator_head(x, filters, mbstd_group_size):
    """The 4x4 end of the ProGAN / StyleGAN discriminator: `MinibatchStandardDeviation` (unless
    `mbstd_group_size` is 0), a 3x3 conv, a dense layer (each + leaky ReLU), the linear logit."""
    if mbstd_group_size:
        x = MinibatchStandardDeviation(mbstd_group_size, name="mbstd")(x)
    x = EqualizedConv2D(filters, 3, name="b4_conv")(x)
    x = keras.layers.LeakyReLU(SLOPE, name="b4_lrelu0")(x)
    x = keras.layers.Flatten(name="b4_flatten")(x)
    x = EqualizedDense(filters, name="b4_dense")(x)
    x = keras.layers.LeakyReLU(SLOPE, name="b4_lrelu1")(x)
    return EqualizedDense(1, gain=1.0, dtype="float32", name="logits")(x)


def truncation_layers(model):
    """The `Truncation` layers of a StyleGAN generator, or of both generators of a `GAN`."""
    models = [model]
    if hasattr(model, "sampler"):  # a GAN: its generator and EMA generator
        models = [m for m in (model.generator, model.ema_generator) if m is not None]
    return [layer for m in models for layer in m._flatten_layers() if isinstance(layer, Truncation)]


def set_truncation(model, psi, cutoff=None):
    """Sets the truncation trick's `psi` (1: off) and `cutoff` of a StyleGAN generator or `GAN`.

    `gan = keras_gans.zoo.load(...)`; `set_truncation(gan, 0.7)`; `gan.generate(64, seed=0)`.
    The values are saved with the model. Raises ValueError for a model without a `Truncation`.
    """
    layers = truncation_layers(model)
    if not layers:
        raise ValueError(f"{model.name!r} has no Truncation layer: it is not a StyleGAN generator")
    for layer in layers:
        layer.psi = float(psi)
        layer.cutoff = None if cutoff is None else int(cutoff)
    return model
