"""Runs that survive anything: kill -9 + --resume equals the run never stopped, run folders are
neither overwritten nor shared, a diverged run recovers with a lower learning rate."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import yaml

from keras_gans import runs
from keras_gans.cli import main
from keras_gans.models import jit
from keras_gans.runs import load_model
from keras_gans.training import callbacks
from cli_helpers import assert_one_error_line
from model_helpers import crafted_dense_model, rewrite_keras_file
from test_cli import TINY_RING, _console_script, _env, _steps


def _weights(path):
    gan = load_model(path)
    return [w.numpy() for w in gan.generator.weights + gan.discriminator.weights]


def test_kill_9_then_resume_equals_the_run_never_stopped(tmp_path):
    out = str(tmp_path / "killed")
    checkpoint = os.path.join(out, "checkpoints", "last.keras")
    command = _console_script() + [
        "train", "ring-gan", "--steps", "100000", "--set", "train.steps_per_epoch=20", "--batch-size", "8",
        "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]", "--quiet",
        "--out", out,
    ]
    log = open(tmp_path / "train.log", "w+")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=_env())
    try:
        deadline = time.monotonic() + 90
        while not os.path.isfile(checkpoint):
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"training exited early with {process.returncode}:\n{log.read()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail("no checkpoint within 90 s")
            time.sleep(0.2)
        time.sleep(0.5)  # kill in the middle of a later epoch
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(timeout=30) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        log.close()

    assert not os.path.exists(os.path.join(out, "model.keras"))
    step = _steps(checkpoint)
    assert step > 0 and step % 20 == 0
    # The same full command again (a restart loop), in a fresh process, to a bounded total; the
    # killed process's lock is stale and taken over.
    target = step + 20
    resume = subprocess.run(
        [*command[:command.index("--steps")], "--resume", "--steps", str(target),
         *command[command.index("--steps") + 2:]],
        capture_output=True, text=True, env=_env(), timeout=120)
    assert resume.returncode == 0, resume.stderr[-3000:]
    assert f"resuming {out} from step {step} (epoch {step // 20})" in resume.stdout, resume.stdout
    assert f"trained 20 step(s), to step {target}," in resume.stdout, resume.stdout
    assert _steps(os.path.join(out, "model.keras")) == target

    # The run that was never stopped: the same weights (data, noise and optimizers continue exactly).
    # The killed run (100000 steps) measured its XLA choice at its start and the resumed one kept
    # it; a run of `target` steps is too short to measure: it is given the same choice.
    with open(os.path.join(out, "jit_compile.json")) as f:
        use_xla = json.load(f)["jit_compile"]
    straight = str(tmp_path / "straight")
    assert main(["train", "ring-gan", "--steps", str(target), "--set", f"compile.jit_compile={str(use_xla).lower()}",
                 "--set", "train.steps_per_epoch=20",
                 "--batch-size", "8", "--set", "model.generator.units=[8]", "--set",
                 "model.discriminator.units=[8]", "--quiet", "--out", straight]) == 0
    for resumed, uninterrupted in zip(_weights(os.path.join(out, "model.keras")),
                                      _weights(os.path.join(straight, "model.keras"))):
        np.testing.assert_allclose(resumed, uninterrupted, atol=1e-6)


def test_resume_in_process_continues_the_data_exactly(tmp_path, monkeypatch):
    """MNIST images (a shuffled, repeated pipeline), resumed mid-run: equal to the straight run.
    With the XLA measurement on (as in runs of >= 1000 steps), the straight run and the first part
    measure, the resumed part keeps the recorded choice: measuring must not move the data. (A
    resume without the measurement: tests/test_execution.py and the kill -9 test above.) The
    measurement takes its steps on the run's batch and restores the state as the real one does,
    without XLA's compile (12 s a run here; the real measurement: tests/test_jit.py)."""
    def measure_without_xla(model, batch):
        with jit.state_restored(model):
            for _ in range(2):
                model.train_step(batch)
        return {False: 2.0, True: 1.0}

    monkeypatch.setattr(jit, "MEASURE_MIN_STEPS", 0)
    monkeypatch.setattr(jit, "measure_steps_per_second", measure_without_xla)
    tiny = ["--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=2", "--set", "train.samples=4",
            "--set", "model.latent_dim=8", "--set", "model.generator.base_filters=4",
            "--set", "model.discriminator.base_filters=4"]
    parts, straight = str(tmp_path / "parts"), str(tmp_path / "straight")
    assert main(["train", "dcgan-mnist", "--steps", "2", *tiny, "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--resume", "--steps", "6", *tiny, "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--steps", "6", *tiny, "--out", straight]) == 0
    for resumed, uninterrupted in zip(_weights(os.path.join(parts, "model.keras")),
                                      _weights(os.path.join(straight, "model.keras"))):
        np.testing.assert_allclose(resumed, uninterrupted, atol=1e-6)


def test_float16_resume_counts_the_steps_a_loss_scale_overflow_skipped(tmp_path, monkeypatch):
    """A float16 step whose gradients overflow is skipped by the loss scale (the optimizer's
    iterations stay) but is still a step: resumed after it, the run equals the straight run."""
    import keras

    from keras_gans.models import precision

    def large_loss_scale(optimizer, policy):  # 2^20: the first steps overflow and halve the scale
        assert policy == "mixed_float16"
        return keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=2.0**20)

    monkeypatch.setattr(precision, "precision_optimizer", large_loss_scale)
    tiny = ["--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=2", "--set", "train.samples=4",
            "--set", "model.latent_dim=8", "--set", "model.generator.base_filters=4",
            "--set", "model.discriminator.base_filters=4", "--set", "precision=mixed_float16"]
    parts, straight = str(tmp_path / "parts"), str(tmp_path / "straight")
    assert main(["train", "dcgan-mnist", "--steps", "3", *tiny, "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--resume", "--steps", "8", *tiny, "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--steps", "8", *tiny, "--out", straight]) == 0
    uninterrupted = load_model(os.path.join(straight, "model.keras"))
    assert int(uninterrupted.step_counter.numpy()) == 8
    assert int(uninterrupted.g_optimizer.iterations.numpy()) < 8  # some steps were skipped
    for a, b in zip(_weights(os.path.join(parts, "model.keras")), _weights(os.path.join(straight, "model.keras"))):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_a_model_saved_before_it_counted_its_steps_takes_the_optimizers(tmp_path):
    import io

    import h5py

    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "3", *TINY_RING, "--out", out]) == 0

    def drop_the_step(files):  # the step variable: what files saved before it lack
        weights = io.BytesIO(files["model.weights.h5"])
        with h5py.File(weights, "a") as h5:
            del h5["vars"]["0"]
        files["model.weights.h5"] = weights.getvalue()

    rewrite_keras_file(os.path.join(out, "model.keras"), tmp_path / "old.keras", drop_the_step)
    gan = load_model(str(tmp_path / "old.keras"))
    assert int(gan.step_counter.numpy()) == int(gan.g_optimizer.iterations.numpy()) == 3


def test_a_run_folder_is_not_overwritten(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    before = _weights(os.path.join(out, "model.keras"))
    assert_one_error_line(capsys, main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--seed", "5",
                                        "--out", out]),
                          f"{out} holds a run already", "--resume", "--overwrite")
    for a, b in zip(before, _weights(os.path.join(out, "model.keras"))):
        np.testing.assert_array_equal(a, b)
    assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--overwrite", "--out", out]),
                          "give one of them")

    # --overwrite replaces the whole run: no sample grid of the old run is left behind.
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--seed", "5", "--overwrite",
                 "--out", out]) == 0
    assert yaml.safe_load(open(os.path.join(out, "recipe.yaml")))["train"]["seed"] == 5
    assert not np.allclose(before[0], _weights(os.path.join(out, "model.keras"))[0])

    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--out", str(a_file)]), "is a file, not a folder")


def test_a_second_process_is_kept_out(tmp_path, capsys):
    import sys

    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    holder = ("import fcntl, os, sys, time\n"
              "f = open(sys.argv[1], 'a+'); fcntl.flock(f, fcntl.LOCK_EX)\n"
              "f.seek(0); f.truncate(); f.write(f'{os.getpid()} otherhost\\n'); f.flush()\n"
              "print('locked', flush=True); time.sleep(60)\n")
    other = subprocess.Popen([sys.executable, "-c", holder, os.path.join(out, ".lock")], stdout=subprocess.PIPE,
                             text=True)
    try:
        assert other.stdout.readline().strip() == "locked"
        assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--steps", "4", "--out", out]),
                              f"another keras-gans process (pid {other.pid} on otherhost) is training in {out}",
                              "wait for it")
        assert _steps(os.path.join(out, "model.keras")) == 2  # untouched
    finally:
        other.kill()
        other.wait()
    # Its holder gone (killed: the OS released the lock), the folder is free again.
    assert main(["train", "ring-gan", "--resume", "--steps", "4", "--quiet", "--out", out]) == 0
    assert _steps(os.path.join(out, "model.keras")) == 4
    # A new folder that a busy lock keeps out is left as it was (nothing of the other process removed).
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    other = subprocess.Popen([sys.executable, "-c", holder, str(fresh / ".lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "locked"
        assert_one_error_line(capsys, main(["train", "ring-gan", "--out", str(fresh)]), "is training in")
        assert os.listdir(fresh) == [".lock"]
    finally:
        other.kill()
        other.wait()


def test_finished_runs_resume_to_nothing_and_steps_cannot_go_back(tmp_path, capsys):
    out = str(tmp_path / "run")
    uneven = ["--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=3",
              "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]"]
    assert main(["train", "ring-gan", "--steps", "4", *uneven, "--out", out]) == 0
    capsys.readouterr()
    for _ in range(2):  # 4 steps of 3 per epoch: a resume must not start another epoch
        assert main(["train", "ring-gan", "--steps", "4", *uneven, "--resume", "--out", out]) == 0
        assert "trained 0 step(s), to step 4," in capsys.readouterr().out
    assert _steps(os.path.join(out, "model.keras")) == 4 and _steps(os.path.join(out, "checkpoints", "last.keras")) == 4
    assert_one_error_line(capsys, main(["train", "ring-gan", "--steps", "3", "--resume", "--out", out]),
                          "train.steps 3 is below step 4", "at least 4")


def test_overwrite_keeps_what_is_not_a_run(tmp_path, capsys):
    own = tmp_path / "mine"
    (own / "logs").mkdir(parents=True)
    (own / "logs" / "notes.txt").write_text("mine")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", str(own)]) == 0  # no run there yet
    assert (own / "logs" / "notes.txt").read_text() == "mine"
    assert_one_error_line(capsys, main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--overwrite",
                                        "--init", str(own), "--out", str(own)]), "is the run --overwrite would replace")
    assert _steps(str(own / "model.keras")) == 2
    assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--set", "compile.g_optimizer.amsgrad=true",
                                        "--out", str(own)]), "compile.g_optimizer.amsgrad", "only train.steps")


def test_resume_accepts_the_same_command_and_new_optimizer_settings(tmp_path, capsys):
    out = str(tmp_path / "run")
    command = ["train", "ring-gan", "--steps", "2", *TINY_RING, "--seed", "3", "--out", out]
    assert main(command) == 0
    capsys.readouterr()
    assert main([*command, "--resume"]) == 0  # the same values: nothing to do but finish
    assert main(["train", "ring-gan", "--resume", "--steps", "4", "--quiet", "--set",
                 "compile.g_optimizer.learning_rate=0.00005", "--out", out]) == 0
    assert "from step 2 (epoch 1) with compile.g_optimizer.learning_rate, train.steps changed" in (
        capsys.readouterr().out)
    gan = load_model(os.path.join(out, "model.keras"))
    assert float(gan.g_optimizer.learning_rate.numpy()) == pytest.approx(5e-5)
    assert runs.read_recipe(out)["compile"]["g_optimizer"]["learning_rate"] == 5e-5
    assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--set", "model.generator.units=[4]",
                                        "--out", out]), "model.generator.units", "only train.steps")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--set",
                                        "compile.g_optimizer.no_such=1", "--out", out]),
                          "compile.g_optimizer.no_such", "only train.steps", "learning_rate,beta_1")


def test_a_diverged_run_resumes_with_a_lower_learning_rate(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    capsys.readouterr()
    blow_up = ["--set", "compile.d_optimizer.learning_rate=1e30", "--set", "compile.g_optimizer.learning_rate=1e30"]
    code = main(["train", "ring-gan", "--resume", "--steps", "8", *blow_up, "--out", out])
    line = assert_one_error_line(capsys, code, "training stopped at step", "last good checkpoint", "--resume")
    assert int(line.split("training stopped at step ")[1].split(":")[0]) > 2
    assert _steps(os.path.join(out, "checkpoints", "last.keras")) >= 2
    calm = ["--set", "compile.d_optimizer.learning_rate=0.0001", "--set", "compile.g_optimizer.learning_rate=0.0001"]
    assert main(["train", "ring-gan", "--resume", "--steps", "8", "--quiet", *calm, "--out", out]) == 0
    gan = load_model(os.path.join(out, "model.keras"))
    assert _steps(os.path.join(out, "model.keras")) == 8
    for weight in gan.generator.weights + gan.discriminator.weights:
        assert np.all(np.isfinite(weight.numpy()))
    assert float(gan.d_optimizer.learning_rate.numpy()) == pytest.approx(1e-4)


def test_an_interrupted_extension_leaves_the_newest_model_in_use(tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0

    def interrupt(self, batch, logs=None):
        if int(self.model.step_counter.numpy()) >= 5:  # after the checkpoint of step 4
            raise KeyboardInterrupt

    monkeypatch.setattr(callbacks.StopAtStep, "on_train_batch_end", interrupt)
    assert main(["train", "ring-gan", "--resume", "--steps", "8", "--quiet", "--out", out]) == 130
    assert not os.path.exists(os.path.join(out, "model.keras"))  # not the stale step-2 model
    assert int(runs.load_run(out)[0].step_counter.numpy()) == 4


def test_recipe_is_written_atomically_and_a_damaged_one_is_one_line(tmp_path, capsys, monkeypatch):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    saved = open(os.path.join(out, "recipe.yaml")).read()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # a kill in the middle of writing

    monkeypatch.setattr(yaml, "safe_dump", killed)
    with pytest.raises(KeyboardInterrupt):
        runs.write_recipe(out, runs.read_recipe(out))
    monkeypatch.undo()
    assert open(os.path.join(out, "recipe.yaml")).read() == saved
    assert sorted(os.listdir(out)) == [".lock", "checkpoints", "logs", "model.keras", "recipe.yaml", "samples"]

    for junk in (b"\x00\xff\xfe binary", b"train: [unclosed", b"- a list"):
        with open(os.path.join(out, "recipe.yaml"), "wb") as f:
            f.write(junk)
        for command in (["sample", out, "--out", str(tmp_path / "s.png")], ["train", "ring-gan", "--resume",
                                                                           "--out", out]):
            assert_one_error_line(capsys, main(command), "recipe.yaml is damaged")


@pytest.mark.parametrize("code, fragments", [
    ("ENOSPC", ("No space left on device", "free some disk space")),
    ("EROFS", ("Read-only file system", "choose a writable --out")),
])
def test_a_full_or_read_only_disk_is_one_line(tmp_path, capsys, monkeypatch, code, fragments):
    import errno

    out = str(tmp_path / "run")

    def fail(run_dir, recipe):
        number = getattr(errno, code)
        raise OSError(number, os.strerror(number), os.path.join(run_dir, "recipe.yaml"))

    monkeypatch.setattr(runs, "write_recipe", fail)
    line = assert_one_error_line(capsys, main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]),
                                 *fragments)
    assert "recipe.yaml" in line
    assert not os.path.exists(out)  # nothing was written: no folder left behind


def test_paths_in_the_way_are_one_line(tmp_path, capsys):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--out", str(a_file / "run")]),
                          "Not a directory", "a part of the path is a file")
    assert_one_error_line(capsys, main(["sample", "ring", "--out", str(a_file / "x.png")]),
                          "File exists", "in the way")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--set", "train.seed=abc"]), "train.seed")
    assert_one_error_line(capsys, main(["train", "dcgan-mnist", "--set", "model.latent_dim=0"]),
                          "model.latent_dim must be an integer >= 1, got 0")
    assert_one_error_line(capsys, main(["train", "dcgan-mnist", "--set", "data.image_size=big"]), "data.image_size")
    assert_one_error_line(capsys, main(["train", "ring", "--set", "train.batch_size=1000000000",
                                        "--out", str(tmp_path / "huge")]), "GiB", "use a batch of at most")
    assert_one_error_line(capsys, main(["train", "dcgan-mnist", "--batch-size", "20000",
                                        "--out", str(tmp_path / "big")]), "10000 MNIST digits")
    assert not os.path.exists(tmp_path / "huge") and not os.path.exists(tmp_path / "big")


def test_progress_counts_the_steps_an_epoch_really_runs_and_the_end_says_what_next(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "5", "--batch-size", "8", "--set", "train.steps_per_epoch=3",
                 "--set", "model.generator.units=[8]", "--set", "model.discriminator.units=[8]", "--out", out]) == 0
    lines = capsys.readouterr().out.splitlines()
    progress = [line for line in lines if " - d_loss: " in line]
    assert [line.split(" - ")[0] for line in progress] == ["3/3", "2/2"], lines  # not 3/3 for 2 steps
    assert "Epoch 2/2" in lines
    end = lines[lines.index(next(line for line in lines if line.startswith("trained 5 step(s)"))):]
    assert f"sample grids: {out}/samples/ (last: epoch_0002.png)" in end[1]
    assert f"tensorboard --logdir {out}/logs" in end[2]
    assert f"keras-gans sample {out} --out samples.png" in end[3] and f"keras-gans eval {out}" in end[3]


def test_absurd_layer_sizes_are_refused_before_allocating(tmp_path, capsys):
    def huge(layer):
        layer["config"]["units"] = 10**12  # 4 TB of float32 weights

    crafted_dense_model(tmp_path, huge)
    assert_one_error_line(capsys, main(["export", str(tmp_path / "crafted.keras"), "--out", str(tmp_path / "e")]),
                          "crafted.keras asks for a layer of absurd size (units: 1000000000000)", "refusing")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--set", "model.generator.units=[8, 100000000]"]),
                          "absurd size (units: [8, 100000000])")
    assert_one_error_line(capsys, main(["train", "dcgan-mnist", "--set", "model.generator.kernel_size=1000"]),
                          "kernel_size: 1000")
