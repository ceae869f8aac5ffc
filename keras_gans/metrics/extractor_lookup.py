"""`get_extractor`: a feature extractor from a name, a `keras.Model` or an extractor."""

from keras_gans.errors import UserError
from keras_gans.metrics.extractors import FeatureExtractor, KerasModelExtractor, MNISTFeatureExtractor
from keras_gans.metrics.inception_extractor import InceptionV3FeatureExtractor

EXTRACTOR_NAMES = ("mnist", "inception")


def get_extractor(name_or_model="mnist", weights_path=None):
    """An extractor from a name, a `keras.Model` or an extractor (returned unchanged).

    - "mnist" (also None): `MNISTFeatureExtractor()`, the shipped classifier (no weights_path);
    - "inception": `InceptionV3FeatureExtractor(weights_path)`;
    - a `keras.Model`: `KerasModelExtractor(model)` (its output as features);
    - a `FeatureExtractor`: itself.

    Unknown names and a `weights_path` given for anything but "inception" raise a `UserError`.
    """
    import keras

    if isinstance(name_or_model, FeatureExtractor):
        extractor = name_or_model
    elif isinstance(name_or_model, keras.Model):
        extractor = KerasModelExtractor(name_or_model)
    elif name_or_model is None or name_or_model == "mnist":
        extractor = None
    elif name_or_model == "inception":
        return InceptionV3FeatureExtractor(weights_path)
    else:
        raise UserError(
            f"unknown feature extractor {name_or_model!r}: use one of {list(EXTRACTOR_NAMES)} or "
            "pass a keras.Model"
        )
    if weights_path is not None:
        raise UserError(
            "a weights path only applies to the 'inception' extractor (the 'mnist' classifier "
            "ships with keras-gans)"
        )
    return MNISTFeatureExtractor() if extractor is None else extractor
