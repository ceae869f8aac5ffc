"""Minibatch standard deviation (ProGAN): a discriminator feature that sees sample diversity."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class MinibatchStandardDeviation(keras.layers.Layer):
    """Appends one feature map: the standard deviation of the features across a group of samples.

    ProGAN (Karras et al. 2018, arXiv:1710.10196, Sec. 3): the batch is split into groups of
    `group_size` samples; within each group, the standard deviation of every feature (over the
    group) is averaged over all features and pixels into one number, which is appended as a
    constant extra channel to every sample of the group. A generator that collapses to few modes
    produces fakes with a tell-tale low value, so the discriminator can penalise it. StyleGAN uses
    it before its last 4x4 block with groups of 4.

    Groups are consecutive samples (`0..G-1`, `G..2G-1`, ...). The group size is
    `min(group_size, batch)`, and when the batch is not divisible by it the whole batch is one
    group (a ragged last group would mix statistics of different sizes).

    Under a `tf.distribute` strategy the layer sees each replica's batch, so groups never span
    replicas. With consecutive groups and a per-replica batch divisible by `group_size`, R replicas
    form exactly the groups one device forms on the global batch; otherwise (e.g. the whole-batch
    fallback) the statistics depend on the per-replica batch size.

    Computed in float32 (epsilon 1e-8 as ProGAN's code), cast back to the compute dtype. No weights.

    Args:
        group_size: samples per group (4 in ProGAN and StyleGAN).
        epsilon: added to the variance before the square root.
    """

    def __init__(self, group_size=4, epsilon=1e-8, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1:
            raise ValueError(f"group_size must be at least 1, got {group_size}")
        self.group_size = int(group_size)
        self.epsilon = float(epsilon)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        batch = ops.shape(x)[0]
        height, width, channels = x.shape[1:]
        if isinstance(batch, int):  # a static batch: static shapes below (XLA needs them in a `tf.cond`)
            group = min(self.group_size, batch)
            group = group if batch % group == 0 else batch
        else:
            group = ops.minimum(self.group_size, batch)
            group = ops.where(ops.equal(batch % group, 0), group, batch)
        y = ops.reshape(x, (-1, group, height, width, channels))  # (batch / G, G, H, W, C)
        y = y - ops.mean(y, axis=1, keepdims=True)
        std = ops.sqrt(ops.mean(ops.square(y), axis=1) + self.epsilon)  # (batch / G, H, W, C)
        std = ops.mean(std, axis=(1, 2, 3), keepdims=True)  # one number per group: (batch / G, 1, 1, 1)
        # Each group's number on every pixel of its samples, by broadcasting in an addition (not
        # `repeat` / `broadcast_to` by the traced batch size: XLA cannot differentiate those inside
        # a `tf.cond`, e.g. a lazy R1 penalty).
        feature = ops.zeros_like(y[..., :1]) + ops.expand_dims(std, 1)  # (batch / G, G, H, W, 1)
        feature = ops.reshape(feature, (-1, height, width, 1))
        return ops.cast(ops.concatenate([x, feature], axis=-1), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (input_shape[-1] + 1,)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}
