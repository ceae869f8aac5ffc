"""Top-k generator update: train G only on the samples the discriminator finds most realistic."""

import tensorflow as tf

from keras_gans.utils.serialization import register


@register
class TopKGeneratorUpdate:
    """Keeps the `k` generated samples with the highest discriminator score in the generator loss.

    Sinha et al. 2020, "Top-k Training of GANs" (arXiv 2002.06224): the worst-scored samples push G
    in directions that hurt quality; dropping them from the G update improves it. `k` starts at the
    whole batch and decays: `k_t = ceil(batch * max(min_fraction, decay ** (t / decay_steps)))` with
    `t` the generator step (the paper: decay 0.99 per epoch, floor 0.5).

    `score` maps the discriminator's per-sample outputs to "realness" (higher = more real); the GAN
    passes its loss's `realness` so that energy-based losses (lower = more real) work too.
    """

    def __init__(self, min_fraction=0.5, decay=0.99, decay_steps=1000):
        if not 0.0 < min_fraction <= 1.0:
            raise ValueError(f"min_fraction must be in (0, 1], got {min_fraction}")
        self.min_fraction = float(min_fraction)
        self.decay = float(decay)
        self.decay_steps = int(decay_steps)

    def fraction_at(self, step):
        t = tf.cast(step, tf.float32) / float(self.decay_steps)
        return tf.maximum(self.min_fraction, tf.pow(self.decay, t))

    def __call__(self, fake_output, realness, step):
        """Returns the indices of the top-k samples of the batch."""
        scores = tf.reshape(tf.cast(realness, tf.float32), [tf.shape(realness)[0], -1])
        scores = tf.reduce_mean(scores, axis=1)
        batch = tf.shape(scores)[0]
        k = tf.cast(tf.math.ceil(tf.cast(batch, tf.float32) * self.fraction_at(step)), tf.int32)
        k = tf.clip_by_value(k, 1, batch)
        return tf.math.top_k(scores, k=k).indices

    def get_config(self):
        return {
            "min_fraction": self.min_fraction,
            "decay": self.decay,
            "decay_steps": self.decay_steps,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def get_top_k(identifier):
    """A `TopKGeneratorUpdate` from an instance or a dict of its arguments (None stays None)."""
    if identifier is None or isinstance(identifier, TopKGeneratorUpdate):
        return identifier
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            import keras

            return keras.saving.deserialize_keras_object(identifier)
        return TopKGeneratorUpdate(**identifier)
    raise ValueError(f"Could not interpret top_k: {identifier!r}; pass a TopKGeneratorUpdate or a dict of its arguments.")
