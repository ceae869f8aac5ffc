"""Distribution: one step on two replicas (MirroredStrategy, 2 logical CPUs) equals one device.

Every penalty and every loss with a batch statistic is checked on its own, with plain SGD: Adam's
first step is about `lr * sign(g)` and would hide gradients that differ only in size.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.training import InstanceNoise
from keras_gans import losses
from keras_gans.networks import mlp_discriminator, mlp_generator
from keras_gans.penalties import DriftPenalty, GradientPenalty
from keras_gans.utils import distribute

LATENT = 4
GLOBAL_BATCH = 16

# name -> (GAN.compile arguments, the logged penalty that must be non-zero or None)
CASES = {
    "gp-two_sided": (dict(loss="wasserstein", penalties=[GradientPenalty(10.0, "two_sided")]), "gradient_penalty"),
    "gp-one_sided": (
        dict(loss="wasserstein", penalties=[GradientPenalty(10.0, "one_sided", target=0.1)]),
        "gradient_penalty",
    ),
    "gp-dragan": (dict(loss="non_saturating", penalties=[GradientPenalty(10.0, "dragan")]), "gradient_penalty"),
    "gp-r1": (dict(loss="non_saturating", penalties=[GradientPenalty(10.0, "r1")]), "gradient_penalty"),
    "gp-r2": (dict(loss="non_saturating", penalties=[GradientPenalty(10.0, "r2")]), "gradient_penalty"),
    "drift": (dict(loss="wasserstein", penalties=[DriftPenalty(weight=1.0)]), "drift_penalty"),
    "relativistic_average": (dict(loss="relativistic_average"), None),
    "relativistic_average_hinge": (dict(loss="relativistic_average_hinge"), None),
    "instance_noise": (dict(loss="non_saturating", instance_noise=InstanceNoise(0.5)), None),
    "wgan-gp-drift-n_critic-2": (
        dict(
            loss="wasserstein",
            penalties=[GradientPenalty(10.0, "two_sided"), DriftPenalty(weight=1.0)],
            n_critic=2,
        ),
        "gradient_penalty",
    ),
    "reuse_fakes-r1-n_critic-2": (
        dict(loss="non_saturating", penalties=[GradientPenalty(10.0, "r1")], n_critic=2, reuse_fakes=True),
        "gradient_penalty",
    ),
}


def build_gan(strategy, **compile_kwargs):
    with strategy.scope():
        keras.utils.set_random_seed(11)
        gan = keras_gans.GAN(
            mlp_generator(LATENT, (2,), units=(8,)),
            mlp_discriminator((2,), units=(8,), activation="tanh"),  # smooth: grad D varies with x
            seed=5,
        )
        gan.compile(
            d_optimizer=keras.optimizers.SGD(0.1),
            g_optimizer=keras.optimizers.SGD(0.1),
            **compile_kwargs,
        )
    return gan


def one_step(strategy, **compile_kwargs):
    gan = build_gan(strategy, **compile_kwargs)
    data = np.random.default_rng(3).normal(size=(GLOBAL_BATCH, 2)).astype("float32")
    history = gan.fit(
        tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH), epochs=1, steps_per_epoch=1, verbose=0
    )
    return gan, history.history


def numpy_weights(model):
    return [keras.ops.convert_to_numpy(w) for w in model.get_weights()]


@pytest.mark.parametrize("case", list(CASES))
def test_two_replicas_match_one_device(case, mirrored_strategy):
    compile_kwargs, penalty_name = CASES[case]
    one, one_logs = one_step(tf.distribute.OneDeviceStrategy("/cpu:0"), **compile_kwargs)
    two, two_logs = one_step(mirrored_strategy, **compile_kwargs)
    assert two.distribute_strategy.num_replicas_in_sync == 2
    if penalty_name is not None:  # the penalty took part in the update
        assert one_logs[penalty_name][0] > 1e-3
    start = build_gan(tf.distribute.OneDeviceStrategy("/cpu:0"), **compile_kwargs)
    for network in ("generator", "discriminator"):
        before = numpy_weights(getattr(start, network))
        a, b = numpy_weights(getattr(one, network)), numpy_weights(getattr(two, network))
        assert max(np.abs(x - y).max() for x, y in zip(a, before)) > 1e-3  # the step moved it
        for x, y in zip(b, a):
            np.testing.assert_allclose(x, y, atol=1e-4, err_msg=f"{case}: {network}")
    assert set(two_logs) == set(one_logs)
    for name, values in two_logs.items():
        assert isinstance(values[0], float), name


# --- the helpers --------------------------------------------------------------------------------


def test_global_statistics_and_their_gradients_under_two_replicas(mirrored_strategy):
    x = np.random.default_rng(0).normal(size=(8, 3)).astype("float32")
    w = tf.constant(np.random.default_rng(1).normal(size=(8, 3)).astype("float32"))

    def objective(x, w):
        """A per-sample term using the batch mean and std, averaged over the (local) batch."""
        return tf.reduce_mean(w * (x - distribute.global_mean(x)) * distribute.global_std(x))

    single_x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(single_x)
        single = objective(single_x, w)
    single_grad = tape.gradient(single, single_x).numpy()
    np.testing.assert_allclose(float(distribute.global_std(x)), x.std(), rtol=1e-6)

    @tf.function
    def run():
        def replica_fn():
            rid = tf.distribute.get_replica_context().replica_id_in_sync_group
            local_x, local_w = tf.constant(x.reshape(2, 4, 3))[rid], tf.reshape(w, (2, 4, 3))[rid]
            with tf.GradientTape() as tape:
                tape.watch(local_x)
                value = objective(local_x, local_w) / 2.0
            return (value, tape.gradient(value, local_x), distribute.global_mean(local_x),
                    distribute.global_mean(local_x, axis=0))

        return mirrored_strategy.run(replica_fn)

    values, grads, means, feature_means = run()
    local = mirrored_strategy.experimental_local_results
    assert sum(float(v) for v in local(values)) == pytest.approx(float(single), abs=1e-6)
    np.testing.assert_allclose(np.concatenate([g.numpy() for g in local(grads)]), single_grad, atol=1e-6)
    for m in local(means):
        assert float(m) == pytest.approx(x.mean(), abs=1e-6)
    for m in local(feature_means):  # along the batch axis: one mean per feature, over both replicas' rows
        np.testing.assert_allclose(m.numpy(), x.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(distribute.global_mean(x, axis=0).numpy(), x.mean(axis=0), atol=1e-6)


def test_global_batch_sample_is_the_replicas_slice_of_one_draw(mirrored_strategy):
    seed = tf.constant([4, 2], tf.int32)
    whole = tf.random.stateless_uniform([8, 2], seed=seed).numpy()
    np.testing.assert_array_equal(
        distribute.global_batch_sample(lambda s: tf.random.stateless_uniform(s, seed=seed), [8, 2]), whole
    )

    @tf.function
    def run():
        return mirrored_strategy.run(
            lambda: distribute.global_batch_sample(lambda s: tf.random.stateless_uniform(s, seed=seed), [4, 2])
        )

    parts = [p.numpy() for p in mirrored_strategy.experimental_local_results(run())]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


@pytest.mark.parametrize("name", ["relativistic_average", "relativistic_average_hinge"])
def test_relativistic_losses_use_global_batch_averages(name, mirrored_strategy):
    rng = np.random.default_rng(2)
    real, fake = rng.normal(size=(8, 1)).astype("float32"), rng.normal(size=(8, 1)).astype("float32")
    loss = losses.get(name)
    expected = [float(loss.discriminator_loss(real, fake)), float(loss.generator_loss(real, fake))]

    @tf.function
    def run():
        def replica_fn():
            rid = tf.distribute.get_replica_context().replica_id_in_sync_group
            r = tf.constant(real.reshape(2, 4, 1))[rid]
            f = tf.constant(fake.reshape(2, 4, 1))[rid]
            return loss.discriminator_loss(r, f) / 2.0, loss.generator_loss(r, f) / 2.0

        return mirrored_strategy.run(replica_fn)

    d, g = run()
    local = mirrored_strategy.experimental_local_results
    got = [sum(float(v) for v in local(d)), sum(float(v) for v in local(g))]
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    # The replica-local averages give another value: the test above can tell them apart.
    split = [float(loss.discriminator_loss(real[i::2], fake[i::2])) for i in range(2)]
    assert abs(sum(split) / 2 - expected[0]) > 1e-3


def test_penalty_draws_depend_only_on_the_seed():
    real = tf.constant(np.random.default_rng(0).normal(size=(6, 2)).astype("float32"))
    fake = tf.zeros_like(real)
    seed = tf.constant([1, 2], tf.int32)
    for mode in ("two_sided", "dragan"):
        penalty = GradientPenalty(mode=mode)
        a = penalty.penalty_points(real, fake, seed).numpy()
        np.testing.assert_array_equal(penalty.penalty_points(real, fake, seed).numpy(), a)
        assert not np.array_equal(penalty.penalty_points(real, fake, tf.constant([1, 3])).numpy(), a)


def test_train_step_logs_are_scalars_outside_multi_worker(mirrored_strategy):
    gan = build_gan(mirrored_strategy, loss="hinge")
    logs = tf.function(lambda x: mirrored_strategy.run(gan.train_step, args=(x,)))(tf.zeros((8, 2)))
    for value in mirrored_strategy.experimental_local_results(logs["d_loss"]):
        assert value.shape == ()
    assert distribute.fit_logs({"a": tf.constant(1.0)})["a"].shape == ()
    assert not distribute.is_multi_worker()
