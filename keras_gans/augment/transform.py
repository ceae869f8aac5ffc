"""The base of discriminator-input transforms (instance noise, augmentations)."""

import tensorflow as tf

from keras_gans.utils import distribute
from keras_gans.utils.serialization import register


def draw_per_sample(seed, index, batch, shape, draw):
    """This replica's rows of per-sample random numbers `(batch, *shape)` for draw number `index`
    of an input keyed by `seed`: `draw(global_shape, key)` is a stateless draw (e.g.
    `tf.random.stateless_uniform`), made for the whole global batch so that 2 replicas draw what
    1 device draws (`distribute.global_batch_sample`)."""
    key = tf.random.experimental.stateless_fold_in(seed, index)
    return distribute.global_batch_sample(lambda s: draw(s, key), tf.concat([[batch], shape], axis=0))


def parse_policy(policy, known, owner):
    """`policy` (comma-separated names or a list) as "a,b,c" in the order of `known`; a
    `ValueError` naming `owner` and the known names when it names none or an unknown one."""
    names = [p.strip() for p in policy.split(",") if p.strip()] if isinstance(policy, str) else list(policy)
    if set(names) - set(known) or not names:
        raise ValueError(f"{owner} policy must name some of {', '.join(known)}, got {policy!r}")
    return ",".join(name for name in known if name in names)


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
