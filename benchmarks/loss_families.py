"""MNIST loss-family table in the shape of Lucic et al. 2018 ("Are GANs created equal?").

One row per loss family, each the shipped MNIST recipe of that family (its networks, optimizers
and options as shipped; only the length of training changes):

| row        | recipe                                  |
|------------|-----------------------------------------|
| NS         | dcgan-mnist (non-saturating)            |
| minimax    | dcgan-mnist with compile.loss=minimax   |
| WGAN clip  | wgan-mnist                              |
| WGAN-GP    | wgan-gp-mnist                           |
| LSGAN      | lsgan-mnist                             |
| hinge + SN | sngan-mnist                             |
| f-GAN KL   | fgan-kl-mnist                           |
| EBGAN      | ebgan-mnist                             |
| RaGAN      | ragan-mnist                             |

For each row and seed (0..`--seeds`-1): train the recipe in-process with
`keras_gans.training.run.train` (what `keras-gans train NAME --seed S --set train.steps=STEPS`
runs, into a temporary run folder, per-epoch checkpoints and sample grids included) for `--steps`
**generator** steps (one `train_step` = `n_critic` discriminator steps + 1 generator step, so the
WGAN rows with `n_critic: 5` do 5x as many discriminator steps), time it, then score
`gan.generate(--n, seed=--sample-seed)` (the EMA generator when the recipe keeps one) against the
10,000 bundled MNIST digits with the embedded MNIST classifier's features: FID and KID (KID: 100
subsets of <= 1000, seed 0) and the share of samples the classifier assigns to one digit with
p >= 0.9 with the smallest and largest class share, as `keras-gans eval RUN --metrics fid,kid,classes`
does.

`train.steps_per_epoch` keeps the recipe's value when it divides `--steps`, otherwise it becomes the
largest divisor of `--steps` below it (`train` runs whole epochs, so a non-divisor would train more
steps than asked); the generator's step count is checked after training. Step-based schedules in a
recipe's compile section (`decay_steps`, `first_decay_steps`, `anneal_steps`, `warmup_steps`,
`boundaries`) are rescaled by `--steps / recipe's train.steps`, so a schedule spans the same share
of training at any `--steps`; the shipped recipes of this table all use constant learning rates.

Every run is appended to the JSON (`--out`) as soon as it ends, so an interrupted table keeps its
finished runs; `--resume` skips the (row, seed) pairs already there with the same steps and n.
A run whose losses become NaN / inf (`TrainingDiverged`) or whose samples are not finite is recorded
as diverged and left out of the means (the table says how many seeds are scored).

    python benchmarks/loss_families.py --steps 20 --seeds 1 --n 500 --out /tmp/lf.json   # smoke test
    python benchmarks/loss_families.py --steps 1000 --seeds 3 --threads 1                # the table
"""

import argparse
import copy
import datetime
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import load_average, machine_at_start, mark_end, set_threads  # noqa: E402  (benchmarks/speed.py)

#: (row name, recipe, --set overrides) in table order.
ROWS = (
    ("NS", "dcgan-mnist", ()),
    ("minimax", "dcgan-mnist", ("compile.loss=minimax",)),
    ("WGAN clip", "wgan-mnist", ()),
    ("WGAN-GP", "wgan-gp-mnist", ()),
    ("LSGAN", "lsgan-mnist", ()),
    ("hinge + SN", "sngan-mnist", ()),
    ("f-GAN KL", "fgan-kl-mnist", ()),
    ("EBGAN", "ebgan-mnist", ()),
    ("RaGAN", "ragan-mnist", ()),
)
ROW_NAMES = tuple(name for name, _, _ in ROWS)
#: Compile-section keys counted in steps, rescaled with the training length.
STEP_KEYS = ("decay_steps", "first_decay_steps", "anneal_steps", "warmup_steps", "boundaries")
METRICS = ("fid", "kid", "classes")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=1000,
                        help="generator steps of every run (default 1000)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 per row (default 3)")
    parser.add_argument("--first-seed", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--n", type=int, default=10000, help="generated samples scored (default 10000)")
    parser.add_argument("--sample-seed", type=int, default=1234,
                        help="seed of the scored latent vectors (default 1234)")
    parser.add_argument("--rows", nargs="+", default=None, metavar="ROW",
                        help=f"a subset of the rows (default all): {', '.join(ROW_NAMES)}")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra- and inter-op threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "loss_families.json"),
                        help="JSON output (default benchmarks/results/loss_families.json)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the runs already in --out and skip them")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an --out that already holds runs (without it, that is an error)")
    args = parser.parse_args(argv)
    if args.rows:
        unknown = [r for r in args.rows if r not in ROW_NAMES]
        if unknown:
            parser.error(f"unknown row(s) {unknown}: choose from {list(ROW_NAMES)}")
    if args.steps < 1 or args.seeds < 1 or args.n < 2:
        parser.error("--steps and --seeds must be >= 1 and --n >= 2")
    return args


# ------------------------------------------------------------------------------ recipe helpers


def epoch_length(steps, steps_per_epoch):
    """The largest divisor of `steps` that is <= `steps_per_epoch` (itself when it divides)."""
    for d in range(min(steps, steps_per_epoch), 0, -1):
        if steps % d == 0:
            return d
    return 1


def rescale_step_keys(node, factor, path="compile", found=None, changes=None):
    """Multiplies every `STEP_KEYS` value under `node` (in place) by `factor`; returns `(found,
    changes)`: the paths of those keys (whether a recipe has schedules) and the values changed."""
    found = [] if found is None else found
    changes = [] if changes is None else changes
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        where = f"{path}.{key}" if isinstance(node, dict) else f"{path}[{key}]"
        if isinstance(node, dict) and key in STEP_KEYS and value is not None:
            found.append(where)
            if isinstance(value, (list, tuple)):
                new = [max(1, int(round(v * factor))) for v in value]
            else:
                new = max(1, int(round(value * factor)))
            if new != value:
                changes.append({"key": where, "from": value, "to": new})
            node[key] = new
        else:
            rescale_step_keys(value, factor, where, found, changes)
    return found, changes


def row_recipe(recipe_name, overrides, steps):
    """(recipe, notes): the row's recipe trained for `steps` generator steps."""
    from keras_gans import recipes

    recipe = recipes.apply_overrides(recipes.load(recipe_name), list(overrides))
    original_steps = recipe["train"]["steps"]
    original_spe = recipe["train"]["steps_per_epoch"]
    recipe = copy.deepcopy(recipe)
    schedules, changes = rescale_step_keys(recipe["compile"], steps / original_steps)
    recipe["train"]["steps"] = steps
    recipe["train"]["steps_per_epoch"] = epoch_length(steps, original_spe)
    recipe = recipes.validate(recipe)
    notes = {
        "recipe_steps": original_steps,
        "recipe_steps_per_epoch": original_spe,
        "steps_per_epoch": recipe["train"]["steps_per_epoch"],
        "step_keys": schedules,
        "rescaled": changes,
        "learning_rates": {k: (recipe["compile"].get(k) or {}).get("learning_rate")
                           if isinstance(recipe["compile"].get(k) or {}, dict) else None
                           for k in ("d_optimizer", "g_optimizer")},
    }
    return recipe, notes


# ------------------------------------------------------------------------------ statistics / table


def mean_std(values):
    """(mean, std) with ddof=0 of the finite values, or (nan, nan) if there are none."""
    values = np.asarray([v for v in values if v is not None and np.isfinite(v)], "float64")
    if values.size == 0:
        return float("nan"), float("nan")
    return float(values.mean()), float(values.std())


def format_mean_std(mean, std, digits=1):
    """'12.3 ± 0.4'; '–' when there is nothing to average."""
    if mean is None or not np.isfinite(mean):
        return "–"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def summarize(runs):
    """Means and stds over the finite runs of one row."""
    scored = [r for r in runs if not r.get("diverged")]
    fid = mean_std([r["fid"] for r in scored])
    kid = mean_std([r["kid"] for r in scored])
    confident = mean_std([100.0 * r["confident"] for r in scored if r.get("confident") is not None])
    class_shares = [r[k] for r in scored for k in ("class_min", "class_max") if r.get(k) is not None]
    seconds = [r["train_seconds"] for r in runs]
    return {
        "seeds": len(runs),
        "scored": len(scored),
        "diverged_seeds": [r["seed"] for r in runs if r.get("diverged")],
        "fid_mean": fid[0], "fid_std": fid[1],
        "kid_mean": kid[0], "kid_std": kid[1],
        "confident_mean": confident[0], "confident_std": confident[1],
        "class_range": (100.0 * min(class_shares), 100.0 * max(class_shares)) if class_shares else None,
        "train_seconds_mean": float(np.mean(seconds)) if seconds else float("nan"),
        "train_seconds_max": float(np.max(seconds)) if seconds else float("nan"),
    }


def markdown_table(runs, rows=ROWS):
    """The Markdown table of `runs` (list of run dicts), rows in `rows` order."""
    lines = [
        "| loss (recipe) | FID (mean ± std) | KID (mean ± std) | classified with p >= 0.9, % | class shares, % "
        "| train time per run, s (mean, max) | G steps | D steps / G step | EMA | seeds scored |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:---:|---:|",
    ]
    for name, recipe_name, overrides in rows:
        row_runs = sorted((r for r in runs if r["row"] == name), key=lambda r: r["seed"])
        if not row_runs:
            continue
        s = summarize(row_runs)
        first = row_runs[0]
        label = f"{name} (`{recipe_name}`" + "".join(f", `{o}`" for o in overrides) + ")"
        scored = f"{s['scored']}/{s['seeds']}"
        if s["diverged_seeds"]:
            scored += " (diverged: " + ", ".join(str(x) for x in s["diverged_seeds"]) + ")"
        shares = "–" if s["class_range"] is None else "{:.1f}-{:.1f}".format(*s["class_range"])
        lines.append(
            f"| {label} | {format_mean_std(s['fid_mean'], s['fid_std'])} "
            f"| {format_mean_std(s['kid_mean'], s['kid_std'], 0)} "
            f"| {format_mean_std(s['confident_mean'], s['confident_std'])} | {shares} "
            f"| {s['train_seconds_mean']:.0f} ({s['train_seconds_max']:.0f}) | {first['steps']} "
            f"| {first['n_critic']} | {'yes' if first['ema'] else 'no'} | {scored} |"
        )
    return "\n".join(lines)


def per_seed_lines(runs, rows=ROWS):
    """'- row: (FID, KID) per seed' lines for the README."""
    lines = []
    for name, _, _ in rows:
        row_runs = sorted((r for r in runs if r["row"] == name), key=lambda r: r["seed"])
        if row_runs:
            cells = [f"s{r['seed']} diverged" if r.get("diverged") else f"s{r['seed']} {r['fid']:.1f} / {r['kid']:.0f}"
                     for r in row_runs]
            lines.append(f"- {name}: " + "; ".join(cells))
    return "\n".join(lines)


# ------------------------------------------------------------------------------ runs


def run_one(name, recipe, seed, evaluator, n, sample_seed):
    """Trains `recipe` with `seed` and scores it; returns the run dict."""
    import keras

    from keras_gans.errors import TrainingDiverged, UserError
    from keras_gans.training.run import train

    wall_start = time.time()
    keras.backend.clear_session()
    clear_seconds = time.time() - wall_start
    recipe = copy.deepcopy(recipe)
    recipe["train"]["seed"] = seed
    compile_cfg = recipe["compile"]
    run = {
        "row": name,
        "seed": seed,
        "steps": recipe["train"]["steps"],
        "steps_per_epoch": recipe["train"]["steps_per_epoch"],
        "n_critic": int(compile_cfg.get("n_critic", 1)),
        "ema": compile_cfg.get("ema_decay") is not None,
        "n": n,
        "diverged": False,
        "clear_session_seconds": clear_seconds,
    }
    out = tempfile.mkdtemp(prefix="loss-families-")
    start = time.time()
    try:
        gan, history = train(recipe, out, verbose=0, log=lambda *a: None)
    except TrainingDiverged as e:
        run.update(train_seconds=time.time() - start, diverged=True, error=str(e), fid=None, kid=None)
        return run
    finally:
        shutil.rmtree(out, ignore_errors=True)
    run["train_seconds"] = time.time() - start
    run["generator_steps"] = int(gan.g_optimizer.iterations.numpy())
    run["discriminator_steps"] = int(gan.d_optimizer.iterations.numpy())
    run["final_losses"] = {k: float(v[-1]) for k, v in history.history.items() if v}
    if run["generator_steps"] != run["steps"]:
        raise SystemExit(f"{name} seed {seed}: trained {run['generator_steps']} generator steps, "
                         f"asked for {run['steps']}")
    start = time.time()
    samples = gan.generate(n, seed=sample_seed)
    run["generate_seconds"] = time.time() - start
    start = time.time()
    try:
        scores = evaluator(samples)
    except UserError as e:  # non-finite samples
        run.update(diverged=True, error=str(e), fid=None, kid=None)
        return run
    run["score_seconds"] = time.time() - start
    run["run_wall_seconds"] = time.time() - wall_start
    run.update(fid=scores["fid"], kid=scores["kid"], kid_subset_std=scores["kid_std"],
               **{k: scores[k] for k in ("confident", "class_min", "class_max")})
    return run


def write_json(path, payload):
    """Writes `payload` atomically (a temporary file renamed over `path`)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=2)
    os.replace(tmp, path)


def load_previous(path):
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    set_threads(args.threads)
    import warnings

    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed.*")
    from keras_gans.metrics.evaluate import SampleEvaluator, real_data_key, real_samples

    command = "python " + " ".join([os.path.relpath(os.path.abspath(__file__))] + sys.argv[1:])
    rows = [row for row in ROWS if args.rows is None or row[0] in args.rows]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)

    previous = load_previous(args.out)
    runs, commands, elapsed_before = [], [], 0.0
    if previous and previous.get("runs"):
        if not (args.resume or args.overwrite):
            raise SystemExit(f"{args.out} already holds {len(previous['runs'])} run(s): pass --resume to "
                             "continue it or --overwrite to replace it")
        if args.resume:
            runs = previous["runs"]
            commands = previous.get("commands", [])
            elapsed_before = previous.get("run_seconds_total", 0.0)
            clash = [r for r in runs if r["steps"] != args.steps or r["n"] != args.n]
            if clash:
                raise SystemExit(f"{args.out} holds runs with other --steps / --n "
                                 f"({clash[0]['steps']} / {clash[0]['n']}): use another --out")
    commands = commands + [command]
    done = {(r["row"], r["seed"]) for r in runs}

    machine = machine_at_start()
    recipes_used = dict(previous.get("rows") or {}) if previous and args.resume else {}  # keep the other rows'
    for name, recipe_name, overrides in rows:
        recipe, notes = row_recipe(recipe_name, overrides, args.steps)
        recipes_used[name] = {"recipe_name": recipe_name, "overrides": list(overrides),
                              "notes": notes, "recipe": recipe}
        if notes["step_keys"]:
            print(f"{name}: rescaled step-based settings {notes['rescaled']}", file=sys.stderr)

    t = time.time()
    evaluator = SampleEvaluator(real_samples("mnist", image_shape=(28, 28, 1)), METRICS, extractor="mnist",
                                seed=0, real_key=real_data_key("mnist", (28, 28, 1)))
    evaluator.real_features()
    print(f"real features: {time.time() - t:.1f} s", file=sys.stderr, flush=True)

    def payload(table=None):
        data = {
            "protocol": (f"train each recipe for --steps generator steps (n_critic discriminator steps "
                         f"each) per seed, then FID and KID (MNIST classifier features, KID 100 subsets "
                         f"of <= 1000, seed 0) and the classifier's confident share and class shares "
                         f"of gan.generate(n, seed={args.sample_seed}) (EMA generator "
                         f"when present) vs the 10,000 bundled MNIST digits; train_seconds = in-process "
                         f"train() incl. per-epoch checkpoints and sample grids; std with ddof=0 over the "
                         f"scored seeds"),
            "commands": commands,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "steps": args.steps,
            "n": args.n,
            "sample_seed": args.sample_seed,
            "threads": args.threads,
            "machine": machine,
            "run_seconds_total": elapsed_before + time.time() - started,
            "rows": recipes_used,
            "runs": runs,
        }
        if table is not None:
            data["markdown_table"] = table
        return data

    started = time.time()
    for name, recipe_name, overrides in rows:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            if (name, seed) in done:
                print(f"{name} seed {seed}: already in {args.out}, skipped", file=sys.stderr)
                continue
            run = run_one(name, recipes_used[name]["recipe"], seed, evaluator, args.n, args.sample_seed)
            run["load_average_end"] = load_average()
            run["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
            runs.append(run)
            if run["diverged"]:
                print(f"{name} seed {seed}: DIVERGED after {run['train_seconds']:.1f} s: {run['error']}",
                      flush=True)
            else:
                print(f"{name} seed {seed}: FID {run['fid']:.1f}, KID {run['kid']:.1f}, "
                      f"confident {100 * run['confident']:.1f}%, "
                      f"train {run['train_seconds']:.1f} s, score {run['score_seconds']:.1f} s, "
                      f"load {run['load_average_end']}", flush=True)
            write_json(args.out, payload())
    mark_end(machine)
    table = markdown_table(runs)
    write_json(args.out, payload(table))
    print()
    print(table)
    print()
    print(per_seed_lines(runs))
    return runs


if __name__ == "__main__":
    main()
