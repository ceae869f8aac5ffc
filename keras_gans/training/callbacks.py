"""Callbacks of the `keras-gans train` command: sample pictures, checkpoints, divergence guard.

They work with every `AdversarialModel` family: the step is `model.step_counter` and the picture
is `model.sample_picture(...)`.
"""

import math
import os

import keras
import numpy as np

from keras_gans.utils.cpu_kernels import ONEDNN_VARIABLE
from keras_gans.utils.files import replacing
from keras_gans.utils.images import save_picture


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, writes the model's picture to `directory/epoch_NNNN.png` (and, with
    `log_dir`, to TensorBoard's images as `samples`), from the same seed every epoch (and, for
    translation models, of the same `examples`).

    The model draws it (`model.sample_picture`): a grid of samples for images, a scatter plot with
    the mixture `centers` for 2-D data, per-label rows or input|output pairs for other families.
    The same seed every epoch makes progress visible.
    """

    def __init__(self, directory, n=64, seed=0, centers=None, log_dir=None, examples=None):
        super().__init__()
        self.examples = examples  # (sources, targets) a translation model translates
        self.directory = directory
        self.n = n
        self.seed = seed
        self.centers = centers
        self.log_dir = log_dir
        self._writer = None

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs):
            return
        os.makedirs(self.directory, exist_ok=True)
        extra = {} if self.examples is None else {"examples": self.examples}
        picture = self.model.sample_picture(self.n, seed=self.seed, centers=self.centers, title=f"epoch {epoch + 1}",
                                            **extra)
        save_picture(os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), picture)
        if self.log_dir is not None:
            import tensorflow as tf

            if self._writer is None:
                self._writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))
            with self._writer.as_default():
                tf.summary.image("samples", picture[np.newaxis], step=int(self.model.step_counter.numpy()))
            self._writer.flush()

    def on_train_end(self, logs=None):
        if self._writer is not None:
            self._writer.close()
            self._writer = None


class StopOnNonFinite(keras.callbacks.Callback):
    """Stops training at the first batch whose logged losses are NaN or infinite.

    Records which value diverged in `self.diverged` (step, name, value); the checkpoint callback
    skips the epoch, so the last checkpoint on disk stays the last finite one.
    """

    def __init__(self):
        super().__init__()
        self.diverged = None

    def on_train_batch_end(self, batch, logs=None):
        for name, value in (logs or {}).items():
            value = float(np.asarray(value).reshape(-1)[0])
            if not math.isfinite(value):
                self.diverged = (int(self.model.step_counter.numpy()), name, value)
                self.model.stop_training = True
                return


class StopAtStep(keras.callbacks.Callback):
    """Stops training once the model has taken `steps` steps (`step_counter`), even in the middle of
    an epoch.

    `fit` runs whole epochs; with this callback `train.steps` is exact when it is not a multiple of
    `steps_per_epoch` (e.g. `--steps 20` with 1000 steps per epoch). The interrupted epoch still
    ends normally: its checkpoint and sample grid are written.
    """

    def __init__(self, steps):
        super().__init__()
        self.steps = int(steps)

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.step_counter.numpy()) >= self.steps:
            self.model.stop_training = True


class StepProgress(keras.callbacks.Callback):
    """Keras' per-epoch progress bar (`keras.utils.Progbar`), with the steps each epoch really
    runs as its target: an epoch that `--steps` cuts short (300 of 500 steps) shows 300/300 and
    the right ms/step, where `fit`'s own bar says 500/500.

    `verbose`: 1 a live bar (a terminal), 2 one line per epoch (logs). Use with `fit(verbose=0)`.
    """

    def __init__(self, total_steps, steps_per_epoch, verbose=1):
        super().__init__()
        self.total_steps, self.steps_per_epoch, self.verbose = int(total_steps), int(steps_per_epoch), verbose
        self.bar, self.seen, self.target = None, 0, None

    def on_epoch_begin(self, epoch, logs=None):
        step = int(self.model.step_counter.numpy())
        self.target = max(1, min(self.steps_per_epoch, self.total_steps - step))
        self.seen = 0
        if self.params.get("epochs", 1) > 1:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", flush=True)
        # The logs are the trackers' running means already: shown as they are, not averaged again.
        self.bar = keras.utils.Progbar(self.target, verbose=self.verbose, unit_name="step",
                                       stateful_metrics=[metric.name for metric in self.model.metrics])

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        if self.verbose == 1:
            self.bar.update(self.seen, list((logs or {}).items()))

    def on_epoch_end(self, epoch, logs=None):
        self.bar.update(self.seen, list((logs or {}).items()), finalize=True)


class GANCheckpoint(keras.callbacks.Callback):
    """Saves the whole model (networks, averages, optimizers) to `path` after every finite epoch.

    The file is written next to its destination and renamed over it, so a run killed in the
    middle of a save (even with SIGKILL) leaves the previous checkpoint intact.
    """

    def __init__(self, path):
        super().__init__()
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs):
            return
        save_atomically(self.model, self.path)


class RecordJitChoice(keras.callbacks.Callback):
    """At the start of training, writes the XLA choice `fit` measured (`jit_compile="auto"` on a
    CPU) to `path` as JSON, so that a resumed run uses it without measuring again, and `log`s it."""

    def __init__(self, path, log=print):
        super().__init__()
        self.path, self.log = path, log

    def on_train_begin(self, logs=None):
        import json

        rates = getattr(self.model, "jit_measurement", None)
        if rates is None:
            return
        self.log(self.model.jit_compile_reason)
        record = {"jit_compile": bool(self.model.jit_compile), "reason": self.model.jit_compile_reason,
                  "steps_per_second": {"xla": round(rates[True], 3), "no_xla": round(rates[False], 3)},
                  ONEDNN_VARIABLE: os.environ.get(ONEDNN_VARIABLE)}  # the kernels it was measured with
        with replacing(self.path) as tmp:
            with open(tmp, "w") as f:
                json.dump(record, f, indent=1)


def save_atomically(model, path):
    """`model.save(path)` through a temporary file renamed over `path` (removed if the save fails)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with replacing(path, suffix=".keras") as tmp:
        model.save(tmp)


def _finite(logs):
    for value in (logs or {}).values():
        if not math.isfinite(float(np.asarray(value).reshape(-1)[0])):
            return False
    return True
