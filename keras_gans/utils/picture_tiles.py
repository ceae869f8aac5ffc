"""Images read back from a picture file: one image, or the tiles of a grid as `image_grid` writes.

A picture (PNG, JPEG, ... anything Pillow opens) or a `.npy` array becomes a uint8 batch
(n, H, W, C) of the wanted image shape:

1. a `.npy` file is taken as it is: (n, H, W, C) or (n, H, W), uint8 or float in [-1, 1];
2. a picture is converted to grayscale (1 channel) or RGB (3), and a whole-number
   nearest-neighbour enlargement (what `save_picture` does to small grids) is undone;
3. a picture of exactly H x W is one image; one that tiles into H x W cells with a border of 2
   pixels (`image_grid`'s padding) or 0 is a grid, read row by row, with the empty cells of a
   last row dropped;
4. anything else is one image resized to H x W (Pillow's bilinear filter), or, with
   `resize=False`, a `ValueError` naming the expected size.

`read_image_folder` reads every picture of a folder, each one image of exactly H x W.
"""

import os

import numpy as np

#: Borders between the cells of a grid that `read_images` recognises (`image_grid` uses 2).
GRID_PADDINGS = (2, 0)


def read_images(path, shape, resize=True):
    """`path` (a picture or `.npy`) as a uint8 or float (n, H, W, C) batch of `shape` (H, W, C),
    as described in the module docstring; a `ValueError` names what does not fit."""
    height, width, channels = (int(s) for s in shape)
    if path.endswith(".npy"):
        images = np.load(path, allow_pickle=False)
        if images.ndim == 3:
            images = images[..., None]
        if images.ndim != 4 or tuple(images.shape[1:]) != (height, width, channels):
            raise ValueError(f"{path} holds an array of shape {images.shape}; the model takes (n, {height}, "
                             f"{width}, {channels}) images")
        return images
    from PIL import Image, UnidentifiedImageError

    if channels not in (1, 3):
        raise ValueError(f"pictures have 1 or 3 channels, the model takes {channels}: give a .npy array")
    try:
        with Image.open(path) as opened:
            picture = np.asarray(opened.convert("L" if channels == 1 else "RGB"))
    except UnidentifiedImageError:
        raise ValueError(f"{path} is not a picture Pillow can read (PNG, JPEG, ...) nor a .npy array") from None
    if picture.ndim == 2:
        picture = picture[..., None]
    picture = undo_enlargement(picture)
    tiles = grid_tiles(picture, height, width)
    if tiles is not None:
        return tiles
    if not resize:
        raise ValueError(f"{path} is a {picture.shape[1]}x{picture.shape[0]} picture: the model takes {width}x{height} "
                         f"images with {channels} channel(s), one per picture or a grid of them")
    with Image.open(path) as opened:
        resized = opened.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
    return np.asarray(resized).reshape(1, height, width, channels)


def undo_enlargement(picture):
    """`picture` shrunk by the largest whole factor f such that it is made of f x f blocks of
    equal pixels (a nearest-neighbour enlargement); itself when there is none."""
    rows, cols = picture.shape[:2]
    for factor in range(min(rows, cols), 1, -1):
        if rows % factor or cols % factor:
            continue
        small = picture[::factor, ::factor]
        if np.array_equal(np.repeat(np.repeat(small, factor, axis=0), factor, axis=1), picture):
            return small
    return picture


def grid_tiles(picture, height, width):
    """The (n, height, width, C) cells of a grid picture (see the module docstring), or None."""
    rows, cols = picture.shape[:2]
    for padding in GRID_PADDINGS:
        if (rows - padding) % (height + padding) or (cols - padding) % (width + padding):
            continue
        n_rows, n_cols = (rows - padding) // (height + padding), (cols - padding) // (width + padding)
        if n_rows < 1 or n_cols < 1:
            continue
        cells = [picture[padding + r * (height + padding):][:height, padding + c * (width + padding):][:, :width]
                 for r in range(n_rows) for c in range(n_cols)]
        while len(cells) > 1 and len(cells) > (n_rows - 1) * n_cols and not cells[-1].any():
            cells.pop()  # the unfilled cells of the last row
        return np.stack(cells)
    return None


def read_image_folder(path, shape):
    """Every picture in folder `path` (sorted by name; other files skipped), each one image of
    exactly `shape` (H, W, C) after the channel conversion: `(uint8 batch, file names)`."""
    from keras_gans.utils.images import IMAGE_EXTENSIONS

    names = sorted(f for f in os.listdir(path) if f.lower().endswith(IMAGE_EXTENSIONS))
    if not names:
        raise ValueError(f"{path} holds no pictures ({', '.join(IMAGE_EXTENSIONS)})")
    images = []
    for name in names:
        image = read_images(os.path.join(path, name), shape, resize=False)
        if len(image) != 1:
            raise ValueError(f"{os.path.join(path, name)} is a grid of {len(image)} images: a folder holds one image "
                             "per picture")
        images.append(image[0])
    return np.stack(images), names
