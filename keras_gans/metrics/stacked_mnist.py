"""Stacked-MNIST mode counting: how many of the 1000 digit triples a generator produces.

Metz et al. 2017, "Unrolled Generative Adversarial Networks" (arXiv 1611.02163) stack three
MNIST digits as the channels of one image, giving 10^3 = 1000 modes; VEEGAN (arXiv 1705.07761)
and PacGAN (Lin et al. 2018, arXiv 1712.04086) report, for 26,000 samples classified channel by
channel with a pre-trained MNIST classifier,

- the number of modes (digit triples) produced at least once, out of 1000;
- `KL(q || p) = sum_m q_m log(q_m / p_m)`, `q` the samples' histogram over the 1000 modes and
  `p` uniform (`p_m = 1/1000`), with `0 log 0 = 0`: 0 for a uniform generator, `log 1000` =
  6.91 for one that always draws the same triple.
"""

import numpy as np
from keras import ops
from scipy import special

#: Digits per channel and channels per image.
NUM_DIGITS = 10
NUM_CHANNELS = 3
NUM_MODES = NUM_DIGITS**NUM_CHANNELS
#: Generated samples scored by default (PacGAN's 25,600 = 100 batches of 256; VEEGAN used 26,000).
DEFAULT_SAMPLES = 25600
#: A channel counts as confidently one digit when the classifier gives it at least this probability.
CONFIDENCE = 0.9


def stacked_mnist_mode_ids(channel_labels):
    """`(n,)` int64 mode ids `100 * c0 + 10 * c1 + c2` of `(n, 3)` per-channel digit labels."""
    labels = np.asarray(channel_labels)
    if labels.ndim != 2 or labels.shape[1] != NUM_CHANNELS or len(labels) == 0:
        raise ValueError(
            f"channel_labels must have shape (n, {NUM_CHANNELS}) (one digit per channel), got "
            f"{labels.shape}: classify each channel, e.g. with classify_stacked_channels."
        )
    if not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0 or labels.max() >= 10:
        raise ValueError("channel_labels must be integer digits in [0, 9].")
    from keras_gans.data.stacked_mnist import mode_ids

    return mode_ids(labels.astype("int64"))


def stacked_mnist_modes(channel_labels):
    """Returns `(modes_captured, kl)`: modes seen at least once (of 1000), `KL(q || uniform)`."""
    counts = np.bincount(stacked_mnist_mode_ids(channel_labels), minlength=NUM_MODES)
    q = counts / counts.sum()
    kl = _kl_to_uniform(q)
    return int(np.count_nonzero(counts)), float(kl)


#: The channels' names in the per-channel result keys.
CHANNEL_NAMES = ("r", "g", "b")


def stacked_mnist_results(channel_probabilities):
    """`{"stacked_modes", "stacked_kl", "stacked_confident", "stacked_kl_r", ...}` of `(n, 3, 10)`
    per-channel classifier probabilities: modes covered (of 1000), KL of the mode histogram to
    uniform, the share of channels classified with probability >= `CONFIDENCE` (a blurred channel
    still lands in a mode), and per channel the KL of its digit histogram to uniform over the ten
    digits (the total KL is their sum plus the channels' dependence, so these say which channel a
    generator lacks)."""
    probabilities = np.asarray(channel_probabilities)
    if probabilities.ndim != 3 or probabilities.shape[1:] != (NUM_CHANNELS, NUM_DIGITS) or not len(probabilities):
        raise ValueError(f"channel_probabilities must have shape (n, {NUM_CHANNELS}, {NUM_DIGITS}), "
                         f"got {probabilities.shape}")
    modes, kl = stacked_mnist_modes(np.argmax(probabilities, axis=-1))
    confident = float(np.mean(np.max(probabilities, axis=-1) >= CONFIDENCE))
    results = {"stacked_modes": modes, "stacked_kl": kl, "stacked_confident": confident}
    for channel, name in enumerate(CHANNEL_NAMES):
        shares = np.bincount(np.argmax(probabilities[:, channel], axis=-1), minlength=NUM_DIGITS) / len(probabilities)
        results[f"stacked_kl_{name}"] = _kl_to_uniform(shares)
    return results


def channels_as_images(images):
    """`(3n, H, W, 1)`: the channels of `(n, H, W, 3)` images, image by image (R, G, B of the first,
    then of the second, ...), for one classifier pass; reshape its outputs to `(n, 3, ...)`."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != NUM_CHANNELS:
        raise ValueError(f"images must have shape (n, H, W, {NUM_CHANNELS}), got {images.shape}.")
    return np.moveaxis(images, -1, 1).reshape(-1, *images.shape[1:3], 1)


def _kl_to_uniform(shares):
    """`KL(q || uniform) = sum_m q_m log(q_m * M)` of a histogram `q` of M bins (0 log 0 = 0)."""
    return float(np.sum(special.rel_entr(shares, np.full(len(shares), 1.0 / len(shares)))))


def classify_stacked_channels(images, classifier, batch_size=256):
    """`(n, 3)` int64 digit labels: `argmax classifier(channel)` for each channel of each image.

    Args:
        images: `(n, H, W, 3)` stacked-MNIST images (NumPy or tensor), in whatever range
            `classifier` expects.
        classifier: a callable (e.g. a Keras model) mapping `(batch, H, W, 1)` images to
            `(batch, 10)` class probabilities or logits.
        batch_size: images per classifier call.
    """
    images = ops.convert_to_numpy(images)
    if images.ndim != 4 or images.shape[-1] != NUM_CHANNELS:
        raise ValueError(
            f"images must have shape (n, H, W, {NUM_CHANNELS}), got {images.shape}."
        )
    labels = np.empty((len(images), NUM_CHANNELS), dtype="int64")
    for start in range(0, len(images), int(batch_size)):
        batch = images[start : start + int(batch_size)]
        for channel in range(NUM_CHANNELS):
            probs = ops.convert_to_numpy(classifier(batch[..., channel : channel + 1]))
            labels[start : start + len(batch), channel] = np.argmax(probs, axis=-1)
    return labels
