"""Scoring a trained GAN: generate samples, extract features, compute the metrics against real data.

`evaluate_run(run_dir_or_gan, ...)` (the `keras-gans eval` command) and `MetricsCallback`
share `SampleEvaluator`, which holds the real data (its features computed once) and scores
batches of generated samples.

Metric names and the result keys they produce:

| name    | data   | result keys              | computed with                                         |
|---------|--------|--------------------------|-------------------------------------------------------|
| `fid`   | images | `fid`                    | `frechet_distance(real, fake features)`               |
| `kid`   | images | `kid`, `kid_std`         | `kernel_inception_distance` (100 subsets of <= 1000)  |
| `is`    | images | `is`, `is_std`           | `inception_score(probabilities, splits=10)`           |
| `pr`    | images | `precision`, `recall`    | `precision_recall(k=3)`, equal-size real subset       |
| `dc`    | images | `density`, `coverage`    | `density_coverage(k=5)`, equal-size real subset       |
| `modes` | points | `modes`, `hq`            | `mode_coverage(samples, mixture centres, sigma)`      |
| `classes` | images | `confident`, `class_min`, `class_max`, `class_<c>` | `class_balance(probabilities)` |
| `stacked` | RGB images | `stacked_modes`, `stacked_kl`, `stacked_confident`, `stacked_kl_r/g/b` | `stacked_mnist_results` of each channel's probabilities |

FID and KID use all the real features (10,000 for the bundled MNIST); precision / recall and
density / coverage depend on the set sizes, so they compare the `n` generated samples with `n`
real ones drawn without replacement (seeded), as their papers do with equal sets. Numbers
computed with the default "mnist" extractor are comparable between models of this package, not
with published (Inception) numbers.
"""

import collections.abc
import os
import warnings

import numpy as np
from scipy import linalg

from keras_gans.errors import UserError
from keras_gans.metrics.labelled import LABELLED_RESULT_KEYS, labelled_results
from keras_gans.metrics.real_data import _mixture, data_kind_of, real_data_key, real_samples
from keras_gans.metrics.real_data import is_bundled_mnist, is_stacked_mnist, real_labels

#: Metric name -> the keys of its results.
RESULT_KEYS = {
    "fid": ("fid",),
    "kid": ("kid", "kid_std"),
    "is": ("is", "is_std"),
    "pr": ("precision", "recall"),
    "dc": ("density", "coverage"),
    "modes": ("modes", "hq"),
    "classes": ("confident", "class_min", "class_max"),  # and class_0, class_1, ... (one per class)
    "stacked": ("stacked_modes", "stacked_kl", "stacked_confident", "stacked_kl_r", "stacked_kl_g", "stacked_kl_b"),
    **LABELLED_RESULT_KEYS,
}
METRIC_NAMES = tuple(RESULT_KEYS)
#: The metrics that apply to each kind of data, and the defaults.
APPLICABLE = {"images": ("fid", "kid", "is", "pr", "dc", "classes", "stacked", *LABELLED_RESULT_KEYS),
              "points": ("modes",)}
DEFAULT_METRICS = {"images": ("fid", "kid", "is", "pr"), "points": ("modes",)}
#: Generated samples per evaluation when `n` is None: 10,000 images; 2,500 points (VEEGAN/PacGAN).
DEFAULT_SAMPLES = {"images": 10000, "points": 2500}
#: The fewest generated samples each metric can work with.
IS_SPLITS = 10
PR_K = 3
DC_K = 5
MIN_SAMPLES = {"fid": 2, "kid": 2, "is": IS_SPLITS, "pr": PR_K + 1, "dc": DC_K + 1, "modes": 1,
               "cacc": 1, "ifid": 20, "purity": 1, "classes": 1, "stacked": 1}
#: Metrics that score the classifier's probabilities of the samples, and those that need features.
_NEEDS_PROBABILITIES = {"is", "cacc", "purity", "classes", "stacked"}
_NEEDS_FEATURES = {"fid", "kid", "pr", "dc", "ifid"}

#: Features of real data read from a data config, per (extractor, data): extracting the 10,000
#: bundled digits again for every evaluation or callback of a process would be wasted time.
_REAL_FEATURES = collections.OrderedDict()
_REAL_FEATURES_SIZE = 2


def parse_metrics(metrics, kind):
    """The tuple of metric names `metrics` asks for, checked against the data `kind`.

    `metrics` is a comma-separated string ("fid,kid"), a sequence of names, or None (the
    defaults of `kind`: fid, kid, is, pr for images; modes for points). Duplicates are dropped.
    Unknown names, and names that do not apply to `kind`, raise a `UserError`.
    """
    if metrics is None:
        return DEFAULT_METRICS[kind]
    if isinstance(metrics, str):
        names = [name.strip() for name in metrics.split(",")]
    elif isinstance(metrics, collections.abc.Iterable):
        names = [str(name).strip() for name in metrics]
    else:
        raise UserError(f"metrics must be names such as 'fid,kid' or ['fid', 'kid'], got {metrics!r}")
    names = [name.lower() for name in names if name]
    if not names:
        raise UserError(f"no metric given: choose from {', '.join(METRIC_NAMES)}")
    unknown = [name for name in names if name not in RESULT_KEYS]
    if unknown:
        raise UserError(
            f"unknown metric(s) {', '.join(unknown)}: valid metrics are {', '.join(METRIC_NAMES)} "
            "(fid, kid, is, pr, dc, classes, stacked for Stacked MNIST, and cacc, ifid, purity for conditional "
            "models, for images; modes for 2-D points)"
        )
    misplaced = [name for name in names if name not in APPLICABLE[kind]]
    if misplaced:
        what = "2-D points" if kind == "points" else "images"
        raise UserError(
            f"{', '.join(misplaced)} {'does' if len(misplaced) == 1 else 'do'} not apply to {what}: "
            f"the metrics for {what} are "
            f"{', '.join(APPLICABLE[kind])}"
        )
    return tuple(dict.fromkeys(names))


def check_num_samples(n, metrics):
    """Raises a `UserError` unless `n` generated samples are enough for every metric."""
    need = max(MIN_SAMPLES[name] for name in metrics)
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < need:
        needers = [name for name in metrics if MIN_SAMPLES[name] == need]
        raise UserError(f"the number of samples must be at least {need} for {', '.join(needers)}, got {n!r}")


class SampleEvaluator:
    """Scores generated samples against fixed real data; the real features are computed once.

    Args:
        real: a `Mixture` (2-D points: the "modes" metric) or real images `(N, H, W, C)` in
            [-1, 1] (or uint8); see `real_samples` to get them from a data config.
        metrics: names (see the module docstring) or None for the defaults of the data kind.
        extractor: "mnist", "inception", a `keras.Model` or a `FeatureExtractor` (images only;
            not built for points).
        weights_path: the InceptionV3 weights file for `extractor="inception"`.
        seed: seeds KID's subsets and the real subset of precision / recall, density / coverage.
        real_key: a hashable name of the real data (see `real_data_key`): their features are then
            cached for the process (the 2 most recent), shared by evaluators of the same data
            and extractor. None (arrays) computes them once per evaluator.
    """

    def __init__(self, real, metrics=None, extractor="mnist", weights_path=None, seed=0, real_key=None,
                 real_labels=None):
        from keras_gans.data import Mixture

        self.kind = "points" if isinstance(real, Mixture) else "images"
        self.metrics = parse_metrics(metrics, self.kind)
        self.seed = int(seed)
        self.extractor = None
        if self.kind == "points":
            self.mixture = real
            self.real = None
        else:
            from keras_gans.metrics.extractors import as_image_batch
            from keras_gans.metrics.extractor_lookup import get_extractor

            self.mixture = None
            self.real = as_image_batch(real, "real images")
            if len(self.real) < 2:
                raise UserError(f"need at least 2 real images, got {len(self.real)}")
            self.extractor = get_extractor(extractor, weights_path)
            if _NEEDS_PROBABILITIES & set(self.metrics) and not self.extractor.has_probabilities:
                self.extractor._require_probabilities()
        self.real_labels = None if real_labels is None else np.asarray(real_labels)
        self._real_features = None
        self._cache_key = None
        if real_key is not None and self.extractor is not None and self.extractor.cache_key is not None:
            self._cache_key = (self.extractor.cache_key, real_key)

    @property
    def result_keys(self):
        return tuple(key for name in self.metrics for key in RESULT_KEYS[name])

    def real_features(self):
        """`(N, d)` features of the real images (computed at the first call, then cached)."""
        if self._real_features is None and self.kind == "images":
            needs = _NEEDS_FEATURES & set(self.metrics)
            if needs:
                cached = _REAL_FEATURES.get(self._cache_key) if self._cache_key else None
                if cached is None:
                    cached = self.extractor.features(self.real)
                    if self._cache_key:
                        _REAL_FEATURES[self._cache_key] = cached
                        while len(_REAL_FEATURES) > _REAL_FEATURES_SIZE:
                            _REAL_FEATURES.popitem(last=False)
                else:
                    _REAL_FEATURES.move_to_end(self._cache_key)
                self._real_features = cached.astype("float64")
        return self._real_features

    def __call__(self, samples, labels=None):
        """The results dict (see `RESULT_KEYS`) of generated `samples` (NumPy, data scale); `labels`
        (int `(n,)`, the labels or codes they were generated for) for cacc, ifid and purity."""
        samples = np.asarray(samples)
        self._labels = labels
        check_num_samples(len(samples), self.metrics)
        if not np.isfinite(samples).all():
            raise UserError("the generator produced NaN or infinite samples: training diverged")
        try:
            if self.kind == "points":
                return self._points(samples)
            return self._images(samples)
        except UserError:
            raise
        except ValueError as e:
            raise UserError(f"cannot compute {', '.join(self.metrics)}: {e}") from None

    def _points(self, samples):
        from keras_gans.metrics.mode_coverage import mode_coverage

        if samples.ndim != 2 or samples.shape[1] != self.mixture.centers.shape[1]:
            raise UserError(
                f"the {self.mixture.name} mixture has {self.mixture.centers.shape[1]}-D points but "
                f"the generator produced samples of shape {samples.shape[1:]}"
            )
        modes, hq = mode_coverage(samples, self.mixture.centers, self.mixture.sigma)
        return {"modes": int(modes), "hq": float(hq)}

    def _images(self, samples):
        from keras_gans.metrics.class_balance import class_balance
        from keras_gans.metrics.density_coverage import density_coverage
        from keras_gans.metrics.frechet import frechet_distance
        from keras_gans.metrics.inception_score import inception_score
        from keras_gans.metrics.kernel_inception_distance import kernel_inception_distance
        from keras_gans.metrics.precision_recall import precision_recall

        if samples.ndim == 2:
            raise UserError(
                f"the generator produced points of shape {samples.shape[1:]} but the real data "
                "are images"
            )
        real = self.real_features()
        need_features = real is not None
        results = {}
        if "stacked" in self.metrics:
            results.update(self._stacked(samples))
        if set(self.metrics) == {"stacked"}:
            return {key: float(value) for key, value in results.items()}
        fake, probs = self.extractor.features_and_probabilities(
            samples, probabilities=bool((_NEEDS_PROBABILITIES - {"stacked"}) & set(self.metrics))
        )
        fake = fake.astype("float64") if need_features else None
        subset = None
        for name in self.metrics:
            if name == "fid":
                with warnings.catch_warnings():  # Singular covariances (collapsed generators) are
                    warnings.simplefilter("ignore", linalg.LinAlgWarning)  # handled by the eps ridge.
                    results["fid"] = frechet_distance(real, fake)
            elif name == "kid":
                results["kid"], results["kid_std"] = kernel_inception_distance(real, fake, seed=self.seed)
            elif name == "is":
                results["is"], results["is_std"] = inception_score(probs, splits=IS_SPLITS)
            elif name == "classes":
                results.update(class_balance(probs))
            elif name == "stacked":
                continue  # scored above, channel by channel
            elif name in LABELLED_RESULT_KEYS:
                results.update(labelled_results([name], self._labels, probs, fake, real, self.real_labels))
            else:
                if subset is None:
                    rng = np.random.default_rng(self.seed)
                    size = min(len(real), len(fake))
                    subset = real[np.sort(rng.choice(len(real), size, replace=False))]
                if name == "pr":
                    results["precision"], results["recall"] = precision_recall(subset, fake, k=PR_K)
                else:
                    results["density"], results["coverage"] = density_coverage(subset, fake, k=DC_K)
        return {key: float(value) for key, value in results.items()}

    def _stacked(self, samples):
        from keras_gans.metrics.stacked_mnist import NUM_CHANNELS, NUM_DIGITS, channels_as_images, stacked_mnist_results

        if samples.shape[-1] != NUM_CHANNELS:
            raise UserError(f"stacked scores {NUM_CHANNELS}-channel Stacked MNIST images, got samples of shape "
                            f"{samples.shape[1:]}")
        probabilities = np.asarray(self.extractor.probabilities(channels_as_images(samples)))
        if probabilities.shape[-1] != NUM_DIGITS:
            raise UserError(f"stacked reads each channel as one of {NUM_DIGITS} digits, but the {self.extractor} "
                            f"extractor gives {probabilities.shape[-1]} classes: use --extractor mnist")
        return stacked_mnist_results(probabilities.reshape(len(samples), NUM_CHANNELS, NUM_DIGITS))


def default_samples(data):
    """Generated samples per evaluation when none are asked for: 10,000 images, 2,500 points
    (VEEGAN / PacGAN), 25,600 Stacked MNIST images (PacGAN)."""
    from keras_gans.metrics.stacked_mnist import DEFAULT_SAMPLES as STACKED_SAMPLES

    return STACKED_SAMPLES if is_stacked_mnist(data) else DEFAULT_SAMPLES[data_kind_of(data)]


def metrics_of_run(gan, metrics, data, extractor="mnist"):
    """The metric names `evaluate_run` computes: `metrics` checked, or the defaults of `gan` for its
    data (`gan.default_metrics`, else the data kind's), with `classes` (the confident share and the
    class histogram) added for the bundled MNIST scored with its classifier; Stacked MNIST's default
    is `stacked` (modes covered, KL to uniform)."""
    kind = data_kind_of(data)
    if metrics is None and is_stacked_mnist(data):
        return ("stacked",)
    names = parse_metrics(gan.default_metrics(kind) if metrics is None else metrics, kind)
    if metrics is None and is_bundled_mnist(data) and extractor == "mnist" and "classes" not in names:
        names += ("classes",)
    return names


def evaluate_run(
    run_dir_or_gan,
    metrics=None,
    n=None,
    seed=0,
    extractor="mnist",
    weights_path=None,
    data=None,
    psi=None,
):
    """Scores a trained GAN; returns a dict `{result key: value}` (see the module docstring).

    Args:
        run_dir_or_gan: a run folder or zoo name (`keras-gans train ... --out DIR`: its final
            model or last checkpoint and its recipe's data) or a keras_gans model, which says what
            to score (`evaluation_samples`) and what to compute by default (`default_metrics`).
        metrics: names, e.g. ("fid", "kid", "is", "pr") or "fid,kid"; None uses the defaults:
            fid, kid, is, pr for images (and classes on the bundled MNIST); modes for 2-D points;
            stacked for Stacked MNIST. Unknown names and names that do
            not apply to the data raise a `UserError`.
        n: generated samples (`gan.generate(n, seed)`, the EMA generator when there is one);
            None: 10,000 for images, 2,500 for points (the VEEGAN / PacGAN protocol), 25,600 for
            Stacked MNIST (PacGAN's).
        seed: seed of the latent vectors, of KID's subsets and of the real subsets.
        extractor: "mnist" (default), "inception" (with `weights_path`), a `keras.Model` or a
            `FeatureExtractor`; ignored for points.
        weights_path: the InceptionV3 ImageNet weights file for `extractor="inception"`.
        data: the real data: a data config ("mnist", "ring", {"folder": ...}), a `Mixture` or an
            array of real images. Defaults to the run's recipe data; required with a GAN object.
        psi: StyleGAN models: scores samples drawn with the truncation trick at `psi` (1: none;
            `GAN.generate(psi=...)`) instead of with the generator's own psi; the truncation curve
            of benchmarks/truncation.py.
    """
    from keras_gans.runs import load_run

    if isinstance(run_dir_or_gan, (str, os.PathLike)):
        gan, recipe = load_run(os.fspath(run_dir_or_gan))
        if data is None:
            data = recipe["data"]
    else:
        gan = run_dir_or_gan
        if not hasattr(gan, "evaluation_samples"):
            raise UserError(f"expected a run folder or a keras_gans model, got {type(gan).__name__}")
        if data is None:
            raise UserError(
                "pass data=... (e.g. 'mnist', 'ring' or an array of real images) to evaluate a GAN "
                "object; a run folder supplies its recipe's data"
            )
    if getattr(gan, "translates", False):
        from keras_gans.metrics.translation import evaluate_translation

        return evaluate_translation(gan, data, metrics, n, extractor)
    kind = data_kind_of(data)
    names = metrics_of_run(gan, metrics, data, extractor)
    n = default_samples(data) if n is None else n
    check_num_samples(n, names)
    shape = gan.sample_shape
    if kind == "points" and shape is not None and len(shape) != 1:
        raise UserError(f"the data are 2-D points but the generator outputs images of shape {shape}")
    real_n = n if _NEEDS_FEATURES & set(names) else 2  # e.g. `stacked` alone scores samples, not real images
    evaluator = SampleEvaluator(
        real_samples(data, image_shape=shape, n=real_n, seed=seed) if kind == "images" else _mixture(data),
        names,
        extractor=extractor,
        weights_path=weights_path,
        seed=seed,
        real_key=real_data_key(data, shape, real_n, seed),
        real_labels=real_labels(data),
    )
    samples = gan.evaluation_samples(int(n), seed=seed) if psi is None else _truncated_samples(gan, n, seed, psi)
    if isinstance(samples, tuple):  # (samples, labels or codes)
        return evaluator(*samples)
    return evaluator(samples)


def _truncated_samples(gan, n, seed, psi):
    """`n` samples of a StyleGAN model at `psi`, without rejection sampling (they do not combine)."""
    import inspect

    if "psi" not in inspect.signature(gan.generate).parameters:
        raise UserError(f"psi (the truncation trick) needs a StyleGAN generator; this is a {type(gan).__name__}")
    try:
        return gan.generate(int(n), seed=seed, psi=psi, rejection=False)
    except ValueError as e:
        raise UserError(str(e)) from None
