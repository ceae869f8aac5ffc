"""Discriminator-input transforms: applied by the family core to every input of the discriminator
(reals and fakes, in the discriminator and generator steps, and so in the penalties).

A transform is a `DInputTransform`: `transform(x, step, seed=None) -> x'` with `get_config`;
`seed` is the stateless RNG key of this input's draws. `InstanceNoise` is one; augmentations
(DiffAugment, ADA) are others. A transform with state (ADA's probability) has
`make_state(name)`, which returns a Keras layer the model keeps and saves, and `observe(realness)`,
which the family core calls with D's outputs on the reals of every discriminator update. Look one up with `get` (instance, name, `{"name": ..., **kwargs}`
or Keras serialized dict), as recipes do for `compile.augment`.
"""

from keras_gans.augment.adaptive import AdaptiveAugment, AugmentProbability
from keras_gans.augment.diff_augment import DiffAugment
from keras_gans.augment.instance_noise import InstanceNoise
from keras_gans.augment.transform import DInputTransform
from keras_gans.utils.registry import Registry

_registry = Registry("discriminator-input transform", DInputTransform, {"instance_noise": InstanceNoise,
                                                                          "diff_augment": DiffAugment,
                                                                          "ada": AdaptiveAugment})

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = _registry.names
get = _registry.get


def get_instance_noise(identifier):
    """An `InstanceNoise` from an instance, a stddev, or a dict of its arguments (None stays None)."""
    if identifier is None or isinstance(identifier, InstanceNoise):
        return identifier
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            import keras

            return keras.saving.deserialize_keras_object(identifier)
        return InstanceNoise(**identifier)
    if isinstance(identifier, (int, float)) and not isinstance(identifier, bool):
        return InstanceNoise(stddev=identifier)
    raise ValueError(f"Could not interpret instance_noise: {identifier!r}; pass a InstanceNoise or a dict of its arguments.")


__all__ = ["ALL_NAMES", "AdaptiveAugment", "AugmentProbability", "DInputTransform", "DiffAugment", "InstanceNoise", "get", "get_instance_noise"]
