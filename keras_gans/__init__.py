"""keras-gans: generative adversarial networks for Keras 3 that train with `model.fit`.

```python
import keras, keras_gans
gan = keras_gans.GAN(generator, discriminator)
gan.compile(loss="hinge", penalties=[keras_gans.GradientPenalty(weight=10.0)])
gan.fit(dataset, epochs=10, steps_per_epoch=500)
```

The sub-packages and the names below are imported on first use (PEP 562), so that `import
keras_gans` and the commands that need no model (`keras-gans --help`, `keras-gans list`) do not
import TensorFlow. When Keras is already imported (`import keras, keras_gans`), the classes that
`.keras` files refer to are registered at once, so `keras.saving.load_model(path)` works; otherwise
call `keras_gans.register_all()` first (or load with `keras_gans.runs.load_model(path)`).
"""

import importlib
import sys

from keras_gans.utils.cpu_kernels import prefer_onednn

__version__ = "0.1.0"

#: What `keras_gans.utils.cpu_kernels.prefer_onednn` chose at import (before TensorFlow loads).
ONEDNN_CHOICE = prefer_onednn()

#: Public name -> the module that defines it.
_NAMES = {
    "AdversarialModel": "keras_gans.models",
    "GAN": "keras_gans.models",
    "ConditionalGAN": "keras_gans.models",
    "ACGAN": "keras_gans.models",
    "InfoGAN": "keras_gans.models",
    "BiGAN": "keras_gans.models",
    "BEGAN": "keras_gans.models",
    "VAEGAN": "keras_gans.models",
    "Pix2Pix": "keras_gans.models",
    "SRGAN": "keras_gans.models",
    "CycleGAN": "keras_gans.models",
    "ProgressiveGAN": "keras_gans.models",
    "TranslationModel": "keras_gans.models",
    "LatentModel": "keras_gans.models",
    "StepContext": "keras_gans.models",
    "TopKGeneratorUpdate": "keras_gans.models",
    "OrthogonalRegularization": "keras_gans.penalties",
    "PullingAway": "keras_gans.penalties",
    "GradientPenalty": "keras_gans.penalties",
    "DriftPenalty": "keras_gans.penalties",
    "WeightClip": "keras_gans.constraints",
    "SpectralNormalization": "keras_gans.layers",
    "SelfAttention2D": "keras_gans.layers",
    "InstanceNoise": "keras_gans.augment",
    "DiffAugment": "keras_gans.augment",
}
_SUBPACKAGES = ("augment", "constraints", "data", "layers", "losses", "metrics", "models", "networks", "penalties",
                "recipes", "runs", "sampling", "schedules", "serving", "training", "zoo")

__all__ = sorted(_NAMES) + list(_SUBPACKAGES)


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"keras_gans.{name}")
    else:
        raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))


def register_all():
    """Imports every module that registers classes with Keras serialization (models, layers, losses,
    penalties, transforms, constraints, samplers, schedules, metrics), so that `.keras` files naming
    them load (tests/test_cli.py checks that no module registers more)."""
    for name in ("models", "layers", "losses", "penalties", "augment", "constraints", "sampling", "schedules",
                 "metrics"):
        importlib.import_module(f"keras_gans.{name}")


if "keras" in sys.modules:  # Keras (and TensorFlow) are loaded anyway: register the classes now.
    register_all()
