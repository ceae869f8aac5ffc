"""Streaming Keras metrics for sample quality: FID here, and the shared base of the buffered
metrics (KID, IS, precision / recall, density / coverage: `keras_gans.metrics.buffered`).

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

from keras_gans.metrics.frechet import frechet_distance_from_statistics
from keras_gans.utils.serialization import register

def statistics_from_sums(count, feature_sum, outer_sum):
    """`(mu, sigma)` from `n`, `sum_i x_i` and `sum_i x_i x_i^T`: the mean and unbiased covariance.

    `sigma = (sum_i x_i x_i^T - n mu mu^T) / (n - 1)`, equal to `np.cov(x, rowvar=False)` up to
    float64 round-off (relative error ~1e-16 * (|mu| / std)^2, negligible for network features).
    """
    count = float(count)
    mu = np.asarray(feature_sum, dtype="float64") / count
    sigma = (np.asarray(outer_sum, dtype="float64") - count * np.outer(mu, mu)) / (count - 1.0)
    return mu, sigma


def run_numpy(function, inputs, num_outputs):
    """`function(*numpy inputs)` (a tuple of floats): eagerly, or via `tf.numpy_function`."""
    tensors = [tf.convert_to_tensor(x) for x in inputs]  # Variables -> their values.
    if tf.executing_eagerly():
        outputs = function(*[tensor.numpy() for tensor in tensors])
    else:

        def wrapped(*arrays):
            return tuple(np.float64(value) for value in function(*arrays))

        outputs = tf.numpy_function(wrapped, tensors, [tf.float64] * num_outputs, stateful=False)
    return [ops.reshape(ops.convert_to_tensor(value, "float64"), ()) for value in outputs]


def serialize_optional(obj):
    return None if obj is None else keras.saving.serialize_keras_object(obj)


def deserialize_optional(config):
    return None if config is None else keras.saving.deserialize_keras_object(config)


class LazyMetric(keras.metrics.Metric):
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


class RealFakeMetric(LazyMetric):
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
            {"feature_extractor": serialize_optional(self.feature_extractor), "feature_dim": self._width}
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["feature_extractor"] = deserialize_optional(config.get("feature_extractor"))
        return cls(**config)


@register
class FrechetDistance(RealFakeMetric):
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
        (value,) = run_numpy(self._compute, inputs, 1)
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
