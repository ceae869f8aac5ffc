"""UNIT (CoGAN's weight sharing as a translator): the shared layers are one set of variables that both
domains train, the KL and the step's losses, exact resume, replicas, both directions in translate /
eval / export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.data import translation
from keras_gans.losses.variational import gaussian_kl_divergence
from keras_gans.metrics.translation import evaluate_translation
from keras_gans.models import UNIT
from keras_gans.models.pix2pix import l1_distance
from keras_gans.models.unit import PAPER_WEIGHTS, unit_kl
from keras_gans.networks import build_network
from keras_gans.serving import export_gan
from keras_gans.utils.images import from_uint8

from model_helpers import assert_weights_close, built, weights

PARTS = ("encoder", "inverse_encoder", "shared_encoder", "shared_generator", "generator", "inverse_generator")


def tiny(*overrides):
    """cogan-mnist-inverted with 4-filter networks (latent maps 7x7x16) and batches of 4."""
    small = [f"model.{slot}.base_filters=4" for slot in
             ("encoder", "inverse_encoder", "discriminator", "inverse_discriminator")]
    return recipes.apply_overrides(recipes.load("cogan-mnist-inverted"), [*small, "train.batch_size=4", *overrides])


def eager(model):
    """`model` set to train eagerly: for these few steps of tiny networks, 2x faster than tracing
    the step (the CLI tests and the shipped recipe train it as a graph)."""
    model.run_eagerly = True
    return model


def domains(n=16, batch=4):
    """Unpaired batches (digits, inverted digits) of the training halves, in [-1, 1]."""
    a, b, _ = translation.task_examples("mnist-inverted")
    scale = lambda x: x[:n].astype("float32") / 127.5 - 1.0  # noqa: E731
    return tf.data.Dataset.from_tensor_slices((scale(a), scale(b))).batch(batch)


def ids(variables):
    return [id(v) for v in variables]


def test_the_shared_layers_are_one_set_of_variables_that_both_domains_train(tmp_path):
    model = built(tiny())
    assert model.shared_encoder.output_shape == model.shared_generator.output_shape == (None, 7, 7, 16)
    every = ids(model.trainable_variables)
    assert len(every) == len(set(every))  # each variable once
    g = ids(model.player_variables("g"))
    assert len(g) == len(set(g)) and set(ids(model.shared_encoder.trainable_variables)) <= set(g)
    assert not set(g) & set(ids(model.player_variables("d")))
    a2b, b2a = model.translator("a2b"), model.translator("b2a")
    shared = set(ids(model.shared_encoder.weights + model.shared_generator.weights))
    assert shared <= set(ids(a2b.weights)) & set(ids(b2a.weights))  # both directions call the same layers
    assert not set(ids(model.encoder.weights)) & set(ids(b2a.weights))

    a, b = next(iter(domains(n=4)))
    for encoder, images in ((model.encoder, a), (model.inverse_encoder, b)):  # either domain alone reaches them
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model.encode(encoder, images)))
        grads = tape.gradient(loss, model.shared_encoder.trainable_variables)
        assert all(grad is not None and float(tf.reduce_max(tf.abs(grad))) > 0 for grad in grads)
    z = tf.random.stateless_normal((4, 7, 7, 16), seed=[1, 2])
    for generator in (model.generator, model.inverse_generator):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(generator(model.shared_generator(z, training=True), training=True))
        grads = tape.gradient(loss, model.shared_generator.trainable_variables)
        assert all(grad is not None and float(tf.reduce_max(tf.abs(grad))) > 0 for grad in grads)

    model.save(tmp_path / "m.keras")  # still one set after loading
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert len(loaded.weights) == len(model.weights)
    loaded_shared = set(ids(loaded.shared_encoder.weights))
    assert loaded_shared <= set(ids(loaded.translator("a2b").weights)) & set(ids(loaded.translator("b2a").weights))


def test_unit_kl_on_fixed_tensors():
    mean = tf.constant([[1.0, 2.0, 0.0, -2.0], [0.0, 0.0, 0.0, 0.0]])[:, None, :, None]  # (2, 1, 4, 1) latent maps
    assert float(unit_kl(mean)) == pytest.approx((0.5 * 9 / 4 + 0) / 2)  # 0.5 mean(mu^2), per dimension
    flat = tf.reshape(mean, (2, 4))
    assert float(unit_kl(mean)) == pytest.approx(float(tf.reduce_mean(gaussian_kl_divergence(flat, 0 * flat))) / 4)


def test_one_step_logs_the_papers_terms_and_trains_every_network():
    model = built(tiny())
    assert {name: getattr(model, name) for name in PAPER_WEIGHTS} == PAPER_WEIGHTS  # the recipe's are the paper's
    a, b = next(iter(domains(n=4)))
    # The terms the first step logs, recomputed from the networks before it with the step's noise.
    means = model.encode(model.encoder, a), model.encode(model.inverse_encoder, b)
    noise = model.noise("latent", tf.shape(means[0]))
    shared = model.shared_generator(tf.concat(means, 0) + noise, training=True)
    expected_kl = float(unit_kl(means[0]) + unit_kl(means[1]))
    expected_reconstruction = float(l1_distance(a, model.inverse_generator(shared[:4], training=True))
                                    + l1_distance(b, model.generator(shared[4:], training=True)))
    before = {slot: weights(getattr(model, slot)) for slot in model.network_slots}
    model.fit(domains(n=4), epochs=1, steps_per_epoch=1, verbose=0)
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert logs["kl"] == pytest.approx(expected_kl, rel=1e-4)
    assert logs["reconstruction"] == pytest.approx(expected_reconstruction, rel=1e-4)
    assert all(np.isfinite(v) and v > 0 for v in logs.values()), logs
    for slot in model.network_slots:
        assert any(np.abs(x - y).max() > 1e-7 for x, y in zip(weights(getattr(model, slot)), before[slot])), slot
    assert int(model.g_optimizer.iterations.numpy()) == int(model.d_optimizer.iterations.numpy()) == 1
    with pytest.raises(ValueError, match="relativistic losses"):
        model.compile(loss="relativistic_average")
    with pytest.raises(ValueError, match="cycle_weight must be >= 0"):
        model.compile(cycle_weight=-1)


def test_trains_saves_and_continues_exactly(tmp_path):
    recipe = tiny("compile.ema_decay=0.9")
    straight = eager(built(recipe))
    straight.fit(domains(), epochs=1, steps_per_epoch=4, verbose=0)
    first = eager(built(recipe))
    first.fit(domains().take(2), epochs=1, steps_per_epoch=2, verbose=0)
    first.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert type(loaded) is UNIT and int(loaded.step_counter.numpy()) == 2
    assert all(getattr(loaded, f"ema_{slot}") is not None for slot in PARTS)
    eager(loaded).fit(domains().skip(2), epochs=1, steps_per_epoch=2, verbose=0)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one = eager(built(tiny()))
    one.fit(domains(), epochs=1, steps_per_epoch=2, verbose=0)
    two = eager(built(tiny(), mirrored_strategy))
    two.fit(domains(), epochs=1, steps_per_epoch=2, verbose=0)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_both_directions_translate_evaluate_and_export(tmp_path):
    model = built(tiny("compile.ema_decay=0.9"))
    digits = translation.task_examples("mnist-inverted", "test")[0][:3]
    images = tf.constant(from_uint8(digits))
    forward, backward = model.translate(digits), model.translate(digits, direction="b2a")
    assert forward.shape == backward.shape == (3, 28, 28, 1) and not np.allclose(forward, backward)
    x = images  # translating decodes the mean of the (EMA) encoder: G_2(E_1(a)) of the averaged parts
    for slot in ("encoder", "shared_encoder", "shared_generator", "generator"):
        x = getattr(model, f"ema_{slot}")(x, training=False)
    np.testing.assert_allclose(forward, x.numpy(), atol=1e-5)

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e"), direction="b2a"))
    np.testing.assert_allclose(served.signatures["serving_default"](images=images)["images"], backward, atol=1e-5)
    uint8 = served.signatures["translate_uint8"](images=tf.constant(digits))["images"].numpy()
    assert uint8.dtype == np.uint8 and uint8.shape == (3, 28, 28, 1)
    assert {"accuracy", "accuracy_b2a", "cycle_l1"} <= set(evaluate_translation(model, {"translation": "mnist-inverted"},
                                                                               n=8))
    with pytest.raises(ValueError, match="direction\\(s\\) a2b, b2a, not 'c2d'"):
        model.translate(digits, direction="c2d")


def test_encoders_must_share_a_feature_shape_and_builders_check_sizes():
    recipe = tiny("model.inverse_encoder.base_filters=8")
    with pytest.raises(ValueError, match="features of one shape"):
        recipes.build_model(recipe)
    with pytest.raises(ValueError, match="divisible by 2\\^3"):
        build_network("unit_encoder", {"name": "unit", "downsamplings": 3}, input_shape=(28, 28, 1))
    with pytest.raises(ValueError, match="powers of 2"):
        build_network("unit_generator", {"name": "unit"}, input_shape=(7, 7, 8), output_shape=(21, 21, 1))
