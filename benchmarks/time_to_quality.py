"""Time to quality: the confident-digit share, the class balance and the domain FID of MNIST
recipes against the CPU seconds spent training them.

For each recipe and seed: build and compile the shipped recipe (`--set` overrides apply to every
row) as `keras-gans train` does, and `fit` it for its `train.steps` on the bundled digits. At the
end of every `--every` steps, the callback draws `--n` samples (the EMA generator when the recipe
keeps one; the same latent vectors each time) and scores them with the shipped MNIST classifier,
as `keras-gans eval RUN --metrics fid,classes --n N` does: domain FID, the share of samples
classified with probability >= 0.9 (`confident`) and the smallest / largest class share. The CPU
seconds are those of the training process while it trains (the scoring's are left out).

Writes the JSON (`--out`) and a PNG plot (`--plot`): confident share and domain FID against
training CPU seconds, one line per recipe and seed.

    python benchmarks/time_to_quality.py --recipes dcgan-mnist --steps 40 --every 20 --n 500 --out /tmp/t.json --plot /tmp/t.png  # smoke
    python benchmarks/time_to_quality.py --recipes dcgan-mnist,sngan-mnist --every 500

Recipes run in separate processes (one core each) are put together with `--merge`, which writes
one JSON and plot from their reports; `--at` prints every run's scores at given CPU budgets (the
last point within each), a table of the recipes at equal CPU time:

    python benchmarks/time_to_quality.py --merge a.json b.json --at 300,2000 --out all.json --plot all.png
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from loss_families import write_json  # noqa: E402
from plot import draw_panels  # noqa: E402
from speed import machine_at_start, machine_summary, mark_end, set_threads  # noqa: E402

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", default="dcgan-mnist,sngan-mnist", help="comma-separated MNIST recipes")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (default 1)")
    parser.add_argument("--steps", type=int, default=None, help="train.steps of every recipe (default: its own)")
    parser.add_argument("--every", type=int, default=500, help="score every this many steps (default 500)")
    parser.add_argument("--n", type=int, default=10000, help="samples per score (default 10000)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="recipe override (repeatable)")
    parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join(RESULTS, "time_to_quality.json"))
    parser.add_argument("--plot", default=os.path.join(RESULTS, "time_to_quality.png"))
    parser.add_argument("--merge", nargs="+", metavar="JSON", default=None,
                        help="no training: write --out and --plot from the runs of these reports")
    parser.add_argument("--at", default="", help="comma-separated training CPU seconds: print a table of every "
                                                  "run's scores at the last point within each")
    return parser.parse_args(argv)


def quality_curve(recipe, n, label):
    """A Keras callback that scores the model it trains at the end of every epoch (`n` samples of
    its `generate`, seed 0, scored against the recipe's data as `keras-gans eval --metrics
    fid,classes` does), into `points` (the report's format). Its `scoring_cpu` and `scoring_wall`
    are the seconds spent scoring, which the points' training seconds leave out."""
    import keras

    from keras_gans import recipes
    from keras_gans.metrics.evaluate import SampleEvaluator, real_samples

    evaluator = SampleEvaluator(real_samples(recipe["data"], image_shape=recipes.data_shape(recipe)),
                                ("fid", "classes"))

    class QualityCurve(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.n = n
            self.points, self.cpu, self.wall, self.scoring_cpu, self.scoring_wall = [], 0.0, 0.0, 0.0, 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.cpu_start, self.wall_start = time.process_time(), time.time()

        def on_epoch_end(self, epoch, logs=None):
            cpu, wall = time.process_time(), time.time()
            self.cpu += cpu - self.cpu_start
            self.wall += wall - self.wall_start
            scores = evaluator(self.model.generate(n, seed=0))
            self.points.append({"step": int(self.model.step_counter.numpy()), "train_cpu_seconds": self.cpu,
                                "train_wall_seconds": self.wall, "fid": scores["fid"],
                                "confident": scores["confident"], "class_min": scores["class_min"],
                                "class_max": scores["class_max"]})
            self.scoring_cpu += time.process_time() - cpu
            self.scoring_wall += time.time() - wall
            print(f"  {label} step {self.points[-1]['step']}: {self.cpu:.0f} CPU s, FID {scores['fid']:.1f}, "
                  f"confident {scores['confident']:.3f}, classes {scores['class_min']:.3f}-"
                  f"{scores['class_max']:.3f}", flush=True)

    return QualityCurve()


def run_one(name, seed, steps, every, n, overrides):
    """Trains recipe `name` with `seed`; returns the run dict with its scored points."""
    import keras

    from keras_gans import recipes

    recipe = recipes.apply_overrides(recipes.load(name), [*overrides, f"train.seed={seed}"] +
                                     ([f"train.steps={steps}"] if steps else []))
    steps = int(recipe["train"]["steps"])
    if steps % every:
        raise SystemExit(f"--every {every} must divide {name}'s {steps} steps")
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    dataset = recipes.build_dataset(recipe)
    model = recipes.compile_model(recipes.build_model(recipe), recipe)
    curve = quality_curve(recipe, n, f"{name} seed {seed}")
    model.fit(dataset, epochs=steps // every, steps_per_epoch=every, callbacks=[curve], verbose=0)
    return {"recipe": name, "seed": seed, "steps": steps, "n": n, "overrides": list(overrides),
            "jit_compile": bool(model.jit_compile), "points": curve.points}


def draw_plot(report, path):
    """Two panels: confident share and domain FID (log scale) against training CPU seconds."""
    machine, runs = report["machine"], report["runs"]
    labels = []
    for r in runs:  # one line each, also for the same recipe and seed from two merged reports
        label = f"{r['recipe']} seed {r['seed']}"
        labels.append(label if label not in labels else f"{label} ({sum(x.startswith(label) for x in labels) + 1})")
    xmax = max((p["train_cpu_seconds"] for r in runs for p in r["points"]), default=1.0) * 1.05
    fids = [p["fid"] for r in runs for p in r["points"] if p["fid"] > 0] or [1.0, 10.0]

    def series(key):
        return {label: [(p["train_cpu_seconds"], p[key]) for p in r["points"]] for label, r in zip(labels, runs)}

    panels = [{"title": "share of samples classified with p >= 0.9", "xlabel": "training CPU seconds",
               "x": (0.0, xmax), "y": (0.0, 1.0), "series": series("confident")},
              {"title": "domain FID (log scale; real vs real: 6.0)", "xlabel": "training CPU seconds",
               "x": (0.0, xmax), "y": (min(fids) / 10 ** 0.1, max(fids) * 10 ** 0.1), "log_y": True,
               "series": series("fid")}]
    draw_panels(path, "Time to quality on MNIST (the shipped classifier: confident share, domain FID)",
                f"{machine['date']}, {machine['cpu']}, {machine['usable_cores']} cores, TF {machine['tensorflow']}; "
                f"{report['n']} samples per point", panels, labels)


def merge_reports(reports):
    """One report with the runs of `reports` (each keeps its machine as `run["machine"]`); the
    top-level machine and sample count are the first report's, which all must share."""
    counts = {r["n"] for r in reports}
    if len(counts) != 1:
        raise SystemExit(f"--merge: the reports score different sample counts {sorted(counts)}")
    merged = {**reports[0], "runs": [], "merged": len(reports)}
    for report in reports:
        merged["runs"] += [{**run, "machine": report["machine"]} for run in report["runs"]]
    return merged


def at_cpu_seconds(report, budgets):
    """Markdown rows: each run's scores at its last point within each CPU budget (seconds)."""
    rows = ["| run | CPU budget (s) | step | training CPU s | domain FID | confident | classes |",
            "|---|---|---|---|---|---|---|"]
    for budget in budgets:
        for run in report["runs"]:
            within = [p for p in run["points"] if p["train_cpu_seconds"] <= budget]
            if not run["points"]:
                rows.append(f"| `{run['recipe']}` seed {run['seed']} | {budget:g} | (no points) | | | | |")
            elif not within:
                rows.append(f"| `{run['recipe']}` seed {run['seed']} | {budget:g} | (first point at "
                            f"{run['points'][0]['train_cpu_seconds']:.0f} s) | | | | |")
            else:
                p = within[-1]
                rows.append(f"| `{run['recipe']}` seed {run['seed']} | {budget:g} | {p['step']} | "
                            f"{p['train_cpu_seconds']:.0f} | {p['fid']:.1f} | {100 * p['confident']:.1f}% | "
                            f"{100 * p['class_min']:.1f}-{100 * p['class_max']:.1f}% |")
    return rows


def main(argv=None):
    args = parse_args(argv)
    budgets = [float(b) for b in args.at.split(",") if b.strip()]
    if args.merge:
        import json

        reports = []
        for path in args.merge:
            with open(path) as f:
                reports.append(json.load(f))
        report = merge_reports(reports)
        write_json(args.out, report)
        draw_plot(report, args.plot)
        print("\n".join(at_cpu_seconds(report, budgets)) if budgets else f"wrote {args.out} and {args.plot}")
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras_gans  # noqa: F401  (its oneDNN choice applies before TensorFlow loads, as for users)

    set_threads(args.threads)
    machine = machine_at_start()
    report = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(), "n": args.n, "every": args.every,
              "overrides": args.set, "machine": machine, "runs": []}
    for name in (r.strip() for r in args.recipes.split(",") if r.strip()):
        for seed in range(args.seeds):
            report["runs"].append(run_one(name, seed, args.steps, args.every, args.n, args.set))
            mark_end(machine)
            write_json(args.out, report)
    mark_end(machine)
    write_json(args.out, report)
    draw_plot(report, args.plot)
    print(machine_summary(machine))
    if budgets:
        print("\n".join(at_cpu_seconds(report, budgets)))
    print(f"wrote {args.out} and {args.plot}")


if __name__ == "__main__":
    main()
