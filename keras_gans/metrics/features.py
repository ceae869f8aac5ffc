"""Validation shared by the feature-based metrics: `(n, d)` float64 matrices of one width."""

import numpy as np


def as_feature_matrix(features, name="features", min_rows=1):
    """`features` as a float64 `(n, d)` array with `n >= min_rows`; else a `ValueError`."""
    features = np.asarray(features, dtype="float64")
    if features.ndim != 2 or features.shape[0] < min_rows or features.shape[1] == 0:
        raise ValueError(
            f"{name} must be an array of shape (n, d) (one feature row per sample) with n >= "
            f"{min_rows}, got shape {features.shape}: flatten or pool feature maps first."
        )
    if not np.isfinite(features).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return features


def as_feature_pair(real_features, fake_features, min_rows=1):
    """Both feature sets via `as_feature_matrix`, checking that they have the same width `d`."""
    real = as_feature_matrix(real_features, "real_features", min_rows)
    fake = as_feature_matrix(fake_features, "fake_features", min_rows)
    if real.shape[1] != fake.shape[1]:
        raise ValueError(
            f"real_features {real.shape} and fake_features {fake.shape} must have the same "
            "feature dimension: extract both with the same network."
        )
    return real, fake
