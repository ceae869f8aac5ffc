"""Feature extractors: the shipped MNIST classifier, InceptionV3 from a weights file, any Keras model."""

import h5py
import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.data import load_mnist
from keras_gans.errors import UserError
from keras_gans.metrics import frechet_distance
from keras_gans.metrics.inception_extractor import INCEPTION_FULL_FILE
from keras_gans.metrics.inception_extractor import INCEPTION_NOTOP_FILE
from keras_gans.metrics.inception_extractor import InceptionV3FeatureExtractor
from keras_gans.metrics.extractors import KerasModelExtractor
from keras_gans.metrics.extractors import MNISTFeatureExtractor
from keras_gans.metrics.extractor_lookup import get_extractor
from keras_gans.metrics.inception_extractor import inception_preprocess
from keras_gans.metrics.extractors import mnist_classifier_path
from keras_gans.metrics.extractors import mnist_classifier_split


@pytest.fixture(scope="module")
def mnist():
    images, labels = load_mnist()
    return images[..., np.newaxis], labels


@pytest.fixture(scope="module")
def extractor():
    return MNISTFeatureExtractor()


def _scaled(uint8_images):
    return uint8_images.astype("float32") / 127.5 - 1.0


def test_split_is_stratified_disjoint_and_deterministic(mnist):
    _, labels = mnist
    train, held = mnist_classifier_split(labels)
    again_train, again_held = mnist_classifier_split(labels)
    np.testing.assert_array_equal(held, again_held)
    np.testing.assert_array_equal(train, again_train)
    assert len(held) == 2000 and len(train) == 8000
    assert len(np.intersect1d(train, held)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, held])), np.arange(10000))
    for digit in range(10):
        share = np.sum(labels[held] == digit) / np.sum(labels == digit)
        assert share == pytest.approx(0.2, abs=0.003)
    # Not simply the first or last 2,000: both halves of the test set are held out.
    assert 0.4 < np.mean(held < 5000) < 0.6


def test_classifier_is_package_data_and_small():
    path = mnist_classifier_path()
    assert path.replace("\\", "/").endswith("keras_gans/saved_models/mnist-classifier/classifier.keras")
    import os

    assert os.path.getsize(path) < 2 * 1024 * 1024


def test_held_out_accuracy_is_at_least_99_percent(mnist, extractor):
    images, labels = mnist
    _, held = mnist_classifier_split(labels)
    features, probs = extractor.features_and_probabilities(_scaled(images[held]))
    assert features.shape == (len(held), 128) and features.dtype == np.float32
    assert probs.shape == (len(held), 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-4)
    accuracy = np.mean(np.argmax(probs, axis=1) == labels[held])
    assert accuracy >= 0.99, accuracy
    assert extractor.feature_dim == 128 and extractor.num_classes == 10


def test_features_are_the_full_rank_pre_activations_of_the_features_layer(mnist, extractor):
    images, _ = mnist
    batch = _scaled(images[:2000])
    layer = extractor.classifier.get_layer("features")
    hidden = keras.Model(extractor.classifier.inputs[0], layer.input)(batch).numpy()
    kernel, bias = layer.get_weights()
    features = extractor.features(batch)
    np.testing.assert_allclose(features, hidden @ kernel + bias, rtol=1e-4, atol=1e-4)
    assert np.linalg.matrix_rank(np.cov(features, rowvar=False)) == 128
    relu = MNISTFeatureExtractor(pre_activation=False).features(batch)
    np.testing.assert_allclose(relu, np.maximum(hidden @ kernel + bias, 0.0), rtol=1e-4, atol=1e-4)
    assert np.linalg.matrix_rank(np.cov(relu, rowvar=False)) < 128  # Dead ReLU units.


def test_uint8_gray_rgb_and_resized_inputs(mnist, extractor):
    images, labels = mnist
    batch = images[:64]
    reference = extractor.features(_scaled(batch))
    # uint8 is mapped from [0, 255]; (n, 28, 28) gains a channel axis.
    np.testing.assert_allclose(extractor.features(batch), reference, atol=1e-4)
    np.testing.assert_allclose(extractor.features(_scaled(batch)[..., 0]), reference, atol=1e-4)
    # RGB becomes gray by luminance: a gray image repeated to 3 channels barely changes.
    np.testing.assert_allclose(extractor.features(np.repeat(_scaled(batch), 3, axis=-1)), reference, atol=2e-2)
    # Another square size is resized to 28 x 28: 2x upscaled digits are still recognised.
    big = tf.image.resize(_scaled(images[:200]), (56, 56), "bilinear").numpy()
    accuracy = np.mean(np.argmax(extractor.probabilities(big), axis=1) == labels[:200])
    assert accuracy > 0.95, accuracy
    # Batch size does not change the result.
    np.testing.assert_allclose(extractor.features(_scaled(batch), batch_size=7), reference, atol=1e-4)


@pytest.mark.parametrize(
    "images, fragment",
    [
        (np.zeros((2, 28, 28, 2), "float32"), "2 channels"),
        (np.zeros((2, 28, 20, 1), "float32"), "square"),
        (np.full((2, 28, 28, 1), 255.0, "float32"), "[-1, 1]"),
        (np.full((2, 28, 28, 1), np.nan, "float32"), "NaN"),
        (np.zeros((28, 28), "float32"), "shape"),
        (np.zeros((0, 28, 28, 1), "float32"), "non-empty"),
    ],
)
def test_mnist_extractor_rejects_bad_images(extractor, images, fragment):
    with pytest.raises(ValueError) as info:
        extractor.features(images)
    assert fragment in str(info.value)


def test_domain_fid_separates_real_from_bad_samples(mnist, extractor):
    images, _ = mnist
    real_a = extractor.features(images[:600])
    real_b = extractor.features(images[600:1200])
    rng = np.random.default_rng(0)
    noise = extractor.features(rng.uniform(-1, 1, (600, 28, 28, 1)).astype("float32"))
    blurred = tf.image.resize(tf.image.resize(_scaled(images[600:1200]), (7, 7)), (28, 28)).numpy()
    blurry = extractor.features(blurred)
    same = frechet_distance(real_a, real_b)
    assert same < 0.1 * frechet_distance(real_a, blurry)
    assert frechet_distance(real_a, blurry) < frechet_distance(real_a, noise)


def test_keras_model_extractor_uses_the_named_layer():
    inputs = keras.Input((4, 4, 1))
    hidden = keras.layers.Dense(3, activation="relu", name="hidden")(keras.layers.Flatten()(inputs))
    logits = keras.layers.Dense(5, name="logits")(hidden)
    model = keras.Model(inputs, logits)
    images = np.random.default_rng(0).uniform(-1, 1, (6, 4, 4, 1)).astype("float32")

    extractor = KerasModelExtractor(model, layer="hidden", batch_size=4)
    expected_hidden = keras.Model(inputs, hidden)(images).numpy()
    np.testing.assert_allclose(extractor.features(images), expected_hidden, atol=1e-6)
    probs = extractor.probabilities(images)
    np.testing.assert_allclose(probs, tf.nn.softmax(model(images)).numpy(), atol=1e-5)
    assert extractor.feature_dim == 3 and extractor.num_classes == 5

    whole = KerasModelExtractor(model, preprocess=lambda x: x * 0.0)
    np.testing.assert_allclose(whole.features(images), np.repeat(model(images[:1] * 0.0).numpy(), 6, 0), atol=1e-6)

    with pytest.raises(ValueError, match="no layer 'nope'.*hidden"):
        KerasModelExtractor(model, layer="nope")
    with pytest.raises(TypeError, match="keras.Model"):
        KerasModelExtractor(lambda x: x)


def test_get_extractor(extractor, tmp_path, monkeypatch):
    assert isinstance(get_extractor(), MNISTFeatureExtractor)
    assert isinstance(get_extractor("mnist"), MNISTFeatureExtractor)
    assert get_extractor(extractor) is extractor
    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()])
    assert isinstance(get_extractor(model), KerasModelExtractor)
    with pytest.raises(UserError, match="unknown feature extractor 'vgg'.*mnist.*inception"):
        get_extractor("vgg")
    with pytest.raises(UserError, match="only applies to the 'inception'"):
        get_extractor("mnist", weights_path="x.h5")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(UserError, match=INCEPTION_NOTOP_FILE):
        get_extractor("inception")


def test_inception_missing_or_bad_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    with pytest.raises(UserError) as info:
        InceptionV3FeatureExtractor()
    message = str(info.value)
    assert "never downloads" in message and INCEPTION_NOTOP_FILE in message and INCEPTION_FULL_FILE in message
    assert "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/" in message
    assert "\n" not in message
    missing = tmp_path / "nowhere.h5"
    with pytest.raises(UserError, match="no InceptionV3 weights file at .*nowhere.h5"):
        InceptionV3FeatureExtractor(missing)
    junk = tmp_path / "junk.h5"
    junk.write_text("not hdf5")
    with pytest.raises(UserError, match="not a readable HDF5"):
        InceptionV3FeatureExtractor(junk)


def test_inception_preprocess_is_resize_and_gray_to_rgb_without_rescale():
    rng = np.random.default_rng(0)
    gray = rng.uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    out = inception_preprocess(gray).numpy()
    assert out.shape == (2, 299, 299, 3)
    np.testing.assert_array_equal(out[..., 0], out[..., 1])
    np.testing.assert_array_equal(out[..., 0], out[..., 2])
    expected = tf.image.resize(gray, (299, 299), "bilinear", antialias=True).numpy()[..., 0]
    np.testing.assert_allclose(out[..., 0], expected, atol=1e-6)
    assert out.min() >= -1.0 - 1e-5 and out.max() <= 1.0 + 1e-5
    # No rescaling: a [-1, 1] image keeps its values (background -1 stays -1).
    np.testing.assert_allclose(inception_preprocess(-np.ones((1, 32, 32, 1), "float32")).numpy(), -1.0, atol=1e-6)
    rgb = rng.uniform(-1, 1, (1, 299, 299, 3)).astype("float32")
    np.testing.assert_array_equal(inception_preprocess(rgb).numpy(), rgb)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # NumPy 2 notes from the legacy .h5 writer.
def test_inception_features_from_a_weights_file(tmp_path):
    from keras.src.legacy.saving import legacy_h5_format

    # Random weights saved in the legacy .h5 layout of Keras' downloadable no-top file.
    network = keras.applications.InceptionV3(
        include_top=False, weights=None, input_shape=(299, 299, 3), pooling="avg"
    )
    path = tmp_path / INCEPTION_NOTOP_FILE
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, network)

    extractor = get_extractor("inception", weights_path=str(path))
    assert isinstance(extractor, InceptionV3FeatureExtractor)
    assert extractor.feature_dim == 2048 and not extractor.has_probabilities
    images = np.random.default_rng(1).uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    features = extractor.features(images)
    assert features.shape == (2, 2048)
    expected = network(inception_preprocess(images), training=False).numpy()
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-5)
    assert not np.allclose(features[0], features[1])
    with pytest.raises(UserError, match="Inception Score"):
        extractor.probabilities(images)
