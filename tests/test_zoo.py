"""The model zoo: shipped entries and their cards, keras_gans.zoo, zoo names in the CLI, bad entries."""

import json
import os
import shutil

import numpy as np
import pytest
import yaml

import keras_gans
from keras_gans import zoo
from keras_gans.cli import main
from keras_gans.errors import UserError
from keras_gans.metrics.mode_coverage import mode_coverage
from keras_gans.data import mixture_for
from keras_gans.models import GAN
from keras_gans.training.run import train

from cli_helpers import assert_one_error_line

SHIPPED = ("ring", "grid", "dcgan-mnist", "sngan-mnist", "cgan-mnist", "projection-mnist", "acgan-mnist",
           "infogan-mnist", "bigan-mnist", "vaegan-mnist", "sagan-mnist", "pix2pix-edges2digits",
           "srgan-mnist-x4", "cyclegan-mnist-inverted", "cogan-mnist-inverted", "stargan-mnist-styles", "progan-mnist",
           "stylegan-mnist")
CARD_KEYS = ("format", "kind", "name", "description", "recipe", "steps", "batch_size", "wall_seconds",
             "cpu_seconds", "eval_command", "metrics", "data_license", "keras_version", "model_bytes")


# ------------------------------------------------------------------------------- shipped entries


def test_shipped_zoo_lists_the_required_models():
    listed = keras_gans.zoo.list()
    for name in SHIPPED:
        assert name in listed, name
        assert listed[name]
    assert "mnist-classifier" not in listed  # a feature extractor, not a GAN


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_entry_has_a_complete_model_card(name):
    folder = zoo.entry_dir(name)
    card = zoo.card(name)
    for key in CARD_KEYS:
        assert key in card, key
    assert card["format"] == zoo.ZOO_FORMAT and card["kind"] == "gan" and card["name"] == name
    assert card["recipe"] == name  # zoo names are the recipe names that trained them
    networks = os.path.join(folder, zoo.NETWORKS_DIR)
    listed = sorted(f[: -len(".keras")] for f in os.listdir(networks))
    assert listed == card.get("networks", listed)  # cards of zoo format 1 conversions do not list them
    family = keras_gans.models.get_model_class(zoo.recipe(name)["model"].get("type", "gan"))
    averaged = set() if family.translates else {"ema_generator"}  # G's average: every z -> x model keeps one
    assert {*family.network_slots, *averaged} <= set(listed)
    assert not os.path.exists(os.path.join(folder, zoo.MODEL_FILE))  # no optimizer state in the zoo
    model_bytes = sum(os.path.getsize(os.path.join(networks, f)) for f in os.listdir(networks))
    assert model_bytes == card["model_bytes"] and model_bytes < 8 * 1024 * 1024
    assert os.path.getsize(os.path.join(folder, zoo.SAMPLES_FILE)) > 1000
    readme = open(os.path.join(folder, "README.md")).read()
    assert card["eval_command"] in readme and "![samples](samples.png)" in readme
    assert card["data_license"] in readme
    # The recipe stored with the model is the shipped recipe it is named after.
    assert zoo.recipe(name) == keras_gans.recipes.load(name)


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_entry_loads_compiled_with_its_networks(name):
    gan = zoo.load(name)
    assert isinstance(gan, keras_gans.AdversarialModel)
    assert type(gan) is keras_gans.models.get_model_class(zoo.recipe(name)["model"].get("type", "gan"))
    assert gan.compiled and int(gan.g_optimizer.iterations.numpy()) == 0  # fresh optimizers, built
    assert len(gan.d_optimizer.variables) > 1 and len(gan.g_optimizer.variables) > 1
    sampler = "generator" if gan.translates else "ema_generator"  # every z -> x recipe keeps an EMA generator
    saved = keras_gans.runs.load_model(os.path.join(zoo.entry_dir(name), zoo.NETWORKS_DIR, f"{sampler}.keras"))
    network = gan.generator if gan.translates else gan.sampler  # UNIT's sampler chains several networks
    for mine, theirs in zip(network.weights, saved.weights):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
    assert gan.get_compile_config()["loss"] is not None  # the recipe's compile section
    if gan.translates:
        sources = keras_gans.data.translation_examples(zoo.recipe(name)["data"], 4)[0]
        into = {"domain": 1} if hasattr(gan, "domains") else {}  # multi-domain models are told the target
        np.testing.assert_array_equal(gan.translate(sources, **into), gan.translate(sources, **into))
    else:
        np.testing.assert_array_equal(gan.generate(4, seed=3), gan.generate(4, seed=3))


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_card_mode_coverage_is_reproducible(name):
    """The numbers in a card are measured: `keras-gans eval NAME` gives them again."""
    gan, card = zoo.load(name), zoo.card(name)
    mixture = mixture_for(zoo.recipe(name)["data"])
    modes, hq = mode_coverage(gan.generate(2500, seed=0), mixture.centers, mixture.sigma)
    assert modes == card["metrics"]["modes"]
    assert hq == pytest.approx(card["metrics"]["hq"], abs=1e-6)


def test_cli_sample_and_list_accept_zoo_names(tmp_path, capsys):
    out = str(tmp_path / "ring.npy")
    assert main(["sample", "ring", "--n", "10", "--seed", "1", "--out", out]) == 0
    assert np.load(out).shape == (10, 2)
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    zoo_part = listing.split("Pretrained zoo models")[1]
    for name in SHIPPED:
        assert f"  {name} " in zoo_part


# ------------------------------------------------------------------------- a tiny zoo of our own


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """A 4-step ring run with tiny networks (EMA on), trained once for this module."""
    recipe = keras_gans.recipes.apply_overrides(keras_gans.recipes.load("ring"), [
        "model.generator.units=[8]", "model.discriminator.units=[8, 8]", "train.batch_size=8",
        "train.steps=4", "train.steps_per_epoch=2",
    ])
    out = str(tmp_path_factory.mktemp("tiny") / "run")
    train(recipe, out, verbose=0, log=lambda *a: None)
    return out


def make_entry(root, name, run_dir, legacy=False, **card):
    """A zoo entry of the run: its networks (format 2), or its whole model.keras (format 1)."""
    folder = os.path.join(root, name)
    os.makedirs(folder)
    if legacy:
        shutil.copyfile(os.path.join(run_dir, "model.keras"), os.path.join(folder, zoo.MODEL_FILE))
        card = {"format": 1, **card}
    else:
        keras_gans.runs.save_networks(keras_gans.runs.load_model(os.path.join(run_dir, "model.keras")), folder)
    shutil.copyfile(os.path.join(run_dir, "recipe.yaml"), os.path.join(folder, zoo.RECIPE_FILE))
    info = {"format": zoo.ZOO_FORMAT, "kind": "gan", "description": f"tiny {name}"}
    info.update(card)
    with open(os.path.join(folder, zoo.CARD_FILE), "w") as f:
        json.dump(info, f)
    return folder


@pytest.fixture
def tiny_zoo(tmp_path, monkeypatch, tiny_run):
    root = str(tmp_path / "zoo")
    make_entry(root, "tiny", tiny_run)
    monkeypatch.setenv(zoo.ZOO_ENV, root)
    return root


def test_env_var_points_the_zoo_elsewhere(tiny_zoo, tiny_run):
    assert zoo.list() == {"tiny": "tiny tiny"}
    gan = zoo.load("tiny")
    reference = keras_gans.runs.load_run(tiny_run)[0]

    def network_weights(model):  # not the step counter: a zoo entry starts fine-tuning at step 0
        return [w for network in model.saved_networks().values() for w in network.weights]

    assert len(network_weights(gan)) == len(gan.weights) - 1 and int(gan.step_counter.numpy()) == 0
    for mine, theirs in zip(network_weights(gan), network_weights(reference)):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_format_1_entry_with_a_whole_model_still_loads(tmp_path, monkeypatch, tiny_run):
    make_entry(str(tmp_path / "zoo"), "old", tiny_run, legacy=True)
    monkeypatch.setenv(zoo.ZOO_ENV, str(tmp_path / "zoo"))
    old, reference = zoo.load("old"), keras_gans.runs.load_run(tiny_run)[0]
    assert int(old.g_optimizer.iterations.numpy()) == 4  # format 1 kept the optimizers' state
    np.testing.assert_array_equal(old.generate(8, seed=0), reference.generate(8, seed=0))


def test_unknown_zoo_name_lists_the_valid_ones(tiny_zoo):
    with pytest.raises(UserError, match="unknown zoo model 'nope': zoo models are tiny"):
        zoo.load("nope")


def test_cli_commands_accept_a_zoo_name(tiny_zoo, tmp_path, capsys):
    assert main(["sample", "tiny", "--n", "5", "--out", str(tmp_path / "s.npy")]) == 0
    assert main(["eval", "tiny", "--json", "--n", "50"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["run"] == "tiny" and set(result["metrics"]) == {"modes", "hq"}
    assert main(["export", "tiny", "--out", str(tmp_path / "export")]) == 0
    assert os.path.isfile(tmp_path / "export" / "1" / "saved_model.pb")


def test_missing_run_or_zoo_name_is_one_line_error(tiny_zoo, capsys):
    code = main(["sample", "no-such-thing", "--out", "x.png"])
    assert_one_error_line(capsys, code, "does not exist and no zoo model has that name (zoo models: tiny)")


@pytest.mark.parametrize("damage, message", [
    ("no_model", "is incomplete: networks/ is missing"),
    ("no_recipe", "is incomplete: recipe.yaml is missing"),
    ("truncated", "cannot load"),
    ("newer_format", "upgrade keras-gans"),
    ("bad_card", "unreadable card.json"),
])
def test_damaged_zoo_entry_is_one_line_error(tmp_path, monkeypatch, tiny_run, capsys, damage, message):
    root = str(tmp_path / "zoo")
    folder = make_entry(root, "tiny", tiny_run)
    model = os.path.join(folder, zoo.NETWORKS_DIR, "generator.keras")
    if damage == "no_model":
        shutil.rmtree(os.path.join(folder, zoo.NETWORKS_DIR))
    elif damage == "no_recipe":
        os.remove(os.path.join(folder, zoo.RECIPE_FILE))
    elif damage == "truncated":
        data = open(model, "rb").read()
        open(model, "wb").write(data[: len(data) // 2])
    elif damage == "newer_format":
        json.dump({"format": zoo.ZOO_FORMAT + 1, "kind": "gan", "keras_gans_version": "9.0"},
                  open(os.path.join(folder, zoo.CARD_FILE), "w"))
    elif damage == "bad_card":
        open(os.path.join(folder, zoo.CARD_FILE), "w").write("{not json")
    monkeypatch.setenv(zoo.ZOO_ENV, root)
    with pytest.raises(UserError, match=message):
        zoo.load("tiny")
    assert_one_error_line(capsys, main(["sample", "tiny", "--out", str(tmp_path / "s.png")]), message)


def test_zoo_entry_is_a_run_folder_layout(tiny_zoo):
    """`recipe.yaml` of an entry is a valid recipe; the entry trains further like a run folder."""
    recipe = yaml.safe_load(open(os.path.join(tiny_zoo, "tiny", zoo.RECIPE_FILE)))
    assert keras_gans.recipes.validate(recipe)["train"]["steps"] == 4


def test_fine_tune_a_shipped_zoo_model_from_the_cli(tmp_path, capsys):
    out = str(tmp_path / "sevens")
    assert main(["train", "dcgan-mnist", "--init", "dcgan-mnist", "--freeze-d", "1", "--steps", "1",
                 "--set", "data.classes=[7]", "--set", "train.samples=4", "--quiet", "--out", out]) == 0
    assert "initialized from dcgan-mnist, first 1 discriminator block(s) frozen" in capsys.readouterr().out
    tuned, pretrained = keras_gans.runs.load_run(out)[0], zoo.load("dcgan-mnist")
    assert int(tuned.g_optimizer.iterations.numpy()) == 1
    first = tuned.discriminator.layers[1]  # the first conv: frozen, still the pretrained kernel
    assert not first.trainable
    np.testing.assert_array_equal(first.weights[0].numpy(), pretrained.discriminator.layers[1].weights[0].numpy())
