"""Peer benchmark: keras-gans `GAN.fit` (without and with XLA) against PyTorch-GAN's DCGAN loop, on CPU.

The network is the DCGAN of PyTorch-GAN (eriklindernoren/PyTorch-GAN,
`implementations/dcgan/dcgan.py`), rebuilt layer for layer in Keras here (`keras_generator`,
`keras_discriminator`) and in PyTorch in the worker (`torch_worker`):

* G: Linear(latent 100 -> 128 * s * s), s = img_size // 4; BatchNorm(128); Upsample x2 (nearest),
  Conv 3x3 128, BatchNorm(eps 0.8), LeakyReLU 0.2; Upsample x2, Conv 3x3 64, BatchNorm(eps 0.8),
  LeakyReLU 0.2; Conv 3x3 channels, Tanh. (`nn.BatchNorm2d(128, 0.8)` sets *eps* = 0.8, a quirk
  of the original kept on both sides.)
* D: 4 blocks Conv 3x3 stride 2 (16, 32, 64, 128 filters), LeakyReLU 0.2, Dropout2d 0.25, then
  BatchNorm(eps 0.8) in all blocks but the first; Linear(128 * (img_size // 16)^2 -> 1), Sigmoid.
* Conv weights N(0, 0.02), BatchNorm gamma N(1, 0.02), beta 0; BCE loss; Adam(2e-4, 0.5, 0.999).

`--img-size` defaults to 32, the original script's default: its D head is
`Linear(128 * (img_size // 2**4)**2, 1)`, which only matches the conv output when img_size is a
multiple of 16 (at 28 the convs give 2x2 but the head expects 1x1, and the original crashes).
`--img-size 28` works here (both sides size the head from the real conv output).
The bundled MNIST digits are resized to `--img-size` with `keras_gans.data.mnist_dataset`.

What is timed (steps/s, wall clock; CPU ms/step of the timed process):

* **keras-gans GAN.fit, no XLA / XLA, with and without `reuse_fakes`**: `keras_gans.GAN(G, D)`
  compiled with `loss="non_saturating"` (BCE on logits: D's Sigmoid is folded into the loss), the
  same Adams, `n_critic=1`, no EMA, `jit_compile=False / True`, `reuse_fakes=False / True`;
  `gan.fit(dataset, steps_per_epoch=S)` on `--data-batches` MNIST batches held in memory
  (`benchmarks/speed.py`'s `FitLoop`, dataset through `keras_gans.data.prefetched`). All
  configurations start from the same weights.
* **PyTorch**: the original training loop, step for step (z from `np.random.normal`, G step
  through D, then D step on the real batch and the *detached* fakes, `.item()` of both losses),
  on the same MNIST batches held in memory as NCHW tensors (the original's torchvision
  `DataLoader` with per-image PIL transforms is left out, as the tf.data pipeline is on our side;
  torchvision is not installed).

By default `GAN.train_step` draws fresh z for its generator step and runs D first, so it does one
more G forward per step than PyTorch-GAN's loop (which reuses the G-step fakes for the D step).
`reuse_fakes=True` is PyTorch-GAN's amount of work: one G forward per step, whose fakes serve
both updates (D first, then G through the same forward pass). Both are timed.

The PyTorch side runs in a subprocess with a separate venv's python (torch is never a dependency of
keras-gans): `benchmarks/.venv-torch`, made with

    python -m venv benchmarks/.venv-torch && benchmarks/.venv-torch/bin/pip install torch==2.13.0 numpy

The worker stays alive for the whole run and waits (idle) on its stdin while TensorFlow runs, so
the loops can alternate: after `--warmup` untimed steps of each (tracing, XLA compilation),
`--repeats` rounds each time every loop for `--steps` steps, in an order rotated every round.
The worker is stopped (SIGSTOP) between its runs, so that none of its threads can take CPU while
TensorFlow is timed. Every timed run also records the cores used on average by all *other*
processes of the machine (`/proc/stat` busy time minus this benchmark's CPU time): near 0 on a
quiet machine. Reported: the median steps/s of each loop and the ratios keras-gans / PyTorch (also for the best
run of each loop: on the 2-core VM where this was written, TensorFlow's `fit` calls are bimodal,
some runs taking much longer wall time for the same CPU time), against the target
of GitHub issue 6 (with XLA >= 1.2x PyTorch). Both frameworks use `--threads` threads
(`tf.config.threading` intra- and inter-op; `torch.set_num_threads` and
`torch.set_num_interop_threads`).

    python benchmarks/peer_pytorch.py                                  # full run
    python benchmarks/peer_pytorch.py --steps 3 --repeats 1 --warmup 2 --out /tmp/peer.json  # smoke test

Writes JSON to `--out` (default benchmarks/results/peer_pytorch.json) and prints a Markdown table.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TORCH_PYTHON = os.path.join(HERE, ".venv-torch", "bin", "python")
#: GitHub issues 6 and 19: keras-gans (with XLA; with its defaults) at least this many times PyTorch's steps/s.
TARGET_RATIO = 1.2
LEARNING_RATE, BETA_1, BETA_2 = 2e-4, 0.5, 0.999
LOOPS = ("keras_default", "keras", "keras_xla", "keras_reuse", "keras_xla_reuse", "torch")
KERAS_LOOPS = LOOPS[:-1]
LOOP_NAMES = {
    "keras_default": "keras-gans GAN.fit, the library's defaults (what it chooses by itself)",
    "keras": "keras-gans GAN.fit, no XLA (jit_compile=False)",
    "keras_xla": "keras-gans GAN.fit, XLA (jit_compile=True)",
    "keras_reuse": "keras-gans GAN.fit, reuse_fakes=True, no XLA",
    "keras_xla_reuse": "keras-gans GAN.fit, reuse_fakes=True, XLA",
    "torch": "PyTorch (PyTorch-GAN dcgan.py loop)",
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--img-size", type=int, default=32, help="image size (default 32, the original's)")
    parser.add_argument("--channels", type=int, default=1, help="image channels (default 1)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--latent-dim", type=int, default=100, help="size of z (default 100)")
    parser.add_argument("--steps", type=int, default=10, help="timed steps per loop per round (default 10)")
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds (default 7)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="untimed warm-up steps per loop, after tracing (default 5)")
    parser.add_argument("--data-batches", type=int, default=20,
                        help="real batches held in memory and repeated (default 20)")
    parser.add_argument("--threads", type=int, default=2,
                        help="threads of both frameworks, intra- and inter-op (default 2)")
    parser.add_argument("--loops", nargs="+", choices=LOOPS, default=list(LOOPS),
                        help="loops to time (default all three)")
    parser.add_argument("--torch-python", default=DEFAULT_TORCH_PYTHON,
                        help="python of the venv with torch (default benchmarks/.venv-torch/bin/python)")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and noise (default 0)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "peer_pytorch.json"),
                        help="JSON output (default benchmarks/results/peer_pytorch.json)")
    parser.add_argument("--torch-worker", metavar="DATA.npy", default=None,
                        help=argparse.SUPPRESS)  # internal: run as the PyTorch worker on these batches
    return parser.parse_args(argv)


def machine_busy_seconds():
    """CPU seconds all processes of the machine have used since boot (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------- PyTorch worker
# Runs under the torch venv's python: imports neither TensorFlow nor keras_gans.


def torch_worker(args):
    """Line protocol on stdin/stdout: `run N` -> {"seconds", "cpu_seconds"}; `quit` ends."""
    import numpy as np
    import torch
    import torch.nn as nn

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    batches = torch.from_numpy(np.load(args.torch_worker))  # (n, batch, C, H, W) float32 in [-1, 1]
    img_size, channels, latent_dim = args.img_size, args.channels, args.latent_dim

    def weights_init_normal(m):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            torch.nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find("BatchNorm2d") != -1:
            torch.nn.init.normal_(m.weight.data, 1.0, 0.02)
            torch.nn.init.constant_(m.bias.data, 0.0)

    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.init_size = img_size // 4
            self.l1 = nn.Sequential(nn.Linear(latent_dim, 128 * self.init_size ** 2))
            self.conv_blocks = nn.Sequential(
                nn.BatchNorm2d(128),
                nn.Upsample(scale_factor=2),
                nn.Conv2d(128, 128, 3, stride=1, padding=1),
                nn.BatchNorm2d(128, 0.8),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Upsample(scale_factor=2),
                nn.Conv2d(128, 64, 3, stride=1, padding=1),
                nn.BatchNorm2d(64, 0.8),
                nn.LeakyReLU(0.2, inplace=True),
                nn.Conv2d(64, channels, 3, stride=1, padding=1),
                nn.Tanh(),
            )

        def forward(self, z):
            out = self.l1(z)
            out = out.view(out.shape[0], 128, self.init_size, self.init_size)
            return self.conv_blocks(out)

    class Discriminator(nn.Module):
        def __init__(self):
            super().__init__()

            def discriminator_block(in_filters, out_filters, bn=True):
                block = [nn.Conv2d(in_filters, out_filters, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True),
                         nn.Dropout2d(0.25)]
                if bn:
                    block.append(nn.BatchNorm2d(out_filters, 0.8))
                return block

            self.model = nn.Sequential(
                *discriminator_block(channels, 16, bn=False),
                *discriminator_block(16, 32),
                *discriminator_block(32, 64),
                *discriminator_block(64, 128),
            )
            # The original uses img_size // 2**4, right only for multiples of 16: use the real size.
            with torch.no_grad():
                ds = self.model(torch.zeros(2, channels, img_size, img_size)).shape[-1]
            self.adv_layer = nn.Sequential(nn.Linear(128 * ds ** 2, 1), nn.Sigmoid())

        def forward(self, img):
            out = self.model(img)
            out = out.view(out.shape[0], -1)
            return self.adv_layer(out)

    adversarial_loss = torch.nn.BCELoss()
    generator, discriminator = Generator(), Discriminator()
    generator.apply(weights_init_normal)
    discriminator.apply(weights_init_normal)
    optimizer_G = torch.optim.Adam(generator.parameters(), lr=LEARNING_RATE, betas=(BETA_1, BETA_2))
    optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=LEARNING_RATE, betas=(BETA_1, BETA_2))
    Tensor = torch.FloatTensor
    position = [0]

    def train_step():
        imgs = batches[position[0] % len(batches)]
        position[0] += 1
        valid = Tensor(imgs.shape[0], 1).fill_(1.0)
        fake = Tensor(imgs.shape[0], 1).fill_(0.0)
        real_imgs = imgs.type(Tensor)

        optimizer_G.zero_grad()
        z = Tensor(np.random.normal(0, 1, (imgs.shape[0], latent_dim)))
        gen_imgs = generator(z)
        g_loss = adversarial_loss(discriminator(gen_imgs), valid)
        g_loss.backward()
        optimizer_G.step()

        optimizer_D.zero_grad()
        real_loss = adversarial_loss(discriminator(real_imgs), valid)
        fake_loss = adversarial_loss(discriminator(gen_imgs.detach()), fake)
        d_loss = (real_loss + fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
        return d_loss.item(), g_loss.item()  # The original prints both every step.

    def reply(message):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    reply({"ready": True, "torch": torch.__version__, "numpy": np.__version__,
           "num_threads": torch.get_num_threads(), "num_interop_threads": torch.get_num_interop_threads(),
           "parameters": {"generator": sum(p.numel() for p in generator.parameters()),
                          "discriminator": sum(p.numel() for p in discriminator.parameters())}})
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        steps = int(command[1])
        start, start_cpu = time.perf_counter(), time.process_time()
        losses = None
        for _ in range(steps):
            losses = train_step()
        reply({"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - start_cpu,
               "losses": losses})


class TorchLoop:
    """The PyTorch worker subprocess, driven over its stdin / stdout."""

    name = LOOP_NAMES["torch"]

    def __init__(self, args, data_file):
        if not os.path.isfile(args.torch_python):
            raise FileNotFoundError(
                f"no torch python at {args.torch_python}: python -m venv benchmarks/.venv-torch && "
                "benchmarks/.venv-torch/bin/pip install torch==2.13.0 numpy")
        command = [args.torch_python, os.path.abspath(__file__), "--torch-worker", data_file,
                   "--threads", str(args.threads), "--img-size", str(args.img_size),
                   "--channels", str(args.channels), "--latent-dim", str(args.latent_dim),
                   "--seed", str(args.seed)]
        env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env=env)
        self.info = self._read()
        self._pause()

    def _pause(self):  # Stopped between its runs, so that no idle thread of it can take CPU from TF.
        os.kill(self.process.pid, signal.SIGSTOP)

    def _resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the PyTorch worker exited (code {self.process.wait()})")
        return json.loads(line)

    def run(self, steps):
        self._resume()
        self.process.stdin.write(f"run {steps}\n")
        self.process.stdin.flush()
        reply = self._read()
        self._pause()
        return reply

    def close(self):
        if self.process.poll() is None:
            self._resume()
            self.process.stdin.write("quit\n")
            self.process.stdin.flush()
            self.process.wait(timeout=60)


# ------------------------------------------------------------------------------- Keras side


def keras_generator(latent_dim, img_size, channels):
    """PyTorch-GAN's DCGAN generator in Keras (NHWC)."""
    import keras
    from keras import layers

    conv_init = keras.initializers.RandomNormal(0.0, 0.02)
    gamma_init = keras.initializers.RandomNormal(1.0, 0.02)

    def bn(epsilon):  # PyTorch momentum 0.1 = Keras momentum 0.9.
        return layers.BatchNormalization(momentum=0.9, epsilon=epsilon, gamma_initializer=gamma_init)

    s = img_size // 4
    z = keras.Input((latent_dim,), name="z")
    x = layers.Dense(128 * s * s)(z)
    x = layers.Reshape((s, s, 128))(x)
    x = bn(1e-5)(x)
    for filters in (128, 64):
        x = layers.UpSampling2D(2)(x)  # nearest, like nn.Upsample's default
        x = layers.Conv2D(filters, 3, padding="same", kernel_initializer=conv_init)(x)
        x = bn(0.8)(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(channels, 3, padding="same", kernel_initializer=conv_init)(x)
    x = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(z, x, name="generator")


def keras_discriminator(img_size, channels):
    """PyTorch-GAN's DCGAN discriminator in Keras; outputs logits (the Sigmoid is in the loss).

    Stride-2 "same" convs pad (0, 1) where PyTorch's padding=1 pads (1, 1): same shapes and cost.
    """
    import keras
    from keras import layers

    conv_init = keras.initializers.RandomNormal(0.0, 0.02)
    gamma_init = keras.initializers.RandomNormal(1.0, 0.02)
    inputs = keras.Input((img_size, img_size, channels), name="images")
    x = inputs
    for filters, batch_norm in ((16, False), (32, True), (64, True), (128, True)):
        x = layers.Conv2D(filters, 3, strides=2, padding="same", kernel_initializer=conv_init)(x)
        x = layers.LeakyReLU(0.2)(x)
        x = layers.SpatialDropout2D(0.25)(x)
        if batch_norm:
            x = layers.BatchNormalization(momentum=0.9, epsilon=0.8, gamma_initializer=gamma_init)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1, dtype="float32")(x)
    return keras.Model(inputs, x, name="discriminator")


def mnist_batches(batch_size, img_size, channels, num_batches):
    """`num_batches` MNIST batches (NHWC float32 in [-1, 1]) from keras_gans.data.mnist_dataset."""
    import numpy as np

    from keras_gans.data import mnist_dataset

    dataset = mnist_dataset(batch_size, image_size=img_size, channels=channels)
    return np.stack([b.numpy() for b in dataset.take(num_batches)])


class KerasLoop:
    """`GAN.fit`; `jit_compile` and `reuse_fakes` None leave them to the library (its defaults, and
    the choices a run of `keras-gans train`'s length makes at its start)."""

    def __init__(self, speed, nets, args, jit_compile, dataset, reuse_fakes=False):
        generator, discriminator = speed.copy_nets(*nets)
        self.fit_loop = speed.FitLoop(generator, discriminator, args.latent_dim, args.batch_size, jit_compile,
                                      reuse_fakes=reuse_fakes)
        self.choices = None
        if jit_compile is None:
            self.choices = self.fit_loop.choose_as_a_long_run(dataset)
        self.effective_jit_compile = self.fit_loop.effective_jit_compile
        self.dataset = dataset

    def run(self, steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        self.fit_loop.run(self.dataset, steps)
        return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - start_cpu}


# ------------------------------------------------------------------------------- report


def fmt(value, spec=".2f", empty="-"):
    return empty if value is None else format(value, spec)


def times(value):
    return "-" if value is None else f"{value:.2f}x"


def markdown_table(report):
    s = report["settings"]
    results, ratios = report["results"], report["ratios"]
    head = (f"PyTorch-GAN DCGAN, MNIST {s['img_size']}x{s['img_size']}x{s['channels']}, batch "
            f"{s['batch_size']}, {s['threads']} threads each")
    lines = [f"| loop ({head}) | steps/s (median) | keras-gans / PyTorch (medians) | steps/s (best run) "
             "| keras-gans / PyTorch (best runs) | runs (steps/s) | CPU ms/step (median) "
             "| other processes (cores, max) |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    for key in LOOPS:
        if key not in results:
            continue
        r = results[key]
        runs = ", ".join(f"{v:.2f}" for v in r["steps_per_second"])
        median = f"error: {r['error']}" if r.get("error") else fmt(r["median"])
        ratio = "1 (reference)" if key == "torch" else times(ratios.get(key))
        best_ratio = "1 (reference)" if key == "torch" else times(ratios.get(key + "_best"))
        foreign = [v for v in r.get("foreign_cores", []) if v is not None]
        lines.append(f"| {LOOP_NAMES[key]} | {median} | {ratio} | {fmt(r.get('best'))} | {best_ratio} | {runs} "
                     f"| {fmt(r.get('median_cpu_ms_per_step'), '.0f')} | {fmt(max(foreign) if foreign else None)} |")
    choices = results.get("keras_default", {}).get("choices")
    if choices:
        lines += ["", f"The defaults chose: {choices['reason']}; reuse_fakes={choices['reuse_fakes']}; "
                  f"TF_ENABLE_ONEDNN_OPTS={report['machine'].get('tf_enable_onednn_opts')}."]
    for key, label in (("keras_default", "issue 19: with the library's defaults"),
                       ("keras_xla", "issue 6: with XLA, fresh fakes for the G step"),
                       ("keras_xla_reuse", "issue 6: with XLA, reuse_fakes=True, PyTorch-GAN's algorithm")):
        target = ratios.get(key)
        verdict = "-" if target is None else ("met" if target >= TARGET_RATIO else "not met")
        lines += ["", f"Target ({label}) >= {TARGET_RATIO}x PyTorch steps/s: "
                  f"**{verdict}** (medians: {times(target)}; best runs: {times(ratios.get(key + '_best'))})."]
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.torch_worker:
        return torch_worker(args)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import warnings

    warnings.filterwarnings("ignore", message=".*`shuffle=True` was passed.*")
    sys.path.insert(0, HERE)
    import speed  # benchmarks/speed.py: threads, machine info, FitLoop, copy_nets

    speed.set_threads(args.threads)
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gans.data import prefetched

    machine = speed.machine_at_start()
    print(f"load average at start: {machine['load_average_start']}", file=sys.stderr)

    batches = mnist_batches(args.batch_size, args.img_size, args.channels, args.data_batches)
    dataset = prefetched(tf.data.Dataset.from_tensor_slices(batches).cache().repeat())
    keras.utils.set_random_seed(args.seed)
    nets = (keras_generator(args.latent_dim, args.img_size, args.channels),
            keras_discriminator(args.img_size, args.channels))
    settings = {k: v for k, v in vars(args).items() if k not in ("out", "torch_worker")}
    settings.update(loss="BCE (PyTorch) / non_saturating on logits (keras-gans)",
                    optimizer=f"Adam({LEARNING_RATE}, ({BETA_1}, {BETA_2}))", n_critic=1, ema=None,
                    keras_parameters={"generator": nets[0].count_params(),
                                      "discriminator": nets[1].count_params()})

    results, loops, torch_loop = {}, {}, None
    with tempfile.TemporaryDirectory() as tmp:
        data_file = os.path.join(tmp, "batches.npy")
        np.save(data_file, np.ascontiguousarray(batches.transpose(0, 1, 4, 2, 3)))  # NHWC -> NCHW
        try:
            for key in args.loops:
                results[key] = {"name": LOOP_NAMES[key], "steps_per_second": [], "cpu_ms_per_step": [],
                                "median": None, "error": None}
                try:
                    start = time.perf_counter()
                    if key == "torch":
                        loop = torch_loop = TorchLoop(args, data_file)
                        results[key]["worker"] = loop.info
                    else:
                        default = key == "keras_default"
                        loop = KerasLoop(speed, nets, args, None if default else "xla" in key, dataset,
                                         reuse_fakes=None if default else "reuse" in key)
                        results[key]["effective_jit_compile"] = loop.effective_jit_compile
                        if default:
                            results[key]["choices"] = loop.choices
                    loop.run(args.warmup)
                    results[key]["warmup_seconds"] = round(time.perf_counter() - start, 2)
                    loops[key] = loop
                except Exception as e:  # XLA may fail on some ops / CPUs: record and go on.
                    results[key]["error"] = speed.short_error(e)
                    print(f"{LOOP_NAMES[key]} failed: {results[key]['error']}", file=sys.stderr)

            for repeat in range(args.repeats):
                order = list(loops)
                shift = repeat % max(len(order), 1)
                for key in order[shift:] + order[:shift]:
                    busy, own = machine_busy_seconds(), time.process_time()
                    timing = loops[key].run(args.steps)
                    own = time.process_time() - own + (timing["cpu_seconds"] if key == "torch" else 0.0)
                    rate = args.steps / timing["seconds"]
                    results[key]["steps_per_second"].append(round(rate, 3))
                    results[key]["cpu_ms_per_step"].append(round(1000 * timing["cpu_seconds"] / args.steps, 1))
                    # Cores used on average by anything but this benchmark during the run (0 = quiet).
                    foreign = None if busy is None else (machine_busy_seconds() - busy - own) / timing["seconds"]
                    results[key].setdefault("foreign_cores", []).append(None if foreign is None else round(foreign, 2))
                    print(f"  round {repeat + 1}/{args.repeats} {LOOP_NAMES[key]}: {rate:.2f} steps/s "
                          f"(other processes: {foreign if foreign is None else round(foreign, 2)} cores)",
                          file=sys.stderr)
        finally:
            if torch_loop is not None:
                torch_loop.close()

    for r in results.values():
        if r["steps_per_second"] and not r["error"]:
            r["median"] = round(statistics.median(r["steps_per_second"]), 3)
            r["best"] = max(r["steps_per_second"])
            r["median_cpu_ms_per_step"] = round(statistics.median(r["cpu_ms_per_step"]), 1)
    reference = results.get("torch", {}).get("median")
    ratios = {key: (round(results[key]["median"] / reference, 3) if reference and results[key]["median"] else None)
              for key in KERAS_LOOPS if key in results}
    best_reference = results.get("torch", {}).get("best")
    ratios.update({key + "_best": (round(results[key]["best"] / best_reference, 3)
                                   if best_reference and results[key].get("best") else None)
                   for key in KERAS_LOOPS if key in results})
    speed.mark_end(machine)
    if "torch" in results and results["torch"].get("worker"):
        machine["torch"] = results["torch"]["worker"]["torch"]
    report = {"benchmark": "peer_pytorch", "machine": machine, "settings": settings, "results": results,
              "ratios": ratios, "target": {"keras_xla_over_torch": TARGET_RATIO, "met": {
                  key: None if ratios.get(key) is None else ratios[key] >= TARGET_RATIO
                  for key in ("keras_default", "keras_xla", "keras_xla_reuse")}}}
    report["table"] = markdown_table(report)
    speed.write_report(args.out, report)
    print(f"\n{speed.machine_summary(machine)}\n")
    print(report["table"])
    print(f"\nWrote {args.out}")
    return report


if __name__ == "__main__":
    main()
