"""Callbacks of the `keras-gans train` command: sample pictures, checkpoints, divergence guard."""

import math
import os

import keras
import numpy as np

from keras_gans.utils.images import save_image_grid, save_scatter


class SampleGrid(keras.callbacks.Callback):
    """After every epoch, writes `directory/epoch_NNNN.png` from a fixed batch of z.

    Image data gives a grid of samples; 2-D data (`centers` given) a scatter plot with the mixture
    centres. The same z every epoch makes progress visible.
    """

    def __init__(self, directory, n=64, seed=0, centers=None):
        super().__init__()
        self.directory = directory
        self.n = n
        self.seed = seed
        self.centers = centers

    def on_epoch_end(self, epoch, logs=None):
        if not _finite(logs):
            return
        os.makedirs(self.directory, exist_ok=True)
        samples = self.model.generate(self.n, seed=self.seed)
        path = os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png")
        if samples.ndim == 2:
            save_scatter(path, samples, self.centers, title=f"epoch {epoch + 1}")
        else:
            save_image_grid(path, samples)


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
                self.diverged = (int(self.model.g_optimizer.iterations.numpy()), name, value)
                self.model.stop_training = True
                return


class StopAtStep(keras.callbacks.Callback):
    """Stops training once the generator has taken `steps` steps, even in the middle of an epoch.

    `fit` runs whole epochs; with this callback `train.steps` is exact when it is not a multiple of
    `steps_per_epoch` (e.g. `--steps 20` with 1000 steps per epoch). The interrupted epoch still
    ends normally: its checkpoint and sample grid are written.
    """

    def __init__(self, steps):
        super().__init__()
        self.steps = int(steps)

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.g_optimizer.iterations.numpy()) >= self.steps:
            self.model.stop_training = True


class GANCheckpoint(keras.callbacks.Callback):
    """Saves the whole GAN (G, EMA-G, D, both optimizers) to `path` after every finite epoch.

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


def save_atomically(model, path):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp.keras"
    model.save(tmp)
    os.replace(tmp, path)


def _finite(logs):
    for value in (logs or {}).values():
        if not math.isfinite(float(np.asarray(value).reshape(-1)[0])):
            return False
    return True
