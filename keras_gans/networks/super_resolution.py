"""Super-resolution networks: SRGAN's residual generator (Ledig et al. 2017, arXiv 1609.04802) and
the frozen feature networks its content loss compares images in."""

import math
import os

import keras

from keras_gans.layers.sub_pixel_upsampling import SubPixelUpsampling
from keras_gans.networks.common import check_image_shape, normalization
from keras_gans.networks.registry import register_network
from keras_gans.utils.classifier_file import mnist_classifier_file

MNIST_FEATURE_LAYER = "features"


@register_network("srresnet", role="translator")
def srresnet_generator(input_shape=(7, 7, 1), output_shape=(28, 28, 1), base_filters=32, residual_blocks=4,
                       normalization_type="batch", name="generator"):
    """SRGAN's generator (SRResNet): 9x9 conv + PReLU; `residual_blocks` blocks of (3x3 conv,
    normalisation, PReLU, 3x3 conv, normalisation) + skip; 3x3 conv, normalisation, + the skip
    from before the blocks; log2(factor) times a 3x3 conv to 4x the filters, `SubPixelUpsampling(2)`
    and PReLU; a 9x9 conv to a tanh image. The output size must be the input's times a power of 2.
    """
    check_image_shape(input_shape, "SRResNet generator")
    check_image_shape(output_shape, "SRResNet generator")
    factor = output_shape[0] / input_shape[0]
    doublings = math.log2(factor) if factor >= 2 else 0.5
    if doublings != int(doublings) or output_shape[1] != factor * input_shape[1]:
        raise ValueError(f"the SRResNet generator up-samples by a power of 2, got {tuple(input_shape)} -> "
                         f"{tuple(output_shape)}")
    normalized = normalization_type not in (None, "none")

    def conv(x, filters, size, bias=True):
        return keras.layers.Conv2D(filters, size, padding="same", use_bias=bias)(x)

    def norm(x):
        return normalization(normalization_type)(x) if normalized else x

    def prelu(x):
        return keras.layers.PReLU(shared_axes=[1, 2])(x)

    inputs = keras.Input(tuple(input_shape), name="images")
    x = skip = prelu(conv(inputs, base_filters, 9))
    for _ in range(int(residual_blocks)):
        h = prelu(norm(conv(x, base_filters, 3, not normalized)))
        x = keras.layers.Add()([x, norm(conv(h, base_filters, 3, not normalized))])
    x = keras.layers.Add()([skip, norm(conv(x, base_filters, 3, not normalized))])
    for _ in range(int(doublings)):
        x = prelu(SubPixelUpsampling(2)(conv(x, 4 * base_filters, 3)))
    outputs = keras.layers.Activation("tanh", dtype="float32", name="translated")(conv(x, output_shape[-1], 9))
    return keras.Model(inputs, outputs, name=name)


@register_network("mnist_classifier", role="content_network")
def mnist_classifier_network(input_shape=(28, 28, 1), path=None, name="content_network"):
    """A frozen copy of the shipped MNIST classifier (or the `.keras` classifier at `path`, with a
    Dense layer "features") up to the pre-activations of "features": images in [-1, 1] ->
    (batch, 128) features, the space our domain FID measures digits in. SRGAN's content loss on
    MNIST compares images there instead of in VGG19's (trained on ImageNet photographs)."""
    check_image_shape(input_shape, "MNIST classifier content network")
    if tuple(input_shape) != (28, 28, 1):
        raise ValueError(f"the MNIST classifier takes 28x28x1 digits, the images are {tuple(input_shape)}")
    path = mnist_classifier_file() if path is None else path
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no classifier file {path!r}")
    classifier = keras.saving.load_model(path, compile=False, safe_mode=True)
    layer = classifier.get_layer(MNIST_FEATURE_LAYER)
    linear = keras.layers.Dense(layer.units, use_bias=layer.use_bias, name="features_linear")
    features = linear(layer.input)
    linear.set_weights(layer.get_weights())
    network = keras.Model(classifier.inputs, features, name=name)
    network.trainable = False
    return network


@register_network("vgg19", role="content_network")
def vgg19_network(input_shape=(28, 28, 1), weights_path=None, layer="block5_conv4", name="content_network"):
    """A frozen `keras.applications.VGG19` (ImageNet weights from the local file `weights_path`,
    e.g. `vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`; nothing is downloaded) up to `layer`
    (SRGAN's VGG54 is "block5_conv4"): images in [-1, 1] are mapped to VGG's input (grey to RGB,
    [0, 255], ImageNet mean subtracted) and enlarged to at least 32x32."""
    check_image_shape(input_shape, "VGG19 content network")
    if weights_path is None or not os.path.isfile(weights_path):
        raise FileNotFoundError(f"VGG19 needs its ImageNet weights as a local file: weights_path {weights_path!r} "
                                "does not exist (keras-gans downloads nothing)")
    size = max(32, input_shape[0])
    inputs = keras.Input(tuple(input_shape), name="images")
    x = keras.layers.Resizing(size, size)(inputs) if size != input_shape[0] else inputs
    if input_shape[-1] == 1:
        x = keras.layers.Concatenate()([x, x, x])
    x = keras.layers.Rescaling(127.5, offset=127.5)(x)
    x = keras.layers.Lambda(keras.applications.vgg19.preprocess_input)(x)
    vgg = keras.applications.VGG19(include_top=False, weights=weights_path, input_shape=(size, size, 3))
    features = keras.Model(vgg.inputs, vgg.get_layer(layer).output)(x)
    network = keras.Model(inputs, keras.layers.Flatten()(features), name=name)
    network.trainable = False
    return network
