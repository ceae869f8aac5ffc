"""The data section of a recipe: which real data to train on, checked against the generator.

A data config is one of:

    "mnist"                                   # a bare name
    {"name": "mnist"}                         # bundled MNIST digits
    {"name": "mnist", "classes": [7]}         # only some digits (e.g. a fine-tuning target)
    {"name": "mnist", "digits": 500}          # a fixed subset of 500 digits (small-data training)
    {"name": "stacked_mnist"}                 # three bundled digits as R, G, B: 1,000 modes
                                              # (data.stacked_mnist; labels are the mode ids)
    {"name": "ring"} / {"name": "grid"}       # 2-D Gaussian mixtures (points)
    {"tfds": "cifar10", "split": "train"}     # any TensorFlow Datasets image dataset
    {"folder": "path/to/images"}              # a folder of image files
    {"translation": "edges2digits"}           # a translation task on the bundled digits:
                                              # (sources, targets) batches (data.translation)
    {"translation": "x4", "split": "test"}    # ... of the 1,000 held-out digits

Any config may say `labels: true`: the dataset then yields `(samples, int32 labels)` (classes for
images, mode indices for mixtures), as conditional families need. For translation families:

    {"domains": [config_a, config_b]}     # two unpaired domains: (a, b) batches drawn independently
    {"pairs": [config_a, config_b]}       # paired: the same examples in the same order, each side
                                          # in its own format, e.g. 7x7 and 28x28 digits
    {"folder": "facades/train", "side_by_side": true}  # pix2pix-style files, A|B side by side:
                                          # (left halves, right halves) pairs (data.paired_folder);
                                          # "direction": "b2a" swaps them (pix2pix's BtoA)
    {"tfds": "cycle_gan/horse2zebra"}     # TFDS cycle_gan/*: unpaired domains A (split trainA) and
                                          # B (trainB); "split": "test" reads testA and testB;
                                          # "direction": "b2a" swaps them. With split trainA (or
                                          # trainB, testA, testB) it is one plain image dataset.

Each side of `domains` and `pairs` is read in its own format (`sample_shape` of that config); both
sides of `side_by_side` and `cycle_gan` in the config's format (32x32x3 unless it says otherwise).
Unpaired data from two folders: {"domains": [{"folder": "a"}, {"folder": "b"}]}.

Image configs may also say `image_size` and `channels`: the format the recipe's networks are built
for (recipes read them; `make_dataset` resizes to the `image_shape` it is given).
"""

import collections.abc

from keras_gans.data.datasets import folder_dataset
from keras_gans.data.datasets import list_image_files
from keras_gans.data.datasets import mixture_dataset
from keras_gans.data.datasets import mnist_dataset
from keras_gans.data.datasets import tfds_dataset
from keras_gans.data.datasets import translation_dataset
from keras_gans.data import translation
from keras_gans.data.image_ops import VALID_CHANNELS, is_positive_int
from keras_gans.data.mixtures import MIXTURES
from keras_gans.data.paired_folder import DIRECTIONS, side_by_side_dataset
from keras_gans.data import stacked_mnist

#: Datasets known by `{"name": ...}`: images first, then the point mixtures.
IMAGE_NAMES = ("mnist", stacked_mnist.NAME)
NAMES = IMAGE_NAMES + tuple(MIXTURES)

#: Keys of image configs that name the format the networks are built for.
FORMAT_KEYS = ("image_size", "channels")

#: Each source key and the optional keys that may come with it.
SOURCE_OPTIONS = {
    "name": ("classes", "digits", "labels") + FORMAT_KEYS,
    "tfds": ("split", "data_dir", "download", "labels") + FORMAT_KEYS,
    "folder": ("labels", "side_by_side", "direction") + FORMAT_KEYS,
    "translation": ("split",),
}

#: The key of a config of two unpaired domains, and of two paired views of the same examples.
DOMAINS_KEY = "domains"
PAIRS_KEY = "pairs"

POINT_SHAPE = (2,)

#: The TFDS dataset whose configs (`cycle_gan/horse2zebra`, ...) are two unpaired domains, and the
#: splits of its short form (each read as `split + "A"` and `split + "B"`).
CYCLE_GAN = "cycle_gan"
CYCLE_GAN_SPLITS = ("train", "test")


def data_kind(config):
    """Returns "points" for a 2-D mixture, "images" for any other data config."""
    if _two_sided(config):
        return data_kind(_sides(config)[0])
    source, value, _ = _parse(config)
    return "points" if source == "name" and value in MIXTURES else "images"


def mixture_for(config):
    """Returns the `Mixture` (centres and sigma) a points config samples from, else None."""
    if _two_sided(config):
        return None
    source, value, _ = _parse(config)
    return MIXTURES[value] if source == "name" and value in MIXTURES else None


def make_dataset(config, batch_size, image_shape=None, seed=0, with_labels=False):
    """Builds the infinite, batched `tf.data.Dataset` a recipe's data config describes.

    Args:
        config: the recipe's data section (see the module docstring).
        batch_size: examples per batch (incomplete batches are dropped).
        image_shape: the generator's output shape without the batch axis, e.g. `(28, 28, 1)`,
            `(64, 64, 3)` or `(2,)`. Images are resized and their channels converted to match it;
            a mismatch that cannot be fixed (points vs images, non-square) raises a `ValueError`.
            `None` keeps the data's own shape (a folder needs it).
        seed: makes shuffling and sampling reproducible.
        with_labels: yield `(data, int32 labels)`; labels are classes for images and mode
            indices for mixtures. A config's own `labels: true` does the same.
    """
    if _two_sided(config):
        return _two_sided_dataset(config, batch_size, seed, with_labels)
    source, value, options = _parse(config)
    labels = options.pop("labels", False)
    if not isinstance(labels, bool):
        raise ValueError(f"labels in data config {dict(config)!r} must be true or false, got {labels!r}.")
    with_labels = bool(with_labels or labels)
    what = _describe(source, value)
    if source == "translation":
        if with_labels:
            raise ValueError(f"{what} yields (sources, targets) pairs without labels: use a translation family")
        return translation_dataset(value, batch_size, split=options.get("split", "train"), seed=seed)
    if options.get("side_by_side"):  # both halves in the config's own format, as `pairs` sides
        if with_labels:
            raise ValueError(f"{what} (side_by_side) yields (sources, targets) pairs without labels: use a "
                             "translation family")
        size, _, channels = sample_shape(config)
        return side_by_side_dataset(value, batch_size, size, channels, options.get("direction", "a2b"), seed=seed)
    if data_kind(config) == "points":
        if image_shape is not None and tuple(image_shape) != POINT_SHAPE:
            raise ValueError(
                f"{what} yields points of shape {POINT_SHAPE} but the generator outputs "
                f"{tuple(image_shape)}: use a generator whose output shape is {POINT_SHAPE} "
                "(e.g. an MLP generator) or an image dataset such as {'name': 'mnist'}."
            )
        return mixture_dataset(value, batch_size, seed=seed, with_labels=with_labels)

    image_size, channels = _image_format(what, image_shape)
    if source == "name" and value == stacked_mnist.NAME:
        if (image_size, channels) not in ((None, None), stacked_mnist.SHAPE[1:]):
            raise ValueError(f"{what} yields images of shape {stacked_mnist.SHAPE} but the generator outputs "
                             f"{tuple(image_shape)}: build the generator for 28x28 RGB images.")
        return stacked_mnist.stacked_mnist_dataset(batch_size, with_labels=with_labels, seed=seed)
    if source == "name":  # "mnist"
        return mnist_dataset(
            batch_size,
            image_size=image_size or 28,
            channels=channels or 1,
            with_labels=with_labels,
            seed=seed,
            classes=options.get("classes"),
            digits=options.get("digits"),
        )
    if source == "tfds":
        return tfds_dataset(
            value,
            batch_size,
            image_size=image_size,
            channels=channels,
            with_labels=with_labels,
            seed=seed,
            **options,
        )
    if with_labels:
        raise ValueError(
            f"{what} has no labels: use with_labels=False (an unconditional model) or a "
            "labelled dataset such as {'name': 'mnist'} or {'tfds': 'cifar10'}."
        )
    if image_shape is None:
        raise ValueError(
            f"{what} needs the generator's output shape to know what size to resize the images "
            "to: pass image_shape, e.g. (64, 64, 3)."
        )
    return folder_dataset(value, batch_size, image_size, channels, seed=seed)


def sample_shape(config):
    """The shape of one sample (no batch axis) of a data config, in the format it asks for.

    `(2,)` for points; `(image_size, image_size, channels)` for images (defaults: 28x28x1 for the
    bundled MNIST, 32x32x3 otherwise); for `domains` and `pairs`, the second side's (the target).
    """
    if _two_sided(config):
        return sample_shape(_sides(config)[1])
    if data_kind(config) == "points":
        return POINT_SHAPE
    config = {"name": config} if isinstance(config, str) else config
    if "translation" in config:
        return translation.task_shapes(_parse(config)[1])[1]
    if config.get("name") == stacked_mnist.NAME:
        return stacked_mnist.SHAPE
    is_mnist = config.get("name") == "mnist"
    size = config.get("image_size", 28 if is_mnist else 32)
    channels = config.get("channels", 1 if is_mnist else 3)
    if not is_positive_int(size):
        raise ValueError(f"data.image_size must be a positive integer (square images), got {size!r}.")
    if channels not in VALID_CHANNELS:
        raise ValueError(f"data.channels must be 1 (grayscale) or 3 (RGB), got {channels!r}.")
    return (size, size, channels)


def source_shape(config):
    """The shape of one source (no batch axis) of translation data: the first side of `domains`
    and `pairs`, the task's source for `translation`; `sample_shape(config)` for other data."""
    if _two_sided(config):
        return sample_shape(_sides(config)[0])
    if isinstance(config, collections.abc.Mapping) and "translation" in config:
        return translation.task_shapes(_parse(config)[1])[0]
    return sample_shape(config)


def is_translation(config):
    """True for data of (source, target) batches: `translation`, `pairs`, `domains`, `side_by_side`
    folders and the short form of TFDS `cycle_gan`."""
    return _two_sided(config) or (isinstance(config, collections.abc.Mapping) and (
        "translation" in config or ("folder" in config and config.get("side_by_side") is True)))


def _two_sided(config):
    return isinstance(config, collections.abc.Mapping) and (
        DOMAINS_KEY in config or PAIRS_KEY in config or _is_cycle_gan(config))


def _is_cycle_gan(config):
    """True for the short form of TFDS cycle_gan: `{"tfds": "cycle_gan/NAME"}`, split train or test."""
    name = config.get("tfds")
    return (isinstance(name, str) and name.split("/")[0].split(":")[0] == CYCLE_GAN
            and config.get("split", "train") in CYCLE_GAN_SPLITS)


def _cycle_gan_sides(config):
    """The two TFDS configs (split + "A", split + "B") of the short form of cycle_gan, in `direction`."""
    direction = config.get("direction", "a2b")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction in data config {dict(config)!r} must be one of {', '.join(DIRECTIONS)}, "
                         f"got {direction!r}.")
    side = {key: value for key, value in config.items() if key != "direction"}
    split = side.pop("split", "train")
    sides = [{**side, "split": split + "A"}, {**side, "split": split + "B"}]
    return sides[::-1] if direction == "b2a" else sides


def _sides(config):
    """The two configs of a `domains` or `pairs` config (or of cycle_gan's short form), checked."""
    if _is_cycle_gan(config):
        return _cycle_gan_sides(config)
    keys = [key for key in (DOMAINS_KEY, PAIRS_KEY) if key in config]
    if len(keys) != 1 or len(config) != 1:
        raise ValueError(f"a {' or '.join(repr(k) for k in keys)} config has that one key, got {dict(config)!r}.")
    sides = config[keys[0]]
    if not isinstance(sides, (list, tuple)) or len(sides) != 2:
        raise ValueError(f"{keys[0]!r} takes a list of two data configs (side A, side B), got {sides!r}.")
    return list(sides)


def _two_sided_dataset(config, batch_size, seed, with_labels):
    """`(batch of A, batch of B)`: independent streams for `domains` (seeds `seed`, `seed + 1`), the
    same examples in the same order for `pairs` (both seeded with `seed`)."""
    import tensorflow as tf

    paired = PAIRS_KEY in config
    streams = [make_dataset(side, batch_size, sample_shape(side), seed=seed if paired else seed + i,
                            with_labels=with_labels)
               for i, side in enumerate(_sides(config))]
    return tf.data.Dataset.zip(tuple(streams))


def _parse(config):
    """Normalises a data config to `(source key, value, options dict)`, or raises ValueError."""
    if isinstance(config, str):
        config = {"name": config}
    if not isinstance(config, collections.abc.Mapping):
        raise ValueError(
            f"A data config must be a name or a dict such as {{'name': 'mnist'}}, "
            f"got {config!r}."
        )
    sources = [key for key in SOURCE_OPTIONS if key in config]
    if len(sources) != 1:
        raise ValueError(
            f"A data config needs exactly one of {list(SOURCE_OPTIONS)}, got {dict(config)!r}. "
            "Examples: {'name': 'mnist'}, {'name': 'ring'}, {'tfds': 'cifar10'}, "
            "{'folder': 'path/to/images'}."
        )
    source = sources[0]
    allowed = (source,) + SOURCE_OPTIONS[source]
    unknown = sorted(str(key) for key in config if key not in allowed)
    if unknown:
        raise ValueError(
            f"Unknown key(s) {unknown} in data config {dict(config)!r}. "
            f"With {source!r} the valid keys are {list(allowed)}."
        )
    value = config[source]
    if source == "name" and value not in NAMES:
        raise ValueError(
            f"Unknown dataset name {value!r}. Valid names: {list(NAMES)}. For a TensorFlow "
            f"Datasets dataset use {{'tfds': {value!r}}}; for your own images use "
            "{'folder': 'path/to/images'}."
        )
    if source == "translation":
        if value not in translation.TASKS:
            raise ValueError(f"unknown translation task {value!r}: valid tasks are {', '.join(translation.TASKS)}")
        if config.get("split", "train") not in translation.SPLITS:
            raise ValueError(f"data.split must be one of {', '.join(translation.SPLITS)}, got {config['split']!r}")
    if source == "folder" and not isinstance(config.get("side_by_side", False), bool):
        raise ValueError(f"side_by_side in data config {dict(config)!r} must be true or false, "
                         f"got {config['side_by_side']!r}.")
    if source == "folder" and "direction" in config and (
            not config.get("side_by_side") or config["direction"] not in DIRECTIONS):
        raise ValueError(f"direction in data config {dict(config)!r} must be one of {', '.join(DIRECTIONS)} "
                         "and comes with side_by_side: true (A|B files).")
    if value in MIXTURES and any(key in config for key in FORMAT_KEYS + ("classes", "digits")):
        raise ValueError(f"{value!r} is 2-D points data: image_size, channels, classes and digits do not apply.")
    if source == "name" and value == stacked_mnist.NAME and any(key in config for key in FORMAT_KEYS + ("classes", "digits")):
        raise ValueError(f"{value!r} is 28x28 RGB stacks of all the bundled digits: image_size, channels, classes "
                         "and digits do not apply.")
    options = {
        key: config[key] for key in SOURCE_OPTIONS[source] if key in config and key not in FORMAT_KEYS
    }
    return source, value, options


def _describe(source, value):
    kind = {"name": "dataset", "tfds": "TFDS dataset", "folder": "image folder",
            "translation": "translation task"}[source]
    return f"{kind} {value!r}"


def _image_format(what, image_shape):
    """Returns `(image_size, channels)` for the generator output shape (None, None if unknown)."""
    if image_shape is None:
        return None, None
    shape = tuple(image_shape)
    if len(shape) != 3:
        raise ValueError(
            f"{what} yields images but the generator outputs {shape}: use an image generator "
            "(output shape (height, width, channels)) or a point dataset such as "
            "{'name': 'ring'} or {'name': 'grid'} for a generator of shape (2,)."
        )
    height, width, channels = shape
    if height is None or height != width:
        raise ValueError(
            f"{what} yields square images but the generator outputs {shape}: use a generator "
            "with square outputs (height == width)."
        )
    if channels not in VALID_CHANNELS:
        raise ValueError(
            f"{what} yields images with 1 (grayscale) or 3 (RGB) channels but the generator "
            f"outputs {shape}: use a generator with 1 or 3 output channels."
        )
    return int(height), int(channels)


def translation_examples(config, n, seed=0):
    """`(sources, targets)` float32 NumPy in [-1, 1]: `n` examples of translation data to show a
    model's translations of (its picture). For a `translation` task, `n` of the held-out digits
    (the test split; chosen by `seed`: `(images, int32 domains)` for `styles`); for `pairs`,
    `domains` and `side_by_side` folders, the first batch of the data (all of it for folders of
    fewer than `n` images); for TFDS `cycle_gan`, the first batch of testA and testB."""
    import numpy as np

    from keras_gans.utils.images import from_uint8

    if not is_translation(config):
        raise ValueError(f"{config!r} is not translation data")
    if not _two_sided(config) and "translation" in config:
        task = _parse(config)[1]
        sources, targets, _ = translation.task_examples(task, "test")
        chosen = np.sort(np.random.default_rng(seed).choice(len(sources), min(int(n), len(sources)), replace=False))
        if task == translation.STYLES_TASK:  # (images, int32 domains)
            return from_uint8(sources[chosen]), targets[chosen]
        return from_uint8(sources[chosen]), from_uint8(targets[chosen])
    if _is_cycle_gan(config):  # held-out images, as for the tasks
        config = {**config, "split": "test"}
    n = min(int(n), _folder_images(config) or int(n))
    sources, targets = next(iter(make_dataset(config, n, seed=seed)))
    return sources.numpy(), targets.numpy()


def _folder_images(config):
    """The number of image files of a folder config (of the smaller folder of two), else None."""
    if _two_sided(config):
        counts = [count for count in map(_folder_images, _sides(config)) if count is not None]
        return min(counts) if counts else None
    is_folder = isinstance(config, collections.abc.Mapping) and "folder" in config
    return len(list_image_files(config["folder"])) if is_folder else None
