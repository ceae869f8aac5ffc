"""An exponential moving average of a network's weights, for sampling (Karras et al. 2018; Yazıcı et
al. 2019, "The Unusual Effectiveness of Averaging in GAN Training", arXiv 1806.04498)."""

import keras
import tensorflow as tf

from keras_gans.utils import distribute


def check_decay(decay):
    """Raises ValueError unless `decay` is None or in (0, 1) (families check it before building)."""
    if decay is not None and not 0.0 < float(decay) < 1.0:
        raise ValueError(f"ema_decay must be in (0, 1), got {decay}")


class ExponentialMovingAverage:
    """Keeps `average`, a copy of `network` whose weights follow `decay * average + (1 - decay) * w`.

    Any network can be followed (a GAN's generator, CycleGAN's two generators); the model stores
    `average` as one of its own attributes, so that it is saved, loaded and distributed with it.
    Non-trainable state (batch-norm statistics, StyleGAN's average w) is copied as it is.

    With `warmup`, the decay at update t is `min(decay, (1 + t) / (10 + t))` (the `num_updates`
    rule of `tf.train.ExponentialMovingAverage`): the average forgets the random initial weights
    in the first updates instead of after ~1 / (1 - decay) of them.

    Args:
        network: the `keras.Model` to follow.
        decay: in (0, 1), e.g. 0.999.
        warmup: ramp the decay up as above.
        average: an existing copy to keep updating (a loaded model's); None clones `network`.
        name: the copy's name (default "ema_" + the network's name).
    """

    def __init__(self, network, decay, warmup=True, average=None, name=None):
        check_decay(decay)
        self.network = network
        self.decay = float(decay)
        self.warmup = bool(warmup)
        if average is None:
            average = keras.models.clone_model(network)
            average.name = name or f"ema_{network.name}"
            average.set_weights(network.get_weights())
        average.trainable = False
        self.average = average

    def decay_at(self, step):
        """The decay used at update `step` (counted from 1)."""
        decay = tf.constant(self.decay, tf.float32)
        if self.warmup:
            t = tf.cast(step, tf.float32)
            decay = tf.minimum(decay, (1.0 + t) / (10.0 + t))
        return decay

    def update(self, step):
        """average <- decay * average + (1 - decay) * weights; non-trainable weights are copied."""
        decay = self.decay_at(step)
        trainable = {id(v) for v in self.network.trainable_variables}
        targets, values = [], []
        for average, weight in zip(self.average.weights, self.network.weights):
            targets.append(average)
            if id(weight) in trainable:
                values.append(decay * average.value + (1.0 - decay) * weight.value)
            else:
                values.append(tf.identity(weight.value))
        distribute.assign_variables(targets, values)
