"""Tests of keras_gans.metrics.mode_coverage (VEEGAN / PacGAN protocol)."""

import numpy as np
import pytest

from keras_gans.data import get_mixture
from keras_gans.data import sample_mixture
from keras_gans.metrics import mode_coverage
from keras_gans.metrics import mode_histogram

RING = get_mixture("ring")
GRID = get_mixture("grid")


def test_all_samples_at_the_centres():
    samples = np.repeat(RING.centers, 10, axis=0)
    assert mode_coverage(samples, RING.centers, RING.sigma) == (8, 1.0)
    np.testing.assert_array_equal(mode_histogram(samples, RING.centers, RING.sigma), [10] * 8)


def test_collapsed_onto_one_centre():
    samples = np.tile(RING.centers[3], (50, 1)) + 0.02  # 0.028 < 3 * sigma = 0.03 away.
    modes, quality = mode_coverage(samples, RING.centers, RING.sigma)
    assert (modes, quality) == (1, 1.0)
    assert isinstance(modes, int) and isinstance(quality, float)
    counts = mode_histogram(samples, RING.centers, RING.sigma)
    np.testing.assert_array_equal(counts, [0, 0, 0, 50, 0, 0, 0, 0])


def test_samples_far_from_every_centre():
    samples = np.full((20, 2), 10.0)
    assert mode_coverage(samples, GRID.centers, GRID.sigma) == (0, 0.0)
    assert mode_histogram(samples, GRID.centers, GRID.sigma).sum() == 0
    # Just outside 3 sigma does not count either.
    assert mode_coverage(RING.centers + [0.031, 0.0], RING.centers, RING.sigma) == (0, 0.0)


def test_mixed_case_by_hand():
    centers = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    sigma = 0.5  # Radius 1.5.
    samples = np.array(
        [
            [0.0, 1.0],  # mode 0, 1.0 away: high quality
            [1.0, 1.0],  # mode 0, 1.41 away: high quality
            [1.2, 1.2],  # nearest mode 0, 1.70 away: low quality
            [3.0, 0.0],  # mode 1, 1.0 away: high quality
            [2.0, 0.0],  # nearest mode 0 or 1, 2.0 away: low quality
            [-3.0, -3.0],  # far from everything
            [4.0, 0.5],  # mode 1: high quality
            [8.0, 8.0],  # far from everything
        ]
    )
    # Modes 0 and 1 captured, mode 2 not; 4 of 8 samples are high quality.
    assert mode_coverage(samples, centers, sigma) == (2, 0.5)
    np.testing.assert_array_equal(mode_histogram(samples, centers, sigma), [2, 2, 0])


@pytest.mark.parametrize("mixture", [RING, GRID], ids=["ring", "grid"])
def test_true_samples_score_perfectly(mixture):
    samples = sample_mixture(mixture.name, 2500, seed=0)
    modes, quality = mode_coverage(samples, mixture.centers, mixture.sigma)
    assert modes == mixture.num_modes
    # 1 - exp(-4.5) = 98.89% of a 2-D Gaussian lies within 3 sigma; 0.007 is ~3 standard errors.
    assert abs(quality - (1 - np.exp(-4.5))) < 0.007
    counts = mode_histogram(samples, mixture.centers, mixture.sigma)
    assert counts.sum() == round(quality * 2500)
    assert counts.min() > 0.5 * 2500 / mixture.num_modes  # Roughly uniform over modes.


def test_accepts_lists_and_float32():
    samples = RING.centers.astype("float32").tolist()
    assert mode_coverage(samples, RING.centers.tolist(), RING.sigma) == (8, 1.0)


@pytest.mark.parametrize(
    "samples, centers, sigma, match",
    [
        (np.zeros((0, 2)), RING.centers, 0.01, "samples must be a non-empty array of shape"),
        (np.zeros(5), RING.centers, 0.01, r"samples must .* got shape \(5,\)"),
        (np.zeros((5, 3)), RING.centers, 0.01, r"centers must have shape \(k, 3\)"),
        (np.zeros((5, 2)), RING.centers, 0.0, "sigma must be a positive number"),
        (np.zeros((5, 2)), RING.centers, float("nan"), "sigma must be a positive number"),
    ],
)
def test_rejects_bad_inputs(samples, centers, sigma, match):
    with pytest.raises(ValueError, match=match):
        mode_coverage(samples, centers, sigma)
    with pytest.raises(ValueError, match=match):
        mode_histogram(samples, centers, sigma)
