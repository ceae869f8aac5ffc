"""Input pipeline: batches/s the dcgan-mnist tf.data pipeline delivers alone vs the steps/s GAN.fit consumes.

The pipeline is the recipe's own: `keras_gans.recipes.build_dataset(recipe)`, i.e.
`keras_gans.data.make_dataset({"name": "mnist"}, 64, image_shape=(28, 28, 1), seed=0)`, which is
`mnist_dataset`: the 10,000 bundled digits as uint8 in memory (`from_tensor_slices`), `shuffle`
(buffer 10,000, reshuffled every pass), `repeat`, `batch(64, drop_remainder=True)`, a parallel
`map` (uint8 -> float32 in [-1, 1], once per batch) and `prefetch(AUTOTUNE)`; there is no
`.cache()` (the digits are in memory already; the map runs again on every batch). The JSON lists
the dataset ops as found in the built pipeline.

Timed, after `--warmup` untimed batches / steps:

* **pipeline, Python iteration**: `next(iterator)` in a Python loop for `--batches` batches (each
  batch an EagerTensor, as a hand-written loop gets it);
* **pipeline, in graph**: `next(iterator)` in a `tf.range` loop of one `tf.function` (what `fit`
  does: its train function calls `next` on the iterator inside a `tf.function`), no Python per
  batch;
* **first batch**: seconds from a fresh iterator to its first batch (the 10,000-digit shuffle
  buffer fills first), a one-off cost per iterator;
* **training**: `GAN.fit` of the dcgan-mnist recipe (its networks, loss, Adams and EMA, built and
  compiled by `keras_gans.recipes` exactly as `keras-gans train` does, without the per-epoch
  callbacks) for `--steps` steps per repeat on the same pipeline.

Reported: medians over `--repeats`, and pipeline batches/s / training steps/s against the target of
GitHub issue 6 (the pipeline delivers at least 10x what training consumes, so it never starves it).

    python benchmarks/input_pipeline.py                                   # full run
    python benchmarks/input_pipeline.py --batches 200 --steps 5 --repeats 1 --out /tmp/ip.json  # smoke

Writes JSON to `--out` (default benchmarks/results/input_pipeline.json) and prints a Markdown table.
"""

import argparse
import os
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
#: GitHub issue 6: the input pipeline delivers at least this many times the train steps/s.
TARGET_RATIO = 10.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipe", default="dcgan-mnist", help="recipe (default dcgan-mnist)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64, the recipe's)")
    parser.add_argument("--batches", type=int, default=3000,
                        help="timed batches per pipeline repeat (default 3000)")
    parser.add_argument("--steps", type=int, default=200, help="timed train steps per repeat (default 200)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="untimed batches / train steps before timing (default 20)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats of each (default 3)")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra- and inter-op threads (default 0: TensorFlow's choice, as keras-gans train)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "input_pipeline.json"),
                        help="JSON output (default benchmarks/results/input_pipeline.json)")
    return parser.parse_args(argv)


def pipeline_ops(dataset):
    """Names of the dataset ops from the last to the source (private tf.data attributes; best effort)."""
    names, node = [], dataset
    while node is not None and len(names) < 50:
        names.append(type(node).__name__.lstrip("_"))
        node = getattr(node, "_input_dataset", None)
    return names[::-1]


def time_python_iteration(dataset, warmup, batches):
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(batches):
        batch = next(iterator)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    assert batch.shape[0] > 0
    return batches / elapsed, 1000 * cpu / batches


def time_in_graph(dataset, warmup, batches):
    """`next(iterator)` in a `tf.while_loop` of one `tf.function`, as `fit`'s train function does."""
    import tensorflow as tf

    iterator = iter(dataset)

    @tf.function
    def consume(n):
        total = tf.constant(0.0)
        for _ in tf.range(n):
            total += next(iterator)[0, 0, 0, 0]  # Uses every batch, so none is optimised away.
        return total

    float(consume(tf.constant(warmup)))
    start, start_cpu = time.perf_counter(), time.process_time()
    float(consume(tf.constant(batches)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return batches / elapsed, 1000 * cpu / batches


def time_first_batch(dataset):
    """Seconds from a fresh iterator to its first batch (the shuffle buffer fills first)."""
    start = time.perf_counter()
    next(iter(dataset))
    return time.perf_counter() - start


def markdown_table(report):
    s, r = report["settings"], report["results"]
    lines = [
        f"| {s['recipe']}, batch {s['batch_size']} | median | runs | CPU ms per batch / step | "
        "pipeline / training |",
        "|---|---:|---|---:|---:|",
    ]
    for key, label, unit in (("python", "tf.data pipeline alone, Python `next()`", "batches/s"),
                             ("graph", "tf.data pipeline alone, in a `tf.function` loop", "batches/s"),
                             ("training", "GAN.fit training", "steps/s")):
        runs = ", ".join(f"{v:.1f}" for v in r[key]["per_second"])
        ratio = report["ratios"].get(key)
        lines.append(f"| {label} | {r[key]['median']:.1f} {unit} | {runs} | {r[key]['median_cpu_ms']:.2f} | "
                     f"{'-' if ratio is None else f'{ratio:.0f}x'} |")
    worst = min(report["ratios"].values())
    lines += ["", f"A fresh iterator's first batch (shuffle buffer fill): {r['first_batch_seconds']['median']:.2f} s.",
              "", f"Target (issue 6): pipeline >= {TARGET_RATIO:.0f}x the train steps/s: "
              f"**{'met' if worst >= TARGET_RATIO else 'not met'}** (lowest ratio {worst:.0f}x)."]
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed.*")
    sys.path.insert(0, HERE)
    import speed  # benchmarks/speed.py: threads, machine info and load

    speed.set_threads(args.threads)
    import keras

    from keras_gans import recipes

    machine = speed.machine_at_start()
    print(f"load average at start: {machine['load_average_start']}", file=sys.stderr)

    recipe = recipes.load(args.recipe)
    recipe["train"]["batch_size"] = args.batch_size
    recipe = recipes.validate(recipe)
    dataset = recipes.build_dataset(recipe)
    results = {key: {"per_second": [], "cpu_ms": []} for key in ("python", "graph", "training")}

    first_batch = []
    for repeat in range(args.repeats):
        first_batch.append(round(time_first_batch(dataset), 3))
        for key, timer in (("python", time_python_iteration), ("graph", time_in_graph)):
            rate, cpu_ms = timer(dataset, args.warmup, args.batches)
            results[key]["per_second"].append(round(rate, 1))
            results[key]["cpu_ms"].append(round(cpu_ms, 3))
            print(f"  repeat {repeat + 1}/{args.repeats} pipeline ({key}): {rate:.1f} batches/s", file=sys.stderr)

    keras.utils.set_random_seed(recipe["train"]["seed"])
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    gan.fit(dataset, epochs=1, steps_per_epoch=args.warmup, verbose=0, shuffle=False)
    for repeat in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        gan.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0, shuffle=False)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        results["training"]["per_second"].append(round(args.steps / elapsed, 2))
        results["training"]["cpu_ms"].append(round(1000 * cpu / args.steps, 1))
        print(f"  repeat {repeat + 1}/{args.repeats} training: {args.steps / elapsed:.2f} steps/s", file=sys.stderr)

    for r in results.values():
        r["median"] = round(statistics.median(r["per_second"]), 2)
        r["median_cpu_ms"] = round(statistics.median(r["cpu_ms"]), 3)
    train = results["training"]["median"]
    ratios = {key: round(results[key]["median"] / train, 1) for key in ("python", "graph")}
    results["first_batch_seconds"] = {"runs": first_batch, "median": round(statistics.median(first_batch), 3)}
    speed.mark_end(machine)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    settings["pipeline_ops"] = pipeline_ops(dataset)
    settings["recipe_resolved"] = recipe
    report = {"benchmark": "input_pipeline", "machine": machine, "settings": settings, "results": results,
              "ratios": ratios, "target": {"pipeline_over_training": TARGET_RATIO,
                                           "met": min(ratios.values()) >= TARGET_RATIO}}
    report["table"] = markdown_table(report)
    speed.write_report(args.out, report)
    print(f"\n{speed.machine_summary(machine)}\n")
    print("pipeline: " + " -> ".join(settings["pipeline_ops"]) + "\n")
    print(report["table"])
    print(f"\nWrote {args.out}")
    return report


if __name__ == "__main__":
    main()
