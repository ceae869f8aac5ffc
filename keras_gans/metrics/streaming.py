"""Streaming Keras metrics for sample quality: FID, KID, IS, precision / recall, density / coverage.

Thin `keras.metrics.Metric` wrappers around the NumPy functions of this package: `update_state`
takes batches (e.g. inside an evaluation loop or a callback) and `result()` applies the function.

- `FrechetDistance` keeps only sufficient statistics in float64 metric variables (per set: the
  count, the feature sum `(d,)` and the sum of outer products `(d, d)`), so 50,000 samples never
  sit in memory, and the result equals `frechet_distance` on all the batches concatenated.
- KID, IS, precision / recall and density / coverage have no sufficient statistics (they need
  the samples themselves), so those metrics store the first `max_samples` feature (or
  probability) rows per set in float32 buffer variables and silently drop the rest. A buffer
  costs `max_samples * d * 4` bytes: 80 MB per set for 10,000 Inception features (d = 2048).

Feature dimension: pass `feature_dim` to create the variables in `__init__`; otherwise they are
created by the first `update_state` call (eagerly or in a `tf.function`'s first trace), from the
static width of its features. Pass `feature_dim` when the metric runs in a compiled training step
(e.g. `jit_compile=True`), where variables cannot be created.

`result()` runs the NumPy/SciPy code directly when executing eagerly and through
`tf.numpy_function` inside a graph. Before a set holds enough samples (2 for FID and KID, more
than `k` for the manifold metrics, `splits` for IS) it returns NaN. The buffers are summed
across replicas like any metric variable, so evaluate the buffered metrics on one replica.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.metrics.density_coverage import density_coverage
from keras_gans.metrics.frechet import frechet_distance_from_statistics
from keras_gans.metrics.inception_score import inception_score
from keras_gans.metrics.kernel_inception_distance import NUM_SUBSETS
from keras_gans.metrics.kernel_inception_distance import SUBSET_SIZE
from keras_gans.metrics.kernel_inception_distance import kernel_inception_distance
from keras_gans.metrics.precision_recall import precision_recall
from keras_gans.utils.serialization import register

#: The dtype of the sample buffers: features arrive as float32 from the networks anyway.
BUFFER_DTYPE = "float32"


def statistics_from_sums(count, feature_sum, outer_sum):
    """`(mu, sigma)` from `n`, `sum_i x_i` and `sum_i x_i x_i^T`: the mean and unbiased covariance.

    `sigma = (sum_i x_i x_i^T - n mu mu^T) / (n - 1)`, equal to `np.cov(x, rowvar=False)` up to
    float64 round-off (relative error ~1e-16 * (|mu| / std)^2, negligible for network features).
    """
    count = float(count)
    mu = np.asarray(feature_sum, dtype="float64") / count
    sigma = (np.asarray(outer_sum, dtype="float64") - count * np.outer(mu, mu)) / (count - 1.0)
    return mu, sigma


def _run_numpy(function, inputs, num_outputs):
    """`function(*numpy inputs)` (a tuple of floats): eagerly, or via `tf.numpy_function`."""
    tensors = [tf.convert_to_tensor(x) for x in inputs]  # Variables -> their values.
    if tf.executing_eagerly():
        outputs = function(*[tensor.numpy() for tensor in tensors])
    else:

        def wrapped(*arrays):
            return tuple(np.float64(value) for value in function(*arrays))

        outputs = tf.numpy_function(wrapped, tensors, [tf.float64] * num_outputs, stateful=False)
    return [ops.reshape(ops.convert_to_tensor(value, "float64"), ()) for value in outputs]


def _serialize(obj):
    return None if obj is None else keras.saving.serialize_keras_object(obj)


def _deserialize(config):
    return None if config is None else keras.saving.deserialize_keras_object(config)


class _LazyMetric(keras.metrics.Metric):
    """A metric whose variables have a width `d` known at construction or at the first update.

    `extractor` maps inputs to `(batch, ...)` outputs, flattened to `(batch, d)`; None means
    the inputs already are those rows.
    """

    def __init__(self, extractor=None, width=None, name=None, dtype="float64"):
        super().__init__(name=name, dtype=dtype)
        self._extractor = extractor
        self._width = None
        if width is not None:
            self._ensure_built(int(width))

    def _build_state(self, width):
        raise NotImplementedError

    def _ensure_built(self, width):
        if self._width is None:
            if width is None or width < 1:
                raise ValueError(
                    f"{type(self).__name__} could not infer the feature dimension from the first "
                    "batch (its shape is not static): pass feature_dim when creating the metric."
                )
            self._width = int(width)
            self._build_state(self._width)
        elif width is not None and width != self._width:
            raise ValueError(
                f"{type(self).__name__} was built for features of dimension {self._width}, got "
                f"a batch of dimension {width}."
            )

    def _rows(self, inputs, dtype):
        """The inputs through the extractor, as a `(batch, d)` tensor of `dtype`."""
        outputs = self._extractor(inputs) if self._extractor is not None else inputs
        outputs = ops.convert_to_tensor(outputs)
        if len(outputs.shape) < 2:
            raise ValueError(
                f"Expected a batch of feature rows (batch, d), got shape {tuple(outputs.shape)}."
            )
        trailing = outputs.shape[1:]
        width = None if None in trailing else int(np.prod(trailing))
        self._ensure_built(width)
        return ops.cast(ops.reshape(outputs, (-1, self._width)), dtype)

    def _check_sample_weight(self, sample_weight):
        if sample_weight is not None:
            raise ValueError(f"{type(self).__name__} does not support sample_weight.")


class _RealFakeMetric(_LazyMetric):
    """`update_state(real=None, fake=None)`: either set may be fed alone, e.g. real data once."""

    def __init__(self, feature_extractor=None, feature_dim=None, name=None, dtype="float64"):
        self.feature_extractor = feature_extractor
        super().__init__(feature_extractor, feature_dim, name=name, dtype=dtype)

    @property
    def feature_dim(self):
        """The feature dimension `d`: as passed, or inferred by the first update (else None)."""
        return self._width

    def update_state(self, real=None, fake=None, sample_weight=None):
        """Adds a batch of real and/or fake inputs (features if `feature_extractor` is None)."""
        self._check_sample_weight(sample_weight)
        for inputs, side in ((real, "real"), (fake, "fake")):
            if inputs is not None:
                self._accumulate(side, self._rows(inputs, self._update_dtype))

    def get_config(self):
        config = super().get_config()
        config.update(
            {"feature_extractor": _serialize(self.feature_extractor), "feature_dim": self._width}
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["feature_extractor"] = _deserialize(config.get("feature_extractor"))
        return cls(**config)


@register
class FrechetDistance(_RealFakeMetric):
    """Streaming FID (Heusel et al. 2017, arXiv 1706.08500) from float64 sufficient statistics.

    For each of the real and fake sets the metric variables hold `n`, `sum_i x_i` `(d,)` and
    `sum_i x_i x_i^T` `(d, d)`, all float64 (`2 * 8 d^2` bytes: 64 MB for d = 2048);
    `result()` turns them into means and unbiased covariances (`statistics_from_sums`) and
    applies `frechet_distance_from_statistics`, so it matches `frechet_distance` on the
    concatenated batches. The variables are summed across replicas, which is correct here.

    ```python
    fid = FrechetDistance(feature_extractor=inception_pool3, feature_dim=2048)
    for real, fake in batches:
        fid.update_state(real, fake)
    print(float(fid.result()))
    ```

    Args:
        feature_extractor: optional callable or Keras model mapping inputs to `(batch, d)`
            features (larger outputs are flattened); None when the inputs are features already.
            `get_config` serialises it with `keras.saving.serialize_keras_object` (a model's
            architecture, not its weights).
        feature_dim: `d`, to create the variables now; None infers it at the first update.
        eps: passed to `frechet_distance_from_statistics`.
    """

    _update_dtype = "float64"

    def __init__(
        self, feature_extractor=None, feature_dim=None, eps=1e-6, name="fid", dtype="float64"
    ):
        self.eps = float(eps)
        super().__init__(feature_extractor, feature_dim, name=name, dtype=dtype)

    def _build_state(self, width):
        for side in ("real", "fake"):
            for stat, shape in (("count", ()), ("sum", (width,)), ("outer_sum", (width, width))):
                variable = self.add_variable(shape, "zeros", "float64", name=f"{side}_{stat}")
                setattr(self, f"{side}_{stat}", variable)

    def _accumulate(self, side, features):
        getattr(self, f"{side}_count").assign_add(ops.cast(ops.shape(features)[0], "float64"))
        getattr(self, f"{side}_sum").assign_add(ops.sum(features, axis=0))
        outer = ops.matmul(ops.transpose(features), features)
        getattr(self, f"{side}_outer_sum").assign_add(outer)

    def result(self):
        if self._width is None:
            return ops.convert_to_tensor(np.nan, self.dtype)
        inputs = [
            getattr(self, f"{side}_{stat}")
            for side in ("real", "fake")
            for stat in ("count", "sum", "outer_sum")
        ]
        (value,) = _run_numpy(self._compute, inputs, 1)
        return ops.cast(value, self.dtype)

    def _compute(self, n1, sum1, outer1, n2, sum2, outer2):
        if n1 < 2 or n2 < 2:
            return (np.nan,)
        mu1, sigma1 = statistics_from_sums(n1, sum1, outer1)
        mu2, sigma2 = statistics_from_sums(n2, sum2, outer2)
        return (frechet_distance_from_statistics(mu1, sigma1, mu2, sigma2, eps=self.eps),)

    def get_config(self):
        config = super().get_config()
        config["eps"] = self.eps
        return config


def _add_buffer(metric, name, capacity, width):
    """A `(capacity, width)` float32 buffer variable and its int64 row count."""
    buffer = metric.add_variable((capacity, width), "zeros", BUFFER_DTYPE, name=f"{name}_buffer")
    count = metric.add_variable((), "zeros", "int64", name=f"{name}_count")
    return buffer, count


def _append(buffer, count, rows):
    """Writes `rows` after the `count` stored ones, dropping those beyond the buffer's capacity.

    `scatter_update` returns a new tensor, so each call copies the buffer once.
    """
    capacity = buffer.shape[0]
    start = ops.cast(count, "int64")
    take = ops.maximum(ops.minimum(ops.cast(ops.shape(rows)[0], "int64"), capacity - start), 0)
    indices = ops.expand_dims(start + ops.arange(take, dtype="int64"), axis=1)
    buffer.assign(ops.scatter_update(buffer, indices, ops.cast(rows[:take], buffer.dtype)))
    count.assign(start + take)


def _stored(buffer, count):
    """The filled rows of a buffer."""
    rows = ops.cast(count, "int32")
    return ops.slice(ops.cast(buffer, buffer.dtype), (0, 0), ops.stack([rows, buffer.shape[1]]))


class _FeatureBufferMetric(_RealFakeMetric):
    """Stores the first `max_samples` real and fake feature rows; `_compute` sees both arrays."""

    _update_dtype = BUFFER_DTYPE
    _outputs = ()

    def __init__(
        self, feature_extractor=None, feature_dim=None, max_samples=10000, name=None, dtype=None
    ):
        dtype = dtype or "float64"
        self.max_samples = int(max_samples)
        if self.max_samples < 2:
            raise ValueError(f"max_samples must be at least 2, got {max_samples}.")
        super().__init__(feature_extractor, feature_dim, name=name, dtype=dtype)

    def _build_state(self, width):
        self.real_features, self.real_count = _add_buffer(self, "real", self.max_samples, width)
        self.fake_features, self.fake_count = _add_buffer(self, "fake", self.max_samples, width)

    def _accumulate(self, side, features):
        _append(getattr(self, f"{side}_features"), getattr(self, f"{side}_count"), features)

    def stored_features(self):
        """`(real, fake)`: the stored feature rows as NumPy arrays (eagerly)."""
        if self._width is None:
            return np.zeros((0, 0), BUFFER_DTYPE), np.zeros((0, 0), BUFFER_DTYPE)
        return (
            ops.convert_to_numpy(_stored(self.real_features, self.real_count)),
            ops.convert_to_numpy(_stored(self.fake_features, self.fake_count)),
        )

    def _values(self):
        """The float64 scalar tensors `_compute` returns (NaN before the metric is built)."""
        if self._width is None:
            return [ops.convert_to_tensor(np.nan, "float64")] * len(self._outputs)
        inputs = [
            _stored(self.real_features, self.real_count),
            _stored(self.fake_features, self.fake_count),
        ]
        return _run_numpy(self._compute, inputs, len(self._outputs))

    def result(self):
        values = [ops.cast(value, self.dtype) for value in self._values()]
        if len(values) == 1:
            return values[0]
        return dict(zip(self._outputs, values))

    def get_config(self):
        config = super().get_config()
        config["max_samples"] = self.max_samples
        return config


@register
class KernelInceptionDistance(_FeatureBufferMetric):
    """Streaming KID (Binkowski et al. 2018, arXiv 1801.01401): `kernel_inception_distance`.

    KID needs the samples, so the first `max_samples` real and fake feature rows are stored
    (float32; later rows are dropped). `result()` is the mean over subsets; `result_with_std()`
    returns `(mean, std)` eagerly. Same `feature_extractor` / `feature_dim` as `FrechetDistance`.
    """

    _outputs = ("mean", "std")

    def __init__(
        self,
        feature_extractor=None,
        feature_dim=None,
        max_samples=10000,
        num_subsets=NUM_SUBSETS,
        subset_size=SUBSET_SIZE,
        seed=0,
        name="kid",
        dtype="float64",
    ):
        self.num_subsets = int(num_subsets)
        self.subset_size = int(subset_size)
        self.seed = int(seed)
        super().__init__(feature_extractor, feature_dim, max_samples, name=name, dtype=dtype)

    def _compute(self, real, fake):
        if len(real) < 2 or len(fake) < 2:
            return (np.nan, np.nan)
        return kernel_inception_distance(real, fake, self.num_subsets, self.subset_size, self.seed)

    def result(self):
        return self.result_with_std_tensors()[0]

    def result_with_std_tensors(self):
        """`(mean, std)` as scalar tensors of the metric's dtype (works inside a graph too)."""
        return [ops.cast(value, self.dtype) for value in self._values()]

    def result_with_std(self):
        """`(mean, std)` as Python floats (eager)."""
        return tuple(float(value) for value in self.result_with_std_tensors())

    def get_config(self):
        config = super().get_config()
        config.update(
            {"num_subsets": self.num_subsets, "subset_size": self.subset_size, "seed": self.seed}
        )
        return config


@register
class PrecisionRecall(_FeatureBufferMetric):
    """Streaming improved precision / recall (Kynkaanniemi et al. 2019, arXiv 1904.06991).

    Stores the first `max_samples` real and fake feature rows (float32) and returns
    `{"precision": ..., "recall": ...}` from `precision_recall(real, fake, k)`.
    """

    _outputs = ("precision", "recall")

    def __init__(
        self,
        feature_extractor=None,
        feature_dim=None,
        max_samples=10000,
        k=3,
        name="precision_recall",
        dtype="float64",
    ):
        self.k = int(k)
        super().__init__(feature_extractor, feature_dim, max_samples, name=name, dtype=dtype)

    def _compute(self, real, fake):
        if len(real) <= self.k or len(fake) <= self.k:
            return (np.nan, np.nan)
        return precision_recall(real, fake, self.k)

    def get_config(self):
        config = super().get_config()
        config["k"] = self.k
        return config


@register
class DensityCoverage(_FeatureBufferMetric):
    """Streaming density / coverage (Naeem et al. 2020, arXiv 2002.09797).

    Stores the first `max_samples` real and fake feature rows (float32) and returns
    `{"density": ..., "coverage": ...}` from `density_coverage(real, fake, k)`.
    """

    _outputs = ("density", "coverage")

    def __init__(
        self,
        feature_extractor=None,
        feature_dim=None,
        max_samples=10000,
        k=5,
        name="density_coverage",
        dtype="float64",
    ):
        self.k = int(k)
        super().__init__(feature_extractor, feature_dim, max_samples, name=name, dtype=dtype)

    def _compute(self, real, fake):
        if len(real) <= self.k or len(fake) < 1:
            return (np.nan, np.nan)
        return density_coverage(real, fake, self.k)

    def get_config(self):
        config = super().get_config()
        config["k"] = self.k
        return config


@register
class InceptionScore(_LazyMetric):
    """Streaming Inception Score (Salimans et al. 2016, arXiv 1606.03498): `inception_score`.

    IS needs per-split marginals `p(y)`, so the first `max_samples` rows of class
    probabilities are stored (float32, `max_samples * classes * 4` bytes: 200 MB for the usual
    50,000 x 1000) and later rows dropped. `result()` is the mean over splits;
    `result_with_std()` returns `(mean, std)` eagerly.

    Args:
        classifier: optional callable or Keras model mapping images to `(batch, classes)`
            probabilities (or logits with `from_logits=True`); None when `update_state`
            receives the probabilities themselves.
        num_classes: `classes`, to create the buffer now; None infers it at the first update.
        splits: passed to `inception_score`.
        from_logits: apply a softmax to the classifier outputs first.
        max_samples: rows stored.
    """

    def __init__(
        self,
        classifier=None,
        num_classes=None,
        splits=10,
        from_logits=False,
        max_samples=50000,
        name="inception_score",
        dtype="float64",
    ):
        self.classifier = classifier
        self.splits = int(splits)
        self.from_logits = bool(from_logits)
        self.max_samples = int(max_samples)
        if self.max_samples < self.splits:
            raise ValueError(f"max_samples ({max_samples}) must be at least splits ({splits}).")
        super().__init__(classifier, num_classes, name=name, dtype=dtype)

    @property
    def num_classes(self):
        """The number of classes: as passed, or inferred by the first update (else None)."""
        return self._width

    def _build_state(self, width):
        self.probs, self.count = _add_buffer(self, "probs", self.max_samples, width)

    def update_state(self, images, sample_weight=None):
        """Adds a batch of images (or of probabilities if `classifier` is None)."""
        self._check_sample_weight(sample_weight)
        probs = self._rows(images, "float32")
        if self.from_logits:
            probs = ops.softmax(probs, axis=-1)
        _append(self.probs, self.count, probs)

    def _compute(self, probs):
        if len(probs) < self.splits:
            return (np.nan, np.nan)
        probs = np.asarray(probs, dtype="float64")
        # float32 storage: renormalise rows that summed to 1 before rounding.
        return inception_score(probs / probs.sum(axis=1, keepdims=True), self.splits)

    def result_with_std_tensors(self):
        """`(mean, std)` as scalar tensors of the metric's dtype (works inside a graph too)."""
        if self._width is None:
            return [ops.convert_to_tensor(np.nan, self.dtype)] * 2
        values = _run_numpy(self._compute, [_stored(self.probs, self.count)], 2)
        return [ops.cast(value, self.dtype) for value in values]

    def result(self):
        return self.result_with_std_tensors()[0]

    def result_with_std(self):
        """`(mean, std)` as Python floats (eager)."""
        return tuple(float(value) for value in self.result_with_std_tensors())

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "classifier": _serialize(self.classifier),
                "num_classes": self._width,
                "splits": self.splits,
                "from_logits": self.from_logits,
                "max_samples": self.max_samples,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["classifier"] = _deserialize(config.get("classifier"))
        return cls(**config)
