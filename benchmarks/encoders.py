"""What an encoder GAN's E(x) is worth: linear-probe accuracy, and reconstructions G(E(x)).

For each model (a zoo name or a run folder of a family with `encode`: BiGAN, VAE-GAN, or a plain
VAE trained with the vaegan family's `adversarial_weight=0`):

- linear probe (the BiGAN paper's use of E): a multinomial logistic regression trained on the
  features of the 8,000 training digits of the bundled set and scored on its 2,000 held-out
  digits (the split of the shipped MNIST classifier, `mnist_classifier_split`), for E(x), for the
  same encoder network with its initial random weights (the recipe's, seed 0), and for raw pixels;
- reconstruction: the mean squared pixel error of G(E(x)) on the 2,000 held-out digits (images in
  [-1, 1]) and the share the shipped classifier gives the digit's own label ("label kept");
- samples: domain FID and the confident share of 10,000 samples (`keras-gans eval`'s metrics);
  reconstructions: domain FID of G(E(x)) of all 10,000 bundled digits (how real the
  reconstructions look: the VAE-GAN paper's claim is that they are sharper than a VAE's);
- blur: the share of grey pixels (|x| < 0.5 in [-1, 1]: neither background nor stroke) in the
  reconstructions of the held-out digits and in 2,000 samples, beside the held-out digits' own
  (MNIST strokes are nearly binary, so a blurry model paints more grey).

The zoo models were trained on all 10,000 bundled digits (only the test set ships), so held-out
here means held out from the probe, not from the GAN.

    python benchmarks/encoders.py bigan-mnist
    python benchmarks/encoders.py runs/bigan --epochs 5 --out /tmp/e.json      # smoke test

Writes JSON to `--out` (default benchmarks/results/encoders.json) and prints a Markdown table.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import finish_report, machine_at_start, set_threads  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="zoo names or run folders of encoder families")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of the logistic regression (default 100)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "encoders.json"))
    return parser.parse_args(argv)


def linear_probe(train_x, train_y, test_x, test_y, epochs):
    """Test accuracy of a softmax regression on standardised features (Adam, full batches of 500)."""
    import keras
    import numpy as np

    mean, std = train_x.mean(axis=0), train_x.std(axis=0) + 1e-6
    keras.utils.set_random_seed(0)
    probe = keras.Sequential([keras.Input((train_x.shape[1],)), keras.layers.Dense(10)])
    probe.compile(keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    probe.fit((train_x - mean) / std, train_y, batch_size=500, epochs=epochs, verbose=0)
    predicted = probe.predict((test_x - mean) / std, batch_size=1000, verbose=0).argmax(axis=1)
    return float(np.mean(predicted == test_y))


def grey_share(images):
    """The share of pixels with |x| < 0.5 (images in [-1, 1]): grey, neither background nor stroke."""
    import numpy as np

    return float(np.mean(np.abs(images) < 0.5))


def measure(name, epochs):
    import keras
    import numpy as np

    from keras_gans import recipes
    from keras_gans.data import load_mnist
    from keras_gans.metrics.evaluate import SampleEvaluator, evaluate_run
    from keras_gans.metrics.real_data import real_samples
    from keras_gans.metrics.extractors import MNISTFeatureExtractor, mnist_classifier_split
    from keras_gans.runs import load_run

    model, recipe = load_run(name)
    if not hasattr(model, "encode"):
        raise SystemExit(f"{name} is a {type(model).__name__}: it has no encoder")
    images, labels = load_mnist()
    x = images[..., None].astype("float32") / 127.5 - 1.0
    train, test = mnist_classifier_split(labels)
    keras.utils.set_random_seed(0)
    random_encoder = recipes.build_model(recipe).encoder
    random_features = random_encoder.predict(x, batch_size=500, verbose=0)
    if isinstance(random_features, dict):  # a VAE's q(z | x): its mean, as `encode`
        random_features = random_features["mean"]
    features = {"E(x), trained": model.encode(x),
                "E(x), random weights": np.asarray(random_features),
                "raw pixels": x.reshape(len(x), -1)}
    row = {"model": name, "probe": {}}
    for label, f in features.items():
        row["probe"][label] = linear_probe(f[train], labels[train], f[test], labels[test], epochs)
    start = time.time()
    reconstructions = model.reconstruct(x[test])
    row["reconstruction_error"] = float(np.mean(np.square(reconstructions - x[test])))
    classifier = MNISTFeatureExtractor()
    row["label_kept"] = float(np.mean(classifier.probabilities(reconstructions).argmax(axis=1) == labels[test]))
    row["samples"] = evaluate_run(model, metrics="fid,classes", n=10000, seed=0, data="mnist")
    evaluator = SampleEvaluator(real_samples("mnist", image_shape=x.shape[1:], n=10000, seed=0), metrics="fid")
    row["reconstruction_fid"] = evaluator(model.reconstruct(x))["fid"]
    row["grey_share"] = {"reconstructions": grey_share(reconstructions),
                         "samples": grey_share(model.generate(2000, seed=0)), "real": grey_share(x[test])}
    row["seconds"] = time.time() - start
    return row


def markdown_table(results):
    lines = ["| model | linear probe: E(x) | random E | raw pixels | G(E(x)) squared error | label kept "
             "| samples: domain FID | confident | reconstructions: domain FID | grey pixels: reconstructions / samples "
             "(real digits) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        p, s = r["probe"], r["samples"]
        lines.append(f"| `{r['model']}` | {100 * p['E(x), trained']:.1f}% | {100 * p['E(x), random weights']:.1f}% "
                     f"| {100 * p['raw pixels']:.1f}% | {r['reconstruction_error']:.3f} | {100 * r['label_kept']:.1f}% "
                     f"| {s['fid']:.1f} | {100 * s['confident']:.1f}% | {r['reconstruction_fid']:.1f} "
                     f"| {_grey(r)} |")
    return "\n".join(lines)


def _grey(row):
    grey = row.get("grey_share")  # absent from results measured before it was added
    if grey is None:
        return "-"
    return f"{100 * grey['reconstructions']:.1f}% / {100 * grey['samples']:.1f}% ({100 * grey['real']:.1f}%)"


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    machine = machine_at_start()
    results = []
    for name in args.models:
        results.append(measure(name, args.epochs))
        print(f"{name}: {results[-1]}", file=sys.stderr, flush=True)
    finish_report(args.out, "encoders", machine, vars(args), results, markdown_table(results))


if __name__ == "__main__":
    main()
