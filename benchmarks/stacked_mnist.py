"""Stacked MNIST (1,000 modes): modes covered and KL to uniform over seeds, beside the published rows.

For each row and seed (0..`--seeds`-1): train the shipped recipe `stacked-mnist` (with the row's
`--set` overrides) in-process with `keras_gans.training.run.train` (what `keras-gans train
stacked-mnist --seed S` runs), time it, then score `--n` samples (seed 0) with
`keras_gans.metrics.evaluate_run(metrics="stacked")` (what `keras-gans eval RUN` runs on Stacked
MNIST): each channel of each sample is classified by the bundled MNIST classifier, the triple is
the sample's mode; modes covered (of 1000) and KL(samples' mode histogram || uniform).

Published rows (26,000 or 25,600 samples, their own pre-trained MNIST classifiers): VEEGAN
(arXiv 1705.07761) Table 2 and PacGAN (arXiv 1712.04086) Table 3. Goal of the recipe:
>= 990 modes and KL <= 0.1.

Each run is appended to the JSON (`--out`) when it ends; `--resume` skips the (row, seed) runs
already there; `--zoo-seed0` takes seed 0 of the shipped row from `saved_models/stacked-mnist/card.json`
(`benchmarks/build_zoo.py stacked-mnist` trains and scores that same run).

    python benchmarks/stacked_mnist.py --steps 20 --seeds 1 --n 500 --out /tmp/s.json   # smoke test
    python benchmarks/stacked_mnist.py --seeds 3 --zoo-seed0 --resume                    # the table
"""

import argparse
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loss_families import format_mean_std, load_previous, mean_std, write_json  # noqa: E402
from recipe_runs import train_and_score, zoo_card  # noqa: E402
from speed import machine_at_start, machine_summary, mark_end, set_threads  # noqa: E402

RECIPE = "stacked-mnist"
#: Published rows: (method, modes, KL, source).
PUBLISHED = (
    ("DCGAN", "99", "3.4", "VEEGAN Table 2"),
    ("VEEGAN", "150", "2.95", "VEEGAN Table 2"),
    ("PacDCGAN2", "1000", "0.06", "PacGAN Table 3"),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--row", default="shipped", help="the row's name in the table (default: shipped)")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        help="a recipe override KEY=VALUE of this row (repeatable), as `keras-gans train --set`")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--from-seed", type=int, default=0,
                        help="start at this seed (two processes can train seeds 1 and 2 at once into one --out)")
    parser.add_argument("--steps", type=int, default=None, help="train.steps (default: the recipe's)")
    parser.add_argument("--n", type=int, default=25600, help="generated samples per run (default 25,600)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                                                      "stacked_mnist.json"))
    parser.add_argument("--resume", action="store_true", help="keep the runs already in --out")
    parser.add_argument("--zoo-seed0", action="store_true",
                        help="seed 0 of the shipped row from the zoo entry's card instead of training it again")
    return parser.parse_args(argv)


def run_one(row, overrides, seed, steps, n):
    """Trains `stacked-mnist` with `overrides` and `seed` (for `steps`) and scores it; the run dict."""
    budget = [] if steps is None else [f"train.steps={steps}"]
    run = train_and_score(RECIPE, [*overrides, f"train.seed={seed}", *budget], "stacked", n)
    return {"row": row, "overrides": overrides, "seed": seed, **run}


def zoo_seed0_run(steps, n):
    """The shipped row's seed 0 as the zoo card records it, or None (no card, another budget)."""
    card = zoo_card(RECIPE, steps, n, 25600)
    if card is None:
        return None
    metrics = {k: v for k, v in card["metrics"].items() if k.startswith("stacked_")}
    return {"row": "shipped", "overrides": [], "seed": 0, "steps": card["steps"], "n": n,
            "train_seconds": card["wall_seconds"], "train_cpu_seconds": card["cpu_seconds"], **metrics,
            "source": card["source"]}


def markdown_table(runs):
    lines = ["| row | steps | modes (of 1000) | KL to uniform | channels confident % | train time per run, s | "
             "seeds |", "|---|---:|---:|---:|---:|---:|---:|"]
    for row in dict.fromkeys(r["row"] for r in runs):
        row_runs = [r for r in runs if r["row"] == row]
        modes = format_mean_std(*mean_std([r["stacked_modes"] for r in row_runs]), digits=1)
        kl = format_mean_std(*mean_std([r["stacked_kl"] for r in row_runs]), digits=3)
        confident = format_mean_std(*mean_std([100 * r["stacked_confident"] for r in row_runs]), digits=1)
        seconds = mean_std([r["train_seconds"] for r in row_runs])[0]
        lines.append(f"| {row} | {row_runs[0]['steps']} | {modes} | {kl} | {confident} | {seconds:.0f} | "
                     f"{len(row_runs)} |")
    for method, modes, kl, source in PUBLISHED:
        lines.append(f"| {method} ({source}) | | {modes} | {kl} | | | |")
    return "\n".join(lines)


def write_merged(path, report):
    """Writes `report` with the runs another process wrote to `path` meanwhile (other seeds) kept."""
    mine = {(r["row"], r["seed"]) for r in report["runs"]}
    theirs = [r for r in (load_previous(path) or {}).get("runs", [])
              if (r["row"], r["seed"]) not in mine and r["n"] == report["n"]]
    report["runs"].extend(theirs)
    report["runs"].sort(key=lambda r: (r["row"], r["seed"]))
    write_json(path, report)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    set_threads(args.threads)
    previous = load_previous(args.out) if args.resume else None
    runs = [r for r in (previous or {}).get("runs", []) if r["n"] == args.n]
    machine = machine_at_start()
    report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "n": args.n,
              "machine": machine, "runs": runs}
    for seed in range(args.from_seed, args.seeds):
        if any(r["row"] == args.row and r["seed"] == seed for r in runs):
            continue
        card_run = zoo_seed0_run(args.steps, args.n) if args.zoo_seed0 and seed == 0 and not args.overrides else None
        run = card_run or run_one(args.row, args.overrides, seed, args.steps, args.n)
        runs.append(run)
        print(f"{args.row} seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in run.items()
                                                      if k.startswith(("stacked_", "train_seconds"))), flush=True)
        mark_end(machine)
        write_merged(args.out, report)
    mark_end(machine)
    write_merged(args.out, report)
    print(machine_summary(machine))
    print(markdown_table(runs))


if __name__ == "__main__":
    main()
