"""Multi-layer perceptrons for low-dimensional data (the 2-D Gaussian mixtures)."""

import keras

from keras_gans.networks.common import dense, packed
from keras_gans.networks.registry import register_network


@register_network("mlp", role="generator")
def mlp_generator(latent_dim=64, output_shape=(2,), units=(256, 256, 256), activation="relu",
                  batch_norm=False, name="generator"):
    """z -> `units` hidden layers -> a linear output of `output_shape` (data in its own scale)."""
    z = keras.Input((latent_dim,), name="z")
    x = z
    for width in units:
        x = keras.layers.Dense(width)(x)
        if batch_norm:
            x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation(activation)(x)
    size = 1
    for d in output_shape:
        size *= int(d)
    x = keras.layers.Dense(size, dtype="float32")(x)
    x = keras.layers.Reshape(tuple(output_shape), name="samples")(x)
    return keras.Model(z, x, name=name)


@register_network("mlp", role="discriminator")
def mlp_discriminator(input_shape=(2,), units=(256, 256, 256), activation="leaky_relu",
                      spectral_norm=False, output_dim=1, pack=1, name="discriminator"):
    """x -> `units` hidden layers -> `output_dim` raw outputs (logits / critic values).

    `pack > 1` judges that many samples at a time, joined along the features (PacGAN,
    `keras_gans.layers.PackSamples`)."""
    inputs = keras.Input(tuple(input_shape), name="x")
    x = packed(inputs, pack)
    x = keras.layers.Flatten()(x) if len(input_shape) > 1 else x
    for width in units:
        x = dense(width, spectral_norm)(x)
        x = keras.layers.Activation(activation)(x)
    x = dense(output_dim, spectral_norm, dtype="float32")(x)
    return keras.Model(inputs, x, name=name)
