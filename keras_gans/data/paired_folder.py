"""Pix2pix-style folders: each image file holds a pair side by side, A in its left half and B in its
right half, as the pix2pix datasets (facades, maps, edges2shoes, ...) ship them.

`{"folder": PATH, "side_by_side": true}` (`keras_gans.data.data_config`) reads them as paired
`(sources, targets)` batches; `direction: b2a` swaps the halves (pix2pix's `--direction BtoA`).
"""

import os

import tensorflow as tf

from keras_gans.data.datasets import _check_batch_fits
from keras_gans.data.datasets import check_batch_size
from keras_gans.data.datasets import _shuffle_forever
from keras_gans.data.datasets import check_image_files
from keras_gans.data.datasets import list_image_files
from keras_gans.data.datasets import prefetched
from keras_gans.data.image_ops import check_image_format
from keras_gans.data.image_ops import to_model_images

#: The values of `direction`: A -> B (left half -> right half) or B -> A.
DIRECTIONS = ("a2b", "b2a")


def side_by_side_dataset(path, batch_size, image_size, channels, direction="a2b", seed=0):
    """Batches `(sources, targets)` of the A|B image files found (recursively) in the folder `path`:
    the left half of each file is A, the right half B (swapped when `direction` is "b2a"), each
    float32 in [-1, 1] of shape `(image_size, image_size, channels)`, a source with its own target.

    Every file must have an even width, larger than its height (e.g. 512x256 for two 256x256
    halves); non-square halves are centre-cropped to a square, then resized bilinearly.
    """
    check_batch_size(batch_size)
    check_image_format(image_size, channels)
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}, got {direction!r}.")
    files = list_image_files(path)
    _check_batch_fits(batch_size, len(files), f"image pairs in {os.fspath(path)!r}")
    check_image_files(files)
    check_side_by_side(files)

    def load(filename):
        image = tf.io.decode_image(tf.io.read_file(filename), channels=3, expand_animations=False)
        image.set_shape([None, None, 3])
        half = tf.shape(image)[1] // 2
        a, b = (to_model_images(side, image_size, channels) for side in (image[:, :half], image[:, half:]))
        return (a, b) if direction == "a2b" else (b, a)

    dataset = _shuffle_forever(tf.data.Dataset.from_tensor_slices(files), len(files), seed)
    dataset = dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)
    return prefetched(dataset.batch(batch_size, drop_remainder=True))


def check_side_by_side(files):
    """Names the first file that cannot hold two halves side by side: an odd width, or a width not
    larger than the height (reads the headers only)."""
    from PIL import Image

    for file in files:
        with Image.open(file) as image:
            width, height = image.size
        if width % 2 or width <= height:
            raise ValueError(
                f"{file!r} is {width}x{height} (width x height), not a side-by-side A|B pair: side_by_side "
                "folders need files of an even width larger than their height (e.g. 512x256 for two "
                "256x256 halves); remove it or use a plain {folder: ...} config.")
