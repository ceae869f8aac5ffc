"""Lookup of library objects (losses, penalties, constraints) by instance, name or config."""

import keras


class Registry:
    """Maps string names to classes and turns identifiers into instances of `base`.

    `get` accepts an instance (returned as is), a subclass (built with its defaults), a string
    name, a dict `{"name": name, **kwargs}` (the recipe form) or a Keras serialized dict (the
    form `.keras` files store). `entries` maps each name to a class or to `(class, fixed_kwargs)`
    for names that fix some arguments (e.g. `f_kl` = `FDivergenceLoss(divergence="kl")`).
    """

    def __init__(self, kind, base, entries):
        self.kind = kind
        self.base = base
        self.entries = {
            name: entry if isinstance(entry, tuple) else (entry, {}) for name, entry in entries.items()
        }
        #: Every string name `get` accepts, in a fixed order.
        self.names = tuple(self.entries)

    def from_name(self, name, kwargs=None):
        kwargs = dict(kwargs or {})
        key = name.lower() if isinstance(name, str) else name
        if key not in self.entries:
            raise ValueError(f"Unknown {self.kind} {name!r}. Valid names: {', '.join(self.names)}.")
        cls, fixed = self.entries[key]
        obj = cls(**{**fixed, **kwargs})
        if fixed:
            config = obj.get_config()
            for arg, value in fixed.items():
                if config[arg] != value:
                    raise ValueError(f"{self.kind} {name!r} fixes {arg}={value!r}; got {kwargs[arg]!r}.")
        return obj

    def serialize(self, obj):
        """The Keras serialized dict of `obj` (`keras.saving.serialize_keras_object`)."""
        return keras.saving.serialize_keras_object(obj)

    def deserialize(self, config, custom_objects=None):
        """Inverse of `serialize`; also accepts whatever `get` accepts."""
        if isinstance(config, dict) and "class_name" in config:
            obj = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
            if not isinstance(obj, self.base):
                raise ValueError(f"{config!r} does not describe a {self.base.__name__}, got {obj!r}.")
            return obj
        return self.get(config)

    def get(self, identifier):
        """An instance of `base` from an instance, subclass, name, `{"name": ...}` or serialized dict.

        Raises:
            ValueError: if the name is unknown (the message lists the valid names) or the
                identifier cannot be interpreted.
        """
        if isinstance(identifier, self.base):
            return identifier
        if isinstance(identifier, type) and issubclass(identifier, self.base):
            return identifier()
        if isinstance(identifier, str):
            return self.from_name(identifier)
        if isinstance(identifier, dict):
            if "class_name" in identifier:
                return self.deserialize(identifier)
            if "name" in identifier:
                kwargs = dict(identifier)
                return self.from_name(kwargs.pop("name"), kwargs)
        raise ValueError(
            f"Could not interpret {self.kind} identifier: {identifier!r}. Pass a "
            f"{self.base.__name__}, one of {', '.join(self.names)}, a dict "
            f"{{'name': ..., **kwargs}} or a serialized {self.kind}."
        )
