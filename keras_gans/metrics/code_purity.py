"""Code purity: how well an unsupervised code (InfoGAN's category) matches the classes."""

import numpy as np
from scipy.optimize import linear_sum_assignment


def code_purity(predicted_classes, codes):
    """The share of samples whose classifier label is the class their code is mapped to, under the
    best one-to-one mapping of code values to classes (the Hungarian algorithm on the contingency
    table), as the InfoGAN paper's "5% error" on MNIST is measured.

    Args:
        predicted_classes: int `(n,)` labels a classifier gives the samples.
        codes: int `(n,)` code values the samples were generated with.
    """
    predicted, codes = np.asarray(predicted_classes).astype(int), np.asarray(codes).astype(int)
    if predicted.shape != codes.shape or predicted.ndim != 1 or len(codes) == 0:
        raise ValueError(f"need two (n,) label arrays of the same n > 0, got {predicted.shape} and {codes.shape}")
    size = max(predicted.max(), codes.max()) + 1
    table = np.zeros((size, size), int)
    np.add.at(table, (codes, predicted), 1)
    rows, columns = linear_sum_assignment(-table)
    return float(table[rows, columns].sum() / len(codes))
