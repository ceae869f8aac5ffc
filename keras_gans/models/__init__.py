"""Adversarial models: the family core (`AdversarialModel`) and the families built on it."""

from keras_gans.models.acgan import ACGAN
from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.began import BEGAN
from keras_gans.models.bigan import BiGAN
from keras_gans.models.cgan import ConditionalGAN
from keras_gans.models.conditional import LabelConditionalModel
from keras_gans.models.cyclegan import CycleGAN
from keras_gans.models.d_input_transforms import DInputTransforms
from keras_gans.models.exponential_moving_average import ExponentialMovingAverage
from keras_gans.models.gan import GAN
from keras_gans.models.image_pool import ImagePool
from keras_gans.models.infogan import InfoGAN
from keras_gans.models.latent import LatentModel
from keras_gans.models.latent_encoder import LatentEncoderModel
from keras_gans.models.pix2pix import Pix2Pix
from keras_gans.models.precision import PRECISIONS
from keras_gans.models.progan import ProgressiveGAN
from keras_gans.models.precision import precision_scope
from keras_gans.models.random_streams import RandomStreams
from keras_gans.models.registry import MODEL_TYPES
from keras_gans.models.registry import get_model_class
from keras_gans.models.registry import register_model
from keras_gans.models.srgan import SRGAN
from keras_gans.models.stargan import StarGAN
from keras_gans.models.step_context import StepContext
from keras_gans.models.top_k import TopKGeneratorUpdate
from keras_gans.models.translation import TranslationModel
from keras_gans.models.unit import UNIT
from keras_gans.models.vaegan import VAEGAN

__all__ = [
    "ACGAN",
    "AdversarialModel",
    "BEGAN",
    "BiGAN",
    "ConditionalGAN",
    "CycleGAN",
    "DInputTransforms",
    "ImagePool",
    "InfoGAN",
    "LabelConditionalModel",
    "LatentEncoderModel",
    "LatentModel",
    "ExponentialMovingAverage",
    "GAN",
    "MODEL_TYPES",
    "PRECISIONS",
    "Pix2Pix",
    "ProgressiveGAN",
    "RandomStreams",
    "SRGAN",
    "StarGAN",
    "StepContext",
    "TopKGeneratorUpdate",
    "TranslationModel",
    "UNIT",
    "VAEGAN",
    "get_model_class",
    "precision_scope",
    "register_model",
]
