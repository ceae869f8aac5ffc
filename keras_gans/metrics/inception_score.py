"""Inception Score: how confident and how varied a classifier's predictions on samples are.

Salimans et al. 2016, "Improved Techniques for Training GANs" (arXiv 1606.03498):

    IS = exp(E_x KL(p(y|x) || p(y))),   p(y) = E_x p(y|x),

high when each sample is classified confidently (low-entropy `p(y|x)`) and the classes are
spread out (high-entropy `p(y)`). It ranges from 1 to the number of classes. With Inception-v3
ImageNet probabilities of 50,000 samples in 10 splits it is *the* IS.
"""

import numpy as np
from scipy import special


def inception_score(probs, splits=10):
    """Returns `(mean, std)` of the Inception Score over `splits` equal, consecutive splits.

    As in the reference code (openai/improved-gan), split `i` is rows
    `[i * (n // splits), (i + 1) * (n // splits))`, so the last `n % splits` rows are unused;
    each split uses its own marginal `p(y)`, and `std` is over splits (`ddof=0`).
    `0 log 0` counts as 0, so one-hot predictions are fine.

    Args:
        probs: `(n, classes)` class probabilities `p(y|x)` (softmax outputs, rows summing to 1).
        splits: how many splits; needs `n >= splits`.
    """
    probs = np.asarray(probs, dtype="float64")
    if probs.ndim != 2 or probs.shape[1] < 1:
        raise ValueError(f"probs must have shape (n, classes), got {probs.shape}.")
    if not np.isfinite(probs).all() or (probs < 0).any():
        raise ValueError("probs must be finite and non-negative: pass softmax outputs, not logits.")
    if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("Every row of probs must sum to 1: pass softmax outputs, not logits.")
    splits = int(splits)
    if splits < 1 or len(probs) < splits:
        raise ValueError(f"Need 1 <= splits <= n, got splits={splits} for n={len(probs)}.")
    size = len(probs) // splits
    scores = []
    for i in range(splits):
        part = probs[i * size : (i + 1) * size]
        marginal = np.mean(part, axis=0, keepdims=True)
        kl = np.sum(special.rel_entr(part, marginal), axis=1)
        scores.append(np.exp(np.mean(kl)))
    return float(np.mean(scores)), float(np.std(scores))
