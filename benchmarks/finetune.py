"""Fine-tuning benchmark: the dcgan-mnist zoo model adapted to one digit vs training from scratch.

The target data are the bundled MNIST digits of one class (`--digit`, default 7: about 1,000
images). For each seed, three runs of the same recipe (`dcgan-mnist` with
`data.classes=[DIGIT]`) train for the same K generator steps (`--steps`):

- `scratch`: random initial weights (`keras-gans train dcgan-mnist --set data.classes=[7]`);
- `init`: from the zoo model (`... --init dcgan-mnist`), fresh optimizers;
- `init + FreezeD N`: from the zoo model with the first N discriminator blocks frozen
  (`... --init dcgan-mnist --freeze-d N`, Mo et al. 2020).

Each run is scored on `--n` samples of its EMA generator: domain FID (our MNIST classifier's
features) against all real images of the digit, and the share of samples that the classifier
labels as the digit. The zoo model itself (0 steps) is scored too.

    python benchmarks/finetune.py --digit 7 --steps 300 --seeds 3 --out benchmarks/results/finetune.json
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import set_threads  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zoo-model", default="dcgan-mnist", help="zoo model to start from (default dcgan-mnist)")
    parser.add_argument("--digit", type=int, default=7, help="target digit class (default 7)")
    parser.add_argument("--steps", type=int, default=300, help="generator steps of every run (default 300)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--freeze-d", type=int, default=1, help="blocks frozen in the FreezeD row (default 1)")
    parser.add_argument("--n", type=int, default=2000, help="generated samples scored per run (default 2000)")
    parser.add_argument("--threads", type=int, default=0, help="TF intra/inter-op threads (0: TF default)")
    parser.add_argument("--out", default=os.path.join(REPO, "benchmarks", "results", "finetune.json"))
    return parser.parse_args(argv)


def score(gan, extractor, real_features, digit, n, seed):
    """(domain FID vs the real digit, share of samples classified as the digit)."""
    from keras_gans.metrics import frechet_distance

    images = gan.generate(n, seed=seed)
    features, probabilities = extractor.features_and_probabilities(images)
    share = float(np.mean(np.argmax(probabilities, axis=1) == digit))
    return float(frechet_distance(real_features, features)), share


def main(argv=None):
    args = parse_args(argv)
    sys.path.insert(0, REPO)
    set_threads(args.threads)
    import keras

    from keras_gans import recipes, zoo
    from keras_gans.data.mnist import load_mnist
    from keras_gans.metrics.extractors import get_extractor
    from keras_gans.training.run import train

    extractor = get_extractor("mnist")
    images, labels = load_mnist()
    real = images[labels == args.digit][..., None].astype("float32") / 127.5 - 1.0
    real_features = extractor.features(real)
    base = zoo.card(args.zoo_model)["recipe"]
    rows = {"zoo model, 0 steps": [], "scratch": [], "init": [], f"init + FreezeD {args.freeze_d}": []}
    fid0, share0 = score(zoo.load(args.zoo_model), extractor, real_features, args.digit, args.n, seed=0)
    rows["zoo model, 0 steps"].append({"seed": 0, "fid": fid0, "share": share0, "seconds": 0.0})
    print(f"zoo model: FID {fid0:.1f}, {100 * share0:.1f}% {args.digit}s", flush=True)
    configs = {"scratch": [], "init": [f"train.init={args.zoo_model}"],
               f"init + FreezeD {args.freeze_d}": [f"train.init={args.zoo_model}", f"train.freeze_d={args.freeze_d}"]}
    for seed in range(args.seeds):
        for row, extra in configs.items():
            recipe = recipes.apply_overrides(recipes.load(base), [
                f"data.classes=[{args.digit}]", f"train.steps={args.steps}", f"train.seed={seed}", *extra])
            keras.backend.clear_session()
            out = tempfile.mkdtemp(prefix="finetune-bench-")
            try:
                start = time.time()
                gan, _ = train(recipe, out, verbose=0, log=lambda *a: None)
                seconds = time.time() - start
            finally:
                shutil.rmtree(out, ignore_errors=True)
            fid, share = score(gan, extractor, real_features, args.digit, args.n, seed=seed)
            rows[row].append({"seed": seed, "fid": fid, "share": share, "seconds": seconds})
            print(f"seed {seed} {row}: FID {fid:.1f}, {100 * share:.1f}% {args.digit}s, {seconds:.0f} s", flush=True)

    command = "python benchmarks/finetune.py " + " ".join(sys.argv[1:] if argv is None else argv)
    table = markdown_table(rows, args)
    result = {
        "command": command.strip(),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, threads={args.threads or 'default'}",
        "zoo_model": args.zoo_model, "digit": args.digit, "steps": args.steps, "n": args.n,
        "real_images": int(len(real)), "rows": rows, "markdown_table": table,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print(table)


def _mean_std(values):
    values = np.asarray(values, dtype=float)
    return values.mean(), values.std(ddof=1) if len(values) > 1 else 0.0


def markdown_table(rows, args):
    lines = [f"| start | steps | domain FID vs real {args.digit}s (lower is better) | samples classified as {args.digit} | wall time per run |",
             "|---|---|---|---|---|"]
    for row, runs in rows.items():
        fid, fid_std = _mean_std([r["fid"] for r in runs])
        share, share_std = _mean_std([100 * r["share"] for r in runs])
        seconds = np.mean([r["seconds"] for r in runs])
        steps = 0 if row.startswith("zoo") else args.steps
        spread = f" ± {fid_std:.1f}" if len(runs) > 1 else ""
        share_spread = f" ± {share_std:.1f}" if len(runs) > 1 else ""
        lines.append(f"| {row} | {steps} | {fid:.1f}{spread} | {share:.1f}%{share_spread} | "
                     f"{'-' if not seconds else f'{seconds:.0f} s'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
