"""Weight constraints the GAN applies to the discriminator after each of its updates.

Each is a `keras.constraints.Constraint`: `v.assign(constraint(v))` for every trainable variable of
the discriminator. Look one up with `get`, by instance, string name, `{"name": ..., **kwargs}` dict
or Keras serialized dict.
"""

import keras

from keras_gans.constraints.weight_clip import WeightClip

_REGISTRY = {
    "weight_clip": WeightClip,
}

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = tuple(_REGISTRY)


def _from_name(name, kwargs=None):
    key = name.lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ValueError(f"Unknown constraint {name!r}. Valid names: {', '.join(ALL_NAMES)}.")
    return _REGISTRY[key](**dict(kwargs or {}))


def serialize(constraint):
    """The Keras serialized dict of `constraint` (`keras.saving.serialize_keras_object`)."""
    return keras.saving.serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts whatever `get` accepts."""
    if isinstance(config, dict) and "class_name" in config:
        constraint = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
        if not isinstance(constraint, keras.constraints.Constraint):
            raise ValueError(f"{config!r} does not describe a Constraint, got {constraint!r}.")
        return constraint
    return get(config)


def get(identifier):
    """Returns a `keras.constraints.Constraint` from an identifier.

    Args:
        identifier: a `Constraint` instance (returned as is), a `Constraint` subclass
            (instantiated with its defaults), a string name from `ALL_NAMES`, a dict
            `{"name": name, **kwargs}` (e.g. `{"name": "weight_clip", "clip_value": 0.01}`), or a
            Keras serialized dict from `serialize` / `keras.saving.serialize_keras_object`.

    Raises:
        ValueError: if the name is unknown (the message lists the valid names) or the identifier
            cannot be interpreted.
    """
    if isinstance(identifier, keras.constraints.Constraint):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, keras.constraints.Constraint):
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
        f"Could not interpret constraint identifier: {identifier!r}. Pass a Constraint, one of "
        f"{', '.join(ALL_NAMES)}, a dict {{'name': ..., **kwargs}} or a serialized constraint."
    )
