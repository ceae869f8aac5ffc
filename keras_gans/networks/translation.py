"""Image-to-image networks: the U-Net generator and the PatchGAN discriminator of Pix2Pix
(Isola et al. 2017, arXiv 1611.07004)."""

import keras

from keras_gans.layers.seeded_dropout import SeededDropout
from keras_gans.networks.common import check_image_shape, conv, normalization
from keras_gans.networks.registry import register_network


def _check_same_size(input_shape, output_shape, what):
    check_image_shape(input_shape, what)
    check_image_shape(output_shape, what)
    if tuple(input_shape[:2]) != tuple(output_shape[:2]):
        raise ValueError(f"the {what} maps images to images of the same size, got {tuple(input_shape)} -> "
                         f"{tuple(output_shape)}: use a super-resolution generator for other sizes")


@register_network("unet", role="translator")
def unet_generator(input_shape=(28, 28, 1), output_shape=(28, 28, 1), base_filters=64, depth=2, dropout=0.5,
                   normalization_type="batch", name="generator"):
    """Pix2Pix's U-Net: `depth` stride-2 convolutions down, as many transposed convolutions up,
    each up-sampled map joined (concatenated) with the down-sampled map of the same size.

    Encoder: conv 4x4 stride 2 (filters `base * 2^i`, at most `8 * base`), normalisation after all
    but the first, leaky ReLU 0.2; a 3x3 bottleneck conv at the smallest size. Decoder: transposed
    conv 4x4 stride 2, normalisation, `dropout` (the paper's 0.5, its only noise: G has no z), ReLU,
    then the skip; a tanh image. Dropout (`SeededDropout`: a resumed run and 2 replicas drop what
    one uninterrupted device drops) is on in training only, so a served model is deterministic
    (the paper keeps it at test time too). The size must be divisible by `2^depth` (28: depth <= 2).
    """
    _check_same_size(input_shape, output_shape, "U-Net generator")
    size = input_shape[0]
    if int(depth) < 1 or size % 2 ** int(depth):
        raise ValueError(f"a U-Net of depth {depth} needs a size divisible by 2^depth, got {size}: lower depth")
    if not 0 <= float(dropout) < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    inputs = keras.Input(tuple(input_shape), name="images")
    x, skips = inputs, []
    for i in range(int(depth)):
        normalized = i > 0 and normalization_type not in (None, "none")
        x = conv(min(base_filters * 2**i, 8 * base_filters), 4, 2, use_bias=not normalized)(x)
        if normalized:
            x = normalization(normalization_type)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        skips.append(x)
    x = conv(min(base_filters * 2**int(depth), 8 * base_filters), 3, 1)(x)
    x = keras.layers.ReLU()(x)
    for i in reversed(range(int(depth))):
        x = keras.layers.Concatenate()([x, skips[i]])
        if i == 0:
            break
        x = keras.layers.Conv2DTranspose(min(base_filters * 2 ** (i - 1), 8 * base_filters), 4, strides=2,
                                         padding="same", use_bias=normalization_type in (None, "none"))(x)
        norm = normalization(normalization_type)
        x = norm(x) if norm is not None else x
        if dropout:
            x = SeededDropout(float(dropout))(x)
        x = keras.layers.ReLU()(x)
    x = keras.layers.Conv2DTranspose(output_shape[-1], 4, strides=2, padding="same")(x)
    outputs = keras.layers.Activation("tanh", dtype="float32", name="translated")(x)
    return keras.Model(inputs, outputs, name=name)


def patch_receptive_field(downsamplings):
    """The side, in input pixels, of the patch each of PatchGAN's outputs sees: 16 for 1
    down-sampling, 34 for 2, 70 for 3 (the paper's 70x70 PatchGAN)."""
    field = 1
    for stride in [1, 1] + [2] * int(downsamplings):  # from the output back to the input, 4x4 kernels
        field = (field - 1) * stride + 4
    return field


@register_network("patchgan", role="pair_discriminator")
def patchgan_discriminator(source_shape=(28, 28, 1), target_shape=(28, 28, 1), base_filters=64,
                           downsamplings=2, normalization_type="batch", spectral_norm=False,
                           name="discriminator"):
    """Pix2Pix's PatchGAN: one logit per overlapping patch of the (source, image) pair.

    The source (resized to the image's size when smaller, by nearest neighbour) and the image
    are concatenated along the channels; `downsamplings` 4x4 stride-2 convs (filters `base * 2^i`,
    at most `8 * base`; leaky ReLU 0.2; normalisation after all but the first), a 4x4 stride-1
    conv, and a 4x4 stride-1 conv to one logit per position. Each logit sees a patch of
    `patch_receptive_field(downsamplings)` pixels (34 at 2: the whole 28x28 digit; 16 at 1).
    """
    check_image_shape(source_shape, "PatchGAN discriminator")
    check_image_shape(target_shape, "PatchGAN discriminator")
    source = keras.Input(tuple(source_shape), name="sources")
    image = keras.Input(tuple(target_shape), name="images")
    x = source
    if tuple(source_shape[:2]) != tuple(target_shape[:2]):
        factor = target_shape[0] // source_shape[0]
        if factor * source_shape[0] != target_shape[0] or target_shape[1] != factor * source_shape[1]:
            raise ValueError(f"the source's size {tuple(source_shape[:2])} must divide the image's "
                             f"{tuple(target_shape[:2])}")
        x = keras.layers.UpSampling2D(factor, interpolation="nearest")(x)
    x = keras.layers.Concatenate()([x, image])
    logits = _patch_logits(x, base_filters, downsamplings, normalization_type, spectral_norm)
    return keras.Model({"sources": source, "images": image}, logits, name=name)


@register_network("patchgan", role="discriminator")
def image_patchgan_discriminator(input_shape=(28, 28, 1), base_filters=64, downsamplings=2, normalization_type="batch",
                                 spectral_norm=False, name="discriminator"):
    """The PatchGAN of images alone (CycleGAN's discriminators): as `patchgan_discriminator`
    without the source, one logit per patch of `patch_receptive_field(downsamplings)` pixels."""
    check_image_shape(input_shape, "PatchGAN discriminator")
    image = keras.Input(tuple(input_shape), name="images")
    return keras.Model(image, _patch_logits(image, base_filters, downsamplings, normalization_type, spectral_norm),
                       name=name)


def _patch_logits(x, base_filters, downsamplings, normalization_type, spectral_norm):
    """PatchGAN's body (`patch_features`) and a 4x4 stride-1 conv to one logit per position."""
    return conv(1, 4, 1, spectral_norm, dtype="float32")(
        patch_features(x, base_filters, downsamplings, normalization_type, spectral_norm))


def patch_features(x, base_filters, downsamplings, normalization_type, spectral_norm=False):
    """PatchGAN's body: `downsamplings` 4x4 stride-2 convs and a 4x4 stride-1 conv (filters
    `base * 2^i`, at most `8 * base`; leaky ReLU 0.2; normalisation after all but the first)."""
    normalized_type = normalization_type not in (None, "none")
    for i in range(int(downsamplings) + 1):
        last = i == int(downsamplings)
        normalized = i > 0 and normalized_type
        x = conv(min(base_filters * 2**i, 8 * base_filters), 4, 1 if last else 2, spectral_norm,
                 use_bias=not normalized)(x)
        if normalized:
            x = normalization(normalization_type)(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    return x


def conv_block(x, filters, size, strides=1, transpose=False, activate=True, normalization_type="instance"):
    """A 'same'-padded (transposed) conv, normalisation (no bias under one) and ReLU (`activate`):
    the unit of the ResNet generators (CycleGAN's, UNIT's, StarGAN's). `normalization_type` is a
    name (`common.normalization`) or a callable applied to the conv's output (a conditional norm)."""
    normalized = callable(normalization_type) or normalization_type not in (None, "none")
    layer = keras.layers.Conv2DTranspose if transpose else keras.layers.Conv2D
    x = layer(filters, size, strides=strides, padding="same", use_bias=not normalized)(x)
    if normalized:
        x = normalization_type(x) if callable(normalization_type) else normalization(normalization_type)(x)
    return keras.layers.ReLU()(x) if activate else x


def residual_block(x, filters, normalization_type="instance"):
    """`x + conv_block(conv_block(x), activate=False)`: two 3x3 convs and the skip (He et al. 2016)."""
    inner = conv_block(x, filters, 3, normalization_type=normalization_type)
    return keras.layers.Add()([x, conv_block(inner, filters, 3, activate=False, normalization_type=normalization_type)])


@register_network("resnet", role="translator")
def resnet_generator(input_shape=(28, 28, 1), output_shape=(28, 28, 1), base_filters=32, residual_blocks=3,
                     downsamplings=2, normalization_type="instance", name="generator"):
    """CycleGAN's generator (Johnson et al. 2016's): a 7x7 conv, `downsamplings` 3x3 stride-2
    convs (doubling the filters), `residual_blocks` blocks of two 3x3 convs + skip, as many 3x3
    stride-2 transposed convs, a 7x7 conv to a tanh image; normalisation (instance, as the paper)
    and ReLU after every conv but the last. The size must be divisible by `2^downsamplings`."""
    _check_same_size(input_shape, output_shape, "ResNet generator")
    inputs = keras.Input(tuple(input_shape), name="images")
    outputs = resnet_layers(inputs, output_shape[-1], base_filters, residual_blocks, downsamplings, normalization_type)
    return keras.Model(inputs, outputs, name=name)


def resnet_layers(x, output_channels, base_filters=32, residual_blocks=3, downsamplings=2,
                  normalization_type="instance", normalize_first=True, encoder_normalization=None):
    """`resnet_generator`'s layers applied to `x` (batch, H, W, C): a tanh image of
    `output_channels` channels and the same size; `normalization_type` as `conv_block`'s, left
    out of the first block when `normalize_first` is False. `encoder_normalization` (default:
    `normalization_type`) is the encoder's, the first block's and the down-sampling convs'."""
    if x.shape[1] % 2 ** int(downsamplings):
        raise ValueError(f"a ResNet generator with {downsamplings} down-samplings needs a size divisible by "
                         f"2^{downsamplings}, got {x.shape[1]}")
    encoder_normalization = normalization_type if encoder_normalization is None else encoder_normalization

    def block(x, filters, size, strides=1, transpose=False, activate=True, normalize=normalization_type):
        return conv_block(x, filters, size, strides, transpose, activate, normalize)

    first_normalization = encoder_normalization if normalize_first else None
    x = block(x, base_filters, 7, normalize=first_normalization)
    for i in range(int(downsamplings)):
        x = block(x, base_filters * 2 ** (i + 1), 3, strides=2, normalize=encoder_normalization)
    filters = base_filters * 2 ** int(downsamplings)
    for _ in range(int(residual_blocks)):
        x = residual_block(x, filters, normalization_type)
    for i in reversed(range(int(downsamplings))):
        x = block(x, base_filters * 2**i, 3, strides=2, transpose=True)
    x = keras.layers.Conv2D(int(output_channels), 7, padding="same")(x)
    return keras.layers.Activation("tanh", dtype="float32", name="translated")(x)
