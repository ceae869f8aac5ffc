"""The core GAN: train_step algorithm, EMA, sampling, distribution, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.networks import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator

from model_helpers import assert_weights_close, weights

LATENT = 4


def tiny_gan(seed=7, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    gan = keras_gans.GAN(
        mlp_generator(LATENT, (2,), units=(16,)), mlp_discriminator((2,), units=(16,)), seed=3
    )
    kwargs = dict(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    kwargs.update(compile_kwargs)
    gan.compile(**kwargs)
    return gan


def points(n=32, seed=0):
    return np.random.default_rng(seed).normal(size=(n, 2)).astype("float32")


def fixed_dataset(batch=16, n=64, labels=False):
    x = points(n)
    if labels:
        return tf.data.Dataset.from_tensor_slices((x, np.arange(n) % 3)).batch(batch)
    return tf.data.Dataset.from_tensor_slices(x).batch(batch)


def test_latent_dim_is_read_from_generator():
    gan = tiny_gan()
    assert gan.latent_dim == LATENT
    assert gan.generator is not None and gan.discriminator is not None


def test_fit_reports_losses_and_penalties():
    gan = tiny_gan(penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")])
    history = gan.fit(fixed_dataset(), epochs=2, steps_per_epoch=4, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "gradient_penalty"}
    assert all(np.isfinite(v).all() for v in history.history.values())


def test_fit_accepts_images_and_labels():
    gan = tiny_gan()
    history = gan.fit(fixed_dataset(labels=True), epochs=1, steps_per_epoch=4, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])


def test_n_critic_discriminator_updates_per_generator_update():
    gan = tiny_gan(n_critic=3)
    gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=4, verbose=0)
    assert int(gan.g_optimizer.iterations.numpy()) == 4
    assert int(gan.d_optimizer.iterations.numpy()) == 12


@pytest.mark.parametrize("n_critic", [1, 2])
def test_reuse_fakes_is_a_generator_update_on_the_last_critic_z(n_critic):
    """reuse_fakes == fresh fakes drawn from the z of the last discriminator update."""
    kwargs = dict(n_critic=n_critic, penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")], ema_decay=0.9)
    reused = tiny_gan(reuse_fakes=True, **kwargs)
    fresh = tiny_gan(reuse_fakes=False, **kwargs)
    last = n_critic - 1
    draw = keras_gans.GAN.sample_generator_inputs
    fresh.sample_generator_inputs = lambda batch_size, name, *indices: (
        draw(fresh, batch_size, "latent", last) if name == "latent_g" else draw(fresh, batch_size, name, *indices)
    )
    for gan in (reused, fresh):
        gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=3, verbose=0)
    assert_weights_close(weights(reused.generator), weights(fresh.generator), atol=1e-6)
    assert_weights_close(weights(reused.discriminator), weights(fresh.discriminator), atol=1e-6)
    assert_weights_close(weights(reused.ema_generator), weights(fresh.ema_generator), atol=1e-6)
    unpatched = tiny_gan(reuse_fakes=False, **kwargs)  # Draws a new z for the generator update: other weights.
    unpatched.fit(fixed_dataset(), epochs=1, steps_per_epoch=3, verbose=0)
    assert not np.allclose(weights(unpatched.generator)[0], weights(reused.generator)[0], atol=1e-4)


def test_reuse_fakes_by_default_with_one_critic_step():
    """"auto" (the default) reuses D's fakes with one critic step and draws fresh z with more."""
    assert tiny_gan().reuse_fakes is True and tiny_gan(n_critic=5).reuse_fakes is False
    assert tiny_gan(reuse_fakes=False).reuse_fakes is False and tiny_gan(n_critic=2, reuse_fakes=True).reuse_fakes
    assert tiny_gan().get_compile_config()["reuse_fakes"] == "auto"
    with pytest.raises(ValueError, match='reuse_fakes must be True, False or "auto"'):
        tiny_gan(reuse_fakes="yes")


@pytest.mark.parametrize("reuse_fakes, generator_calls", [(False, 3), (True, 2)])
def test_reuse_fakes_saves_a_generator_forward_pass(reuse_fakes, generator_calls):
    gan = tiny_gan(n_critic=2, reuse_fakes=reuse_fakes, run_eagerly=True)
    calls = []
    generate_fakes = gan.generate_fakes
    gan.generate_fakes = lambda *args, **kwargs: calls.append(1) or generate_fakes(*args, **kwargs)
    gan.train_step(tf.constant(points(16)))
    assert len(calls) == generator_calls


def test_generator_update_changes_only_generator_in_generator_step():
    gan = tiny_gan()
    d_before = weights(gan.discriminator)
    g_before = weights(gan.generator)
    gan.generator_step(tf.constant(points(16)), None, 16)
    assert_weights_close(weights(gan.discriminator), d_before, atol=0)
    assert any(not np.allclose(a, b) for a, b in zip(weights(gan.generator), g_before))


def test_ema_follows_the_formula():
    gan = tiny_gan(ema_decay=0.9, ema_warmup=False)
    w0 = weights(gan.generator)
    np.testing.assert_allclose(weights(gan.ema_generator)[0], w0[0])
    gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=1, verbose=0)
    w1 = weights(gan.generator)
    expected = [0.9 * a + 0.1 * b for a, b in zip(w0, w1)]
    assert_weights_close(weights(gan.ema_generator), expected, atol=1e-6)
    assert gan.sampler is gan.ema_generator


def test_ema_warmup_ramps_the_decay():
    gan = tiny_gan(ema_decay=0.999)
    assert gan.ema_warmup
    ema, w = weights(gan.generator), None
    for step in range(1, 4):
        gan.fit(fixed_dataset(n=16), epochs=1, steps_per_epoch=1, verbose=0)
        w = weights(gan.generator)
        decay = min(0.999, (1 + step) / (10 + step))
        ema = [decay * e + (1 - decay) * x for e, x in zip(ema, w)]
        assert_weights_close(weights(gan.ema_generator), ema, atol=1e-6)


def test_generate_is_deterministic_given_seed():
    gan = tiny_gan(ema_decay=0.99)
    a, b, c = gan.generate(10, seed=5), gan.generate(10, seed=5), gan.generate(10, seed=6)
    assert a.shape == (10, 2)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    z = gan.latent(10, seed=5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(gan(z)), a, atol=1e-6)


def test_dcgan_images_in_tanh_range():
    gan = keras_gans.GAN(dcgan_generator(8, (28, 28, 1), base_filters=8), dcgan_discriminator((28, 28, 1), base_filters=8))
    gan.compile()
    images = gan.generate(3, seed=0)
    assert images.shape == (3, 28, 28, 1)
    assert images.min() >= -1 and images.max() <= 1


def test_weight_clip_constraint_applied_after_discriminator_updates():
    gan = tiny_gan(loss="wasserstein", constraints=[keras_gans.WeightClip(0.01)], n_critic=2)
    gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    for w in gan.discriminator.trainable_weights:
        assert np.abs(keras.ops.convert_to_numpy(w)).max() <= 0.01 + 1e-7
    assert max(np.abs(keras.ops.convert_to_numpy(w)).max() for w in gan.generator.trainable_weights) > 0.01


def test_lazy_penalty_reports_value_on_its_steps_only():
    gan = tiny_gan(penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1", interval=2)])
    values = []
    for _ in range(4):
        for t in gan.metrics:
            t.reset_state()
        logs = gan.train_step(tf.constant(points(16)))
        values.append(float(logs["gradient_penalty"]))
    assert values[0] > 0 and values[2] > 0
    assert values[1] == 0 and values[3] == 0


def test_instance_noise_and_top_k_train():
    gan = tiny_gan(
        instance_noise=keras_gans.InstanceNoise(stddev=0.5, anneal_steps=10),
        top_k=keras_gans.TopKGeneratorUpdate(min_fraction=0.5, decay=0.5, decay_steps=1),
    )
    history = gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=4, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_top_k_keeps_the_most_real_samples():
    top_k = keras_gans.TopKGeneratorUpdate(min_fraction=0.5, decay=0.5, decay_steps=1)
    scores = tf.constant([[0.1], [3.0], [-2.0], [1.0]])
    assert int(top_k(scores, scores, step=0).shape[0]) == 4
    kept = sorted(top_k(scores, scores, step=5).numpy().tolist())
    assert kept == [1, 3]
    energy = keras_gans.losses.get("energy")
    kept = sorted(top_k(scores, energy.realness(scores), step=5).numpy().tolist())
    assert kept == [0, 2]


def test_relativistic_generator_loss_sees_real_outputs():
    gan = tiny_gan(loss="relativistic_average")
    assert gan.gan_loss.uses_real_in_generator_loss
    history = gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_wrong_data_shape_gives_clear_error():
    gan = tiny_gan()
    bad = tf.data.Dataset.from_tensor_slices(np.zeros((32, 3), "float32")).batch(16)
    with pytest.raises(ValueError, match=r"shape \(3,\) but the generator outputs \(2,\)"):
        gan.fit(bad, epochs=1, steps_per_epoch=1, verbose=0)


def test_compile_rejects_bad_arguments():
    gan = keras_gans.GAN(mlp_generator(LATENT, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)))
    with pytest.raises(ValueError, match="n_critic"):
        gan.compile(n_critic=0)
    with pytest.raises(ValueError, match="ema_decay"):
        gan.compile(ema_decay=1.5)
    with pytest.raises(ValueError, match="non_saturating"):
        gan.compile(loss="nonsense")


def _train_on(strategy, data, steps, **compile_kwargs):
    with strategy.scope():
        gan = tiny_gan(**compile_kwargs)
    ds = tf.data.Dataset.from_tensor_slices(data).batch(16)
    gan.fit(ds, epochs=1, steps_per_epoch=steps, verbose=0)
    return gan


@pytest.mark.parametrize(
    "compile_kwargs",
    [
        dict(loss="non_saturating", penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")], ema_decay=0.9),
        dict(loss="wasserstein", constraints=[keras_gans.WeightClip(0.05)], n_critic=2),
    ],
    ids=["ns-r1-ema", "wgan-clip"],
)
def test_mirrored_two_devices_match_one_device(compile_kwargs, mirrored_strategy):
    data = points(48, seed=1)
    one = _train_on(tf.distribute.OneDeviceStrategy("/cpu:0"), data, 3, **compile_kwargs)
    two = _train_on(mirrored_strategy, data, 3, **compile_kwargs)
    assert mirrored_strategy.num_replicas_in_sync == 2
    assert int(two.g_optimizer.iterations.numpy()) == 3
    assert_weights_close(weights(two.generator), weights(one.generator), atol=1e-4)
    assert_weights_close(weights(two.discriminator), weights(one.discriminator), atol=1e-4)
    if one.ema_generator is not None:
        assert_weights_close(weights(two.ema_generator), weights(one.ema_generator), atol=1e-4)


def test_save_load_resume_matches_uninterrupted_run(tmp_path):
    kwargs = dict(penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")], ema_decay=0.9, n_critic=2)
    data = points(48, seed=2)

    def dataset():
        return tf.data.Dataset.from_tensor_slices(data).batch(16)

    straight = tiny_gan(**kwargs)
    straight.fit(dataset(), epochs=1, steps_per_epoch=3, verbose=0)

    first = tiny_gan(**kwargs)
    first.fit(dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path / "gan.keras")
    first.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, keras_gans.GAN)
    assert int(loaded.d_optimizer.iterations.numpy()) == 4
    assert isinstance(loaded.penalties[0], keras_gans.GradientPenalty) and loaded.n_critic == 2
    loaded.fit(dataset().skip(2), epochs=1, steps_per_epoch=1, verbose=0)

    assert_weights_close(weights(loaded.generator), weights(straight.generator), atol=1e-6)
    assert_weights_close(weights(loaded.discriminator), weights(straight.discriminator), atol=1e-6)
    assert_weights_close(weights(loaded.ema_generator), weights(straight.ema_generator), atol=1e-6)
    assert_weights_close(
        [keras.ops.convert_to_numpy(v) for v in loaded.d_optimizer.variables],
        [keras.ops.convert_to_numpy(v) for v in straight.d_optimizer.variables],
        atol=1e-6,
    )


def test_jit_compile_trains_reproducibly():
    kwargs = dict(penalties=[keras_gans.GradientPenalty(weight=1.0, mode="r1")], ema_decay=0.9, jit_compile=True)
    data = points(32, seed=4)
    runs = []
    for _ in range(2):
        gan = tiny_gan(**kwargs)
        assert gan.jit_compile is True
        before = weights(gan.generator)
        history = gan.fit(tf.data.Dataset.from_tensor_slices(data).batch(16), epochs=1, steps_per_epoch=2, verbose=0)
        assert np.isfinite(history.history["d_loss"][0]) and np.isfinite(history.history["gradient_penalty"][0])
        assert any(not np.allclose(a, b) for a, b in zip(weights(gan.generator), before))
        runs.append(gan)
    assert_weights_close(weights(runs[0].generator), weights(runs[1].generator), atol=1e-6)
    assert_weights_close(weights(runs[0].discriminator), weights(runs[1].discriminator), atol=1e-6)


def test_jit_compile_is_turned_off_under_mirrored(mirrored_strategy, caplog):
    with mirrored_strategy.scope():
        with caplog.at_level("INFO", logger="keras_gans.models.gan"):
            gan = tiny_gan(jit_compile=True)
            auto = tiny_gan()  # jit_compile="auto"
    assert gan.jit_compile is False and auto.jit_compile is False
    assert "jit_compile=True is not supported by fit under a 2-replica strategy" in caplog.text
    assert 'jit_compile="auto": XLA is off: fit does not support it under a 2-replica strategy' in caplog.text
    assert auto.jit_compile_reason == "XLA is off: fit does not support it under a 2-replica strategy"


def test_jit_compile_auto_is_off_on_cpu_only_machines(caplog):
    assert not [d for d in tf.config.list_physical_devices() if d.device_type != "CPU"]
    with caplog.at_level("INFO", logger="keras_gans.models.gan"):
        gan = tiny_gan()
    assert gan.jit_compile is False
    assert "only CPUs" in gan.jit_compile_reason and gan.jit_compile_reason in caplog.text
    assert "measures both ways at its start" in gan.jit_compile_reason
    assert tiny_gan(jit_compile=True).jit_compile is True
    assert tiny_gan(jit_compile=False).jit_compile is False


def test_jit_compile_auto_is_on_with_a_single_accelerator(monkeypatch):
    devices = tf.config.list_physical_devices() + [
        tf.config.PhysicalDevice(name="/physical_device:GPU:0", device_type="GPU")
    ]
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda *args: devices)
    gan = tiny_gan()
    assert gan.jit_compile is True
    assert gan.jit_compile_reason == "XLA is on: single device with GPU"
    assert gan.get_compile_config()["jit_compile"] == "auto"  # Resolved again where it is loaded.


def test_jit_compile_rejects_other_values():
    with pytest.raises(ValueError, match='jit_compile must be True, False or "auto", got \'yes\''):
        tiny_gan(jit_compile="yes")


def test_every_compile_option_survives_save_and_load(tmp_path):
    gan = tiny_gan(
        loss={"name": "non_saturating", "label_smoothing": 0.1},
        penalties=[keras_gans.GradientPenalty(weight=2.0, mode="dragan", interval=3), keras_gans.DriftPenalty(0.01)],
        constraints=[keras_gans.WeightClip(0.5)],
        n_critic=2,
        ema_decay=0.95,
        instance_noise=keras_gans.InstanceNoise(stddev=0.2, anneal_steps=50),
        top_k=keras_gans.TopKGeneratorUpdate(min_fraction=0.6, decay=0.9, decay_steps=10),
        reuse_fakes=True,
    )
    gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=1, verbose=0)
    path = str(tmp_path / "all.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.gan_loss.get_config() == {"label_smoothing": 0.1}
    assert [p.get_config() for p in loaded.penalties] == [p.get_config() for p in gan.penalties]
    assert loaded.weight_constraints[0].get_config() == {"clip_value": 0.5}
    assert (loaded.n_critic, loaded.ema_decay, loaded.reuse_fakes) == (2, 0.95, True)
    assert loaded.instance_noise.get_config() == {"stddev": 0.2, "anneal_steps": 50}
    assert loaded.top_k.get_config() == {"min_fraction": 0.6, "decay": 0.9, "decay_steps": 10}
    np.testing.assert_array_equal(loaded.generate(4, seed=1), gan.generate(4, seed=1))
    history = loaded.fit(fixed_dataset(), epochs=1, steps_per_epoch=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss", "gradient_penalty", "drift_penalty"}


# --- mixed precision ----------------------------------------------------------------------------


def mixed_gan(precision, seed=7, **compile_kwargs):
    """`tiny_gan` with networks built under `precision`'s dtype policy.

    GAN seed 4: with the named random streams, seed 3 puts one WGAN-GP interpolate where bfloat16
    rounding moves a weight by 2.2e-3 (seeds 4-8: 0.8e-3 to 0.95e-3; measured for the bfloat16 case
    of `test_wgan_gp_step_in_mixed_precision_matches_float32`).
    """
    keras.utils.set_random_seed(seed)
    with keras_gans.models.gan.precision_scope(precision):
        gan = keras_gans.GAN(
            mlp_generator(LATENT, (2,), units=(16,)), mlp_discriminator((2,), units=(16,)), seed=4
        )
    gan.compile(precision=precision, **compile_kwargs)
    return gan


def test_precision_scope_builds_networks_in_the_policy_and_restores_it():
    gan = mixed_gan("mixed_float16")
    assert keras.config.dtype_policy().name == "float32"
    dense = [layer for layer in gan.discriminator.layers if isinstance(layer, keras.layers.Dense)]
    assert dense[0].compute_dtype == "float16" and dense[0].kernel.dtype == "float32"
    assert dense[-1].compute_dtype == "float32"  # the networks' float32 output layer
    for optimizer in (gan.d_optimizer, gan.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
    assert gan.generate(3, seed=0).dtype == np.float32
    bf16 = mixed_gan("mixed_bfloat16")
    assert not isinstance(bf16.d_optimizer, keras.optimizers.LossScaleOptimizer)


def test_precision_must_match_the_networks():
    with pytest.raises(ValueError, match=r"precision='mixed_float16'\) but the generator computes in float32"):
        tiny_gan(precision="mixed_float16")
    with keras_gans.models.gan.precision_scope("mixed_bfloat16"):
        gan = keras_gans.GAN(mlp_generator(LATENT, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)))
    with pytest.raises(ValueError, match="computes in bfloat16"):
        gan.compile()
    with pytest.raises(ValueError, match="precision must be one of float32, mixed_float16, mixed_bfloat16"):
        gan.compile(precision="float16")


@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
def test_wgan_gp_step_in_mixed_precision_matches_float32(precision):
    """One WGAN-GP step (SGD 0.05) moves the weights by up to ~0.2; 16-bit activations (rounding
    ~5e-4 for float16, ~4e-3 for bfloat16, relative) may change them by 5e-4 / 2e-3 at most.
    The float16 run uses a loss scale of 2^12: Keras's default 2^15 overflows on this first step
    (dynamic loss scaling then skips it and halves the scale)."""

    def optimizer():
        sgd = keras.optimizers.SGD(0.05)
        return keras.optimizers.LossScaleOptimizer(sgd, initial_scale=2.0**12) if precision == "mixed_float16" else sgd

    kwargs = dict(loss="wasserstein", penalties=[keras_gans.GradientPenalty(10.0, "two_sided")])
    data = tf.data.Dataset.from_tensor_slices(points(32)).batch(32)
    runs = {}
    for p in ("float32", precision):
        gan = mixed_gan(p, d_optimizer=optimizer(), g_optimizer=optimizer(), **kwargs)
        before = weights(gan.generator) + weights(gan.discriminator)
        history = gan.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
        runs[p] = weights(gan.generator) + weights(gan.discriminator)
        assert history.history["gradient_penalty"][0] > 0.1
        assert max(np.abs(a - b).max() for a, b in zip(runs[p], before)) > 0.1  # the step was taken
    atol = 5e-4 if precision == "mixed_float16" else 2e-3
    assert_weights_close(runs[precision], runs["float32"], atol=atol)
    assert max(np.abs(a - b).max() for a, b in zip(runs[precision], runs["float32"])) > 0.0


def test_precision_survives_save_and_load(tmp_path):
    gan = mixed_gan("mixed_float16", penalties=[keras_gans.GradientPenalty(1.0, "r1")])
    gan.fit(fixed_dataset(), epochs=1, steps_per_epoch=2, verbose=0)
    path = str(tmp_path / "mixed.keras")
    gan.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.precision == "mixed_float16"
    for optimizer, original in ((loaded.d_optimizer, gan.d_optimizer), (loaded.g_optimizer, gan.g_optimizer)):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        assert isinstance(optimizer.inner_optimizer, keras.optimizers.Adam)  # wrapped once
        assert_weights_close(
            [keras.ops.convert_to_numpy(v) for v in optimizer.variables],
            [keras.ops.convert_to_numpy(v) for v in original.variables],
            atol=0,
        )
    assert loaded.discriminator.layers[1].compute_dtype == "float16"
    np.testing.assert_array_equal(loaded.generate(4, seed=1), gan.generate(4, seed=1))
    history = loaded.fit(fixed_dataset(), epochs=1, steps_per_epoch=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][0])
