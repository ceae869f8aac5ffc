"""Intra-class FID: the FID of each class's generated samples against that class's real ones."""

import numpy as np

from keras_gans.metrics.frechet import frechet_distance


def intra_class_frechet_distance(real_features, real_labels, fake_features, fake_labels):
    """The mean over classes of `frechet_distance(real of class c, generated for class c)`.

    Miyato & Koyama 2018 (projection discriminator) report it for class-conditional models: an
    unconditional FID can be good while every class is wrong. Only classes present on both sides
    count; each needs at least 2 samples per side.
    """
    real_labels, fake_labels = np.asarray(real_labels), np.asarray(fake_labels)
    classes = sorted(set(real_labels.tolist()) & set(fake_labels.tolist()))
    if not classes:
        raise ValueError("no class has both real and generated samples")
    distances = []
    for c in classes:
        real, fake = real_features[real_labels == c], fake_features[fake_labels == c]
        if len(real) < 2 or len(fake) < 2:
            raise ValueError(f"class {c} has {len(real)} real and {len(fake)} generated samples: need 2 each")
        distances.append(frechet_distance(real, fake))
    return float(np.mean(distances))
