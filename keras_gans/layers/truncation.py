"""The truncation trick in W: sampling closer to the tracked average w, for quality over variety."""

import keras
from keras import ops

from keras_gans.utils import distribute
from keras_gans.utils.serialization import register


def truncate(ws, w_avg, psi, cutoff=None):
    """`w_avg + psi * (ws - w_avg)` on the first `cutoff` style rows of `ws` (batch, num_styles,
    w_dim) (all with None), the others as they are; `psi` a float or a scalar tensor."""
    w_avg = ops.cast(w_avg, ws.dtype)
    truncated = w_avg + ops.cast(psi, ws.dtype) * (ws - w_avg)
    if cutoff is None:
        return truncated
    coarse = ops.arange(ws.shape[1]) < cutoff
    return ops.where(coarse[None, :, None], truncated, ws)


@register
class Truncation(keras.layers.Layer):
    """Tracks the average w in training; outside training returns `w_avg + psi * (w - w_avg)`.

    The truncation trick in W (Karras et al. 2019, arXiv:1812.04948, Sec. 2 and Appendix B):
    the low-density regions of W are poorly represented by the generator, so images drawn with w
    pulled towards the centre of mass `w_avg` (psi < 1) look better and vary less; psi = 0 gives
    the "mean face", psi = 1 no truncation. Unlike truncating z, it needs no change of the
    training distribution.

    Input: the per-layer styles `(batch, num_styles, w_dim)` (e.g. from `StyleMixing`). With
    `training=True`, `w_avg <- decay * w_avg + (1 - decay) * mean(w)` (the mean over the batch of
    row 0, which style mixing never replaces; over the global batch under a `tf.distribute`
    strategy, so every replica keeps the same `w_avg`), and the input passes unchanged.
    Otherwise the first `cutoff` rows (all with `cutoff=None`; the paper's Fig. 8 truncates the
    coarse ones) are truncated with `psi`. `w_avg` is a non-trainable float32 weight, so it is
    saved with the model, and `GAN`'s EMA copies it into the EMA generator.

    `psi` and `cutoff` are plain attributes: set them on a built model before sampling (e.g.
    with `keras_gans.networks.stylegan.set_truncation`). Eager calls (`GAN.generate`) use the new
    value at once; a traced function keeps the value it was traced with. To choose psi per call
    (and in an exported model's `*_psi` signatures) see `keras_gans.sampling.styles`.

    Args:
        psi: the truncation factor at sampling time; 1 (the default) samples without truncation,
            as FID and the other metrics expect.
        cutoff: how many leading style rows are truncated; None for all.
        decay: of the moving average (0.995 in the paper's code).
    """

    def __init__(self, psi=1.0, cutoff=None, decay=0.995, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(decay) <= 1.0:
            raise ValueError(f"decay must be in [0, 1], got {decay}")
        self.psi = float(psi)
        self.cutoff = None if cutoff is None else int(cutoff)
        self.decay = float(decay)

    def build(self, input_shape):
        self.w_avg = self.add_weight(
            shape=(input_shape[-1],), initializer="zeros", trainable=False, autocast=False, name="w_avg"
        )

    def call(self, inputs, training=None):
        if training:
            mean = distribute.global_mean(inputs[:, 0], axis=0)  # over the global batch
            self.w_avg.assign(mean + self.decay * (self.w_avg - mean))
            return inputs
        if self.psi == 1.0:
            return inputs
        return truncate(inputs, self.w_avg, self.psi, self.cutoff)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "psi": self.psi, "cutoff": self.cutoff, "decay": self.decay}
