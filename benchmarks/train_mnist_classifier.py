"""Trains the MNIST classifier behind the default "mnist" feature extractor (domain FID / IS).

Data: the 10,000 bundled MNIST test digits (`keras_gans.data.load_mnist`), the only MNIST
images this package has. `keras_gans.metrics.extractors.mnist_classifier_split` splits them
deterministically and stratified by digit: per class, a seeded random 20% is held out (2,000
digits in all), the other 8,000 train the network. The held-out digits are never trained on;
the reported accuracy is measured on them once, after the last epoch (no early stopping or
checkpoint selection on them).

Inputs are the GAN's scale: `(28, 28, 1)` float32 in [-1, 1] (`x / 127.5 - 1`, background -1).
Augmentation (training only): random shifts of up to 2 pixels and small rotations / zooms,
filled with the background value -1.

Writes `classifier.keras` (inference model, no optimizer state) to `--out` (default
`saved_models/mnist-classifier/`, which the package ships as `keras_gans/saved_models/`) and
prints a JSON summary (held-out accuracy, wall time, parameters, file size) which `--summary`
also writes to a file.

    python benchmarks/train_mnist_classifier.py
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=40, help="training epochs (default 40)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--learning-rate", type=float, default=2e-3,
                        help="peak Adam learning rate, cosine-decayed to 0 (default 2e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights, shuffling, augmentation")
    parser.add_argument("--out", default=os.path.join(REPO, "saved_models", "mnist-classifier"),
                        help="folder for classifier.keras (default saved_models/mnist-classifier)")
    parser.add_argument("--summary", default=None, help="also write the JSON summary to this file")
    parser.add_argument("--verbose", type=int, default=2, help="Keras fit verbosity (default 2)")
    return parser.parse_args(argv)


def build_classifier(seed=0):
    """The CNN: 3x3 conv + BN + ReLU blocks of 32 | 48, 48 | 96 filters, each block ending in a 2x2
    max-pool, then flatten (3 x 3 x 96), dense "features" (128, ReLU) and a 10-way softmax."""
    import keras
    from keras import layers

    init = keras.initializers.HeNormal

    def conv_bn(x, filters, name, s):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer=init(seed + s),
                          name=f"{name}_conv")(x)
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        return layers.ReLU(name=f"{name}_relu")(x)

    inputs = keras.Input((28, 28, 1), name="images")
    x = conv_bn(inputs, 32, "block1", 1)
    x = layers.MaxPooling2D(name="block1_pool")(x)                   # 14 x 14
    x = conv_bn(x, 48, "block2a", 2)
    x = conv_bn(x, 48, "block2b", 3)
    x = layers.MaxPooling2D(name="block2_pool")(x)                   # 7 x 7
    x = conv_bn(x, 96, "block3", 4)
    x = layers.MaxPooling2D(name="block3_pool")(x)                   # 3 x 3
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.3, seed=seed, name="pool_dropout")(x)
    x = layers.Dense(128, activation="relu", kernel_initializer=init(seed + 5), name="features")(x)
    x = layers.Dropout(0.3, seed=seed + 1, name="features_dropout")(x)
    outputs = layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(inputs, outputs, name="mnist_classifier")


def augmenter(seed):
    import keras
    from keras import layers

    return keras.Sequential(
        [
            layers.RandomTranslation(2 / 28, 2 / 28, fill_mode="constant", fill_value=-1.0, seed=seed),
            layers.RandomRotation(10 / 360, fill_mode="constant", fill_value=-1.0, seed=seed + 1),
            layers.RandomZoom(0.1, fill_mode="constant", fill_value=-1.0, seed=seed + 2),
        ],
        name="augment",
    )


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    from keras_gans.data import load_mnist
    from keras_gans.metrics.extractors import mnist_classifier_split

    keras.utils.set_random_seed(args.seed)
    images, labels = load_mnist()
    x = images[..., np.newaxis].astype("float32") / 127.5 - 1.0
    y = labels.astype("int32")
    train_idx, held_idx = mnist_classifier_split(labels)

    augment = augmenter(args.seed)
    train = (
        tf.data.Dataset.from_tensor_slices((x[train_idx], y[train_idx]))
        .shuffle(len(train_idx), seed=args.seed, reshuffle_each_iteration=True)
        .batch(args.batch_size)
        .map(lambda a, b: (augment(a, training=True), b), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )
    model = build_classifier(args.seed)
    steps = args.epochs * int(np.ceil(len(train_idx) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, steps, alpha=0.0)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    start = time.time()
    model.fit(train, epochs=args.epochs, verbose=args.verbose)
    train_seconds = time.time() - start

    inference = keras.Model(model.inputs, model.outputs, name="mnist_classifier")
    probs = inference.predict(x[held_idx], batch_size=500, verbose=0)
    predicted = np.argmax(probs, axis=1)
    held_accuracy = float(np.mean(predicted == y[held_idx]))
    train_probs = inference.predict(x[train_idx], batch_size=500, verbose=0)
    train_accuracy = float(np.mean(np.argmax(train_probs, axis=1) == y[train_idx]))

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "classifier.keras")
    inference.save(path)
    per_class = {
        str(d): float(np.mean(predicted[y[held_idx] == d] == d)) for d in range(10)
    }
    summary = {
        "held_out_accuracy": held_accuracy,
        "held_out_errors": int(np.sum(predicted != y[held_idx])),
        "held_out_size": int(len(held_idx)),
        "train_size": int(len(train_idx)),
        "train_accuracy_no_augmentation": train_accuracy,
        "per_class_held_out_accuracy": per_class,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "train_seconds": round(train_seconds, 1),
        "parameters": int(inference.count_params()),
        "file_bytes": os.path.getsize(path),
        "command": " ".join(["python", "benchmarks/train_mnist_classifier.py", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        "versions": {"keras": keras.__version__, "tensorflow": tf.__version__},
        "saved": [path],
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.summary:
        with open(args.summary, "w") as f:
            f.write(text + "\n")
    return summary


if __name__ == "__main__":
    main()
