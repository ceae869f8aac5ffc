"""The MNIST test split (10,000 digits) bundled with the package, so examples run offline."""

import gzip
import struct

import importlib_resources
import numpy as np

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"

_IMAGES_MAGIC = 2051  # IDX: unsigned bytes, 3 dimensions.
_LABELS_MAGIC = 2049  # IDX: unsigned bytes, 1 dimension.


def load_mnist():
    """Returns the bundled MNIST digits as `(images, labels)`.

    `images` is uint8 of shape `(10000, 28, 28)` (0 is background, 255 is ink) and `labels` is
    uint8 of shape `(10000,)`. The files are read through `importlib_resources`, so this works from
    an installed wheel as well as from a source checkout.
    """
    images = _parse_idx(_read(IMAGES_FILE), IMAGES_FILE, _IMAGES_MAGIC, ndim=3)
    labels = _parse_idx(_read(LABELS_FILE), LABELS_FILE, _LABELS_MAGIC, ndim=1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"The bundled MNIST files disagree: {images.shape[0]} images but {labels.shape[0]} "
            "labels. Reinstall keras-gans to restore keras_gans/data/mnist/."
        )
    if labels.max(initial=0) > 9:
        raise ValueError(
            f"{LABELS_FILE} holds a label {labels.max()} outside 0..9: the file is corrupt. "
            "Reinstall keras-gans to restore keras_gans/data/mnist/."
        )
    return images, labels


def _read(filename):
    resource = importlib_resources.files("keras_gans.data") / "mnist" / filename
    try:
        with resource.open("rb") as f:
            return gzip.decompress(f.read())
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise ValueError(
            f"Could not read the bundled MNIST file {filename} ({e}). "
            "Reinstall keras-gans to restore keras_gans/data/mnist/."
        ) from e


def _parse_idx(data, filename, magic, ndim):
    """Parses an IDX file: a big-endian int32 magic number, `ndim` int32 sizes, then the bytes."""
    header_size = 4 * (1 + ndim)

    def corrupt(problem):
        return ValueError(
            f"{filename} is not a valid MNIST IDX file: {problem}. "
            "Reinstall keras-gans to restore keras_gans/data/mnist/."
        )

    if len(data) < header_size:
        raise corrupt(f"only {len(data)} bytes, shorter than the {header_size}-byte header")
    found_magic, *shape = struct.unpack(f">{1 + ndim}i", data[:header_size])
    if found_magic != magic:
        raise corrupt(f"magic number {found_magic}, expected {magic}")
    expected = int(np.prod(shape))
    if min(shape) <= 0 or len(data) - header_size != expected:
        raise corrupt(
            f"header says shape {tuple(shape)} ({expected} bytes) but "
            f"{len(data) - header_size} bytes follow it"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(shape).copy()
