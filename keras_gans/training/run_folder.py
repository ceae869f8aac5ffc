"""Who may write a run folder, and with which recipe: new runs, `--overwrite`, `--resume`, the lock.

- A new run goes into a folder that holds no run; `--overwrite` first removes the run there.
- `--resume` continues the folder's own run with the recipe saved there. The same full command
  may be given again (a restart loop): values equal to the saved ones are fine; `train.steps`
  (the new total) and optimizer hyper-parameters (`compile.<player>_optimizer.learning_rate`,
  betas, ...: the advice after a divergence) may change; any other change is an error.
- One process at a time: the training process holds an exclusive `flock` on `RUN_DIR/.lock`
  (which also names it: pid and host). The OS drops the lock when the process ends, however it
  ends (kill -9 too), so there are no stale locks to clear.
"""

import copy
import fcntl
import os
import re
import shutil
import socket

from keras_gans import recipes
from keras_gans import runs
from keras_gans.errors import UserError

LOCK_FILE = ".lock"
#: What a run writes into its folder (`--overwrite` removes exactly these).
RUN_CONTENTS = (runs.RECIPE_FILE, runs.MODEL_FILE, os.path.dirname(runs.CHECKPOINT), "samples", "logs")
#: Optimizer settings `--resume` may change (the ones a diverged run needs; not those that add
#: optimizer state or change what a step is, such as `amsgrad` or `gradient_accumulation_steps`).
OPTIMIZER_SETTINGS = ("learning_rate", "beta_1", "beta_2", "epsilon", "weight_decay", "clipnorm", "clipvalue",
                      "global_clipnorm", "momentum", "rho")
#: Recipe keys `--resume` may change: the total steps and those optimizer settings.
RESUMABLE = re.compile(rf"^(train\.steps|compile\.\w+_optimizer\.({'|'.join(OPTIMIZER_SETTINGS)}))$")


def holds_run(out):
    """Whether folder `out` holds a run: its recipe, checkpoint or model (sample or log folders
    alone may be the user's own)."""
    return any(os.path.exists(os.path.join(out, name)) for name in (runs.RECIPE_FILE, runs.MODEL_FILE,
                                                                     runs.CHECKPOINT))


def check_out(out):
    """`out` must be a folder or not exist."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError(f"--out {out!r} is a file, not a folder: give a folder for the run")


def prepare_new_run(out, overwrite, init=None):
    """Refuses to train a new run over an existing one, unless `overwrite` (which removes it)."""
    check_out(out)
    if not holds_run(out):
        return
    if not overwrite:
        raise UserError(f"{out} holds a run already: continue it with --resume, replace it with --overwrite, "
                        "or train into another --out")
    if init is not None and os.path.isdir(init) and os.path.samefile(init, out):
        raise UserError(f"--init {init} is the run --overwrite would replace: train into another --out")
    for name in RUN_CONTENTS:
        path = os.path.join(out, name)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)


def resume_recipe(out, overrides=()):
    """`(recipe, changed keys)`: the recipe saved in `out` with the `--set`-style `overrides`, which
    may only change `train.steps` and optimizer hyper-parameters."""
    if not os.path.isfile(os.path.join(out, runs.RECIPE_FILE)):
        raise UserError(f"--resume: {out} holds no run ({runs.RECIPE_FILE} is missing); train it without --resume")
    saved = runs.read_recipe(out)
    recipe = recipes.apply_overrides(copy.deepcopy(saved), list(overrides))
    changed = _differences(saved, recipe)
    refused = [key for key in changed if not RESUMABLE.match(key)]
    if refused:
        raise UserError(
            f"--resume continues {out} with the recipe saved there, where {', '.join(refused)} differ(s): "
            f"only train.steps and compile.<player>_optimizer.{{{','.join(OPTIMIZER_SETTINGS)}}} may change; "
            "drop the others, or train into a new --out"
        )
    return recipe, changed


def _differences(a, b, prefix=""):
    keys = []
    for key in sorted(set(a) | set(b), key=str):
        left, right = a.get(key), b.get(key)
        if isinstance(left, str) and isinstance(right, dict) and right.get("name") == left:
            left = {"name": left}  # `adam` and `{name: adam, ...}`
        if isinstance(left, dict) and isinstance(right, dict):
            keys += _differences(left, right, f"{prefix}{key}.")
        elif left != right:
            keys.append(f"{prefix}{key}")
    return keys


def set_optimizer_values(model, recipe, changed):
    """Gives the loaded `model`'s optimizers the changed `compile.<player>_optimizer.*` values."""
    for key in changed:
        match = re.match(r"^compile\.(\w+)_optimizer\.(\w+)$", key)
        if not match:
            continue
        player, name = match.groups()
        optimizer = getattr(model, f"{player}_optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # float16 loss scaling
        value = recipe["compile"][f"{player}_optimizer"][name]
        if optimizer is None or name not in optimizer.get_config():
            raise UserError(f"cannot change {key}: the {player} optimizer has no setting {name!r}")
        try:
            if name == "learning_rate":
                optimizer.learning_rate = value
            else:
                setattr(optimizer, name, value)
        except (TypeError, ValueError) as e:
            raise UserError(f"cannot change {key} to {value!r} ({e})") from None


class RunLock:
    """`with RunLock(out):` one training process per run folder: an exclusive `flock` on
    `out/.lock` for as long as the block runs; the file names the holder (pid and host)."""

    def __init__(self, out):
        self.path = os.path.join(out, LOCK_FILE)
        self.file = None

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            pid, _, host = holder.partition(" ")
            raise UserError(f"another keras-gans process (pid {pid} on {host or 'an unknown host'}) is training in "
                            f"{os.path.dirname(self.path)}: wait for it, stop it, or train into another --out") from None
        except OSError:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {socket.gethostname()}\n")
        handle.flush()
        self.file = handle
        return self

    def __exit__(self, *exc):
        if self.file is not None:
            self.file.close()  # closing releases the lock; the file stays (removing it could race)
            self.file = None
        return False


def use_recorded_jit_choice(gan, path):
    """Makes a resumed run of `jit_compile="auto"` train as it measured at its start (`path`,
    written by `RecordJitChoice`) instead of measuring again, unless the CPU kernels (oneDNN on or
    off) differ from the ones it was measured with."""
    import json

    from keras_gans.utils.cpu_kernels import ONEDNN_VARIABLE

    from keras_gans.models import jit

    if not (getattr(gan, "_measure_jit", False) and os.path.isfile(path)):
        return
    try:
        with open(path) as f:
            record = json.load(f)
        use_xla, reason = record["jit_compile"], str(record["reason"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # damaged: measure again
    if record.get(ONEDNN_VARIABLE) != os.environ.get(ONEDNN_VARIABLE):
        return  # measured with other CPU kernels: measure again
    if isinstance(use_xla, bool):
        jit.use_jit_compile(gan, use_xla, f"{reason} (kept from {path})")
