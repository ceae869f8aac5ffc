"""CycleGAN: the image pool, the learning-rate decay, the players of one step, exact resume (pools
included), replicas, both directions in translate / eval / export."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.data import translation
from keras_gans.errors import UserError
from keras_gans.metrics.translation import evaluate_translation
from keras_gans.models import CycleGAN, ImagePool
from keras_gans.networks import resnet_generator
from keras_gans.schedules import LinearDecay
from keras_gans.serving import export_gan

from model_helpers import assert_weights_close, built, one_device_reference, straight_and_resumed, weights


def tiny(*overrides):
    """cyclegan-mnist-inverted with 4-filter networks, one residual block, pools of 6 and batches of 4."""
    small = [f"model.{slot}.base_filters=4" for slot in
             ("generator", "inverse_generator", "discriminator", "inverse_discriminator")]
    return recipes.apply_overrides(recipes.load("cyclegan-mnist-inverted"), [
        *small, "model.generator.residual_blocks=1", "model.inverse_generator.residual_blocks=1",
        "compile.pool_size=6", "train.batch_size=4", *overrides])


def domains(n=16, batch=4):
    """Unpaired batches (digits, inverted digits) of the training halves, in [-1, 1]."""
    a, b, _ = translation.task_examples("mnist-inverted")
    scale = lambda x: x[:n].astype("float32") / 127.5 - 1.0  # noqa: E731
    return tf.data.Dataset.from_tensor_slices((scale(a), scale(b))).batch(batch)


def images(values):
    """A batch of 2x2 one-channel images, each filled with one of `values`."""
    return tf.constant(np.asarray(values, "float32")[:, None, None, None] * np.ones((1, 2, 2, 1), "float32"))


@pytest.mark.parametrize("mode", ["eager", "graph", "xla"])
def test_image_pool_fills_then_swaps_half_the_time(mode):
    pool = ImagePool(4, (2, 2, 1))
    call = pool if mode == "eager" else tf.function(pool.__call__, jit_compile=mode == "xla", reduce_retracing=True)
    key = tf.constant([1, 2], tf.int32)
    first = call(images([1, 2, 3]), key)
    np.testing.assert_array_equal(first, images([1, 2, 3]))  # filling: each image is returned and stored
    assert int(pool.count.numpy()) == 3
    second = call(images([4, 5]), key).numpy()[:, 0, 0, 0]
    assert second[0] == 4 and int(pool.count.numpy()) == 4  # the 4th fills the pool
    assert second[1] == 5 or second[1] in {1, 2, 3, 4}  # full: the 5th is returned, or a stored one instead
    stored = set(pool.images.numpy()[:, 0, 0, 0])
    returned = []
    for step in range(120):  # full: half the images come back from the pool, their slot taking the new one
        new = 100.0 + step
        out = float(call(images([new]), tf.constant([3, step], tf.int32))[0, 0, 0, 0])
        now = set(pool.images.numpy()[:, 0, 0, 0])
        if out == new:
            assert now == stored  # returned as is, not stored
        else:
            assert out in stored and now == stored - {out} | {new}  # a stored one returned, the new one in its slot
            returned.append(step)
        stored = now
    assert 0.35 < len(returned) / 120 < 0.65
    with pytest.raises(ValueError, match="pool size must be an integer >= 0"):
        ImagePool(-1, (2, 2, 1))
    np.testing.assert_array_equal(ImagePool(0, (2, 2, 1))(images([7]), key), images([7]))


def test_image_pool_on_two_replicas_pools_the_global_batch(mirrored_strategy):
    one = ImagePool(3, (2, 2, 1))
    with mirrored_strategy.scope():
        two = ImagePool(3, (2, 2, 1))
    for i in range(4):
        batch, key = np.arange(4, dtype="float32") + 10 * i, tf.constant([5, i], tf.int32)
        expected = one(images(batch), key).numpy()
        halves = mirrored_strategy.experimental_distribute_values_from_function(
            lambda ctx: images(batch[2 * ctx.replica_id_in_sync_group: 2 * ctx.replica_id_in_sync_group + 2]))
        got = mirrored_strategy.run(lambda x: two(x, key), args=(halves,))
        np.testing.assert_array_equal(np.concatenate([t.numpy() for t in got.values]), expected)


def test_image_pool_under_xla_is_one_program_for_every_key():
    """The key is an input of the compiled pool, not a constant of it: XLA made it one when a
    stored image was picked by `images[slot]` (a strided slice), and compiled CycleGAN's step
    again at every step."""
    pool = ImagePool(4, (2, 2, 1))
    compiled = tf.function(pool.__call__, jit_compile=True)
    programs = {compiled.experimental_get_compiler_ir(images([1.0]), tf.constant([3, step], tf.int32))(stage="hlo")
                for step in (1, 2)}
    assert len(programs) == 1


def test_linear_decay_holds_then_falls_to_zero():
    schedule = LinearDecay(2e-4, hold_steps=10, decay_steps=10)
    assert [float(schedule(t)) for t in (0, 10, 15, 20, 30)] == pytest.approx([2e-4, 2e-4, 1e-4, 0, 0])
    assert LinearDecay.from_config(schedule.get_config()).hold_steps == 10
    with pytest.raises(ValueError, match="decay_steps >= 1"):
        LinearDecay(1e-3, 0, 0)


def test_resnet_generator_shape():
    assert resnet_generator(base_filters=4, residual_blocks=1).output_shape == (None, 28, 28, 1)
    with pytest.raises(ValueError, match="divisible by 2\\^2"):
        resnet_generator((30, 30, 1), (30, 30, 1))


def test_one_step_trains_four_networks_and_fills_the_pools():
    model = built(tiny())
    assert isinstance(model.d_optimizer._learning_rate, LinearDecay)  # the recipe's schedule
    slots = ("generator", "inverse_generator", "discriminator", "inverse_discriminator")
    before = {slot: weights(getattr(model, slot)) for slot in slots}
    model.fit(domains(n=4), epochs=1, steps_per_epoch=1, verbose=0)
    for slot in slots:
        assert any(np.abs(a - b).max() > 1e-7 for a, b in zip(weights(getattr(model, slot)), before[slot])), slot
    assert int(model.pool.count.numpy()) == 4 and int(model.inverse_pool.count.numpy()) == 4
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert logs["cycle"] > 0 and logs["identity"] > 0
    with pytest.raises(ValueError, match="relativistic losses"):
        model.compile(loss="relativistic_average")


def test_trains_saves_and_continues_exactly_with_its_pools(tmp_path):
    def pools_saved(loaded, saved):
        assert type(loaded) is CycleGAN and int(loaded.pool.count.numpy()) == 6  # full after 8 fakes
        np.testing.assert_array_equal(loaded.pool.images.numpy(), saved.pool.images.numpy())

    straight, loaded = straight_and_resumed(tiny("compile.ema_decay=0.9"), tmp_path, domains, on_load=pools_saved)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one = one_device_reference(built(tiny()))
    one.fit(domains(), epochs=1, steps_per_epoch=3, verbose=0)  # the pool is full at the 2nd step
    two = built(tiny(), mirrored_strategy)
    two.fit(domains(), epochs=1, steps_per_epoch=3, verbose=0)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_both_directions_translate_evaluate_and_export(tmp_path):
    model = built(tiny())
    digits = translation.task_examples("mnist-inverted", "test")[0][:3]
    forward, backward = model.translate(digits), model.translate(digits, direction="b2a")
    assert not np.allclose(forward, backward)
    with pytest.raises(ValueError, match="direction\\(s\\) a2b, b2a, not 'c2d'"):
        model.translate(digits, direction="c2d")
    scores = evaluate_translation(model, {"translation": "mnist-inverted"}, n=8)
    assert {"accuracy", "accuracy_b2a", "l1_b2a", "cycle_l1"} <= set(scores)

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e"), direction="b2a"))
    np.testing.assert_allclose(served.signatures["serving_default"](images=tf.constant(digits / 127.5 - 1.0,
                                                                                        tf.float32))["images"].numpy(),
                               backward, atol=1e-5)
    pix2pix = built(recipes.apply_overrides(recipes.load("pix2pix-edges2digits"), [
        "model.generator.base_filters=4", "model.discriminator.base_filters=4"]))
    with pytest.raises(UserError, match="translates one way only"):
        export_gan(pix2pix, str(tmp_path / "p"), direction="b2a")
