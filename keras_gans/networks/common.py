"""Layer factories shared by the network builders."""

import keras


def _wrap(layer, spectral_norm):
    if not spectral_norm:
        return layer
    from keras_gans.layers import SpectralNormalization

    return SpectralNormalization(layer)


def dense(units, spectral_norm=False, **kwargs):
    """A Dense layer, spectrally normalised (Miyato 2018) when asked."""
    return _wrap(keras.layers.Dense(units, **kwargs), spectral_norm)


def conv(filters, kernel_size, strides, spectral_norm=False, **kwargs):
    """A 'same'-padded Conv2D, spectrally normalised when asked."""
    layer = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same", **kwargs)
    return _wrap(layer, spectral_norm)


def normalization(kind):
    """A normalisation layer by name: batch, layer, instance or none (returns None).

    Batch normalisation is `synchronized`: under a multi-replica strategy its statistics are those
    of the global batch (all-reduced), so that 2 replicas train what 1 device trains; outside a
    strategy it is plain batch normalisation.
    """
    if kind in (None, "none", False):
        return None
    if kind == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=True)
    if kind == "layer":
        return keras.layers.LayerNormalization(axis=[1, 2, 3])
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1)
    raise ValueError(f"unknown normalization {kind!r}: use one of batch, layer, instance, none")


def hidden_dense_block(x, units, normalization_type="batch", spectral_norm=False):
    """`Dense(units)` -> normalisation -> leaky ReLU 0.2 on feature vectors `x`: the fully
    connected layer that ends a discriminator's body (InfoGAN's FC 1024). The bias is left out
    under a normalisation, which cancels it. Normalisation: batch, layer or none."""
    if normalization_type not in (None, "none", False, "batch", "layer"):
        raise ValueError(f"a discriminator's hidden fully connected layer normalises with batch, layer or none, "
                         f"got {normalization_type!r}")
    normalized = normalization_type in ("batch", "layer")
    x = dense(int(units), spectral_norm, use_bias=not normalized)(x)
    if normalization_type == "batch":
        x = normalization("batch")(x)
    elif normalization_type == "layer":
        x = keras.layers.LayerNormalization()(x)
    return keras.layers.LeakyReLU(0.2)(x)


def info_heads(features, q, categories, continuous):
    """InfoGAN's outputs: D's logit on `features` and Q's heads on `q`, as `{"logits", "category"
    [, "continuous"]}`; "continuous" (the means of unit-variance Gaussians over the continuous
    codes) is left out when `continuous=0`."""
    heads = {"logits": keras.layers.Dense(1, dtype="float32", name="logits")(features),
             "category": keras.layers.Dense(categories, dtype="float32", name="category")(q)}
    if continuous:
        heads["continuous"] = keras.layers.Dense(continuous, dtype="float32", name="continuous")(q)
    return heads


def check_image_shape(shape, what):
    """Raises a ValueError pointing to the mlp networks unless `shape` is (height, width, channels).

    `what` names the network in the message, e.g. "DCGAN generator".
    """
    if len(tuple(shape)) != 3:
        raise ValueError(
            f"the {what} works on images (height, width, channels), got samples of shape "
            f"{tuple(shape)}: use the mlp networks for 2-D points"
        )


def labels_input():
    """The int32 `labels` input of a class-conditional network (batch,)."""
    return keras.Input((), dtype="int32", name="labels")


def projection_logits(features, labels, num_classes, spectral_norm=False, embedding_name=None):
    """`w . phi + embed(y) . phi`: the projection discriminator's logit (Miyato & Koyama 2018) on
    feature vectors `phi` = `features`, as a float32 layer named "logits"."""
    logits = dense(1, spectral_norm, dtype="float32")(features)
    embedded = keras.layers.Embedding(num_classes, features.shape[-1], name=embedding_name)(labels)
    projection = keras.layers.Dot(axes=1, dtype="float32")([embedded, features])
    return keras.layers.Add(dtype="float32", name="logits")([logits, projection])


def packed(x, pack):
    """`x` with each `pack` consecutive samples joined along the last axis (PacGAN's packing,
    `keras_gans.layers.PackSamples`); `x` itself for `pack=1`."""
    if pack == 1:
        return x
    from keras_gans.layers.pack_samples import PackSamples

    return PackSamples(pack, name=f"pack_{pack}")(x)
