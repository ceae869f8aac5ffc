"""Mode coverage of samples from a Gaussian mixture: the VEEGAN / PacGAN mode-collapse metric."""

import numpy as np

#: A sample counts for a mode if it lies within this many standard deviations of the centre.
NUM_SIGMAS = 3.0


def mode_coverage(samples, centers, sigma):
    """Returns `(modes_captured, high_quality)` for generated `samples` of a Gaussian mixture.

    The protocol of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018), on the 2-D
    "ring" (8 modes, sigma 0.01) and "grid" (25 modes, sigma 0.05) mixtures with 2,500 samples:

    - a mode is *captured* if at least one sample lies within `3 * sigma` of its centre;
    - a sample is *high quality* if it lies within `3 * sigma` of its nearest centre;
      `high_quality` is the fraction (in [0, 1]) of such samples.

    Both numbers are needed: a collapsed generator has few modes but high quality, a blurry one
    many modes but low quality. Reference figures reported by PacGAN (mean over trials):

    | model   | ring modes | ring high quality | grid modes | grid high quality |
    |---------|-----------:|------------------:|-----------:|------------------:|
    | GAN     | 1.0        | 99.3%             | 3.3        | 0.5%              |
    | PacGAN4 | 7.8        | 95.9%             | 24.8       | 93.6%             |

    Even true samples score `1 - exp(-9 / 2)` = 98.9% high quality: that much of a 2-D
    Gaussian's mass lies within 3 standard deviations of its mean.

    Args:
        samples: array `(n, d)` of generated points.
        centers: array `(k, d)` of the mixture's mode centres.
        sigma: the standard deviation of every mode.
    """
    samples, centers, sigma = _check(samples, centers, sigma)
    nearest, within = _nearest_modes(samples, centers, sigma)
    counts = np.bincount(nearest[within], minlength=len(centers))
    return int(np.count_nonzero(counts)), float(np.mean(within))


def mode_histogram(samples, centers, sigma):
    """Returns int64 `(k,)`: how many samples lie within `3 * sigma` of each (nearest) centre.

    Samples farther than `3 * sigma` from every centre are not counted, so the counts sum to
    `high_quality * n`. A uniform histogram means the generator weights all modes equally.
    """
    samples, centers, sigma = _check(samples, centers, sigma)
    nearest, within = _nearest_modes(samples, centers, sigma)
    return np.bincount(nearest[within], minlength=len(centers)).astype("int64")


def _nearest_modes(samples, centers, sigma):
    """The index of each sample's nearest centre, and whether it lies within `3 * sigma` of it."""
    distances = np.linalg.norm(samples[:, np.newaxis, :] - centers[np.newaxis, :, :], axis=-1)
    nearest = np.argmin(distances, axis=1)
    within = distances[np.arange(len(samples)), nearest] <= NUM_SIGMAS * sigma
    return nearest, within


def _check(samples, centers, sigma):
    samples = np.asarray(samples, dtype="float64")
    centers = np.asarray(centers, dtype="float64")
    if samples.ndim != 2 or len(samples) == 0:
        raise ValueError(
            f"samples must be a non-empty array of shape (n, d), got shape {samples.shape}: "
            "pass a batch of generated points, e.g. generator(noise) of shape (2500, 2)."
        )
    if centers.ndim != 2 or len(centers) == 0 or centers.shape[1] != samples.shape[1]:
        raise ValueError(
            f"centers must have shape (k, {samples.shape[1]}) to match samples {samples.shape}, "
            f"got {centers.shape}: pass the mixture's centres, e.g. get_mixture('ring').centers."
        )
    if not np.isfinite(sigma) or sigma <= 0:
        raise ValueError(
            f"sigma must be a positive number (the modes' standard deviation), got {sigma!r}."
        )
    return samples, centers, float(sigma)
