"""keras-gans: generative adversarial networks for Keras 3 that train with `model.fit`.

```python
import keras, keras_gans
gan = keras_gans.GAN(generator, discriminator)
gan.compile(loss="hinge", penalties=[keras_gans.GradientPenalty(weight=10.0)])
gan.fit(dataset, epochs=10, steps_per_epoch=500)
```
"""

__version__ = "0.1.0"

from keras_gans import augment, constraints, data, layers, losses, metrics, networks, penalties, recipes, runs, sampling, zoo  # noqa: E402
from keras_gans.constraints import WeightClip  # noqa: E402
from keras_gans.layers import SpectralNormalization  # noqa: E402
from keras_gans.augment import InstanceNoise  # noqa: E402
from keras_gans.models import GAN, AdversarialModel, StepContext, TopKGeneratorUpdate  # noqa: E402
from keras_gans.penalties import DriftPenalty, GradientPenalty, OrthogonalRegularization  # noqa: E402

__all__ = [
    "AdversarialModel",
    "GAN",
    "StepContext",
    "OrthogonalRegularization",
    "GradientPenalty",
    "DriftPenalty",
    "WeightClip",
    "SpectralNormalization",
    "InstanceNoise",
    "TopKGeneratorUpdate",
    "augment",
    "constraints",
    "data",
    "layers",
    "losses",
    "metrics",
    "networks",
    "penalties",
    "recipes",
    "runs",
    "sampling",
    "zoo",
]
