"""Sample pictures: image grids (shape math, uint8 scaling), PNG writing, 2-D scatter plots."""

import numpy as np
import pytest
from PIL import Image

from keras_gans.utils.images import image_grid, save_image_grid, save_scatter, to_uint8


def test_to_uint8_maps_tanh_range_to_bytes():
    out = to_uint8(np.array([-1.0, 0.0, 1.0, -3.0, 3.0]))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [0, 128, 255, 0, 255])


@pytest.mark.parametrize(
    "n, columns, expected_rows, expected_cols",
    [(5, None, 2, 3), (9, None, 3, 3), (1, None, 1, 1), (5, 2, 3, 2), (4, 4, 1, 4), (10, None, 3, 4)],
)
def test_image_grid_shape(n, columns, expected_rows, expected_cols):
    h, w, c, pad = 3, 4, 1, 2
    grid = image_grid(np.zeros((n, h, w, c), "float32"), columns=columns)
    assert grid.dtype == np.uint8
    assert grid.shape == (expected_rows * (h + pad) + pad, expected_cols * (w + pad) + pad, c)


def test_image_grid_places_and_scales_images():
    h, w, pad = 3, 4, 2
    images = np.stack([np.full((h, w, 3), v, "float32") for v in (-1.0, 1.0, 0.0)])
    grid = image_grid(images, columns=2, padding=pad)
    assert grid.shape == (2 * (h + pad) + pad, 2 * (w + pad) + pad, 3)
    # image 0 at row 0 col 0, image 1 at row 0 col 1, image 2 at row 1 col 0
    np.testing.assert_array_equal(grid[pad : pad + h, pad : pad + w], 0)
    x1 = pad + (w + pad)
    np.testing.assert_array_equal(grid[pad : pad + h, x1 : x1 + w], 255)
    y2 = pad + (h + pad)
    np.testing.assert_array_equal(grid[y2 : y2 + h, pad : pad + w], 128)
    # the empty 4th cell and the padding are black
    np.testing.assert_array_equal(grid[y2 : y2 + h, x1 : x1 + w], 0)
    np.testing.assert_array_equal(grid[:pad], 0)
    # exactly the white image's pixels are 255
    assert int((grid == 255).sum()) == h * w * 3


def test_image_grid_rejects_wrong_rank():
    with pytest.raises(ValueError, match="N, H, W, C"):
        image_grid(np.zeros((4, 8, 8), "float32"))


@pytest.mark.parametrize("channels, mode", [(1, "L"), (3, "RGB")])
def test_save_image_grid_writes_png(tmp_path, channels, mode):
    images = np.full((4, 8, 8, channels), 1.0, "float32")
    images[0] = -1.0
    path = tmp_path / "grid.png"
    assert save_image_grid(str(path), images) == str(path)
    grid = image_grid(images)  # (2*10+2, 2*10+2)
    with Image.open(path) as picture:
        assert picture.format == "PNG"
        assert picture.mode == mode
        factor = -(-512 // grid.shape[1])  # the smallest whole factor reaching 512 pixels
        assert factor > 1  # small grids are scaled up
        assert picture.size == (grid.shape[1] * factor, grid.shape[0] * factor)
        pixels = np.asarray(picture)
    small = pixels[::factor, ::factor]
    np.testing.assert_array_equal(small.reshape(grid.shape[0], grid.shape[1], -1), grid)


def _pixel(center, centers, size=512, margin=0.15):
    """Where save_scatter draws the 2-D point `center` (mirrors its scaling, ref = centers)."""
    ref = np.asarray(centers, "float64")
    low, high = ref.min(axis=0), ref.max(axis=0)
    span = float(max(high - low)) or 1.0
    mid = (low + high) / 2.0
    half = span * (0.5 + margin)
    u = (np.asarray(center, "float64") - (mid - half)) / (2 * half)
    return int(round(u[0] * (size - 1))), int(round((1.0 - u[1]) * (size - 1)))


def _near(pixels, xy, predicate, radius=1):
    x, y = xy
    patch = pixels[y - radius : y + radius + 1, x - radius : x + radius + 1].reshape(-1, 3).astype(int)
    return any(predicate(p) for p in patch)


def _reddish(p):
    return p[0] > 150 and p[1] < 100 and p[2] < 100


def _blueish(p):
    return p[2] > 140 and p[2] > p[0] + 80


def test_save_scatter_draws_centres_red_and_samples_blue(tmp_path):
    centers = np.array([[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]])
    points = np.array([[0.4, -0.3], [-0.2, 0.5]])
    path = tmp_path / "scatter.png"
    save_scatter(str(path), points, centers, title="epoch 1")
    with Image.open(path) as picture:
        assert picture.mode == "RGB" and picture.size == (512, 512)
        pixels = np.asarray(picture)
    for c in centers:
        assert _near(pixels, _pixel(c, centers), _reddish), c
    for p in points:
        assert _near(pixels, _pixel(p, centers), _blueish), p
        assert not _near(pixels, _pixel(p, centers), _reddish)
    # the origin is neither a centre nor a sample: white
    x, y = _pixel([0.0, 0.0], centers)
    np.testing.assert_array_equal(pixels[y, x], [255, 255, 255])
    # nothing red where there is no centre
    x, y = _pixel([0.4, -0.3], centers)
    assert not _reddish(pixels[y, x].astype(int))


def test_save_scatter_without_centres_scales_to_points(tmp_path):
    points = np.array([[10.0, 10.0], [12.0, 14.0], [11.0, 12.0]])
    path = tmp_path / "scatter.png"
    save_scatter(str(path), points)
    pixels = np.asarray(Image.open(path))
    for p in points:
        assert _near(pixels, _pixel(p, points), _blueish), p
    assert not (
        (pixels[..., 0] > 150) & (pixels[..., 1] < 100) & (pixels[..., 2] < 100)
    ).any(), "no centres were given, so nothing should be red"
