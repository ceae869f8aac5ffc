"""Mixed precision for adversarial models: the dtype policies networks are built and checked under."""

import contextlib

import keras

#: The values of `compile(precision=...)`: Keras dtype policies of the networks.
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def _check_precision(precision):
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {', '.join(PRECISIONS)}, got {precision!r}.")


@contextlib.contextmanager
def precision_scope(precision):
    """Builds the networks created inside under `precision`'s Keras dtype policy.

    `with precision_scope("mixed_float16"): generator, discriminator = ...` is
    `keras.config.set_dtype_policy(precision)` for the block, then the previous global policy is
    restored. Layers given an explicit `dtype` (the float32 output layers of `keras_gans.networks`)
    keep it.
    """
    _check_precision(precision)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _low_precision_dtypes(model):
    """The 16-bit compute dtypes used by the layers of `model`."""
    return {
        layer.compute_dtype
        for layer in model._flatten_layers(include_self=False)
        if layer.compute_dtype in ("float16", "bfloat16")
    }


def check_networks_precision(networks, precision):
    """Raises unless every network computes in `precision`'s dtype (float32 layers allowed)."""
    _check_precision(precision)
    expected = keras.DTypePolicy(precision).compute_dtype
    for network in networks:
        found = _low_precision_dtypes(network)
        if found != ({expected} - {"float32"}):
            computes = " and ".join(sorted(found)) or "float32"
            raise ValueError(
                f"compile(precision={precision!r}) but the {network.name} computes in "
                f"{computes}: build every network under the policy, e.g. inside "
                f"keras_gans.models.precision_scope({precision!r}), and pass the same "
                "precision to compile."
            )


def precision_optimizer(optimizer, precision):
    """`optimizer`, wrapped in a `LossScaleOptimizer` for float16 unless it already is one."""
    if precision == "mixed_float16" and not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return keras.optimizers.LossScaleOptimizer(optimizer)
    return optimizer
