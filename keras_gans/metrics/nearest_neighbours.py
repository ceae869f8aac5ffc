"""Chunked Euclidean k-nearest-neighbour radii, the building block of the manifold metrics.

Precision / recall (Kynkaanniemi et al. 2019) and density / coverage (Naeem et al. 2020) need
all pairwise distances between up to ~50,000 feature vectors; a full 10k x 10k float64 matrix is
800 MB. These helpers process `batch_size` rows at a time, so memory is `O(batch_size * n)`.
"""

import numpy as np

#: Rows per chunk: a 1000 x 10,000 float64 distance block is 80 MB.
BATCH_SIZE = 1000


def pairwise_distances(x, y):
    """The `(n, m)` Euclidean distances between the rows of `x` `(n, d)` and `y` `(m, d)`.

    Uses `||x||^2 + ||y||^2 - 2 x.y` (one matrix product, as sklearn and torch.cdist do),
    clipped at 0 before the square root.
    """
    squared = (
        np.sum(x * x, axis=1)[:, np.newaxis] + np.sum(y * y, axis=1)[np.newaxis, :] - 2.0 * x @ y.T
    )
    return np.sqrt(np.maximum(squared, 0.0))


def row_chunks(n, batch_size=BATCH_SIZE):
    """`slice`s covering `range(n)` in consecutive chunks of at most `batch_size` rows."""
    batch_size = int(batch_size)
    if batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size}.")
    return [slice(start, min(start + batch_size, n)) for start in range(0, n, batch_size)]


def kth_neighbour_distances(features, k, batch_size=BATCH_SIZE):
    """`(n,)`: each row's distance to its `k`-th nearest *other* row of `features` `(n, d)`.

    The `(k + 1)`-th smallest distance including the row itself (distance 0), as the reference
    implementations compute it; duplicates of a row count as neighbours at distance 0.
    """
    k = int(k)
    if not 1 <= k < len(features):
        raise ValueError(
            f"k must be in [1, n - 1] for a set of n = {len(features)} samples, got k = {k}."
        )
    radii = np.empty(len(features))
    for rows in row_chunks(len(features), batch_size):
        distances = pairwise_distances(features[rows], features)
        radii[rows] = np.partition(distances, k, axis=1)[:, k]
    return radii
