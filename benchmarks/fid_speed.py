"""Speed of domain FID, 10,000 generated vs 10,000 real MNIST digits, with the embedded extractor.

What one timed repeat does, in one process, with nothing cached from the previous repeat:

1. **extractor**: `MNISTFeatureExtractor()`: load the shipped classifier from the package (its
   per-process cache is cleared first);
2. **real features**: the 10,000 bundled MNIST digits (`real_samples("mnist")`, uint8 -> [-1, 1])
   through the extractor (128-d pre-activation features);
3. **generate**: `gan.generate(10000, seed)` (the EMA generator when the GAN has one);
4. **fake features**: the 10,000 generated images through the extractor;
5. **FID**: `frechet_distance(real, fake)` (float64 statistics and the matrix square root).

The total is the sum of the five phases. Not timed: the Python / TensorFlow import and building
(or loading) the GAN, which are reported separately. The GAN is the run folder given by `--run`
(`keras-gans train ... --out DIR`), or else a freshly built, *untrained* `dcgan-mnist` generator
(`--recipe`): untrained weights cost the same to run as trained ones, so the timing holds, while
its FID value is meaningless.

    python benchmarks/fid_speed.py                       # 3 repeats, untrained dcgan-mnist
    python benchmarks/fid_speed.py --run /tmp/dcgan6k    # a trained run
    python benchmarks/fid_speed.py --threads 1           # one TF thread

Writes JSON to `--out` (default benchmarks/results/fid_speed.json) and prints a Markdown table:
min and median seconds of every phase over `--repeats`, against the target (< 60 s on 2 CPU cores).
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import machine_at_start, mark_end, set_threads  # noqa: E402  (benchmarks/speed.py)

#: The target of GitHub issue 4: FID of 10k vs 10k in under a minute on 2 CPU cores.
TARGET_SECONDS = 60.0
PHASES = ("extractor", "real_features", "generate", "fake_features", "fid")
PHASE_LABELS = {
    "extractor": "load the MNIST extractor",
    "real_features": "features of the 10,000 real digits",
    "generate": "generate the fake images",
    "fake_features": "features of the fake images",
    "fid": "Frechet distance (128-d)",
    "total": "**total**",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", default=None, help="a run folder to generate from (default: none, "
                        "use an untrained generator built from --recipe)")
    parser.add_argument("--recipe", default="dcgan-mnist",
                        help="recipe of the untrained generator when --run is not given (default dcgan-mnist)")
    parser.add_argument("--n", type=int, default=10000, help="generated images (default 10000)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latent vectors and the weights (default 0)")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra- and inter-op threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "fid_speed.json"),
                        help="JSON output (default benchmarks/results/fid_speed.json)")
    return parser.parse_args(argv)


def build_gan(args):
    """(gan, description): the run's GAN, or an untrained one built from the recipe."""
    import keras

    from keras_gans import recipes
    from keras_gans.runs import load_run

    if args.run:
        gan, recipe = load_run(args.run)
        return gan, f"run {args.run} ({recipe.get('description', '')})"
    recipe = recipes.load(args.recipe)
    keras.utils.set_random_seed(args.seed)
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    return gan, f"untrained {args.recipe} (freshly built, seed {args.seed})"


def time_once(gan, n, seed):
    """Seconds of every phase of one FID computation, and the FID value."""
    from keras_gans.metrics import extractors
    from keras_gans.metrics.evaluate import real_samples
    from keras_gans.metrics.extractors import MNISTFeatureExtractor
    from keras_gans.metrics.frechet import frechet_distance

    # The classifier is loaded once per process (an lru_cache): forget it, so every repeat pays
    # the load from disk as a fresh `keras-gans eval` process does.
    if hasattr(extractors._load_classifier, "cache_clear"):
        extractors._load_classifier.cache_clear()
    seconds = {}
    t = time.perf_counter()
    extractor = MNISTFeatureExtractor()
    seconds["extractor"] = time.perf_counter() - t

    t = time.perf_counter()
    real = extractor.features(real_samples("mnist", image_shape=(28, 28, 1)))
    seconds["real_features"] = time.perf_counter() - t

    t = time.perf_counter()
    fake_images = gan.generate(n, seed=seed)
    seconds["generate"] = time.perf_counter() - t

    t = time.perf_counter()
    fake = extractor.features(fake_images)
    seconds["fake_features"] = time.perf_counter() - t

    t = time.perf_counter()
    fid = frechet_distance(real, fake)
    seconds["fid"] = time.perf_counter() - t
    seconds["total"] = sum(seconds[p] for p in PHASES)
    return seconds, float(fid), len(real), len(fake)


def summarize(repeats):
    """{phase: {min, median, max}} over the repeats' second dicts."""
    return {
        phase: {
            "min": min(r[phase] for r in repeats),
            "median": statistics.median(r[phase] for r in repeats),
            "max": max(r[phase] for r in repeats),
        }
        for phase in PHASES + ("total",)
    }


def markdown_table(summary, n_real, n_fake, target=TARGET_SECONDS):
    lines = [
        f"| phase ({n_fake:,} generated vs {n_real:,} real) | min (s) | median (s) |",
        "|---|---:|---:|",
    ]
    for phase in PHASES + ("total",):
        s = summary[phase]
        bold = "**" if phase == "total" else ""
        lines.append(f"| {PHASE_LABELS[phase]} | {bold}{s['min']:.2f}{bold} | {bold}{s['median']:.2f}{bold} |")
    verdict = "met" if summary["total"]["median"] < target else "NOT met"
    lines.append(f"| target | | < {target:.0f} ({verdict}) |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    set_threads(args.threads)
    command = "python " + " ".join([os.path.relpath(os.path.abspath(__file__))] + sys.argv[1:])
    machine = machine_at_start()

    t = time.perf_counter()
    gan, source = build_gan(args)
    setup_seconds = time.perf_counter() - t
    repeats, fids = [], []
    for i in range(args.repeats):
        seconds, fid, n_real, n_fake = time_once(gan, args.n, args.seed)
        repeats.append(seconds)
        fids.append(fid)
        print(f"repeat {i + 1}/{args.repeats}: " + ", ".join(f"{p} {seconds[p]:.2f} s" for p in PHASES)
              + f"; total {seconds['total']:.2f} s (FID {fid:.1f})", file=sys.stderr, flush=True)
    mark_end(machine)
    summary = summarize(repeats)
    table = markdown_table(summary, n_real, n_fake)
    payload = {
        "command": command,
        "what_is_timed": ("per repeat, in one process, nothing cached between repeats: load the MNIST "
                          "extractor + features of the 10,000 bundled real digits + gan.generate(n) + "
                          "features of the n generated images + frechet_distance; not timed: Python/TF "
                          "import and building or loading the GAN (setup_seconds)"),
        "gan": source,
        "n_generated": n_fake,
        "n_real": n_real,
        "repeats": repeats,
        "fid_values": fids,
        "setup_seconds": setup_seconds,
        "summary": summary,
        "target_seconds": TARGET_SECONDS,
        "target_met": summary["total"]["median"] < TARGET_SECONDS,
        "machine": machine,
        "markdown_table": table,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(payload, f, indent=2)
    print(f"\n{source}; building / loading it took {setup_seconds:.1f} s (not timed); "
          f"FID {fids[-1]:.1f}; load average {machine['load_average_start']} -> "
          f"{machine['load_average_end']}\n")
    print(table)
    return payload


if __name__ == "__main__":
    main()
