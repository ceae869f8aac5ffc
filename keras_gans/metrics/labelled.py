"""The metrics of generated samples that come with labels or codes: conditional accuracy and the
confident share, intra-class FID, code purity (`keras-gans eval` of conditional models, InfoGAN)."""

import numpy as np

from keras_gans.errors import UserError
from keras_gans.metrics.class_balance import CONFIDENCE, confident_share  # noqa: F401  (CONFIDENCE public here)
from keras_gans.metrics.code_purity import code_purity
from keras_gans.metrics.conditional_accuracy import conditional_accuracy
from keras_gans.metrics.intra_fid import intra_class_frechet_distance

#: Metric name -> result keys.
LABELLED_RESULT_KEYS = {
    "cacc": ("conditional_accuracy", "confident"),
    "ifid": ("intra_fid",),
    "purity": ("code_purity",),
}


def labelled_results(names, labels, probabilities=None, fake_features=None, real_features=None, real_labels=None):
    """`{result key: value}` of the labelled metrics in `names`.

    Args:
        labels: int `(n,)` the labels (or codes) the samples were generated for.
        probabilities: `(n, classes)` classifier probabilities of the samples (cacc, purity).
        fake_features, real_features, real_labels: features of the samples and of labelled real
            data (ifid).
    """
    if labels is None:
        raise UserError(f"{', '.join(names)} need(s) a model that generates for labels or codes "
                        "(a conditional model or InfoGAN)")
    labels = np.asarray(labels)
    results = {}
    for name in names:
        if name == "cacc":
            results["conditional_accuracy"] = conditional_accuracy(probabilities, labels)
            results["confident"] = confident_share(probabilities)
        elif name == "purity":
            results["code_purity"] = code_purity(np.argmax(probabilities, axis=1), labels)
        elif name == "ifid":
            if real_labels is None:
                raise UserError("ifid (intra-class FID) needs labelled real data, e.g. the bundled MNIST")
            results["intra_fid"] = intra_class_frechet_distance(real_features, real_labels, fake_features, labels)
    return results
