"""Image-to-image translation data made from the bundled MNIST digits (no download).

Each task maps a digit to a (source, target) pair of uint8 images; the transforms are plain
NumPy on uint8 digits (N, 28, 28, 1), 0 the background and 255 the ink:

- `edges2digits` (paired, Pix2Pix): source = the digit's outline, the pixels just outside its
  strokes (a 3x3 dilation of the ink mask `x >= 128`, minus the mask), 255 on 0; target = the digit.
- `mnist-inverted` (unpaired, CycleGAN / CoGAN): domain A = digits, domain B = `255 - digit`.
  For training the two domains come from disjoint halves of the training digits, so no digit
  is seen on both sides; `translation_pair` gives both sides of the same digits (for scoring).
- `x4` (paired, SRGAN): source = 7x7, the mean of each 4x4 block (4x area down-sampling),
  rounded; target = the 28x28 digit.
- StarGAN's digit styles (`STYLES`): `original`, `thick` (3x3 grey dilation: the maximum of each
  pixel's neighbourhood), `thin` (2x2 grey erosion: the minimum of each 2x2 block around the
  pixel) and `inverted`. The task `styles` (StarGAN) yields `(images, domains)`: each digit in
  one style only, the style's index in `STYLES` its domain (a fixed balanced assignment, NumPy
  seed 1), so no digit is seen in two domains.

The bundled 10,000 digits are split once, by a fixed permutation (NumPy seed 0): the first
9,000 train (`split="train"`), the last 1,000 are held out (`split="test"`) to score models on
digits they never saw.
"""

import numpy as np

#: Paired tasks (the same digit on both sides) and unpaired ones (independent domains).
PAIRED_TASKS = ("edges2digits", "x4")
UNPAIRED_TASKS = ("mnist-inverted",)
#: StarGAN's domains: one style of the same digits each.
STYLES = ("original", "thick", "thin", "inverted")
#: The multi-domain task: `(images, domains)` of the digits in the `STYLES`.
STYLES_TASK = "styles"
TASKS = PAIRED_TASKS + UNPAIRED_TASKS + (STYLES_TASK,)
SPLITS = ("train", "test")
#: Digits held out of training (the last of the fixed permutation).
HELD_OUT = 1000
#: The down-sampling factor of the `x4` task (per side).
X4_FACTOR = 4


def _check_digits(digits):
    digits = np.asarray(digits)
    if digits.dtype != np.uint8 or digits.ndim != 4 or digits.shape[-1] != 1:
        raise ValueError(f"digits must be uint8 of shape (N, H, W, 1), got {digits.dtype} {digits.shape}")
    return digits


def _neighbourhood(digits, size, reduce):
    """`reduce` (np.max / np.min) over each pixel's `size` x `size` window (edge-padded;
    windows of even size reach one pixel further down and right)."""
    before, after = (size - 1) // 2, size // 2
    padded = np.pad(digits, ((0, 0), (before, after), (before, after), (0, 0)), mode="edge")
    height, width = digits.shape[1:3]
    windows = [padded[:, i:i + height, j:j + width] for i in range(size) for j in range(size)]
    return reduce(np.stack(windows), axis=0)


def outline(digits):
    """The 1-pixel outline around the strokes: 255 where a 3x3 neighbour is ink (`>= 128`) but
    the pixel is not, else 0."""
    ink = _check_digits(digits) >= 128
    return np.where(_neighbourhood(ink, 3, np.max) & ~ink, 255, 0).astype("uint8")


def invert(digits):
    """`255 - digits`: white paper, black ink."""
    return 255 - _check_digits(digits)


def downsample(digits, factor=X4_FACTOR):
    """The mean of each `factor` x `factor` block, rounded (area down-sampling)."""
    digits = _check_digits(digits)
    n, height, width, _ = digits.shape
    if height % factor or width % factor:
        raise ValueError(f"the digits' size {height}x{width} is not a multiple of {factor}")
    blocks = digits.reshape(n, height // factor, factor, width // factor, factor, 1).astype("float32")
    return np.round(blocks.mean(axis=(2, 4))).astype("uint8")


def style(digits, name):
    """The digits in StarGAN domain `name` (one of `STYLES`)."""
    digits = _check_digits(digits)
    if name == "original":
        return digits.copy()
    if name == "thick":
        return _neighbourhood(digits, 3, np.max)
    if name == "thin":
        return _neighbourhood(digits, 2, np.min)
    if name == "inverted":
        return invert(digits)
    raise ValueError(f"unknown digit style {name!r}: valid styles are {', '.join(STYLES)}")


def translation_pair(task, digits):
    """`(sources, targets)` uint8 for `task` (see the module docstring) from uint8 `digits`
    (N, 28, 28, 1): made the way training made them. A StarGAN style name gives
    `(digits, digits in that style)`."""
    digits = _check_digits(digits)
    if task == STYLES_TASK:
        raise ValueError(f"{STYLES_TASK!r} has one domain per style rather than pairs: give a style name "
                         f"({', '.join(STYLES)}) for (digits, digits in that style)")
    if task == "edges2digits":
        return outline(digits), digits.copy()
    if task == "mnist-inverted":
        return digits.copy(), invert(digits)
    if task == "x4":
        return downsample(digits), digits.copy()
    if task in STYLES:
        return digits.copy(), style(digits, task)
    raise ValueError(f"unknown translation task {task!r}: valid tasks are {', '.join(TASKS + STYLES)}")


def as_digits(task, side, images):
    """`images` (float in [-1, 1]) of side "a" or "b" of `task` as white-on-black digits, the way
    the MNIST classifier (scores, domain FID) must see them: the inverted domain is negated
    (`255 - x` in [-1, 1] is `-x`); other sides are returned as they are. For the `styles` task
    `side` is a style name."""
    return -images if (task, side) in (("mnist-inverted", "b"), (STYLES_TASK, "inverted")) else images


def split_indices(split):
    """Indices into the bundled digits (`load_mnist()`) of `split` ("train" or "test")."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {split!r}")
    order = np.random.default_rng(0).permutation(10000)
    return np.sort(order[:-HELD_OUT] if split == "train" else order[-HELD_OUT:])


def split_digits(split):
    """`(digits uint8 (N, 28, 28, 1), labels int32)` of `split` of the bundled digits."""
    from keras_gans.data.mnist import load_mnist

    images, labels = load_mnist()
    index = split_indices(split)
    return images[index][..., np.newaxis], labels[index].astype("int32")


def task_shapes(task):
    """`(source shape, target shape)` of one example of `task`."""
    if task not in TASKS:
        raise ValueError(f"unknown translation task {task!r}: valid tasks are {', '.join(TASKS)}")
    size = 28 // X4_FACTOR if task == "x4" else 28
    return (size, size, 1), (28, 28, 1)


def task_examples(task, split="train"):
    """`(sources, targets, labels)` (uint8, uint8, int32) of `split`'s digits for `task`; the
    labels are the source digits' classes.

    For `styles`: `(images, domains, labels)`, each digit in the style of its domain (int32
    indices into `STYLES`, see `style_domains`).

    In the unpaired task's training split the two sides come from disjoint halves of the split's
    digits: the sources are the first half, the targets the second half made into the target
    domain. In every other case both sides are made from the same digits, in the same order."""
    task_shapes(task)
    digits, labels = split_digits(split)
    if task == STYLES_TASK:
        domains = style_domains(len(digits))
        return styled(digits, domains), domains, labels
    sources, targets = translation_pair(task, digits)
    if task in UNPAIRED_TASKS and split == "train":
        half = len(digits) // 2
        sources, targets, labels = sources[:half], targets[half: 2 * half], labels[:half]
    return sources, targets, labels


def style_domains(n):
    """The domain (index into `STYLES`) of each of `n` digits in the `styles` task: as many of
    each (to within one), in a fixed order (NumPy seed 1)."""
    return np.random.default_rng(1).permutation(np.arange(int(n)) % len(STYLES)).astype("int32")


def styled(digits, domains):
    """Each of `digits` in the style `STYLES[domains[i]]`."""
    digits, domains = _check_digits(digits), np.asarray(domains)
    out = np.empty_like(digits)
    for index, name in enumerate(STYLES):
        chosen = domains == index
        if chosen.any():
            out[chosen] = style(digits[chosen], name)
    return out
