"""Layers for GANs."""

from keras_gans.layers.adain import AdaIN
from keras_gans.layers.conditional_batch_normalization import ConditionalBatchNormalization
from keras_gans.layers.constant_input import ConstantInput
from keras_gans.layers.domain_planes import DomainPlanes
from keras_gans.layers.domain_select import DomainSelect
from keras_gans.layers.equalized_learning_rate import EqualizedConv2D, EqualizedDense
from keras_gans.layers.fade_in import FadeIn
from keras_gans.layers.level_of_detail import LevelOfDetail
from keras_gans.layers.minibatch_std import MinibatchStandardDeviation
from keras_gans.layers.pack_samples import PackSamples
from keras_gans.layers.noise_injection import NoiseInjection
from keras_gans.layers.pixel_normalization import PixelNormalization
from keras_gans.layers.projected_batch_normalization import ProjectedBatchNormalization
from keras_gans.layers.reconstruction_energy import ReconstructionEnergy
from keras_gans.layers.seeded_dropout import SeededDropout
from keras_gans.layers.self_attention import SelfAttention2D
from keras_gans.layers.spectral_normalization import SpectralNormalization
from keras_gans.layers.sub_pixel_upsampling import SubPixelUpsampling
from keras_gans.layers.style_mixing import StyleMixing
from keras_gans.layers.truncation import Truncation
