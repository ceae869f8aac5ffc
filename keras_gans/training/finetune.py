"""Fine-tuning a pretrained GAN: start from its weights, optionally freezing the first D blocks.

FreezeD (Mo, Cho and Shin 2020, "Freeze the Discriminator: a Simple Baseline for Fine-Tuning
GANs", arXiv 2002.10964): when a pretrained GAN is fine-tuned on a small target dataset, keeping
the discriminator's lower layers (generic image features) fixed and training only its upper
layers and the generator beats fine-tuning everything, which over-fits the few target images.
"""

from keras_gans.errors import UserError

#: Layers that normalise the previous layer's output: they belong to the block before them.
_NORMALIZATION_TYPES = ("BatchNormalization", "LayerNormalization", "GroupNormalization",
                        "UnitNormalization")


def initialize_from(model, source):
    """Copies the weights of `source`'s networks and EMA networks into `model` (any family).

    Both models must have the same architectures (the recipe that trained `source`, possibly with
    other data, losses or optimizers). Optimizer state is not copied: fine-tuning starts with the
    fresh optimizers of `model`'s compile. An EMA network of `model` that `source` lacks starts
    from the network it follows (`ema_generator` from `source`'s generator).
    """
    theirs = source.saved_networks()
    pairs = []
    for name, target in model.saved_networks().items():
        origin = theirs.get(name, theirs.get(name[len("ema_"):]) if name.startswith("ema_") else None)
        if origin is None:
            raise UserError(f"the pretrained model has no {name}: fine-tune with the recipe that trained it")
        pairs.append((name.replace("ema_", "EMA "), target, origin))
    for what, target, origin in pairs:
        _check_same_shapes(what, target, origin)
    for _, target, origin in pairs:
        target.set_weights(origin.get_weights())
    return model


def _check_same_shapes(what, target, origin):
    target_weights, origin_weights = target.weights, origin.weights
    if len(target_weights) != len(origin_weights):
        raise UserError(
            f"the pretrained {what} has {len(origin_weights)} weight tensors but this recipe's has "
            f"{len(target_weights)}: fine-tune with the recipe that trained it (same model section)"
        )
    for mine, theirs in zip(target_weights, origin_weights):
        if tuple(mine.shape) != tuple(theirs.shape):
            raise UserError(
                f"the pretrained {what}'s weight {theirs.path} has shape {tuple(theirs.shape)} but this "
                f"recipe's {mine.path} has {tuple(mine.shape)}: fine-tune with the recipe that trained "
                "it (same model section)"
            )


def discriminator_blocks(discriminator):
    """The discriminator's layers grouped in blocks: each weighted layer (Dense, Conv, ...) starts
    one, and the normalisation and weightless layers after it (activations, ...) join it.

    The last block is the output head. Layers before the first weighted layer (inputs,
    reshapes) join the first block.
    """
    blocks, leading = [], []
    for layer in discriminator.layers:
        starts_block = bool(layer.weights) and type(layer).__name__ not in _NORMALIZATION_TYPES
        if starts_block:
            blocks.append(leading + [layer])
            leading = []
        elif blocks:
            blocks[-1].append(layer)
        else:
            leading.append(layer)
    return blocks


def freeze_model_discriminator(model, n):
    """`freeze_discriminator_blocks` on `model.discriminator` (nothing to do when `n` is 0)."""
    if n and getattr(model, "discriminator", None) is None:
        raise UserError(f"freeze_d freezes discriminator blocks but a {type(model).__name__} has no discriminator")
    return freeze_discriminator_blocks(model.discriminator, n) if n else None


def freeze_discriminator_blocks(discriminator, n):
    """FreezeD: makes the first `n` blocks of `discriminator` untrainable (see `discriminator_blocks`).

    Frozen batch-normalisation layers run in inference mode with their pretrained statistics.
    Call it before `GAN.compile`, which builds the optimizers for the trainable weights.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise UserError(f"freeze_d must be a non-negative integer, got {n!r}")
    if n == 0:
        return discriminator
    blocks = discriminator_blocks(discriminator)
    if n >= len(blocks):
        raise UserError(
            f"freeze_d={n} would freeze the whole discriminator: it has {len(blocks)} blocks "
            f"(the last is the output head), so freeze_d must be at most {len(blocks) - 1}"
        )
    for block in blocks[:n]:
        for layer in block:
            layer.trainable = False
    return discriminator
