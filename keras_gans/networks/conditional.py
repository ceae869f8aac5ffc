"""Networks of the conditional families, on the DCGAN bodies (`dcgan_upsampling`, `dcgan_features`).

Roles (the slots of `keras_gans.models` conditional families):

- `conditional_generator` `[z, labels] -> images`: the label enters as an embedding joined to z
  (CGAN, ACGAN), or through class-conditional batch norm in every layer (`conditional_bn=True`,
  the projection-discriminator paper's generator).
- `conditional_discriminator` `[images, labels] -> logits`: `conditioning="concat"` joins a
  label map to the image as one more channel (Mirza & Osindero 2014); `"projection"` adds the
  inner product of a class embedding with D's features to the logit (Miyato & Koyama 2018).
- `classifying_discriminator` `images -> {"logits", "class"}` (ACGAN's two heads).
- `info_discriminator` `images -> {"logits", "category", "continuous"}` (InfoGAN's D and Q heads
  sharing the body).
"""

import keras

from keras_gans.layers import ConditionalBatchNormalization
from keras_gans.networks.common import (check_image_shape, dense, hidden_dense_block, info_heads, labels_input,
                                        normalization, projection_logits)
from keras_gans.networks.dcgan import dcgan_features, dcgan_upsampling
from keras_gans.networks.registry import register_network

CONDITIONINGS = ("concat", "projection")


@register_network("dcgan", role="conditional_generator")
def conditional_dcgan_generator(latent_dim=100, num_classes=10, output_shape=(28, 28, 1), base_filters=64,
                                kernel_size=4, embedding_dim=50, conditional_bn=False, hidden_units=0,
                                name="generator"):
    """`[z, labels]` -> DCGAN generator body -> tanh image.

    Args:
        embedding_dim: size of the label embedding joined to z (without `conditional_bn`).
        conditional_bn: condition every batch norm on the label instead (`ConditionalBatchNormalization`).
        hidden_units: a fully connected layer before the spatial one (`dcgan_generator`'s).
    """
    check_image_shape(output_shape, "conditional DCGAN generator")
    z = keras.Input((latent_dim,), name="z")
    labels = labels_input()
    if conditional_bn:
        h = z

        def normalize(x):
            return ConditionalBatchNormalization(num_classes)([x, labels])
    else:
        h = keras.layers.Concatenate()([z, keras.layers.Embedding(num_classes, embedding_dim)(labels)])

        def normalize(x):
            return normalization("batch")(x)

    x = dcgan_upsampling(h, output_shape, base_filters, kernel_size, normalize, hidden_units)
    return keras.Model([z, labels], x, name=name)


@register_network("dcgan", role="conditional_discriminator")
def conditional_dcgan_discriminator(input_shape=(28, 28, 1), num_classes=10, base_filters=64, kernel_size=4,
                                    normalization_type="batch", spectral_norm=False, conditioning="concat",
                                    hidden_units=0, name="discriminator"):
    """`[images, labels]` -> DCGAN discriminator body -> logits, conditioned by `conditioning`;
    `hidden_units > 0` ends the body with a fully connected layer (`hidden_dense_block`), whose
    output the projection then uses as D's features."""
    check_image_shape(input_shape, "conditional DCGAN discriminator")
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"unknown conditioning {conditioning!r}: use one of {', '.join(CONDITIONINGS)}")
    images = keras.Input(tuple(input_shape), name="images")
    labels = labels_input()
    x = images
    if conditioning == "concat":
        height, width, _ = input_shape
        label_map = keras.layers.Embedding(num_classes, height * width)(labels)
        x = keras.layers.Concatenate()([x, keras.layers.Reshape((height, width, 1))(label_map)])
    features = dcgan_features(x, base_filters, kernel_size, normalization_type, spectral_norm, bias_before_norm=False)
    if hidden_units:
        features = hidden_dense_block(features, hidden_units, normalization_type, spectral_norm)
    if conditioning == "projection":
        logits = projection_logits(features, labels, num_classes, spectral_norm)
    else:
        logits = dense(1, spectral_norm, dtype="float32")(features)
    return keras.Model([images, labels], logits, name=name)


@register_network("dcgan", role="classifying_discriminator")
def classifying_dcgan_discriminator(input_shape=(28, 28, 1), num_classes=10, base_filters=64, kernel_size=4,
                                    normalization_type="batch", spectral_norm=False, hidden_units=0,
                                    name="discriminator"):
    """`images` -> DCGAN body -> `{"logits": real/fake, "class": class logits}` (ACGAN);
    `hidden_units > 0` ends the shared body with a fully connected layer."""
    check_image_shape(input_shape, "classifying DCGAN discriminator")
    images = keras.Input(tuple(input_shape), name="images")
    features = dcgan_features(images, base_filters, kernel_size, normalization_type, spectral_norm,
                              bias_before_norm=False)
    if hidden_units:
        features = hidden_dense_block(features, hidden_units, normalization_type, spectral_norm)
    return keras.Model(images, {
        "logits": dense(1, spectral_norm, dtype="float32", name="logits")(features),
        "class": dense(num_classes, spectral_norm, dtype="float32", name="class")(features),
    }, name=name)


@register_network("dcgan", role="info_discriminator")
def info_dcgan_discriminator(input_shape=(28, 28, 1), categories=10, continuous=2, base_filters=64, kernel_size=4,
                             normalization_type="batch", q_units=128, hidden_units=0, name="discriminator"):
    """`images` -> DCGAN body -> D's logit and Q's heads: `{"logits", "category", "continuous"}`.

    Q (Chen et al. 2016) shares D's body and adds one hidden layer (`q_units`, BN, leaky ReLU);
    "continuous" is the mean of a unit-variance Gaussian over the continuous codes (`info_heads`).
    `hidden_units > 0` ends the shared body with a fully connected layer (BN, leaky ReLU), the
    paper's FC 1024.
    """
    check_image_shape(input_shape, "InfoGAN discriminator")
    images = keras.Input(tuple(input_shape), name="images")
    features = dcgan_features(images, base_filters, kernel_size, normalization_type, bias_before_norm=False)
    if hidden_units:
        features = hidden_dense_block(features, hidden_units, "batch")
    q = keras.layers.Dense(q_units, use_bias=False)(features)
    q = keras.layers.LeakyReLU(0.2)(normalization("batch")(q))
    return keras.Model(images, info_heads(features, q, categories, continuous), name=name)
