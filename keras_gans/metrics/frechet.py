"""The Frechet distance between Gaussians fitted to two feature sets: FID's formula.

Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
Equilibrium" (arXiv 1706.08500). With `mu`, `S` the mean and covariance of each feature set,

    FID = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 sqrtm(S1 S2)),

the squared 2-Wasserstein distance between `N(mu1, S1)` and `N(mu2, S2)`. With Inception-v3
pool features of 50,000 samples it is *the* FID; the formula itself is feature-agnostic.
"""

import numpy as np
from scipy import linalg

from keras_gans.metrics.features import as_feature_matrix
from keras_gans.metrics.features import as_feature_pair

#: The largest |imaginary part| tolerated on the diagonal of `sqrtm(S1 S2)` (as in pytorch-fid).
IMAGINARY_TOLERANCE = 1e-3


def feature_statistics(features):
    """Returns `(mu, sigma)`: the float64 mean `(d,)` and unbiased covariance `(d, d)` of `(n, d)`.

    `sigma` is `np.cov(features, rowvar=False)`, normalised by `n - 1`.
    """
    features = as_feature_matrix(features, "features", min_rows=2)
    return np.mean(features, axis=0), np.atleast_2d(np.cov(features, rowvar=False))


def frechet_distance(real_features, fake_features, eps=1e-6):
    """FID between two `(n, d)` feature sets (row = sample), in float64.

    Fits `mu` and `sigma` with `feature_statistics` and applies
    `frechet_distance_from_statistics` (see there for `eps`). Symmetric in its arguments.
    """
    real_features, fake_features = as_feature_pair(real_features, fake_features, min_rows=2)
    mu1, sigma1 = feature_statistics(real_features)
    mu2, sigma2 = feature_statistics(fake_features)
    return frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2, eps=eps)


def frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2, eps=1e-6):
    """`||mu1 - mu2||^2 + Tr(sigma1) + Tr(sigma2) - 2 Tr(sqrtm(sigma1 @ sigma2))`, in float64.

    Computed as pytorch-fid and the TTUR reference code do:

    1. `C = scipy.linalg.sqrtm(sigma1 @ sigma2)`.
    2. Only if `C` has a non-finite entry (the product is singular, e.g. fewer samples than
       feature dimensions, and the solver broke down): `C = sqrtm((sigma1 + eps I) @ (sigma2 +
       eps I))`, i.e. `eps` is added to every variance inside the square root only; the traces
       `Tr(sigma1) + Tr(sigma2)` keep the unmodified covariances. A direction with variance `s`
       in one covariance and 0 in the other then adds about `sqrt(s * eps)` to `Tr(C)`
       (0.001 for `s = 1` and the default `eps = 1e-6`), so FID drops by twice that.
    3. Round-off can give `C` a complex type; its real part is used, after checking that every
       diagonal entry's imaginary part is within `1e-3` of 0 (otherwise `ValueError`: the
       covariances are not positive semi-definite or are too ill-conditioned to trust).

    Args:
        mu1, mu2: `(d,)` feature means.
        sigma1, sigma2: `(d, d)` feature covariances.
        eps: the ridge added to both covariances when the first square root is not finite.

    Returns:
        The distance as a Python float (may be ~-1e-12 instead of 0 for identical statistics).
    """
    mu1 = np.atleast_1d(np.asarray(mu1, dtype="float64"))
    mu2 = np.atleast_1d(np.asarray(mu2, dtype="float64"))
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype="float64"))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype="float64"))
    d = mu1.shape[0]
    if mu1.shape != (d,) or mu2.shape != (d,) or sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise ValueError(
            f"Expected means of shape (d,) and covariances of shape (d, d) with one d; got mu1 "
            f"{mu1.shape}, sigma1 {sigma1.shape}, mu2 {mu2.shape}, sigma2 {sigma2.shape}."
        )
    diff = mu1 - mu2
    covmean = linalg.sqrtm(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        offset = np.eye(d) * eps
        covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=IMAGINARY_TOLERANCE):
            raise ValueError(
                "sqrtm(sigma1 @ sigma2) has an imaginary component of up to "
                f"{np.max(np.abs(covmean.imag)):.3g}: the covariances are not positive "
                "semi-definite or too ill-conditioned (use more samples than feature dimensions)."
            )
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))

