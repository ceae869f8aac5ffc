"""docs/architecture.md's worked example is real: the family in it trains by recipe, on 2 replicas as
on 1 device, saves / loads / resumes exactly, samples, evaluates and exports through the shared tools."""

import os
import re
import types

import numpy as np
import pytest
import tensorflow as tf
import yaml

import keras_gans
from keras_gans import recipes
from keras_gans.cli import main

from model_helpers import (assert_weights_close, one_and_two_replicas,
                           straight_and_resumed, weights)

DOC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "architecture.md")


@pytest.fixture(scope="module")
def example():
    """The module the doc's worked example defines (its family registered once per session)."""
    text = open(DOC).read().split("## Worked example", 1)[1]
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    module = types.ModuleType("architecture_example")
    if "tiny-acgan" not in keras_gans.models.MODEL_TYPES:
        exec(compile(code, DOC, "exec"), module.__dict__)
    else:  # registered by an earlier import in this process: take the registered class
        module.TinyACGAN = keras_gans.models.MODEL_TYPES["tiny-acgan"]
        module.recipe = None
    return module


def tiny_recipe(**train):
    return recipes.validate({
        "data": {"name": "mnist"},
        "model": {"type": "tiny-acgan", "latent_dim": 8, "generator": {"name": "tiny_conditional", "units": 16},
                  "discriminator": {"name": "tiny_two_heads", "units": 16}},
        "compile": {"class_weight": 1.0, "ema_decay": 0.9, "d_optimizer": {"name": "adam", "learning_rate": 0.01}},
        "train": {"batch_size": 8, "steps": 4, "steps_per_epoch": 2, "samples": 20, **train},
    })


def test_the_doc_recipe_validates_and_names_the_family(example):
    assert example.TinyACGAN.needs_labels and example.TinyACGAN.model_type == "tiny-acgan"
    assert "class_weight" in example.TinyACGAN.compile_keys()
    assert example.TinyACGAN.recipe_keys() == ("type", "generator", "discriminator", "latent_dim", "num_classes")
    if example.recipe is not None:
        assert example.recipe["model"]["type"] == "tiny-acgan"


def test_trains_by_recipe_through_the_cli_and_every_tool_takes_the_run(example, tmp_path, capsys):
    path = tmp_path / "tiny-acgan.yaml"
    path.write_text(yaml.safe_dump(tiny_recipe()))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "--out", run, "--quiet"]) == 0
    assert sorted(os.listdir(os.path.join(run, "samples"))) == ["epoch_0001.png", "epoch_0002.png"]
    assert os.path.isdir(os.path.join(run, "logs", "samples"))  # the pictures in TensorBoard too
    assert main(["sample", run, "--n", "20", "--out", str(tmp_path / "grid.png")]) == 0
    assert main(["sample", run, "--n", "6", "--out", str(tmp_path / "s.npy")]) == 0
    assert np.load(tmp_path / "s.npy").shape == (6, 28, 28, 1)
    assert main(["eval", run, "--metrics", "fid", "--n", "50", "--json"]) == 0
    assert '"fid"' in capsys.readouterr().out
    assert main(["export", run, "--out", str(tmp_path / "exported")]) == 0
    served = tf.saved_model.load(str(tmp_path / "exported" / "1"))
    images = served.signatures["serving_default"](z=tf.zeros([3, 8]), labels=tf.constant([0, 5, 9]))["images"]
    assert images.shape == (3, 28, 28, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="labels must be in"):
        served.signatures["serving_default"](z=tf.zeros([1, 8]), labels=tf.constant([10]))


def test_save_load_resume_continues_exactly(example, tmp_path):
    straight, loaded = straight_and_resumed(tiny_recipe(), tmp_path)
    assert isinstance(loaded, example.TinyACGAN) and loaded.class_weight == 1.0
    assert_weights_close(weights(loaded), weights(straight), atol=1e-6)
    assert_weights_close([v.numpy() for v in loaded.d_optimizer.variables],
                 [v.numpy() for v in straight.d_optimizer.variables], atol=1e-6)


def test_two_replicas_equal_one_device(example, mirrored_strategy):
    recipe = tiny_recipe()
    one, two = one_and_two_replicas(recipe, mirrored_strategy)
    assert_weights_close(weights(two), weights(one), atol=1e-5)
