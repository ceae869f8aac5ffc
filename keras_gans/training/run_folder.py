"""Who may write a run folder, and with which recipe: new runs, `--overwrite`, `--resume`, the lock.

- A new run goes into a folder that holds no run; `--overwrite` first removes the run there.
- `--resume` continues the folder's own run with the recipe saved there. The same full command
  may be given again (a restart loop): values equal to the saved ones are fine; `train.steps`
  (the new total) and optimizer hyper-parameters (`compile.<player>_optimizer.learning_rate`,
  betas, ...: the advice after a divergence) may change; any other change is an error.
- One process at a time: `RUN_DIR/.lock` names the process that trains there. A lock left by a
  process that no longer runs (kill -9) is taken over.
"""

import copy
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
#: Recipe keys `--resume` may change: the total steps and the optimizers' hyper-parameters.
RESUMABLE = re.compile(r"^(train\.steps|compile\.\w+_optimizer\.(?!name$)\w+)$")


def holds_run(out):
    """Whether folder `out` holds (part of) a run."""
    return any(os.path.exists(os.path.join(out, name)) for name in RUN_CONTENTS)


def check_out(out):
    """`out` must be a folder or not exist."""
    if os.path.exists(out) and not os.path.isdir(out):
        raise UserError(f"--out {out!r} is a file, not a folder: give a folder for the run")


def prepare_new_run(out, overwrite):
    """Refuses to train a new run over an existing one, unless `overwrite` (which removes it)."""
    check_out(out)
    if not holds_run(out):
        return
    if not overwrite:
        raise UserError(f"{out} holds a run already: continue it with --resume, replace it with --overwrite, "
                        "or train into another --out")
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
            "only train.steps and optimizer settings (e.g. compile.g_optimizer.learning_rate) may change; "
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
    """`with RunLock(out):` one training process per run folder (`out/.lock`: pid and host)."""

    def __init__(self, out):
        self.path = os.path.join(out, LOCK_FILE)
        self.owner = f"{os.getpid()} {socket.gethostname()}"

    def __enter__(self):
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if not self._stale():
                    raise UserError(self._busy()) from None
                try:
                    os.remove(self.path)
                except FileNotFoundError:
                    pass
                continue
            with os.fdopen(fd, "w") as f:
                f.write(self.owner + "\n")
            return self
        raise UserError(self._busy())

    def __exit__(self, *exc):
        try:
            with open(self.path) as f:
                mine = f.read().strip() == self.owner
            if mine:
                os.remove(self.path)
        except OSError:
            pass
        return False

    def _holder(self):
        try:
            with open(self.path) as f:
                pid, _, host = f.read().strip().partition(" ")
            return int(pid), host
        except (OSError, ValueError):
            return None, None

    def _stale(self):
        """A lock of a process of this host that no longer runs (or an unreadable lock file)."""
        pid, host = self._holder()
        if pid is None:
            return True
        if host != socket.gethostname():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return pid == os.getpid()

    def _busy(self):
        pid, host = self._holder()
        return (f"another keras-gans process (pid {pid} on {host}) is training in {os.path.dirname(self.path)}: "
                f"wait for it, stop it, or train into another --out (if it is gone, remove {self.path})")
