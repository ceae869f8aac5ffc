"""Export a model's serving signatures as a TensorFlow Serving SavedModel (and optionally TFLite).

The export is a plain SavedModel written by `keras.export.ExportArchive`: it holds the graphs and
weights of the networks the model's `serving_endpoints` track (for a `GAN`, its sampling generator
only: no discriminator, no optimizer state, no Python class), so it loads with
`tf.saved_model.load`, `saved_model_cli` and TensorFlow Serving without `keras_gans`.

Layout (what TF Serving's `--model_base_path` expects):

    out_dir/
      <version>/
        saved_model.pb
        variables/
        generator.tflite      # only with tflite=True

Signatures: whatever the model's `serving_endpoints(max_num)` returns; for a `GAN` (and a plain
z -> images generator) those of `keras_gans.models.serving_signatures`: `serving_default`,
`generate_uint8` and `generate_from_seed`, every output a dict with the single key `images`.
"""

import os
import shutil
import tempfile

from keras_gans.errors import UserError
from keras_gans.models.serving_signatures import OUTPUT_KEY  # noqa: F401
from keras_gans.models.serving_signatures import latent_endpoints

TFLITE_FILE = "generator.tflite"
DEFAULT_MAX_NUM = 1024


def _resolve(model):
    """The model to export: a keras_gans model or generator as is, or one loaded from a path."""
    import keras

    if isinstance(model, (str, os.PathLike)):
        from keras_gans import runs

        path = os.fspath(model)
        if path.endswith(".keras") and not os.path.exists(path):
            raise UserError(f"{path!r} does not exist: give a run folder, a zoo name or a saved .keras GAN")
        model = runs.load_model(path) if os.path.isfile(path) else runs.load_run(path)[0]
    if isinstance(model, keras.Model):
        return model
    raise UserError(
        f"export_gan takes a keras_gans model, a generator keras.Model, a run folder or a .keras "
        f"file, got {type(model).__name__}"
    )


def _check_version(version):
    if isinstance(version, bool) or not isinstance(version, int):
        if isinstance(version, str) and version.isdigit():
            version = int(version)
        else:
            raise UserError(f"version must be a non-negative integer (TF Serving's version folder), got {version!r}")
    if version < 0:
        raise UserError(f"version must be a non-negative integer (TF Serving's version folder), got {version}")
    return version


def _build_archive(model, max_num, direction=None):
    """The `ExportArchive` of a model's `serving_endpoints`, or of a plain z -> images generator."""
    import keras

    from keras_gans.models import AdversarialModel

    if direction is not None and len(getattr(model, "directions", ())) < 2:
        raise UserError(f"{type(model).__name__} translates one way only (or draws samples): leave out --direction")
    if isinstance(model, AdversarialModel):
        try:
            resources, endpoints = model.serving_endpoints(max_num, **({"direction": direction} if direction else {}))
        except ValueError as e:
            raise UserError(str(e)) from None
    else:
        inputs = getattr(model, "inputs", None)
        if not inputs or inputs[0].shape[-1] is None:
            raise UserError("cannot read latent_dim from this generator: export the keras_gans model instead")
        resources, endpoints = latent_endpoints(model, int(inputs[0].shape[-1]), max_num)
    archive = keras.export.ExportArchive()
    for resource in resources:
        archive.track(resource)
    for name, fn, signature in endpoints:
        archive.add_endpoint(name, fn, input_signature=signature)
    return archive


def _write_tflite(saved_model_dir, path):
    """`serving_default` as a float32 TFLite model with a dynamic batch (resize the input)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir, signature_keys=["serving_default"])
    with open(path, "wb") as f:
        f.write(converter.convert())


def export_gan(gan, out_dir, version=1, tflite=False, overwrite=False, max_num=DEFAULT_MAX_NUM, direction=None):
    """Exports the sampling generator of `gan` for TF Serving; returns `out_dir/<version>`.

    Args:
        gan: a `keras_gans.GAN` (its EMA generator is exported when it has one), a generator
            `keras.Model` with one input z, or the path of a run folder or of a `.keras` file.
        out_dir: the model's base folder (TF Serving's `--model_base_path`); created if needed.
        version: the version folder, a non-negative integer (TF Serving serves the highest).
        tflite: also write `<version>/generator.tflite` (the `serving_default` signature, float32,
            dynamic batch).
        overwrite: replace an existing `<version>` folder; otherwise it is an error.
        max_num: the largest batch a request may ask for: rows of `z` (and of the other inputs)
            in `serving_default` / `generate_uint8`, `num` in `generate_from_seed`.
        direction: for models that translate both ways (CycleGAN), the direction the signatures
            translate in, "a2b" (the default) or "b2a".

    The version folder is written under a temporary name and renamed when complete, so a TF
    Serving instance watching `out_dir` never loads a half-written model.

    Raises:
        UserError: the version folder exists (and not `overwrite`), bad arguments, or a model
            that cannot be exported.
    """
    version = _check_version(version)
    if int(max_num) < 1:
        raise UserError(f"max_num must be at least 1, got {max_num}")
    out_dir = os.fspath(out_dir)
    target = os.path.join(out_dir, str(version))
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UserError(f"{out_dir!r} is a file: give a folder for the exported versions")
    if os.path.exists(target) and not overwrite:
        raise UserError(
            f"{target!r} already exists: export to another version, or pass overwrite=True "
            "(CLI: --overwrite) to replace it"
        )

    archive = _build_archive(_resolve(gan), int(max_num), direction)

    os.makedirs(out_dir, exist_ok=True)
    # A name TF Serving ignores (not an integer) while the export is incomplete.
    staging = tempfile.mkdtemp(prefix=f".tmp-export-{version}-", dir=out_dir)
    try:
        archive.write_out(staging, verbose=False)
        if tflite:
            _write_tflite(staging, os.path.join(staging, TFLITE_FILE))
        os.chmod(staging, 0o755)
        if os.path.exists(target):
            if not overwrite:  # appeared while we were exporting
                raise UserError(f"{target!r} appeared during the export: not overwriting it")
            old = tempfile.mkdtemp(prefix=f".tmp-old-{version}-", dir=out_dir)
            previous = os.path.join(old, "previous")
            os.rename(target, previous)
            try:
                os.rename(staging, target)
            except BaseException:
                os.rename(previous, target)  # put the old version back
                shutil.rmtree(old, ignore_errors=True)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
