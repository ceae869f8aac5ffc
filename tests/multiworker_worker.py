"""One worker of the MultiWorkerMirroredStrategy test (`test_multiworker.py`); not a test module.

`python multiworker_worker.py DIR` with `TF_CONFIG` set: joins the cluster, builds the tiny GAN
of `build_gan`, loads the initial weights `DIR/initial.npz`, trains `STEPS` steps on the global
batches of `dataset()` and writes `DIR/worker<index>.npy` (every weight, flattened) and
`DIR/worker<index>.json` (the `fit` history and the Python types of its values).
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

GLOBAL_BATCH = 16
STEPS = 3


def build_gan():
    """A tiny GAN using every cross-replica mechanism: latent and penalty draws, a relativistic
    loss (all-reduced means), DRAGAN (all-reduced std), n_critic > 1 and the EMA. SGD, because
    Adam's first steps (about `lr * sign(g)`) would hide gradients that differ in size only."""
    import keras

    import keras_gans
    from keras_gans.networks import mlp_discriminator, mlp_generator

    keras.utils.set_random_seed(0)
    gan = keras_gans.GAN(
        mlp_generator(4, (2,), units=(8,)),
        mlp_discriminator((2,), units=(8,), activation="tanh"),
        seed=9,
    )
    gan.compile(
        d_optimizer=keras.optimizers.SGD(0.05),
        g_optimizer=keras.optimizers.SGD(0.05),
        loss="relativistic_average",
        penalties=[keras_gans.GradientPenalty(weight=1.0, mode="dragan")],
        n_critic=2,
        ema_decay=0.9,
    )
    return gan


def dataset():
    """Global batches of `GLOBAL_BATCH` 2-D points; workers take their slices by DATA sharding."""
    data = np.random.default_rng(1).normal(size=(GLOBAL_BATCH * STEPS, 2)).astype("float32")
    ds = tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options)


def all_weights(gan):
    """Generator, discriminator and EMA weights, flattened into one float32 vector."""
    networks = (gan.generator, gan.discriminator, gan.ema_generator)
    return np.concatenate([np.ravel(w) for net in networks for w in net.get_weights()])


def set_initial_weights(gan, path):
    arrays = np.load(path)
    for name in ("generator", "discriminator", "ema_generator"):
        net = getattr(gan, name)
        net.set_weights([arrays[f"{name}_{i}"] for i in range(len(net.get_weights()))])


def save_initial_weights(gan, path):
    arrays = {}
    for name in ("generator", "discriminator", "ema_generator"):
        for i, w in enumerate(getattr(gan, name).get_weights()):
            arrays[f"{name}_{i}"] = w
    np.savez(path, **arrays)


def main(out_dir):
    strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG
    index = json.loads(os.environ["TF_CONFIG"])["task"]["index"]
    with strategy.scope():
        gan = build_gan()
    set_initial_weights(gan, os.path.join(out_dir, "initial.npz"))
    history = gan.fit(dataset(), epochs=1, steps_per_epoch=STEPS, verbose=0)
    np.save(os.path.join(out_dir, f"worker{index}.npy"), all_weights(gan))
    report = {
        "num_replicas": strategy.num_replicas_in_sync,
        "history": {k: [float(v) for v in values] for k, values in history.history.items()},
        "types": sorted({type(v).__name__ for values in history.history.values() for v in values}),
    }
    with open(os.path.join(out_dir, f"worker{index}.json"), "w") as f:
        json.dump(report, f)


if __name__ == "__main__":
    main(sys.argv[1])
