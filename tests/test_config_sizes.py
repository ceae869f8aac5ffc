"""A saved model is refused before Keras allocates its weights when a layer's settings, each sane
alone, multiply to an absurd size; the estimate bounds every real network from above."""

import json
import zipfile

import keras
import pytest

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.errors import UserError
from keras_gans.utils.config_sizes import MAX_LAYER_WEIGHTS, _input_shapes, check_layer_weights, estimated_weights
from cli_helpers import assert_one_error_line
from model_helpers import crafted_dense_model


def _layer_configs(config):
    """(class_name, config, build_config) of every layer in a serialized model, nested ones too."""
    stack, found = [config], []
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("config"), dict) and isinstance(node.get("class_name"), str):
                found.append((node["class_name"], node["config"], node.get("build_config")))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


@pytest.mark.parametrize("name", ["dcgan-mnist", "sngan-mnist", "projection-mnist", "infogan-mnist",
                                  "acgan-mnist", "stylegan-mnist", "ebgan-mnist", "ring-gan"])
def test_the_estimate_bounds_every_layer_of_the_shipped_networks(name):
    model = recipes.build_model(recipes.load(name))
    for network in model.saved_networks().values():
        config = keras.saving.serialize_keras_object(network)
        check_layer_weights(config, name)  # the shipped networks pass
        estimates = {layer.get("name"): estimated_weights(cls, layer, _input_shapes(build) or [])
                     for cls, layer, build in _layer_configs(config)}
        for layer in network.layers:
            own = sum(w.shape.num_elements() for w in layer.weights)
            nested = sum(w.shape.num_elements() for sub in getattr(layer, "_layers", []) for w in sub.weights)
            assert estimates[layer.name] >= own - nested, (name, layer.name, estimates[layer.name], own)


def test_sane_settings_with_an_absurd_product_are_refused_before_allocating(tmp_path, capsys):
    def wide(layer):  # 60,000 units on a 60,000-wide input: each setting allowed, 14 GB together
        layer["config"]["units"] = 60_000
        layer["build_config"]["input_shape"] = [None, 60_000]

    path = crafted_dense_model(tmp_path, wide)
    assert_one_error_line(capsys, main(["export", path, "--out", str(tmp_path / "e")]),
                          "layer 'Dense d' would allocate about 3,600,060,000 weights", "refusing")
    assert not (tmp_path / "e").exists()


def test_a_layer_with_weights_but_no_recorded_input_shape_is_refused(tmp_path):
    path = crafted_dense_model(tmp_path, lambda layer: layer.pop("build_config"))
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
    with pytest.raises(UserError, match="'Dense d' has weights but no recorded input shape"):
        check_layer_weights(config, path)


def test_many_layers_are_bounded_together():
    dense = {"class_name": "Dense", "config": {"name": "d", "units": 8192, "kernel_initializer": {}},
             "build_config": {"input_shape": [None, 8192]}}  # 64M weights each: allowed alone
    assert estimated_weights("Dense", dense["config"], [[None, 8192]]) < MAX_LAYER_WEIGHTS
    check_layer_weights({"layers": [dense] * 15}, "model")
    with pytest.raises(UserError, match="in the file so far"):
        check_layer_weights({"layers": [dense] * 16}, "model")
