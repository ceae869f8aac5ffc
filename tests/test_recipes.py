"""Recipes: every shipped recipe loads, builds, compiles and trains; schema errors name the fix."""

import copy
import inspect
import math
import os

import numpy as np
import pytest

import keras_gans
from keras_gans import recipes
from keras_gans.errors import UserError
from keras_gans.networks import builders

SHIPPED = list(recipes.list_recipes())

#: Small values for the size options the builders take (only those a builder accepts are used).
TINY = {"base_filters": 4, "units": [8], "code_dim": 8, "residual_blocks": 1}


def _shrink(recipe):
    """--set overrides that make the recipe's networks tiny (z of 8) and its batches of 8."""
    cls = recipes.model_class(recipe)
    sizes = [f"model.{size}=8" for size in ("latent_dim", "noise_dim") if size in cls.recipe_keys()][:1]
    overrides = [*sizes, "train.batch_size=8", "train.steps=1", "train.steps_per_epoch=1", "train.samples=4"]
    for slot, role in cls.network_slots.items():
        params = inspect.signature(builders(role)[recipe["model"][slot]["name"]]).parameters
        for option, value in TINY.items():
            if option in params:
                overrides.append(f"model.{slot}.{option}={value}")
    return overrides


def test_shipped_recipes():
    assert len(SHIPPED) >= 10
    assert sorted(SHIPPED) == sorted(f[: -len(".yaml")] for f in os.listdir(recipes.RECIPE_DIR) if f.endswith(".yaml"))
    for name in ("dcgan-mnist", "ring-gan", "grid-gan", "wgan-gp-mnist", "sngan-mnist", "ebgan-mnist"):
        assert name in SHIPPED
    descriptions = recipes.list_recipes()
    assert all(isinstance(d, str) and d.strip() for d in descriptions.values())


@pytest.mark.parametrize("name", SHIPPED)
def test_recipe_trains_one_step_by_name(name):
    recipe = recipes.load(name)
    assert set(recipe) == set(recipes.SECTIONS)
    assert set(recipe["train"]) == set(recipes.TRAIN_KEYS)
    recipe = recipes.apply_overrides(recipe, _shrink(recipe))
    assert recipe["train"]["batch_size"] == 8

    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    shape = recipes.data_shape(recipe)
    assert tuple(gan.generator.output_shape[1:]) == shape
    if not gan.translates:
        assert getattr(gan, "noise_dim", gan.latent_dim) == 8
    n_critic = getattr(gan, "n_critic", 1)
    assert n_critic == recipe["compile"].get("n_critic", 1)

    dataset = recipes.build_dataset(recipe)
    batch = next(iter(dataset))
    if gan.needs_labels:
        batch, labels = batch
        assert tuple(labels.shape) == (8,) and labels.dtype == "int32"
    into = {}
    if gan.translates and hasattr(gan, "domains"):  # (images, their domains): StarGAN, told a target domain
        sources, domains = batch
        batch, into = sources, {"domain": 1}
        assert tuple(domains.shape) == (8,) and domains.dtype == "int32"
    elif gan.translates:  # (sources, targets)
        sources, batch = batch
        assert tuple(sources.shape) == (8,) + recipes.source_shape(recipe)
    assert tuple(batch.shape) == (8,) + shape

    # Eagerly: 3x faster for one step than tracing the train step (the CLI tests train in graph mode).
    gan.run_eagerly = True
    history = gan.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    for key in ("d_loss", "g_loss"):
        value = history.history[key][-1]
        assert math.isfinite(value), (name, key, value)
    assert int(gan.g_optimizer.iterations.numpy()) == 1 == int(gan.step_counter.numpy())
    trains_d = getattr(gan, "adversarial_weight", 1.0) > 0  # vae-mnist: a VAE, D unused
    assert int(gan.d_optimizer.iterations.numpy()) == (n_critic if trains_d else 0)
    samples = gan.translate(sources[:3], **into) if gan.translates else gan.generate(3, seed=0)
    assert samples.shape == (3,) + shape and np.all(np.isfinite(samples))


def test_recipe_contents_are_what_their_names_say():
    assert recipes.data_shape(recipes.load("dcgan-mnist")) == (28, 28, 1)
    assert recipes.data_shape(recipes.load("ring-gan")) == (2,)
    assert recipes.data_shape(recipes.load("grid")) == (2,)
    wgan_gp = recipes.load("wgan-gp-mnist")["compile"]
    assert wgan_gp["loss"] == "wasserstein" and wgan_gp["n_critic"] == 5
    assert wgan_gp["penalties"][0]["name"] == "gradient_penalty"
    assert recipes.load("sngan-mnist")["model"]["discriminator"]["spectral_norm"] is True
    assert recipes.load("ebgan-mnist")["model"]["discriminator"]["name"] == "autoencoder"


def test_unknown_recipe_lists_valid_names():
    with pytest.raises(UserError) as info:
        recipes.load("dcgan-mnits")
    message = str(info.value)
    assert "'dcgan-mnits'" in message
    for name in SHIPPED:
        assert name in message
    assert "\n" not in message


def test_missing_recipe_file(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        recipes.load(str(tmp_path / "nope.yaml"))


def test_recipe_file_path_loads(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "description: my ring\n"
        "data: {name: ring}\n"
        "model: {latent_dim: 4, generator: {name: mlp, units: [8]}, discriminator: {name: mlp, units: [8]}}\n"
        "compile: {d_optimizer: {name: adam, learning_rate: 1e-4}}\n"
        "train: {batch_size: 8, steps: 3}\n"
    )
    recipe = recipes.load(str(path))
    assert recipe["description"] == "my ring"
    assert recipe["model"]["generator"] == {"name": "mlp", "units": [8]}
    # defaults filled in
    assert recipe["train"] == dict(recipes.TRAIN_KEYS, batch_size=8, steps=3)
    assert recipe["compile"] == {"d_optimizer": {"name": "adam", "learning_rate": 1e-4}}
    assert recipe["compile"]["d_optimizer"]["learning_rate"] == 1e-4
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    assert gan.generator.output_shape == (None, 2)
    assert float(gan.d_optimizer.learning_rate.numpy()) == pytest.approx(1e-4)


def test_invalid_yaml_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("data: {name: ring\nmodel: [\n")
    with pytest.raises(UserError, match="not valid YAML") as info:
        recipes.load(str(path))
    assert "\n" not in str(info.value)
    path.write_text("- just\n- a list\n")
    with pytest.raises(UserError, match="mapping"):
        recipes.load(str(path))


def _minimal():
    return {
        "data": {"name": "ring"},
        "model": {"generator": {"name": "mlp"}, "discriminator": {"name": "mlp"}},
    }


@pytest.mark.parametrize(
    "section, valid",
    [
        (None, recipes.SECTIONS),
        ("model", keras_gans.GAN.recipe_keys()),
        ("compile", keras_gans.GAN.compile_keys()),
        ("train", tuple(recipes.TRAIN_KEYS)),
    ],
)
def test_unknown_key_in_each_section_names_valid_keys(section, valid):
    recipe = _minimal()
    recipe.setdefault("compile", {})
    recipe.setdefault("train", {})
    (recipe if section is None else recipe[section])["bogus_key"] = 1
    with pytest.raises(UserError) as info:
        recipes.validate(recipe)
    message = str(info.value)
    assert "bogus_key" in message
    assert f"in {section or 'recipe'}" in message
    for key in valid:
        assert key in message
    # and through --set
    key = "bogus_key" if section is None else f"{section}.bogus_key"
    with pytest.raises(UserError) as info:
        recipes.apply_overrides(recipes.validate(_minimal()), [f"{key}=1"])
    for valid_key in valid:
        assert valid_key in str(info.value)


def test_validate_requires_sections_and_names():
    recipe = _minimal()
    del recipe["model"]
    with pytest.raises(UserError, match="'model'"):
        recipes.validate(recipe)
    recipe = _minimal()
    del recipe["model"]["discriminator"]["name"]
    with pytest.raises(UserError, match="model.discriminator needs a name"):
        recipes.validate(recipe)


@pytest.mark.parametrize("key", ["steps", "batch_size", "steps_per_epoch", "samples"])
@pytest.mark.parametrize("raw", ["0", "-3", "2.5", "many", "", "[4]", "true"])
def test_train_values_must_be_positive_ints(key, raw):
    with pytest.raises(UserError, match=f"train.{key} must be a positive integer"):
        recipes.apply_overrides(recipes.validate(_minimal()), [f"train.{key}={raw}"])


def test_train_values_accept_positive_ints():
    recipe = recipes.apply_overrides(recipes.validate(_minimal()), ["train.steps=1", "train.batch_size=3"])
    assert recipe["train"]["steps"] == 1 and recipe["train"]["batch_size"] == 3


def test_validate_does_not_mutate_input():
    recipe = _minimal()
    recipes.validate(recipe)
    assert recipe == _minimal()


def test_apply_overrides_parses_yaml_values():
    base = recipes.load("dcgan-mnist")
    before = copy.deepcopy(base)
    recipe = recipes.apply_overrides(
        base,
        [
            "train.steps=12",
            "compile.d_optimizer.learning_rate=1e-3",  # YAML 1.1 would read this as a string
            "compile.d_optimizer.beta_2=9.9E-1",
            "compile.g_optimizer.learning_rate=0.5",
            "model.generator.base_filters=8",
            "model.discriminator.units=[16, 8]",
            "compile.ema_decay=null",
            "compile.n_critic= 3",
            "description=hello world",
            "compile.penalties=[{name: gradient_penalty, weight: 1}]",
            "data.image_size=32",
        ],
    )
    assert recipe["train"]["steps"] == 12 and isinstance(recipe["train"]["steps"], int)
    assert recipe["compile"]["d_optimizer"]["learning_rate"] == 1e-3
    assert isinstance(recipe["compile"]["d_optimizer"]["learning_rate"], float)
    assert recipe["compile"]["d_optimizer"]["beta_2"] == 0.99
    assert recipe["compile"]["d_optimizer"]["beta_1"] == 0.5  # siblings kept
    assert recipe["compile"]["g_optimizer"]["learning_rate"] == 0.5
    assert recipe["model"]["generator"] == dict(before["model"]["generator"], base_filters=8)
    assert recipe["model"]["discriminator"]["units"] == [16, 8]
    assert "ema_decay" in recipe["compile"] and recipe["compile"]["ema_decay"] is None
    assert recipe["compile"]["n_critic"] == 3
    assert recipe["description"] == "hello world"
    assert recipe["compile"]["penalties"] == [{"name": "gradient_penalty", "weight": 1}]
    assert recipe["data"] == dict(before["data"], image_size=32)
    # the input recipe is untouched
    assert base == before


def test_apply_overrides_creates_nested_sections():
    recipe = recipes.validate(_minimal())
    assert "compile" in recipe and "d_optimizer" not in recipe["compile"]
    recipe = recipes.apply_overrides(recipe, ["compile.d_optimizer.learning_rate=0.01", "train.seed=7"])
    assert recipe["compile"]["d_optimizer"] == {"learning_rate": 0.01}
    assert recipe["train"]["seed"] == 7
    # a whole section replaced by a YAML mapping
    recipe = recipes.apply_overrides(recipe, ["data={folder: /some/where, image_size: 32}"])
    assert recipe["data"] == {"folder": "/some/where", "image_size": 32}


def test_apply_overrides_string_loss_becomes_mapping():
    recipe = recipes.load("ring-gan")
    assert recipe["compile"]["loss"] == "non_saturating"
    recipe = recipes.apply_overrides(recipe, ["compile.loss.label_smoothing=0.1"])
    assert recipe["compile"]["loss"] == {"name": "non_saturating", "label_smoothing": 0.1}
    recipe = recipes.apply_overrides(recipes.load("ring-gan"), ["compile.loss=least_squares", "compile.loss.a=-1",
                                                                 "compile.loss.b=1", "compile.loss.c=0"])
    assert recipe["compile"]["loss"] == {"name": "least_squares", "a": -1, "b": 1, "c": 0}
    loss = recipes.compile_args(recipe)["loss"]
    assert type(loss).__name__.lower().startswith("leastsquares")


@pytest.mark.parametrize(
    "assignment, match",
    [
        ("train.steps", "key=value"),
        ("train.steps:5", "key=value"),
        ("bogus.steps=5", "unknown key 'bogus'"),
        ("model.bogus=5", "unknown key 'model.bogus'"),
        ("train.steps.deeper=5", "train.steps is not a mapping"),
        ("model.generator.units=[8", r"--set 'model.generator.units=\[8': the value is not valid YAML"),
        ("model.generator={name: mlp", "not valid YAML"),
    ],
)
def test_bad_set_syntax(assignment, match):
    with pytest.raises(UserError, match=match) as info:
        recipes.apply_overrides(recipes.load("ring-gan"), [assignment])
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "overrides, match",
    [
        (["model.generator.filters=4"], r"unknown generator option\(s\) filters for 'dcgan': valid options are base_filters, kernel_size"),
        (["model.discriminator.units=[8]"], r"unknown discriminator option\(s\) units for 'dcgan'.*normalization_type"),
        (["model.generator.name=biggan"], r"unknown generator 'biggan'.*dcgan, mlp, progan, stylegan"),
        (["model.discriminator.normalization_type=weird"], "batch, layer, instance, none"),
    ],
)
def test_bad_network_option_lists_valid_options(overrides, match):
    recipe = recipes.apply_overrides(recipes.load("dcgan-mnist"), overrides)
    with pytest.raises(UserError, match=match):
        recipes.build_model(recipe)


@pytest.mark.parametrize(
    "overrides, match",
    [
        (["compile.loss=no_such_loss"], "no_such_loss"),
        (["compile.d_optimizer.name=no_such_optimizer"], "compile.d_optimizer"),
        (["compile.penalties=[{name: no_such_penalty}]"], "no_such_penalty"),
        (["compile.n_critic=0"], "n_critic"),
    ],
)
def test_bad_compile_values_are_user_errors(overrides, match):
    recipe = recipes.apply_overrides(recipes.load("ring-gan"), overrides + ["model.generator.units=[4]",
                                                                            "model.discriminator.units=[4]"])
    with pytest.raises(UserError, match=match):
        recipes.compile_model(recipes.build_model(recipe), recipe)


def test_image_size_that_dcgan_cannot_build_is_a_user_error():
    recipe = recipes.apply_overrides(recipes.load("dcgan-mnist"), ["data.image_size=30"])
    assert recipes.data_shape(recipe) == (30, 30, 1)
    with pytest.raises(UserError, match="DCGAN resolution must be 28 or 4 \\* 2\\^n.*got 30"):
        recipes.build_model(recipe)


def test_data_shape_of_image_configs():
    recipe = recipes.load("dcgan-mnist")
    assert recipes.data_shape(recipes.apply_overrides(recipe, ["data.channels=3", "data.image_size=32"])) == (32, 32, 3)
    assert recipes.data_shape(recipes.apply_overrides(recipe, ["data={folder: /x}"])) == (32, 32, 3)
    assert recipes.data_shape(recipes.apply_overrides(recipe, ["data={tfds: cifar10, image_size: 64}"])) == (64, 64, 3)


def test_missing_image_folder_is_a_user_error(tmp_path):
    recipe = recipes.apply_overrides(recipes.load("dcgan-mnist"), [f"data={{folder: {tmp_path / 'none'}}}"])
    with pytest.raises(UserError, match="does not exist"):
        recipes.build_dataset(recipe)
