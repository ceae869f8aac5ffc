"""Multi-layer perceptrons for low-dimensional data (the 2-D Gaussian mixtures)."""

import keras

from keras_gans.networks.common import dense, info_heads, packed
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


def _body(inputs, units, activation, spectral_norm):
    """The hidden layers shared by the MLP discriminators: Dense -> activation per width."""
    x = keras.layers.Flatten()(inputs) if len(inputs.shape) > 2 else inputs
    for width in units:
        x = dense(width, spectral_norm)(x)
        x = keras.layers.Activation(activation)(x)
    return x


@register_network("mlp", role="discriminator")
def mlp_discriminator(input_shape=(2,), units=(256, 256, 256), activation="leaky_relu",
                      spectral_norm=False, output_dim=1, pack=1, name="discriminator"):
    """x -> `units` hidden layers -> `output_dim` raw outputs (logits / critic values).

    `pack > 1` judges that many samples at a time, joined along the features (PacGAN,
    `keras_gans.layers.PackSamples`)."""
    inputs = keras.Input(tuple(input_shape), name="x")
    x = _body(packed(inputs, pack), units, activation, spectral_norm)
    x = dense(output_dim, spectral_norm, dtype="float32")(x)
    return keras.Model(inputs, x, name=name)


@register_network("mlp", role="info_discriminator")
def info_mlp_discriminator(input_shape=(2,), categories=10, continuous=2, units=(256, 256, 256),
                           activation="leaky_relu", q_units=128, name="discriminator"):
    """x -> `units` hidden layers -> D's logit and Q's heads `{"logits", "category"[, "continuous"]}`
    (InfoGAN, Chen et al. 2016, on points: the 2-D mixtures).

    Q shares D's body and adds one hidden layer of `q_units` (Q's own, as in the paper's networks);
    "continuous" (left out when `continuous=0`) is the mean of a unit-variance Gaussian over the
    continuous codes."""
    inputs = keras.Input(tuple(input_shape), name="x")
    features = _body(inputs, units, activation, False)
    q = keras.layers.Activation(activation)(keras.layers.Dense(q_units)(features))
    return keras.Model(inputs, info_heads(features, q, categories, continuous), name=name)
