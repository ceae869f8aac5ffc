"""The model zoo: pretrained models shipped in `saved_models/`, loaded by name.

```python
import keras_gans
keras_gans.zoo.list()                  # {"dcgan-mnist": "DCGAN on MNIST ...", ...}
gan = keras_gans.zoo.load("dcgan-mnist")
images = gan.generate(16, seed=0)      # the EMA generator
gan.fit(my_dataset, epochs=1, steps_per_epoch=100)   # compiled: fine-tune it
```

A zoo entry is a folder `saved_models/NAME/` laid out like a finished run folder (so every command
that takes a RUN_DIR takes a zoo name too), plus its model card:

```
NAME/networks/*.keras   each network and EMA network (no optimizer state)
NAME/recipe.yaml        the recipe that trained it (NAME is the name of that shipped recipe)
NAME/card.json          machine-readable card: zoo format, versions, steps, wall time, metrics
NAME/README.md          the model card for people: recipe, training cost, metrics with their command
NAME/samples.png        the model's picture (a sample grid or scatter plot of the EMA generator)
```

`load` builds the model from the recipe, puts the saved networks in it and compiles it with the
recipe's optimizers (fresh state): ready to sample, evaluate, export or fine-tune. Its step starts
at 0, so `fit` on it starts the recipe's schedules again (EMA warm-up, instance-noise annealing,
top-k decay), as a fine-tuning run from `--init` does. Networks are
loaded with Keras' safe mode: no pickle, no lambda, no code from the file runs. The entries ship
inside the installed package (`keras_gans/saved_models` is the repository's `saved_models/`);
`KERAS_GANS_ZOO=/path/to/folder` points the zoo at another folder of entries. The folder logic
lives in `keras_gans.runs`.
"""

from keras_gans import runs
from keras_gans.runs import CARD_FILE, NETWORKS_DIR, RECIPE_FILE, SAMPLES_FILE, ZOO_ENV, ZOO_FORMAT  # noqa: F401
from keras_gans.runs import is_zoo_name, zoo_dir  # noqa: F401

MODEL_FILE = runs.MODEL_FILE


def list():  # noqa: A001  (the public name the zoo API promises: keras_gans.zoo.list())
    """{name: one-line description} of the pretrained models in the zoo, sorted by name."""
    return {name: runs.read_card(folder, name, strict=False).get("description", "")
            for name, folder in runs.zoo_entries().items()}


def names():
    """The zoo's model names, sorted."""
    return [name for name in runs.zoo_entries()]


def card(name):
    """The machine-readable model card (dict) of zoo model `name`."""
    return runs.read_card(entry_dir(name), name)


def entry_dir(name):
    """The folder of zoo model `name`, checked to be complete and of a format this version reads.

    Raises a one-line `UserError` for an unknown name (listing the valid ones), a missing file or
    an entry written by a newer, incompatible keras-gans.
    """
    return runs.zoo_entry_dir(name)


def load(name):
    """A compiled, trainable model with zoo model `name`'s networks (and EMA networks)."""
    return runs.load_run(entry_dir(name))[0]


def recipe(name):
    """The validated recipe that trained zoo model `name`."""
    return runs.read_recipe(entry_dir(name))
