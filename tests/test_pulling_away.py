"""EBGAN's pulling-away term: its value, its global-batch form under replicas, and EBGAN-PT training."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import penalties, recipes
from keras_gans.models import StepContext
from keras_gans.penalties import PullingAway, pulling_away_value

from model_helpers import built, labelled_batches


def brute_force(codes):
    units = codes / np.linalg.norm(codes, axis=1, keepdims=True)
    cosines = units @ units.T
    n = len(codes)
    return (np.sum(cosines**2) - n) / (n * (n - 1))


def test_pulling_away_value():
    assert float(pulling_away_value(tf.eye(4))) == pytest.approx(0.0, abs=1e-7)  # orthogonal codes
    assert float(pulling_away_value(tf.ones([5, 3]))) == pytest.approx(1.0, abs=1e-6)  # one code repeated
    codes = np.random.default_rng(0).normal(size=(9, 6)).astype("float32")
    assert float(pulling_away_value(codes.reshape(9, 2, 3))) == pytest.approx(brute_force(codes), rel=1e-5)


def test_pulling_away_of_two_replicas_is_the_global_batchs(mirrored_strategy):
    codes = np.random.default_rng(1).normal(size=(8, 5)).astype("float32")
    halves = mirrored_strategy.experimental_distribute_values_from_function(
        lambda ctx: tf.constant(codes[4 * ctx.replica_id_in_sync_group : 4 * ctx.replica_id_in_sync_group + 4]))
    values = mirrored_strategy.run(tf.function(pulling_away_value), args=(halves,))
    for value in mirrored_strategy.experimental_local_results(values):
        assert float(value) == pytest.approx(brute_force(codes), rel=1e-5)


def test_ebgan_with_the_pulling_away_term_trains_and_needs_the_code_head():
    recipe = recipes.apply_overrides(recipes.load("ebgan-mnist"), [
        "model.latent_dim=8", "model.generator.base_filters=4", "model.discriminator.base_filters=4",
        "model.discriminator.code_output=true", "compile.penalties=[{name: pulling_away, weight: 0.1}]",
        "train.batch_size=8"])
    model = built(recipe)
    assert isinstance(model.penalties[0], PullingAway) and model.penalties[0].player == "g"
    history = model.fit(labelled_batches(n=16), epochs=1, steps_per_epoch=2, verbose=0).history
    assert 0.0 < history["pulling_away"][-1] <= 1.0
    with pytest.raises(ValueError, match="code_output: true"):
        PullingAway().compute(StepContext(heads={"fake": tf.zeros([2])}))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(PullingAway(0.3)))
    assert restored.get_config() == PullingAway(0.3).get_config() and penalties.get("pulling_away").weight == 0.1
