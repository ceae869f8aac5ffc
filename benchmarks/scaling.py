"""Scaling: DCGAN and StyleGAN steps/s and peak RSS vs batch size and vs resolution, one process per run.

The networks and training options are the recipes' (`--recipes`, default `dcgan-mnist`: DCGAN G
and D with base_filters 32, latent 100, non-saturating loss, Adam(2e-4, 0.5), EMA 0.999; and
`stylegan-mnist`: non-progressive StyleGAN with a 4-layer mapping network, style mixing 0.9,
32-128 filters, NS loss + lazy R1 every 4th D step, EMA 0.999), built and compiled by
`keras_gans.recipes` as `keras-gans train` does; only the data format and the batch size change:

* **batch sweep** (`--batch-sizes`, default 16 32 64 128): MNIST through the recipe's own tf.data
  pipeline (`recipes.build_dataset`), at the recipe's format (DCGAN 28x28x1, StyleGAN 32x32x1);
* **resolution sweep** (`--resolutions`, default 32 64 128, at batch `--res-batch-size`, default
  16): 3-channel images (`data: {name: mnist, image_size: R, channels: 3}` sizes the networks:
  DCGAN at R = 4 * 2^n has n stride-2 layers, StyleGAN n + 1 resolution blocks), trained on
  random uniform [-1, 1] images held in memory, since the timing does not depend on the pixels.

Every configuration runs in its own `python benchmarks/scaling.py --worker ...` subprocess, one
after the other, so that its peak resident memory (`resource.getrusage(RUSAGE_SELF).ru_maxrss`
at the end of the worker: Python, TensorFlow and the run) is its own. A worker traces and warms up
with `--warmup` steps, times 2 steps to size the repeats to about `--seconds` each, then times
`--repeats` calls of `GAN.fit(steps_per_epoch=S)`; reported is the median steps/s (and images/s).

Last, the peak RSS of a whole `keras-gans train RECIPE --steps N --quiet --out TMP` process per
recipe (`--train-steps`, default 500 for the first recipe, a fifth of it for the others; with the
sample grid, checkpoint and TensorBoard logs) is read from `os.wait4`.

    python benchmarks/scaling.py                                         # full run
    python benchmarks/scaling.py --batch-sizes 16 --resolutions 32 --seconds 1 --repeats 1 \\
        --train-steps 10 --out /tmp/scaling.json --plot /tmp/scaling.png  # smoke test

Writes JSON to `--out` (default benchmarks/results/scaling.json), a PNG plot (drawn with Pillow) to
`--plot` (default benchmarks/results/scaling.png) and prints Markdown tables.
"""

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", nargs="+", default=["dcgan-mnist", "stylegan-mnist"],
                        help="recipes (default dcgan-mnist stylegan-mnist)")
    parser.add_argument("--batch-sizes", type=int, nargs="*", default=[16, 32, 64, 128],
                        help="batch sweep at 28x28x1 MNIST (default 16 32 64 128)")
    parser.add_argument("--resolutions", type=int, nargs="*", default=[32, 64, 128],
                        help="resolution sweep, 3 channels, random data (default 32 64 128)")
    parser.add_argument("--res-batch-size", type=int, default=16, help="batch of the resolution sweep (default 16)")
    parser.add_argument("--seconds", type=float, default=5.0, help="target seconds per timed repeat (default 5)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats per configuration (default 3)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps (default 5)")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra- and inter-op threads (default 0: TensorFlow's choice, as keras-gans train)")
    parser.add_argument("--train-steps", type=int, default=500,
                        help="steps of the keras-gans train run of the first recipe whose peak RSS is measured, "
                             "a fifth of it for the others (0: skip; default 500)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "scaling.json"),
                        help="JSON output (default benchmarks/results/scaling.json)")
    parser.add_argument("--plot", default=os.path.join("benchmarks", "results", "scaling.png"),
                        help="PNG plot (default benchmarks/results/scaling.png)")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)  # internal: JSON config of one run
    return parser.parse_args(argv)


def max_rss_mib(who=resource.RUSAGE_SELF):
    return round(resource.getrusage(who).ru_maxrss / 1024.0, 1)  # Linux: KiB


def current_rss_mib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024.0, 1)
    except OSError:
        pass
    return None


# ------------------------------------------------------------------------------- worker


def worker(args):
    config = json.loads(args.worker)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed.*")
    import tensorflow as tf

    sys.path.insert(0, HERE)
    from speed import set_threads  # benchmarks/speed.py

    set_threads(args.threads)
    import keras

    from keras_gans import recipes
    from keras_gans.data import prefetched

    rss_after_import = current_rss_mib()
    recipe = recipes.load(config["recipe"])
    recipe["train"]["batch_size"] = config["batch_size"]
    if config["data"] == "random":
        recipe["data"] = {"name": "mnist", "image_size": config["image_size"], "channels": config["channels"]}
    recipe = recipes.validate(recipe)
    shape = recipes.data_shape(recipe)
    config = dict(config, image_size=shape[0], channels=shape[2])

    keras.utils.set_random_seed(recipe["train"]["seed"])
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    if config["data"] == "random":
        images = tf.random.uniform((4, config["batch_size"]) + shape, -1.0, 1.0, seed=0)
        dataset = prefetched(tf.data.Dataset.from_tensor_slices(images).cache().repeat())
    else:
        dataset = recipes.build_dataset(recipe)

    def fit(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
        return time.perf_counter() - start, time.process_time() - start_cpu

    warmup_seconds = fit(args.warmup)[0]
    calibration = fit(2)[0] / 2
    steps = int(min(1000, max(3, round(args.seconds / calibration))))
    rates, cpu_ms = [], []
    for _ in range(args.repeats):
        elapsed, cpu = fit(steps)
        rates.append(round(steps / elapsed, 3))
        cpu_ms.append(round(1000 * cpu / steps, 1))
    result = dict(config, steps_per_repeat=steps, steps_per_second=rates, cpu_ms_per_step=cpu_ms,
                  median_steps_per_second=round(statistics.median(rates), 3),
                  median_images_per_second=round(statistics.median(rates) * config["batch_size"], 1),
                  median_cpu_ms_per_step=round(statistics.median(cpu_ms), 1),
                  warmup_seconds=round(warmup_seconds, 2),
                  parameters={"generator": gan.generator.count_params(),
                              "discriminator": gan.discriminator.count_params()},
                  rss_after_import_mib=rss_after_import, peak_rss_mib=max_rss_mib())
    print("RESULT " + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------- driver


def run_worker(args, config):
    command = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(config),
               "--seconds", str(args.seconds), "--repeats", str(args.repeats),
               "--warmup", str(args.warmup), "--threads", str(args.threads)]
    start = time.perf_counter()
    process = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if process.returncode or not lines:
        tail = " | ".join(process.stderr.strip().splitlines()[-3:])
        return dict(config, error=f"exit {process.returncode}: {tail[-400:]}")
    result = json.loads(lines[-1][len("RESULT "):])
    result["process_seconds"] = round(time.perf_counter() - start, 1)
    return result


def keras_gans_command():
    script = os.path.join(os.path.dirname(sys.executable), "keras-gans")
    if os.path.isfile(script):
        return [script]
    return [shutil.which("keras-gans") or "keras-gans"]


def measure_train(recipe, steps):
    """Peak RSS (os.wait4) and wall time of `keras-gans train RECIPE --steps N` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        command = keras_gans_command() + ["train", recipe, "--steps", str(steps), "--quiet",
                                          "--out", os.path.join(tmp, "run")]
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        start = time.perf_counter()
        with open(os.path.join(tmp, "log.txt"), "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
            _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - start
        with open(os.path.join(tmp, "log.txt")) as log:
            output = log.read().strip().splitlines()
    shown = ["keras-gans" if i == 0 else ("TMP/run" if part.startswith(tempfile.gettempdir()) else part)
             for i, part in enumerate(command)]
    result = {"command": " ".join(shown), "exit_code": process.returncode,
              "peak_rss_mib": round(usage.ru_maxrss / 1024.0, 1), "wall_seconds": round(elapsed, 1),
              "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
              "last_line": next((line.split("; model:")[0] for line in reversed(output) if line.startswith("trained")),
                                None)}
    if process.returncode:
        result["error"] = " | ".join(output[-3:])[-400:]
    return result


# ------------------------------------------------------------------------------- plot


def draw_plot(report, path):
    """Four line panels (steps/s and peak RSS, vs batch and vs resolution), drawn with Pillow."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size):
        try:
            return ImageFont.load_default(size)
        except TypeError:  # Pillow < 10.1
            return ImageFont.load_default()

    small, normal, big = font(13), font(15), font(18)
    width, height = 1100, 820
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    machine = report["machine"]
    recipes = report["settings"]["recipes"]
    draw.text((20, 12), f"keras-gans GAN.fit speed and peak RSS ({', '.join(recipes)} recipe options)",
              fill="black", font=big)
    draw.text((20, 38), f"{machine['date']}, {machine['cpu']}, {machine['usable_cores']} cores, TF "
              f"{machine['tensorflow']}, load avg {machine['load_average_start'][0]} -> "
              f"{machine['load_average_end'][0]}", fill="gray", font=small)

    colors = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)]
    for i, recipe in enumerate(recipes):  # legend
        draw.line((width - 260, 20 + 18 * i, width - 230, 20 + 18 * i), fill=colors[i % 4], width=3)
        draw.text((width - 222, 12 + 18 * i), recipe, fill="black", font=small)

    def series(rows, key, value):
        """[(xs, ys, color)] per recipe."""
        out = []
        for i, recipe in enumerate(recipes):
            ok = [r for r in rows if "error" not in r and r["recipe"] == recipe]
            out.append(([r[key] for r in ok], [r[value] for r in ok], colors[i % 4]))
        return out

    batch, res = report["batch_sweep"], report["resolution_sweep"]
    rb = report["settings"]["res_batch_size"]
    panels = [
        (series(batch, "batch_size", "median_images_per_second"),
         "training images/s vs batch size (MNIST)", "batch size"),
        (series(batch, "batch_size", "peak_rss_mib"), "peak RSS (MiB) vs batch size (MNIST)", "batch size"),
        (series(res, "image_size", "median_steps_per_second"),
         f"training steps/s vs resolution (3 channels, batch {rb})", "resolution (px)"),
        (series(res, "image_size", "peak_rss_mib"), f"peak RSS (MiB) vs resolution (3 channels, batch {rb})",
         "resolution (px)"),
    ]
    for index, (lines, title, xlabel) in enumerate(panels):
        left = 20 + (index % 2) * 540
        top = 70 + (index // 2) * 375
        draw.text((left + 10, top), title, fill="black", font=normal)
        box = (left + 75, top + 30, left + 510, top + 310)  # plot area
        draw.rectangle(box, outline="black")
        xs = sorted({x for line in lines for x in line[0]})
        ys_all = [y for line in lines for y in line[1]]
        if not xs:
            draw.text((box[0] + 20, box[1] + 20), "no data", fill="black", font=normal)
            continue
        # x: log2 axis (batch and resolution double); y: linear from 0.
        lx = [math.log2(x) for x in xs]
        x0, x1 = min(lx) - 0.3, max(lx) + 0.3
        ymax = max(ys_all) * 1.15 or 1.0
        raw_step = ymax / 5  # "Nice" tick step: 1, 2 or 5 times a power of ten.
        magnitude = 10 ** math.floor(math.log10(raw_step))
        tick = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
        ymax = tick * math.ceil(ymax / tick)

        def to_px(x, y):
            px = box[0] + (math.log2(x) - x0) / (x1 - x0) * (box[2] - box[0])
            py = box[3] - y / ymax * (box[3] - box[1])
            return px, py

        for i in range(int(round(ymax / tick)) + 1):
            value = i * tick
            py = box[3] - value / ymax * (box[3] - box[1])
            draw.line((box[0] - 4, py, box[0], py), fill="black")
            if 0 < i:
                draw.line((box[0] + 1, py, box[2] - 1, py), fill=(225, 225, 225))
            label = f"{value:g}"
            draw.text((box[0] - 8 - draw.textlength(label, font=small), py - 7), label, fill="black", font=small)
        for x in xs:
            px, _ = to_px(x, 0)
            draw.line((px, box[3], px, box[3] + 4), fill="black")
            draw.text((px - draw.textlength(str(x), font=small) / 2, box[3] + 6), str(x), fill="black", font=small)
        draw.text(((box[0] + box[2]) / 2 - draw.textlength(xlabel, font=small) / 2, box[3] + 24), xlabel,
                  fill="black", font=small)
        for line_xs, ys, color in lines:
            pixels = [to_px(x, y) for x, y in zip(line_xs, ys)]
            if len(pixels) > 1:
                draw.line(pixels, fill=color, width=3)
            for (px, py), y in zip(pixels, ys):
                draw.ellipse((px - 4, py - 4, px + 4, py + 4), fill=color)
                label = f"{y:.0f}" if y >= 20 else f"{y:.2f}"
                draw.text((px + 6, py - 18), label, fill=color, font=small)
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    image.save(path)


# ------------------------------------------------------------------------------- report


def markdown_tables(report):
    def row(r, first):
        if "error" in r:
            return f"| {first} | error: {r['error']} | | | | |".replace("\n", " ")
        return (f"| {first} | {r['median_steps_per_second']:.2f} | {r['median_images_per_second']:.0f} | "
                f"{r['median_cpu_ms_per_step']:.0f} | {r['peak_rss_mib']:.0f} | "
                f"{r['parameters']['generator'] + r['parameters']['discriminator']:,} |")

    head = "| steps/s (median) | images/s | CPU ms/step | peak RSS (MiB) | parameters (G + D) |"
    lines = []
    for recipe in report["settings"]["recipes"]:
        batch = [r for r in report["batch_sweep"] if r["recipe"] == recipe]
        if batch:
            shape = next((f"{r['image_size']}x{r['image_size']}x{r['channels']}" for r in batch if "error" not in r), "")
            lines += ["" if lines else None, f"| `{recipe}` batch size (MNIST {shape}, recipe pipeline) " + head,
                      "|---:|---:|---:|---:|---:|---:|"]
            lines += [row(r, r["batch_size"]) for r in batch]
        res = [r for r in report["resolution_sweep"] if r["recipe"] == recipe]
        if res:
            lines += ["", f"| `{recipe}` resolution (3 channels, batch {report['settings']['res_batch_size']}, "
                      "random data) " + head, "|---:|---:|---:|---:|---:|---:|"]
            lines += [row(r, f"{r['image_size']}x{r['image_size']}") for r in res]
    for train in report.get("train_processes", []):
        if "error" in train:
            lines += ["", f"`{train['command']}`: error {train['error']}"]
        else:
            lines += ["", f"`{train['command']}`: peak RSS **{train['peak_rss_mib']:.0f} MiB**, wall time "
                      f"{train['wall_seconds']:.0f} s, CPU time {train['cpu_seconds']:.0f} s."]
    return "\n".join(line for line in lines if line is not None)


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        return worker(args)

    sys.path.insert(0, HERE)
    import speed  # benchmarks/speed.py: machine info and load

    speed.set_threads(args.threads)  # Before machine_info, so that it reports the setting.
    machine = speed.machine_at_start()
    print(f"load average at start: {machine['load_average_start']}", file=sys.stderr)

    report = {"benchmark": "scaling", "machine": machine,
              "settings": {k: v for k, v in vars(args).items() if k not in ("out", "plot", "worker")},
              "batch_sweep": [], "resolution_sweep": []}
    configs = []
    for recipe in args.recipes:
        configs += [("batch_sweep", {"recipe": recipe, "batch_size": b, "data": "recipe"}) for b in args.batch_sizes]
        configs += [("resolution_sweep", {"recipe": recipe, "batch_size": args.res_batch_size, "image_size": r,
                                          "channels": 3, "data": "random"}) for r in args.resolutions]
    for sweep, config in configs:
        result = run_worker(args, config)
        report[sweep].append(result)
        summary = result.get("error") or (f"{result['median_steps_per_second']:.2f} steps/s, "
                                          f"peak RSS {result['peak_rss_mib']:.0f} MiB")
        print(f"  {sweep} {config}: {summary}", file=sys.stderr)
    report["train_processes"] = []
    for index, recipe in enumerate(args.recipes if args.train_steps else []):
        steps = args.train_steps if index == 0 else max(1, args.train_steps // 5)
        report["train_processes"].append(measure_train(recipe, steps))
        print(f"  train process: {report['train_processes'][-1]}", file=sys.stderr)
    speed.mark_end(machine)
    report["tables"] = markdown_tables(report)
    speed.write_report(args.out, report)
    draw_plot(report, args.plot)
    print(f"\n{speed.machine_summary(machine)}\n")
    print(report["tables"])
    print(f"\nWrote {args.out} and {args.plot}")
    return report


if __name__ == "__main__":
    main()
