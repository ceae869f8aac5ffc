"""SRGAN: sub-pixel up-sampling, the SRResNet generator, the frozen content network, the players of
one step, exact resume, replicas and the served 7x7 -> 28x28 signatures."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.data import translation
from keras_gans.layers import SubPixelUpsampling
from keras_gans.models import SRGAN
from keras_gans.networks import mnist_classifier_network, srresnet_generator, vgg19_network
from keras_gans.serving import export_gan

from model_helpers import assert_weights_close, built, one_device_reference, straight_and_resumed, weights


def tiny(*overrides):
    """srgan-mnist-x4 with 4-filter networks, one residual block and batches of 8.

    D without batch norm: the DCGAN discriminator keeps a conv bias before each batch norm, whose
    gradient is zero up to rounding; Adam turns that rounding into steps, so the resume test
    failed in some test processes (biases of 1e-5 with other signs), not the model's state."""
    return recipes.apply_overrides(recipes.load("srgan-mnist-x4"), [
        "model.generator.base_filters=4", "model.generator.residual_blocks=1", "model.discriminator.base_filters=4",
        "model.discriminator.hidden_units=8", "model.discriminator.normalization_type=none", "train.batch_size=8",
        *overrides])


def pairs(n=32, batch=8):
    """The first `n` training pairs of the x4 task in [-1, 1], in batches of `batch`."""
    sources, targets, _ = translation.task_examples("x4")
    scale = lambda a: a[:n].astype("float32") / 127.5 - 1.0  # noqa: E731
    return tf.data.Dataset.from_tensor_slices((scale(sources), scale(targets))).batch(batch)


def test_sub_pixel_upsampling_moves_channels_into_blocks():
    x = np.arange(8, dtype="float32").reshape(1, 1, 2, 4)  # two pixels of 4 channels
    y = np.asarray(SubPixelUpsampling(2)(x))
    assert y.shape == (1, 2, 4, 1)
    np.testing.assert_array_equal(y[0, :, :2, 0], [[0, 1], [2, 3]])  # pixel 0's channels, as a 2x2 block
    np.testing.assert_array_equal(y[0, :, 2:, 0], [[4, 5], [6, 7]])
    with pytest.raises(ValueError, match="factor must be an integer >= 2"):
        SubPixelUpsampling(1)


def test_srresnet_upsamples_by_powers_of_two():
    assert srresnet_generator((7, 7, 1), (28, 28, 1), base_filters=4, residual_blocks=1).output_shape == (None, 28, 28, 1)
    with pytest.raises(ValueError, match="up-samples by a power of 2"):
        srresnet_generator((7, 7, 1), (21, 21, 1))


def test_content_network_is_the_classifier_feature_space_of_the_domain_fid():
    from keras_gans.metrics.extractors import MNISTFeatureExtractor

    digits = translation.task_examples("x4", "test")[1][:6].astype("float32") / 127.5 - 1.0
    network = mnist_classifier_network()
    assert not network.trainable and network.output_shape == (None, 128)
    np.testing.assert_allclose(network(digits), MNISTFeatureExtractor().features(digits), atol=1e-4)
    with pytest.raises(FileNotFoundError, match="keras-gans downloads nothing"):
        vgg19_network(weights_path="/nonexistent/vgg19.h5")


def test_one_step_trains_g_and_d_and_never_the_content_network():
    model = built(tiny())
    before = {slot: weights(getattr(model, slot)) for slot in ("generator", "discriminator", "content_network")}
    model.fit(pairs(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    for slot in ("generator", "discriminator"):
        assert any(np.abs(a - b).max() > 1e-7 for a, b in zip(weights(getattr(model, slot)), before[slot])), slot
    assert_weights_close(weights(model.content_network), before["content_network"], atol=0)
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert logs["content"] > 0 and logs["mse"] > 0 and logs["d_loss"] > 0

    baseline = built(tiny("compile.content_weight=0", "compile.adversarial_weight=0"))  # SRResNet-MSE
    d_before = weights(baseline.discriminator)
    baseline.fit(pairs(n=8), epochs=1, steps_per_epoch=1, verbose=0)
    assert_weights_close(weights(baseline.discriminator), d_before, atol=0)
    assert int(baseline.d_optimizer.iterations.numpy()) == 0
    with pytest.raises(ValueError, match="at least one of content_weight, pixel_weight and adversarial_weight"):
        model.compile(content_weight=0, pixel_weight=0, adversarial_weight=0)


def test_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny("compile.ema_decay=0.9"), tmp_path, pairs)
    assert type(loaded) is SRGAN and loaded.adversarial_weight == 1e-3 and not loaded.content_network.trainable
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one = one_device_reference(built(tiny()))
    one.fit(pairs(), epochs=1, steps_per_epoch=2, verbose=0)
    two = built(tiny(), mirrored_strategy)
    two.fit(pairs(), epochs=1, steps_per_epoch=2, verbose=0)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_serves_small_digits_to_large_ones(tmp_path):
    model = built(tiny())
    sources = next(iter(pairs(n=3, batch=3)))[0].numpy()
    outputs = model.translate(sources)
    assert outputs.shape == (3, 28, 28, 1)
    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    np.testing.assert_allclose(served.signatures["serving_default"](images=tf.constant(sources))["images"].numpy(),
                               outputs, atol=1e-5)
    small = np.full((1, 7, 7, 1), 255, "uint8")
    assert served.signatures["translate_uint8"](images=tf.constant(small))["images"].shape == (1, 28, 28, 1)
