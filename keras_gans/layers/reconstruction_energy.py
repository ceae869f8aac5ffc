"""The energy of an autoencoder discriminator: its per-sample reconstruction error."""

import keras

from keras_gans.utils.serialization import register

#: The norms of the reconstruction error: "l2", mean((x - AE(x))^2) (EBGAN), or "l1",
#: mean(|x - AE(x)|) (BEGAN's eta = 1).
NORMS = ("l2", "l1")


@register
class ReconstructionEnergy(keras.layers.Layer):
    """`E(x) = mean((x - AE(x))^2)` (or `mean(|x - AE(x)|)` with `norm="l1"`) over every
    non-batch axis: shape (batch,).

    EBGAN (Zhao et al. 2017, arXiv 1609.03126) uses an autoencoder as the discriminator; the energy
    is low on real data and pushed up (to a margin) on generated data. BEGAN (Berthelot et al. 2017)
    uses the L1 norm (its eta = 1).
    """

    def __init__(self, norm="l2", **kwargs):
        super().__init__(**kwargs)
        if norm not in NORMS:
            raise ValueError(f"norm must be one of {', '.join(NORMS)}, got {norm!r}")
        self.norm = norm

    def call(self, inputs):
        x, reconstruction = inputs
        diff = keras.ops.cast(x, "float32") - keras.ops.cast(reconstruction, "float32")
        axes = tuple(range(1, len(diff.shape)))
        error = keras.ops.abs(diff) if self.norm == "l1" else keras.ops.square(diff)
        return keras.ops.mean(error, axis=axes)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0],)

    def get_config(self):
        return {**super().get_config(), "norm": self.norm}
