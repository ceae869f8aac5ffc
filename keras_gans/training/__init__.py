"""Training tricks passed to `GAN.compile` and the callbacks used by the `keras-gans train` command."""

from keras_gans.training.instance_noise import InstanceNoise
from keras_gans.training.top_k import TopKGeneratorUpdate


def _get(identifier, cls, what):
    if identifier is None or isinstance(identifier, cls):
        return identifier
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            import keras

            return keras.saving.deserialize_keras_object(identifier)
        return cls(**identifier)
    if isinstance(identifier, (int, float)) and what == "instance_noise":
        return cls(stddev=identifier)
    raise ValueError(f"Could not interpret {what}: {identifier!r}; pass a {cls.__name__} or a dict of its arguments.")


def get_instance_noise(identifier):
    """An `InstanceNoise` from an instance, a stddev, or a dict of its arguments (None stays None)."""
    return _get(identifier, InstanceNoise, "instance_noise")


def get_top_k(identifier):
    """A `TopKGeneratorUpdate` from an instance or a dict of its arguments (None stays None)."""
    return _get(identifier, TopKGeneratorUpdate, "top_k")
