"""Registration of keras_gans classes with Keras serialization."""

import keras

PACKAGE = "keras_gans"


def register(cls):
    """Registers `cls` as `keras_gans>ClassName` so `.keras` files load it in safe mode."""
    return keras.saving.register_keras_serializable(package=PACKAGE)(cls)
