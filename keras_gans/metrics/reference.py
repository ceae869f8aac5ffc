"""Real against real: each metric's value for real data, the reference a model's value is read against.

A domain FID of 20 means little alone; two halves of the bundled MNIST digits score about 6
against each other, and that is the floor a generator can approach with this many samples.
`reference_results` scores one half of the real images (as if they were generated, with their
true labels for the labelled metrics) against the other half, with the same metrics and feature
extractor; for a 2-D mixture it scores points drawn from the mixture itself. `keras-gans eval`
prints the reference beside each value.

The halves have half the samples of a default evaluation (5,000 against 5,000 for MNIST), so
sample-size-biased metrics (FID, KID) read slightly higher than with 10,000 real samples. An
evaluation of fewer samples (`keras-gans eval --n 500`) is read against as many real ones: only
`n` of the first half are scored, since FID, KID, precision / recall, mode counts and KL all
depend on the number of samples (500 real stacks of Stacked MNIST cover about 390 of its 1,000
modes, not 1,000).
"""

import numpy as np

from keras_gans.metrics.evaluate import DEFAULT_SAMPLES, MIN_SAMPLES, SampleEvaluator
from keras_gans.metrics.labelled import LABELLED_RESULT_KEYS
from keras_gans.metrics.real_data import _mixture, real_data_key, real_labels, real_samples

_CACHE = {}


def reference_results(data, metrics, image_shape=None, extractor="mnist", weights_path=None, seed=0, n=None):
    """`{result key: value}` of `metrics` for real data against real data (see the module docstring).

    Args:
        data: the real data (a data config such as "mnist", a `Mixture`, or an array of images).
        metrics: metric names (as `SampleEvaluator` takes them).
        image_shape: the generator's output shape (real images are converted to it).
        extractor, weights_path: the feature extractor, as for the model's evaluation.
        seed: seeds the split into halves (and the metrics' subsets).
        n: the evaluation's number of samples: at most `n` real samples are scored (None: a
            whole half, or the default number of points).

    Metrics that need labels are left out when the data has none; all are left out when there
    are too few real images for two halves.
    """
    metrics = tuple(metrics)
    key = real_data_key(data, image_shape, None, seed)
    cache_key = None
    if key is not None and isinstance(extractor, str):
        cache_key = (key, metrics, extractor, weights_path, seed, n)
        if cache_key in _CACHE:
            return dict(_CACHE[cache_key])
    mixture = _mixture(data)
    if mixture is not None:
        from keras_gans.data import sample_mixture

        samples = sample_mixture(mixture, n or DEFAULT_SAMPLES["points"], seed=seed + 1)
        results = SampleEvaluator(mixture, metrics, seed=seed)(samples)
    else:
        results = _image_halves(data, metrics, image_shape, extractor, weights_path, seed, n)
    if cache_key is not None:
        _CACHE[cache_key] = dict(results)
    return results


def _image_halves(data, metrics, image_shape, extractor, weights_path, seed, n):
    images = real_samples(data, image_shape=image_shape, seed=seed)
    labels = real_labels(data)
    if labels is None:
        metrics = tuple(m for m in metrics if m not in LABELLED_RESULT_KEYS)
    half = len(images) // 2
    scored = min(half, n or half)  # real samples scored: as many as the evaluation's, at most a half
    if not metrics or scored < max(MIN_SAMPLES[m] for m in metrics):
        return {}
    order = np.random.default_rng(seed).permutation(len(images))
    first, second = order[:scored], order[half:2 * half]
    evaluator = SampleEvaluator(images[second], metrics, extractor=extractor, weights_path=weights_path, seed=seed,
                                real_labels=None if labels is None else labels[second])
    return evaluator(images[first], None if labels is None else labels[first])
