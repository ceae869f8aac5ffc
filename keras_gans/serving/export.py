"""Export a GAN's generator as a TensorFlow Serving SavedModel (and optionally a TFLite file).

The export is a plain SavedModel written by `keras.export.ExportArchive`: it holds the
generator's graph and weights only (no discriminator, no optimizer state, no Python class), so it
loads with `tf.saved_model.load`, `saved_model_cli` and TensorFlow Serving without `keras_gans`.

Layout (what TF Serving's `--model_base_path` expects):

    out_dir/
      <version>/
        saved_model.pb
        variables/
        generator.tflite      # only with tflite=True

Signatures (every output is a dict with the single key `images`):

- `serving_default`: `z` float32 [batch, latent_dim] -> `images` float32, the generator's output
  as is ([-1, 1] for the tanh image generators; for generators of 2-D data the "images" are the
  points, shape [batch, 2], in the data's own scale).
- `generate_uint8` (generators of rank-4 images only): `z` -> `images` uint8 [batch, H, W, C],
  `round((x + 1) * 127.5)` clipped to [0, 255], as `keras_gans.utils.images.to_uint8`.
- `generate_from_seed`: `seed` int64 scalar, `num` int32 scalar -> `images` float32 [num, ...]
  from `z = latent_from_seed(seed, num, latent_dim)`; the same seed gives the same images in
  every call and every process (TF's stateless RNG).
"""

import os
import shutil
import tempfile

from keras_gans.errors import UserError

OUTPUT_KEY = "images"
TFLITE_FILE = "generator.tflite"
DEFAULT_MAX_NUM = 1024


def latent_from_seed(seed, num, latent_dim):
    """The z the `generate_from_seed` signature draws: float32 NumPy of shape (num, latent_dim).

    `tf.random.stateless_normal([num, latent_dim], seed=[seed, 0])`. It is not the z of
    `GAN.latent(num, seed)` (NumPy's generator): the same seed gives other samples than
    `GAN.generate(num, seed)`, but `serving_default(z=latent_from_seed(s, n, d))` equals
    `generate_from_seed(seed=s, num=n)`.
    """
    import tensorflow as tf

    return _seeded_latent(tf.constant(seed, tf.int64), tf.constant(num, tf.int32), int(latent_dim)).numpy()


def _seeded_latent(seed, num, latent_dim):
    import tensorflow as tf

    shape = tf.stack([num, tf.constant(latent_dim, tf.int32)])
    key = tf.stack([seed, tf.constant(0, tf.int64)])
    return tf.random.stateless_normal(shape, seed=key, dtype=tf.float32)


def _resolve(gan):
    """(sampler generator, latent_dim) of a GAN, a generator model, or a run folder / `.keras` path."""
    import keras

    from keras_gans.models import GAN

    if isinstance(gan, (str, os.PathLike)):
        from keras_gans.training.run import load_gan, load_run

        path = os.fspath(gan)
        if path.endswith(".keras") and not os.path.exists(path):
            raise UserError(f"{path!r} does not exist: give a run folder, a zoo name or a saved .keras GAN")
        gan = load_gan(path) if os.path.isfile(path) else load_run(path)[0]
    if isinstance(gan, GAN):
        return gan.sampler, int(gan.latent_dim)
    if isinstance(gan, keras.Model):
        inputs = getattr(gan, "inputs", None)
        if not inputs or inputs[0].shape[-1] is None:
            raise UserError(
                "cannot read latent_dim from this generator: export the keras_gans.GAN instead"
            )
        return gan, int(inputs[0].shape[-1])
    raise UserError(
        f"export_gan takes a keras_gans.GAN, a generator keras.Model, a run folder or a .keras "
        f"file, got {type(gan).__name__}"
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


def _build_archive(generator, latent_dim, max_num):
    import keras
    import tensorflow as tf

    inputs = getattr(generator, "inputs", None)
    if inputs is not None and len(inputs) != 1:
        raise UserError(
            f"export_gan exports generators with one input z, this one has {len(inputs)} inputs "
            "(conditional generators are not supported yet)"
        )
    if not generator.built:
        raise UserError("the generator is not built: load a trained GAN or call it on a batch of z first")
    probe = generator(tf.zeros([1, latent_dim]), training=False)
    rank = len(probe.shape)

    def images(z):
        # A clear "Shape of tensor z [2,5] is not compatible with expected shape [?,8]" error for
        # a wrong latent size, checked in the graph so that every loader (TF Serving's too)
        # reports it, rather than a matmul error deep inside the generator.
        z = tf.ensure_shape(z, [None, latent_dim], name="check_z_shape")
        return tf.cast(generator(z, training=False), tf.float32)

    def serving_default(z):
        return {OUTPUT_KEY: images(z)}

    def generate_uint8(z):
        x = tf.round((images(z) + 1.0) * 127.5)
        return {OUTPUT_KEY: tf.cast(tf.clip_by_value(x, 0.0, 255.0), tf.uint8)}

    def generate_from_seed(seed, num):
        checks = [
            tf.debugging.assert_greater_equal(num, tf.constant(1, tf.int32), message="num must be at least 1"),
            tf.debugging.assert_less_equal(
                num, tf.constant(max_num, tf.int32),
                message=f"num must be at most {max_num} (export_gan(..., max_num=...))",
            ),
        ]
        with tf.control_dependencies(checks):
            z = _seeded_latent(seed, num, latent_dim)
        return {OUTPUT_KEY: images(z)}

    z_spec = [tf.TensorSpec([None, latent_dim], tf.float32, name="z")]
    archive = keras.export.ExportArchive()
    archive.track(generator)
    # Named serving_default explicitly: TF Serving's default signature (write_out would otherwise
    # alias the first endpoint under that name).
    archive.add_endpoint("serving_default", serving_default, input_signature=z_spec)
    if rank == 4:
        archive.add_endpoint("generate_uint8", generate_uint8, input_signature=z_spec)
    archive.add_endpoint(
        "generate_from_seed",
        generate_from_seed,
        input_signature=[tf.TensorSpec([], tf.int64, name="seed"), tf.TensorSpec([], tf.int32, name="num")],
    )
    return archive


def _write_tflite(saved_model_dir, path):
    """`serving_default` as a float32 TFLite model with a dynamic batch (resize the input)."""
    import tensorflow as tf

    converter = tf.lite.TFLiteConverter.from_saved_model(saved_model_dir, signature_keys=["serving_default"])
    with open(path, "wb") as f:
        f.write(converter.convert())


def export_gan(gan, out_dir, version=1, tflite=False, overwrite=False, max_num=DEFAULT_MAX_NUM):
    """Exports the sampling generator of `gan` for TF Serving; returns `out_dir/<version>`.

    Args:
        gan: a `keras_gans.GAN` (its EMA generator is exported when it has one), a generator
            `keras.Model` with one input z, or the path of a run folder or of a `.keras` file.
        out_dir: the model's base folder (TF Serving's `--model_base_path`); created if needed.
        version: the version folder, a non-negative integer (TF Serving serves the highest).
        tflite: also write `<version>/generator.tflite` (the `serving_default` signature, float32,
            dynamic batch).
        overwrite: replace an existing `<version>` folder; otherwise it is an error.
        max_num: the largest `num` the `generate_from_seed` signature accepts.

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

    generator, latent_dim = _resolve(gan)
    archive = _build_archive(generator, latent_dim, int(max_num))

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
