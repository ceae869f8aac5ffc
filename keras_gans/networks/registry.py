"""Network builders by role and name: what a recipe's `model.<slot>: {name: ...}` refers to.

A builder is a function returning a `keras.Model`; `@register_network("dcgan", role="generator")`
makes it available to every family slot of that role. Roles in use: `generator` (z -> samples),
`discriminator` (samples -> outputs); families add their own (`encoder`, `image_generator`...).
"""

import inspect

#: {role: {name: builder}}, filled by `register_network`.
NETWORKS = {}


def register_network(name, role):
    """Function decorator: registers a network builder under `name` for `role`."""

    def decorate(builder):
        builders = NETWORKS.setdefault(role, {})
        if name in builders and builders[name] is not builder:
            raise ValueError(f"a {role} named {name!r} is already registered ({builders[name].__name__})")
        builders[name] = builder
        return builder

    return decorate


def builders(role):
    """`{name: builder}` of `role` (the same dict every call; empty for an unknown role)."""
    return NETWORKS.setdefault(role, {})


def build_network(role, config, **fixed):
    """A network from a recipe dict `{"name": ..., **options}` and the arguments the family fixes
    (e.g. `latent_dim`, `output_shape`); ValueError naming the valid names or options."""
    registry = builders(role)
    config = dict(config or {})
    name = config.pop("name", None)
    if name not in registry:
        raise ValueError(f"unknown {role} {name!r}: valid names are {', '.join(sorted(registry))}")
    builder = registry[name]
    params = inspect.signature(builder).parameters
    unknown = sorted(set(config) - set(params))
    if unknown:
        valid = ", ".join(p for p in params if p not in fixed and p != "name")
        raise ValueError(f"unknown {role} option(s) {', '.join(unknown)} for {name!r}: valid options are {valid}")
    for key, value in config.items():
        if isinstance(value, list):
            config[key] = tuple(value)
    config.update({k: v for k, v in fixed.items() if k in params})
    return builder(**config)
