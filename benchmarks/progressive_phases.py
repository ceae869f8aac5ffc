"""Speed of each phase of a progressively grown GAN (ProGAN): steps/s and images/s per resolution.

For each phase of the recipe's schedule (each resolution alone, and each fade-in half way), the
model's step counter is set to that phase's first step, so that `ProgressiveGAN.train_step` sets
the level of detail of that phase, and `--steps` steps of `fit` are timed after `--warmup`
steps (tracing, the first batches); `--repeats` rounds go through every phase in turn. Reported:
the median steps/s and images/s of each phase, and the CPU time per step.

The networks are built at the full resolution with every block (see
`keras_gans/networks/progan.py`), so every phase computes the same operations: this measures
that the phases cost the same, where the paper's growing networks made the early ones cheaper.

    python benchmarks/progressive_phases.py                               # progan-mnist, 1 thread
    python benchmarks/progressive_phases.py --steps 5 --repeats 1 --out /tmp/p.json   # smoke test
    python benchmarks/progressive_phases.py --threads 0 --set compile.reuse_fakes=auto  # a variant, 2 cores

Writes JSON to `--out` (default benchmarks/results/progressive_phases.json) and prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import finish_report, machine_at_start, set_threads  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="progan-mnist", help="a recipe with model.type progan")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per phase and round (default 40)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="rounds over every phase (default 3)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", dest="overrides",
                        help="override a recipe value as `keras-gans train --set` does (repeatable)")
    parser.add_argument("--threads", type=int, default=1, help="TF threads (default 1; 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "progressive_phases.json"))
    return parser.parse_args(argv)


def phases(model):
    """`(label, first step)` of every phase: each resolution alone, each fade-in at its middle."""
    found, length = [], model.stable_steps + model.fade_steps
    for level in range(model.levels):
        res = 4 * 2**level
        found.append((f"{res}x{res}", level * length))
        if level + 1 < model.levels and model.fade_steps:
            found.append((f"{res}x{res} -> {2 * res}x{2 * res} fade-in", level * length + model.stable_steps
                          + model.fade_steps // 2))
    return found


def markdown_table(results, recipe, batch):
    lines = [f"| `{recipe}` phase (batch {batch}) | level of detail | steps/s (median) | images/s | CPU ms/step |",
             "|---|---:|---:|---:|---:|"]
    for row in results:
        lines.append(f"| {row['phase']} | {row['lod']:g} | {row['steps_per_second']:.2f} | "
                     f"{row['images_per_second']:.0f} | {row['cpu_ms_per_step']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras_gans  # noqa: F401  (its oneDNN choice applies before TensorFlow loads, as for users)

    set_threads(args.threads)
    machine = machine_at_start()
    from keras_gans import recipes

    recipe = recipes.apply_overrides(recipes.load(args.recipe), args.overrides)
    model = recipes.compile_model(recipes.build_model(recipe), recipe)
    if not hasattr(model, "stable_steps"):
        raise SystemExit(f"{args.recipe} is not a progressive recipe (model.type progan)")
    model.jit_compile = False  # what "auto" keeps on this machine's CPUs (XLA measured slower or failing)
    dataset = recipes.build_dataset(recipe)
    batch = recipe["train"]["batch_size"]
    timings = {label: {"wall": [], "cpu": []} for label, _ in phases(model)}
    model.fit(dataset, epochs=1, steps_per_epoch=args.warmup, verbose=0)
    for _ in range(args.repeats):
        for label, step in phases(model):
            model.step_counter.assign(step)
            model.fit(dataset, epochs=1, steps_per_epoch=args.warmup, verbose=0)  # the new level's first steps
            model.step_counter.assign(step)
            wall, cpu = time.perf_counter(), time.process_time()
            model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0)
            timings[label]["wall"].append((time.perf_counter() - wall) / args.steps)
            timings[label]["cpu"].append((time.process_time() - cpu) / args.steps)
    results = []
    for label, step in phases(model):
        seconds = statistics.median(timings[label]["wall"])
        results.append({"phase": label, "first_step": step, "lod": float(model.lod_at(step)),
                        "steps_per_second": 1.0 / seconds, "images_per_second": batch / seconds,
                        "cpu_ms_per_step": 1000 * statistics.median(timings[label]["cpu"]),
                        "runs_steps_per_second": [1.0 / s for s in timings[label]["wall"]]})
    return finish_report(args.out, "progressive_phases", machine, vars(args), results,
                         markdown_table(results, args.recipe, batch))


if __name__ == "__main__":
    main()
