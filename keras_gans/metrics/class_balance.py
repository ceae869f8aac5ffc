"""Class balance: how confidently and how evenly a classifier labels generated samples.

An unconditional generator of a labelled domain (the MNIST digits) should draw each sample as
clearly one class, and every class about as often as the data has it. With the classifier's
probabilities `p(y | x_i)` of `n` samples:

- `confident = mean_i [max_y p(y | x_i) >= 0.9]`, the share of samples a person would most
  likely read as one class (the bundled real digits: about 0.96 with the shipped classifier);
- `class_<c> = mean_i [argmax_y p(y | x_i) == c]`, the class histogram, and its extremes
  `class_min` and `class_max` (`1 / classes` each for an even mix; a missing class, the sign of
  mode collapse, gives `class_min = 0`).

FID mixes both effects into one number; these two say which one a model lacks.
"""

import numpy as np

#: The classifier probability above which a sample counts as confidently classified.
CONFIDENCE = 0.9


def confident_share(probabilities):
    """The share of samples whose top class probability is at least `CONFIDENCE`."""
    return float(np.mean(np.max(np.asarray(probabilities), axis=1) >= CONFIDENCE))


def class_balance(probabilities):
    """`{"confident", "class_min", "class_max", "class_0", ...}` (shares in [0, 1]) of `(n, classes)`
    classifier probabilities of generated samples."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2 or len(probabilities) == 0:
        raise ValueError(f"probabilities must be (n > 0, classes), got shape {probabilities.shape}")
    shares = np.bincount(np.argmax(probabilities, axis=1), minlength=probabilities.shape[1]) / len(probabilities)
    results = {"confident": confident_share(probabilities),
               "class_min": float(shares.min()), "class_max": float(shares.max())}
    results.update({f"class_{c}": float(share) for c, share in enumerate(shares)})
    return results
