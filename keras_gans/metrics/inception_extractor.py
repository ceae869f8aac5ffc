"""`InceptionV3FeatureExtractor`: ImageNet InceptionV3 pool3 features (and its class
probabilities) from a weights file *you* provide; keras-gans never downloads anything."""

import os

from keras_gans.errors import UserError
from keras_gans.metrics.extractors import FeatureExtractor, as_image_batch, model_inputs

#: The Keras ImageNet weights of InceptionV3 (the files `keras.applications` downloads).
INCEPTION_NOTOP_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
INCEPTION_FULL_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
INCEPTION_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
INCEPTION_IMAGE_SIZE = 299


def _keras_cache_candidates():
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return [os.path.join(home, "models", name) for name in (INCEPTION_NOTOP_FILE, INCEPTION_FULL_FILE)]


def _missing_weights_message(problem):
    return (
        f"{problem}: Inception features need the Keras ImageNet weights of InceptionV3, which "
        f"keras-gans never downloads. Fetch {INCEPTION_URL}{INCEPTION_NOTOP_FILE} (features: FID, "
        f"KID, precision/recall) or {INCEPTION_FULL_FILE} (features and the Inception Score) on a "
        "machine with internet and pass its path (weights_path=... / --weights PATH)"
    )


def find_inception_weights(weights_path=None):
    """The weights file to use: `weights_path`, else a copy in the Keras cache, else a `UserError`.

    The Keras cache is `$KERAS_HOME/models` (default `~/.keras/models`), where
    `keras.applications.InceptionV3(weights="imagenet")` leaves the files it downloads; the
    no-top file is preferred there.
    """
    if weights_path is not None:
        path = os.path.expanduser(os.fspath(weights_path))
        if not os.path.isfile(path):
            raise UserError(_missing_weights_message(f"no InceptionV3 weights file at {path!r}"))
        return path
    for candidate in _keras_cache_candidates():
        if os.path.isfile(candidate):
            return candidate
    raise UserError(_missing_weights_message("no InceptionV3 weights given (nor in the Keras cache)"))


def _weights_have_top(path):
    """Whether an `.h5` weights file holds the 1000-class "predictions" layer."""
    import h5py

    found = []

    def visit(name):
        if "predictions" in name.split("/"):
            found.append(name)
            return True
        return None

    try:
        with h5py.File(path, "r") as f:
            names = f.attrs.get("layer_names")
            if names is not None and any(
                (n.decode() if isinstance(n, bytes) else str(n)) == "predictions" for n in names
            ):
                return True
            f.visit(visit)
    except OSError as e:
        raise UserError(
            _missing_weights_message(f"{path!r} is not a readable HDF5 weights file ({e})")
        ) from None
    return bool(found)


def inception_preprocess(images):
    """The exact InceptionV3 input of `(b, H, W, C)` float32 images in [-1, 1]: `(b, 299, 299, 3)`.

    1. grayscale (1 channel) is repeated to 3 channels (`tf.image.grayscale_to_rgb`);
    2. images not already 299 x 299 are resized with `tf.image.resize(..., (299, 299),
       "bilinear", antialias=True)` (antialiasing only changes downsampling);
    3. no rescaling: Keras' `inception_v3.preprocess_input` maps [0, 255] to [-1, 1]
       (`x / 127.5 - 1`), and the images already are in [-1, 1].
    """
    import tensorflow as tf

    images = tf.convert_to_tensor(images, "float32")
    if images.shape[-1] == 1:
        images = tf.image.grayscale_to_rgb(images)
    size = (INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE)
    if tuple(images.shape[1:3]) != size:
        images = tf.image.resize(images, size, "bilinear", antialias=True)
    return images


class InceptionV3FeatureExtractor(FeatureExtractor):
    """2048-d InceptionV3 pool features (and ImageNet probabilities) from a local weights file.

    Builds `keras.applications.InceptionV3(weights=None, input_shape=(299, 299, 3))` and loads
    `weights_path` with `model.load_weights`:

    - the no-top file `inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5` (87 MB) gives
      `include_top=False, pooling="avg"`: features only (FID, KID, precision / recall, density /
      coverage); the Inception Score then needs the full file or the "mnist" extractor;
    - the full file `inception_v3_weights_tf_dim_ordering_tf_kernels.h5` (92 MB) gives
      `include_top=True`: features from its "avg_pool" layer (the same 2048 values) and the
      1000-way softmax "predictions" for the Inception Score.

    Both are at https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/ (the
    files `keras.applications.InceptionV3(weights="imagenet")` downloads into
    `~/.keras/models/`, where this class also looks when `weights_path` is None). A
    Keras 3 `.weights.h5` file saved from the same architecture works too.

    Preprocessing is `inception_preprocess`: grayscale repeated to 3 channels, bilinear resize
    to 299 x 299, values kept in [-1, 1]. Batches of 32 images.

    Args:
        weights_path: the weights file (see above); None searches the Keras cache.
        include_top: build the classifier head; None decides from the file's contents.
    """

    name = "inception"
    batch_size = 32

    def __init__(self, weights_path=None, include_top=None):
        super().__init__()
        import keras

        path = find_inception_weights(weights_path)
        if include_top is None:
            include_top = _weights_have_top(path)
        shape = (INCEPTION_IMAGE_SIZE, INCEPTION_IMAGE_SIZE, 3)
        if include_top:
            network = keras.applications.InceptionV3(include_top=True, weights=None, input_shape=shape)
        else:
            network = keras.applications.InceptionV3(
                include_top=False, weights=None, input_shape=shape, pooling="avg"
            )
        try:
            network.load_weights(path)
        except Exception as e:  # wrong file, wrong architecture
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise UserError(
                _missing_weights_message(
                    f"cannot load {path!r} into InceptionV3 (include_top={include_top}; "
                    f"{type(e).__name__}: {reason[:200]})"
                )
            ) from None
        if include_top:
            pool = network.get_layer("avg_pool").output
            self.model = keras.Model(model_inputs(network), [pool, network.outputs[0]])
            self.num_classes = int(network.outputs[0].shape[-1])
        else:
            self.model = keras.Model(model_inputs(network), [network.outputs[0]])
        self.weights_path = path
        self.feature_dim = int(self.model.outputs[0].shape[-1])
        self.cache_key = ("inception", os.path.abspath(path), os.path.getmtime(path), bool(include_top))

    def check_images(self, images):
        images = as_image_batch(images)
        channels = images.shape[-1]
        if channels not in (1, 3):
            raise ValueError(
                f"the Inception extractor takes grayscale (1 channel) or RGB (3 channels) images, "
                f"got {channels} channels (shape {images.shape})."
            )
        return images

    def preprocess(self, images):
        return inception_preprocess(images)
