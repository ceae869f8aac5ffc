"""Discriminator regularisers: terms `weight * value` added to the discriminator loss.

Each is a `Penalty`; the math lives in pure functions exported next to the classes. Look a penalty
up with `get`, by instance, string name, `{"name": ..., **kwargs}` dict or Keras serialized dict.
"""

import keras

from keras_gans.penalties.drift_penalty import DriftPenalty
from keras_gans.penalties.drift_penalty import drift_penalty_value
from keras_gans.penalties.gradient_penalty import MODES
from keras_gans.penalties.gradient_penalty import GradientPenalty
from keras_gans.penalties.gradient_penalty import dragan_perturb
from keras_gans.penalties.gradient_penalty import gradient_norm
from keras_gans.penalties.gradient_penalty import gradient_penalty_value
from keras_gans.penalties.gradient_penalty import input_gradients
from keras_gans.penalties.gradient_penalty import interpolate
from keras_gans.penalties.gradient_penalty import per_sample_uniform
from keras_gans.penalties.gradient_penalty import squared_gradient_norm
from keras_gans.penalties.penalty import Penalty

_REGISTRY = {
    "gradient_penalty": GradientPenalty,
    "drift_penalty": DriftPenalty,
}

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = tuple(_REGISTRY)


def _from_name(name, kwargs=None):
    key = name.lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ValueError(f"Unknown penalty {name!r}. Valid names: {', '.join(ALL_NAMES)}.")
    return _REGISTRY[key](**dict(kwargs or {}))


def serialize(penalty):
    """The Keras serialized dict of `penalty` (`keras.saving.serialize_keras_object`)."""
    return keras.saving.serialize_keras_object(penalty)


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts whatever `get` accepts."""
    if isinstance(config, dict) and "class_name" in config:
        penalty = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
        if not isinstance(penalty, Penalty):
            raise ValueError(f"{config!r} does not describe a Penalty, got {penalty!r}.")
        return penalty
    return get(config)


def get(identifier):
    """Returns a `Penalty` from an identifier.

    Args:
        identifier: a `Penalty` instance (returned as is), a `Penalty` subclass (instantiated with
            its defaults), a string name from `ALL_NAMES`, a dict `{"name": name, **kwargs}` (e.g.
            `{"name": "gradient_penalty", "weight": 10, "mode": "r1"}`; there `name` picks the
            class, so the metric name keeps its default), or a Keras serialized dict from
            `serialize` / `keras.saving.serialize_keras_object`.

    Raises:
        ValueError: if the name is unknown (the message lists the valid names) or the identifier
            cannot be interpreted.
    """
    if isinstance(identifier, Penalty):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Penalty):
        return identifier()
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return deserialize(identifier)
        if "name" in identifier:
            kwargs = dict(identifier)
            return _from_name(kwargs.pop("name"), kwargs)
    raise ValueError(
        f"Could not interpret penalty identifier: {identifier!r}. Pass a Penalty, one of "
        f"{', '.join(ALL_NAMES)}, a dict {{'name': ..., **kwargs}} or a serialized penalty."
    )
