"""Tests of the sample-quality metrics: FID, KID, IS, precision / recall, density / coverage,
Stacked-MNIST modes, conditional accuracy, and their streaming Keras wrappers."""

import keras
import numpy as np
import pytest
import scipy.linalg
import tensorflow as tf

from keras_gans import metrics
from keras_gans.metrics import DensityCoverage
from keras_gans.metrics import FrechetDistance
from keras_gans.metrics import InceptionScore
from keras_gans.metrics import KernelInceptionDistance
from keras_gans.metrics import PrecisionRecall
from keras_gans.metrics import classify_stacked_channels
from keras_gans.metrics import conditional_accuracy
from keras_gans.metrics import density_coverage
from keras_gans.metrics import feature_statistics
from keras_gans.metrics import frechet_distance
from keras_gans.metrics import frechet_distance_from_statistics
from keras_gans.metrics import inception_score
from keras_gans.metrics import kernel_inception_distance
from keras_gans.metrics import polynomial_mmd2
from keras_gans.metrics import precision_recall
from keras_gans.metrics import stacked_mnist_mode_ids
from keras_gans.metrics import stacked_mnist_modes


def _gaussian(rng, n, mean, cov):
    return rng.multivariate_normal(mean, cov, size=n)


def _psd_sqrt(matrix):
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def _closed_form_fid(mu1, s1, mu2, s2):
    """The Gaussian W2^2 via the symmetric form Tr sqrt(S1^1/2 S2 S1^1/2): no scipy.sqrtm."""
    root1 = _psd_sqrt(s1)
    cross = np.trace(_psd_sqrt(root1 @ s2 @ root1))
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2.0 * cross)


# Non-diagonal, non-commuting covariances for d = 4.
MU1 = np.array([0.0, 1.0, -1.0, 0.5])
MU2 = np.array([1.0, 0.0, 0.5, -0.5])
A1 = np.array(
    [[1.0, 0.5, 0.0, 0.2], [0.0, 1.0, 0.3, 0.0], [0.0, 0.0, 0.8, 0.4], [0.0, 0.0, 0.0, 0.6]]
)
A2 = np.array(
    [[0.7, 0.0, 0.0, 0.0], [0.6, 1.2, 0.0, 0.0], [-0.3, 0.2, 1.0, 0.0], [0.1, 0.0, 0.5, 1.5]]
)
S1 = A1 @ A1.T
S2 = A2 @ A2.T


# --- FID ---------------------------------------------------------------------------------------


def test_fid_of_identical_sets_is_zero():
    x = np.random.default_rng(0).normal(size=(500, 8)) * 3.0 + 1.0
    fid = frechet_distance(x, x)
    assert abs(fid) < 1e-6 * np.trace(np.cov(x, rowvar=False))
    assert isinstance(fid, float)


def test_fid_of_two_gaussians_matches_the_closed_form():
    assert not np.allclose(S1 @ S2, S2 @ S1)  # The general, non-commuting case.
    expected = _closed_form_fid(MU1, S1, MU2, S2)
    # The statistics version on the true parameters is the closed form itself.
    assert frechet_distance_from_statistics(MU1, S1, MU2, S2) == pytest.approx(expected, rel=1e-9)
    rng = np.random.default_rng(1)
    x = _gaussian(rng, 20000, MU1, S1)
    y = _gaussian(rng, 20000, MU2, S2)
    assert frechet_distance(x, y) == pytest.approx(expected, rel=0.01)
    # A different Gaussian pair is clearly farther from the closed form.
    z = _gaussian(rng, 20000, MU2 + 0.5, S2)
    assert abs(frechet_distance(x, z) - expected) > 0.1 * expected


def test_fid_matches_the_formula_on_sample_statistics():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(300, 5)), rng.gamma(2.0, size=(200, 5))
    mu1, s1 = feature_statistics(x)
    np.testing.assert_allclose(mu1, x.mean(axis=0))
    np.testing.assert_allclose(s1, np.cov(x, rowvar=False, ddof=1))
    mu2, s2 = feature_statistics(y)
    assert frechet_distance(x, y) == pytest.approx(_closed_form_fid(mu1, s1, mu2, s2), rel=1e-8)


def test_fid_is_symmetric():
    rng = np.random.default_rng(3)
    x = _gaussian(rng, 1000, MU1, S1)
    y = _gaussian(rng, 700, MU2, S2)
    assert frechet_distance(x, y) == pytest.approx(frechet_distance(y, x), rel=1e-6)


def test_fid_of_a_singular_case_is_finite():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 32))  # d > n: rank-deficient covariances.
    y = rng.normal(size=(12, 32)) + 0.5
    fid = frechet_distance(x, y)
    assert np.isfinite(fid) and fid > 0.0
    scale = np.trace(np.cov(x, rowvar=False))
    assert frechet_distance(x, x) == pytest.approx(0.0, abs=1e-6 * scale)


def test_fid_adds_eps_to_both_covariances_when_sqrtm_is_not_finite(monkeypatch):
    real_sqrtm = scipy.linalg.sqrtm
    calls = []

    def flaky_sqrtm(matrix):
        calls.append(matrix)
        if len(calls) == 1:
            return np.full_like(matrix, np.nan)
        return real_sqrtm(matrix)

    monkeypatch.setattr(scipy.linalg, "sqrtm", flaky_sqrtm)
    eps = 1e-3
    fid = frechet_distance_from_statistics(MU1, S1, MU2, S2, eps=eps)
    assert len(calls) == 2
    offset = eps * np.eye(4)
    np.testing.assert_allclose(calls[1], (S1 + offset) @ (S2 + offset))
    # Traces of the unmodified covariances; only the square-root term sees eps.
    covmean = real_sqrtm((S1 + offset) @ (S2 + offset)).real
    expected = np.sum((MU1 - MU2) ** 2) + np.trace(S1) + np.trace(S2) - 2 * np.trace(covmean)
    assert fid == pytest.approx(expected, rel=1e-12)


def test_fid_raises_on_a_large_imaginary_component(monkeypatch):
    monkeypatch.setattr(scipy.linalg, "sqrtm", lambda m: np.eye(len(m)) * (1.0 + 0.5j))
    with pytest.raises(ValueError, match="imaginary"):
        frechet_distance_from_statistics(MU1, S1, MU2, S2)
    # A tiny imaginary part is round-off: the real part is used.
    monkeypatch.setattr(scipy.linalg, "sqrtm", lambda m: np.eye(len(m)) * (1.0 + 1e-9j))
    assert frechet_distance_from_statistics(MU1, S1, MU2, S2) == pytest.approx(
        np.sum((MU1 - MU2) ** 2) + np.trace(S1) + np.trace(S2) - 8.0
    )


def test_fid_rejects_bad_shapes():
    with pytest.raises(ValueError, match="same feature dimension"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r"shape \(n, d\)"):
        frechet_distance(np.zeros(5), np.zeros(5))
    with pytest.raises(ValueError, match="n >= 2"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))


# --- KID ---------------------------------------------------------------------------------------


def _brute_force_mmd2(x, y):
    d = x.shape[1]
    k = lambda a, b: (a @ b / d + 1.0) ** 3  # noqa: E731
    n, m = len(x), len(y)
    xx = sum(k(x[i], x[j]) for i in range(n) for j in range(n) if i != j) / (n * (n - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(n) for j in range(m)) / (n * m)
    return xx + yy - 2 * xy


def test_polynomial_mmd2_matches_a_brute_force_sum():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(7, 3)), rng.normal(size=(9, 3)) + 0.3
    assert polynomial_mmd2(x, y) == pytest.approx(_brute_force_mmd2(x, y), rel=1e-10)


def test_kid_is_near_zero_for_one_distribution_and_positive_for_a_shift():
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(600, 16)), rng.normal(size=(600, 16))
    same_mean, same_std = kernel_inception_distance(x, y, num_subsets=10, subset_size=300)
    shifted_mean, _ = kernel_inception_distance(x, y + 0.5, num_subsets=10, subset_size=300)
    assert shifted_mean > 0.2
    assert abs(same_mean) < 0.02 * shifted_mean
    assert same_std > 0.0
    # Reproducible for a seed; subset_size is capped at min(n_real, n_fake).
    assert kernel_inception_distance(x, y, 5, 100, seed=3) == kernel_inception_distance(
        x, y, 5, 100, seed=3
    )
    assert kernel_inception_distance(x, y, 5, 100, seed=3) != kernel_inception_distance(
        x, y, 5, 100, seed=4
    )
    capped = kernel_inception_distance(x[:50], y[:80], num_subsets=3, subset_size=1000)
    assert np.isfinite(capped[0])


def test_kid_is_unbiased():
    # E over random subsets of the per-subset unbiased estimate is exactly the pool's unbiased
    # estimate (a U-statistic); the biased V-statistic average is far off for subsets of 5.
    rng = np.random.default_rng(7)
    x, y = rng.normal(size=(40, 2)), rng.normal(size=(40, 2)) * 1.5 + 0.5
    pool = polynomial_mmd2(x, y)
    num_subsets = 20000
    mean, std = kernel_inception_distance(x, y, num_subsets=num_subsets, subset_size=5, seed=1)
    standard_error = std / np.sqrt(num_subsets)
    assert abs(mean - pool) < 4 * standard_error

    def biased(a, b):
        k = lambda u, v: (u @ v.T / 2 + 1.0) ** 3  # noqa: E731
        return k(a, a).mean() + k(b, b).mean() - 2 * k(a, b).mean()

    rng = np.random.default_rng(1)
    v_stat = np.mean(
        [biased(x[rng.choice(40, 5, replace=False)], y[rng.choice(40, 5, replace=False)])
         for _ in range(2000)]
    )
    assert abs(v_stat - pool) > 20 * standard_error
    # It is negative for some subsets of a single distribution (a biased estimate never is).
    estimates = [polynomial_mmd2(*np.split(rng.normal(size=(10, 2)), 2)) for _ in range(50)]
    assert min(estimates) < 0.0


# --- Inception Score --------------------------------------------------------------------------


def test_inception_score_known_values():
    one_hot_spread = np.eye(10)[np.arange(100) % 10]
    mean, std = inception_score(one_hot_spread, splits=10)
    assert mean == pytest.approx(10.0, rel=1e-12) and std == pytest.approx(0.0, abs=1e-12)
    assert inception_score(np.eye(10)[np.full(100, 3)], splits=10) == pytest.approx((1.0, 0.0))
    assert inception_score(np.full((100, 10), 0.1), splits=5)[0] == pytest.approx(1.0)


def test_inception_score_by_hand():
    probs = np.array([[1.0, 0.0], [0.5, 0.5]])
    marginal = np.array([0.75, 0.25])
    kl1 = np.log(1.0 / marginal[0])
    kl2 = 0.5 * np.log(0.5 / marginal[0]) + 0.5 * np.log(0.5 / marginal[1])
    mean, std = inception_score(probs, splits=1)
    assert mean == pytest.approx(np.exp((kl1 + kl2) / 2), rel=1e-12)
    assert std == 0.0


def test_inception_score_splits_drop_the_remainder():
    probs = np.eye(4)[np.arange(8) % 4]
    extra = np.concatenate([probs, np.eye(4)[[0, 0, 0]]])  # 11 rows, splits=2: 5 + 5 used.
    mean, std = inception_score(extra, splits=2)
    first, second = extra[:5], extra[5:10]
    expected = [inception_score(first, 1)[0], inception_score(second, 1)[0]]
    assert (mean, std) == pytest.approx((np.mean(expected), np.std(expected)))
    assert std > 0.0
    with pytest.raises(ValueError, match="logits"):
        inception_score(np.full((10, 4), 2.0), splits=1)
    with pytest.raises(ValueError, match="splits"):
        inception_score(probs, splits=9)


# --- Precision / recall, density / coverage ---------------------------------------------------


def _clusters(rng, centres, n=100, d=4):
    return np.concatenate([rng.normal(size=(n, d)) + c for c in centres])


def _brute_force_precision_recall(real, fake, k):
    def inside(probes, manifold):
        dist = np.linalg.norm(manifold[:, None] - manifold[None], axis=-1)
        radii = np.sort(dist, axis=1)[:, k]
        to_manifold = np.linalg.norm(probes[:, None] - manifold[None], axis=-1)
        return np.mean(np.any(to_manifold <= radii[None], axis=1))

    return inside(fake, real), inside(real, fake)


def test_precision_recall_identical_disjoint_and_half_overlap():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(200, 5))
    assert precision_recall(x, x, k=3) == (1.0, 1.0)
    assert precision_recall(x, x + 1000.0, k=3) == (0.0, 0.0)
    real = _clusters(rng, [0.0, 100.0])
    fake = np.concatenate([real[:100], rng.normal(size=(100, 4)) - 100.0])
    assert precision_recall(real, fake, k=3) == (0.5, 0.5)


def test_precision_recall_balls_are_closed():
    # Reals on 0..19, fakes on 1..20, k = 1: every radius is 1. The fake at 20 is exactly at
    # distance 1 from the real at 19 (and the real at 0 from the fake at 1): inside, as "<=".
    n = 20
    line = np.stack([np.arange(n, dtype=float), np.zeros(n)], axis=1)
    assert precision_recall(line, line + [1.0, 0.0], k=1) == (1.0, 1.0)
    assert precision_recall(line, line + [0.0, 1.0], k=1) == (1.0, 1.0)  # Also on the sphere.
    assert precision_recall(line, line + [0.0, 1.001], k=1) == (0.0, 0.0)  # Just outside.


def test_precision_recall_matches_brute_force_and_chunking():
    rng = np.random.default_rng(9)
    real, fake = rng.normal(size=(120, 3)), rng.normal(size=(90, 3)) * 1.3 + 0.4
    expected = _brute_force_precision_recall(real, fake, k=3)
    assert precision_recall(real, fake, k=3) == pytest.approx(expected)
    assert precision_recall(real, fake, k=3, batch_size=7) == precision_recall(real, fake, k=3)
    assert 0.0 < expected[0] < 1.0 and 0.0 < expected[1] < 1.0
    with pytest.raises(ValueError, match="k must be"):
        precision_recall(real[:3], fake, k=3)


def test_density_coverage_known_cases():
    n = 20
    line = np.stack([np.arange(n, dtype=float), np.zeros(n)], axis=1)
    # k = 1: every radius is 1, a fake on a real point lies in its own ball only (strict <).
    assert density_coverage(line, line, k=1) == (1.0, 1.0)
    # k = 2: the two end points have radius 2 and also hold their neighbour: n + 2 memberships.
    assert density_coverage(line, line, k=2) == pytest.approx(((n + 2) / (2 * n), 1.0))
    assert density_coverage(line, line + 1000.0, k=2) == (0.0, 0.0)
    half = np.concatenate([line[: n // 2], line[: n // 2] + 1000.0])
    assert density_coverage(line, half, k=1) == (0.5, 0.5)
    # Fakes crowding a dense region: density above 1.
    crowd = np.tile(line[1] + [0.5, 0.0], (10, 1))  # In the balls of reals 0 (r=2), 1 and 2.
    assert density_coverage(line, crowd, k=2) == pytest.approx((1.5, 3 / n))
    crowd = np.tile(line[0] + [0.5, 0.0], (10, 1))  # In the balls of reals 0 and 1 only.
    assert density_coverage(line, crowd, k=2) == pytest.approx((1.0, 2 / n))


def test_density_coverage_matches_brute_force_and_chunking():
    rng = np.random.default_rng(10)
    real, fake, k = rng.normal(size=(80, 3)), rng.normal(size=(60, 3)) + 0.3, 5
    dist_rr = np.linalg.norm(real[:, None] - real[None], axis=-1)
    radii = np.sort(dist_rr, axis=1)[:, k]
    dist_rf = np.linalg.norm(real[:, None] - fake[None], axis=-1)
    density = np.sum(dist_rf < radii[:, None]) / (k * len(fake))
    coverage = np.mean(dist_rf.min(axis=1) < radii)
    assert density_coverage(real, fake, k) == pytest.approx((density, coverage))
    assert density_coverage(real, fake, k, batch_size=9) == pytest.approx((density, coverage))


# --- Stacked MNIST, conditional accuracy -------------------------------------------------------


def test_stacked_mnist_modes_known_cases():
    every_triple = np.stack(np.unravel_index(np.arange(1000), (10, 10, 10)), axis=1)
    np.testing.assert_array_equal(stacked_mnist_mode_ids(every_triple), np.arange(1000))
    modes, kl = stacked_mnist_modes(every_triple)
    assert modes == 1000 and kl == pytest.approx(0.0, abs=1e-12)
    modes, kl = stacked_mnist_modes(np.tile([[4, 0, 7]], (26, 1)))
    assert modes == 1 and kl == pytest.approx(np.log(1000.0))
    modes, kl = stacked_mnist_modes(every_triple[::2])  # 500 modes, uniform among them.
    assert modes == 500 and kl == pytest.approx(np.log(2.0))
    assert stacked_mnist_mode_ids([[1, 2, 3]])[0] == 123
    with pytest.raises(ValueError, match=r"\[0, 9\]"):
        stacked_mnist_modes([[1, 2, 10]])
    with pytest.raises(ValueError, match="shape"):
        stacked_mnist_modes([[1, 2]])


def test_classify_stacked_channels():
    rng = np.random.default_rng(11)
    labels = rng.integers(0, 10, size=(7, 3))
    images = np.broadcast_to((labels / 10.0)[:, None, None, :], (7, 5, 5, 3)).astype("float32")

    def classifier(batch):  # Reads the digit off the constant channel value.
        assert batch.shape[1:] == (5, 5, 1)
        digits = np.rint(np.mean(batch, axis=(1, 2, 3)) * 10).astype(int)
        return np.eye(10)[digits]

    predicted = classify_stacked_channels(images, classifier, batch_size=3)
    np.testing.assert_array_equal(predicted, labels)
    model = keras.Sequential(
        [keras.Input((5, 5, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    predicted = classify_stacked_channels(images, model)
    expected = np.stack([np.argmax(model(images[..., c : c + 1]), axis=-1) for c in range(3)], 1)
    np.testing.assert_array_equal(predicted, expected)


def test_conditional_accuracy():
    targets = np.array([0, 1, 2, 3])
    assert conditional_accuracy(np.array([0, 1, 2, 0]), targets) == 0.75
    probs = np.eye(4)[[0, 1, 3, 2]] * 0.7 + 0.075
    assert conditional_accuracy(probs, targets) == 0.5
    assert conditional_accuracy(probs, np.eye(4)[targets]) == 0.5
    assert conditional_accuracy(targets, targets) == 1.0
    with pytest.raises(ValueError, match="same n"):
        conditional_accuracy(targets[:3], targets)


# --- Streaming metrics --------------------------------------------------------------------------


def _uneven_chunks(n, parts=7):
    cuts = np.sort(np.random.default_rng(12).choice(np.arange(1, n), parts - 1, replace=False))
    return np.split(np.arange(n), cuts)


def test_streaming_fid_equals_the_function_on_the_concatenation():
    rng = np.random.default_rng(13)
    x = _gaussian(rng, 600, MU1, S1) + 3.0
    y = _gaussian(rng, 500, MU2, S2)
    metric = FrechetDistance()
    for real_rows, fake_rows in zip(_uneven_chunks(600), _uneven_chunks(500)):
        metric.update_state(x[real_rows], y[fake_rows])
    expected = frechet_distance(x, y)
    assert float(metric.result()) == pytest.approx(expected, rel=1e-6)
    assert metric.feature_dim == 4 and float(metric.real_count.numpy()) == 600
    metric.reset_state()
    assert all(not np.any(v.numpy()) for v in metric.variables)
    assert np.isnan(float(metric.result()))
    metric.update_state(real=y)  # One side at a time.
    metric.update_state(fake=x)
    assert float(metric.result()) == pytest.approx(expected, rel=1e-6)


def test_streaming_fid_with_extractor_feature_dim_and_graph():
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(64, 2, 3)), rng.normal(size=(48, 2, 3)) + 0.2
    extractor = keras.Sequential(
        [keras.Input((2, 3)), keras.layers.Flatten(), keras.layers.Dense(5)]
    )
    metric = FrechetDistance(feature_extractor=extractor, feature_dim=5)
    assert len(metric.variables) == 6  # Built in __init__.

    @tf.function
    def step(real, fake):
        metric.update_state(real, fake)
        return metric.result()

    for real_rows, fake_rows in zip(_uneven_chunks(64, 3), _uneven_chunks(48, 3)):
        value = step(x[real_rows], y[fake_rows])
    expected = frechet_distance(extractor(x).numpy(), extractor(y).numpy())
    assert float(value) == pytest.approx(expected, rel=1e-5)
    with pytest.raises(ValueError, match="dimension 5"):
        FrechetDistance(feature_dim=5).update_state(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="sample_weight"):
        metric.update_state(x, y, sample_weight=np.ones(64))


def test_streaming_fid_builds_lazily_inside_a_tf_function():
    rng = np.random.default_rng(18)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) - 0.4
    metric = FrechetDistance()
    assert metric.variables == [] and metric.feature_dim is None
    assert np.isnan(float(metric.result()))

    @tf.function
    def step(real, fake):
        metric.update_state(real, fake)
        return metric.result()

    step(x[:20], y[:10])
    value = step(x[20:], y[10:])
    assert metric.feature_dim == 3 and len(metric.variables) == 6
    assert float(value) == pytest.approx(frechet_distance(x, y), rel=1e-6)


def test_streaming_metrics_serialize():
    metric = FrechetDistance(feature_dim=3, eps=1e-4, name="my_fid")
    assert keras.saving.get_registered_name(FrechetDistance) == "keras_gans>FrechetDistance"
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(restored, FrechetDistance)
    assert (restored.name, restored.eps, restored.feature_dim) == ("my_fid", 1e-4, 3)
    extractor = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    config = KernelInceptionDistance(extractor, max_samples=50, num_subsets=3, seed=5).get_config()
    restored = KernelInceptionDistance.from_config(config)
    assert isinstance(restored.feature_extractor, keras.Model)
    assert (restored.max_samples, restored.num_subsets, restored.seed) == (50, 3, 5)
    for cls in (KernelInceptionDistance, PrecisionRecall, DensityCoverage, InceptionScore):
        assert keras.saving.get_registered_name(cls) == f"keras_gans>{cls.__name__}"
        assert cls.from_config(cls().get_config()).get_config() == cls().get_config()


def test_streaming_kid_stores_up_to_max_samples():
    rng = np.random.default_rng(15)
    x, y = rng.normal(size=(90, 6)), rng.normal(size=(70, 6)) + 0.5
    metric = KernelInceptionDistance(max_samples=60, num_subsets=10, subset_size=30, seed=2)
    for real_rows, fake_rows in zip(_uneven_chunks(90), _uneven_chunks(70)):
        metric.update_state(x[real_rows], y[fake_rows])
    real, fake = metric.stored_features()
    np.testing.assert_array_equal(real, x[:60].astype("float32"))
    np.testing.assert_array_equal(fake, y[:60].astype("float32"))
    expected = kernel_inception_distance(real, fake, num_subsets=10, subset_size=30, seed=2)
    assert metric.result_with_std() == pytest.approx(expected, rel=1e-12)
    assert float(metric.result()) == pytest.approx(expected[0], rel=1e-12)
    metric.reset_state()
    assert metric.stored_features()[0].shape == (0, 6) and np.isnan(float(metric.result()))


def test_streaming_precision_recall_and_density_coverage():
    rng = np.random.default_rng(16)
    x, y = rng.normal(size=(80, 3)), rng.normal(size=(60, 3)) + 0.7
    pr = PrecisionRecall(k=3)
    dc = DensityCoverage(feature_dim=3, k=5)
    for metric in (pr, dc):
        for real_rows, fake_rows in zip(_uneven_chunks(80), _uneven_chunks(60)):
            metric.update_state(x[real_rows], y[fake_rows])
    x32, y32 = x.astype("float32"), y.astype("float32")
    result = pr.result()
    assert (float(result["precision"]), float(result["recall"])) == precision_recall(x32, y32, 3)
    result = dc.result()
    assert (float(result["density"]), float(result["coverage"])) == density_coverage(x32, y32, 5)
    pr.reset_state()
    assert np.isnan(float(pr.result()["precision"]))


def test_streaming_inception_score():
    logits = np.random.default_rng(17).normal(size=(103, 10)) * 3.0
    def classifier(images):  # Looks the logits up by the index each "image" holds.
        return keras.ops.convert_to_tensor(logits[images[:, 0].astype(int)])

    metric = InceptionScore(classifier, splits=5, from_logits=True, max_samples=100)
    indices = np.arange(103, dtype="float32")[:, None]
    for rows in _uneven_chunks(103):
        metric.update_state(indices[rows])
    probs = tf.nn.softmax(logits[:100]).numpy()
    mean, std = metric.result_with_std()
    assert (mean, std) == pytest.approx(inception_score(probs, splits=5), rel=1e-6)
    assert mean > 1.5 and metric.num_classes == 10
    metric.reset_state()
    assert np.isnan(float(metric.result()))
    # Without a classifier the inputs are the probabilities.
    direct = InceptionScore(splits=10)
    direct.update_state(np.eye(10)[np.arange(100) % 10])
    assert float(direct.result()) == pytest.approx(10.0)


def test_public_api():
    for name in (
        "frechet_distance",
        "frechet_distance_from_statistics",
        "kernel_inception_distance",
        "inception_score",
        "precision_recall",
        "density_coverage",
        "stacked_mnist_modes",
        "classify_stacked_channels",
        "stacked_mnist_results",
        "conditional_accuracy",
        "FrechetDistance",
        "KernelInceptionDistance",
        "InceptionScore",
        "PrecisionRecall",
        "DensityCoverage",
        "mode_coverage",
    ):
        assert hasattr(metrics, name), name
