"""A training run: train / resume a recipe into a run folder (layout: `keras_gans.runs`)."""

import contextlib
import math
import os
import sys
import time

from keras_gans import recipes
from keras_gans import runs
from keras_gans.errors import TrainingDiverged
from keras_gans.errors import UserError
from keras_gans.runs import CHECKPOINT, MODEL_FILE, load_run

#: The XLA choice measured at a run's start (`jit_compile="auto"` on a CPU), kept for --resume.
JIT_FILE = "jit_compile.json"


def train(recipe, out, resume=False, verbose=None, log=print, steps=None, overwrite=False, overrides=(),
          callbacks=()):
    """Trains `recipe` into the run folder `out`; returns (model, history).

    A new run refuses a folder that holds a run unless `overwrite`. With `resume=True`, the run in
    `out` continues with its saved recipe (`recipe` is not used) from its checkpoint, or starts
    over from that recipe if none was written yet; `overrides` (`--set` strings) may change only
    `train.steps` and optimizer hyper-parameters there, and `steps` (`--steps`) sets the new total.
    The data continue where the checkpoint left them, so a resumed run equals one never stopped.
    `callbacks` are Keras callbacks added to the run's own (after them).
    """
    from keras_gans.training.run_folder import (LOCK_FILE, RunLock, check_out, holds_run, prepare_new_run,
                                                resume_recipe)
    from keras_gans.training.strategy import get_strategy, is_chief

    check_out(out)
    changed = []
    if resume:
        if steps is not None:
            overrides = [*overrides, f"train.steps={steps}"]
        recipe, changed = resume_recipe(out, overrides)
    strategy = get_strategy(recipe["strategy"])
    chief = is_chief(strategy)
    if not chief:  # Other workers of a multi-worker run train in lock-step and write nothing.
        return _train(recipe, out, resume, verbose, log, changed, strategy, chief, callbacks)
    created = not os.path.exists(out)
    with RunLock(out):  # a busy folder fails here, before anything below may clean up
        try:
            if not resume:
                prepare_new_run(out, overwrite, recipe["train"]["init"])
            return _train(recipe, out, resume, verbose, log, changed, strategy, chief, callbacks)
        except BaseException:
            if created and not holds_run(out):  # failed before writing anything: leave no folder behind
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(out, LOCK_FILE))
                    os.rmdir(out)  # only if empty: never another process's files
            raise


def _train(recipe, out, resume, verbose, log, changed, strategy, chief, extra_callbacks=()):
    import keras

    from keras_gans.data import mixture_for
    from keras_gans.training.callbacks import (GANCheckpoint, RecordJitChoice, SampleGrid, StepProgress,
                                               StopAtStep, StopOnNonFinite, save_atomically)
    from keras_gans.models import jit
    from keras_gans.training.execution import steps_per_execution
    from keras_gans.training.finetune import freeze_model_discriminator, initialize_from
    from keras_gans.training.run_folder import set_optimizer_values, use_recorded_jit_choice

    checkpoint = os.path.join(out, CHECKPOINT)
    replicas = strategy.num_replicas_in_sync
    if recipe["train"]["batch_size"] % replicas:
        raise UserError(
            f"train.batch_size {recipe['train']['batch_size']} is the global batch: it must be divisible by "
            f"the {replicas} replicas of the {recipe['strategy']} strategy"
        )
    train_cfg = recipe["train"]
    initial_epoch = 0
    keras.utils.set_random_seed(train_cfg["seed"])  # also orders the data: the same on resume
    dataset = recipes.build_dataset(recipe)  # bad data fail here, before the folder is written
    steps_per_execution(train_cfg, 0, recipe["strategy"])  # and a setting that does not divide the run
    if resume and os.path.isfile(checkpoint):
        with strategy.scope():
            gan = runs.load_model(checkpoint)
        set_optimizer_values(gan, recipe, changed)
        reached = int(gan.step_counter.numpy())
        if train_cfg["steps"] < reached:
            raise UserError(f"train.steps {train_cfg['steps']} is below step {reached}, which {out} has reached: "
                            f"give a total of at least {reached} (--steps)")
        freeze_model_discriminator(gan, train_cfg["freeze_d"])
        if chief:
            runs.write_recipe(out, recipe)
            if os.path.isfile(os.path.join(out, MODEL_FILE)):
                os.remove(os.path.join(out, MODEL_FILE))  # until the extension ends, the checkpoint is newest
        initial_epoch = reached // train_cfg["steps_per_epoch"]
        log(f"resuming {out} from step {reached} (epoch {initial_epoch})"
            + (f" with {', '.join(changed)} changed" if changed else ""))
    else:
        if resume:
            log(f"no checkpoint in {out} yet: starting its run over with the recipe saved there")
        gan = recipes.build_model(recipe, strategy)
        source = None
        if train_cfg["init"] is not None:
            source = runs.load_pretrained(train_cfg["init"])
            freeze_model_discriminator(gan, train_cfg["freeze_d"])
        with strategy.scope():
            gan = recipes.compile_model(gan, recipe)
            if source is not None:
                initialize_from(gan, source)
        _check_packs(gan, train_cfg["batch_size"], strategy.num_replicas_in_sync)
        if source is not None:
            log(f"initialized from {train_cfg['init']}" + (
                f", first {train_cfg['freeze_d']} discriminator block(s) frozen" if train_cfg["freeze_d"] else ""))
        if chief:
            os.makedirs(out, exist_ok=True)
            runs.write_recipe(out, recipe)

    dataset = _scheduled(dataset, gan, replicas)
    first_step = int(gan.step_counter.numpy())
    use_recorded_jit_choice(gan, os.path.join(out, JIT_FILE))
    jit.measure_only_if_long(gan, train_cfg["steps"] - first_step)
    gan.steps_per_execution = steps_per_execution(train_cfg, first_step, recipe["strategy"])  # set as compile sets it
    if chief and verbose != 0:
        import keras_gans

        log(f"{gan.jit_compile_reason}; {keras_gans.ONEDNN_CHOICE}; {gan.steps_per_execution} step(s) per call of the "
            "train function (train.steps_per_execution)")
    # One batch per step: skipping the batches the checkpoint's steps used continues the data exactly.
    dataset = dataset.skip(first_step)
    epochs = int(math.ceil(train_cfg["steps"] / train_cfg["steps_per_epoch"]))
    mixture = mixture_for(recipe["data"])
    stopper = StopOnNonFinite()
    callbacks = [stopper, StopAtStep(train_cfg["steps"])]
    if chief:
        callbacks += [
            SampleGrid(os.path.join(out, "samples"), n=train_cfg["samples"] if mixture is None else 2500,
                       seed=train_cfg["seed"], centers=None if mixture is None else mixture.centers,
                       log_dir=os.path.join(out, "logs"), examples=picture_examples(recipe, train_cfg["samples"])),
            GANCheckpoint(checkpoint),
            RecordJitChoice(os.path.join(out, JIT_FILE), log if verbose != 0 else (lambda message: None)),
            keras.callbacks.TensorBoard(os.path.join(out, "logs"), write_graph=False),
        ]
    callbacks += list(extra_callbacks)
    if verbose is None:
        verbose = 1 if sys.stdout.isatty() else 2
    if verbose:
        # First: an epoch's time is its steps', not the sample grid's and checkpoint's after them.
        callbacks.insert(0, StepProgress(train_cfg["steps"], train_cfg["steps_per_epoch"], verbose))
    start, history = time.time(), None
    if first_step < train_cfg["steps"]:  # a finished run resumed with the same total has nothing to do
        history = gan.fit(
            dataset,
            epochs=epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=train_cfg["steps_per_epoch"],
            callbacks=callbacks,
            verbose=0,  # StepProgress shows the progress
            shuffle=False,  # the dataset shuffles itself
        )
    if stopper.diverged is not None:
        step, name, value = stopper.diverged
        advice = "lower the learning rates, e.g. --resume --set compile.g_optimizer.learning_rate=..."
        if os.path.isfile(checkpoint):
            raise TrainingDiverged(
                f"training stopped at step {step}: {name} is {value}; the last good checkpoint is kept "
                f"at {checkpoint} ({advice})")
        raise TrainingDiverged(
            f"training stopped at step {step}: {name} is {value} before the first checkpoint; "
            f"{advice} (the run starts over from its recipe)")
    if chief:
        save_atomically(gan, os.path.join(out, MODEL_FILE))
    last_step = int(gan.step_counter.numpy())
    log(f"trained {last_step - first_step} step(s), to step {last_step}, in {time.time() - start:.1f} s; "
        f"model: {os.path.join(out, MODEL_FILE)}")
    if chief:
        log(finished_message(out))
    return gan, history


def picture_examples(recipe, n, seed=0):
    """`(sources, targets)` a translation model's picture shows (`keras_gans.data.translation_examples`);
    None for other data."""
    from keras_gans.data import is_translation, translation_examples

    return translation_examples(recipe["data"], n, seed) if is_translation(recipe["data"]) else None


def finished_message(out):
    """Where a finished run's files are, and the commands to go on with."""
    samples = os.path.join(out, "samples")
    pictures = sorted(os.listdir(samples)) if os.path.isdir(samples) else []
    last = f" (last: {pictures[-1]})" if pictures else ""
    return "\n".join([
        f"  sample grids: {samples}{os.sep}{last}",
        f"  TensorBoard:  tensorboard --logdir {os.path.join(out, 'logs')}",
        f"  next:         keras-gans sample {out} --out samples.png   |   keras-gans eval {out}"
        f"   |   keras-gans export {out} --out exported",
    ])


def _scheduled(dataset, model, replicas):
    """The training batches of a model with a `batch_schedule` (ProGAN's batch size per
    resolution: `model.batch_sizes`), or `dataset` as it is."""
    from keras_gans.data import scheduled_batches

    schedule = getattr(model, "batch_schedule", lambda: None)()
    if not schedule:
        return dataset
    uneven = sorted({size for size, _ in schedule if size % replicas})
    if uneven:
        raise UserError(f"model.batch_sizes {uneven} do not split over the {replicas} replicas: give multiples of "
                        f"{replicas}")
    return scheduled_batches(dataset, schedule)


def _check_packs(model, batch_size, replicas):
    """A discriminator that judges packs of samples (PacGAN) needs whole packs on every replica."""
    pack = getattr(model, "pack", 1)
    if pack > 1 and (batch_size % replicas or (batch_size // replicas) % pack):
        raise UserError(f"the discriminator judges packs of {pack} samples (model.discriminator.pack) but "
                        f"train.batch_size {batch_size} over {replicas} replica(s) does not split into whole packs: "
                        f"use a batch size divisible by {pack * replicas}")


def sample(run_dir, n, out, seed=None, labels=None, codes=False, rejection=True, interp=None, channels=False,
           psi=None, mix=None, crossover=None, truncation=None):
    """Writes `n` samples of a run: `.png` the model's picture (a grid, one row per label for
    conditional models, InfoGAN's code figure with `codes`, or a scatter plot), `.npy` the raw
    array in data scale (uint8 for images). `labels` (a list of class ids) asks a conditional model
    for those classes; `rejection=False` skips a GAN's discriminator rejection sampling; `interp=K`
    draws `n // K` latent walks of K samples each (`AdversarialModel.interpolate`), one per row;
    `channels` shows each RGB sample followed by its three channels in grey (Stacked MNIST's digits).
    StyleGAN models: `psi` samples with the truncation trick; `mix=K` draws the style-mixing figure
    of K sources and K destinations (`_write_mix`), the sources giving the first `crossover` styles.
    Conditional models: `truncation` draws z with BigGAN's truncation trick."""
    import inspect

    import numpy as np

    from keras_gans.data import mixture_for
    from keras_gans.utils.images import save_picture, to_uint8

    if not out.endswith((".png", ".npy")):
        raise UserError(f"--out must end in .png (a picture) or .npy (the raw samples), got {out!r}")
    if n < 1:
        raise UserError(f"--n must be at least 1, got {n}")
    if interp is not None:
        if interp < 2:
            raise UserError(f"--interp takes the samples per walk, at least 2 (its two ends), got {interp}")
        if labels is not None or codes:
            raise UserError("--interp draws its own rows (one walk each): leave out --labels and --codes")
    if channels and (interp is not None or labels is not None or codes or not out.endswith(".png")):
        raise UserError("--channels draws a picture of samples and their channels: --out must end in .png, and "
                        "--interp, --labels and --codes do not go with it")
    if truncation is not None and (interp is not None or mix is not None or channels):
        raise UserError("--truncation goes with the sample grid and .npy samples, not with --interp, --mix or --channels")
    if psi is not None and (interp is not None or channels):
        raise UserError("--psi goes with the sample grid, .npy samples and --mix, not with --interp or --channels")
    if crossover is not None and mix is None:
        raise UserError("--crossover is the style index where --mix switches from source to destination: add --mix")
    if mix is not None:
        if mix < 1:
            raise UserError(f"--mix takes the number of sources (and destinations), at least 1, got {mix}")
        if interp is not None or labels is not None or codes or channels:
            raise UserError("--mix draws its own figure: leave out --interp, --labels, --codes and --channels")
    model, recipe = load_run(run_dir)
    if interp is not None:
        return _write_walks(model, run_dir, max(1, n // interp), interp, out, seed)
    if mix is not None:
        return _write_mix(model, run_dir, mix, out, seed, crossover, psi)
    if not rejection and getattr(model, "rejection", None) is None:
        raise UserError(f"{run_dir} samples without rejection already: its recipe has no model.rejection, "
                        "so --no-rejection changes nothing")
    if channels:
        return _write_channels(model, run_dir, n, out, seed, rejection)
    conditions = {}
    if labels is not None:
        conditions["labels"] = labels
    if codes:
        conditions["codes"] = True
    if not rejection:
        conditions["rejection"] = False
    if psi is not None:
        conditions["psi"] = psi
    if truncation is not None:
        conditions["truncation"] = truncation
    draw = model.generate if out.endswith(".npy") else model.sample_picture
    accepted = inspect.signature(draw).parameters
    for key in conditions:
        if key not in accepted:
            flag = {"labels": "--labels", "codes": "--codes", "rejection": "--no-rejection", "psi": "--psi",
                    "truncation": "--truncation"}[key]
            raise UserError(f"{run_dir} is {_kind(model)}, which takes no {flag}"
                            + (" for .npy output" if key == "codes" else ""))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    try:
        if out.endswith(".npy"):
            samples = model.generate(n, seed=seed, **conditions)
            np.save(out, samples.astype("float32") if samples.ndim == 2 else to_uint8(samples))
        else:
            mixture = mixture_for(recipe["data"])
            centers = None if mixture is None else mixture.centers
            examples = picture_examples(recipe, n, 0 if seed is None else seed)
            if examples is not None:
                conditions["examples"] = examples
            save_picture(out, model.sample_picture(n, seed=seed, centers=centers, **conditions))
    except ValueError as e:
        raise UserError(str(e)) from None
    return out


def _kind(model):
    """"a GAN", "an InfoGAN": the model's class with its article, for one-line errors."""
    kind = type(model).__name__
    return f"{'an' if kind[0] in 'AEIOU' else 'a'} {kind}"


def _write_channels(model, run_dir, n, out, seed, rejection):
    """`sample(..., channels=True)`: each RGB sample, then its R, G and B channels in grey, four
    samples to a row."""
    import numpy as np

    from keras_gans.utils.images import image_grid, save_picture

    shape = model.sample_shape
    if shape is None or len(shape) != 3 or shape[-1] != 3:
        raise UserError(f"{run_dir} does not generate RGB images (its samples have shape {shape}): --channels "
                        "splits the three channels of RGB samples")
    draw = {} if getattr(model, "rejection", None) is None else {"rejection": rejection}
    try:
        samples = model.generate(n, seed=seed, **draw)
    except ValueError as e:
        raise UserError(str(e)) from None
    tiles = [[image] + [np.repeat(image[..., c:c + 1], 3, axis=-1) for c in range(3)] for image in samples]
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    save_picture(out, image_grid(np.stack([t for group in tiles for t in group]), columns=16))
    return out


def _write_walks(model, run_dir, rows, steps, out, seed):
    """`sample(..., interp=steps)`: `rows` latent walks, a grid with one walk per row or `.npy`."""
    import numpy as np

    from keras_gans.utils.images import image_grid, save_picture, to_uint8

    try:
        walks = model.interpolate(rows, steps, seed=seed)
    except ValueError as e:
        raise UserError(f"{run_dir}: {e}") from None
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if out.endswith(".npy"):
        np.save(out, walks.astype("float32") if walks.ndim == 2 else to_uint8(walks))
    elif walks.ndim == 2:
        raise UserError(f"{run_dir} generates 2-D points: --interp draws rows of images; write .npy for the points")
    else:
        save_picture(out, image_grid(walks, steps))
    return out


def _write_mix(model, run_dir, k, out, seed, crossover, psi):
    """`sample(..., mix=k)`: StyleGAN's style-mixing figure, laid out as the paper's Fig. 3: k
    sources along the top, k destinations down the left, and in each row the destination with
    its first `crossover` styles (the coarse ones by default) copied from each source; `.npy`
    writes the (k, k, H, W, C) uint8 cells only (row = destination)."""
    import numpy as np

    from keras_gans.utils.images import image_grid, save_picture, to_uint8

    if not hasattr(model, "mix_styles"):
        raise UserError(f"{run_dir} is {_kind(model)}: --mix needs a GAN with a "
                        "StyleGAN generator")
    z = model.latent(2 * k, seed)
    try:
        cells = model.mix_styles(z[:k], z[k:], crossover, psi)
        own = model.generate(2 * k, seed=seed, rejection=False, psi=psi)
    except ValueError as e:
        raise UserError(f"{run_dir}: {e}") from None
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    if out.endswith(".npy"):
        np.save(out, to_uint8(cells))
        return out
    sources, destinations = own[:k], own[k:]
    rows = [np.concatenate([np.full((1,) + own.shape[1:], -1.0, "float32"), sources])]
    rows += [np.concatenate([destinations[j : j + 1], cells[j]]) for j in range(k)]
    save_picture(out, image_grid(np.concatenate(rows), columns=k + 1))
    return out
