"""Conditional accuracy: how often a class-conditional generator draws the class it was asked for.

A pre-trained classifier labels samples generated for target labels (as in AC-GAN, Odena et
al. 2017, arXiv 1610.09585, and the "GAN-train"-style checks of conditional GANs); the score is
the share of samples classified as their target, `mean_i [argmax p(y|G(z_i, c_i)) == c_i]`.
Chance level is `1 / classes` for a generator that ignores its label.
"""

import numpy as np


def conditional_accuracy(predictions, target_labels):
    """The share (in [0, 1]) of generated samples assigned to the label they were generated for.

    Args:
        predictions: `(n,)` integer predicted labels, or `(n, classes)` probabilities or
            logits (the argmax is the predicted label).
        target_labels: `(n,)` integer labels the samples were generated for, or `(n, classes)`
            one-hot labels.
    """
    predicted = _as_labels(predictions, "predictions")
    targets = _as_labels(target_labels, "target_labels")
    if len(predicted) != len(targets) or len(predicted) == 0:
        raise ValueError(
            f"predictions and target_labels must describe the same n > 0 samples, got "
            f"{len(predicted)} and {len(targets)}."
        )
    return float(np.mean(predicted == targets))


def _as_labels(values, name):
    values = np.asarray(values)
    if values.ndim == 2:
        return np.argmax(values, axis=1)
    if values.ndim == 1 and (
        np.issubdtype(values.dtype, np.integer)
        or (np.issubdtype(values.dtype, np.floating) and np.all(values == np.round(values)))
    ):
        return values.astype("int64")
    raise ValueError(
        f"{name} must be (n,) integer labels or (n, classes) scores, got shape {values.shape} "
        f"and dtype {values.dtype}."
    )
