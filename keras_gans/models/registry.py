"""Model types by name: the `model.type` of a recipe (`gan`, and each family's)."""

#: {type name: model class}, filled by `register_model`.
MODEL_TYPES = {}


def register_model(name):
    """Class decorator: makes the family available to recipes as `model: {type: name}`.

    The class must subclass `AdversarialModel`; recipes build its `network_slots` with the networks
    registered for their roles and pass the other `model` keys to its `__init__`.
    """

    def decorate(cls):
        from keras_gans.utils.serialization import register

        if name in MODEL_TYPES and MODEL_TYPES[name] is not cls:
            raise ValueError(f"model type {name!r} is already registered by {MODEL_TYPES[name].__name__}")
        cls.model_type = name
        MODEL_TYPES[name] = register(cls)
        return cls

    return decorate


def get_model_class(name):
    """The model class registered as `name`; ValueError listing the valid types otherwise."""
    import keras_gans.models  # noqa: F401  (registers the shipped families)

    if name not in MODEL_TYPES:
        raise ValueError(f"unknown model type {name!r}: valid types are {', '.join(sorted(MODEL_TYPES))}")
    return MODEL_TYPES[name]
