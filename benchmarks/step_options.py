"""Speed of a recipe's train step with and without reused fakes and several steps per call.

Builds the recipe's model four times from the same seed, with `reuse_fakes` False / True and
`steps_per_execution` 1 / K, and times `GAN.fit` of `--steps` steps on the recipe's own
pipeline in one process, the four alternating for `--rounds` rounds (the order reversed every
other round) after a warm-up fit each. XLA is off in all four (`--jit` turns it on), so the
comparison is of the two options alone. Reported per variant: the median steps/s and process
CPU ms per step, and the speed-up over the plain step (fresh z, one step per call).

    python benchmarks/step_options.py dcgan-mnist
    python benchmarks/step_options.py dcgan-mnist --steps 300 --rounds 4 --steps-per-execution 10

Writes JSON to `--out` (default benchmarks/results/step_options.json) and prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time

import keras_gans  # noqa: F401  (first: its CPU-kernel choice is made before TensorFlow loads, as for users)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from speed import finish_report, machine_at_start  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe", nargs="?", default="dcgan-mnist", help="shipped recipe (default dcgan-mnist)")
    parser.add_argument("--steps", type=int, default=300, help="timed steps per fit (default 300)")
    parser.add_argument("--rounds", type=int, default=4, help="timed rounds of the four variants (default 4)")
    parser.add_argument("--steps-per-execution", type=int, default=10, metavar="K",
                        help="steps per call of the other variants (default 10, what train's 'auto' takes at most)")
    parser.add_argument("--jit", action="store_true", help="XLA on in all four (default off)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "step_options.json"),
                        help="JSON output (default benchmarks/results/step_options.json)")
    return parser.parse_args(argv)


def build_variants(recipe_name, k, jit_compile):
    """`{(reuse_fakes, steps_per_execution): compiled model}` and the recipe's repeated dataset."""
    import keras

    from keras_gans import recipes

    recipe = recipes.load(recipe_name)
    dataset = recipes.build_dataset(recipe).repeat()
    models = {}
    for reuse in (False, True):
        for steps_per_execution in (1, k):
            keras.utils.set_random_seed(recipe["train"]["seed"])
            variant = recipes.apply_overrides(recipe, [f"compile.reuse_fakes={str(reuse).lower()}"])
            model = recipes.compile_model(recipes.build_model(variant), variant, jit_compile=jit_compile)
            model.steps_per_execution = steps_per_execution  # as compile(steps_per_execution=...) sets it
            models[(reuse, steps_per_execution)] = model
    return models, dataset


def main(argv=None):
    args = parse_args(argv)
    machine = machine_at_start()
    models, dataset = build_variants(args.recipe, args.steps_per_execution, args.jit)
    for model in models.values():  # tracing and the first steps: not timed
        model.fit(dataset, epochs=1, steps_per_epoch=2 * args.steps_per_execution, verbose=0)
    runs = {key: [] for key in models}
    for round_index in range(args.rounds):
        order = list(models.items()) if round_index % 2 == 0 else list(models.items())[::-1]
        for key, model in order:
            start, start_cpu = time.perf_counter(), time.process_time()
            model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0)
            runs[key].append((args.steps / (time.perf_counter() - start),
                              1000.0 * (time.process_time() - start_cpu) / args.steps))
            print(f"  round {round_index + 1}/{args.rounds} reuse_fakes={key[0]} steps_per_execution={key[1]}: "
                  f"{runs[key][-1][0]:.2f} steps/s", file=sys.stderr)
    plain = statistics.median(rate for rate, _ in runs[(False, 1)])
    results = []
    for (reuse, k), values in runs.items():
        median = statistics.median(rate for rate, _ in values)
        results.append({"reuse_fakes": reuse, "steps_per_execution": k, "steps_per_second": [round(r, 3) for r, _ in values],
                        "median": round(median, 3), "speedup": round(median / plain, 3),
                        "median_cpu_ms_per_step": round(statistics.median(c for _, c in values), 1)})
    head = f"{args.recipe}, XLA {'on' if args.jit else 'off'}, {args.steps} steps per fit"
    lines = [f"| variant ({head}) | steps/s (median) | / plain step | CPU ms/step (median) | runs (steps/s) |",
             "|---|---:|---:|---:|---|"]
    for r in results:
        name = f"reuse_fakes={r['reuse_fakes']}, steps_per_execution={r['steps_per_execution']}"
        lines.append(f"| {name} | {r['median']:.2f} | {r['speedup']:.2f}x | {r['median_cpu_ms_per_step']:.1f} | "
                     f"{', '.join(f'{v:.2f}' for v in r['steps_per_second'])} |")
    table = "\n".join(lines)
    finish_report(args.out, "step_options", machine, vars(args), results, table)
    return results


if __name__ == "__main__":
    main()
