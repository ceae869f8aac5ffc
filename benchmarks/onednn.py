"""oneDNN kernels on and off: train-step speed of a recipe, with and without XLA, in alternating
processes (`TF_ENABLE_ONEDNN_OPTS` is read when TensorFlow is imported, so each setting needs its
own process).

Each process builds the recipe's model, takes its first batch and runs
`keras_gans.models.jit.measure_steps_per_second` (the measurement `jit_compile="auto"` makes at
the start of a run) with 5 rounds of at least 2 s per way, on 2 threads.

    python benchmarks/onednn.py dcgan-mnist --repeats 2

Writes JSON to `--out` (default benchmarks/results/onednn_<recipe>.json) and prints a Markdown table.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SETTINGS = {"unset (TensorFlow's default)": None, "1 (on)": "1", "0 (off)": "0"}

WORKER = """
import json, os, sys
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from keras_gans import recipes
from keras_gans.models import jit
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(2)
tf.config.threading.set_inter_op_parallelism_threads(2)
jit.MEASURE_ROUNDS, jit.MEASURE_ROUND_SECONDS = 5, 2.0
recipe = recipes.load(sys.argv[1])
model = recipes.compile_model(recipes.build_model(recipe), recipe)
rates = jit.measure_steps_per_second(model, jit.first_batch(recipes.build_dataset(recipe)))
print(json.dumps({"no_xla": rates[False], "xla": rates[True], "effective": os.environ.get("TF_ENABLE_ONEDNN_OPTS")}))
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("recipe", nargs="?", default="dcgan-mnist")
    parser.add_argument("--repeats", type=int, default=2, help="processes per setting (default 2)")
    parser.add_argument("--settings", nargs="+", default=["unset (TensorFlow's default)", "1 (on)"],
                        choices=list(SETTINGS))
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    sys.path.insert(0, HERE)
    import speed  # CPU model and flags, without timing anything

    results = {name: [] for name in args.settings}
    for _ in range(args.repeats):
        for name in args.settings:
            env = {k: v for k, v in os.environ.items() if k != "TF_ENABLE_ONEDNN_OPTS"}
            if SETTINGS[name] is not None:
                env["TF_ENABLE_ONEDNN_OPTS"] = SETTINGS[name]
            # "unset": TensorFlow imported before keras_gans, so keras-gans leaves TensorFlow's default.
            code = ("import tensorflow\n" if SETTINGS[name] is None else "") + WORKER
            line = subprocess.run([sys.executable, "-c", code, args.recipe], env=env, capture_output=True,
                                  text=True, check=True).stdout.strip().splitlines()[-1]
            results[name].append(json.loads(line))
            print(f"{name}: {results[name][-1]}", file=sys.stderr)
    machine = speed.machine_info()
    rows = ["| TF_ENABLE_ONEDNN_OPTS | no XLA steps/s (median) | XLA steps/s (median) | runs (no XLA / XLA) |",
            "|---|---:|---:|---|"]
    summary = {}
    for name, runs in results.items():
        no_xla = statistics.median(r["no_xla"] for r in runs)
        xla = statistics.median(r["xla"] for r in runs)
        summary[name] = {"no_xla": round(no_xla, 2), "xla": round(xla, 2)}
        rows.append(f"| {name} | {no_xla:.2f} | {xla:.2f} | "
                    + ", ".join(f"{r['no_xla']:.2f} / {r['xla']:.2f}" for r in runs) + " |")
    table = "\n".join(rows)
    out = args.out or os.path.join(HERE, "results", f"onednn_{args.recipe}.json")
    speed.write_report(out, {"benchmark": "onednn", "recipe": args.recipe, "machine": machine,
                             "results": results, "medians": summary, "table": table})
    print(f"{machine['cpu']} ({', '.join(machine['cpu_flags'] or [])}), TF {machine['tensorflow']}\n\n{table}\n\nWrote {out}")


if __name__ == "__main__":
    main()
