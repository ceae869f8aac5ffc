"""Autoencoder discriminators for energy-based GANs (EBGAN, Zhao et al. 2017, arXiv 1609.03126)."""

import keras

from keras_gans.layers.reconstruction_energy import ReconstructionEnergy
from keras_gans.networks.common import normalization
from keras_gans.networks.dcgan import _upsamplings
from keras_gans.networks.registry import register_network


@register_network("autoencoder", role="discriminator")
def autoencoder_discriminator(input_shape=(28, 28, 1), base_filters=64, code_dim=64, units=(256, 256),
                              code_output=False, energy_norm="l2", bottleneck_normalization="none",
                              name="discriminator"):
    """x -> encoder -> code -> decoder -> reconstruction; outputs the per-sample energy (batch,).

    Images (rank 3): a strided-conv encoder and a transposed-conv decoder of DCGAN shape.
    Points (rank 1): an MLP encoder/decoder with `units` hidden layers.
    `code_output=True` outputs `{"logits": energy, "code": code}`, the code for EBGAN's
    pulling-away term (`keras_gans.penalties.PullingAway`). `energy_norm`: "l2" (the mean squared
    reconstruction error, EBGAN's) or "l1" (the mean absolute error, BEGAN's eta = 1).
    `bottleneck_normalization="batch"`: batch norm and ReLU after the code (and for images after
    the decoder's dense layer). Called on a batch of reals and a batch of fakes apart (as BEGAN and EBGAN
    train), its statistics are each batch's own: a batch of near-identical fakes is normalised
    unlike varied reals and reconstructs badly, which D can use against a collapsing G.
    """
    if bottleneck_normalization not in ("none", "batch"):
        raise ValueError(f"bottleneck_normalization must be none or batch, got {bottleneck_normalization!r}")
    batch_norm = bottleneck_normalization == "batch"

    def normalized(x):
        return keras.layers.ReLU()(normalization("batch")(x)) if batch_norm else x

    inputs = keras.Input(tuple(input_shape), name="x")
    if len(input_shape) == 1:
        x = inputs
        for width in units:
            x = keras.layers.Dense(width, activation="leaky_relu")(x)
        code = keras.layers.Dense(code_dim, name="code")(x)
        x = normalized(code)
        for width in reversed(units):
            x = keras.layers.Dense(width, activation="leaky_relu")(x)
        reconstruction = keras.layers.Dense(input_shape[0])(x)
    else:
        resolution, _, channels = input_shape
        start, n = _upsamplings(resolution)
        x = inputs
        filters = base_filters
        for _ in range(n):
            x = keras.layers.Conv2D(filters, 4, strides=2, padding="same")(x)
            x = keras.layers.LeakyReLU(0.2)(x)
            filters *= 2
        x = keras.layers.Flatten()(x)
        code = keras.layers.Dense(code_dim, name="code")(x)
        x = normalized(code)
        filters //= 2
        x = keras.layers.Dense(start * start * filters, activation=None if batch_norm else "relu",
                               use_bias=not batch_norm)(x)
        x = normalized(x)
        x = keras.layers.Reshape((start, start, filters))(x)
        for _ in range(n - 1):
            filters //= 2
            x = keras.layers.Conv2DTranspose(filters, 4, strides=2, padding="same", activation="relu")(x)
        reconstruction = keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same",
                                                      activation="tanh")(x)
    energy = ReconstructionEnergy(norm=energy_norm, name="energy", dtype="float32")([inputs, reconstruction])
    if code_output:
        return keras.Model(inputs, {"logits": energy, "code": code}, name=name)
    return keras.Model(inputs, energy, name=name)
