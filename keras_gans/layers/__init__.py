"""Layers for GANs."""

from keras_gans.layers.spectral_normalization import SpectralNormalization
