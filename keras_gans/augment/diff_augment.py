"""DiffAugment: differentiable augmentation of every discriminator input (Zhao et al. 2020, arXiv 2006.10738)."""

import tensorflow as tf

from keras_gans.augment.transform import DInputTransform, draw_per_sample, parse_policy
from keras_gans.utils.serialization import register

#: The policies, in the order the paper's code applies them.
POLICIES = ("color", "translation", "cutout")


def adjust_color(x, brightness, saturation, contrast):
    """The paper's `color` policy on images in [-1, 1], each factor per sample `(batch, 1, 1, 1)`:
    `x + (brightness - 0.5)`, then the channels scaled about their mean by `2 * saturation`, then
    every pixel scaled about the image mean by `contrast + 0.5` (factors drawn from U[0, 1))."""
    x = x + (brightness - 0.5)
    mean = tf.reduce_mean(x, axis=3, keepdims=True)
    x = (x - mean) * (saturation * 2.0) + mean
    mean = tf.reduce_mean(x, axis=[1, 2, 3], keepdims=True)
    return (x - mean) * (contrast + 0.5) + mean


def translate(x, shifts):
    """`x` (batch, H, W, C) moved by integer `shifts` (batch, 2) = (rows, columns) per sample;
    the pixels moved in from outside are 0, as in the paper's code. Differentiable in `x` (a gather)."""
    height, width = x.shape[1], x.shape[2]
    padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]])
    rows = tf.clip_by_value(tf.range(height)[None, :] - shifts[:, :1] + 1, 0, height + 1)
    columns = tf.clip_by_value(tf.range(width)[None, :] - shifts[:, 1:] + 1, 0, width + 1)
    x = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(x, columns, axis=2, batch_dims=1)


def cutout(x, centers, size):
    """`x` with a `size` (rows, columns) square set to 0 around `centers` (batch, 2) per sample
    (clipped at the borders), as the paper's `cutout` policy."""
    height, width = x.shape[1], x.shape[2]
    top = centers[:, :1] - size[0] // 2
    left = centers[:, 1:] - size[1] // 2
    rows = tf.range(height)[None, :]
    columns = tf.range(width)[None, :]
    inside_rows = (rows >= top) & (rows < top + size[0])  # (batch, H)
    inside_columns = (columns >= left) & (columns < left + size[1])  # (batch, W)
    inside = inside_rows[:, :, None] & inside_columns[:, None, :]
    return x * tf.cast(~inside, x.dtype)[..., None]


@register
class DiffAugment(DInputTransform):
    """Differentiable augmentation applied to every discriminator input (reals and fakes, in the
    discriminator and the generator steps), so that D cannot memorise a small training set and
    G still gets gradients through the augmentation (Zhao et al. 2020, "Differentiable
    Augmentation for Data-Efficient GAN Training", arXiv 2006.10738).

    Policies (a comma-separated `policy`, applied in this order, each sample drawn on its own):

    - `color`: brightness, saturation and contrast (`adjust_color`);
    - `translation`: an integer shift of up to `translation_ratio` of the image size each way,
      zeros moved in (`translate`);
    - `cutout`: a square of `cutout_ratio` of the image size set to 0 (`cutout`).

    Draws come from the stateless `seed` of the input (every input of every update has its own),
    for the whole global batch, so 2 replicas augment what 1 device does.
    """

    def __init__(self, policy="color,translation,cutout", translation_ratio=0.125, cutout_ratio=0.5):
        self.policy = parse_policy(policy, POLICIES, "DiffAugment")
        self.translation_ratio = float(translation_ratio)
        self.cutout_ratio = float(cutout_ratio)

    def __call__(self, x, step, seed=None):
        if x.shape.rank != 4:
            raise ValueError(f"DiffAugment augments images (batch, H, W, C), got an input of shape {x.shape}")
        seed = tf.random.uniform([2], 0, 2**31 - 1, dtype=tf.int32) if seed is None else seed
        batch = tf.shape(x)[0]
        height, width = x.shape[1], x.shape[2]

        def draw(index, shape, minval, maxval, dtype=tf.float32):
            return draw_per_sample(seed, index, batch, shape, lambda s, key: tf.random.stateless_uniform(
                s, seed=key, minval=minval, maxval=maxval, dtype=dtype))

        policies = self.policy.split(",")
        if "color" in policies:
            factors = [tf.cast(draw(i, [1, 1, 1], 0.0, 1.0), x.dtype) for i in range(3)]
            x = adjust_color(x, *factors)
        if "translation" in policies:
            shift = (int(height * self.translation_ratio + 0.5), int(width * self.translation_ratio + 0.5))
            shifts = tf.concat([draw(3, [1], -shift[0], shift[0] + 1, tf.int32),
                                draw(4, [1], -shift[1], shift[1] + 1, tf.int32)], axis=1)
            x = translate(x, shifts)
        if "cutout" in policies:
            size = (int(height * self.cutout_ratio + 0.5), int(width * self.cutout_ratio + 0.5))
            centers = tf.concat([draw(5, [1], 0, height, tf.int32), draw(6, [1], 0, width, tf.int32)], axis=1)
            x = cutout(x, centers, size)
        return x

    def get_config(self):
        return {"policy": self.policy, "translation_ratio": self.translation_ratio, "cutout_ratio": self.cutout_ratio}
