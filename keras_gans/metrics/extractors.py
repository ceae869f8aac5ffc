"""Feature extractors for the sample-quality metrics: images -> `(n, d)` features and `(n, classes)` probabilities.

FID, KID, precision / recall and density / coverage compare *features* of real and generated
images; the Inception Score needs *class probabilities*. An extractor provides both:

- `MNISTFeatureExtractor` (the default, name "mnist"): a small CNN trained on MNIST digits and
  shipped inside the package (`saved_models/mnist-classifier/classifier.keras`, installed as
  `keras_gans/saved_models/...`; trained by `benchmarks/train_mnist_classifier.py`; model card
  beside it).
  Features are the 128 pre-activations of its penultimate Dense layer "features" ("domain FID":
  a classifier of the data's own domain sees digit shape, not ImageNet textures); probabilities
  are its 10-way softmax. Works offline. Numbers computed with it are comparable between runs of
  this package, **not** with published (Inception) FIDs.
- `InceptionV3FeatureExtractor` (name "inception"): `keras.applications.InceptionV3` 2048-d
  global-average-pool features ("pool3") from ImageNet weights *you* provide as a local file
  (this package never downloads anything). Keras' InceptionV3 is not the 2015 TF graph of the
  original FID code, so values are close to, but not identical with, published FIDs.
- `KerasModelExtractor`: any `keras.Model` of yours, optionally an intermediate layer.

`get_extractor("mnist" | "inception" | keras.Model | extractor, weights_path=None)`
(`keras_gans.metrics.extractor_lookup`) picks one; InceptionV3 lives in `inception_extractor`.

Every extractor takes a batch of images as NumPy (or tensors): `(n, H, W, C)` or `(n, H, W)`
(grayscale), float in [-1, 1] (the scale of a `tanh` generator and of `keras_gans.data`) or
uint8 in [0, 255] (mapped to [-1, 1] with `x / 127.5 - 1`). Other float ranges are rejected: a
[0, 255] float image would silently give meaningless features. (Float images in [0, 1] cannot be
told apart from [-1, 1] ones: convert them with `2 x - 1` first.)
"""

import functools
import os

import numpy as np

from keras_gans.errors import UserError

#: The classifier shipped with the package (`keras_gans.utils.classifier_file`).
from keras_gans.utils.classifier_file import MNIST_CLASSIFIER_REPO_PATH  # noqa: E402,F401  (public here)
#: Names of the classifier's penultimate (feature) layer and its output layer.
MNIST_FEATURE_LAYER = "features"
MNIST_OUTPUT_LAYER = "probabilities"
MNIST_IMAGE_SIZE = 28

#: The MNIST classifier's data split of the bundled 10,000 digits: per class, a seeded random
#: `HELD_OUT_FRACTION` is held out for measuring accuracy, the rest is used for training.
SPLIT_SEED = 0
HELD_OUT_FRACTION = 0.2

#: Values this far outside [-1, 1] are rejected (round-off of resizing or of a tanh is fine).
RANGE_TOLERANCE = 1e-3



def mnist_classifier_split(labels):
    """`(train_indices, held_out_indices)` of the MNIST classifier, from the bundled `labels`.

    Stratified and deterministic: for each digit `c`, the indices of class `c` are permuted with
    `numpy.random.default_rng(SPLIT_SEED + c)` and the first `round(0.2 * count)` of them are held
    out. Both arrays are sorted; together they cover `range(len(labels))` exactly once.
    """
    labels = np.asarray(labels)
    held_out = []
    for digit in range(10):
        indices = np.flatnonzero(labels == digit)
        permuted = np.random.default_rng(SPLIT_SEED + digit).permutation(indices)
        held_out.append(permuted[: int(round(HELD_OUT_FRACTION * len(indices)))])
    held_out = np.sort(np.concatenate(held_out))
    train = np.setdiff1d(np.arange(len(labels)), held_out)
    return train, held_out


def as_image_batch(images, what="images"):
    """`images` as a float32 NumPy `(n, H, W, C)` batch in [-1, 1]; else a `ValueError`.

    `(n, H, W)` gains a channel axis; uint8 maps from [0, 255] with `x / 127.5 - 1`; float
    values must lie in [-1, 1] (within 1e-3) and be finite.
    """
    from keras import ops

    if not isinstance(images, np.ndarray):
        images = ops.convert_to_numpy(images)
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or len(images) == 0 or 0 in images.shape:
        raise ValueError(
            f"{what} must be a non-empty batch of shape (n, height, width, channels) or "
            f"(n, height, width), got shape {images.shape}."
        )
    if images.dtype == np.uint8:
        return images.astype("float32") / 127.5 - 1.0
    if not np.issubdtype(images.dtype, np.floating) and not np.issubdtype(images.dtype, np.integer):
        raise ValueError(f"{what} must be numbers (float in [-1, 1] or uint8), got dtype {images.dtype}.")
    images = images.astype("float32")
    if not np.isfinite(images).all():
        raise ValueError(f"{what} contain NaN or infinite values.")
    low, high = float(images.min()), float(images.max())
    if low < -1.0 - RANGE_TOLERANCE or high > 1.0 + RANGE_TOLERANCE:
        raise ValueError(
            f"{what} must be in [-1, 1] (a tanh generator's scale), got values in "
            f"[{low:.4g}, {high:.4g}]: map [0, 255] images with x / 127.5 - 1 (or pass uint8)."
        )
    return images


class FeatureExtractor:
    """Base class: `features(images)` -> `(n, feature_dim)`, `probabilities(images)` -> `(n, classes)`.

    Subclasses set `self.model` (a `keras.Model` whose outputs are `[features]` or
    `[features, probabilities]`), `name`, `feature_dim`, `num_classes` (None: no probabilities)
    and implement `preprocess(batch)`. Images are processed in batches of `batch_size`.
    """

    name = "custom"
    batch_size = 500

    def __init__(self):
        self.model = None
        self.feature_dim = None
        self.num_classes = None
        #: Identifies the network and weights (e.g. the file loaded), so that features of fixed
        #: real data can be cached across extractor instances; None disables that cache.
        self.cache_key = None

    @property
    def has_probabilities(self):
        return self.num_classes is not None

    def preprocess(self, images):
        """Maps a float32 `(b, H, W, C)` batch in [-1, 1] to the network's input."""
        return images

    def check_images(self, images):
        return as_image_batch(images)

    def features(self, images, batch_size=None):
        """`(n, feature_dim)` float32 features of a batch of images."""
        return self.features_and_probabilities(images, batch_size, probabilities=False)[0]

    def probabilities(self, images, batch_size=None):
        """`(n, num_classes)` float32 class probabilities (rows sum to 1) of a batch of images."""
        self._require_probabilities()
        return self.features_and_probabilities(images, batch_size)[1]

    def features_and_probabilities(self, images, batch_size=None, probabilities=True):
        """`(features, probabilities)` from one pass (probabilities None without a classifier)."""
        from keras import ops

        images = self.check_images(images)
        batch_size = int(batch_size or self.batch_size)
        want_probs = probabilities and self.has_probabilities
        features, probs = [], []
        for start in range(0, len(images), batch_size):
            outputs = self._run(self.preprocess(images[start : start + batch_size]))
            features.append(_flatten(ops.convert_to_numpy(outputs[0])))
            if want_probs:
                probs.append(self._to_probabilities(ops.convert_to_numpy(outputs[1])))
        features = np.concatenate(features).astype("float32")
        return features, (np.concatenate(probs).astype("float32") if want_probs else None)

    def __call__(self, images):
        """Features (eagerly): lets an extractor be a streaming metric's `feature_extractor`."""
        return self.features(images)

    def _run(self, batch):
        outputs = self.model(batch, training=False)
        return outputs if isinstance(outputs, (list, tuple)) else [outputs]

    def _to_probabilities(self, outputs):
        return _flatten(outputs)

    def _require_probabilities(self):
        if not self.has_probabilities:
            raise UserError(
                f"the {self.name} extractor has no classifier output, so it cannot give class "
                "probabilities (needed by the Inception Score 'is')"
            )

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}: {self.feature_dim}-d features>"


def _flatten(array):
    return array.reshape(len(array), -1)


def model_inputs(model):
    """A model's input tensor (its list if several), so that calls with one tensor match it."""
    return model.inputs[0] if len(model.inputs) == 1 else model.inputs


# ---------------------------------------------------------------------------- MNIST classifier


def mnist_classifier_path():
    """The path of the shipped MNIST classifier; a `UserError` if it is missing."""
    from keras_gans.utils.classifier_file import mnist_classifier_file

    try:
        return mnist_classifier_file()
    except FileNotFoundError as e:
        raise UserError(str(e)) from None


@functools.lru_cache(maxsize=4)
def _load_classifier(path):
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as e:  # truncated file, incompatible Keras
        raise UserError(f"cannot load the MNIST classifier {path!r} ({type(e).__name__}: {e})") from None


def mnist_classifier(path=None):
    """The embedded MNIST classifier: `(n, 28, 28, 1)` images in [-1, 1] -> `(n, 10)` softmax.

    Its penultimate Dense layer "features" (128 ReLU units) gives the domain-FID features (see
    `MNISTFeatureExtractor`: before the ReLU by default). The model is
    loaded once per process and shared: do not train it.
    """
    return _load_classifier(os.path.abspath(path) if path else mnist_classifier_path())


class MNISTFeatureExtractor(FeatureExtractor):
    """Features (128-d, layer "features") and 10-way probabilities of the embedded MNIST classifier.

    Features: by default the *pre-activation* of the classifier's Dense layer "features",
    `W h + b` (128-d), not its ReLU output: on the 10,000 real digits 70 of the 128 ReLU units
    never fire, so the ReLU features span only 58 dimensions and their covariance is singular,
    whereas the pre-activations have a full-rank, well-conditioned covariance (smallest
    eigenvalue 0.05). The classifier's probabilities are unaffected. `pre_activation=False`
    gives the ReLU outputs.

    Preprocessing, applied per batch:

    1. images as described in the module docstring ([-1, 1] floats or uint8);
    2. RGB (3 channels) becomes grayscale by luminance, `tf.image.rgb_to_grayscale`
       (0.2989 R + 0.5870 G + 0.1140 B, applied to the [-1, 1] values); other channel counts
       than 1 or 3 are rejected;
    3. square images of another size are resized to 28 x 28 with `tf.image.resize(...,
       "bilinear", antialias=True)`; non-square images are rejected.

    The classifier was trained on centred white-on-black digits (background -1): features of
    other image domains mean little.

    Args:
        path: a `.keras` classifier to use instead of the shipped one (same input format, with a
            layer named "features"); None loads the shipped classifier.
        pre_activation: features before (True) or after (False) the "features" layer's
            activation (only differs for a Dense layer with an activation).
    """

    name = "mnist"

    def __init__(self, path=None, pre_activation=True):
        super().__init__()
        import keras

        classifier = mnist_classifier(path)
        try:
            feature_layer = classifier.get_layer(MNIST_FEATURE_LAYER)
        except ValueError:
            raise UserError(
                f"the classifier {path!r} has no layer named {MNIST_FEATURE_LAYER!r} (its layers: "
                f"{[layer.name for layer in classifier.layers]})"
            ) from None
        features = feature_layer.output
        self.pre_activation = bool(pre_activation) and isinstance(feature_layer, keras.layers.Dense)
        if self.pre_activation:
            linear = keras.layers.Dense(
                feature_layer.units, use_bias=feature_layer.use_bias, name="features_linear"
            )
            features = linear(feature_layer.input)
            linear.set_weights(feature_layer.get_weights())
        self.classifier = classifier
        self.cache_key = ("mnist", id(classifier), self.pre_activation)
        self.model = keras.Model(model_inputs(classifier), [features, classifier.outputs[0]])
        self.feature_dim = int(features.shape[-1])
        self.num_classes = int(classifier.outputs[0].shape[-1])

    def check_images(self, images):
        images = as_image_batch(images)
        height, width, channels = images.shape[1:]
        if channels not in (1, 3):
            raise ValueError(
                f"the MNIST extractor takes grayscale (1 channel) or RGB (3 channels) images, got "
                f"{channels} channels (shape {images.shape})."
            )
        if height != width:
            raise ValueError(
                f"the MNIST extractor takes square images (resized to 28 x 28), got {height} x {width}."
            )
        return images

    def preprocess(self, images):
        import tensorflow as tf

        images = tf.convert_to_tensor(images, "float32")
        if images.shape[-1] == 3:
            images = tf.image.rgb_to_grayscale(images)
        if tuple(images.shape[1:3]) != (MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE):
            images = tf.image.resize(
                images, (MNIST_IMAGE_SIZE, MNIST_IMAGE_SIZE), "bilinear", antialias=True
            )
        return images


# ---------------------------------------------------------------------------- any Keras model


class KerasModelExtractor(FeatureExtractor):
    """Any `keras.Model` as an extractor: features from a layer, probabilities from the output.

    Args:
        model: a built functional or sequential `keras.Model` taking the images.
        layer: the name (or the layer) whose output, flattened, gives the features; None uses
            the model's output.
        preprocess: optional callable applied to each float32 batch before the model (e.g. a
            resize); by default images go in as given ([-1, 1] floats, uint8 mapped to [-1, 1]).
        batch_size: images per model call.

    `probabilities` uses the model's (first) output: rows that are already probability
    distributions (non-negative, summing to 1) are kept, anything else goes through a softmax.
    """

    name = "keras"

    def __init__(self, model, layer=None, preprocess=None, batch_size=500):
        super().__init__()
        import keras

        if not isinstance(model, keras.Model):
            raise TypeError(f"model must be a keras.Model, got {type(model).__name__}.")
        if not getattr(model, "inputs", None):
            raise ValueError(
                f"model {model.name!r} has no symbolic inputs: build it (call it on an Input or "
                "use the functional API) before using it as an extractor."
            )
        output = model.outputs[0]
        if layer is None:
            features = output
            self.layer = None
        else:
            layer_name = layer if isinstance(layer, str) else layer.name
            try:
                features = model.get_layer(layer_name).output
            except ValueError:
                raise ValueError(
                    f"model {model.name!r} has no layer {layer_name!r}; its layers are "
                    f"{[lay.name for lay in model.layers]}."
                ) from None
            self.layer = layer_name
        self.source = model
        self.model = keras.Model(model_inputs(model), [features, output])
        self.name = f"keras:{model.name}" + (f"/{self.layer}" if self.layer else "")
        self.feature_dim = int(np.prod(features.shape[1:]))
        self.num_classes = int(np.prod(output.shape[1:]))
        self._preprocess = preprocess
        self.batch_size = int(batch_size)

    def preprocess(self, images):
        return images if self._preprocess is None else self._preprocess(images)

    def _to_probabilities(self, outputs):
        outputs = _flatten(outputs).astype("float64")
        if (outputs >= 0).all() and np.allclose(outputs.sum(axis=1), 1.0, atol=1e-3):
            return outputs
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
