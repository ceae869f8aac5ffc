"""GAN inversion of real digits with the unconditional MNIST zoo models: how close G(z*) gets.

For each zoo model, `keras_gans.inversion.invert` (what `keras-gans invert` runs) looks for z* of
`--n` bundled digits (the first n of a seeded permutation of the 10,000; the zoo models were trained
on all of them, so this measures how well G covers its training digits, not generalisation):

- the start alone (`--steps 0`): "E(x)" for a model with an encoder (BiGAN, VAE-GAN), else "nearest
  random z", the nearest in pixels of `--candidates` random z;
- "pixels": Adam on z for `--steps` steps, pixel loss only;
- "pixels + features": the same plus the MNIST classifier's feature term (the default of `invert`).

Per setting: mean squared pixel error of G(z*) against the digit (images in [-1, 1]), the share of
reconstructions the shipped classifier assigns the digit's own label ("label kept"), and the
wall time.

    python benchmarks/inversion.py                          # dcgan-, sngan-, bigan- and vaegan-mnist
    python benchmarks/inversion.py --models dcgan-mnist --n 64 --steps 20 --out /tmp/i.json   # smoke test

Writes JSON to `--out` (default benchmarks/results/inversion.json) and prints a Markdown table.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import finish_report, machine_at_start, set_threads  # noqa: E402  (benchmarks/speed.py)

#: (what z* is, Adam steps (None: --steps), feature weight). The start, 0 steps, is E(x) for a
#: model with an encoder (BiGAN, VAE-GAN) and the nearest random z for the others.
SETTINGS = (("start", 0, 0.0), ("pixels", None, 0.0), ("pixels + features", None, 1.0))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["dcgan-mnist", "sngan-mnist", "bigan-mnist", "vaegan-mnist"],
                        help="zoo names")
    parser.add_argument("--n", type=int, default=1000, help="digits inverted (default 1000)")
    parser.add_argument("--steps", type=int, default=300, help="Adam steps of the optimised settings (default 300)")
    parser.add_argument("--candidates", type=int, default=256, help="random z tried for the start (default 256)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the digits and candidates (default 0)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "inversion.json"))
    return parser.parse_args(argv)


def markdown_table(results, n):
    lines = [f"| zoo model | z* from ({n:,} digits) | mean squared pixel error | label kept | seconds |",
             "|---|---|---:|---:|---:|"]
    for row in results:
        lines.append(f"| `{row['model']}` | {row['setting']} | {row['pixel_error']:.4f} | "
                     f"{100 * row['label_kept']:.1f}% | {row['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    machine = machine_at_start()
    import numpy as np

    from keras_gans import zoo
    from keras_gans.data import load_mnist
    from keras_gans.metrics.extractors import MNISTFeatureExtractor
    from keras_gans.inversion import invert

    images, labels = load_mnist()
    chosen = np.random.default_rng(args.seed).permutation(len(images))[: args.n]
    digits, digit_labels = images[chosen][..., None], labels[chosen]
    classifier = MNISTFeatureExtractor()
    results = []
    for name in args.models:
        gan = zoo.load(name)
        for label, steps, feature_weight in SETTINGS:
            if label == "start":
                label = "E(x)" if hasattr(gan, "encode") else "nearest random z"
            start = time.time()
            found = invert(gan, digits, steps=args.steps if steps is None else steps, feature_weight=feature_weight,
                           candidates=args.candidates, seed=args.seed)
            seconds = time.time() - start
            predicted = classifier.probabilities(found.reconstructions).argmax(axis=1)
            row = {"model": name, "setting": label, "steps": args.steps if steps is None else steps,
                   "feature_weight": feature_weight, "pixel_error": float(found.pixel_errors.mean()),
                   "label_kept": float(np.mean(predicted == digit_labels)), "seconds": seconds}
            results.append(row)
            print(f"{name}, {label}: pixel error {row['pixel_error']:.4f}, label kept {100 * row['label_kept']:.1f}%, "
                  f"{seconds:.0f} s", file=sys.stderr, flush=True)
    real = float(np.mean(classifier.probabilities(digits).argmax(axis=1) == digit_labels))
    print(f"The classifier gives the digits themselves their label in {100 * real:.1f}% of cases.\n")
    return finish_report(args.out, "inversion", machine, vars(args), results, markdown_table(results, args.n),
                         classifier_accuracy_on_the_digits=real)


if __name__ == "__main__":
    main()
