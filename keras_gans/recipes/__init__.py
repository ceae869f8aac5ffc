"""Recipes: one YAML file per trainable configuration, loaded, validated and built here.

A recipe has five sections:

```yaml
description: one line shown by `keras-gans list`
data: {name: mnist}                      # or {name: ring}, {tfds: cifar10, image_size: 32}, {folder: path}
model:
  type: gan                              # keras_gans.models.MODEL_TYPES (default gan)
  latent_dim: 100
  generator: {name: dcgan, base_filters: 64}        # keras_gans.networks.GENERATORS
  discriminator: {name: dcgan, base_filters: 64}    # keras_gans.networks.DISCRIMINATORS
  rejection: {gamma_percentile: 80}      # optional: discriminator rejection sampling in generate
compile:                                 # the arguments of GAN.compile
  loss: non_saturating                   # or {name: least_squares, a: -1, b: 1, c: 0}
  d_optimizer: {name: adam, learning_rate: 0.0002, beta_1: 0.5}
  g_optimizer: {name: adam, learning_rate: 0.0002, beta_1: 0.5}
  penalties: [{name: gradient_penalty, weight: 10, mode: two_sided}]
train: {batch_size: 64, steps: 3000, steps_per_epoch: 500, seed: 0}
```

The valid `model` and `compile` keys are those of the model type: its network slots and
`__init__` arguments, and its `compile` arguments (`keras_gans.models.AdversarialModel.recipe_keys`
and `compile_keys`). `data.labels: true` makes the dataset yield (samples, labels); families that
need labels (`needs_labels`) get them anyway.

`strategy: default|mirrored|multiworker|tpu` and `precision: float32|mixed_float16|mixed_bfloat16`
(top-level keys, see docs/distributed.md) choose the `tf.distribute` strategy and dtype policy.
`train.init` (a zoo name or run folder) starts from pretrained weights and `train.freeze_d: N`
freezes the first N discriminator blocks (FreezeD), see `keras_gans.training.finetune`.

A learning-rate schedule is a Keras serialized schedule, which needs its module:
`learning_rate: {module: keras.optimizers.schedules, class_name: CosineDecay, config: {...}}`.
"""

import copy
import os
import re

import yaml

from keras_gans.errors import UserError
from keras_gans.utils.config_sizes import check_config_sizes

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))

SECTIONS = ("description", "data", "model", "compile", "train", "strategy", "precision")
TRAIN_KEYS = {
    "batch_size": 64,
    "steps": 1000,
    "steps_per_epoch": 200,
    "seed": 0,
    "samples": 64,
    "init": None,
    "freeze_d": 0,
    "steps_per_execution": "auto",
}
DEFAULT_MODEL_TYPE = "gan"
#: Model keys that are sizes, with their smallest valid value.
MODEL_SIZES = {"latent_dim": 1, "noise_dim": 1, "num_classes": 2, "categories": 2, "continuous": 0}
#: The values of the top-level `strategy:` key (built by `keras_gans.training.strategy`).
STRATEGIES = ("default", "mirrored", "multiworker", "tpu")


def model_class(recipe):
    """The model class of a recipe's `model.type` (default "gan")."""
    from keras_gans.models import get_model_class

    section = recipe.get("model") if isinstance(recipe.get("model"), dict) else {}
    try:
        return get_model_class(section.get("type", DEFAULT_MODEL_TYPE))
    except ValueError as e:
        raise UserError(f"model.type: {e}") from None


class _Loader(yaml.SafeLoader):
    """`yaml.SafeLoader` that also reads `1e-4` (no dot) as a float, as YAML 1.2 does."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def list_recipes():
    """{name: description} of the recipes shipped with the package, sorted by name."""
    recipes = {}
    names = sorted(f[: -len(".yaml")] for f in os.listdir(RECIPE_DIR) if f.endswith(".yaml"))
    for name in names:
        recipes[name] = _read(os.path.join(RECIPE_DIR, name + ".yaml")).get("description", "")
    return recipes


def load(name_or_path):
    """A validated recipe dict from a shipped recipe name or a path to a YAML file."""
    if name_or_path.endswith((".yaml", ".yml")) or os.sep in name_or_path:
        if not os.path.isfile(name_or_path):
            raise UserError(f"recipe file {name_or_path!r} does not exist")
        recipe = _read(name_or_path)
    else:
        path = os.path.join(RECIPE_DIR, name_or_path + ".yaml")
        if not os.path.isfile(path):
            names = ", ".join(list_recipes())
            raise UserError(f"unknown recipe {name_or_path!r}: valid recipes are {names} (or a path to a .yaml file)")
        recipe = _read(path)
    return validate(recipe)


def _read(path):
    with open(path) as f:
        try:
            recipe = yaml.load(f, Loader=_Loader) or {}
        except yaml.YAMLError as e:
            raise UserError(f"recipe {path!r} is not valid YAML: {e}".replace("\n", " ")) from None
    if not isinstance(recipe, dict):
        raise UserError(f"recipe {path!r} must be a mapping of sections {', '.join(SECTIONS)}")
    return recipe


def validate(recipe):
    """Checks the sections and keys (unknown ones are errors that list the valid ones); fills defaults."""
    recipe = copy.deepcopy(recipe)
    _check_keys("recipe", recipe, SECTIONS)
    for section in ("data", "model"):
        if section not in recipe:
            raise UserError(f"recipe has no {section!r} section")
    _check_keys("model", recipe["model"], ())
    cls = model_class(recipe)
    _check_keys("model", recipe["model"], cls.recipe_keys())
    for key in cls.network_slots:
        if "name" not in (recipe["model"].get(key) or {}):
            raise UserError(f"model.{key} needs a name")
    recipe.setdefault("compile", {})
    _check_keys("compile", recipe["compile"], cls.compile_keys())
    train = dict(TRAIN_KEYS)
    train.update(recipe.get("train") or {})
    _check_keys("train", train, TRAIN_KEYS)
    for key in ("batch_size", "steps", "steps_per_epoch", "samples"):
        if not _is_int(train[key]) or train[key] < 1:
            raise UserError(f"train.{key} must be a positive integer, got {train[key]!r}")
    if not _is_int(train["seed"]) or train["seed"] < 0:
        raise UserError(f"train.seed must be a non-negative integer, got {train['seed']!r}")
    for key, least in MODEL_SIZES.items():
        value = recipe["model"].get(key)
        if value is not None and (not _is_int(value) or value < least):
            raise UserError(f"model.{key} must be an integer >= {least}, got {value!r}")
    if train["init"] is not None and (not isinstance(train["init"], str) or not train["init"]):
        raise UserError(f"train.init must be a zoo model name or a run folder, got {train['init']!r}")
    if not _is_int(train["freeze_d"]) or train["freeze_d"] < 0:
        raise UserError(f"train.freeze_d must be a non-negative integer, got {train['freeze_d']!r}")
    spe = train["steps_per_execution"]
    if spe != "auto" and (not _is_int(spe) or spe < 1):
        raise UserError(f'train.steps_per_execution must be "auto" or a positive integer, got {spe!r}')
    if train["freeze_d"] and train["init"] is None:
        raise UserError("train.freeze_d freezes pretrained discriminator blocks: it needs train.init (e.g. --init dcgan-mnist)")
    recipe["train"] = train
    recipe.setdefault("description", "")
    from keras_gans.models import PRECISIONS

    recipe.setdefault("strategy", "default")
    recipe.setdefault("precision", "float32")
    if recipe["strategy"] not in STRATEGIES:
        raise UserError(f"unknown strategy {recipe['strategy']!r}: valid strategies are {', '.join(STRATEGIES)}")
    if recipe["precision"] not in PRECISIONS:
        raise UserError(f"unknown precision {recipe['precision']!r}: valid precisions are {', '.join(PRECISIONS)}")
    data_shape(recipe)  # the data section's image format, checked before anything is built
    _check_data_fits_family(recipe, cls)
    check_config_sizes(recipe["model"], "the recipe's model section")
    return recipe


def _is_int(value):
    """An int that is not a bool (YAML's `true` is one to Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_keys(where, section, valid):
    if not isinstance(section, dict):
        raise UserError(f"{where} must be a mapping, got {section!r}")
    if not valid:
        return
    unknown = sorted(set(section) - set(valid))
    if unknown:
        raise UserError(f"unknown key {', '.join(unknown)} in {where}: valid keys are {', '.join(valid)}")


def apply_overrides(recipe, assignments):
    """Applies `--set key.path=value` strings (values parsed as YAML) and re-validates.

    Keys must exist in the recipe's schema: the fixed sections are checked here, the options of
    networks, losses and penalties by their builders.
    """
    recipe = copy.deepcopy(recipe)
    for assignment in assignments or ():
        if "=" not in assignment:
            raise UserError(f"--set takes key=value (e.g. train.steps=500), got {assignment!r}")
        key, raw = assignment.split("=", 1)
        try:
            value = yaml.load(raw, Loader=_Loader) if raw.strip() else None
        except yaml.YAMLError as e:
            reason = " ".join(str(e).split())
            raise UserError(f"--set {assignment!r}: the value is not valid YAML ({reason})") from None
        parts = key.strip().split(".")
        node = recipe
        for i, part in enumerate(parts[:-1]):
            child = node.get(part) if isinstance(node, dict) else None
            if child is None:
                if isinstance(node, dict) and part in _schema_at(parts[:i], recipe):
                    child = node[part] = {}
                else:
                    valid = ", ".join(_schema_at(parts[:i], recipe) or node)
                    raise UserError(f"unknown key {'.'.join(parts[: i + 1])!r}: valid keys are {valid}")
            elif isinstance(child, str) and i == len(parts) - 2:
                child = node[part] = {"name": child}
            if not isinstance(child, dict):
                raise UserError(f"cannot set {key!r}: {'.'.join(parts[: i + 1])} is not a mapping")
            node = child
        schema = _schema_at(parts[:-1], recipe)
        if schema and parts[-1] not in schema:
            raise UserError(f"unknown key {key!r}: valid keys are {', '.join(schema)}")
        node[parts[-1]] = value
    return validate(recipe)


def _schema_at(path, recipe):
    """The fixed keys of the section at `path` (empty where options are free-form)."""
    if not path:
        return SECTIONS
    if path == ["model"]:
        return model_class(recipe).recipe_keys()
    if path == ["compile"]:
        return model_class(recipe).compile_keys()
    if path == ["train"]:
        return tuple(TRAIN_KEYS)
    return ()


def data_shape(recipe):
    """The shape of one sample (no batch axis) the generator must produce for the recipe's data."""
    from keras_gans.data import sample_shape

    try:
        return sample_shape(recipe["data"])
    except ValueError as e:
        raise UserError(str(e)) from None


def source_shape(recipe):
    """The shape of one source image of translation data (None for other data)."""
    from keras_gans.data import data_config

    try:
        return data_config.source_shape(recipe["data"]) if data_config.is_translation(recipe["data"]) else None
    except ValueError as e:
        raise UserError(str(e)) from None


def _check_data_fits_family(recipe, cls):
    """Translation families train on (source, target) data, the others on samples alone."""
    from keras_gans.data import data_config

    translates, translation_data = getattr(cls, "translates", False), data_config.is_translation(recipe["data"])
    if translates and not translation_data:
        raise UserError(f"model.type {recipe['model'].get('type')!r} translates images: its data must be a "
                        "translation config, e.g. {translation: edges2digits} or {pairs: [config_a, config_b]}")
    if translation_data and not translates:
        raise UserError(f"the data are (source, target) pairs for translation families (e.g. model.type pix2pix), "
                        f"but model.type is {recipe['model'].get('type', DEFAULT_MODEL_TYPE)!r}")


def build_model(recipe, strategy=None, networks=None):
    """The recipe's uncompiled model (its `model.type`), its networks built under the recipe's
    `precision` policy and in `strategy`'s scope if given. `networks` ({slot: network}) replaces
    the recipe's builders for those slots (a zoo entry's saved networks)."""
    import contextlib

    from keras_gans.models import precision_scope

    cls = model_class(recipe)
    scope = strategy.scope() if strategy is not None else contextlib.nullcontext()
    with scope, precision_scope(recipe.get("precision", "float32")):
        try:
            return cls.from_recipe(recipe["model"], data_shape(recipe), seed=recipe["train"]["seed"],
                                   networks=networks, source_shape=source_shape(recipe))
        except (ValueError, TypeError) as e:
            raise UserError(str(e)) from None


def compile_args(recipe):
    """The recipe's `compile` section as the model's `compile` keyword arguments (objects built)."""
    from keras_gans import constraints, losses, penalties

    args = copy.deepcopy(recipe["compile"])
    for player in model_class(recipe).players:
        key = f"{player}_optimizer"
        spec = args.get(key, {"name": "adam", "learning_rate": 2e-4, "beta_1": 0.5})
        args[key] = _optimizer(spec, key)
    try:
        if "loss" in args:
            args["loss"] = losses.get(args["loss"])
        if "penalties" in args:
            args["penalties"] = [penalties.get(p) for p in args["penalties"] or ()]
        if "constraints" in args:
            args["constraints"] = [constraints.get(c) for c in args["constraints"] or ()]
    except (ValueError, TypeError) as e:
        raise UserError(str(e)) from None
    return args


def _optimizer(spec, key):
    import keras

    import keras_gans.schedules  # noqa: F401  (registers the schedules a learning_rate may name)

    if isinstance(spec, str):
        spec = {"name": spec}
    spec = dict(spec)
    name = spec.pop("name", "adam")
    try:
        return keras.optimizers.get({"class_name": name, "config": spec})
    except (ValueError, TypeError) as e:
        raise UserError(f"compile.{key}: {e}".replace("\n", " ")) from None


def compile_model(model, recipe, jit_compile=None):
    """Compiles `model` with the recipe's `compile` section."""
    args = compile_args(recipe)
    args["precision"] = recipe.get("precision", "float32")
    if jit_compile is not None:
        args["jit_compile"] = jit_compile
    unknown = set(args) - set(type(model).compile_keys()) - {"precision", "jit_compile"}
    if unknown:
        raise UserError(f"unknown compile option(s) {', '.join(sorted(unknown))}")
    try:
        model.compile(**args)
    except (ValueError, TypeError) as e:
        raise UserError(str(e)) from None
    return model


def check_batch_memory(batch_size, sample_shape, share=8):
    """Refuses a batch whose data alone (float32) would take more than 1/`share` of this
    machine's memory: training needs many times that for the activations."""
    import math

    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return
    needed = batch_size * math.prod(sample_shape) * 4
    if needed * share > memory:
        most = max(1, memory // share // (math.prod(sample_shape) * 4))
        raise UserError(f"train.batch_size {batch_size} needs {needed / 2**30:.1f} GiB for one batch of data alone; "
                        f"this machine has {memory / 2**30:.1f} GiB: use a batch of at most {most}")


def build_dataset(recipe, with_labels=None):
    """The recipe's training dataset, shaped for its model; with labels when the model type needs
    them or the data section says `labels: true` (or `with_labels` is given)."""
    from keras_gans.data import make_dataset

    if with_labels is None:
        with_labels = model_class(recipe).needs_labels
    check_batch_memory(recipe["train"]["batch_size"], data_shape(recipe))
    try:
        return make_dataset(
            recipe["data"],
            recipe["train"]["batch_size"],
            image_shape=data_shape(recipe),
            seed=recipe["train"]["seed"],
            with_labels=with_labels,
        )
    except (ValueError, FileNotFoundError) as e:
        raise UserError(str(e)) from None

