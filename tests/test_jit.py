"""jit_compile="auto" on a CPU: a long fit measures both ways at its start, restores the model's
state, trains with the faster; a run folder keeps the choice for --resume."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.cli import main
from keras_gans.models import jit
from keras_gans.networks import mlp_discriminator, mlp_generator
from model_helpers import weights


def tiny_gan(**compile_kwargs):
    keras.utils.set_random_seed(7)
    gan = keras_gans.GAN(mlp_generator(4, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)), seed=3)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2),
                ema_decay=0.9, **compile_kwargs)
    return gan


def points():
    data = np.random.default_rng(0).normal(size=(64, 2)).astype("float32")
    return tf.data.Dataset.from_tensor_slices(data).shuffle(64, seed=1).batch(16).repeat()


@pytest.fixture
def measured(monkeypatch):
    """Measures for real (state changed, then restored), but reports the given figures."""
    monkeypatch.setattr(jit, "MEASURE_MIN_STEPS", 0)
    monkeypatch.setattr(jit, "MEASURE_ROUNDS", 1)
    monkeypatch.setattr(jit, "MEASURE_ROUND_SECONDS", 0.0)
    measure = jit.measure_steps_per_second
    figures = {}

    def reported(model, batch):
        real = measure(model, batch)
        assert set(real) == {False, True} and all(rate > 0 for rate in real.values())
        return dict(figures)

    monkeypatch.setattr(jit, "measure_steps_per_second", reported)
    return figures


def test_a_measured_fit_trains_as_if_nothing_had_been_measured(measured):
    measured.update({False: 2.0, True: 1.0})
    gan = tiny_gan()
    assert gan.jit_compile is False and "measures both ways" in gan.jit_compile_reason
    gan.fit(points(), epochs=1, steps_per_epoch=3, verbose=0)
    assert gan.jit_measurement == {False: 2.0, True: 1.0} and gan.jit_compile is False
    assert gan.jit_compile_reason == ("XLA is off: measured at the start of training, 2.00 steps/s without it "
                                      "against 1.00 with")
    plain = tiny_gan(jit_compile=False)
    plain.fit(points(), epochs=1, steps_per_epoch=3, verbose=0)
    assert int(gan.step_counter.numpy()) == 3
    for a, b in zip(weights(gan.generator) + weights(gan.ema_generator) + weights(gan.discriminator),
                    weights(plain.generator) + weights(plain.ema_generator) + weights(plain.discriminator)):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(gan.g_optimizer.variables, plain.g_optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_the_faster_way_is_kept_and_only_measured_once(measured):
    measured.update({False: 1.0, True: 3.0})
    gan = tiny_gan()
    gan.fit(points(), epochs=1, steps_per_epoch=2, verbose=0)
    assert gan.jit_compile is True and gan.jit_compile_reason.startswith("XLA is on: measured")
    measured.update({False: 9.0, True: 1.0})  # a second fit does not measure again
    gan.fit(points(), epochs=1, steps_per_epoch=2, verbose=0)
    assert gan.jit_compile is True and gan.jit_measurement == {False: 1.0, True: 3.0}


def test_short_fits_and_forced_choices_do_not_measure(monkeypatch):
    def refuse(model, batch):
        raise AssertionError("measured")

    monkeypatch.setattr(jit, "measure_steps_per_second", refuse)
    gan = tiny_gan()
    gan.fit(points(), epochs=2, steps_per_epoch=jit.MEASURE_MIN_STEPS // 2 - 1, verbose=0, initial_epoch=0)
    assert gan.jit_compile is False and gan.jit_measurement is None
    monkeypatch.setattr(jit, "MEASURE_MIN_STEPS", 0)
    for forced in (True, False):
        tiny_gan(jit_compile=forced).fit(points(), epochs=1, steps_per_epoch=1, verbose=0)


def test_planned_steps_and_first_batch():
    finite = tf.data.Dataset.range(10).batch(2)
    assert jit.planned_steps(finite, epochs=3, initial_epoch=1, steps_per_epoch=None) == 10
    assert jit.planned_steps(finite.repeat(), 3, 0, None) is None
    assert jit.planned_steps(finite.repeat(), 3, 1, 7) == 14
    assert jit.planned_steps(finite.filter(lambda x: True), 3, 0, None) == 0  # unknown length: no measuring
    assert jit.planned_steps(np.zeros((100, 2)), 2, 0, None, batch_size=10) == 20
    assert jit.planned_steps((np.zeros((100, 2)), np.zeros(100)), 1, 0, None) == 4
    # A dataset's batch is made from its spec: reading it would draw its shuffle seeds.
    def shuffled():
        pairs = tf.data.Dataset.range(10).map(lambda i: (tf.cast(i, "float32") * tf.ones((3,)), i))
        return pairs.shuffle(10, seed=1).repeat().batch(2, drop_remainder=True)

    def order(dataset):
        return [b[1].numpy().tolist() for b in dataset.take(3)]

    read, made_from = shuffled(), shuffled()
    made = jit.first_batch(made_from)
    assert made[0].shape == (2, 3) and made[0].dtype == tf.float32 and made[1].numpy().tolist() == [0, 0]
    assert -1 <= float(tf.reduce_min(made[0])) < float(tf.reduce_max(made[0])) <= 1
    next(iter(read))
    assert order(read) != order(shuffled())
    assert order(made_from) == order(shuffled())
    assert jit.first_batch(finite).shape == (32,)  # a batch of unknown size: fit's default
    assert jit.first_batch(tf.data.Dataset.range(3)) is None  # scalars: not a batch
    assert jit.first_batch(np.arange(40), batch_size=None).shape == (32,)
    assert jit.first_batch((np.zeros((5, 2)), np.ones(5)), batch_size=4)[1].numpy().tolist() == [1, 1, 1, 1]


def test_a_run_measures_at_its_start_and_its_resume_keeps_the_choice(tmp_path, measured, capsys, monkeypatch):
    measured.update({False: 1.0, True: 3.0})
    out = str(tmp_path / "run")
    tiny = ["--batch-size", "8", "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]",
            "--set", "train.steps_per_epoch=2", "--out", out]
    assert main(["train", "ring-gan", "--steps", "2", *tiny]) == 0
    assert "XLA is on: measured at the start of training, 3.00 steps/s with it against 1.00 without" in (
        capsys.readouterr().out)
    with open(os.path.join(out, "jit_compile.json")) as f:
        assert json.load(f) == {"jit_compile": True, "reason": "XLA is on: measured at the start of training, "
                                "3.00 steps/s with it against 1.00 without",
                                "steps_per_second": {"xla": 3.0, "no_xla": 1.0},
                                "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS")}

    def refuse(model, batch):
        raise AssertionError("measured again")

    monkeypatch.setattr(jit, "measure_steps_per_second", refuse)
    assert main(["train", "ring-gan", "--resume", "--steps", "4", *tiny]) == 0
    assert f"with it against 1.00 without (kept from {out}/jit_compile.json)" in capsys.readouterr().out

    # Other CPU kernels than those it was measured with (oneDNN on or off): measured again.
    monkeypatch.setattr(jit, "measure_steps_per_second", lambda model, batch: {False: 5.0, True: 1.0})
    flipped = "0" if os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "1" else "1"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", flipped)
    assert main(["train", "ring-gan", "--resume", "--steps", "6", *tiny]) == 0
    assert "XLA is off: measured at the start of training, 5.00 steps/s without it" in capsys.readouterr().out
    with open(os.path.join(out, "jit_compile.json")) as f:
        assert json.load(f)["TF_ENABLE_ONEDNN_OPTS"] == flipped
