"""Mode-coverage benchmark of the 2-D Gaussian mixture recipes (VEEGAN / PacGAN protocol).

For each recipe and seed: train the recipe (in-process, `keras_gans.training.run.train`, into a
temporary run folder, exactly what `keras-gans train NAME --seed S` does), time the training, draw
2,500 samples with `gan.generate` (the EMA generator when the recipe has one), and score them
with `keras_gans.metrics.mode_coverage`: a mode is captured if >= 1 sample lies within 3 sigma of
its centre; high quality (HQ) is the share of samples within 3 sigma of their nearest centre.

    python benchmarks/mixtures.py --recipes ring grid ring-gan grid-gan --seeds 10 \
        --out benchmarks/results/mixtures.json

`--jobs 2 --threads 1` trains two seeds at a time, each in its own process on one thread (on 2
cores that is faster overall than one 2-thread run at a time). Each run records its wall time and
its CPU time: with one thread, the CPU time is what the run costs one dedicated core, whatever
else the machine was doing.

Writes the per-seed and aggregated numbers as JSON, a scatter plot of the first seed of every
recipe next to it (`<recipe>_seed<S>.png`), and prints a Markdown table with the published
reference rows.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import set_threads  # noqa: E402  (benchmarks/speed.py)

#: Samples drawn from the generator, as in VEEGAN and PacGAN.
NUM_SAMPLES = 2500

#: Published reference rows: (model, ring modes, ring HQ %, grid modes, grid HQ %, source).
PUBLISHED = [
    ("GAN", 1.0, 99.3, 3.3, 0.5, "PacGAN Table 1 (from VEEGAN Table 1)"),
    ("PacGAN4", 7.8, 95.9, 24.8, 93.6, "PacGAN Table 1"),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", nargs="+", default=["ring", "grid", "ring-gan", "grid-gan"],
                        help="recipe names or YAML paths (default: ring grid ring-gan grid-gan)")
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per recipe (default 10)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--steps", type=int, default=None, help="override train.steps of every recipe")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="recipe override applied to every recipe (like keras-gans train --set)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "mixtures.json"),
                        help="JSON output (default benchmarks/results/mixtures.json)")
    parser.add_argument("--append", action="store_true",
                        help="keep the other recipes already in --out (e.g. to add baselines run with "
                             "fewer seeds) and put every recipe in the table")
    parser.add_argument("--no-plots", action="store_true", help="do not write scatter plots")
    parser.add_argument("--jobs", type=int, default=1, help="seeds trained at the same time, one process each")
    parser.add_argument("--threads", type=int, default=0,
                        help="TensorFlow intra/inter-op threads per run (0: TensorFlow's default)")
    parser.add_argument("--sample-seed", type=int, default=1234,
                        help="seed of the 2,500 latent vectors scored (default 1234)")
    return parser.parse_args(argv)


def run_one(recipe, seed, sample_seed, plot_path=None):
    """Trains `recipe` with `seed`; returns a dict of modes, hq, wall time and the mode histogram."""
    import keras

    from keras_gans.data import mixture_for
    from keras_gans.metrics.mode_coverage import mode_coverage, mode_histogram
    from keras_gans.training.run import train
    from keras_gans.utils.images import save_scatter

    keras.backend.clear_session()
    recipe = dict(recipe)
    recipe["train"] = dict(recipe["train"], seed=seed)
    mixture = mixture_for(recipe["data"])
    if mixture is None:
        raise SystemExit(f"recipe {recipe.get('description')!r} does not train on a 2-D mixture")
    out = tempfile.mkdtemp(prefix="mixtures-bench-")
    try:
        start, cpu_start = time.time(), time.process_time()
        gan, _ = train(recipe, out, verbose=0, log=lambda *a: None)
        seconds, cpu_seconds = time.time() - start, time.process_time() - cpu_start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    generator_only = {}
    if getattr(gan, "rejection", None) is None:  # InfoGAN has no rejection sampler
        samples = gan.generate(NUM_SAMPLES, seed=sample_seed)
    else:  # What gan.generate returns (same seed), its acceptance rate, and the generator alone.
        samples, stats = gan.rejection_sample(NUM_SAMPLES, seed=sample_seed)
        raw = gan.generate(NUM_SAMPLES, seed=sample_seed, rejection=False)
        raw_modes, raw_hq = mode_coverage(raw, mixture.centers, mixture.sigma)
        generator_only = {"generator_modes": raw_modes, "generator_hq": raw_hq,
                          "rejection_acceptance": stats["acceptance"]}
    modes, hq = mode_coverage(samples, mixture.centers, mixture.sigma)
    histogram = mode_histogram(samples, mixture.centers, mixture.sigma)
    if plot_path:
        save_scatter(plot_path, samples, mixture.centers,
                     title=f"seed {seed}: {modes}/{mixture.num_modes} modes, {100 * hq:.1f}% HQ")
    return {
        "seed": seed,
        "modes": modes,
        "num_modes": mixture.num_modes,
        "hq": hq,
        "train_seconds": seconds,
        "train_cpu_seconds": cpu_seconds,
        "histogram": histogram.tolist(),
        "finite": bool(np.all(np.isfinite(samples))),
        **generator_only,
    }


def _run_in_worker(job):
    recipe, seed, sample_seed, plot = job
    return run_one(recipe, seed, sample_seed, plot)


def run_seeds(recipe, seeds, sample_seed, plots, jobs=1, threads=0):
    """`run_one` for every seed, `jobs` at a time (separate processes when jobs > 1), in seed order."""
    work = [(recipe, seed, sample_seed, plots.get(seed)) for seed in seeds]
    if jobs <= 1:
        set_threads(threads)
        for job in work:
            yield _run_in_worker(job)
        return
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # a fresh TensorFlow in each worker
    with context.Pool(jobs, initializer=set_threads, initargs=(threads,), maxtasksperchild=1) as pool:
        yield from pool.imap(_run_in_worker, work)


def summarize(runs):
    modes = np.array([r["modes"] for r in runs], "float64")
    hq = np.array([r["hq"] for r in runs], "float64") * 100.0
    seconds = np.array([r["train_seconds"] for r in runs], "float64")
    cpu = np.array([r.get("train_cpu_seconds", np.nan) for r in runs], "float64")
    summary = {}
    if all("generator_hq" in r for r in runs):  # Recipes with rejection sampling: without it too.
        raw_modes = np.array([r["generator_modes"] for r in runs], "float64")
        raw_hq = np.array([r["generator_hq"] for r in runs], "float64") * 100.0
        acceptance = np.array([r["rejection_acceptance"] for r in runs], "float64") * 100.0
        summary = {"generator_modes_mean": float(raw_modes.mean()), "generator_modes_std": float(raw_modes.std()),
                   "generator_hq_percent_mean": float(raw_hq.mean()), "generator_hq_percent_std": float(raw_hq.std()),
                   "acceptance_percent_mean": float(acceptance.mean()),
                   "acceptance_percent_min": float(acceptance.min())}
    return {
        **summary,
        "seeds": len(runs),
        "modes_mean": float(modes.mean()),
        "modes_std": float(modes.std()),
        "modes_min": int(modes.min()),
        "hq_percent_mean": float(hq.mean()),
        "hq_percent_std": float(hq.std()),
        "hq_percent_min": float(hq.min()),
        "train_seconds_mean": float(seconds.mean()),
        "train_seconds_max": float(seconds.max()),
        "train_cpu_seconds_mean": float(cpu.mean()),
        "train_cpu_seconds_max": float(cpu.max()),
    }


def markdown_table(results):
    lines = [
        "| recipe | modes (mean ± std) | HQ % (mean ± std) | min modes | min HQ % | wall time per run (s) | CPU time per run (s) | seeds |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, entry in results.items():
        s = entry["summary"]
        n = entry["runs"][0]["num_modes"]
        lines.append(
            f"| `{name}` ({entry['mixture']}, {entry['steps']} steps) | {s['modes_mean']:.1f} ± {s['modes_std']:.1f} / {n} "
            f"| {s['hq_percent_mean']:.1f} ± {s['hq_percent_std']:.1f} | {s['modes_min']} | {s['hq_percent_min']:.1f} "
            f"| {s['train_seconds_mean']:.0f} (max {s['train_seconds_max']:.0f}) "
            f"| {_seconds(s.get('train_cpu_seconds_mean'))} (max {_seconds(s.get('train_cpu_seconds_max'))}) | {s['seeds']} |"
        )
        if "generator_hq_percent_mean" in s:
            lines.append(
                f"| `{name}` generator alone (no rejection; DRS accepted {s['acceptance_percent_mean']:.0f}% "
                f"of samples, min {s['acceptance_percent_min']:.0f}%) "
                f"| {s['generator_modes_mean']:.1f} ± {s['generator_modes_std']:.1f} / {n} "
                f"| {s['generator_hq_percent_mean']:.1f} ± {s['generator_hq_percent_std']:.1f} | | | | | |"
            )
    for model, ring_modes, ring_hq, grid_modes, grid_hq, source in PUBLISHED:
        lines.append(f"| {model}, published ({source}), ring | {ring_modes} / 8 | {ring_hq} | | | | | |")
        lines.append(f"| {model}, published ({source}), grid | {grid_modes} / 25 | {grid_hq} | | | | | |")
    return "\n".join(lines)


def _seconds(value):
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.0f}"


def main(argv=None):
    args = parse_args(argv)
    from keras_gans import recipes
    from keras_gans.data import mixture_for

    overrides = list(args.set)
    if args.steps is not None:
        overrides.append(f"train.steps={args.steps}")
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    results, commands = {}, []
    if args.append and os.path.isfile(args.out):
        with open(args.out) as f:
            previous = json.load(f)
        results = previous.get("results", {})
        commands = previous.get("commands") or ([previous["command"]] if "command" in previous else [])
    args.commands = commands + ["python " + " ".join([os.path.relpath(__file__)] + sys.argv[1:])]
    started = time.time()
    for name in args.recipes:
        recipe = recipes.apply_overrides(recipes.load(name), overrides)
        label = os.path.splitext(os.path.basename(name))[0]
        mixture = mixture_for(recipe["data"])
        runs = []
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        plots = {} if args.no_plots else {args.first_seed: os.path.join(out_dir, f"{label}_seed{args.first_seed}.png")}
        for run in run_seeds(recipe, seeds, args.sample_seed, plots, jobs=args.jobs, threads=args.threads):
            seed = run["seed"]
            runs.append(run)
            raw = (f" (generator alone: {run['generator_modes']} modes, {100 * run['generator_hq']:.2f}% HQ)"
                   if "generator_hq" in run else "")
            print(f"{label} seed {seed}: {run['modes']}/{run['num_modes']} modes, "
                  f"{100 * run['hq']:.2f}% HQ{raw}, {run['train_seconds']:.1f} s", flush=True)
        results[label] = {
            "recipe": recipe,
            "mixture": mixture.name,
            "steps": recipe["train"]["steps"],
            "runs": runs,
            "summary": summarize(runs),
        }
        _write(args, results, started)
    table = markdown_table(results)
    print()
    print(table)
    _write(args, results, started, table)
    return results


def _write(args, results, started, table=None):
    import keras
    import tensorflow as tf

    payload = {
        "protocol": (f"{NUM_SAMPLES} samples from the (EMA) generator (`gan.generate`, with the recipe's "
                     "discriminator rejection sampling when it has one); a mode is captured if >= 1 "
                     "sample lies within 3 sigma of its centre; HQ = share of samples within 3 sigma "
                     "of the nearest centre"),
        "commands": args.commands,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "jobs": args.jobs,
            "threads": args.threads or "default",
            "platform": platform.platform(),
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
        },
        "sample_seed": args.sample_seed,
        "seconds_of_last_command": time.time() - started,
        "published": [dict(zip(("model", "ring_modes", "ring_hq_percent", "grid_modes",
                                "grid_hq_percent", "source"), row)) for row in PUBLISHED],
        "results": results,
    }
    if table is not None:
        payload["markdown_table"] = table
    with open(args.out, "w") as f:
        json.dump(payload, f, indent=2)


if __name__ == "__main__":
    main()
