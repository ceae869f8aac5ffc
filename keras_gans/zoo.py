"""The model zoo: pretrained GANs shipped in `saved_models/`, loaded by name.

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
NAME/model.keras   the whole GAN: generator, EMA generator, discriminator, both optimizers' state
NAME/recipe.yaml   the recipe that trained it (NAME is the name of that shipped recipe)
NAME/card.json     machine-readable card: zoo format, versions, steps, wall time, metrics
NAME/README.md     the model card for people: recipe, training cost, metrics with their command
NAME/samples.png   a sample grid (or scatter plot) of the EMA generator
```

Models are loaded with Keras' safe mode: no pickle, no lambda, no code from the file runs. The
entries ship inside the installed package (`keras_gans/saved_models` is the repository's
`saved_models/`); `KERAS_GANS_ZOO=/path/to/folder` points the zoo at another folder of entries.
"""

import json
import os

from keras_gans.errors import UserError

#: The version of the entry layout above; bumped when it changes incompatibly.
ZOO_FORMAT = 1
#: Environment variable naming another zoo folder.
ZOO_ENV = "KERAS_GANS_ZOO"
MODEL_FILE = "model.keras"
RECIPE_FILE = "recipe.yaml"
CARD_FILE = "card.json"
SAMPLES_FILE = "samples.png"


def zoo_dir():
    """The folder whose sub-folders are the zoo entries."""
    override = os.environ.get(ZOO_ENV)
    if override:
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "saved_models")


def _entries():
    """{name: folder} of every folder in the zoo that has a card of kind "gan"."""
    root = zoo_dir()
    entries = {}
    if not os.path.isdir(root):
        return entries
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        card = _read_card(folder, name, strict=False)
        if card is not None and card.get("kind", "gan") == "gan":
            entries[name] = folder
    return entries


def _read_card(folder, name, strict=True):
    path = os.path.join(folder, CARD_FILE)
    if not os.path.isfile(path):
        if strict:
            raise UserError(f"zoo model {name!r} is incomplete: {path} is missing (reinstall keras-gans)")
        return None
    try:
        with open(path) as f:
            card = json.load(f)
        if not isinstance(card, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        if strict:
            raise UserError(f"zoo model {name!r} has an unreadable {CARD_FILE} ({e}); reinstall keras-gans") from None
        return {"kind": "gan", "description": f"(unreadable {CARD_FILE})"}
    return card


def list():  # noqa: A001  (the public name the zoo API promises: keras_gans.zoo.list())
    """{name: one-line description} of the pretrained GANs in the zoo, sorted by name."""
    return {name: _read_card(folder, name, strict=False).get("description", "")
            for name, folder in _entries().items()}


def names():
    """The zoo's model names, sorted."""
    return [name for name in _entries()]


def is_zoo_name(name):
    """True if `name` is a zoo model (a bare name, not a path)."""
    return isinstance(name, str) and os.sep not in name and name in _entries()


def card(name):
    """The machine-readable model card (dict) of zoo model `name`."""
    return _read_card(entry_dir(name), name)


def entry_dir(name):
    """The folder of zoo model `name`, checked to be complete and of a format this version reads.

    Raises a one-line `UserError` for an unknown name (listing the valid ones), a missing file or
    an entry written by a newer, incompatible keras-gans.
    """
    entries = _entries()
    if name not in entries:
        valid = ", ".join(entries) or "none installed"
        raise UserError(f"unknown zoo model {name!r}: zoo models are {valid} (see keras-gans list)")
    folder = entries[name]
    info = _read_card(folder, name)
    fmt = info.get("format")
    if not isinstance(fmt, int) or fmt > ZOO_FORMAT:
        made_by = info.get("keras_gans_version", "an unknown version")
        raise UserError(
            f"zoo model {name!r} was written by keras-gans {made_by} in zoo format {fmt!r}; this "
            f"keras-gans reads format {ZOO_FORMAT}: upgrade keras-gans"
        )
    for filename in (MODEL_FILE, RECIPE_FILE):
        if not os.path.isfile(os.path.join(folder, filename)):
            raise UserError(f"zoo model {name!r} is incomplete: {filename} is missing in {folder} (reinstall keras-gans)")
    return folder


def load(name):
    """A compiled, trainable `GAN` with zoo model `name`'s weights (G, EMA-G, D, optimizer state).

    Loaded with `keras.saving.load_model(..., safe_mode=True)`.
    """
    from keras_gans.training.run import load_gan

    return load_gan(os.path.join(entry_dir(name), MODEL_FILE))


def recipe(name):
    """The validated recipe that trained zoo model `name`."""
    from keras_gans.training.run import read_recipe

    return read_recipe(entry_dir(name))
