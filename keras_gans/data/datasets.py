"""Input pipelines: infinite, shuffled, batched `tf.data.Dataset`s of real data for `GAN.fit`.

Every builder returns a dataset that repeats forever (train with `steps_per_epoch`), batches with
`drop_remainder=True` (static batch size, needed by distribution strategies and some losses) and
prefetches. Images are float32 in [-1, 1] with shape `(batch, size, size, channels)`; with
`with_labels=True` the elements are `(images, labels)` with int32 labels. Everything is
deterministic given `seed`.
"""

import os
import pathlib

import numpy as np
import tensorflow as tf

from keras_gans.data.image_ops import check_image_format
from keras_gans.data.image_ops import is_positive_int
from keras_gans.data.image_ops import to_model_images
from keras_gans.data.mixtures import get_mixture
from keras_gans.data.mnist import load_mnist
from keras_gans.utils.images import IMAGE_EXTENSIONS  # noqa: F401  (the file extensions `folder_dataset` reads)

#: Examples held in the shuffle buffer of TFDS datasets (encoded bytes, so it stays small).
TFDS_SHUFFLE_BUFFER = 10_000

_AUTOTUNE = tf.data.AUTOTUNE


def prefetched(dataset):
    """`dataset.prefetch(AUTOTUNE)` with tf.data's autotuning *model* turned off.

    The autotuner's optimisation thread sleeps 10 ms, 20 ms, 40 ms, ... between rounds, and
    deleting an iterator waits for the round in progress (TF 2.21). Every `fit` call makes and
    deletes an iterator, so a `fit` of a few seconds could end up to twice as long: it returned
    after exactly 2.55, 5.11 or 10.23 s (10 ms * (2^n - 1)) with unchanged CPU time
    (benchmarks/README.md, "Scale"). With the model off, `AUTOTUNE` parallel maps keep
    TensorFlow's default parallelism and prefetch still grows its buffer on demand, which is
    enough for these pipelines (benchmarks/input_pipeline.py measures them with the model off).
    A user can turn it back on with `dataset.with_options(options)`.
    """
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.prefetch(_AUTOTUNE).with_options(options)


def mixture_dataset(name, batch_size, seed=0, with_labels=False):
    """Batches `(batch_size, 2)` float32 of points from the 2-D mixture `name` ("ring", "grid").

    Points are sampled inside the pipeline with stateless random ops keyed on `(seed, step)`, so
    every batch is fresh (no finite pool to memorise) yet the stream is reproducible. With
    `with_labels=True` the labels are the int32 indices of the modes the points were drawn from.
    """
    check_batch_size(batch_size)
    mixture = get_mixture(name)
    centers = tf.constant(mixture.centers, "float32")
    seed = tf.constant(seed, "int64")

    def sample(step):
        mode_seed, noise_seed = tf.stack([seed, 2 * step]), tf.stack([seed, 2 * step + 1])
        modes = tf.random.stateless_uniform(
            [batch_size], mode_seed, 0, mixture.num_modes, dtype="int32"
        )
        noise = tf.random.stateless_normal([batch_size, centers.shape[1]], noise_seed)
        points = tf.gather(centers, modes) + mixture.sigma * noise
        return (points, modes) if with_labels else points

    return prefetched(tf.data.Dataset.counter().map(sample, num_parallel_calls=_AUTOTUNE))


def mnist_dataset(batch_size, image_size=28, channels=1, with_labels=False, seed=0, classes=None, digits=None):
    """Batches of the bundled MNIST digits (10,000 test images; works offline).

    Resized bilinearly when `image_size != 28`; `channels=3` repeats the gray channel. `classes`
    (e.g. `[7]`) keeps only those digits. `digits=N` keeps N of them, the first N of a fixed
    permutation (NumPy seed 0, whatever `seed`), for small-data training (DiffAugment, ADA).
    """
    check_batch_size(batch_size)
    check_image_format(image_size, channels)
    images, labels = load_mnist()
    if classes is not None:
        keep = np.isin(labels, _check_classes(classes, 10))
        images, labels = images[keep], labels[keep]
    if digits is not None:
        if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= len(images):
            raise ValueError(f"data.digits must be an integer in [1, {len(images)}], got {digits!r}")
        chosen = np.sort(np.random.default_rng(0).permutation(len(images))[:digits])
        images, labels = images[chosen], labels[chosen]
    _check_batch_fits(batch_size, len(images), "MNIST digits" + ("" if classes is None else f" of classes {classes}"))
    dataset = tf.data.Dataset.from_tensor_slices((images[..., np.newaxis], labels.astype("int32")))

    def prepare(images, labels):  # Per batch: one vectorised resize instead of 10,000 small ones.
        images = to_model_images(images, image_size, channels)
        return (images, labels) if with_labels else images

    dataset = _shuffle_forever(dataset, len(images), seed).batch(batch_size, drop_remainder=True)
    return prefetched(dataset.map(prepare, num_parallel_calls=_AUTOTUNE))


def _check_classes(classes, num_classes):
    """The list of class ids in `classes`, checked to be distinct integers in [0, num_classes)."""
    if isinstance(classes, int) and not isinstance(classes, bool):
        classes = [classes]
    valid = (
        isinstance(classes, (list, tuple))
        and len(classes) > 0
        and all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < num_classes for c in classes)
        and len(set(classes)) == len(classes)
    )
    if not valid:
        raise ValueError(
            f"classes must be a non-empty list of distinct class ids in 0..{num_classes - 1}, "
            f"e.g. [7], got {classes!r}."
        )
    return list(classes)


def tfds_dataset(
    name,
    batch_size,
    image_size=None,
    channels=None,
    split="train",
    with_labels=False,
    seed=0,
    data_dir=None,
    download=True,
):
    """Batches of the "image" feature (and "label") of any TensorFlow Datasets image dataset.

    `image_size` / `channels` default to the dataset's own (which must then be square and fixed).
    Non-square images are centre-cropped to a square, then resized bilinearly; grayscale and RGB
    are converted to `channels`. With `download=False` the dataset must already be prepared in
    `data_dir` (e.g. with `tfds build NAME`), which is what offline machines need.
    """
    import tensorflow_datasets as tfds  # Slow to import: only when a TFDS dataset is used.

    check_batch_size(batch_size)
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as e:
        raise ValueError(
            f"Unknown TFDS dataset {name!r}. Use a name from tfds.list_builders() or "
            "https://www.tensorflow.org/datasets/catalog (e.g. 'cifar10', 'celeb_a')."
        ) from e
    features = builder.info.features
    if "image" not in features:
        raise ValueError(
            f"TFDS dataset {name!r} has no 'image' feature (its features are {sorted(features)}); "
            "only image datasets can be used."
        )
    if with_labels and "label" not in features:
        raise ValueError(
            f"TFDS dataset {name!r} has no 'label' feature (its features are {sorted(features)}); "
            "use with_labels=False or a labelled dataset."
        )
    image_feature = features["image"]
    image_size, channels = _native_format(name, image_feature.shape, image_size, channels)
    check_image_format(image_size, channels)

    if download:
        builder.download_and_prepare()
    # Shuffle the encoded bytes, not decoded images, so a large buffer stays cheap.
    skip_decoding = isinstance(image_feature, tfds.features.Image)
    dataset = builder.as_dataset(
        split=split,
        shuffle_files=True,
        decoders={"image": tfds.decode.SkipDecoding()} if skip_decoding else None,
        read_config=tfds.ReadConfig(shuffle_seed=seed),
    )

    def prepare(example):
        image = example["image"]
        if skip_decoding:
            image = image_feature.decode_example(image)
        image = to_model_images(image, image_size, channels)
        if with_labels:
            return image, tf.cast(example["label"], "int32")
        return image

    keep = ("image", "label") if with_labels else ("image",)
    dataset = dataset.map(lambda example: {key: example[key] for key in keep})
    dataset = _shuffle_forever(dataset, TFDS_SHUFFLE_BUFFER, seed)
    dataset = dataset.map(prepare, num_parallel_calls=_AUTOTUNE)
    return prefetched(dataset.batch(batch_size, drop_remainder=True))


def folder_dataset(path, batch_size, image_size, channels, seed=0):
    """Batches of the images found (recursively) in the folder `path`.

    Reads the files listed in `IMAGE_EXTENSIONS` (any case; the first frame of a GIF). Non-square
    images are centre-cropped to a square, then resized bilinearly; grayscale and RGB are
    converted to `channels`.
    """
    check_batch_size(batch_size)
    check_image_format(image_size, channels)
    files = list_image_files(path)
    _check_batch_fits(batch_size, len(files), f"images in {os.fspath(path)!r}")
    check_image_files(files)

    def load(filename):
        image = tf.io.decode_image(tf.io.read_file(filename), channels=3, expand_animations=False)
        image.set_shape([None, None, 3])
        return to_model_images(image, image_size, channels)

    dataset = _shuffle_forever(tf.data.Dataset.from_tensor_slices(files), len(files), seed)
    dataset = dataset.map(load, num_parallel_calls=_AUTOTUNE)
    return prefetched(dataset.batch(batch_size, drop_remainder=True))


def list_image_files(path):
    """The sorted paths of the image files under the folder `path`, searched recursively."""
    folder = pathlib.Path(os.fspath(path)).expanduser()
    accepted = ", ".join(IMAGE_EXTENSIONS)
    if not folder.is_dir():
        raise ValueError(
            f"Image folder {str(folder)!r} does not exist or is not a folder. Pass the path of a "
            f"folder holding images ({accepted}; subfolders are searched too)."
        )
    files = sorted(
        str(file)
        for file in folder.rglob("*")
        if file.suffix.lower() in IMAGE_EXTENSIONS and file.is_file()
    )
    if not files:
        raise ValueError(
            f"Image folder {str(folder)!r} holds no images. Accepted extensions: {accepted} "
            "(any case; subfolders are searched too)."
        )
    return files


def _native_format(name, shape, image_size, channels):
    """Fills in `image_size` / `channels` left as None from the dataset's image shape."""
    height, width, native_channels = shape
    if image_size is None:
        if height is None or height != width:
            raise ValueError(
                f"TFDS dataset {name!r} has images of shape {shape}, not a fixed square size: "
                "pass image_size (e.g. 64) to crop and resize them."
            )
        image_size = height
    if channels is None:
        channels = {2: 1, 4: 3}.get(native_channels, native_channels)
    return image_size, channels


def _shuffle_forever(dataset, buffer_size, seed):
    return dataset.shuffle(buffer_size, seed=seed, reshuffle_each_iteration=True).repeat()


def _check_batch_fits(batch_size, available, what):
    """Batches drop their remainder: a batch larger than the data would never be filled."""
    if batch_size > available:
        raise ValueError(f"batch_size {batch_size} is larger than the data ({available} {what}): "
                         f"use a batch of at most {available}.")


#: The first bytes of each image format `tf.io.decode_image` reads.
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


#: Folders up to this many images are decoded in full by `check_image_files`; larger ones verified.
FULL_CHECK_FILES = 20000


def check_image_files(files):
    """Names the first file that is not a readable image (wrong content for its extension, empty,
    truncated or damaged), before training starts rather than in the middle of it. Folders of up
    to `FULL_CHECK_FILES` images are decoded (about 1 ms an image); larger ones get PIL's quicker
    `verify` (PNG checksums, headers), which can miss a truncated JPEG."""
    from PIL import Image

    decode = len(files) <= FULL_CHECK_FILES
    for file in files:
        try:
            with open(file, "rb") as f:
                head = f.read(8)
            if not head.startswith(IMAGE_SIGNATURES):
                raise ValueError("not a PNG, JPEG, GIF or BMP image")
            with Image.open(file) as image:
                image.load() if decode else image.verify()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
            raise ValueError(f"{file!r} is not a readable image ({e}): remove or replace it.") from None


def check_batch_size(batch_size):
    if not is_positive_int(batch_size):
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")


def translation_dataset(task, batch_size, split="train", seed=0):
    """Batches `(sources, targets)` of a translation task on the bundled digits
    (`keras_gans.data.translation`), float32 in [-1, 1].

    Paired tasks keep each source with its own target; the unpaired task draws its two domains
    independently (shuffle seeds `seed` and `seed + 1`) from disjoint halves of the digits. The
    `styles` task yields `(images, int32 domains)`.
    """
    from keras_gans.data.translation import STYLES_TASK, UNPAIRED_TASKS, task_examples

    check_batch_size(batch_size)
    sources, targets, _ = task_examples(task, split)
    _check_batch_fits(batch_size, min(len(sources), len(targets)), f"{split} digits of task {task!r}")

    def batches(arrays, shuffle_seed):
        dataset = _shuffle_forever(tf.data.Dataset.from_tensor_slices(arrays), len(sources), shuffle_seed)
        return dataset.batch(batch_size, drop_remainder=True)

    def prepare(*sides):  # per batch: [0, 255] -> [-1, 1], each side at its own size
        return tuple(tf.cast(side, "float32") / 127.5 - 1.0 for side in sides)

    if task == STYLES_TASK:
        return prefetched(batches((sources, targets), seed).map(lambda images, domains: (prepare(images)[0], domains),
                                                                num_parallel_calls=_AUTOTUNE))
    if task in UNPAIRED_TASKS:
        dataset = tf.data.Dataset.zip((batches(sources, seed), batches(targets, seed + 1)))
    else:
        dataset = batches((sources, targets), seed)
    return prefetched(dataset.map(prepare, num_parallel_calls=_AUTOTUNE))
