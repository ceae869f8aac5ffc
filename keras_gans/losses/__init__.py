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

# String name -> (class, fixed constructor arguments).
_REGISTRY = {
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
}

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = tuple(_REGISTRY)


def _from_name(name, kwargs=None):
    kwargs = dict(kwargs or {})
    key = name.lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise ValueError(f"Unknown GAN loss {name!r}. Valid names: {', '.join(ALL_NAMES)}.")
    cls, fixed = _REGISTRY[key]
    loss = cls(**{**fixed, **kwargs})
    config = loss.get_config()
    for arg, value in fixed.items():
        if config[arg] != value:
            raise ValueError(f"GAN loss {name!r} fixes {arg}={value!r}; got {kwargs[arg]!r}.")
    return loss


def serialize(loss):
    """The Keras serialized dict of `loss` (`keras.saving.serialize_keras_object`)."""
    return keras.saving.serialize_keras_object(loss)


def deserialize(config, custom_objects=None):
    """Inverse of `serialize`; also accepts whatever `get` accepts."""
    if isinstance(config, dict) and "class_name" in config:
        loss = keras.saving.deserialize_keras_object(config, custom_objects=custom_objects)
        if not isinstance(loss, GANLoss):
            raise ValueError(f"{config!r} does not describe a GANLoss, got {loss!r}.")
        return loss
    return get(config)


def get(identifier):
    """Returns a `GANLoss` from an identifier.

    Args:
        identifier: a `GANLoss` instance (returned as is), a `GANLoss` subclass (instantiated with
            its defaults), a string name from `ALL_NAMES`, a dict `{"name": name, **kwargs}`
            (e.g. `{"name": "least_squares", "a": -1.0}`), or a Keras serialized dict from
            `serialize` / `keras.saving.serialize_keras_object`.

    Raises:
        ValueError: if the name is unknown (the message lists the valid names) or the identifier
            cannot be interpreted.
    """
    if isinstance(identifier, GANLoss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, GANLoss):
        return identifier()
    if isinstance(identifier, str):
        return _from_name(identifier)
    if isinstance(identifier, dict):
        if "class_name" in identifier:
            return deserialize(identifier)
        if "name" in identifier:
            kwargs = dict(identifier)
            return _from_name(kwargs.pop("name"), kwargs)
    raise ValueError(
        f"Could not interpret GAN loss identifier: {identifier!r}. Pass a GANLoss, one of "
        f"{', '.join(ALL_NAMES)}, a dict {{'name': ..., **kwargs}} or a serialized loss."
    )
