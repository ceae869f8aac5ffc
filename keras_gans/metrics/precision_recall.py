"""Improved precision and recall: how much of each distribution lies on the other's manifold.

Kynkaanniemi et al. 2019, "Improved Precision and Recall Metric for Assessing Generative
Models" (arXiv 1904.06991). Each set's manifold is the union of balls around its samples, each
ball's radius being the distance to that sample's `k`-th nearest neighbour in the same set.

    precision = share of fake samples inside the real manifold   (quality / fidelity),
    recall    = share of real samples inside the fake manifold   (diversity / coverage).

A sample is inside if `||sample - phi|| <= radius(phi)` for some manifold sample `phi` (the
paper's and the NVlabs code's `<=`). The paper uses VGG-16 fc2 features and k = 3.
"""

import numpy as np

from keras_gans.metrics.features import as_feature_pair
from keras_gans.metrics.nearest_neighbours import BATCH_SIZE
from keras_gans.metrics.nearest_neighbours import kth_neighbour_distances
from keras_gans.metrics.nearest_neighbours import pairwise_distances
from keras_gans.metrics.nearest_neighbours import row_chunks


def manifold_membership(probes, manifold, k=3, batch_size=BATCH_SIZE):
    """`(n_probes,)` bool: whether each probe lies in the k-NN-ball manifold of `manifold`."""
    radii = kth_neighbour_distances(manifold, k, batch_size)
    inside = np.empty(len(probes), dtype=bool)
    for rows in row_chunks(len(probes), batch_size):
        distances = pairwise_distances(probes[rows], manifold)
        inside[rows] = np.any(distances <= radii[np.newaxis, :], axis=1)
    return inside


def precision_recall(real_features, fake_features, k=3, batch_size=BATCH_SIZE):
    """Returns `(precision, recall)`, both in [0, 1], from `(n, d)` real and fake features.

    Args:
        real_features, fake_features: feature arrays, each with more than `k` rows.
        k: the neighbourhood size that sets the ball radii.
        batch_size: rows of the distance matrix computed at a time (memory `O(batch_size * n)`).
    """
    real, fake = as_feature_pair(real_features, fake_features)
    precision = np.mean(manifold_membership(fake, real, k, batch_size))
    recall = np.mean(manifold_membership(real, fake, k, batch_size))
    return float(precision), float(recall)
