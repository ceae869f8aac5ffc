"""The encoder of VAE-GAN (Larsen et al. 2016): images -> the mean and log-variance of q(z | x).

The discriminator of VAE-GAN is DCGAN's with `feature_output=True` (its last convolution's
features are the space reconstructions are measured in); the decoder is any generator.
"""

import keras

from keras_gans.networks.common import check_image_shape, hidden_dense_block
from keras_gans.networks.dcgan import dcgan_features
from keras_gans.networks.registry import register_network


@register_network("dcgan", role="gaussian_encoder")
def gaussian_dcgan_encoder(input_shape=(28, 28, 1), latent_dim=100, base_filters=64, kernel_size=4,
                           normalization_type="batch", hidden_units=0, name="encoder"):
    """image -> DCGAN's discriminator body (strided convs, leaky ReLU 0.2) -> optional fully
    connected layer -> `{"mean": Dense(latent_dim), "log_variance": Dense(latent_dim)}`, the
    diagonal Gaussian q(z | x) of a VAE's encoder.

    The log-variance layer starts at zero weights and bias (q starts as N(mean, I)), which keeps
    exp(log_variance) from overflowing in the first steps.
    """
    check_image_shape(input_shape, "Gaussian DCGAN encoder")
    images = keras.Input(tuple(input_shape), name="images")
    # No bias where a normalisation follows: it cancels, and Adam would turn its rounding noise into steps.
    x = dcgan_features(images, base_filters, kernel_size, normalization_type, bias_before_norm=False)
    if hidden_units:
        x = hidden_dense_block(x, hidden_units, normalization_type)
    mean = keras.layers.Dense(int(latent_dim), dtype="float32", name="mean")(x)
    log_variance = keras.layers.Dense(int(latent_dim), kernel_initializer="zeros", dtype="float32",
                                      name="log_variance")(x)
    return keras.Model(images, {"mean": mean, "log_variance": log_variance}, name=name)
