"""Adversarial losses.

Each loss is a `GANLoss` with a discriminator and a generator objective on raw discriminator
outputs; the math lives in pure functions exported next to the classes. Look a loss up with
`get`, by instance, string name, `{"name": ..., **kwargs}` dict or Keras serialized dict.
"""

import keras

from keras_gans.losses.energy import EnergyLoss
from keras_gans.losses.energy import energy_discriminator_loss
from keras_gans.losses.energy import energy_generator_loss
from keras_gans.losses.f_divergence import DIVERGENCES
from keras_gans.losses.f_divergence import FDivergenceLoss
from keras_gans.losses.f_divergence import f_conjugate_of_activation
from keras_gans.losses.f_divergence import f_divergence_discriminator_loss
from keras_gans.losses.f_divergence import f_divergence_generator_loss
from keras_gans.losses.f_divergence import f_output_activation
from keras_gans.losses.gan_loss import GANLoss
from keras_gans.losses.gan_loss import as_float32
from keras_gans.losses.gan_loss import reduce_mean
from keras_gans.losses.hinge import HingeLoss
from keras_gans.losses.hinge import hinge_discriminator_loss
from keras_gans.losses.hinge import hinge_generator_loss
from keras_gans.losses.least_squares import LeastSquaresLoss
from keras_gans.losses.least_squares import least_squares_discriminator_loss
from keras_gans.losses.least_squares import least_squares_generator_loss
from keras_gans.losses.minimax import MinimaxLoss
from keras_gans.losses.minimax import minimax_discriminator_loss
from keras_gans.losses.minimax import minimax_generator_loss
from keras_gans.losses.minimax import sigmoid_cross_entropy
from keras_gans.losses.non_saturating import NonSaturatingLoss
from keras_gans.losses.non_saturating import non_saturating_discriminator_loss
from keras_gans.losses.non_saturating import non_saturating_generator_loss
from keras_gans.losses.relativistic import RelativisticAverageHingeLoss
from keras_gans.losses.relativistic import RelativisticAverageLoss
from keras_gans.losses.relativistic import relativistic_average_discriminator_loss
from keras_gans.losses.relativistic import relativistic_average_generator_loss
from keras_gans.losses.relativistic import relativistic_average_hinge_discriminator_loss
from keras_gans.losses.relativistic import relativistic_average_hinge_generator_loss
from keras_gans.losses.wasserstein import WassersteinLoss
from keras_gans.losses.wasserstein import wasserstein_discriminator_loss
from keras_gans.losses.wasserstein import wasserstein_generator_loss
from keras_gans.losses.variational import gaussian_kl_divergence
from keras_gans.losses.variational import reparameterize
from keras_gans.losses.variational import squared_error_sum
from keras_gans.utils.registry import Registry

# String name -> (class, fixed constructor arguments).
_registry = Registry(
    "GAN loss",
    GANLoss,
    {
        "minimax": (MinimaxLoss, {}),
        "non_saturating": (NonSaturatingLoss, {}),
        "wasserstein": (WassersteinLoss, {}),
        "hinge": (HingeLoss, {}),
        "least_squares": (LeastSquaresLoss, {}),
        "relativistic_average": (RelativisticAverageLoss, {}),
        "relativistic_average_hinge": (RelativisticAverageHingeLoss, {}),
        "f_kl": (FDivergenceLoss, {"divergence": "kl"}),
        "f_reverse_kl": (FDivergenceLoss, {"divergence": "reverse_kl"}),
        "f_pearson": (FDivergenceLoss, {"divergence": "pearson"}),
        "f_js": (FDivergenceLoss, {"divergence": "js"}),
        "f_hellinger": (FDivergenceLoss, {"divergence": "hellinger"}),
        "energy": (EnergyLoss, {}),
    },
)

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = _registry.names
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize
