"""Sample pictures written with Pillow: image grids and 2-D scatter plots (no matplotlib needed)."""

import math

import numpy as np
from PIL import Image, ImageDraw

from keras_gans.utils.files import replacing


#: File extensions (lower case) of the pictures keras-gans reads (`folder_dataset`, `keras-gans translate`).
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def to_uint8(images):
    """Images in [-1, 1] (the generators' tanh range) -> uint8 in [0, 255]."""
    images = np.asarray(images, dtype="float32")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype("uint8")


def from_uint8(images):
    """uint8 images in [0, 255] -> float32 in [-1, 1] (`x / 127.5 - 1`), the inverse of `to_uint8`."""
    return np.asarray(images).astype("float32") / 127.5 - 1.0


def image_grid(images, columns=None, padding=2):
    """(N, H, W, C) images in [-1, 1] -> one uint8 (rows*(H+p)+p, cols*(W+p)+p, C) picture."""
    images = to_uint8(images)
    if images.ndim != 4:
        raise ValueError(f"image_grid takes (N, H, W, C) images, got shape {images.shape}")
    n, h, w, c = images.shape
    columns = columns or int(math.ceil(math.sqrt(n)))
    rows = int(math.ceil(n / columns))
    grid = np.zeros((rows * (h + padding) + padding, columns * (w + padding) + padding, c), "uint8")
    for i, image in enumerate(images):
        r, col = divmod(i, columns)
        y, x = padding + r * (h + padding), padding + col * (w + padding)
        grid[y : y + h, x : x + w] = image
    return grid


def save_picture(path, picture):
    """Writes a uint8 (H, W, 1 or 3) picture to `path` (PNG), scaled up by a whole factor to at
    least 512 pixels wide with nearest-neighbour so small digits are legible. The file is written
    next to `path` and renamed over it: a kill leaves the old picture or the new one."""
    picture = np.asarray(picture, "uint8")
    mode = "L" if picture.shape[-1] == 1 else "RGB"
    image = Image.fromarray(picture[..., 0] if mode == "L" else picture, mode)
    if image.width < 512:
        factor = -(-512 // image.width)
        image = image.resize((image.width * factor, image.height * factor), Image.NEAREST)
    with replacing(path, suffix=".png") as tmp:
        image.save(tmp)
    return path


def save_image_grid(path, images, columns=None):
    """Writes `image_grid(images)` to `path` (PNG), scaled up so small digits are legible."""
    return save_picture(path, image_grid(images, columns))


def save_scatter(path, points, centers=None, size=512, margin=0.15, title=None):
    """Writes `scatter_picture(...)` to `path` (PNG)."""
    return save_picture(path, scatter_picture(points, centers, size, margin, title))


def scatter_picture(points, centers=None, size=512, margin=0.15, title=None):
    """A uint8 (size, size, 3) scatter plot of 2-D `points` (blue) with the mixture `centers` (red
    crosses)."""
    points = np.asarray(points, dtype="float64").reshape(-1, 2)
    ref = points if centers is None else np.asarray(centers, dtype="float64").reshape(-1, 2)
    low, high = ref.min(axis=0), ref.max(axis=0)
    span = float(max(high - low)) or 1.0
    mid = (low + high) / 2.0
    half = span * (0.5 + margin)

    def to_pixel(p):
        u = (p - (mid - half)) / (2 * half)
        return u[..., 0] * (size - 1), (1.0 - u[..., 1]) * (size - 1)

    picture = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(picture)
    xs, ys = to_pixel(points)
    for x, y in zip(xs, ys):
        if 0 <= x < size and 0 <= y < size:
            draw.ellipse([x - 1.5, y - 1.5, x + 1.5, y + 1.5], fill=(31, 119, 180))
    if centers is not None:
        cx, cy = to_pixel(np.asarray(centers, dtype="float64"))
        for x, y in zip(cx, cy):
            draw.line([x - 6, y - 6, x + 6, y + 6], fill=(214, 39, 40), width=2)
            draw.line([x - 6, y + 6, x + 6, y - 6], fill=(214, 39, 40), width=2)
    if title:
        draw.text((8, 8), title, fill="black")
    return np.asarray(picture)
