"""Run folders and zoo entries: where a trained model lives on disk, and how it is read back.

Every command that takes a RUN_DIR (`sample`, `eval`, `export`, `train --init`) takes a zoo name
too: a zoo entry is laid out like a finished run folder.

```
RUN_DIR/recipe.yaml             the resolved recipe (after --set overrides)
RUN_DIR/checkpoints/last.keras  the whole model after the last finite epoch (resume from here)
RUN_DIR/model.keras             the whole model (networks, averages, optimizers), when training ends
RUN_DIR/samples/epoch_NNNN.png  the model's picture per epoch
RUN_DIR/logs/                   TensorBoard logs (losses and the pictures)

ZOO/NAME/recipe.yaml            the recipe that trained it
ZOO/NAME/networks/SLOT.keras    each network and EMA network (no optimizer state): what inference
                                and fine-tuning need; loading builds the model from the recipe
ZOO/NAME/card.json, README.md, samples.png   the model card
```

Models are loaded with Keras' safe mode: no pickle, no lambda, no code from the file runs. This
module depends on `recipes` only; `zoo`, `training`, `metrics` and `serving` use it.
"""

import json
import os

from keras_gans import recipes
from keras_gans.errors import UserError
from keras_gans.utils.config_sizes import check_config_sizes, check_layer_weights
from keras_gans.utils.files import replacing

RECIPE_FILE = "recipe.yaml"
CHECKPOINT = os.path.join("checkpoints", "last.keras")
MODEL_FILE = "model.keras"
NETWORKS_DIR = "networks"
CARD_FILE = "card.json"
SAMPLES_FILE = "samples.png"
#: The version of the zoo entry layout; 2 holds networks only (1 held model.keras with optimizers).
ZOO_FORMAT = 2
#: Environment variable naming another zoo folder.
ZOO_ENV = "KERAS_GANS_ZOO"


# ---------------------------------------------------------------------- the zoo's folders


def zoo_dir():
    """The folder whose sub-folders are the zoo entries."""
    override = os.environ.get(ZOO_ENV)
    if override:
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "saved_models")


def zoo_entries():
    """{name: folder} of every folder in the zoo that has a card of kind "gan"."""
    root = zoo_dir()
    entries = {}
    if not os.path.isdir(root):
        return entries
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        card = read_card(folder, name, strict=False)
        if card is not None and card.get("kind", "gan") == "gan":
            entries[name] = folder
    return entries


def read_card(folder, name, strict=True):
    """The card of a zoo entry; None (not strict) or a one-line `UserError` if it is unusable."""
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


def is_zoo_name(name):
    """True if `name` is a zoo model (a bare name, not a path)."""
    return isinstance(name, str) and os.sep not in name and name in zoo_entries()


def zoo_entry_dir(name):
    """The folder of zoo model `name`, checked to be complete and of a format this version reads."""
    entries = zoo_entries()
    if name not in entries:
        valid = ", ".join(entries) or "none installed"
        raise UserError(f"unknown zoo model {name!r}: zoo models are {valid} (see keras-gans list)")
    folder = entries[name]
    info = read_card(folder, name)
    fmt = info.get("format")
    if not isinstance(fmt, int) or fmt > ZOO_FORMAT:
        made_by = info.get("keras_gans_version", "an unknown version")
        raise UserError(
            f"zoo model {name!r} was written by keras-gans {made_by} in zoo format {fmt!r}; this "
            f"keras-gans reads format {ZOO_FORMAT}: upgrade keras-gans"
        )
    if not os.path.isfile(os.path.join(folder, RECIPE_FILE)):
        raise UserError(f"zoo model {name!r} is incomplete: {RECIPE_FILE} is missing in {folder} (reinstall keras-gans)")
    if not (os.path.isdir(os.path.join(folder, NETWORKS_DIR)) or os.path.isfile(os.path.join(folder, MODEL_FILE))):
        raise UserError(f"zoo model {name!r} is incomplete: {NETWORKS_DIR}/ is missing in {folder} (reinstall keras-gans)")
    return folder


# ---------------------------------------------------------------------- run folders


def resolve(run_dir):
    """The folder of a run, or of a zoo model when `run_dir` is a zoo name and no such folder exists."""
    if os.path.isdir(run_dir):
        return run_dir
    if is_zoo_name(run_dir):
        return zoo_entry_dir(run_dir)
    known = ", ".join(zoo_entries()) or "none installed"
    raise UserError(
        f"run folder {run_dir!r} does not exist and no zoo model has that name (zoo models: {known}); "
        "train one with keras-gans train NAME --out DIR"
    )


def write_recipe(run_dir, recipe):
    """Writes `run_dir/recipe.yaml` atomically: a kill at any moment leaves the old or the new file."""
    import yaml

    with replacing(os.path.join(run_dir, RECIPE_FILE)) as tmp, open(tmp, "w") as f:
        yaml.safe_dump(recipe, f, sort_keys=False)
        f.flush()
        os.fsync(f.fileno())


def read_recipe(run_dir):
    """The validated recipe of a run folder or zoo model."""
    import yaml

    run_dir = resolve(run_dir)
    path = os.path.join(run_dir, RECIPE_FILE)
    if not os.path.isfile(path):
        raise UserError(f"{run_dir!r} is not a run folder: it has no {RECIPE_FILE} (train one with keras-gans train)")
    try:
        with open(path, "rb") as f:
            recipe = yaml.safe_load(f.read().decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        reason = " ".join(str(e).split())[:200]
        raise UserError(f"{path} is damaged ({type(e).__name__}: {reason}); restore it or train a new run") from None
    if not isinstance(recipe, dict):
        raise UserError(f"{path} is damaged (not a mapping of recipe sections); restore it or train a new run")
    try:
        return recipes.validate(recipe)
    except UserError as e:
        raise UserError(f"{path}: {e}") from None


def _check_file_sizes(path):
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        return  # not a readable .keras archive: keras' own loader reports it
    check_config_sizes(config, path)
    check_layer_weights(config, path)


def load_model(path):
    """Loads a saved model (`.keras`) in safe mode, with a one-line error if the file is unusable
    (damaged, foreign, or asking for absurd layer sizes)."""
    import keras

    import keras_gans

    keras_gans.register_all()  # the classes the file refers to

    if not os.path.isfile(path):
        raise UserError(f"no saved model at {path!r}")
    _check_file_sizes(path)
    try:
        model = keras.saving.load_model(path, safe_mode=True)
    except Exception as e:  # truncated zip, foreign file, incompatible version
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise UserError(f"cannot load {path!r} ({type(e).__name__}: {reason[:200]}); retrain or re-download it") from None
    if hasattr(model, "adopt_optimizer_step"):
        model.adopt_optimizer_step()
    return model


def save_networks(model, folder):
    """Writes each network and EMA network of `model` to `folder/networks/NAME.keras` (no optimizer
    state): what inference and fine-tuning need, a third of a whole model with Adam's state."""
    directory = os.path.join(folder, NETWORKS_DIR)
    os.makedirs(directory, exist_ok=True)
    for name, network in model.saved_networks().items():
        network.save(os.path.join(directory, f"{name}.keras"))
    return directory


def load_networks(folder, recipe):
    """The compiled model a `networks/` folder and its recipe describe: the slots' networks as
    saved, the recipe's compile section (fresh optimizers), and the saved EMA weights."""
    directory = os.path.join(folder, NETWORKS_DIR)
    names = sorted(f[: -len(".keras")] for f in os.listdir(directory) if f.endswith(".keras"))
    networks = {name: load_model(os.path.join(directory, f"{name}.keras")) for name in names}
    cls = recipes.model_class(recipe)
    missing = sorted(set(cls.network_slots) - set(networks))
    if missing:
        raise UserError(f"{directory!r} lacks {', '.join(m + '.keras' for m in missing)}; retrain or re-download it")
    model = recipes.build_model(recipe, networks={slot: networks[slot] for slot in cls.network_slots})
    recipes.compile_model(model, recipe)
    for name, network in networks.items():
        if name not in cls.network_slots:
            target = getattr(model, name, None)
            if target is None:
                raise UserError(f"{directory!r} has {name}.keras but the recipe's model has no {name}")
            target.set_weights(network.get_weights())
    return model


def load_run(run_dir):
    """(model, recipe) of a run folder or zoo model: its final model, its last checkpoint if
    training did not end, or its saved networks (a zoo entry)."""
    run_dir = resolve(run_dir)
    recipe = read_recipe(run_dir)
    for name in (MODEL_FILE, CHECKPOINT):
        path = os.path.join(run_dir, name)
        if os.path.isfile(path):
            return load_model(path), recipe
    if os.path.isdir(os.path.join(run_dir, NETWORKS_DIR)):
        return load_networks(run_dir, recipe), recipe
    raise UserError(f"run folder {run_dir!r} has no {MODEL_FILE} nor {CHECKPOINT}: train it first")


def load_pretrained(name_or_path):
    """The model a fine-tuning run starts from: a zoo model, a run folder or a `.keras` file."""
    if os.path.isfile(name_or_path):
        return load_model(name_or_path)
    return load_run(name_or_path)[0]
