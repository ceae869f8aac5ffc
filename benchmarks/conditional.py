"""Conditional models on MNIST: conditional accuracy, confident share, intra-class FID, code purity,
and domain FID beside the unconditional `dcgan-mnist` trained for the same number of steps.

For each row and seed (0..`--seeds`-1): train the shipped recipe in-process with
`keras_gans.training.run.train` (what `keras-gans train NAME --seed S` runs) for its own
`train.steps` (a row `NAME@STEPS`, or `--steps` for every row, sets another budget; `dcgan-mnist`
alone trains `cgan-mnist`'s steps, `dcgan-mnist@10000` the projection model's), time it, then score `--n` samples with `keras_gans.metrics.evaluate_run`
(what `keras-gans eval RUN --metrics ...` runs) against the 10,000 bundled digits with the embedded
MNIST classifier:

| row | metrics |
|---|---|
| cgan-mnist, projection-mnist, acgan-mnist | fid, cacc (conditional accuracy, confident share), ifid |
| infogan-mnist | fid, purity (code purity) |
| dcgan-mnist (unconditional, a conditional row's steps) | fid |

The conditional samples are generated for balanced labels (`evaluation_samples`). Each run is
appended to the JSON (`--out`) when it ends; `--resume` skips the (row, steps, seed) runs already there.

    python benchmarks/conditional.py --steps 20 --seeds 1 --n 200 --out /tmp/c.json   # smoke test
    python benchmarks/conditional.py --seeds 3 --rows cgan-mnist,dcgan-mnist --resume  # the table's rows
"""

import argparse
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loss_families import format_mean_std, load_previous, mean_std, write_json  # noqa: E402
from recipe_runs import train_and_score, zoo_card  # noqa: E402
from speed import machine_at_start, machine_summary, mark_end, set_threads  # noqa: E402

#: (row = recipe name, metrics) in table order.
ROWS = (
    ("cgan-mnist", "fid,cacc,ifid"),
    ("projection-mnist", "fid,cacc,ifid"),
    ("acgan-mnist", "fid,cacc,ifid"),
    ("infogan-mnist", "fid,purity"),
    ("dcgan-mnist", "fid"),
)
#: Table columns: (result key, header, scale, digits).
COLUMNS = (
    ("conditional_accuracy", "conditional accuracy %", 100, 1),
    ("confident", "confident (p >= 0.9) %", 100, 1),
    ("intra_fid", "intra-class FID", 1, 1),
    ("code_purity", "code purity %", 100, 1),
    ("fid", "domain FID", 1, 1),
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(r for r, _ in ROWS),
                        help="comma-separated recipes, each NAME or NAME@STEPS (default: all, at their own steps)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument("--from-seed", type=int, default=0, help="start at this seed (e.g. 1 while seed 0's zoo "
                                                                   "build runs; add it later with --zoo-seed0 --resume)")
    parser.add_argument("--steps", type=int, default=None,
                        help="train.steps of every row (default: each recipe's own; dcgan-mnist: cgan-mnist's)")
    parser.add_argument("--n", type=int, default=10000, help="generated samples per run (default 10000)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                                                      "conditional.json"))
    parser.add_argument("--resume", action="store_true", help="keep the runs already in --out")
    parser.add_argument("--zoo-seed0", action="store_true",
                        help="take seed 0 of each row at its recipe's steps from the zoo entry's card (the same "
                             "run: build_zoo.py trains the shipped recipe with seed 0 and evaluates 10,000 samples "
                             "with seed 0, as here) instead of training it again")
    return parser.parse_args(argv)


def run_one(row, metrics, seed, steps, n):
    """Trains recipe `row` with `seed` for `steps` and scores it; returns the run dict."""
    return {"row": row, "seed": seed, **train_and_score(row, [f"train.seed={seed}", f"train.steps={steps}"],
                                                         metrics, n)}


def zoo_seed0_run(row, steps, n):
    """The seed-0 run of `row` as its zoo entry's card records it, or None if the card is of
    another budget (steps, sample count) or missing."""
    card = zoo_card(row, steps, n, 10000)
    if card is None:
        return None
    from keras_gans.metrics.evaluate import RESULT_KEYS

    keys = {key for name in dict(ROWS)[row].split(",") for key in RESULT_KEYS[name]}  # the row's own metrics
    metrics = {k: card["metrics"][k] for k, *_ in COLUMNS if k in card["metrics"] and k in keys}
    return {"row": row, "seed": 0, "steps": steps, "n": n, "train_seconds": card["wall_seconds"],
            "train_cpu_seconds": card["cpu_seconds"], **metrics, "source": card["source"]}


def markdown_table(runs, rows):
    header = "| recipe | " + " | ".join(h for _, h, _, _ in COLUMNS) + " | train time per run, s | seeds |"
    lines = [header, "|---|" + "---:|" * (len(COLUMNS) + 2)]
    for row, steps in rows:
        row_runs = [r for r in runs if r["row"] == row and (steps is None or r["steps"] == steps)]
        if not row_runs:
            continue
        cells = []
        for key, _, scale, digits in COLUMNS:
            values = [r[key] * scale for r in row_runs if key in r]
            cells.append(format_mean_std(*mean_std(values), digits=digits) if values else "–")
        seconds = mean_std([r["train_seconds"] for r in row_runs])[0]
        lines.append(f"| `{row}` ({row_runs[0]['steps']} steps) | " + " | ".join(cells)
                     + f" | {seconds:.0f} | {len(row_runs)} |")
    return "\n".join(lines)


def parse_rows(text, steps=None):
    """`[(row, steps)]` of "NAME" / "NAME@STEPS" items; `steps` None: the recipe's own
    (`dcgan-mnist`: `cgan-mnist`'s, the conditional models' budget)."""
    from keras_gans import recipes

    known = dict(ROWS)
    rows = []
    for item in (i.strip() for i in text.split(",") if i.strip()):
        name, _, budget = item.partition("@")
        if name not in known:
            raise SystemExit(f"unknown row {name!r}: choose from {', '.join(known)}")
        if budget and not budget.isdigit():
            raise SystemExit(f"bad row {item!r}: write NAME@STEPS with a whole number of steps")
        source = "cgan-mnist" if name == "dcgan-mnist" else name
        rows.append((name, int(budget) if budget else steps or int(recipes.load(source)["train"]["steps"])))
    return rows


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    set_threads(args.threads)
    rows = parse_rows(args.rows, args.steps)
    metrics = dict(ROWS)
    previous = load_previous(args.out) if args.resume else None
    runs = [r for r in (previous or {}).get("runs", []) if r["n"] == args.n]
    machine = machine_at_start()
    report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "n": args.n,
              "machine": machine, "runs": runs}
    for row, steps in rows:
        for seed in range(args.from_seed, args.seeds):
            if any(r["row"] == row and r["seed"] == seed and r["steps"] == steps for r in runs):
                continue
            card_run = zoo_seed0_run(row, steps, args.n) if args.zoo_seed0 and seed == 0 else None
            if card_run is not None:
                runs.append(card_run)
                print(f"{row} seed 0: from {card_run['source']}", flush=True)
                continue
            run = run_one(row, metrics[row], seed, steps, args.n)
            runs.append(run)
            print(f"{row} seed {seed}: " + ", ".join(f"{k} {v:.4g}" for k, v in run.items()
                                                     if isinstance(v, float)), flush=True)
            mark_end(machine)
            write_json(args.out, report)
    mark_end(machine)
    write_json(args.out, report)
    print(machine_summary(machine))
    print(markdown_table(runs, rows))


if __name__ == "__main__":
    main()
