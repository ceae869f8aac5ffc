"""The energy of an autoencoder discriminator: its per-sample reconstruction error."""

import keras

from keras_gans.utils.serialization import register


@register
class ReconstructionEnergy(keras.layers.Layer):
    """`E(x) = mean((x - AE(x))^2)` over every non-batch axis: shape (batch,).

    EBGAN (Zhao et al. 2017, arXiv 1609.03126) uses an autoencoder as the discriminator; the energy
    is low on real data and pushed up (to a margin) on generated data.
    """

    def call(self, inputs):
        x, reconstruction = inputs
        diff = keras.ops.cast(x, "float32") - keras.ops.cast(reconstruction, "float32")
        axes = tuple(range(1, len(diff.shape)))
        return keras.ops.mean(keras.ops.square(diff), axis=axes)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0],)
