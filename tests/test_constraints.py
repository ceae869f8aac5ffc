"""Tests of the discriminator weight constraints."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import constraints
from keras_gans.constraints import WeightClip


def test_weight_clip_values():
    w = np.array([[-1.0, -0.01, -0.005], [0.0, 0.02, 3.0]], "float32")
    clipped = np.asarray(WeightClip(0.01)(w))
    expected = np.array([[-0.01, -0.01, -0.005], [0.0, 0.01, 0.01]], "float32")
    np.testing.assert_array_equal(clipped, expected)
    np.testing.assert_array_equal(np.asarray(WeightClip()(w)), clipped)  # default c = 0.01


def test_weight_clip_keeps_dtype_and_assigns_variables():
    v = keras.Variable(np.array([-2.0, 0.5, 2.0], "float16"))
    clipped = WeightClip(1.0)(v)
    assert keras.backend.standardize_dtype(clipped.dtype) == "float16"
    v.assign(clipped)
    np.testing.assert_array_equal(v.numpy(), np.array([-1.0, 0.5, 1.0], "float16"))


def test_weight_clip_in_xla_function():
    clip = WeightClip(0.5)
    f = tf.function(clip, jit_compile=True)
    np.testing.assert_array_equal(f(tf.constant([-1.0, 0.25, 1.0])).numpy(), [-0.5, 0.25, 0.5])


def test_weight_clip_rejects_non_positive_bound():
    with pytest.raises(ValueError, match="clip_value"):
        WeightClip(0.0)


def test_weight_clip_config_round_trip():
    clip = WeightClip(0.05)
    assert clip.get_config() == {"clip_value": 0.05}
    assert WeightClip.from_config(clip.get_config()).clip_value == 0.05
    config = keras.saving.serialize_keras_object(clip)
    assert config["registered_name"] == "keras_gans>WeightClip"
    restored = keras.saving.deserialize_keras_object(config)
    assert isinstance(restored, WeightClip) and restored.clip_value == 0.05
    # Also as a layer's kernel constraint, through a layer config.
    layer = keras.layers.Dense(2, kernel_constraint=clip)
    assert keras.layers.Dense.from_config(layer.get_config()).kernel_constraint.clip_value == 0.05


def test_get():
    clip = WeightClip(0.1)
    assert constraints.get(clip) is clip
    assert constraints.get("weight_clip").clip_value == 0.01
    assert constraints.get({"name": "weight_clip", "clip_value": 0.02}).clip_value == 0.02
    assert constraints.get(WeightClip).clip_value == 0.01
    assert constraints.get(keras.saving.serialize_keras_object(clip)).clip_value == 0.1
    assert constraints.deserialize(constraints.serialize(clip)).clip_value == 0.1
    max_norm = keras.constraints.MaxNorm(2.0)
    assert constraints.get(max_norm) is max_norm
    with pytest.raises(ValueError, match="weight_clip"):
        constraints.get("clip")
    with pytest.raises(ValueError, match="weight_clip"):
        constraints.get({"name": "max_norm"})
    with pytest.raises(ValueError):
        constraints.get(0.01)
