"""Penalties: terms `weight * value` added to a player's loss (discriminator penalties, generator
regularisers).

Each is a `Penalty`; the math lives in pure functions exported next to the classes. Look a penalty
up with `get`, by instance, string name, `{"name": ..., **kwargs}` dict or Keras serialized dict.
"""

import keras

from keras_gans.penalties.drift_penalty import DriftPenalty
from keras_gans.penalties.drift_penalty import drift_penalty_value
from keras_gans.penalties.gradient_penalty import MODES
from keras_gans.penalties.gradient_penalty import batch_uniform
from keras_gans.penalties.gradient_penalty import GradientPenalty
from keras_gans.penalties.gradient_penalty import dragan_perturb
from keras_gans.penalties.gradient_penalty import gradient_norm
from keras_gans.penalties.gradient_penalty import gradient_penalty_value
from keras_gans.penalties.gradient_penalty import input_gradients
from keras_gans.penalties.gradient_penalty import interpolate
from keras_gans.penalties.gradient_penalty import per_sample_uniform
from keras_gans.penalties.gradient_penalty import squared_gradient_norm
from keras_gans.penalties.orthogonal_regularization import OrthogonalRegularization
from keras_gans.penalties.orthogonal_regularization import orthogonal_regularization_value
from keras_gans.penalties.penalty import Penalty
from keras_gans.penalties.pulling_away import PullingAway
from keras_gans.penalties.pulling_away import pulling_away_value
from keras_gans.utils.registry import Registry

_registry = Registry(
    "penalty",
    Penalty,
    {
        "gradient_penalty": GradientPenalty,
        "drift_penalty": DriftPenalty,
        "orthogonal_regularization": OrthogonalRegularization,
        "pulling_away": PullingAway,
    },
)

#: Every string name `get` accepts, in a fixed order.
ALL_NAMES = _registry.names
get = _registry.get
serialize = _registry.serialize
deserialize = _registry.deserialize
