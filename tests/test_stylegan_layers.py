"""The StyleGAN layers: values against NumPy by hand, shapes, config round trips."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.layers import AdaIN, ConstantInput, EqualizedConv2D, EqualizedDense, MinibatchStandardDeviation
from keras_gans.layers import NoiseInjection, PixelNormalization, StyleMixing, Truncation


def rng(seed=0):
    return np.random.default_rng(seed)


def numpy(x):
    return x.numpy() if isinstance(x, keras.Variable) else keras.ops.convert_to_numpy(x)


def round_trip(layer):
    """A layer rebuilt from its serialized config (by registered name, as `.keras` files do)."""
    config = keras.saving.serialize_keras_object(layer)
    assert config["registered_name"] == f"keras_gans>{type(layer).__name__}"
    clone = keras.saving.deserialize_keras_object(config, safe_mode=True)
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()
    return clone


# --- PixelNormalization -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 5), (2, 4, 4, 6)])
def test_pixel_normalization_values(shape):
    x = rng().normal(size=shape).astype("float32") * 3.0
    expected = x / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + 1e-8)
    out = numpy(PixelNormalization()(x))
    assert out.shape == shape
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(np.mean(out**2, axis=-1), 1.0, rtol=1e-5)  # unit RMS per feature vector
    zero = numpy(PixelNormalization()(np.zeros(shape, "float32")))
    assert np.all(zero == 0.0)  # epsilon keeps it finite


def test_pixel_normalization_config():
    clone = round_trip(PixelNormalization(axis=1, epsilon=1e-4))
    assert clone.axis == 1 and clone.epsilon == 1e-4


# --- EqualizedDense / EqualizedConv2D -----------------------------------------------------------


def test_equalized_dense_values():
    layer = EqualizedDense(3, lr_multiplier=0.1, bias_init=0.5)
    x = rng(1).normal(size=(4, 5)).astype("float32")
    layer.build(x.shape)
    # stored as N(0, 1 / lr_multiplier), bias stored as bias_init / lr_multiplier
    np.testing.assert_allclose(numpy(layer.bias), 5.0)
    kernel = rng(2).normal(size=(5, 3)).astype("float32")
    bias = np.array([1.0, -2.0, 3.0], "float32")
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    scale = math.sqrt(2.0) / math.sqrt(5) * 0.1
    np.testing.assert_allclose(numpy(layer(x)), x @ (kernel * scale) + bias * 0.1, rtol=1e-5, atol=1e-6)


def test_equalized_dense_initial_scale():
    # Effective weights are He-initialised: std gain / sqrt(fan_in), stored weights N(0, 1 / lr).
    layer = EqualizedDense(256, lr_multiplier=0.01)
    layer.build((None, 512))
    assert abs(float(np.std(numpy(layer.kernel))) - 100.0) < 2.0
    assert layer.scale == pytest.approx(math.sqrt(2.0) / math.sqrt(512) * 0.01)
    plain = EqualizedDense(4, gain=1.0, use_bias=False)
    plain.build((None, 16))
    assert plain.bias is None and len(plain.weights) == 1
    assert plain.scale == pytest.approx(0.25)
    with pytest.raises(ValueError, match="lr_multiplier"):
        EqualizedDense(4, lr_multiplier=0.0)


def numpy_conv_same(x, kernel):
    """Stride-1 'same' cross-correlation, channels last, the slow way."""
    k = kernel.shape[0]
    pad = k // 2
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    batch, height, width, _ = x.shape
    out = np.zeros((batch, height, width, kernel.shape[-1]), "float64")
    for i in range(height):
        for j in range(width):
            patch = xp[:, i : i + k, j : j + k, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out


@pytest.mark.parametrize("kernel_size", [1, 3])
def test_equalized_conv2d_values(kernel_size):
    x = rng(3).normal(size=(2, 5, 5, 3)).astype("float32")
    layer = EqualizedConv2D(4, kernel_size, gain=1.5)
    layer.build(x.shape)
    kernel = rng(4).normal(size=(kernel_size, kernel_size, 3, 4)).astype("float32")
    bias = rng(5).normal(size=(4,)).astype("float32")
    layer.kernel.assign(kernel)
    layer.bias.assign(bias)
    scale = 1.5 / math.sqrt(kernel_size * kernel_size * 3)
    expected = numpy_conv_same(x, kernel * scale) + bias
    out = numpy(layer(x))
    assert out.shape == (2, 5, 5, 4)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_equalized_config():
    dense = round_trip(EqualizedDense(7, gain=1.0, lr_multiplier=0.01, use_bias=False, bias_init=0.2))
    assert (dense.units, dense.gain, dense.lr_multiplier, dense.use_bias, dense.bias_init) == (7, 1.0, 0.01, False, 0.2)
    conv = round_trip(EqualizedConv2D(5, 1, lr_multiplier=2.0))
    assert (conv.filters, conv.kernel_size, conv.lr_multiplier) == (5, 1, 2.0)
    assert conv.compute_output_shape((None, 8, 8, 3)) == (None, 8, 8, 5)


# --- NoiseInjection -----------------------------------------------------------------------------


def test_noise_injection_starts_as_identity_and_scales_per_channel():
    x = rng(6).normal(size=(3, 4, 4, 2)).astype("float32")
    layer = NoiseInjection(seed=1)
    np.testing.assert_array_equal(numpy(layer(x, training=True)), x)  # strength initialised to 0
    layer.strength.assign([2.0, -0.5])
    added = numpy(layer(x, training=True)) - x
    noise = added[..., :1] / 2.0  # one noise image per sample, broadcast over channels
    np.testing.assert_allclose(added[..., 1:], -0.5 * noise, rtol=1e-5, atol=1e-6)
    assert np.std(noise) > 0.3 and not np.allclose(noise[0], noise[1])  # fresh per sample
    again = numpy(layer(x, training=True)) - x
    assert not np.allclose(again, added)  # and per call


def test_noise_injection_inference_modes():
    x = rng(7).normal(size=(2, 4, 4, 3)).astype("float32")
    const = NoiseInjection("const", seed=3)
    const.build(x.shape)
    const.strength.assign([1.0, 2.0, 3.0])
    noise = numpy(const.const_noise)
    assert noise.shape == (4, 4, 1) and not const.const_noise.trainable
    out = numpy(const(x))
    np.testing.assert_allclose(out, x + noise[None] * np.array([1.0, 2.0, 3.0]), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(numpy(const(x, training=False)), out)  # deterministic
    assert not np.allclose(numpy(const(x, training=True)), out)  # training still draws fresh noise

    random = NoiseInjection("random", seed=3)
    random.build(x.shape)
    random.strength.assign([1.0, 1.0, 1.0])
    assert not np.allclose(numpy(random(x)), numpy(random(x)))
    assert not any("const" in w.name for w in random.weights)

    none = NoiseInjection("none")
    none.build(x.shape)
    none.strength.assign([1.0, 1.0, 1.0])
    np.testing.assert_array_equal(numpy(none(x)), x)
    with pytest.raises(ValueError, match="const, random, none"):
        NoiseInjection("sometimes")


def test_noise_injection_config():
    clone = round_trip(NoiseInjection("random", seed=5))
    assert clone.inference_noise == "random" and clone.seed == 5


# --- AdaIN --------------------------------------------------------------------------------------


def numpy_adain(x, w, scale_kernel, scale_bias, shift_kernel, shift_bias, eps=1e-8):
    c = 1.0 / math.sqrt(w.shape[-1])
    y_s = w @ (scale_kernel * c) + scale_bias
    y_b = w @ (shift_kernel * c) + shift_bias
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = ((x - mean) ** 2).mean(axis=(1, 2), keepdims=True)
    return y_s[:, None, None, :] * (x - mean) / np.sqrt(var + eps) + y_b[:, None, None, :]


def test_adain_values():
    x = rng(8).normal(2.0, 3.0, size=(2, 3, 3, 4)).astype("float32")
    w = rng(9).normal(size=(2, 5)).astype("float32")
    layer = AdaIN()
    layer.build([x.shape, w.shape])
    np.testing.assert_array_equal(numpy(layer.scale_bias), 1.0)  # y_s starts around 1
    np.testing.assert_array_equal(numpy(layer.shift_bias), 0.0)
    weights = [rng(10 + i).normal(size=v.shape).astype("float32") for i, v in enumerate(layer.weights)]
    for v, value in zip(layer.weights, weights):
        v.assign(value)
    names = [v.name for v in layer.weights]
    assert names == ["scale_kernel", "scale_bias", "shift_kernel", "shift_bias"]
    out = numpy(layer([x, w]))
    assert out.shape == x.shape
    np.testing.assert_allclose(out, numpy_adain(x, w, *weights), rtol=1e-4, atol=1e-4)


def test_adain_fresh_layer_with_zero_w_is_instance_norm():
    x = rng(11).normal(1.0, 2.0, size=(2, 4, 4, 3)).astype("float32")
    out = numpy(AdaIN()([x, np.zeros((2, 6), "float32")]))
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1.0, rtol=1e-4)


def test_adain_style_index_picks_a_row():
    x = rng(12).normal(size=(2, 4, 4, 3)).astype("float32")
    ws = rng(13).normal(size=(2, 4, 6)).astype("float32")
    indexed = AdaIN(style_index=2)
    indexed.build([x.shape, ws.shape])
    plain = AdaIN()
    plain.build([x.shape, ws[:, 2].shape])
    plain.set_weights(indexed.get_weights())
    np.testing.assert_allclose(numpy(indexed([x, ws])), numpy(plain([x, ws[:, 2]])), rtol=1e-6)
    with pytest.raises(ValueError, match="style_index"):
        AdaIN()([x, ws])
    with pytest.raises(ValueError, match="style_index"):
        AdaIN(style_index=0)([x, ws[:, 0]])
    clone = round_trip(AdaIN(style_index=3, epsilon=1e-5))
    assert clone.style_index == 3 and clone.epsilon == 1e-5


def test_adain_lr_multiplier_keeps_the_layer_and_speeds_its_styles():
    x = rng(14).normal(size=(2, 4, 4, 3)).astype("float32")
    w = rng(15).normal(size=(2, 5)).astype("float32")
    plain, fast = AdaIN(), AdaIN(lr_multiplier=10.0)
    plain.build([x.shape, w.shape])
    fast.build([x.shape, w.shape])
    np.testing.assert_allclose(numpy(fast.scale_bias), 0.1)  # stored / 10, times 10 at run time: y_s starts at 1
    effective = [rng(16 + i).normal(size=v.shape).astype("float32") for i, v in enumerate(plain.weights)]
    plain.set_weights(effective)
    fast.set_weights([value / 10.0 for value in effective])
    np.testing.assert_allclose(numpy(fast([x, w])), numpy(plain([x, w])), rtol=1e-4, atol=1e-5)
    assert round_trip(fast).lr_multiplier == 10.0

    def gain_after_one_adam_step(layer):  # Adam's first step moves every stored weight by its rate
        zero = np.zeros((1, 5), "float32")
        optimizer = keras.optimizers.Adam(0.01)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer.styles(zero)[0])
        optimizer.apply_gradients(zip(tape.gradient(loss, layer.trainable_weights), layer.trainable_weights))
        return numpy(layer.styles(zero)[0])

    before = numpy(plain.styles(np.zeros((1, 5), "float32"))[0])
    np.testing.assert_allclose(gain_after_one_adam_step(plain), before - 0.01, atol=1e-5)
    np.testing.assert_allclose(gain_after_one_adam_step(fast), before - 0.1, atol=1e-4)
    with pytest.raises(ValueError, match="lr_multiplier must be positive"):
        AdaIN(lr_multiplier=0)


# --- MinibatchStandardDeviation -----------------------------------------------------------------


def numpy_mbstd(x, group):
    out = np.empty(x.shape[:3] + (1,), "float64")
    for start in range(0, len(x), group):
        g = x[start : start + group].astype("float64")
        out[start : start + group] = np.sqrt(g.var(axis=0) + 1e-8).mean()
    return np.concatenate([x, out], axis=-1)


@pytest.mark.parametrize(
    "batch, group_size, group",
    [(8, 4, 4), (8, 2, 2), (2, 4, 2), (6, 4, 6), (5, 1, 1)],  # (6, 4): not divisible -> whole batch
)
def test_minibatch_std_values(batch, group_size, group):
    x = rng(14).normal(size=(batch, 3, 3, 2)).astype("float32") * np.arange(1, batch + 1)[:, None, None, None]
    layer = MinibatchStandardDeviation(group_size)
    out = numpy(layer(x))
    assert out.shape == (batch, 3, 3, 3)
    np.testing.assert_allclose(out, numpy_mbstd(x, group), rtol=1e-5, atol=1e-6)


def test_minibatch_std_with_unknown_batch_in_a_graph():
    inputs = keras.Input((2, 2, 3))
    model = keras.Model(inputs, MinibatchStandardDeviation(4)(inputs))
    assert model.output_shape == (None, 2, 2, 4)
    fn = tf.function(model, input_signature=[tf.TensorSpec([None, 2, 2, 3], tf.float32)])
    for batch, group in ((8, 4), (6, 6), (3, 3)):
        x = rng(batch).normal(size=(batch, 2, 2, 3)).astype("float32")
        np.testing.assert_allclose(fn(x).numpy(), numpy_mbstd(x, group), rtol=1e-5, atol=1e-6)


def test_minibatch_std_config():
    clone = round_trip(MinibatchStandardDeviation(group_size=8, epsilon=1e-6))
    assert clone.group_size == 8 and clone.epsilon == 1e-6
    with pytest.raises(ValueError, match="group_size"):
        MinibatchStandardDeviation(0)


# --- ConstantInput ------------------------------------------------------------------------------


def test_constant_input():
    layer = ConstantInput((4, 4, 3))
    out = numpy(layer(np.zeros((5, 7), "float32")))
    assert out.shape == (5, 4, 4, 3)
    for sample in out:
        np.testing.assert_array_equal(sample, numpy(layer.constant))
    assert layer.constant.trainable and np.std(out[0]) > 0.1
    assert round_trip(ConstantInput((2, 2, 8))).constant_shape == (2, 2, 8)


# --- StyleMixing --------------------------------------------------------------------------------


def mapping(latent=4, w_dim=3):
    z = keras.Input((latent,))
    return keras.Model(z, EqualizedDense(w_dim)(z), name="mapping")


def test_style_mixing_outside_training_repeats_w():
    layer = StyleMixing(mapping(), num_styles=5, probability=1.0, seed=1)
    z = rng(15).normal(size=(6, 4)).astype("float32")
    w = numpy(layer.layer(z))
    ws = numpy(layer(z))
    assert ws.shape == (6, 5, 3)
    np.testing.assert_allclose(ws, np.repeat(w[:, None], 5, axis=1), rtol=1e-6)
    off = StyleMixing(layer.layer, num_styles=5, probability=0.0)
    np.testing.assert_allclose(numpy(off(z, training=True)), ws, rtol=1e-6)  # probability 0


def test_style_mixing_in_training_switches_to_a_second_w_once():
    layer = StyleMixing(mapping(), num_styles=6, probability=1.0, seed=2)
    z = rng(16).normal(size=(64, 4)).astype("float32")
    w = numpy(layer.layer(z))
    ws = numpy(layer(z, training=True))
    crossovers = []
    for sample, w_sample in zip(ws, w):
        same = np.all(np.isclose(sample, w_sample, atol=1e-6), axis=-1)
        k = int(np.argmin(same))  # first row that is not w
        assert 1 <= k <= 5 and same[:k].all() and not same[k:].any()
        np.testing.assert_allclose(sample[k:], np.repeat(sample[k:k + 1], 6 - k, axis=0))  # one w2
        crossovers.append(k)
    assert set(crossovers) == {1, 2, 3, 4, 5}  # every crossover layer occurs
    half = StyleMixing(layer.layer, num_styles=6, probability=0.5, seed=3)
    mixed = np.any(~np.isclose(numpy(half(z, training=True)), w[:, None], atol=1e-6), axis=(1, 2))
    assert 16 < mixed.sum() < 48


def test_style_mixing_config_round_trip_keeps_the_mapping_network():
    layer = StyleMixing(mapping(), num_styles=4, probability=0.7, seed=9)
    layer.build((None, 4))
    clone = round_trip(layer)
    assert (clone.num_styles, clone.probability, clone.seed) == (4, 0.7, 9)
    assert isinstance(clone.layer, keras.Model) and clone.layer.name == "mapping"
    assert clone.compute_output_shape((None, 4)) == (None, 4, 3)
    with pytest.raises(ValueError, match="probability"):
        StyleMixing(mapping(), num_styles=4, probability=1.5)


# --- Truncation ---------------------------------------------------------------------------------


def test_truncation_tracks_the_average_w_in_training():
    layer = Truncation(psi=0.5, decay=0.9)
    ws = rng(17).normal(size=(8, 3, 4)).astype("float32")
    out = numpy(layer(ws, training=True))
    np.testing.assert_array_equal(out, ws)  # training passes the styles through
    expected = 0.1 * ws[:, 0].mean(axis=0)  # from zeros: decay * 0 + (1 - decay) * mean
    np.testing.assert_allclose(numpy(layer.w_avg), expected, rtol=1e-5, atol=1e-7)
    layer(ws, training=True)
    np.testing.assert_allclose(numpy(layer.w_avg), 0.9 * expected + 0.1 * ws[:, 0].mean(axis=0), rtol=1e-5)
    assert not layer.w_avg.trainable


def test_truncation_at_sampling_time():
    ws = rng(18).normal(size=(2, 3, 4)).astype("float32")
    w_avg = rng(19).normal(size=(4,)).astype("float32")
    layer = Truncation(psi=0.7)
    layer.build(ws.shape)
    layer.w_avg.assign(w_avg)
    np.testing.assert_allclose(numpy(layer(ws)), w_avg + 0.7 * (ws - w_avg), rtol=1e-5)
    np.testing.assert_array_equal(numpy(layer.w_avg), w_avg)  # sampling does not move it
    layer.cutoff = 2
    out = numpy(layer(ws))
    np.testing.assert_allclose(out[:, :2], w_avg + 0.7 * (ws[:, :2] - w_avg), rtol=1e-5)
    np.testing.assert_array_equal(out[:, 2:], ws[:, 2:])
    layer.psi, layer.cutoff = 1.0, None
    np.testing.assert_array_equal(numpy(layer(ws)), ws)
    clone = round_trip(Truncation(psi=0.5, cutoff=4, decay=0.99))
    assert (clone.psi, clone.cutoff, clone.decay) == (0.5, 4, 0.99)
