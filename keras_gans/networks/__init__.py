"""Network builders, registered by role and name for recipes (see `registry`)."""

from keras_gans.networks.autoencoder import autoencoder_discriminator
from keras_gans.networks.bigan import dcgan_encoder, joint_dcgan_discriminator
from keras_gans.networks.biggan import biggan_discriminator, biggan_generator
from keras_gans.networks.conditional import (classifying_dcgan_discriminator, conditional_dcgan_discriminator,
                                             conditional_dcgan_generator, info_dcgan_discriminator)
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator
from keras_gans.networks.progan import progan_discriminator, progan_generator
from keras_gans.networks.registry import NETWORKS, build_network, builders, register_network
from keras_gans.networks.translation import (image_patchgan_discriminator, patchgan_discriminator, resnet_generator,
                                             unet_generator)
from keras_gans.networks.stargan import stargan_discriminator, stargan_generator
from keras_gans.networks.super_resolution import mnist_classifier_network, srresnet_generator, vgg19_network
from keras_gans.networks.stylegan import stylegan_discriminator, stylegan_generator
from keras_gans.networks.unit import unit_encoder, unit_generator, unit_shared_encoder, unit_shared_generator
from keras_gans.networks.vaegan import gaussian_dcgan_encoder

#: The registered builders of the two roles every GAN has (live views of the registry).
GENERATORS = builders("generator")
DISCRIMINATORS = builders("discriminator")


def build_generator(config, latent_dim, output_shape):
    """A generator from a recipe dict `{"name": "dcgan", **options}` producing `output_shape`."""
    return build_network("generator", config, latent_dim=latent_dim, output_shape=tuple(output_shape))


def build_discriminator(config, input_shape):
    """A discriminator from a recipe dict `{"name": "dcgan", **options}` taking `input_shape`."""
    return build_network("discriminator", config, input_shape=tuple(input_shape))
