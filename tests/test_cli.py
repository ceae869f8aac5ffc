"""The `keras-gans` command: list, train (run folder, resume, kill -9, divergence) and sample."""

import glob
import os
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml
from PIL import Image

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.runs import load_model
from keras_gans.utils.images import image_grid
from cli_helpers import assert_one_error_line

#: ring-gan shrunk to a few hundred weights and batches of 8.
TINY_RING = [
    "--batch-size", "8", "--quiet",
    "--set", "train.steps_per_epoch=2",
    "--set", "model.generator.units=[8]",
    "--set", "model.discriminator.units=[8]",
]
#: dcgan-mnist with 4 base filters and batches of 8.
TINY_DCGAN = [
    "--batch-size", "8", "--quiet",
    "--set", "train.steps_per_epoch=2",
    "--set", "train.samples=4",
    "--set", "model.latent_dim=8",
    "--set", "model.generator.base_filters=4",
    "--set", "model.discriminator.base_filters=4",
]


def _console_script():
    """The installed `keras-gans` entry point (next to this Python first, then on PATH)."""
    path = os.path.join(os.path.dirname(sys.executable), "keras-gans")
    if os.path.isfile(path) and os.access(path, os.X_OK):
        return [path]
    import shutil

    found = shutil.which("keras-gans")
    if found is None:
        pytest.fail("the keras-gans console script is not installed (pip install -e .)")
    return [found]


def _env():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_BACKEND="tensorflow", PYTHONUNBUFFERED="1")
    env.pop("KERAS_GANS_DEBUG", None)
    return env


def _steps(path):
    return int(load_model(path).g_optimizer.iterations.numpy())


@pytest.fixture(scope="module")
def ring_run(tmp_path_factory):
    """A ring-gan run of 6 steps (3 epochs of 2) trained with the CLI."""
    out = str(tmp_path_factory.mktemp("cli") / "ring")
    assert main(["train", "ring-gan", "--steps", "6", "--seed", "3", *TINY_RING, "--out", out]) == 0
    return out


@pytest.fixture(scope="module")
def dcgan_run(tmp_path_factory):
    """A dcgan-mnist run of 2 steps (1 epoch) trained with the CLI."""
    out = str(tmp_path_factory.mktemp("cli") / "dcgan")
    assert main(["train", "dcgan-mnist", "--steps", "2", *TINY_DCGAN, "--out", out]) == 0
    return out


# ---------------------------------------------------------------------------------------- list


def test_list_prints_every_recipe(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    listed = recipes.list_recipes()
    assert len(listed) >= 10
    lines = out.strip().split("\n")
    assert "keras-gans train NAME" in lines[0]
    zoo_header = 1 + len(listed)
    assert lines[zoo_header].startswith("Pretrained zoo models")
    for name, description in listed.items():
        assert any(line.split()[0] == name and description in line for line in lines[1:zoo_header]), name


# ---------------------------------------------------------------------------------------- train


def test_train_writes_run_folder(ring_run):
    recipe = yaml.safe_load(open(os.path.join(ring_run, "recipe.yaml")))
    # the resolved recipe: overrides and flags applied
    assert recipe["train"]["steps"] == 6 and recipe["train"]["batch_size"] == 8
    assert recipe["train"]["seed"] == 3 and recipe["train"]["steps_per_epoch"] == 2
    assert recipe["model"]["generator"]["units"] == [8]
    assert recipe["data"] == {"name": "ring"}

    for name in ("model.keras", os.path.join("checkpoints", "last.keras")):
        assert os.path.getsize(os.path.join(ring_run, name)) > 0
    assert not glob.glob(os.path.join(ring_run, "checkpoints", "*.tmp*"))
    samples = sorted(os.listdir(os.path.join(ring_run, "samples")))
    assert samples == ["epoch_0001.png", "epoch_0002.png", "epoch_0003.png"]
    with Image.open(os.path.join(ring_run, "samples", "epoch_0003.png")) as picture:
        assert picture.format == "PNG" and picture.mode == "RGB"
    events = glob.glob(os.path.join(ring_run, "logs", "**", "events.out.tfevents.*"), recursive=True)
    assert events and all(os.path.getsize(e) > 0 for e in events)

    gan = load_model(os.path.join(ring_run, "model.keras"))
    assert int(gan.g_optimizer.iterations.numpy()) == 6
    assert _steps(os.path.join(ring_run, "checkpoints", "last.keras")) == 6
    assert [layer.units for layer in gan.generator.layers if hasattr(layer, "units")] == [8, 2]


def test_train_prints_summary_line(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    stdout = capsys.readouterr().out
    assert re.search(r"trained 2 step\(s\), to step 2, in [0-9.]+ s; model: .*model\.keras", stdout), stdout
    assert "Epoch" not in stdout  # --quiet
    assert "initialized from" not in stdout  # no --init


def test_train_recipe_file_default_out_folder(tmp_path, monkeypatch):
    path = tmp_path / "my-ring.yaml"
    recipe = recipes.apply_overrides(recipes.load("ring-gan"), ["model.generator.units=[4]",
                                                                "model.discriminator.units=[4]"])
    path.write_text(yaml.safe_dump(recipe))
    monkeypatch.chdir(tmp_path)
    assert main(["train", str(path), "--steps", "2", "--batch-size", "8", "--quiet",
                 "--set", "train.steps_per_epoch=2"]) == 0
    assert os.path.isfile(tmp_path / "runs" / "my-ring" / "model.keras")


def test_resume_continues_from_checkpoint(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "4", *TINY_RING, "--out", out]) == 0
    assert _steps(os.path.join(out, "checkpoints", "last.keras")) == 4
    capsys.readouterr()

    # The recipe name and its (large) networks are ignored: the saved recipe is used.
    assert main(["train", "ring-gan", "--resume", "--steps", "8", "--quiet", "--out", out]) == 0
    stdout = capsys.readouterr().out
    assert f"resuming {out} from step 4 (epoch 2)" in stdout
    assert re.search(r"trained 4 step\(s\), to step 8,", stdout), stdout
    gan = load_model(os.path.join(out, "model.keras"))
    assert int(gan.g_optimizer.iterations.numpy()) == 8
    assert [layer.units for layer in gan.generator.layers if hasattr(layer, "units")] == [8, 2]
    assert sorted(os.listdir(os.path.join(out, "samples"))) == [f"epoch_{i:04d}.png" for i in range(1, 5)]
    assert yaml.safe_load(open(os.path.join(out, "recipe.yaml")))["train"]["steps"] == 8


def test_steps_not_a_multiple_of_steps_per_epoch_are_exact(tmp_path, capsys):
    out = str(tmp_path / "run")
    # 3 steps with 2 per epoch: the second epoch stops after one step (fit alone would run 4).
    assert main(["train", "ring-gan", "--steps", "3", *TINY_RING, "--out", out]) == 0
    assert _steps(os.path.join(out, "model.keras")) == 3
    assert _steps(os.path.join(out, "checkpoints", "last.keras")) == 3
    assert main(["train", "ring-gan", "--resume", "--steps", "6", "--quiet", "--out", out]) == 0
    assert "trained 3 step(s), to step 6," in capsys.readouterr().out
    assert _steps(os.path.join(out, "model.keras")) == 6


def test_resume_needs_a_run_and_before_its_first_checkpoint_starts_it_over(tmp_path, capsys):
    out = str(tmp_path / "fresh")
    assert_one_error_line(capsys, main(["train", "ring-gan", "--resume", "--out", out]),
                          f"--resume: {out} holds no run", "without --resume")
    assert not os.path.exists(out)
    # A run killed before its first checkpoint: only its recipe (tiny networks) is there.
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    os.remove(os.path.join(out, "model.keras"))
    os.remove(os.path.join(out, "checkpoints", "last.keras"))
    capsys.readouterr()
    assert main(["train", "dcgan-mnist", "--resume", "--quiet", "--out", out]) == 0
    assert "no checkpoint in" in capsys.readouterr().out
    gan = load_model(os.path.join(out, "model.keras"))
    assert int(gan.g_optimizer.iterations.numpy()) == 2  # the folder's recipe, not dcgan-mnist's
    assert [layer.units for layer in gan.generator.layers if hasattr(layer, "units")] == [8, 2]


def test_diverging_training_keeps_last_good_checkpoint(tmp_path, capsys, monkeypatch):
    import tensorflow as tf

    build_dataset = recipes.build_dataset

    def poisoned(recipe, **kwargs):
        # finite for batches 0-2 (epoch 1 and half of epoch 2), NaN from batch 3 on
        dataset = build_dataset(recipe, **kwargs)
        return dataset.enumerate().map(
            lambda i, x: tf.where(i >= 3, tf.fill(tf.shape(x), float("nan")), x)
        )

    monkeypatch.setattr(recipes, "build_dataset", poisoned)
    out = str(tmp_path / "nan")
    code = main(["train", "ring-gan", "--steps", "6", *TINY_RING, "--out", out])
    checkpoint = os.path.join(out, "checkpoints", "last.keras")
    line = assert_one_error_line(capsys, code, "training stopped at step 4", "nan", checkpoint, "--resume")
    assert "last good checkpoint" in line

    assert not os.path.exists(os.path.join(out, "model.keras"))
    gan = load_model(checkpoint)
    assert int(gan.g_optimizer.iterations.numpy()) == 2  # end of epoch 1, before the NaN
    for weight in gan.generator.weights + gan.discriminator.weights:
        assert np.all(np.isfinite(weight.numpy())), weight.path
    # no sample picture for the diverged epoch
    assert os.listdir(os.path.join(out, "samples")) == ["epoch_0001.png"]


# ---------------------------------------------------------------------------------------- sample


def test_sample_points_png_and_npy(ring_run, tmp_path, capsys):
    png = str(tmp_path / "x.png")
    assert main(["sample", ring_run, "--n", "50", "--out", png]) == 0
    assert f"wrote 50 samples to {png}" in capsys.readouterr().out
    with Image.open(png) as picture:
        assert picture.format == "PNG" and picture.mode == "RGB" and picture.size == (512, 512)

    npy = str(tmp_path / "sub" / "x.npy")  # missing folders are created
    assert main(["sample", ring_run, "--n", "50", "--out", npy, "--seed", "1"]) == 0
    points = np.load(npy)
    assert points.shape == (50, 2) and points.dtype == np.float32
    assert np.all(np.isfinite(points)) and points.std(axis=0).min() > 0


def test_sample_seed_is_reproducible(ring_run, tmp_path):
    paths = [str(tmp_path / f"{name}.npy") for name in ("a", "b", "c")]
    for path, seed in zip(paths, ("7", "7", "8")):
        assert main(["sample", ring_run, "--n", "20", "--seed", seed, "--out", path]) == 0
    a, b, c = (np.load(p) for p in paths)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_sample_images_npy_and_png(dcgan_run, tmp_path):
    assert recipes.data_shape(recipes.validate(yaml.safe_load(open(os.path.join(dcgan_run, "recipe.yaml"))))) == (28, 28, 1)
    assert sorted(os.listdir(os.path.join(dcgan_run, "samples"))) == ["epoch_0001.png"]

    npy = str(tmp_path / "digits.npy")
    assert main(["sample", dcgan_run, "--n", "5", "--seed", "0", "--out", npy]) == 0
    images = np.load(npy)
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.uint8
    assert images.max() > images.min()

    png = str(tmp_path / "digits.png")
    assert main(["sample", dcgan_run, "--n", "5", "--seed", "0", "--out", png]) == 0
    grid = image_grid(np.zeros((5, 28, 28, 1), "float32"))  # 2 rows x 3 columns
    factor = -(-512 // grid.shape[1])  # the smallest whole factor reaching 512 pixels
    with Image.open(png) as picture:
        assert picture.format == "PNG" and picture.mode == "L"
        assert picture.size == (grid.shape[1] * factor, grid.shape[0] * factor)
        pixels = np.asarray(picture)[::factor, ::factor]
    # the grid holds the same images as the .npy (same seed)
    np.testing.assert_array_equal(pixels[2:30, 2:30], images[0, ..., 0])


def test_sample_falls_back_to_checkpoint(ring_run, tmp_path):
    import shutil

    run = str(tmp_path / "partial")
    os.makedirs(os.path.join(run, "checkpoints"))
    shutil.copy(os.path.join(ring_run, "recipe.yaml"), run)
    shutil.copy(os.path.join(ring_run, "checkpoints", "last.keras"), os.path.join(run, "checkpoints"))
    out = str(tmp_path / "p.npy")
    assert main(["sample", run, "--n", "3", "--out", out]) == 0
    assert np.load(out).shape == (3, 2)


# ---------------------------------------------------------------------------------------- errors


def test_error_unknown_recipe(capsys):
    code = main(["train", "no-such-recipe", "--steps", "1"])
    line = assert_one_error_line(capsys, code, "unknown recipe 'no-such-recipe'")
    for name in recipes.list_recipes():
        assert name in line


def test_error_unknown_set_key(capsys):
    code = main(["train", "ring-gan", "--set", "train.stepz=3"])
    assert_one_error_line(capsys, code, "train.stepz", "steps_per_epoch", "batch_size")
    code = main(["train", "ring-gan", "--set", "train.steps"])
    assert_one_error_line(capsys, code, "key=value")
    code = main(["train", "ring-gan", "--set", "model.generator.units=[8"])
    assert_one_error_line(capsys, code, "not valid YAML")


def test_error_bad_network_option(tmp_path, capsys):
    out = str(tmp_path / "run")
    code = main(["train", "ring-gan", "--set", "model.generator.filters=8", "--out", out])
    assert_one_error_line(capsys, code, "filters", "valid options are", "units")
    assert not os.path.exists(out)


def test_error_rejection_sampling_with_a_loss_it_cannot_use(tmp_path, capsys):
    code = main(["train", "ring", "--set", "compile.loss=hinge", "--steps", "1", "--out", str(tmp_path / "r")])
    assert_one_error_line(capsys, code, "rejection sampling needs", "uses hinge", "drop the rejection")
    code = main(["train", "ring", "--set", "model.rejection={gamma: 3}", "--steps", "1", "--out", str(tmp_path / "s")])
    assert_one_error_line(capsys, code, "unknown rejection option(s) gamma", "gamma_percentile")


def test_error_missing_run_folder(tmp_path, capsys):
    missing = str(tmp_path / "missing")
    code = main(["sample", missing, "--out", str(tmp_path / "x.png")])
    assert_one_error_line(capsys, code, missing, "does not exist")
    os.makedirs(missing)
    code = main(["sample", missing, "--out", str(tmp_path / "x.png")])
    assert_one_error_line(capsys, code, "recipe.yaml")


def test_error_bad_out_extension(ring_run, tmp_path, capsys):
    out = str(tmp_path / "x.jpg")
    code = main(["sample", ring_run, "--out", out])
    assert_one_error_line(capsys, code, ".png", ".npy", "x.jpg")
    assert not os.path.exists(out)
    code = main(["sample", ring_run, "--n", "0", "--out", str(tmp_path / "x.npy")])
    assert_one_error_line(capsys, code, "--n")


def test_error_corrupt_model(ring_run, tmp_path, capsys):
    import shutil

    run = str(tmp_path / "corrupt")
    os.makedirs(run)
    shutil.copy(os.path.join(ring_run, "recipe.yaml"), run)
    with open(os.path.join(run, "model.keras"), "wb") as f:
        f.write(b"PK\x03\x04 not really a zip")
    code = main(["sample", run, "--out", str(tmp_path / "x.npy")])
    assert_one_error_line(capsys, code, "cannot load", "model.keras")


def test_error_missing_image_folder(tmp_path, capsys):
    code = main(["train", "dcgan-mnist", "--steps", "1", *TINY_DCGAN, "--set", "data={folder: /nonexistent}",
                 "--out", str(tmp_path / "run")])
    assert_one_error_line(capsys, code, "/nonexistent", "does not exist")


def test_error_image_size_dcgan_cannot_build(tmp_path, capsys):
    code = main(["train", "dcgan-mnist", "--steps", "1", *TINY_DCGAN, "--set", "data.image_size=30",
                 "--out", str(tmp_path / "run")])
    assert_one_error_line(capsys, code, "DCGAN resolution", "got 30", "28")


def test_error_points_data_with_image_networks(tmp_path, capsys):
    code = main(["train", "ring-gan", "--steps", "1", "--batch-size", "8", "--quiet",
                 "--set", "model.generator={name: dcgan, base_filters: 4}",
                 "--set", "model.discriminator={name: dcgan, base_filters: 4}",
                 "--out", str(tmp_path / "run")])
    line = assert_one_error_line(capsys, code)
    assert "(2,)" in line and "dcgan" in line.lower(), line


# ---------------------------------------------------------------------------------------- console script


def test_console_script_exit_codes_and_fresh_process_sampling(ring_run, tmp_path):
    """Through the installed entry point: a failing and a succeeding command, in fresh processes."""
    out = str(tmp_path / "fresh.npy")
    processes = [
        subprocess.Popen(_console_script() + ["train", "no-such-recipe"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=_env()),
        # a fresh process must find the package's registered classes to load the model
        subprocess.Popen(_console_script() + ["sample", ring_run, "--n", "7", "--seed", "2", "--out", out],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env()),
    ]
    try:
        results = [p.communicate(timeout=120) for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    (err_out, err_err), (ok_out, ok_err) = results

    assert processes[0].returncode == 1, err_err
    assert "Traceback" not in err_err
    errors = [line for line in err_err.splitlines() if line.startswith("keras-gans: error:")]
    assert len(errors) == 1 and "unknown recipe 'no-such-recipe'" in errors[0], err_err
    assert err_err.strip().splitlines() == errors, err_err  # TensorFlow's import notices are not shown
    assert "ring-gan" in errors[0]

    assert processes[1].returncode == 0, ok_err
    assert f"wrote 7 samples to {out}" in ok_out
    fresh = np.load(out)
    assert fresh.shape == (7, 2) and fresh.dtype == np.float32
    # the same samples as in this process
    same = str(tmp_path / "same.npy")
    assert main(["sample", ring_run, "--n", "7", "--seed", "2", "--out", same]) == 0
    np.testing.assert_allclose(np.load(same), fresh, rtol=1e-5, atol=1e-6)


def test_resume_refuses_overrides_of_the_saved_recipe(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", out]) == 0
    capsys.readouterr()
    assert main(["train", "ring-gan", "--resume", "--steps", "4", "--seed", "3", "--out", out]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("keras-gans: error: --resume continues")
    assert _steps(os.path.join(out, "model.keras")) == 2


def test_export_writes_tf_serving_layout_and_refuses_to_overwrite(tmp_path, capsys):
    run = str(tmp_path / "run")
    assert main(["train", "ring-gan", "--steps", "2", *TINY_RING, "--out", run]) == 0
    out = str(tmp_path / "exported")
    assert main(["export", run, "--out", out, "--version", "3"]) == 0
    assert os.path.isfile(os.path.join(out, "3", "saved_model.pb"))
    assert not os.path.exists(os.path.join(out, "3", "generator.tflite"))
    capsys.readouterr()
    assert main(["export", run, "--out", out, "--version", "3"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "already exists" in err[0] and "--overwrite" in err[0]
    assert main(["export", run, "--out", out, "--version", "3", "--overwrite", "--tflite"]) == 0
    assert os.path.isfile(os.path.join(out, "3", "generator.tflite"))


def test_list_piped_into_a_closed_reader_exits_without_a_traceback():
    import subprocess
    import sys

    command = [sys.executable, "-c", "import sys; from keras_gans.cli import main; sys.exit(main(['list']))"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # A reader that left before the output came (`| head -0`).
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141
    assert "Traceback" not in err and "BrokenPipeError" not in err


def test_help_and_list_do_not_import_tensorflow_and_plain_keras_loading_still_works(tmp_path):
    """`keras-gans --help` / `list` need no model: no TensorFlow import. `import keras, keras_gans`
    still registers the classes for `keras.saving.load_model`."""
    import subprocess
    import sys

    check = ("import sys; from keras_gans.cli import main; main(['list']); "
             "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported TF'")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "dcgan-mnist" in done.stdout
    done = subprocess.run([sys.executable, "-c", "import sys; from keras_gans.cli import main\n"
                           "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
                           "assert 'tensorflow' not in sys.modules"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "train" in done.stdout, done.stderr
    import keras_gans
    from keras_gans.networks import mlp_discriminator, mlp_generator

    gan = keras_gans.GAN(mlp_generator(4, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)), seed=1)
    gan.compile(penalties=[keras_gans.GradientPenalty(1.0, "r1")], ema_decay=0.9)
    gan.save(tmp_path / "gan.keras")
    # ... and every class any keras_gans module registers (a BEGAN's energy layer was missed once:
    # its runs loaded only in the process that trained them)
    load = (f"import keras, keras_gans; m = keras.saving.load_model({str(tmp_path / 'gan.keras')!r}); "
            "print(type(m).__name__, type(m.penalties[0]).__name__)\n"
            "import importlib, pkgutil; registered = set(keras.saving.get_custom_objects())\n"
            "for module in pkgutil.walk_packages(keras_gans.__path__, 'keras_gans.'):\n"
            "    importlib.import_module(module.name)\n"
            "print('missed:', sorted(set(keras.saving.get_custom_objects()) - registered))")
    done = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "GAN GradientPenalty" in done.stdout, done.stderr
    assert "missed: []" in done.stdout, done.stdout
