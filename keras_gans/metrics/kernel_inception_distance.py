"""Kernel Inception Distance: an unbiased MMD^2 between feature sets with a cubic kernel.

Binkowski et al. 2018, "Demystifying MMD GANs" (arXiv 1801.01401). With the polynomial kernel
`k(x, y) = (x . y / d + 1)^3` (`d` the feature dimension), `m` real features `x` and `m` fake
features `y`, the unbiased estimator of the squared maximum mean discrepancy is

    MMD^2 = sum_{i != j} k(x_i, x_j) / (m (m - 1)) + sum_{i != j} k(y_i, y_j) / (m (m - 1))
            - 2 sum_{i, j} k(x_i, y_j) / m^2.

Unlike FID it has an unbiased estimator, so its expected value does not depend on `m` and it
can be negative when both sets come from one distribution. KID is its average over random
subsets of `subset_size` samples, as in the reference `polynomial_mmd_averages`.
"""

import numpy as np

from keras_gans.metrics.features import as_feature_pair

#: The reference implementation's defaults (it draws `n_subsets=50`; torch-fidelity uses 100).
NUM_SUBSETS = 100
SUBSET_SIZE = 1000


def polynomial_kernel(x, y):
    """`(x @ y.T / d + 1) ** 3`: the `(n, m)` KID kernel matrix of `(n, d)` and `(m, d)` arrays."""
    k = x @ y.T / x.shape[1] + 1.0
    return k * k * k


def polynomial_mmd2(real_features, fake_features):
    """The unbiased MMD^2 estimate between two `(n, d)` and `(m, d)` sets, cubic kernel, float64.

    `sum_{i!=j} k(x_i, x_j) / (n (n-1)) + sum_{i!=j} k(y_i, y_j) / (m (m-1))
    - 2 sum_{i,j} k(x_i, y_j) / (n m)`; needs at least 2 samples in each set.
    """
    x, y = as_feature_pair(real_features, fake_features, min_rows=2)
    n, m = len(x), len(y)
    k_xx = polynomial_kernel(x, x)
    k_yy = polynomial_kernel(y, y)
    k_xy = polynomial_kernel(x, y)
    within_x = (k_xx.sum() - np.trace(k_xx)) / (n * (n - 1))
    within_y = (k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within_x + within_y - 2.0 * k_xy.sum() / (n * m))


def kernel_inception_distance(
    real_features, fake_features, num_subsets=NUM_SUBSETS, subset_size=SUBSET_SIZE, seed=0
):
    """Returns `(mean, std)` of `polynomial_mmd2` over `num_subsets` random subset pairs.

    Each round draws `subset_size` real and `subset_size` fake rows without replacement
    (`subset_size` is capped at `min(n_real, n_fake)`); `std` is the plain standard deviation
    of the per-subset estimates (`ddof=0`), as the reference and torch-fidelity report it.
    Papers usually print KID x 1000.

    Args:
        real_features, fake_features: `(n, d)` arrays of features (e.g. Inception pool3).
        num_subsets: how many subset pairs to average over.
        subset_size: samples per subset.
        seed: seeds `numpy.random.default_rng`, so the result is reproducible.
    """
    x, y = as_feature_pair(real_features, fake_features, min_rows=2)
    if num_subsets < 1 or subset_size < 2:
        raise ValueError(
            f"Need num_subsets >= 1 and subset_size >= 2, got {num_subsets} and {subset_size}."
        )
    size = min(int(subset_size), len(x), len(y))
    rng = np.random.default_rng(seed)
    estimates = np.empty(int(num_subsets))
    for i in range(int(num_subsets)):
        real_subset = x[rng.choice(len(x), size, replace=False)]
        fake_subset = y[rng.choice(len(y), size, replace=False)]
        estimates[i] = polynomial_mmd2(real_subset, fake_subset)
    return float(np.mean(estimates)), float(np.std(estimates))
