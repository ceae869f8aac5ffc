"""DCGAN generator and discriminator (Radford et al. 2016, arXiv 1511.06434), sized by resolution."""

import math

import keras

from keras_gans.networks.common import check_image_shape, conv, dense, hidden_dense_block, normalization, packed
from keras_gans.networks.registry import register_network


def _upsamplings(resolution):
    """(start size, number of stride-2 steps): 28 -> 7 x 2^2; 32, 64, ... -> 4 x 2^n."""
    start = 7 if resolution % 7 == 0 else 4
    n = math.log2(resolution / start)
    if resolution < 8 or n != int(n):
        raise ValueError(
            f"DCGAN resolution must be 28 or 4 * 2^n (8, 16, 32, 64, 128, ...), got {resolution}"
        )
    return start, int(n)


@register_network("dcgan", role="generator")
def dcgan_generator(latent_dim=100, output_shape=(28, 28, 1), base_filters=64, kernel_size=4, hidden_units=0,
                    attention_resolution=None, projection_norm="channel", name="generator"):
    """z -> Dense to (s, s, base*2^(n-1)) -> n transposed convs (stride 2, BN, ReLU) -> tanh image.

    As in the paper: batch normalisation in every layer but the output, ReLU activations, tanh
    output in [-1, 1]. `hidden_units > 0` puts one fully connected layer (BN, ReLU) before the
    spatial one, as InfoGAN's MNIST generator (FC 1024) does: with it the input's parts (noise,
    codes) combine non-linearly instead of each adding its own pattern to the first feature map.
    `attention_resolution` (e.g. 14 at 28x28) adds SAGAN's `SelfAttention2D` after the block of
    that feature-map size. `projection_norm` normalises the projection to the first feature map
    per `channel` (over the batch and the positions) or per `unit` (each of its s*s*filters
    values over the batch, before the reshape, as the DCGAN and InfoGAN reference code): after a
    hidden layer (ReLU, whose outputs do not average to 0) the projection has a part that is the
    same for every z, a fixed picture that per-channel normalisation keeps and per-unit removes.
    """
    check_image_shape(output_shape, "DCGAN generator")
    z = keras.Input((latent_dim,), name="z")
    x = dcgan_upsampling(z, output_shape, base_filters, kernel_size, lambda x: normalization("batch")(x),
                         hidden_units, attention_resolution, projection_norm)
    return keras.Model(z, x, name=name)


def dcgan_upsampling(h, output_shape, base_filters, kernel_size, normalize, hidden_units=0, attention_resolution=None,
                     projection_norm="channel"):
    """The DCGAN generator's body on a vector `h`: [Dense(hidden_units), normalize, ReLU], Dense to
    (s, s, base*2^(n-1)) normalised per channel or per unit (`projection_norm`), n transposed convs
    (stride 2) with `normalize(x)` and ReLU after all but the last, tanh image; `SelfAttention2D`
    after the block whose output is `attention_resolution` wide."""
    if projection_norm not in ("channel", "unit"):
        raise ValueError(f'projection_norm must be "channel" or "unit", got {projection_norm!r}')
    resolution, _, channels = output_shape
    start, n = _upsamplings(resolution)
    _check_attention_resolution(attention_resolution, [start * 2**i for i in range(n)])
    filters = base_filters * 2 ** (n - 1)
    if hidden_units:
        h = keras.layers.ReLU()(normalize(keras.layers.Dense(int(hidden_units), use_bias=False)(h)))
    x = keras.layers.Dense(start * start * filters, use_bias=False)(h)
    if projection_norm == "unit":
        x = keras.layers.Reshape((start, start, filters))(normalize(x))
    else:
        x = normalize(keras.layers.Reshape((start, start, filters))(x))
    x = _attend(keras.layers.ReLU()(x), attention_resolution)
    for i in range(n - 1):
        filters //= 2
        x = keras.layers.Conv2DTranspose(filters, kernel_size, strides=2, padding="same",
                                         use_bias=False)(x)
        x = normalize(x)
        x = _attend(keras.layers.ReLU()(x), attention_resolution)
    x = keras.layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same")(x)
    return keras.layers.Activation("tanh", dtype="float32", name="images")(x)


@register_network("dcgan", role="discriminator")
def dcgan_discriminator(input_shape=(28, 28, 1), base_filters=64, kernel_size=4,
                        normalization_type="batch", spectral_norm=False, output_dim=1, hidden_units=0,
                        feature_output=False, attention_resolution=None, pack=1, minibatch_std=0,
                        hidden_normalization=None, name="discriminator"):
    """image -> n strided convs (leaky ReLU 0.2; normalisation after all but the first) -> logits.

    `normalization_type`: `batch` (DCGAN), `layer` or `none` (critics with gradient penalties,
    where batch statistics would couple the samples), `instance`. `spectral_norm` wraps every
    conv and the head in our `SpectralNormalization` (SNGAN, Miyato 2018). `hidden_units > 0`
    ends the body with a fully connected layer (`hidden_dense_block`, as InfoGAN's FC 1024),
    normalised as the convolutions unless `hidden_normalization` (batch, layer or none) says
    otherwise: on Stacked MNIST the layer with batch norm let D judge one channel at a time.
    `feature_output` outputs `{"logits", "features"}`, the features being the last convolution's
    (flattened): the layer VAE-GAN measures reconstructions in. `attention_resolution` (e.g. 14
    at 28x28) adds SAGAN's `SelfAttention2D` (spectrally normalised with `spectral_norm`) after the
    convolution whose output is that wide. `pack > 1` judges that many samples at a time, joined
    along the channels (PacGAN, `keras_gans.layers.PackSamples`). `minibatch_std > 0` appends
    ProGAN's minibatch standard deviation (groups of that many samples) before the last
    convolution: without batch normalisation (e.g. spectral norm) D sees nothing of a batch's
    variety otherwise, and a generator that draws one picture for every z is not penalised.
    """
    check_image_shape(input_shape, "DCGAN discriminator")
    inputs = keras.Input(tuple(input_shape), name="images")
    features = dcgan_features(packed(inputs, pack), base_filters, kernel_size, normalization_type, spectral_norm,
                              attention_resolution=attention_resolution, minibatch_std=minibatch_std)
    hidden_normalization = normalization_type if hidden_normalization is None else hidden_normalization
    x = hidden_dense_block(features, hidden_units, hidden_normalization, spectral_norm) if hidden_units else features
    x = dense(output_dim, spectral_norm, dtype="float32")(x)
    if feature_output:
        features = keras.layers.Activation("linear", dtype="float32", name="features")(features)
        return keras.Model(inputs, {"logits": x, "features": features}, name=name)
    return keras.Model(inputs, x, name=name)


def dcgan_features(x, base_filters, kernel_size=4, normalization_type="batch", spectral_norm=False,
                   bias_before_norm=True, attention_resolution=None, minibatch_std=0):
    """The DCGAN discriminator's body on images `x`: n strided convs (leaky ReLU 0.2, normalisation
    after all but the first), flattened.

    `bias_before_norm=False` leaves the bias out of the convolutions that a normalisation follows
    (it cancels there: its gradient is zero up to rounding, which Adam would turn into steps).
    `attention_resolution` adds `SelfAttention2D` after the convolution whose output is that wide.
    `minibatch_std > 0` adds `MinibatchStandardDeviation(group_size=minibatch_std)` before the last
    convolution (ProGAN puts it before D's last block).
    """
    resolution = x.shape[1]
    _, n = _upsamplings(resolution)
    _check_attention_resolution(attention_resolution, [resolution // 2 ** (i + 1) for i in range(n)])
    filters = base_filters
    for i in range(n):
        if minibatch_std and i == n - 1:
            from keras_gans.layers import MinibatchStandardDeviation

            x = MinibatchStandardDeviation(group_size=int(minibatch_std))(x)
        normalized = i > 0 and normalization_type not in (None, "none", False)
        x = conv(filters, kernel_size, 2, spectral_norm, use_bias=bias_before_norm or not normalized)(x)
        norm = normalization(normalization_type) if i > 0 else None
        if norm is not None:
            x = norm(x)
        x = _attend(keras.layers.LeakyReLU(0.2)(x), attention_resolution, spectral_norm)
        filters *= 2
    return keras.layers.Flatten()(x)


def _check_attention_resolution(attention_resolution, resolutions):
    if attention_resolution is not None and attention_resolution not in resolutions:
        raise ValueError(f"attention_resolution must be one of the feature-map sizes {sorted(resolutions)}, "
                         f"got {attention_resolution}")


def _attend(x, attention_resolution, spectral_norm=False):
    """`x` through `SelfAttention2D` if its feature map is `attention_resolution` wide."""
    if attention_resolution is None or x.shape[1] != attention_resolution:
        return x
    from keras_gans.layers import SelfAttention2D

    return SelfAttention2D(spectral_norm=spectral_norm, name=f"attention_{attention_resolution}")(x)
