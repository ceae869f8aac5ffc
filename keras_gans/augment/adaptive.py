"""Adaptive discriminator augmentation, ADA (Karras et al. 2020, arXiv 2006.06676)."""

import keras
import tensorflow as tf

from keras_gans.augment.transform import DInputTransform, draw_per_sample, parse_policy
from keras_gans.utils import distribute
from keras_gans.utils.serialization import register

#: The augmentations, in the order they are applied (ADA's pipeline order: geometric, then colour).
OPERATIONS = ("xflip", "rotate90", "xint", "color")


def reflect_translate(x, shifts):
    """`x` (batch, H, W, C) moved by integer `shifts` (batch, 2) = (rows, columns) per sample, the
    pixels moved in taken from the mirror image across the border (ADA pads by reflection, so no
    blank band tells D that the image was moved). `|shift|` < the image size; differentiable in `x`."""

    def reflected(size, shift):
        index = tf.abs(tf.range(size)[None, :] - shift)  # reflection at the first row / column
        return (size - 1) - tf.abs((size - 1) - index)  # ... and at the last

    x = tf.gather(x, reflected(x.shape[1], shifts[:, :1]), axis=1, batch_dims=1)
    return tf.gather(x, reflected(x.shape[2], shifts[:, 1:]), axis=2, batch_dims=1)


def rotate90(x, quarter_turns):
    """Each sample of square images `x` turned counter-clockwise by its `quarter_turns` (batch,) in 0-3."""
    turned = x
    for k in (1, 2, 3):
        turned = tf.where(tf.equal(quarter_turns, k)[:, None, None, None], tf.image.rot90(x, k), turned)
    return turned


def adjust_color(x, brightness, contrast, saturation):
    """ADA's colour transforms on images in [-1, 1], factors per sample `(batch, 1, 1, 1)`: add
    `brightness`, scale about 0 (mid grey) by `contrast`, scale the colours about each pixel's grey
    (the channels' mean; no change with one channel) by `saturation`."""
    x = (x + brightness) * contrast
    grey = tf.reduce_mean(x, axis=3, keepdims=True)
    return grey + (x - grey) * saturation


@register
class AugmentProbability(keras.layers.Layer):
    """ADA's state, saved with the model: the probability `p` and the sign sums of the interval.

    `observe(realness)` adds D's outputs on a batch of reals; every `interval` calls it moves `p`
    by `sign(r_t - target) * images / speed_images` (clipped to [0, 1]), where `r_t` is the mean
    of `sign(realness)` over the interval and `images` the reals it saw (ADA, Sec. 3.2 and its code:
    `p` can go from 0 to 1 in `speed_images` images). Sums are over the global batch: every replica
    computes the same `p`.
    """

    def __init__(self, initial_p=0.0, target=0.6, interval=4, speed_images=100_000, **kwargs):
        super().__init__(**kwargs)
        self.initial_p, self.target = float(initial_p), float(target)
        self.interval, self.speed_images = int(interval), float(speed_images)
        scalar = dict(shape=(), trainable=False, aggregation="only_first_replica")
        self.p = self.add_weight(initializer=keras.initializers.Constant(self.initial_p), name="p", **scalar)
        self.signs = self.add_weight(initializer="zeros", name="signs", **scalar)
        self.images = self.add_weight(initializer="zeros", name="images", **scalar)
        self.calls = self.add_weight(initializer="zeros", dtype="int32", name="calls", **scalar)
        self.built = True

    def observe(self, realness):
        """Adds a batch of D's outputs on reals (higher = judged more real; any shape (batch, ...))."""
        realness = tf.cast(realness, tf.float32)
        batch_signs, outputs, batch = distribute.global_sum([
            tf.reduce_sum(tf.sign(realness)), tf.cast(tf.size(realness), tf.float32),
            tf.cast(tf.shape(realness)[0], tf.float32)])
        per_image = outputs / batch  # one output per image, or a patch of them (PatchGAN)
        signs, images, calls = self.signs + batch_signs / per_image, self.images + batch, self.calls + 1
        adjust = calls >= self.interval
        r_t = signs / tf.maximum(images, 1.0)
        moved = tf.clip_by_value(self.p + tf.sign(r_t - self.target) * images / self.speed_images, 0.0, 1.0)
        self.p.assign(tf.where(adjust, moved, self.p))
        self.signs.assign(tf.where(adjust, 0.0, signs))
        self.images.assign(tf.where(adjust, 0.0, images))
        self.calls.assign(tf.where(adjust, 0, calls))

    def get_config(self):
        return {**super().get_config(), "initial_p": self.initial_p, "target": self.target,
                "interval": self.interval, "speed_images": self.speed_images}


@register
class AdaptiveAugment(DInputTransform):
    """Adaptive discriminator augmentation: every D input augmented with a probability `p` that
    follows D's overfitting (Karras et al. 2020, "Training Generative Adversarial Networks with
    Limited Data", arXiv 2006.06676).

    Each operation of `policy` is applied to each sample with probability `p` (drawn on its own):

    - `xflip`: mirrored left-right;
    - `rotate90`: turned by 0, 1, 2 or 3 quarter turns (square images);
    - `xint`: moved by an integer up to `translation_ratio` of the size each way, reflection padded;
    - `color`: brightness + N(0, 0.2), contrast x 2^N(0, 0.5), saturation x 2^N(0, 1).

    Since the same `p` applies to reals and fakes and stays below 1, D still sees the un-augmented
    distribution often enough that G does not learn the augmentations (ADA, Sec. 2: they "do not
    leak" for p below about 0.8). `p` is tuned from the overfitting heuristic
    r_t = E[sign(D(x_real))]: up when r_t > `target` (0.6), down when below, at a speed of
    `speed_images` images from 0 to 1, every `interval` discriminator updates. (ADA's default is
    500k images for runs of millions; its code takes 100k when fine-tuning, "to react faster at
    the beginning". Our recipes show D a few hundred thousand images, so 100k is the default.)
    The state is an `AugmentProbability`, a layer of the model saved with it; `p` is logged as
    `augment_p` (its mean over the epoch). The family core hands it D's outputs on the reals of
    every discriminator update. The sign assumes D's output separates real from fake at 0
    (logits, hinge, Wasserstein; the loss's `realness`).
    """

    #: The value logged every step.
    log_name = "augment_p"

    def __init__(self, policy="xflip,rotate90,xint,color", target=0.6, initial_p=0.0, interval=4,
                 speed_images=100_000, translation_ratio=0.125):
        if not 0.0 <= float(initial_p) <= 1.0 or not 0.0 < float(target) < 1.0:
            raise ValueError(f"initial_p must be in [0, 1] and target in (0, 1), got {initial_p!r} and {target!r}")
        if int(interval) < 1 or float(speed_images) <= 0:
            raise ValueError(f"interval must be >= 1 and speed_images > 0, got {interval!r} and {speed_images!r}")
        self.policy = parse_policy(policy, OPERATIONS, "AdaptiveAugment")
        self.target, self.initial_p = float(target), float(initial_p)
        self.interval, self.speed_images = int(interval), float(speed_images)
        self.translation_ratio = float(translation_ratio)
        self.state = None

    def make_state(self, name):
        """The model's `AugmentProbability` (created in the strategy's scope by the family core)."""
        self.state = AugmentProbability(self.initial_p, self.target, self.interval, self.speed_images, name=name)
        return self.state

    def observe(self, realness):
        self.state.observe(realness)

    @property
    def p(self):
        if self.state is None:
            raise ValueError("AdaptiveAugment has no state yet: it is made when a model compiles with it")
        return self.state.p

    def __call__(self, x, step, seed=None):
        if x.shape.rank != 4:
            raise ValueError(f"AdaptiveAugment augments images (batch, H, W, C), got an input of shape {x.shape}")
        operations = self.policy.split(",")
        height, width = x.shape[1], x.shape[2]
        if "rotate90" in operations and height != width:
            raise ValueError(f"rotate90 turns square images; these are {height}x{width}: leave it out of the policy")
        seed = tf.random.uniform([2], 0, 2**31 - 1, dtype=tf.int32) if seed is None else seed
        batch, p = tf.shape(x)[0], tf.cast(self.p, tf.float32)

        def uniform(index, shape=(1,), minval=0.0, maxval=1.0, dtype=tf.float32):
            return draw_per_sample(seed, index, batch, shape, lambda s, key: tf.random.stateless_uniform(
                s, seed=key, minval=minval, maxval=maxval, dtype=dtype))

        def normal(index, stddev):
            return draw_per_sample(seed, index, batch, [1, 1, 1],
                                   lambda s, key: tf.random.stateless_normal(s, seed=key, stddev=stddev))

        def chosen(index):  # (batch,): which samples this operation applies to
            return uniform(index)[:, 0] < p

        def where(mask, transformed, x):
            return tf.where(mask[:, None, None, None], transformed, x)

        if "xflip" in operations:
            x = where(chosen(0), tf.reverse(x, axis=[2]), x)
        if "rotate90" in operations:
            turns = uniform(2, minval=0, maxval=4, dtype=tf.int32)[:, 0]
            x = where(chosen(1), rotate90(x, turns), x)
        if "xint" in operations:
            limit = (int(height * self.translation_ratio + 0.5), int(width * self.translation_ratio + 0.5))
            shifts = tf.concat([uniform(4, minval=-limit[0], maxval=limit[0] + 1, dtype=tf.int32),
                                uniform(5, minval=-limit[1], maxval=limit[1] + 1, dtype=tf.int32)], axis=1)
            x = where(chosen(3), reflect_translate(x, shifts), x)
        if "color" in operations:
            ones, zeros = tf.ones([batch, 1, 1, 1]), tf.zeros([batch, 1, 1, 1])
            brightness = where(chosen(6), normal(7, 0.2), zeros)
            contrast = where(chosen(8), tf.pow(2.0, normal(9, 0.5)), ones)
            saturation = where(chosen(10), tf.pow(2.0, normal(11, 1.0)), ones)
            x = adjust_color(x, *(tf.cast(f, x.dtype) for f in (brightness, contrast, saturation)))
        return x

    def get_config(self):
        return {"policy": self.policy, "target": self.target, "initial_p": self.initial_p, "interval": self.interval,
                "speed_images": self.speed_images, "translation_ratio": self.translation_ratio}
