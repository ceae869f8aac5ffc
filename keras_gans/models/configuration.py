"""How adversarial models describe themselves: configs from signatures, and batched NumPy calls."""

import functools
import inspect

import keras
from keras.src.saving import serialization_lib

from keras_gans.utils.batches import in_batches  # noqa: F401  (public here: the families import it from this module)


def serialize_value(value):
    """A constructor argument as config: plain values as they are, Keras objects serialized."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [serialize_value(v) for v in value]
    return keras.saving.serialize_keras_object(value)


def deserialize_value(value, custom_objects=None):
    """Inverse of `serialize_value`."""
    if isinstance(value, dict) and "class_name" in value:
        return keras.saving.deserialize_keras_object(value, custom_objects=custom_objects)
    if isinstance(value, list):
        return [deserialize_value(v, custom_objects) for v in value]
    return value


def records_compile_arguments(compile_fn):
    """Wraps a family's `compile` so that the arguments of the outermost call are its compile config.

    The config is derived from the signature (defaults applied; `**kwargs`, which go to
    `keras.Model.compile`, are left out), so every argument a family adds is saved in `.keras`
    files and accepted by recipes without a key list.
    """
    signature = inspect.signature(compile_fn)

    @functools.wraps(compile_fn)
    def compile(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = {  # `**kwargs` go to keras.Model.compile (run_eagerly...): not the model's config
            name: value for name, value in list(bound.arguments.items())[1:]
            if signature.parameters[name].kind is not inspect.Parameter.VAR_KEYWORD
        }
        outermost = not self.__dict__.get("_in_compile", False)
        self.__dict__["_in_compile"] = True
        try:
            result = compile_fn(self, *args, **kwargs)
        finally:
            if outermost:
                self.__dict__["_in_compile"] = False
        if outermost:
            self._compile_config = serialization_lib.SerializableDict(**arguments)
        return result

    compile._records_arguments = True
    return compile


def init_parameters(cls, base):
    """The named `__init__` arguments of `cls`, and of its bases up to `base` as long as each
    `__init__` forwards `**kwargs` (a subclass adding one option to `GAN` keeps GAN's)."""
    names = []
    for klass in cls.__mro__:
        if "__init__" not in klass.__dict__ or not issubclass(klass, base):
            continue
        forwards = False
        for name, p in inspect.signature(klass.__init__).parameters.items():
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                forwards = True
            elif name != "self" and p.kind is not inspect.Parameter.VAR_POSITIONAL and name not in names:
                names.append(name)
        if not forwards or klass is base:
            break
    return names
