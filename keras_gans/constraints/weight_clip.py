"""Weight clipping, the original WGAN's way of keeping the critic Lipschitz."""

import keras

from keras_gans.utils.serialization import register


@register
class WeightClip(keras.constraints.Constraint):
    """Clips every weight to `[-clip_value, clip_value]` (Arjovsky et al. 2017, arXiv:1701.07875).

    A compact weight space bounds the critic's Lipschitz constant (by an unknown K). The paper
    clips all critic weights to 0.01 after each RMSprop step; the GAN applies the constraints it is
    given to every trainable variable of the discriminator after each discriminator update.

    Args:
        clip_value: the bound `c > 0`.
    """

    def __init__(self, clip_value=0.01):
        if clip_value <= 0:
            raise ValueError(f"clip_value must be > 0, got {clip_value}")
        self.clip_value = float(clip_value)

    def __call__(self, w):
        w = keras.ops.convert_to_tensor(w)
        c = keras.ops.cast(self.clip_value, w.dtype)
        return keras.ops.clip(w, -c, c)

    def get_config(self):
        return {"clip_value": self.clip_value}

    def __repr__(self):
        return f"WeightClip(clip_value={self.clip_value!r})"
