"""Weight constraints the GAN applies to the discriminator after each of its updates.

Each is a `keras.constraints.Constraint`: `v.assign(constraint(v))` for every trainable variable of
the discriminator. Look one up with `get`, by instance, string name, `{"name": ..., **kwargs}` dict
or Keras serialized dict.
"""

import keras

from keras_gans.constraints.weight_clip import WeightClip
from keras_gans.utils.registry import Registry

_registry = Registry(
    "constraint",
    keras.constraints.Constraint,
    {
        "weight_clip": WeightClip,
    },
)

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = _registry.names
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize
