"""Random channel order for discriminator inputs whose distribution does not depend on it."""

import tensorflow as tf

from keras_gans.augment.transform import DInputTransform, draw_per_sample
from keras_gans.utils.serialization import register


@register
class ChannelPermutation(DInputTransform):
    """Puts the channels of each image in a random order before the discriminator sees it.

    For data whose distribution is the same under any order of its channels, as Stacked MNIST's
    (three digits drawn independently as R, G and B; Metz et al. 2017), the reals stay reals; a
    discriminator that sees every channel in every position cannot judge one position less
    strictly than the others, so the generator cannot leave one channel behind. Like any
    augmentation applied to both reals and fakes (DiffAugment, Zhao et al. 2020), it matches the
    generator's distribution with its channels shuffled; score the generator's own channels
    (`keras-gans eval`'s per-channel figures) to see that they are matched one by one.

    Each sample draws its own order (a uniform permutation: the ranks of `C` uniform numbers) from
    the input's stateless `seed`, for the whole global batch, so 2 replicas draw what 1 device
    draws. Differentiable: the generator's gradient reaches each channel through the gather.
    """

    def check_input_shape(self, shape):
        if len(shape) != 3 or shape[-1] is None or shape[-1] < 2:
            raise ValueError(f"channel_permutation shuffles the channels of images (H, W, C >= 2), got samples of "
                             f"shape {tuple(shape)}: use it on data with several channels (e.g. stacked_mnist)")

    def __call__(self, x, step, seed=None):
        self.check_input_shape(tuple(x.shape[1:]))
        seed = tf.random.uniform([2], 0, 2**31 - 1, dtype=tf.int32) if seed is None else seed
        channels = x.shape[-1]
        keys = draw_per_sample(seed, 0, tf.shape(x)[0], [channels],
                               lambda s, key: tf.random.stateless_uniform(s, seed=key))
        order = tf.argsort(keys, axis=-1)
        return tf.gather(x, order, axis=-1, batch_dims=1)

    def get_config(self):
        return {}
