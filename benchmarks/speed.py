"""Speed benchmark: overhead of `GAN.fit` over a minimal hand-written training loop.

Both loops train the same DCGAN (MNIST 28x28x1, latent 100, `--base-filters` 64 by default, the
scale of PyTorch-GAN's DCGAN) from the same initial weights, with the same non-saturating loss,
the same Adam(2e-4, beta_1=0.5) optimizers, `n_critic=1`, no EMA, and the same input pipeline:
`--data-batches` real MNIST batches held in memory, `.cache().repeat().prefetch()`, so that input
is not the bottleneck.

* **hand-written loop**: one `@tf.function(jit_compile=...)` step, the loop a user would write
  with Keras models and Keras optimizers: sample z with `tf.random.normal`, G forward, D on real
  and fake, non-saturating D loss, `d_optimizer.apply_gradients`; new z, G loss,
  `g_optimizer.apply_gradients`. Called once per batch of a Python `for` loop over the dataset.
* **GAN.fit**: `GAN.compile(..., jit_compile=...)` then
  `gan.fit(dataset, epochs=1, steps_per_epoch=S, verbose=0)`.

Every configuration (without / with XLA) starts from fresh copies of the same initial weights.
Warm-up (tracing, XLA compilation, first epoch) is excluded: `--warmup` steps of each loop run
first, then `--repeats` timed runs of `--steps` steps each, alternating hand-written / GAN.fit
(and swapping which goes first every repeat) so that both share the machine's noise. Reported:
the median steps/s of each and `overhead % = (hand-written steps/s / GAN.fit steps/s - 1) * 100`.
The timed `fit` calls include `fit`'s per-call fixed costs (callbacks, a fresh dataset iterator),
amortised over `--steps` steps; the hand-written loop also opens a fresh iterator per timed run.

The JSON also holds every run's steps/s, the process CPU time per step, the extra wall time per
step of GAN.fit (`overhead_ms_per_step`), the machine's load average and CPU pressure (Linux PSI)
at start and end: with other jobs on the machine (pressure well above 0) the numbers are noise.

`--decompose` adds a third loop that calls `GAN.train_step` from the same hand-written
`tf.function` loop, which splits the overhead into the part of `train_step` itself (metrics,
stateless latent sampling) and the part of Keras' `fit` machinery.

    python benchmarks/speed.py                         # full run: 300 steps x 3 repeats
    python benchmarks/speed.py --steps 50 --repeats 1  # quick end-to-end check

Writes JSON to `--out` (default benchmarks/results/speed.json) and prints a Markdown table. An XLA
failure of either loop is caught and recorded in the table instead of stopping the benchmark.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
import warnings

import keras_gans  # noqa: F401  (first: its CPU-kernel choice is made before TensorFlow loads, as for users)

#: Learning rate and beta_1 of both Adam optimizers (DCGAN, Radford et al. 2016).
LEARNING_RATE = 2e-4
BETA_1 = 0.5
IMAGE_SHAPE = (28, 28, 1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--base-filters", type=int, default=64,
                        help="DCGAN base_filters of G and D (default 64)")
    parser.add_argument("--latent-dim", type=int, default=100, help="size of z (default 100)")
    parser.add_argument("--steps", type=int, default=300, help="timed steps per run (default 300)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per loop (default 3)")
    parser.add_argument("--warmup", type=int, default=20,
                        help="untimed warm-up steps per loop, after tracing (default 20)")
    parser.add_argument("--data-batches", type=int, default=50,
                        help="real batches held in memory and repeated (default 50)")
    parser.add_argument("--jit", choices=["both", "off", "on"], default="both",
                        help="configurations: without XLA, with XLA, or both (default both)")
    parser.add_argument("--decompose", action="store_true",
                        help="also time GAN.train_step inside the hand-written loop")
    parser.add_argument("--steps-per-execution", type=int, default=1, metavar="K",
                        help="with K > 1, also time GAN.fit compiled with steps_per_execution=K "
                             "(K train steps per call of the compiled function)")
    parser.add_argument("--threads", type=int, default=0,
                        help="TF intra- and inter-op threads (default 0: TensorFlow's choice)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default 0)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "speed.json"),
                        help="JSON output (default benchmarks/results/speed.json)")
    return parser.parse_args(argv)


# ---------------------------------------------------------------------------------------- setup


def git_state():
    """{commit, library_dirty}: the checkout the numbers were measured with (None outside git)."""
    import subprocess

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "keras_gans"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit, "library_dirty": bool(dirty)}


def set_threads(threads):
    """Sets TensorFlow's intra- and inter-op thread pools to `threads` (0 keeps TensorFlow's choice)."""
    if threads:
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)


def machine_at_start():
    """`machine_info()` plus the git state, load average and CPU pressure as a measurement starts."""
    machine = machine_info()
    machine["git"] = git_state()
    machine["load_average_start"] = load_average()
    machine["cpu_pressure_start"] = cpu_pressure()
    return machine


def mark_end(machine):
    """Adds the load average and CPU pressure as a measurement ends to `machine`."""
    machine["load_average_end"] = load_average()
    machine["cpu_pressure_end"] = cpu_pressure()


def machine_summary(machine):
    """One line: CPU, cores, versions, date, and load average and CPU pressure at start -> end."""
    parts = [f"{machine['cpu']} ({machine['usable_cores']} usable cores)", f"TF {machine['tensorflow']}",
             f"Keras {machine['keras']}"]
    if machine.get("torch"):
        parts.append(f"torch {machine['torch']}")
    parts += [str(machine["date"]), f"load average {machine['load_average_start']} -> {machine['load_average_end']}",
              f"CPU pressure {machine['cpu_pressure_start']} -> {machine['cpu_pressure_end']}"]
    return ", ".join(parts)


def write_report(path, report):
    """Writes a benchmark's `report` dict to `path` as indented JSON, creating its folder."""
    if os.path.dirname(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(report, f, indent=2, default=str)
        f.write("\n")


def finish_report(out, benchmark, machine, settings, results, table, **extra):
    """Ends a benchmark: marks the machine's load at the end, writes the JSON report (`benchmark`,
    `machine`, `settings`, `results`, `table` and `extra`) to `out`, prints the machine line and
    the Markdown table; returns the report."""
    mark_end(machine)
    report = {"benchmark": benchmark, "machine": machine, "settings": settings, "results": results, **extra,
              "table": table}
    write_report(out, report)
    print(f"{machine_summary(machine)}\n")
    print(table)
    print(f"\nWrote {out}")
    return report


def machine_info():
    import keras
    import tensorflow as tf

    cpu_model = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": cpu_model,
        "cpu_count": os.cpu_count(),
        "usable_cores": usable,
        "gpus": len(tf.config.list_physical_devices("GPU")),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "keras_gans": getattr(keras_gans, "__version__", None),
        "cpu_flags": cpu_flags(),
        "tf_enable_onednn_opts": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
    }


def cpu_flags(wanted=("avx", "avx2", "fma", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")):
    """The CPU's vector-instruction flags that decide TensorFlow's and oneDNN's kernels."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [flag for flag in wanted if flag in flags]
    except OSError:
        pass
    return None


def load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def cpu_pressure():
    """Linux PSI: share of the last 10 s / 60 s in which runnable tasks waited for a CPU (busy machine)."""
    try:
        with open("/proc/pressure/cpu") as f:
            fields = dict(item.split("=") for item in f.readline().split()[1:])
        return {"avg10": float(fields["avg10"]), "avg60": float(fields["avg60"])}
    except (OSError, KeyError, ValueError):
        return None


def make_dataset(batch_size, num_batches):
    """`num_batches` real MNIST batches held in memory, repeated forever and prefetched."""
    import tensorflow as tf

    from keras_gans.data import mnist_dataset
    from keras_gans.data import prefetched

    batches = tf.stack(list(mnist_dataset(batch_size).take(num_batches)))
    dataset = tf.data.Dataset.from_tensor_slices(batches)
    return prefetched(dataset.cache().repeat())


def make_nets(args):
    """The reference generator and discriminator; every loop trains copies of their weights."""
    import keras

    from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator

    keras.utils.set_random_seed(args.seed)
    generator = dcgan_generator(args.latent_dim, IMAGE_SHAPE, base_filters=args.base_filters)
    discriminator = dcgan_discriminator(IMAGE_SHAPE, base_filters=args.base_filters)
    return generator, discriminator


def copy_nets(generator, discriminator):
    import keras

    copies = []
    for net in (generator, discriminator):
        clone = keras.models.clone_model(net)
        clone.set_weights(net.get_weights())
        copies.append(clone)
    return copies


def adam():
    import keras

    return keras.optimizers.Adam(LEARNING_RATE, beta_1=BETA_1)


# ---------------------------------------------------------------------------------------- loops


class HandWrittenLoop:
    """The minimal loop a user would write with Keras models and optimizers."""

    name = "hand-written loop"

    def __init__(self, generator, discriminator, latent_dim, batch_size, jit_compile):
        import tensorflow as tf

        from keras_gans.losses.non_saturating import (
            non_saturating_discriminator_loss,
            non_saturating_generator_loss,
        )

        d_optimizer, g_optimizer = adam(), adam()
        d_vars = discriminator.trainable_variables
        g_vars = generator.trainable_variables
        d_optimizer.build(d_vars)
        g_optimizer.build(g_vars)

        @tf.function(jit_compile=jit_compile)
        def train_step(real):
            z = tf.random.normal([batch_size, latent_dim])
            fake = generator(z, training=True)
            with tf.GradientTape() as tape:
                d_loss = non_saturating_discriminator_loss(
                    discriminator(real, training=True), discriminator(fake, training=True)
                )
            d_optimizer.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))

            z = tf.random.normal([batch_size, latent_dim])
            with tf.GradientTape() as tape:
                fake = generator(z, training=True)
                g_loss = non_saturating_generator_loss(discriminator(fake, training=True))
            g_optimizer.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
            return d_loss, g_loss

        self.train_step = train_step

    def run(self, dataset, steps):
        iterator = iter(dataset)
        outputs = None
        for _ in range(steps):
            outputs = self.train_step(next(iterator))
        if outputs is not None:
            import tensorflow as tf

            float(tf.nest.flatten(outputs)[0])  # Waits for the last step.


def make_gan(generator, discriminator, latent_dim, jit_compile, reuse_fakes=False, steps_per_execution=1):
    """The benchmarked GAN; `jit_compile` or `reuse_fakes` None leaves `GAN.compile`'s default."""
    from keras_gans.models.gan import GAN

    gan = GAN(generator, discriminator, latent_dim=latent_dim, seed=0)
    chosen = {key: value for key, value in (("jit_compile", jit_compile), ("reuse_fakes", reuse_fakes))
              if value is not None}
    gan.compile(d_optimizer=adam(), g_optimizer=adam(), loss="non_saturating", n_critic=1, ema_decay=None,
                steps_per_execution=steps_per_execution, **chosen)
    return gan


class FitLoop:
    """`GAN.fit` on the same dataset."""

    name = "GAN.fit"

    steps_per_execution = 1

    def __init__(self, generator, discriminator, latent_dim, batch_size, jit_compile, reuse_fakes=False):
        self.gan = make_gan(generator, discriminator, latent_dim, jit_compile, reuse_fakes, self.steps_per_execution)
        self.effective_jit_compile = bool(self.gan.jit_compile)

    def choose_as_a_long_run(self, dataset):
        """Makes the choices a `fit` of a real run's length makes at its start (jit_compile="auto"
        measures on a CPU), although the benchmark's `fit` calls are short; returns them."""
        from keras_gans.models import jit

        jit.measure_at_fit_start(self.gan, dataset, (), {"epochs": 1, "steps_per_epoch": jit.MEASURE_MIN_STEPS})
        self.effective_jit_compile = bool(self.gan.jit_compile)
        rates = self.gan.jit_measurement
        return {"jit_compile": self.effective_jit_compile, "reason": self.gan.jit_compile_reason,
                "reuse_fakes": self.gan.reuse_fakes,
                "measured_steps_per_second": None if rates is None else {"xla": round(rates[True], 3),
                                                                         "no_xla": round(rates[False], 3)}}

    def run(self, dataset, steps):
        self.gan.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0)


def fit_loop_with_steps_per_execution(k):
    """`FitLoop` compiled with `steps_per_execution=k`: k steps per call of the compiled function."""
    return type("FitLoopSteps", (FitLoop,), {"name": f"GAN.fit, steps_per_execution={k}", "steps_per_execution": k})


class TrainStepLoop(HandWrittenLoop):
    """`GAN.train_step` called from the hand-written loop: `fit` machinery left out."""

    name = "GAN.train_step in hand-written loop"

    def __init__(self, generator, discriminator, latent_dim, batch_size, jit_compile):
        import tensorflow as tf

        self.gan = make_gan(generator, discriminator, latent_dim, jit_compile=False)
        self.train_step = tf.function(self.gan.train_step, jit_compile=jit_compile)


# ---------------------------------------------------------------------------------------- timing


def short_error(error, limit=300):
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    text = f"{type(error).__name__}: {lines[0] if lines else ''}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def benchmark_config(args, jit_compile, reference, dataset):
    """Times every loop of one configuration; returns its result dict."""
    loop_classes, keys = [HandWrittenLoop, FitLoop], ["baseline", "gan_fit"]
    if args.decompose:
        loop_classes, keys = loop_classes + [TrainStepLoop], keys + ["train_step_loop"]
    if args.steps_per_execution > 1:
        loop_classes += [fit_loop_with_steps_per_execution(args.steps_per_execution)]
        keys += ["gan_fit_steps_per_execution"]
    loops, results = {}, {}
    for key, cls in zip(keys, loop_classes):
        result = {"name": cls.name, "steps_per_second": [], "median": None, "error": None,
                  "cpu_ms_per_step": []}
        results[key] = result
        try:
            generator, discriminator = copy_nets(*reference)
            loop = cls(generator, discriminator, args.latent_dim, args.batch_size, jit_compile)
            if hasattr(loop, "effective_jit_compile"):
                result["effective_jit_compile"] = loop.effective_jit_compile
            start = time.perf_counter()
            loop.run(dataset, args.warmup)
            result["warmup_seconds"] = round(time.perf_counter() - start, 3)
            loops[key] = loop
        except Exception as e:  # XLA may fail on some CPUs / ops: record it and go on.
            result["error"] = short_error(e)
            print(f"  [{config_name(jit_compile)}] {cls.name} failed: {result['error']}",
                  file=sys.stderr)

    for repeat in range(args.repeats):
        order = [k for k in keys if k in loops]
        if repeat % 2:
            order = order[::-1]
        for key in order:
            try:
                start, start_cpu = time.perf_counter(), time.process_time()
                loops[key].run(dataset, args.steps)
                elapsed = time.perf_counter() - start
                cpu = time.process_time() - start_cpu
            except Exception as e:
                results[key]["error"] = short_error(e)
                loops.pop(key)
                continue
            results[key]["steps_per_second"].append(round(args.steps / elapsed, 3))
            results[key]["cpu_ms_per_step"].append(round(1000.0 * cpu / args.steps, 2))
            print(f"  [{config_name(jit_compile)}] repeat {repeat + 1}/{args.repeats} "
                  f"{results[key]['name']}: {args.steps / elapsed:.2f} steps/s", file=sys.stderr)

    for result in results.values():
        if result["steps_per_second"] and result["error"] is None:
            result["median"] = round(statistics.median(result["steps_per_second"]), 3)
            result["median_cpu_ms_per_step"] = round(statistics.median(result["cpu_ms_per_step"]), 2)

    def overhead(key):
        base, ours = results["baseline"]["median"], results[key]["median"]
        return None if not base or not ours else round((base / ours - 1.0) * 100.0, 1)

    def overhead_ms(key):  # Extra wall time per step: 1 / ours - 1 / baseline.
        base, ours = results["baseline"]["median"], results[key]["median"]
        return None if not base or not ours else round(1000.0 * (1.0 / ours - 1.0 / base), 2)

    def cpu_overhead(key):  # The same ratio on process CPU time, steadier on a busy machine.
        base = results["baseline"].get("median_cpu_ms_per_step")
        ours = results[key].get("median_cpu_ms_per_step")
        return None if not base or not ours else round((ours / base - 1.0) * 100.0, 1)

    config = {"config": config_name(jit_compile), "jit_compile": jit_compile, **results,
              "overhead_percent": overhead("gan_fit"), "overhead_ms_per_step": overhead_ms("gan_fit"),
              "cpu_overhead_percent": cpu_overhead("gan_fit")}
    if args.decompose:
        config["train_step_overhead_percent"] = overhead("train_step_loop")
        config["train_step_overhead_ms_per_step"] = overhead_ms("train_step_loop")
    if args.steps_per_execution > 1:
        config["steps_per_execution_overhead_percent"] = overhead("gan_fit_steps_per_execution")
        config["steps_per_execution_cpu_overhead_percent"] = cpu_overhead("gan_fit_steps_per_execution")
    return config


def config_name(jit_compile):
    return "XLA (jit_compile=True)" if jit_compile else "no XLA (jit_compile=False)"


def cell(result):
    if result["error"] is not None:
        return f"error: {result['error']}".replace("|", "\\|")
    return "-" if result["median"] is None else f"{result['median']:.2f}"


def cpu_cell(result):
    value = result.get("median_cpu_ms_per_step")
    return "-" if result["error"] is not None or value is None else f"{value:.1f}"


def markdown_table(configs, settings, decompose=False, steps_per_execution=1):
    head = f"DCGAN MNIST 28x28, batch {settings['batch_size']}, base_filters {settings['base_filters']}"
    lines = [
        f"| config ({head}) | hand-written loop steps/s | GAN.fit steps/s | overhead % |",
        "|---|---|---|---|",
    ]
    for c in configs:
        ov = "-" if c["overhead_percent"] is None else f"{c['overhead_percent']:+.1f}"
        lines.append(f"| {c['config']} | {cell(c['baseline'])} | {cell(c['gan_fit'])} | {ov} |")
    lines += [
        "",
        "Process CPU time (all threads) per step, steadier than wall time when the machine is shared:",
        "",
        "| config | hand-written loop CPU ms/step | GAN.fit CPU ms/step | CPU overhead % |",
        "|---|---|---|---|",
    ]
    for c in configs:
        ov = c.get("cpu_overhead_percent")
        lines.append(
            f"| {c['config']} | {cpu_cell(c['baseline'])} | {cpu_cell(c['gan_fit'])} | "
            f"{'-' if ov is None else f'{ov:+.1f}'} |"
        )
    if decompose:
        lines += [
            "",
            "| config | hand-written loop steps/s | GAN.train_step in hand-written loop steps/s "
            "| train_step overhead % | GAN.fit steps/s | total overhead % |",
            "|---|---|---|---|---|---|",
        ]
        for c in configs:
            ts = c.get("train_step_overhead_percent")
            ov = c["overhead_percent"]
            lines.append(
                f"| {c['config']} | {cell(c['baseline'])} | {cell(c['train_step_loop'])} | "
                f"{'-' if ts is None else f'{ts:+.1f}'} | {cell(c['gan_fit'])} | "
                f"{'-' if ov is None else f'{ov:+.1f}'} |"
            )
    if steps_per_execution > 1:
        lines += [
            "",
            f"| config | hand-written loop steps/s | GAN.fit steps/s | GAN.fit, steps_per_execution={steps_per_execution} "
            "steps/s | its overhead % | its CPU ms/step | its CPU overhead % |",
            "|---|---|---|---|---|---|---|",
        ]
        for c in configs:
            ov, cpu = c.get("steps_per_execution_overhead_percent"), c.get("steps_per_execution_cpu_overhead_percent")
            lines.append(
                f"| {c['config']} | {cell(c['baseline'])} | {cell(c['gan_fit'])} | "
                f"{cell(c['gan_fit_steps_per_execution'])} | {'-' if ov is None else f'{ov:+.1f}'} | "
                f"{cpu_cell(c['gan_fit_steps_per_execution'])} | {'-' if cpu is None else f'{cpu:+.1f}'} |"
            )
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # fit warns on every call that `shuffle` does not apply to a tf.data.Dataset: not our concern.
    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed.*")

    set_threads(args.threads)

    settings = {k: v for k, v in vars(args).items() if k != "out"}
    settings.update(latent_dim=args.latent_dim, image_shape=list(IMAGE_SHAPE),
                    loss="non_saturating", optimizer=f"Adam({LEARNING_RATE}, beta_1={BETA_1})",
                    n_critic=1, ema=None)
    machine = machine_at_start()

    dataset = make_dataset(args.batch_size, args.data_batches)
    reference = make_nets(args)
    jit_values = {"both": [False, True], "off": [False], "on": [True]}[args.jit]
    configs = []
    for jit_compile in jit_values:
        print(f"{config_name(jit_compile)} ...", file=sys.stderr)
        configs.append(benchmark_config(args, jit_compile, reference, dataset))
    mark_end(machine)

    table = markdown_table(configs, settings, args.decompose, args.steps_per_execution)
    report = {"benchmark": "speed", "machine": machine, "settings": settings, "results": configs,
              "table": table}
    write_report(args.out, report)
    print(f"\n{machine_summary(machine)}\n")
    print(table)
    print(f"\nWrote {args.out}")
    return report


if __name__ == "__main__":
    main()
