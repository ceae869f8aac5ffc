"""Export of a GAN's generator for TF Serving: layout, signatures, loading without keras_gans,
the TF1 loader (`saved_model_cli run`, TF Serving's path), TFLite, errors."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans.errors import UserError
from keras_gans.networks import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator
from keras_gans.serving import export_gan, latent_from_seed
from keras_gans.utils.images import to_uint8

LATENT = 8
POINT_LATENT = 4
SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
SUBPROCESS_ENV = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES="")


def _perturb(model, scale, seed):
    rng = np.random.default_rng(seed)
    for v in model.trainable_variables:
        value = v.numpy()
        v.assign(value + scale * rng.standard_normal(value.shape).astype(value.dtype))


def image_gan():
    """A tiny DCGAN with an EMA generator whose weights differ from the raw generator's."""
    keras.utils.set_random_seed(11)
    gan = keras_gans.GAN(dcgan_generator(LATENT, (28, 28, 1), base_filters=4),
                         dcgan_discriminator((28, 28, 1), base_filters=4), seed=1)
    gan.compile(ema_decay=0.9)
    _perturb(gan.generator, 0.3, seed=0)  # so that exporting the raw generator would be caught
    rng = np.random.default_rng(3)  # non-default BN statistics: they must be exported and used
    for layer in gan.ema_generator.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.moving_mean.assign(rng.normal(0.0, 0.5, layer.moving_mean.shape).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.5, 2.0, layer.moving_variance.shape).astype("float32"))
    return gan


def point_gan(ema=False):
    keras.utils.set_random_seed(12)
    gan = keras_gans.GAN(mlp_generator(POINT_LATENT, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)), seed=2,
                         noise="uniform")  # generate_from_seed must draw U[-1, 1] z for it
    gan.compile(ema_decay=0.9 if ema else None)
    _perturb(gan.generator, 0.5, seed=1)
    return gan


def sample(model, z):
    return keras.ops.convert_to_numpy(model(z, training=False))


def run(cmd, cwd):
    proc = subprocess.run(cmd, cwd=cwd, env=SUBPROCESS_ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"{cmd[0]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("exported")
    images, points = image_gan(), point_gan()
    z = np.random.default_rng(5).standard_normal((6, LATENT)).astype("float32")
    zp = np.random.default_rng(6).standard_normal((5, POINT_LATENT)).astype("float32")
    return {
        "base": base,
        "image_gan": images,
        "point_gan": points,
        "z": z,
        "zp": zp,
        "image_dir": str(base / "images"),
        "image_path": export_gan(images, str(base / "images"), tflite=True),
        "point_dir": str(base / "points"),
        "point_path": export_gan(points, str(base / "points"), version=3),
    }


def test_tf_serving_layout(exported):
    assert exported["image_path"] == os.path.join(exported["image_dir"], "1")
    assert exported["point_path"] == os.path.join(exported["point_dir"], "3")
    # Only the version folder: no staging folder left behind for TF Serving to trip over.
    assert os.listdir(exported["image_dir"]) == ["1"]
    assert os.listdir(exported["point_dir"]) == ["3"]
    for path in (exported["image_path"], exported["point_path"]):
        assert os.path.isfile(os.path.join(path, "saved_model.pb"))
        assert os.path.isdir(os.path.join(path, "variables"))
    assert os.path.getsize(os.path.join(exported["image_path"], "generator.tflite")) > 1000
    assert not os.path.exists(os.path.join(exported["point_path"], "generator.tflite"))


FRESH_SCRIPT = textwrap.dedent(
    """
    import json, sys

    class NoKerasGans:  # loading an export must not need the package that wrote it
        def find_spec(self, name, path=None, target=None):
            if name == "keras_gans" or name.startswith("keras_gans."):
                raise ImportError("the export tried to import " + name)

    sys.meta_path.insert(0, NoKerasGans())
    import numpy as np
    import tensorflow as tf

    image_path, point_path, z_file, zp_file, out_file = sys.argv[1:]
    z, zp = np.load(z_file), np.load(zp_file)
    report, arrays = {}, {}
    for tag, path, latent in (("img", image_path, z), ("pts", point_path, zp)):
        model = tf.saved_model.load(path)
        sigs = model.signatures
        report[tag] = {
            name: {
                "inputs": {k: [v.dtype.name, v.shape.as_list()]
                           for k, v in fn.structured_input_signature[1].items()},
                "outputs": {k: [v.dtype.name, v.shape.as_list()] for k, v in fn.structured_outputs.items()},
            }
            for name, fn in sigs.items()
        }
        out = sigs["serving_default"](z=tf.constant(latent))
        report[tag]["serving_default"]["returned"] = sorted(out)
        arrays[tag + "_default"] = out["images"].numpy()
        if "generate_uint8" in sigs:
            arrays[tag + "_uint8"] = sigs["generate_uint8"](z=tf.constant(latent))["images"].numpy()
        seeded = lambda s, n: sigs["generate_from_seed"](
            seed=tf.constant(s, tf.int64), num=tf.constant(n, tf.int32))["images"].numpy()
        arrays[tag + "_seed7_a"] = seeded(7, 4)
        arrays[tag + "_seed7_b"] = seeded(7, 4)
        arrays[tag + "_seed8"] = seeded(8, 4)
    np.savez(out_file, **arrays)
    report["keras_gans_imported"] = any(m.split(".")[0] == "keras_gans" for m in sys.modules)
    print("REPORT" + json.dumps(report))
    """
)


def test_loads_and_runs_in_a_fresh_process_without_keras_gans(exported, tmp_path):
    np.save(tmp_path / "z.npy", exported["z"])
    np.save(tmp_path / "zp.npy", exported["zp"])
    (tmp_path / "fresh.py").write_text(FRESH_SCRIPT)
    proc = run([sys.executable, "fresh.py", exported["image_path"], exported["point_path"], "z.npy", "zp.npy",
                "out.npz"], cwd=tmp_path)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT")][-1]
    report = json.loads(line[len("REPORT"):])
    out = np.load(tmp_path / "out.npz")
    assert report["keras_gans_imported"] is False

    img, pts = report["img"], report["pts"]
    assert set(img) == {"serving_default", "generate_uint8", "generate_from_seed"}
    assert set(pts) == {"serving_default", "generate_from_seed"}  # no uint8 for 2-D points
    assert img["serving_default"]["inputs"] == {"z": ["float32", [None, LATENT]]}
    assert img["serving_default"]["outputs"] == {"images": ["float32", [None, 28, 28, 1]]}
    assert img["serving_default"]["returned"] == ["images"]
    assert img["generate_uint8"]["inputs"] == {"z": ["float32", [None, LATENT]]}
    assert img["generate_uint8"]["outputs"] == {"images": ["uint8", [None, 28, 28, 1]]}
    assert img["generate_from_seed"]["inputs"] == {"seed": ["int64", []], "num": ["int32", []]}
    assert img["generate_from_seed"]["outputs"] == {"images": ["float32", [None, 28, 28, 1]]}
    assert pts["serving_default"]["inputs"] == {"z": ["float32", [None, POINT_LATENT]]}
    assert pts["serving_default"]["outputs"] == {"images": ["float32", [None, 2]]}

    # serving_default is the EMA generator in inference mode (BN moving statistics).
    gan, z = exported["image_gan"], exported["z"]
    images = out["img_default"]
    assert images.dtype == np.float32 and images.shape == (6, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0 and images.std() > 1e-3
    np.testing.assert_allclose(images, sample(gan.ema_generator, z), atol=1e-5)
    assert np.abs(images - sample(gan.generator, z)).max() > 1e-2

    uint8 = out["img_uint8"]
    assert uint8.dtype == np.uint8 and uint8.shape == (6, 28, 28, 1)
    np.testing.assert_array_equal(uint8, to_uint8(images))

    # generate_from_seed: deterministic across calls and processes, different across seeds.
    for tag, model, latent_dim, noise in (("img", gan.ema_generator, LATENT, "normal"),
                                          ("pts", exported["point_gan"].generator, POINT_LATENT, "uniform")):
        a, b, c = out[tag + "_seed7_a"], out[tag + "_seed7_b"], out[tag + "_seed8"]
        assert a.dtype == np.float32 and a.shape[0] == 4
        np.testing.assert_array_equal(a, b)
        assert np.abs(a - c).max() > 1e-3
        np.testing.assert_allclose(a, sample(model, latent_from_seed(7, 4, latent_dim, noise)), atol=1e-5)
        other = latent_from_seed(7, 4, latent_dim, "normal" if noise == "uniform" else "uniform")
        assert np.abs(a - sample(model, other)).max() > 1e-3  # the model's own noise, not the other
    assert np.abs(latent_from_seed(7, 500, 4, "uniform")).max() <= 1.0 < np.abs(latent_from_seed(7, 500, 4)).max()

    points = out["pts_default"]
    assert points.dtype == np.float32 and points.shape == (5, 2)
    np.testing.assert_allclose(points, sample(exported["point_gan"].generator, exported["zp"]), atol=1e-5)


def _signature_block(text, name):
    start = text.index(f"signature_def['{name}']:")
    end = text.find("signature_def[", start + 1)
    return text[start:end if end != -1 else len(text)]


def test_saved_model_cli_show(exported, tmp_path):
    assert os.path.isfile(SAVED_MODEL_CLI), f"saved_model_cli not found next to {sys.executable}"
    text = run([SAVED_MODEL_CLI, "show", "--all", "--dir", exported["image_path"]], cwd=tmp_path).stdout
    default = _signature_block(text, "serving_default")
    assert "inputs['z']" in default and "DT_FLOAT" in default and f"shape: (-1, {LATENT})" in default
    assert "outputs['images']" in default and "shape: (-1, 28, 28, 1)" in default
    uint8 = _signature_block(text, "generate_uint8")
    assert "inputs['z']" in uint8 and "outputs['images']" in uint8 and "DT_UINT8" in uint8
    seeded = _signature_block(text, "generate_from_seed")
    assert "inputs['seed']" in seeded and "DT_INT64" in seeded
    assert "inputs['num']" in seeded and "DT_INT32" in seeded
    assert "outputs['images']" in seeded
    assert "Method name is: tensorflow/serving/predict" in default


def test_saved_model_cli_run_the_tf1_loader(exported, tmp_path):
    """`saved_model_cli run` loads with the TF1 session loader, as TF Serving does."""
    np.save(tmp_path / "z.npy", exported["z"])
    run([SAVED_MODEL_CLI, "run", "--dir", exported["image_path"], "--tag_set", "serve",
         "--signature_def", "serving_default", "--inputs", "z=z.npy", "--outdir", "out"], cwd=tmp_path)
    images = np.load(tmp_path / "out" / "images.npy")
    assert images.dtype == np.float32 and images.shape == (6, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    np.testing.assert_allclose(images, sample(exported["image_gan"].ema_generator, exported["z"]), atol=1e-5)


def test_tflite_matches_the_saved_model(exported):
    path = exported["image_path"]
    reference = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(exported["z"]))["images"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        interpreter = tf.lite.Interpreter(model_path=os.path.join(path, "generator.tflite"))
    assert interpreter.get_signature_list() == {"serving_default": {"inputs": ["z"], "outputs": ["images"]}}
    assert list(interpreter.get_input_details()[0]["shape_signature"]) == [-1, LATENT]  # dynamic batch
    runner = interpreter.get_signature_runner("serving_default")
    images = runner(z=exported["z"])["images"]  # batch 6: the runner resizes the input
    assert images.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(images, reference.numpy(), atol=1e-4)


def test_wrong_inputs_raise_tf_signature_errors(exported):
    sigs = tf.saved_model.load(exported["image_path"]).signatures
    with pytest.raises(tf.errors.InvalidArgumentError, match=rf"z.*not compatible.*\[\?,{LATENT}\]"):
        sigs["serving_default"](z=tf.zeros([2, LATENT - 3]))
    with pytest.raises((TypeError, ValueError, tf.errors.InvalidArgumentError), match="float"):
        sigs["serving_default"](z=tf.zeros([2, LATENT], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num must be at least 1"):
        sigs["generate_from_seed"](seed=tf.constant(1, tf.int64), num=tf.constant(0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num must be at most 1024"):
        sigs["generate_from_seed"](seed=tf.constant(1, tf.int64), num=tf.constant(100_000))
    # One request cannot exhaust memory, and a non-finite z is an error, not black images.
    assert sigs["serving_default"](z=tf.zeros([1024, LATENT]))["images"].shape[0] == 1024
    for name in ("serving_default", "generate_uint8"):
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"at most 1024 rows of z a request"):
            sigs[name](z=tf.zeros([1025, LATENT]))
        for bad in (np.nan, np.inf):
            z = exported["z"].copy()
            z[2, 1] = bad
            with pytest.raises(tf.errors.InvalidArgumentError, match="z must be finite"):
                sigs[name](z=tf.constant(z))


def test_max_batch_from_the_cli_and_in_the_tf1_loader(tmp_path, capsys):
    from keras_gans.cli import main

    gan = point_gan()
    gan.save(tmp_path / "gan.keras")
    assert main(["export", str(tmp_path / "gan.keras"), "--out", str(tmp_path / "e"), "--max-batch", "3"]) == 0
    sigs = tf.saved_model.load(str(tmp_path / "e" / "1")).signatures
    assert sigs["serving_default"](z=tf.zeros([3, POINT_LATENT]))["images"].shape == (3, 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at most 3 rows of z"):
        sigs["serving_default"](z=tf.zeros([4, POINT_LATENT]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="num must be at most 3"):
        sigs["generate_from_seed"](seed=tf.constant(1, tf.int64), num=tf.constant(4))
    capsys.readouterr()
    assert main(["export", str(tmp_path / "gan.keras"), "--out", str(tmp_path / "f"), "--max-batch", "0"]) == 1
    assert "max_num must be at least 1" in capsys.readouterr().err
    z = np.zeros((2, POINT_LATENT), "float32")
    z[0, 0] = np.nan
    np.save(tmp_path / "z.npy", z)
    proc = subprocess.run([SAVED_MODEL_CLI, "run", "--dir", str(tmp_path / "e" / "1"), "--tag_set", "serve",
                           "--signature_def", "serving_default", "--inputs", "z=z.npy", "--outdir", "out"],
                          cwd=tmp_path, env=SUBPROCESS_ENV, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "z must be finite" in proc.stderr


def test_existing_version_is_refused_unless_overwrite(tmp_path):
    gan = point_gan()
    out = tmp_path / "exported"
    path = export_gan(gan, out, version=2)
    stamp = os.path.getmtime(os.path.join(path, "saved_model.pb"))
    with pytest.raises(UserError, match=r"already exists.*overwrite"):
        export_gan(gan, out, version=2)
    assert os.path.getmtime(os.path.join(path, "saved_model.pb")) == stamp

    _perturb(gan.generator, 1.0, seed=9)
    z = np.ones((3, POINT_LATENT), "float32")
    assert export_gan(gan, out, version=2, overwrite=True) == path
    assert sorted(os.listdir(out)) == ["2"]  # the old version and the staging folder are gone
    got = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(got, sample(gan.generator, z), atol=1e-5)


def test_exports_a_run_folder_as_the_cli_will(tmp_path):
    """`keras-gans export RUN_DIR --out DIR` will call export_gan(RUN_DIR, DIR, ...)."""
    from keras_gans.recipes import RECIPE_DIR
    from keras_gans.runs import MODEL_FILE, RECIPE_FILE

    gan = point_gan(ema=True)  # EMA differs from the raw generator after _perturb
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    shutil.copy(os.path.join(RECIPE_DIR, "ring-gan.yaml"), run_dir / RECIPE_FILE)
    gan.save(run_dir / MODEL_FILE)
    path = export_gan(str(run_dir), str(tmp_path / "exported"), version="5")
    assert path == str(tmp_path / "exported" / "5")
    z = np.random.default_rng(0).standard_normal((4, POINT_LATENT)).astype("float32")
    got = tf.saved_model.load(path).signatures["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(got, sample(gan.ema_generator, z), atol=1e-5)
    assert np.abs(got - sample(gan.generator, z)).max() > 1e-2


def test_bad_arguments_are_user_errors(tmp_path):
    gan = point_gan()
    for version in (-1, "one", 1.5, True):
        with pytest.raises(UserError, match="version"):
            export_gan(gan, tmp_path / "a", version=version)
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        export_gan(gan, tmp_path / "file")
    with pytest.raises(UserError, match="export_gan takes"):
        export_gan(object(), tmp_path / "b")
    with pytest.raises(UserError, match="max_num"):
        export_gan(gan, tmp_path / "c", max_num=0)
    with pytest.raises(UserError, match="not exist"):
        export_gan(str(tmp_path / "no-such-run"), tmp_path / "d")
    z, label = keras.Input((POINT_LATENT,)), keras.Input((3,))
    conditional = keras.Model([z, label], keras.layers.Dense(2)(keras.layers.Concatenate()([z, label])))
    with pytest.raises(UserError, match="one input z"):
        export_gan(keras_gans.GAN(conditional, mlp_discriminator((2,), units=(4,)), latent_dim=POINT_LATENT),
                   tmp_path / "e")
    assert not any(os.path.isdir(tmp_path / d) and os.listdir(tmp_path / d) for d in "abcde")
