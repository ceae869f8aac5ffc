"""Density and coverage: outlier-robust replacements for precision and recall.

Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for Generative Models"
(arXiv 2002.09797). Only the *real* set's k-NN balls are used (`r_i` = distance from real
sample `i` to its k-th nearest other real sample), so fake outliers cannot inflate them:

    density  = 1 / (k M) sum_j sum_i [||y_j - x_i|| < r_i]      (M fakes y_j, N reals x_i),
    coverage = 1 / N sum_i [min_j ||y_j - x_i|| < r_i].

Density counts how many real balls hold each fake (about 1 when the distributions match, above
1 when fakes crowd dense real regions); coverage is the share of real balls holding any fake.
Comparisons are strict (`<`), as in the authors' `prdc` package; the paper uses k = 5.
"""

import numpy as np

from keras_gans.metrics.features import as_feature_pair
from keras_gans.metrics.nearest_neighbours import BATCH_SIZE
from keras_gans.metrics.nearest_neighbours import kth_neighbour_distances
from keras_gans.metrics.nearest_neighbours import pairwise_distances
from keras_gans.metrics.nearest_neighbours import row_chunks


def density_coverage(real_features, fake_features, k=5, batch_size=BATCH_SIZE):
    """Returns `(density, coverage)` from `(n, d)` real and fake features.

    `coverage` is in [0, 1]; `density` is in [0, N / k] (N reals) and is ~1 for matching sets.

    Args:
        real_features: `(N, d)` with `N > k`.
        fake_features: `(M, d)`.
        k: the neighbourhood size that sets the real balls' radii.
        batch_size: rows of the distance matrix computed at a time (memory `O(batch_size * n)`).
    """
    real, fake = as_feature_pair(real_features, fake_features)
    radii = kth_neighbour_distances(real, k, batch_size)
    balls_per_fake = np.empty(len(fake))
    for rows in row_chunks(len(fake), batch_size):
        distances = pairwise_distances(fake[rows], real)
        balls_per_fake[rows] = np.sum(distances < radii[np.newaxis, :], axis=1)
    covered = np.empty(len(real), dtype=bool)
    for rows in row_chunks(len(real), batch_size):
        nearest_fake = np.min(pairwise_distances(real[rows], fake), axis=1)
        covered[rows] = nearest_fake < radii[rows]
    return float(np.mean(balls_per_fake) / k), float(np.mean(covered))
