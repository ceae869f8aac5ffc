"""Conversion of decoded images to what the generators output: square, float32 in [-1, 1]."""

import numpy as np
import tensorflow as tf

VALID_CHANNELS = (1, 3)


def check_image_format(image_size, channels):
    """Raises a clear `ValueError` unless `image_size` is a positive int and `channels` 1 or 3."""
    if not is_positive_int(image_size):
        raise ValueError(f"image_size must be a positive int (square images), got {image_size!r}.")
    if channels not in VALID_CHANNELS:
        raise ValueError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels!r}.")


def to_model_images(images, image_size, channels):
    """Turns uint8 images `(..., H, W, C)` into float32 `(..., image_size, image_size, channels)`.

    Works on one image or a batch. Non-square images are first centre-cropped to a square (so
    faces or scenes keep their aspect ratio), then resized bilinearly with antialiasing. Grayscale
    becomes RGB by repeating the channel, RGB becomes grayscale by luminance, an alpha channel is
    dropped. Values map from [0, 255] to [-1, 1], the range of a `tanh` generator.
    """
    images = tf.cast(images, "float32")
    images = _center_crop_square(images)
    size = (int(image_size), int(image_size))
    if _static_size(images) != size:
        images = tf.image.resize(images, size, "bilinear", antialias=True)
    images = _to_channels(images, channels)
    images = images / 127.5 - 1.0
    return tf.clip_by_value(images, -1.0, 1.0)


def _to_channels(images, channels):
    source = images.shape[-1]
    if source is None:
        raise ValueError(
            "The images' channel count is unknown; decode them with a fixed number of channels."
        )
    if source in (2, 4):  # Grayscale + alpha or RGB + alpha: drop the alpha channel.
        images = images[..., : source - 1]
        source -= 1
    if source == channels:
        return images
    if source == 1 and channels == 3:
        return tf.image.grayscale_to_rgb(images)
    if source == 3 and channels == 1:
        return tf.image.rgb_to_grayscale(images)
    raise ValueError(f"Cannot convert images with {source} channels to {channels} channels.")


def _center_crop_square(images):
    height, width = _static_size(images)
    if height is not None and height == width:
        return images
    shape = tf.shape(images)
    height, width = shape[-3], shape[-2]
    side = tf.minimum(height, width)
    return tf.image.crop_to_bounding_box(
        images, (height - side) // 2, (width - side) // 2, side, side
    )


def _static_size(images):
    return tuple(images.shape[-3:-1])


def is_positive_int(value):
    """True for a positive Python or NumPy int (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value > 0
