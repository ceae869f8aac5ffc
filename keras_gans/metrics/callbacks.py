"""Sample-quality metrics during training: a Keras callback that writes FID & co. into the logs.

```python
gan.fit(
    dataset,
    epochs=20,
    steps_per_epoch=500,
    callbacks=[
        keras_gans.metrics.MetricsCallback("mnist", metrics=("fid", "kid"), every_n_epochs=5),
        keras.callbacks.TensorBoard("logs"),  # after it: TensorBoard sees the metrics
    ],
)
```
"""

import collections.abc

import keras
import numpy as np

from keras_gans.errors import UserError
from keras_gans.metrics.evaluate import SampleEvaluator
from keras_gans.metrics.evaluate import check_num_samples
from keras_gans.metrics.evaluate import parse_metrics
from keras_gans.metrics.real_data import _mixture
from keras_gans.metrics.real_data import data_kind_of
from keras_gans.metrics.real_data import real_data_key
from keras_gans.metrics.real_data import real_samples


class MetricsCallback(keras.callbacks.Callback):
    """Every `every_n_epochs` epochs, scores `num_samples` generated samples and adds them to `logs`.

    At the end of epochs `every_n_epochs, 2 * every_n_epochs, ...` (1-based) it draws
    `model.generate(num_samples, seed=seed)` (the EMA generator when the GAN has one; the same
    latent vectors every time, so the curve is not noisier than the model) and writes the results
    into the epoch's `logs` under the keys of `keras_gans.metrics.evaluate.RESULT_KEYS`: `fid`,
    `kid`, `kid_std`, `is`, `is_std`, `precision`, `recall`, `density`, `coverage` (images) or
    `modes`, `hq` (2-D points). Callbacks after it (TensorBoard, `History`, the progress bar)
    see them; so `history.history["fid"]` has one value per evaluated epoch (epochs that are
    skipped add nothing; `self.epochs` lists the evaluated ones, 0-based). If the samples are
    NaN (training diverged) every key is NaN.

    The real data's features are computed once, at the first evaluation. FID compares Gaussians
    of 128 (mnist) or 2048 (inception) dimensions: use `num_samples` well above that.

    Args:
        real_data: real images `(N, H, W, C)` in [-1, 1] (or uint8); a data config such as
            "mnist" / {"name": "mnist"} (the bundled digits, converted to the generator's
            output shape when training starts); or, for 2-D data, the mixture ("ring",
            {"name": "grid"} or a `keras_gans.data.Mixture`), whose centres and sigma the
            "modes" metric needs.
        metrics: names among fid, kid, is, pr, dc (images) or modes (points); a comma-separated
            string works too.
        every_n_epochs: evaluate every this many epochs.
        num_samples: generated samples per evaluation.
        extractor: "mnist", "inception" (with `weights_path`), a `keras.Model` or a
            `keras_gans.metrics.FeatureExtractor`.
        seed: seed of the latent vectors, KID subsets and real subsets.
        weights_path: the InceptionV3 weights file for `extractor="inception"`.
    """

    def __init__(
        self,
        real_data,
        metrics=("fid",),
        every_n_epochs=1,
        num_samples=1000,
        extractor="mnist",
        seed=0,
        weights_path=None,
    ):
        super().__init__()
        if not isinstance(every_n_epochs, (int, np.integer)) or every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be a positive int, got {every_n_epochs!r}.")
        if isinstance(real_data, np.ndarray) and real_data.ndim == 2:
            raise UserError(
                "for 2-D points pass the mixture (e.g. 'ring', 'grid' or a keras_gans.data.Mixture) "
                "as real_data: the modes metric needs its centres and sigma"
            )
        self.kind = data_kind_of(real_data)
        self.metrics = parse_metrics(metrics, self.kind)
        check_num_samples(num_samples, self.metrics)
        self.real_data = real_data
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.seed = int(seed)
        self.epochs = []
        self.results = []
        self._evaluator = None
        if self.kind == "points":
            self._evaluator = SampleEvaluator(_mixture(real_data), self.metrics, seed=self.seed)
        elif not isinstance(real_data, (str, collections.abc.Mapping)):
            self._evaluator = SampleEvaluator(
                real_data, self.metrics, extractor, weights_path, seed=self.seed
            )
        else:  # A data config: its images need the generator's output shape (known at train begin).
            from keras_gans.metrics.extractor_lookup import get_extractor

            self._extractor = get_extractor(extractor, weights_path)  # Fails now, not after epoch 1.
            if "is" in self.metrics and not self._extractor.has_probabilities:
                self._extractor._require_probabilities()

    @property
    def result_keys(self):
        return self._get_evaluator().result_keys

    def _get_evaluator(self):
        if self._evaluator is None:
            shape = self.model.sample_shape if self.model is not None else None
            real = real_samples(self.real_data, image_shape=shape, n=self.num_samples, seed=self.seed)
            key = real_data_key(self.real_data, shape, self.num_samples, self.seed)
            self._evaluator = SampleEvaluator(real, self.metrics, self._extractor, seed=self.seed, real_key=key)
        return self._evaluator

    def evaluate(self):
        """The results dict for the model as it is now."""
        samples = self.model.generate(self.num_samples, seed=self.seed)
        evaluator = self._get_evaluator()
        if not np.isfinite(samples).all():
            return {key: float("nan") for key in evaluator.result_keys}
        return evaluator(samples)

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every_n_epochs:
            return
        results = self.evaluate()
        self.epochs.append(int(epoch))
        self.results.append(dict(results))
        if logs is not None:
            logs.update(results)


class FIDCallback(MetricsCallback):
    """`MetricsCallback` with FID only: writes `logs["fid"]` every `every_n_epochs` epochs."""

    def __init__(self, real_data, every_n_epochs=1, num_samples=1000, extractor="mnist", seed=0,
                 weights_path=None):
        super().__init__(real_data, ("fid",), every_n_epochs, num_samples, extractor, seed, weights_path)
