"""UNIT's networks (Liu, Breuel & Kautz 2017, arXiv 1703.00848): per-domain encoder fronts and
generator backs around shared high-level layers, ResNet style (the paper's and CycleGAN's).

An encoder E_i is `shared_encoder(encoder_i(x))` and a generator G_i is
`generator_i(shared_generator(z))`: the shared halves are networks of their own, which the model
calls from both domains (`UNIT`), so each shared variable exists once for the optimizer, the
EMA, `.keras` files and replicas. `chain` joins the parts into one image -> image model.
"""

import inspect

import keras

from keras_gans.networks.common import check_image_shape
from keras_gans.networks.registry import builders, register_network
from keras_gans.networks.translation import conv_block, residual_block


def _check_features(shape, what):
    if len(tuple(shape)) != 3:
        raise ValueError(f"the {what} works on feature maps (height, width, channels), got {tuple(shape)}")


@register_network("unit", role="unit_encoder")
def unit_encoder(input_shape=(28, 28, 1), base_filters=32, downsamplings=2, residual_blocks=1,
                 normalization_type="instance", name="encoder"):
    """A domain's own (low-level) encoder layers: a 7x7 conv, `downsamplings` 3x3 stride-2 convs
    (doubling the filters) and `residual_blocks` residual blocks, normalisation (instance) and ReLU
    after each conv; images (H, W, C) -> features (H / 2^d, W / 2^d, base_filters * 2^d)
    (`feature_shape`). The size must be divisible by `2^downsamplings`."""
    check_image_shape(input_shape, "UNIT encoder")
    if input_shape[0] % 2 ** int(downsamplings) or input_shape[1] % 2 ** int(downsamplings):
        raise ValueError(f"a UNIT encoder with {downsamplings} down-samplings needs a size divisible by "
                         f"2^{downsamplings}, got {tuple(input_shape[:2])}")
    inputs = keras.Input(tuple(input_shape), name="images")
    x = conv_block(inputs, base_filters, 7, normalization_type=normalization_type)
    for i in range(int(downsamplings)):
        x = conv_block(x, base_filters * 2 ** (i + 1), 3, strides=2, normalization_type=normalization_type)
    for _ in range(int(residual_blocks)):
        x = residual_block(x, base_filters * 2 ** int(downsamplings), normalization_type)
    return keras.Model(inputs, x, name=name)


@register_network("unit", role="unit_shared_encoder")
def unit_shared_encoder(input_shape=(7, 7, 128), residual_blocks=1, normalization_type="instance",
                        name="shared_encoder"):
    """The encoders' shared high-level layers: `residual_blocks` residual blocks, then a 1x1 conv
    to the mean of q(z | x), a feature map of `input_shape` (the latent code is spatial, as in the
    paper; q's variance is fixed to 1). The mean is linear, so it can take any value the prior
    N(0, I) weighs with its KL term."""
    _check_features(input_shape, "UNIT shared encoder")
    inputs = keras.Input(tuple(input_shape), name="features")
    x = inputs
    for _ in range(int(residual_blocks)):
        x = residual_block(x, input_shape[-1], normalization_type)
    mean = keras.layers.Conv2D(input_shape[-1], 1, dtype="float32", name="mean")(x)
    return keras.Model(inputs, mean, name=name)


@register_network("unit", role="unit_shared_generator")
def unit_shared_generator(input_shape=(7, 7, 128), residual_blocks=1, normalization_type="instance",
                          name="shared_generator"):
    """The generators' shared high-level layers: `residual_blocks` residual blocks on the latent
    code z (a feature map of `input_shape`) -> features of the same shape."""
    _check_features(input_shape, "UNIT shared generator")
    inputs = keras.Input(tuple(input_shape), name="z")
    x = inputs
    for _ in range(int(residual_blocks)):
        x = residual_block(x, input_shape[-1], normalization_type)
    return keras.Model(inputs, x, name=name)


@register_network("unit", role="unit_generator")
def unit_generator(input_shape=(7, 7, 128), output_shape=(28, 28, 1), residual_blocks=1,
                   normalization_type="instance", name="generator"):
    """A domain's own (low-level) generator layers: `residual_blocks` residual blocks, 3x3
    stride-2 transposed convs (halving the filters) up to the image's size, and a 7x7 conv to a
    tanh image; features (h, w, F) -> images `output_shape` (h * 2^k, w * 2^k, C)."""
    _check_features(input_shape, "UNIT generator")
    check_image_shape(output_shape, "UNIT generator")
    factor = output_shape[0] // input_shape[0]
    upsamplings = factor.bit_length() - 1
    if factor < 1 or 2**upsamplings != factor or output_shape[1] != factor * input_shape[1]:
        raise ValueError(f"a UNIT generator up-samples by powers of 2: features {tuple(input_shape)} cannot "
                         f"make images {tuple(output_shape)}")
    inputs = keras.Input(tuple(input_shape), name="features")
    x = inputs
    for _ in range(int(residual_blocks)):
        x = residual_block(x, input_shape[-1], normalization_type)
    for i in range(upsamplings):
        x = conv_block(x, max(input_shape[-1] // 2 ** (i + 1), 1), 3, strides=2, transpose=True,
                       normalization_type=normalization_type)
    x = keras.layers.Conv2D(output_shape[-1], 7, padding="same")(x)
    return keras.Model(inputs, keras.layers.Activation("tanh", dtype="float32", name="translated")(x), name=name)


def feature_shape(image_shape, encoder_config):
    """The shape of the features the recipe's encoder (`{"name": ..., **options}`, the builder's
    defaults for the options it leaves out) makes of images of `image_shape`: what the shared
    networks and the generators take."""
    builder = builders("unit_encoder").get((encoder_config or {}).get("name"))
    if builder is None:
        return None  # build_network names the valid encoders
    options = {name: p.default for name, p in inspect.signature(builder).parameters.items()}
    options.update({k: v for k, v in encoder_config.items() if k != "name"})
    factor = 2 ** int(options["downsamplings"])
    return (image_shape[0] // factor, image_shape[1] // factor, int(options["base_filters"]) * factor)


def chain(networks, name):
    """One `keras.Model` calling `networks` in turn (they keep their variables): e.g. E_1 then
    G_2, the a -> b translator that `translate` and the serving signatures use."""
    inputs = keras.Input(tuple(networks[0].inputs[0].shape[1:]), name="images")
    x = inputs
    for network in networks:
        x = network(x)
    return keras.Model(inputs, x, name=name)
