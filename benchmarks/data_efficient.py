"""Data-efficient training: MNIST recipes trained on a few hundred digits, with and without augmentation.

For each recipe, number of digits, augmentation and seed: train the shipped recipe as
`keras-gans train NAME --set data.digits=N [--set compile.augment=[{name: AUG}]]` does (the first
N digits of a fixed permutation of the 10,000 bundled ones; DiffAugment applied to every
discriminator input; ADA's adaptive augmentation with `ada`), then score 10,000 samples against all 10,000 digits as
`keras-gans eval RUN --metrics fid,classes` does: domain FID, the share classified with
probability >= 0.9 and the smallest / largest class share. With few digits D memorises them and
G's samples degrade; the augmentation is meant to prevent it (Zhao et al. 2020, Karras et al. 2020).

    python benchmarks/data_efficient.py --recipes dcgan-mnist --digits 500 --augment none,diff_augment,ada
    python benchmarks/data_efficient.py --recipes dcgan-mnist --digits 100 --augment diff_augment --steps 20 --out /tmp/d.json

Writes JSON to `--out` (default benchmarks/results/data_efficient.json), each run's final 8x8 sample
grid (EMA generator, seed 0) to `--grids` (default benchmarks/results/data_efficient/), and prints a
Markdown table; ADA rows give the augmentation probability p at the end. Runs made in separate
processes (one core each) are put together with `--merge`, which writes one report and, with
`--plot`, the curve plot: per recipe, the confident share and domain FID against the number of
digits, one line per augmentation:

    python benchmarks/data_efficient.py --merge a.json b.json --out all.json --plot all.png
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plot import draw_panels  # noqa: E402  (benchmarks/plot.py)
from speed import finish_report, machine_at_start, set_threads, write_report  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", default="dcgan-mnist,sngan-mnist", help="comma-separated MNIST recipes")
    parser.add_argument("--digits", default="500,1000,2000", help="comma-separated training-set sizes")
    parser.add_argument("--augment", default="none,diff_augment",
                        help="comma-separated discriminator-input transforms (keras_gans.augment names) or none")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (default 1)")
    parser.add_argument("--steps", type=int, default=None, help="train.steps of every run (default: the recipe's)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "data_efficient.json"))
    parser.add_argument("--grids", default=os.path.join("benchmarks", "results", "data_efficient"),
                        help="folder of the runs' final sample grids")
    parser.add_argument("--merge", nargs="+", metavar="JSON", default=None,
                        help="put these reports' runs together into --out (and --plot) instead of training")
    parser.add_argument("--plot", default=None, metavar="PNG",
                        help="draw the confident share and domain FID against the number of digits")
    return parser.parse_args(argv)


def run_one(name, digits, augment, seed, steps, grids):
    """Trains one configuration into a temporary run folder, writes its final grid to `grids`;
    returns its row."""
    import keras
    from PIL import Image

    from keras_gans import recipes
    from keras_gans.metrics.evaluate import evaluate_run
    from keras_gans.training.run import train

    overrides = [f"data.digits={digits}", f"train.seed={seed}"]
    if augment != "none":
        overrides.append(f"compile.augment=[{{name: {augment}}}]")
    if steps:
        overrides.append(f"train.steps={steps}")
    recipe = recipes.apply_overrides(recipes.load(name), overrides)
    keras.backend.clear_session()
    start, cpu = time.time(), time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        model, _ = train(recipe, os.path.join(folder, "run"), verbose=0, log=lambda *a: None)
        seconds, cpu_seconds = time.time() - start, time.process_time() - cpu
        scores = evaluate_run(model, metrics="fid,classes", n=10000, seed=0, data="mnist")
    os.makedirs(grids, exist_ok=True)
    grid = os.path.join(grids, f"{name}_{digits}_{augment}_seed{seed}.png")
    Image.fromarray(model.sample_picture(64, seed=0).squeeze()).save(grid)
    state = getattr(model, "augment_state", None)
    return {"recipe": name, "digits": digits, "augment": augment, "seed": seed, "steps": int(recipe["train"]["steps"]),
            "override": " ".join(f"--set {o}" for o in overrides), "train_seconds": seconds,
            "train_cpu_seconds": cpu_seconds, "fid": scores["fid"], "confident": scores["confident"],
            "class_min": scores["class_min"], "class_max": scores["class_max"], "grid": grid,
            "augment_p": None if state is None else float(keras.ops.convert_to_numpy(state.p))}


def markdown_table(results):
    lines = ["| recipe | digits | augmentation | seed | confident | classes | domain FID | p at the end | train seconds |",
             "|---|---:|---|---:|---:|---|---:|---:|---:|"]
    for r in results:
        p = "–" if r.get("augment_p") is None else f"{r['augment_p']:.2f}"
        lines.append(f"| `{r['recipe']}` | {r['digits']} | {r['augment']} | {r['seed']} | "
                     f"{100 * r['confident']:.1f}% | {100 * r['class_min']:.1f}-{100 * r['class_max']:.1f}% | "
                     f"{r['fid']:.1f} | {p} | {r['train_seconds']:.0f} |")
    return "\n".join(lines)


def draw_plot(report, path):
    """Per recipe two panels, the confident share and domain FID (log scale) against the number of
    training digits, one line per augmentation (the mean over seeds at each size)."""
    results = report["results"]
    names = list(dict.fromkeys(r["recipe"] for r in results))
    augments = list(dict.fromkeys(r["augment"] for r in results))
    sizes = sorted({r["digits"] for r in results})
    fids = [r["fid"] for r in results]

    def series(name, key):
        lines = {}
        for augment in augments:
            points = []
            for digits in sizes:
                values = [r[key] for r in results if (r["recipe"], r["augment"], r["digits"]) == (name, augment, digits)]
                if values:
                    points.append((digits, sum(values) / len(values)))
            lines[augment] = points
        return lines

    x = (0.0, 500.0 * (max(sizes) // 500 + 1))  # past the largest size to the next 500: round ticks
    panels = []
    for name in names:
        panels.append({"title": f"{name}: share classified with p >= 0.9", "xlabel": "training digits", "x": x,
                       "y": (0.0, 1.0), "series": series(name, "confident")})
        panels.append({"title": f"{name}: domain FID (log scale)", "xlabel": "training digits", "x": x,
                       "y": (min(fids) / 10 ** 0.1, max(fids) * 10 ** 0.1), "log_y": True,
                       "series": series(name, "fid")})
    machine = report["machine"]
    seeds = sorted({r["seed"] for r in results})
    draw_panels(path, "Data-efficient training on MNIST subsets (10,000 samples scored against all 10,000 digits)",
                f"{machine['date'][:10]}, {machine['cpu']}, TF {machine['tensorflow']}; seeds {seeds}; "
                "a collapsed run (every sample one digit) is 100% confident, with a high FID", panels, augments, panel_width=440)


def merge_reports(paths):
    """One report with the results of the reports at `paths` (each result keeps its report's
    machine), ordered by recipe, digits, augmentation and seed; the top-level machine is the
    first report's."""
    import json

    reports = []
    for path in paths:
        with open(path) as f:
            reports.append(json.load(f))
    results = [{**r, "machine": report["machine"]} for report in reports for r in report["results"]]
    names = list(dict.fromkeys(r["recipe"] for r in results))
    augments = list(dict.fromkeys(r["augment"] for r in results))  # in the order the first report ran them
    results.sort(key=lambda r: (names.index(r["recipe"]), r["digits"], augments.index(r["augment"]), r["seed"]))
    return {**reports[0], "results": results, "merged": list(paths), "table": markdown_table(results)}


def main(argv=None):
    args = parse_args(argv)
    if args.merge:
        report = merge_reports(args.merge)
        write_report(args.out, report)
        if args.plot:
            draw_plot(report, args.plot)
        print(report["table"])
        return
    set_threads(args.threads)
    machine = machine_at_start()
    results = []
    for name in args.recipes.split(","):
        for digits in (int(d) for d in args.digits.split(",")):
            for augment in args.augment.split(","):
                for seed in range(args.seeds):
                    results.append(run_one(name, digits, augment, seed, args.steps, args.grids))
                    print(results[-1], file=sys.stderr, flush=True)
    report = finish_report(args.out, "data_efficient", machine, vars(args), results, markdown_table(results))
    if args.plot:
        draw_plot(report, args.plot)


if __name__ == "__main__":
    main()
