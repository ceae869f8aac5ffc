"""Tests of keras_gans.data: bundled MNIST, Gaussian mixtures, and the tf.data input pipelines."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_gans import data
from keras_gans.data import mnist as mnist_module

MNIST_CLASS_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

# A 2-D isotropic Gaussian puts 1 - exp(-3**2 / 2) = 98.89% of its mass within 3 sigma (radially),
# so even true samples score just under 99% "high quality".
WITHIN_3_SIGMA = 1 - np.exp(-4.5)


def first(dataset):
    """The first element of a dataset, as NumPy."""
    return tf.nest.map_structure(lambda t: t.numpy(), next(iter(dataset)))


def fraction_near_a_center(points, centers, sigma):
    distances = np.linalg.norm(points[:, None, :] - centers[None, :, :], axis=-1)
    return np.mean(distances.min(axis=1) <= 3 * sigma), np.unique(distances.argmin(axis=1))


def assert_images(images, shape):
    assert images.dtype == np.float32
    assert images.shape == shape
    assert images.min() >= -1.0 and images.max() <= 1.0


# --- Bundled MNIST -------------------------------------------------------------------------------


def test_load_mnist_shapes_and_dtypes():
    images, labels = data.load_mnist()
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    # Digits are mostly background: white ink on black, not inverted or noise.
    assert 20 < images.mean() < 50


def test_load_mnist_class_counts():
    _, labels = data.load_mnist()
    assert np.bincount(labels).tolist() == MNIST_CLASS_COUNTS


def _idx(magic, shape, payload_size=None):
    header = np.array([magic, *shape], dtype=">i4").tobytes()
    size = int(np.prod(shape)) if payload_size is None else payload_size
    return header + bytes(size)


def test_parse_idx_reads_a_valid_file():
    array = mnist_module._parse_idx(_idx(2051, (2, 3, 4)), "x", 2051, ndim=3)
    assert array.shape == (2, 3, 4) and array.dtype == np.uint8


@pytest.mark.parametrize(
    "payload, problem",
    [
        (_idx(2049, (2, 3, 4)), "magic number 2049, expected 2051"),
        (_idx(2051, (2, 3, 4), payload_size=23), "23 bytes follow"),
        (_idx(2051, (2, 3, 4), payload_size=25), "25 bytes follow"),
        (b"\x00\x00\x08", "shorter than the 16-byte header"),
    ],
)
def test_parse_idx_rejects_corrupt_files(payload, problem):
    with pytest.raises(ValueError, match="not a valid MNIST IDX file") as info:
        mnist_module._parse_idx(payload, "t10k-images-idx3-ubyte.gz", 2051, ndim=3)
    assert problem in str(info.value)
    assert "Reinstall keras-gans" in str(info.value)


# --- Gaussian mixtures ---------------------------------------------------------------------------


def test_ring_centers():
    centers = data.ring_centers()
    assert centers.shape == (8, 2) and centers.dtype == np.float32
    np.testing.assert_allclose(centers[0], [1.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(centers[2], [0.0, 1.0], atol=1e-7)
    np.testing.assert_allclose(centers[4], [-1.0, 0.0], atol=1e-7)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 1.0, rtol=1e-6)
    angles = np.mod(np.arctan2(centers[:, 1], centers[:, 0]), 2 * np.pi)
    # endpoint=False: 8 distinct angles, 45 degrees apart, none repeating the first.
    np.testing.assert_allclose(np.sort(angles), np.arange(8) * np.pi / 4, atol=1e-6)
    assert data.RING_SIGMA == 0.01


def test_grid_centers():
    centers = data.grid_centers()
    assert centers.shape == (25, 2) and centers.dtype == np.float32
    as_set = {tuple(c) for c in centers.tolist()}
    assert len(as_set) == 25
    assert {(-4.0, -4.0), (-4.0, 4.0), (4.0, -4.0), (4.0, 4.0), (0.0, 0.0)} <= as_set
    assert sorted(set(centers.ravel().tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert data.GRID_SIGMA == 0.05


def test_get_mixture():
    ring = data.get_mixture("ring")
    assert ring.name == "ring" and ring.sigma == data.RING_SIGMA and ring.num_modes == 8
    np.testing.assert_array_equal(ring.centers, data.ring_centers())
    assert data.get_mixture("grid").num_modes == 25
    assert data.get_mixture(ring) is ring
    with pytest.raises(ValueError):  # The registry's centres are read-only.
        ring.centers[0, 0] = 5.0


def test_get_mixture_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown mixture 'spiral'.*\['grid', 'ring'\]"):
        data.get_mixture("spiral")


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_sample_mixture_lands_on_every_mode(name):
    mixture = data.get_mixture(name)
    points = data.sample_mixture(name, 5000, seed=3)
    assert points.shape == (5000, 2) and points.dtype == np.float32
    near, modes = fraction_near_a_center(points, mixture.centers, mixture.sigma)
    assert near > 0.98
    assert abs(near - WITHIN_3_SIGMA) < 0.006  # The right sigma: ~4 standard errors.
    assert len(modes) == mixture.num_modes
    # Noisy, not collapsed onto the centres.
    distances = np.linalg.norm(points[:, None] - mixture.centers[None], axis=-1)
    assert distances.min(axis=1).mean() > 0.5 * mixture.sigma


def test_sample_mixture_is_deterministic_given_seed():
    points = data.sample_mixture("ring", 100, seed=7)
    np.testing.assert_array_equal(data.sample_mixture("ring", 100, seed=7), points)
    assert not np.array_equal(data.sample_mixture("ring", 100, seed=8), points)


# --- Pipelines -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ring", "grid"])
def test_mixture_dataset(name):
    mixture = data.get_mixture(name)
    dataset = data.mixture_dataset(name, 1000, seed=1, with_labels=True)
    (a, a_modes), (b, _) = [tf.nest.map_structure(np.asarray, e) for e in dataset.take(2)]
    assert a.shape == (1000, 2) and a.dtype == np.float32 and a_modes.dtype == np.int32
    assert not np.array_equal(a, b)  # Fresh samples every batch.
    points = np.concatenate([a, b])
    near, modes = fraction_near_a_center(points, mixture.centers, mixture.sigma)
    assert near > 0.98
    assert abs(near - WITHIN_3_SIGMA) < 0.01  # The right sigma: ~4 standard errors.
    assert len(modes) == mixture.num_modes
    # The labels are the modes the points were drawn from.
    np.testing.assert_allclose(a, mixture.centers[a_modes], atol=6 * mixture.sigma)
    # Deterministic given the seed, different across seeds.
    np.testing.assert_array_equal(first(data.mixture_dataset(name, 1000, seed=1)), a)
    assert not np.array_equal(first(data.mixture_dataset(name, 1000, seed=2)), a)


def test_mnist_dataset_default():
    dataset = data.mnist_dataset(32)
    assert dataset.element_spec.shape == (32, 28, 28, 1)  # Static batch size (drop_remainder).
    images = first(dataset)
    assert_images(images, (32, 28, 28, 1))
    assert images.min() == -1.0 and images.max() == 1.0  # Full [-1, 1] range, not [0, 1].


def test_mnist_dataset_with_labels_is_shuffled_and_deterministic():
    images, labels = first(data.mnist_dataset(64, with_labels=True, seed=5))
    assert labels.dtype == np.int32 and labels.shape == (64,)
    assert set(labels.tolist()) <= set(range(10)) and len(set(labels.tolist())) >= 5
    _, raw_labels = data.load_mnist()
    assert labels.tolist() != raw_labels[:64].tolist()  # Shuffled.
    again, _ = first(data.mnist_dataset(64, with_labels=True, seed=5))
    np.testing.assert_array_equal(images, again)
    other, _ = first(data.mnist_dataset(64, with_labels=True, seed=6))
    assert not np.array_equal(images, other)


def test_mnist_dataset_resized_to_rgb():
    images = first(data.mnist_dataset(8, image_size=32, channels=3))
    assert_images(images, (8, 32, 32, 3))
    np.testing.assert_array_equal(images[..., 0], images[..., 2])  # Gray repeated to RGB.
    assert images.max() > 0.9


def test_mnist_dataset_rejects_bad_format():
    with pytest.raises(ValueError, match="channels must be 1 .* or 3"):
        data.mnist_dataset(8, channels=4)
    with pytest.raises(ValueError, match="image_size must be a positive int"):
        data.mnist_dataset(8, image_size=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int"):
        data.mnist_dataset(0)


def test_to_model_images_center_crops_and_scales():
    image = np.zeros((4, 8, 1), np.uint8)
    image[:, 2:6] = 255  # The centre square is white, the side strips black.
    out = data.to_model_images(image, 4, 3).numpy()
    assert out.shape == (4, 4, 3)
    np.testing.assert_array_equal(out, 1.0)
    out = data.to_model_images(np.zeros((2, 6, 6, 4), np.uint8), 3, 1).numpy()  # RGBA batch.
    assert out.shape == (2, 3, 3, 1)
    np.testing.assert_array_equal(out, -1.0)


# --- TFDS (mocked: never downloads) --------------------------------------------------------------


def mock_tfds():
    import tensorflow_datasets as tfds

    return tfds.testing.mock_data(num_examples=20, policy=tfds.testing.MockPolicy.USE_CODE)


def test_tfds_dataset_mnist_to_rgb():
    with mock_tfds():
        images, labels = first(data.tfds_dataset("mnist", 8, 32, 3, with_labels=True))
    assert_images(images, (8, 32, 32, 3))
    np.testing.assert_array_equal(images[..., 0], images[..., 1])
    assert labels.dtype == np.int32 and labels.shape == (8,)
    assert set(labels.tolist()) <= set(range(10))


def test_tfds_dataset_cifar10_native_and_grayscale():
    with mock_tfds():
        native = first(data.tfds_dataset("cifar10", 4))
        gray = first(data.tfds_dataset("cifar10", 4, image_size=28, channels=1, split="test"))
    assert_images(native, (4, 32, 32, 3))
    assert native.std() > 0.1  # Mock images are random noise, not constant.
    assert_images(gray, (4, 28, 28, 1))


def test_make_dataset_tfds():
    with mock_tfds():
        config = {"tfds": "cifar10", "split": "train"}
        images, labels = first(data.make_dataset(config, 6, (16, 16, 3), with_labels=True))
    assert_images(images, (6, 16, 16, 3))
    assert labels.shape == (6,)


def test_tfds_dataset_unknown_name():
    with pytest.raises(ValueError, match="Unknown TFDS dataset 'no_such_dataset'.*list_builders"):
        data.tfds_dataset("no_such_dataset", 4, 28, 1)


# --- Image folders -------------------------------------------------------------------------------


@pytest.fixture
def image_folder(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 30), np.uint8), "L").save(tmp_path / "gray.png")
    Image.fromarray(rng.integers(0, 256, (20, 20, 3), np.uint8), "RGB").save(tmp_path / "rgb.PNG")
    Image.fromarray(rng.integers(0, 256, (8, 8, 4), np.uint8), "RGBA").save(tmp_path / "d.png")
    sub = tmp_path / "sub"
    sub.mkdir()
    Image.fromarray(rng.integers(0, 256, (50, 70, 3), np.uint8), "RGB").save(sub / "a.jpg")
    Image.fromarray(rng.integers(0, 256, (9, 9, 3), np.uint8), "RGB").save(sub / "b.bmp")
    Image.fromarray(rng.integers(0, 256, (12, 16), np.uint8), "L").save(sub / "c.gif")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_list_image_files_is_recursive_and_case_insensitive(image_folder):
    from keras_gans.data.datasets import list_image_files

    names = sorted(p.split("/")[-1] for p in list_image_files(image_folder))
    assert names == ["a.jpg", "b.bmp", "c.gif", "d.png", "gray.png", "rgb.PNG"]


@pytest.mark.parametrize("channels", [1, 3])
def test_folder_dataset(image_folder, channels):
    images = first(data.folder_dataset(image_folder, 6, 16, channels))  # all 6 files
    assert_images(images, (6, 16, 16, channels))
    assert images.std() > 0.1


def test_make_dataset_folder(image_folder):
    images = first(data.make_dataset({"folder": str(image_folder)}, 4, (24, 24, 3)))
    assert_images(images, (4, 24, 24, 3))


def test_folder_is_checked_before_training(image_folder):
    with pytest.raises(ValueError, match=r"batch_size 7 is larger than the data \(6 images in .*use a batch of at most 6"):
        data.folder_dataset(image_folder, 7, 16, 1)
    good = (image_folder / "gray.png").read_bytes()
    for name, content in (("fake.png", b"not an image at all"), ("empty.jpg", b""),
                          ("truncated.png", good[: len(good) // 2])):
        (image_folder / name).write_bytes(content)
        with pytest.raises(ValueError, match=rf"{name}' is not a readable image .*remove or replace it"):
            data.folder_dataset(image_folder, 4, 16, 1)
        (image_folder / name).unlink()


def test_mnist_batch_larger_than_the_digits():
    with pytest.raises(ValueError, match=r"batch_size 20000 is larger than the data \(10000 MNIST digits\)"):
        data.mnist_dataset(20000)
    with pytest.raises(ValueError, match=r"\(1028 MNIST digits of classes \[7\]\): use a batch of at most 1028"):
        data.mnist_dataset(2000, classes=[7])


def test_mnist_digits_keeps_a_fixed_subset():
    first = np.concatenate([b.numpy() for b in data.make_dataset({"name": "mnist", "digits": 50}, 50, seed=1).take(2)])
    other = np.concatenate([b.numpy() for b in data.make_dataset({"name": "mnist", "digits": 50}, 50, seed=2).take(1)])
    assert len({x.tobytes() for x in first}) == 50  # 50 digits, repeated in the second epoch
    assert {x.tobytes() for x in other} == {x.tobytes() for x in first}  # the same 50 whatever the shuffling seed
    with pytest.raises(ValueError, match=r"data.digits must be an integer in \[1, 10000\], got 0"):
        data.mnist_dataset(8, digits=0)


def test_folder_dataset_missing_folder(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ValueError, match="does not exist") as info:
        data.folder_dataset(missing, 4, 28, 1)
    assert str(missing) in str(info.value) and ".png" in str(info.value)


def test_folder_dataset_without_images(tmp_path):
    (tmp_path / "readme.txt").write_text("no images here")
    with pytest.raises(ValueError, match="holds no images") as info:
        data.folder_dataset(tmp_path, 4, 28, 1)
    assert str(tmp_path) in str(info.value)
    for extension in (".png", ".jpg", ".jpeg", ".bmp", ".gif"):
        assert extension in str(info.value)


def test_make_dataset_folder_needs_shape_and_has_no_labels(image_folder):
    with pytest.raises(ValueError, match="pass image_shape"):
        data.make_dataset({"folder": str(image_folder)}, 4)
    with pytest.raises(ValueError, match="has no labels.*with_labels=False"):
        data.make_dataset({"folder": str(image_folder)}, 4, (28, 28, 1), with_labels=True)


# --- make_dataset, data_kind, mixture_for -------------------------------------------------------


@pytest.mark.parametrize("config", ["mnist", {"name": "mnist"}])
def test_make_dataset_mnist(config):
    images = first(data.make_dataset(config, 4))
    assert_images(images, (4, 28, 28, 1))
    images, labels = first(data.make_dataset(config, 4, (32, 32, 3), with_labels=True))
    assert_images(images, (4, 32, 32, 3))
    assert labels.dtype == np.int32


@pytest.mark.parametrize("config", ["ring", {"name": "grid"}])
@pytest.mark.parametrize("image_shape", [None, (2,), [2]])
def test_make_dataset_points(config, image_shape):
    points = first(data.make_dataset(config, 16, image_shape))
    assert points.shape == (16, 2) and points.dtype == np.float32


def test_data_kind_and_mixture_for():
    assert data.data_kind("ring") == "points"
    assert data.data_kind({"name": "grid"}) == "points"
    assert data.data_kind("mnist") == "images"
    assert data.data_kind({"tfds": "cifar10"}) == "images"
    assert data.data_kind({"folder": "x"}) == "images"
    assert data.mixture_for({"name": "ring"}) is data.get_mixture("ring")
    assert data.mixture_for("grid").num_modes == 25
    assert data.mixture_for("mnist") is None
    assert data.mixture_for({"tfds": "ring"}) is None  # A TFDS name, not our mixture.


def test_make_dataset_points_with_image_generator():
    with pytest.raises(ValueError) as info:
        data.make_dataset({"name": "ring"}, 4, (28, 28, 1))
    message = str(info.value)
    assert message.startswith(
        "dataset 'ring' yields points of shape (2,) but the generator outputs (28, 28, 1): "
    )
    assert "output shape is (2,)" in message


@pytest.mark.parametrize(
    "image_shape, match",
    [
        ((2,), r"dataset 'mnist' yields images but the generator outputs \(2,\).*'ring'"),
        ((28, 32, 1), r"square images .* \(28, 32, 1\).*height == width"),
        ((28, 28, 4), r"1 \(grayscale\) or 3 \(RGB\) channels .* \(28, 28, 4\)"),
        ((28, 28), r"yields images but the generator outputs \(28, 28\)"),
    ],
)
def test_make_dataset_image_shape_mismatch(image_shape, match):
    with pytest.raises(ValueError, match=match):
        data.make_dataset("mnist", 4, image_shape)


@pytest.mark.parametrize(
    "config, match",
    [
        (
            "cifar10",
            r"Unknown dataset name 'cifar10'\. Valid names: \['mnist', 'stacked_mnist', 'ring', 'grid'\]"
            r".*\{'tfds': 'cifar10'\}",
        ),
        (
            {"name": "mnist", "split": "test"},
            r"Unknown key\(s\) \['split'\].*valid keys are \['name', 'classes', 'digits', 'labels', 'image_size', 'channels'\]",
        ),
        (
            {"tfds": "mnist", "spilt": "test"},
            r"Unknown key\(s\) \['spilt'\].*\['tfds', 'split', 'data_dir', 'download', 'labels', 'image_size', 'channels'\]",
        ),
        ({"name": "mnist", "tfds": "mnist"}, r"exactly one of \['name', 'tfds', 'folder', 'translation'\]"),
        ({}, r"exactly one of"),
        ({"name": "ring", "image_size": 28}, r"2-D points data: image_size, channels, classes and digits do not apply"),
        (42, r"must be a name or a dict"),
    ],
)
def test_make_dataset_bad_config(config, match):
    with pytest.raises(ValueError, match=match):
        data.make_dataset(config, 4)
    with pytest.raises(ValueError, match=match):
        data.data_kind(config)


# --- tf.data options ------------------------------------------------------------------------------


def test_every_pipeline_runs_without_the_autotune_model(image_folder):
    """The autotuning model's thread delays iterator deletion (each `fit` ends up to 2x late)."""
    with mock_tfds():
        pipelines = [
            data.mixture_dataset("ring", 4),
            data.mnist_dataset(4),
            data.folder_dataset(image_folder, 4, 16, 1),
            data.tfds_dataset("mnist", 4, 28, 1),
        ]
    for dataset in pipelines:
        assert dataset.options().autotune.enabled is False
        assert first(dataset).shape[0] == 4
    assert tf.data.Dataset.range(3).options().autotune.enabled is not False  # TF's default is on.
