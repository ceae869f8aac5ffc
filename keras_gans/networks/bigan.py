"""Networks of the encoder families (BiGAN / ALI): an encoder x -> z and a discriminator of (x, z) pairs.

The discriminator follows BiGAN's and ALI's joint design (Donahue et al. 2017, Dumoulin et al.
2017): one path reads the image (DCGAN's strided convolutions), one reads z (a fully connected
layer), and a joint fully connected layer reads both before the logit. ALI puts dropout (0.2) in
D; here it is an option, off by default: Keras' dropout draws its masks per replica, so a run with
dropout on 2 replicas is not the run on 1 device (spectral norm is the deterministic alternative).
"""

import keras

from keras_gans.networks.common import check_image_shape, dense, hidden_dense_block
from keras_gans.networks.dcgan import dcgan_features
from keras_gans.networks.registry import register_network


@register_network("dcgan", role="encoder")
def dcgan_encoder(input_shape=(28, 28, 1), latent_dim=100, base_filters=64, kernel_size=4,
                  normalization_type="batch", hidden_units=0, output_activation="linear", name="encoder"):
    """image -> DCGAN's discriminator body (strided convs, leaky ReLU 0.2) -> optional fully
    connected layer -> Dense(latent_dim) -> z.

    `output_activation`: "linear" for N(0, I) latents, "tanh" for U[-1, 1] ones (z stays in the
    prior's support).
    """
    check_image_shape(input_shape, "DCGAN encoder")
    if output_activation not in ("linear", "tanh"):
        raise ValueError(f"output_activation must be linear or tanh, got {output_activation!r}")
    images = keras.Input(tuple(input_shape), name="images")
    x = dcgan_features(images, base_filters, kernel_size, normalization_type)
    if hidden_units:
        x = hidden_dense_block(x, hidden_units, normalization_type)
    z = keras.layers.Dense(int(latent_dim), activation=output_activation, dtype="float32", name="z")(x)
    return keras.Model(images, z, name=name)


@register_network("dcgan", role="joint_discriminator")
def joint_dcgan_discriminator(input_shape=(28, 28, 1), latent_dim=100, base_filters=64, kernel_size=4,
                              normalization_type="none", spectral_norm=False, latent_units=512, joint_units=512,
                              dropout=0.0, name="discriminator"):
    """[image, z] -> logit: DCGAN's strided convs on the image, `Dense(latent_units)` + leaky ReLU
    on z, their concatenation -> `Dense(joint_units)` + leaky ReLU -> Dense(1); with `dropout` > 0,
    dropout of that rate before each fully connected layer (see the module docstring).

    `normalization_type` of the image path: none (the default: batch statistics would mix the
    pairs of a batch), layer or batch.
    """
    check_image_shape(input_shape, "joint DCGAN discriminator")
    images = keras.Input(tuple(input_shape), name="images")
    z = keras.Input((int(latent_dim),), name="z")
    x = dcgan_features(images, base_filters, kernel_size, normalization_type, spectral_norm)
    h = keras.layers.Dropout(dropout)(z) if dropout else z
    h = keras.layers.LeakyReLU(0.2)(dense(int(latent_units), spectral_norm)(h))
    joint = keras.layers.Concatenate()([x, h])
    if dropout:
        joint = keras.layers.Dropout(dropout)(joint)
    joint = keras.layers.LeakyReLU(0.2)(dense(int(joint_units), spectral_norm)(joint))
    if dropout:
        joint = keras.layers.Dropout(dropout)(joint)
    logits = dense(1, spectral_norm, dtype="float32")(joint)
    return keras.Model([images, z], logits, name=name)
