"""`keras-gans translate`: a translation model's outputs for images read from files.

The input is a picture (one image, or a grid as `keras-gans sample` writes), a folder of
pictures (one image each) or a `.npy` array (N, H, W, C) (uint8, or float in [-1, 1]); every
image must have the model's source shape. The output is written as:

- `FILE.png`: a grid of the outputs, in the input's order (one image for one input);
- `FILE.npy`: the outputs as uint8 (N, H, W, C), as `keras-gans sample` writes;
- `FOLDER/` (a path without those suffixes): one PNG per output, named after its input file
  for a folder input (`0000.png`, `0001.png`, ... otherwise).
"""

import os

import numpy as np

from keras_gans.errors import UserError


def read_sources(path, shape):
    """`(images, names)` from `path` (see the module docstring); names are None unless a folder."""
    from keras_gans.utils.picture_tiles import read_image_folder, read_images

    if not os.path.exists(path):
        raise UserError(f"--in {path!r} does not exist: give a .png, a folder of pictures or a .npy array")
    try:
        if os.path.isdir(path):
            return read_image_folder(path, shape)
        return read_images(path, shape, resize=False), None
    except ValueError as e:
        raise UserError(str(e)) from None


def write_outputs(path, outputs, names=None):
    """Writes float outputs in [-1, 1] to `path` (see the module docstring)."""
    from keras_gans.utils.images import image_grid, save_picture, to_uint8

    if path.endswith((".npy", ".png")):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        if path.endswith(".npy"):
            np.save(path, to_uint8(outputs))
        else:
            save_picture(path, to_uint8(outputs[0]) if len(outputs) == 1 else image_grid(outputs))
    elif os.path.splitext(path)[1]:
        raise UserError(f"--out must be a .png, a .npy or a folder (a path without a suffix), got {path!r}")
    else:
        os.makedirs(path, exist_ok=True)
        names = names or [f"{i:04d}.png" for i in range(len(outputs))]
        for name, image in zip(names, to_uint8(outputs)):
            save_picture(os.path.join(path, os.path.splitext(name)[0] + ".png"), image)


def translate_files(model, in_path, out_path, direction=None, domain=None):
    """Translates the images of `in_path` with `model` (in `direction`, for models that translate
    both ways; into `domain`, a name, for multi-domain models) into `out_path`; returns how many."""
    if not getattr(model, "translates", False):
        raise UserError(f"{type(model).__name__} draws samples rather than translating images: use keras-gans sample")
    if direction is not None and len(model.directions) < 2:
        raise UserError(f"{type(model).__name__} translates one way only: leave out --direction")
    domains = getattr(model, "domains", None)
    if domains is None and domain is not None:
        raise UserError(f"{type(model).__name__} has no domains to choose from: leave out --domain")
    if domains is not None and domain not in domains:
        raise UserError(f"--domain must be one of {', '.join(domains)}" + (f", got {domain!r}" if domain else ""))
    try:
        shape = model.input_shape_of(direction)
    except ValueError as e:
        raise UserError(str(e)) from None
    sources, names = read_sources(in_path, shape)
    try:
        outputs = model.translate(sources, direction=direction, **({} if domains is None else {"domain": domain}))
    except ValueError as e:
        raise UserError(str(e)) from None
    write_outputs(out_path, outputs, names)
    return len(outputs)
