"""The real data generated samples are compared with: a data config's images (the bundled MNIST,
a TFDS dataset, an image folder) or a 2-D mixture, and the bundled MNIST's labels."""

import collections.abc

import numpy as np

from keras_gans.errors import UserError
from keras_gans.metrics.stacked_mnist import DEFAULT_SAMPLES as STACKED_SAMPLES

#: Real images read from a TFDS dataset or a folder when no count is given.
DEFAULT_REAL_IMAGES = 10000


def _mixture(data):
    """The `Mixture` a data description names (a Mixture, "ring", {"name": "grid"}), else None."""
    from keras_gans.data import Mixture
    from keras_gans.data import mixture_for

    if isinstance(data, Mixture):
        return data
    if isinstance(data, (str, collections.abc.Mapping)):
        try:
            return mixture_for(data)
        except ValueError as e:
            raise UserError(str(e)) from None
    return None


def data_kind_of(data):
    """"points" for a mixture (name, data config or `Mixture`), else "images"."""
    return "points" if _mixture(data) is not None else "images"


def real_data_key(data, image_shape=None, n=None, seed=0):
    """A hashable description of the real data `real_samples` returns (None for arrays)."""
    if not isinstance(data, (str, collections.abc.Mapping)):
        return None
    config = {"name": data} if isinstance(data, str) else dict(data)
    items = repr(sorted((str(key), repr(value)) for key, value in config.items()))
    shape = None if image_shape is None else tuple(image_shape)
    return (items, shape) if config.get("name") == "mnist" else (items, shape, n, seed)


def real_samples(data, image_shape=None, n=None, seed=0):
    """The real data to compare with: a `Mixture` for points, `(N, H, W, C)` float32 images otherwise.

    Args:
        data: a recipe data config ("mnist", {"name": "ring"}, {"tfds": ...}, {"folder": ...}),
            a `Mixture`, or an array of real images (float in [-1, 1] or uint8), returned as is.
        image_shape: the generator's output shape: configs are resized / converted to it.
        n: how many images to read from a TFDS dataset or a folder (the stream repeats if it holds
            fewer) or to draw from Stacked MNIST (default 51,200: two halves of 25,600 for the
            real-vs-real reference); the bundled MNIST always gives its 10,000 digits.
        seed: the shuffling seed of TFDS / folder data.
    """
    mixture = _mixture(data)
    if mixture is not None:
        return mixture
    if not isinstance(data, (str, collections.abc.Mapping)):
        from keras_gans.metrics.extractors import as_image_batch

        return as_image_batch(data, "real images")
    from keras_gans.data import load_mnist
    from keras_gans.data import make_dataset
    from keras_gans.data import to_model_images

    config = {"name": data} if isinstance(data, str) else dict(data)
    if image_shape is not None and len(tuple(image_shape)) != 3:
        raise UserError(
            f"the generator outputs samples of shape {tuple(image_shape)}, not images, but the data "
            f"is {config!r}"
        )
    try:
        if config.get("name") == "mnist":
            size, channels = (28, 1) if image_shape is None else (image_shape[0], image_shape[-1])
            images, _ = load_mnist()
            return np.asarray(to_model_images(images[..., np.newaxis], size, channels))
        n = int(n or (2 * STACKED_SAMPLES if is_stacked_mnist(config) else DEFAULT_REAL_IMAGES))
        dataset = make_dataset(config, batch_size=min(n, 250), image_shape=image_shape, seed=seed)
        batches, count = [], 0
        for batch in dataset:
            batches.append(np.asarray(batch))
            count += len(batches[-1])
            if count >= n:
                break
        return np.concatenate(batches)[:n]
    except UserError:
        raise
    except ValueError as e:
        raise UserError(str(e)) from None


def names_dataset(data, name):
    """Whether `data` (a data config, a `Mixture` or an array) is the named dataset `name`."""
    config = {"name": data} if isinstance(data, str) else data
    return isinstance(config, collections.abc.Mapping) and config.get("name") == name


def is_bundled_mnist(data):
    """Whether `data` (a data config, a `Mixture` or an array) names the bundled MNIST."""
    return names_dataset(data, "mnist")


def is_stacked_mnist(data):
    """Whether `data` (a data config, a `Mixture` or an array) names Stacked MNIST."""
    from keras_gans.data.stacked_mnist import NAME

    return names_dataset(data, NAME)


def real_labels(data):
    """The labels of `real_samples(data)` where known: the bundled MNIST's, else None."""
    if is_bundled_mnist(data):
        from keras_gans.data import load_mnist

        return load_mnist()[1]
    return None
