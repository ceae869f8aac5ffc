"""GAN models: the core `GAN` and its families."""

from keras_gans.models.gan import GAN
