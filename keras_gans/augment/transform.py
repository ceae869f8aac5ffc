"""The base of discriminator-input transforms (instance noise, augmentations)."""

from keras_gans.utils.serialization import register


@register
class DInputTransform:
    """A transform the family core applies to every input of the discriminator.

    `transform(x, step, seed=None)` returns `x` transformed for model step `step`; `seed` is the
    stateless RNG key (int32, shape `(2,)`) of this input's draws (the model gives every input of
    every update its own), so that 2 replicas draw what 1 device draws. Subclasses implement
    `__call__` and `get_config`; they must be differentiable in `x` (the generator's gradient
    flows through them).
    """

    def __call__(self, x, step, seed=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"
