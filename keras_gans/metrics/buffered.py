"""Streaming metrics that keep the samples themselves: KID, IS, precision / recall and density /
coverage have no sufficient statistics, so they store the first `max_samples` feature (or
probability) rows per set in float32 buffer variables and drop the rest (see
`keras_gans.metrics.streaming` for what they share with FID)."""

import numpy as np
from keras import ops

from keras_gans.metrics.density_coverage import density_coverage
from keras_gans.metrics.inception_score import inception_score
from keras_gans.metrics.kernel_inception_distance import NUM_SUBSETS
from keras_gans.metrics.kernel_inception_distance import SUBSET_SIZE
from keras_gans.metrics.kernel_inception_distance import kernel_inception_distance
from keras_gans.metrics.precision_recall import precision_recall
from keras_gans.metrics.streaming import LazyMetric, RealFakeMetric, deserialize_optional, run_numpy
from keras_gans.metrics.streaming import serialize_optional
from keras_gans.utils.serialization import register

#: The dtype of the sample buffers: features arrive as float32 from the networks anyway.
BUFFER_DTYPE = "float32"


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


class _FeatureBufferMetric(RealFakeMetric):
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
        return run_numpy(self._compute, inputs, len(self._outputs))

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
class InceptionScore(LazyMetric):
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
        values = run_numpy(self._compute, [_stored(self.probs, self.count)], 2)
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
                "classifier": serialize_optional(self.classifier),
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
        config["classifier"] = deserialize_optional(config.get("classifier"))
        return cls(**config)
