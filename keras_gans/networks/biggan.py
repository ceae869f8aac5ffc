"""BigGAN-style class-conditional generator and projection discriminator (Brock et al. 2019, arXiv 1809.11096)."""

import keras
import numpy as np

from keras_gans.networks.common import check_image_shape, conv, dense, labels_input, normalization, projection_logits
from keras_gans.networks.dcgan import _attend, _upsamplings
from keras_gans.networks.registry import register_network


@register_network("biggan", role="conditional_generator")
def biggan_generator(latent_dim=120, num_classes=10, output_shape=(28, 28, 1), base_filters=32, embedding_dim=64,
                     spectral_norm=True, attention_resolution=None, name="generator"):
    """`[z, labels]` -> BigGAN generator -> tanh image.

    - Hierarchical latent: z is split into one chunk per residual block plus one for the first
      layer, a dense map to (s, s, base * 2^n) (s = 7 at 28x28, else 4); the first chunks take
      one entry more when `latent_dim` does not divide evenly (BigGAN: 120 = 6 x 20 at 128x128).
    - Shared class embedding (`embedding_dim`), joined to each block's chunk of z: the vector that
      the block's `ProjectedBatchNormalization`s take their gains and biases from.
    - n residual up-blocks (BN, ReLU, nearest 2x up-sampling, 3x3 conv, BN, ReLU, 3x3 conv; the
      skip up-sampled and 1x1-convolved), halving the filters each time; BN, ReLU, 3x3 conv, tanh.
    - Spectral norm on every convolution and dense layer (BigGAN's G has it too).
    - `attention_resolution` adds `SelfAttention2D` after the block of that size (BigGAN: 64 at 128x128).
    """
    from keras_gans.layers import ProjectedBatchNormalization

    check_image_shape(output_shape, "BigGAN generator")
    resolution, _, channels = output_shape
    start, n = _upsamplings(resolution)
    if latent_dim < n + 1:
        raise ValueError(f"BigGAN's latent is split into {n + 1} chunks at {resolution}x{resolution} (one per "
                         f"block and one for the first layer): latent_dim must be at least {n + 1}, got {latent_dim}")
    z, labels = keras.Input((latent_dim,), name="z"), labels_input()
    ends = np.cumsum([0] + [latent_dim // (n + 1) + (i < latent_dim % (n + 1)) for i in range(n + 1)])
    chunks = [z[:, int(start):int(end)] for start, end in zip(ends[:-1], ends[1:])]
    # N(0, 1): with Keras' default, U[-0.05, 0.05] (rows of norm ~0.2 beside a z chunk of norm
    # ~6), G learned to follow the labels slowly (40% of the digits after 3000 steps). BigGAN's
    # code initialises it orthogonally (rows of norm 1).
    shared = keras.layers.Embedding(num_classes, embedding_dim, embeddings_initializer=keras.initializers.RandomNormal(
        stddev=1.0), name="shared_embedding")(labels)
    filters = base_filters * 2**n
    # Every layer but the last feeds a batch norm, which cancels a bias (its gradient is rounding
    # noise, which Adam would turn into steps): no biases there.
    x = dense(start * start * filters, spectral_norm, use_bias=False)(chunks[0])
    x = keras.layers.Reshape((start, start, filters))(x)
    for i in range(n):
        condition = keras.layers.Concatenate(name=f"condition_{i}")([shared, chunks[i + 1]])
        filters //= 2
        h = keras.layers.ReLU()(ProjectedBatchNormalization()([x, condition]))
        h = keras.layers.UpSampling2D(2)(h)
        h = conv(filters, 3, 1, spectral_norm, use_bias=False)(h)
        h = keras.layers.ReLU()(ProjectedBatchNormalization()([h, condition]))
        h = conv(filters, 3, 1, spectral_norm, use_bias=False)(h)
        skip = conv(filters, 1, 1, spectral_norm, use_bias=False)(keras.layers.UpSampling2D(2)(x))
        x = _attend(keras.layers.Add()([h, skip]), attention_resolution, spectral_norm)
    x = keras.layers.ReLU()(normalization("batch")(x))
    x = conv(channels, 3, 1, spectral_norm)(x)
    x = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
    return keras.Model([z, labels], x, name=name)


@register_network("biggan", role="conditional_discriminator")
def biggan_discriminator(input_shape=(28, 28, 1), num_classes=10, base_filters=32, attention_resolution=None,
                         name="discriminator"):
    """`[images, labels]` -> BigGAN discriminator -> logits: residual down-blocks, projection.

    n residual down-blocks (ReLU but for the first, 3x3 conv, ReLU, 3x3 conv, 2x2 average pooling;
    the skip 1x1-convolved and pooled) doubling the filters from `base_filters`, then ReLU, a sum
    over positions (BigGAN's global sum pooling) into features phi(x), and the logit
    `w . phi(x) + embed(y) . phi(x)` (the projection discriminator, Miyato & Koyama 2018). Spectral
    norm on every convolution and dense layer (BigGAN's D also normalises the class embedding; our
    `SpectralNormalization` wraps kernels, and the embedding stays plain, as in `projection-mnist`).
    `attention_resolution` adds `SelfAttention2D` after the block of that size.
    """
    check_image_shape(input_shape, "BigGAN discriminator")
    _, n = _upsamplings(input_shape[0])
    images, labels = keras.Input(tuple(input_shape), name="images"), labels_input()
    x, filters = images, base_filters
    for i in range(n):
        h = x if i == 0 else keras.layers.ReLU()(x)
        h = conv(filters, 3, 1, True)(h)
        h = conv(filters, 3, 1, True)(keras.layers.ReLU()(h))
        h = keras.layers.AveragePooling2D(2)(h)
        skip = keras.layers.AveragePooling2D(2)(conv(filters, 1, 1, True)(x))
        x = _attend(keras.layers.Add()([h, skip]), attention_resolution, True)
        filters *= 2
    features = keras.ops.sum(keras.layers.ReLU()(x), axis=(1, 2))  # global sum pooling
    features = keras.layers.Activation("linear", name="features")(features)
    logits = projection_logits(features, labels, num_classes, spectral_norm=True, embedding_name="class_embedding")
    return keras.Model([images, labels], logits, name=name)
