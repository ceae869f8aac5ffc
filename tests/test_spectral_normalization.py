"""Tests of the SpectralNormalization wrapper (Miyato et al. 2018): it never writes the kernel."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.layers import SpectralNormalization



def big(seed=0):
    """A seeded initializer of kernels with spectral norms in the tens."""
    return keras.initializers.RandomNormal(stddev=5.0, seed=seed)


def np_sigma(kernel, u, out_axis=-1):
    """`v W u^T` with `v = normalize(u W^T)`, for the kernel reshaped to `(-1, out)`, in float64."""
    matrix = np_matrix(kernel, out_axis)
    u = np.asarray(u, "float64")
    v = u @ matrix.T
    v /= np.linalg.norm(v)
    return (v @ matrix @ u.T).item()


def np_matrix(kernel, out_axis=-1):
    kernel = np.moveaxis(np.asarray(kernel, "float64"), out_axis, -1)
    return kernel.reshape(-1, kernel.shape[-1])


def top_singular_value(kernel, out_axis=-1):
    return np.linalg.svd(np_matrix(kernel, out_axis), compute_uv=False)[0]


def rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def dense_sn(**kwargs):
    dense = keras.layers.Dense(16, kernel_initializer=big(), bias_initializer="ones")
    layer = SpectralNormalization(dense, **kwargs)
    layer.build((None, 32))
    return layer


# --- convergence to a unit spectral norm --------------------------------------------------------


def kernel_with_spectrum(shape, out_axis, seed):
    """A random kernel with singular values `40 * 0.8^i` and random singular vectors.

    Power iteration gains a factor `(s2 / s1)^2` per call: with this gap 20 calls converge far
    below the tolerance, whereas for a Gaussian kernel `s2 / s1` is often above 0.95.
    """
    rng = np.random.default_rng(seed)
    moved = list(shape)
    moved.append(moved.pop(out_axis))
    m = moved[-1]
    n = int(np.prod(moved[:-1]))
    left, _ = np.linalg.qr(rng.normal(size=(n, m)))
    right, _ = np.linalg.qr(rng.normal(size=(m, m)))
    matrix = left @ np.diag(40.0 * 0.8 ** np.arange(m)) @ right.T
    return np.moveaxis(matrix.reshape(moved), -1, out_axis).astype("float32")


@pytest.mark.parametrize(
    "layer, x, out_axis",
    [
        (keras.layers.Dense(16), rand(4, 32), -1),
        (keras.layers.Conv2D(16, 3), rand(2, 5, 5, 8), -1),
        (keras.layers.Conv2DTranspose(16, 3, strides=2), rand(2, 4, 4, 8), -2),
    ],
    ids=["dense", "conv2d", "conv2d_transpose"],
)
def test_training_calls_drive_the_spectral_norm_to_one(layer, x, out_axis):
    layer = SpectralNormalization(layer)
    layer(x)
    assert layer.u.shape == (1, 16)
    kernel = kernel_with_spectrum(layer.layer.kernel.shape, out_axis, seed=3)
    layer.layer.kernel.assign(kernel)
    assert top_singular_value(kernel, out_axis) == pytest.approx(40.0)
    for _ in range(20):
        layer(x, training=True)
    normalized = layer.normalized_kernel().numpy()
    assert top_singular_value(normalized, out_axis) == pytest.approx(1.0, abs=0.02)
    # normalized_kernel() is W / sigma with sigma from the stored u.
    sigma = np_sigma(kernel, layer.u.numpy(), out_axis)
    np.testing.assert_allclose(normalized, kernel / sigma, rtol=1e-5)
    assert np.linalg.norm(layer.u.numpy()) == pytest.approx(1.0, abs=1e-5)


def test_gaussian_kernel_converges_with_more_calls():
    layer, x = dense_sn(), rand(4, 32)
    kernel = layer.layer.kernel.numpy()
    assert top_singular_value(kernel) > 20.0
    for _ in range(150):
        layer(x, training=True)
    assert top_singular_value(layer.normalized_kernel().numpy()) == pytest.approx(1.0, abs=0.01)


def test_power_iterations_per_call():
    x = rand(4, 32)
    one, five = dense_sn(), dense_sn(power_iterations=5)
    five.layer.kernel.assign(one.layer.kernel)
    five.u.assign(one.u)
    for _ in range(5):
        one(x, training=True)
    five(x, training=True)
    np.testing.assert_allclose(one.u.numpy(), five.u.numpy(), atol=1e-6)


# --- state: u updates only in training, the kernel never ---------------------------------------


def test_inference_calls_do_not_change_u():
    layer, x = dense_sn(), rand(4, 32)
    layer(x, training=True)
    u = layer.u.numpy().copy()
    first = layer(x, training=False).numpy()
    second = layer(x).numpy()
    np.testing.assert_array_equal(layer.u.numpy(), u)
    np.testing.assert_array_equal(first, second)
    layer(x, training=True)
    assert not np.array_equal(layer.u.numpy(), u)


def test_kernel_is_never_overwritten():
    layer, x = dense_sn(), rand(4, 32)
    kernel = layer.layer.kernel.numpy().copy()
    for _ in range(3):  # e.g. reals, fakes, penalty points
        layer(x, training=True)
    np.testing.assert_array_equal(layer.layer.kernel.numpy(), kernel)
    inner = layer.layer
    assert [w.path for w in layer.trainable_weights] == [inner.kernel.path, inner.bias.path]
    assert [w.path for w in layer.non_trainable_weights] == [layer.u.path]


# --- forward pass and gradients -----------------------------------------------------------------


@pytest.mark.parametrize("training", [False, True])
def test_dense_forward_matches_numpy(training):
    layer, x = dense_sn(), rand(4, 32)
    layer(x, training=True)
    out = layer(x, training=training).numpy()
    kernel, bias, u = layer.layer.kernel.numpy(), layer.layer.bias.numpy(), layer.u.numpy()
    expected = x @ (kernel / np_sigma(kernel, u)) + bias  # u after this call's update
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "make_layer, x",
    [
        (
            lambda: keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
            rand(2, 7, 7, 3),
        ),
        (lambda: keras.layers.Conv1D(4, 3, padding="causal", dilation_rate=2), rand(2, 9, 3)),
        (lambda: keras.layers.Conv2DTranspose(4, 3, strides=2, padding="same"), rand(2, 4, 4, 3)),
    ],
    ids=["conv2d", "conv1d_causal", "conv2d_transpose"],
)
def test_conv_forward_equals_the_layer_with_the_normalized_kernel(make_layer, x):
    layer = SpectralNormalization(make_layer())
    out = layer(x, training=True).numpy()
    reference = make_layer()
    reference.build(x.shape)
    reference.set_weights([layer.normalized_kernel().numpy(), layer.layer.bias.numpy() + 0.0])
    np.testing.assert_allclose(out, reference(x).numpy(), rtol=1e-4, atol=1e-5)
    assert layer.compute_output_shape(x.shape) == reference.compute_output_shape(x.shape)


def test_gradients_reach_the_kernel_only_through_w():
    layer, x = dense_sn(), rand(4, 32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(x, training=True)))
    grads = tape.gradient(loss, layer.trainable_weights)
    kernel_grad = grads[0].numpy()
    assert np.all(np.isfinite(kernel_grad)) and np.abs(kernel_grad).max() > 0.0

    # d/dW of sum((x W / sigma + b)^2) with u, v held fixed, sigma = v W u^T (Miyato et al.).
    variables = (layer.layer.kernel, layer.layer.bias, layer.u)
    kernel, bias, u = (v.numpy().astype("float64") for v in variables)
    v = u @ kernel.T
    v /= np.linalg.norm(v)
    sigma = (v @ kernel @ u.T).item()
    y = x @ kernel / sigma + bias
    g_y = 2 * y
    expected = x.T @ g_y / sigma - (np.sum(g_y * (x @ kernel)) / sigma**2) * (v.T @ u)
    np.testing.assert_allclose(kernel_grad, expected, rtol=1e-3, atol=1e-4)


def test_zero_kernel_stays_finite():
    layer = SpectralNormalization(keras.layers.Dense(3, kernel_initializer="zeros"))
    out = layer(rand(2, 4), training=True).numpy()
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(layer.u.numpy()))


def test_activity_regularizer_of_the_inner_layer_is_kept():
    layer = SpectralNormalization(keras.layers.Dense(3, activity_regularizer="l2"))
    layer(rand(2, 4))
    assert len(layer.losses) == 1 and float(layer.losses[0]) > 0.0


def test_mixed_precision_computes_in_float16_with_float32_state():
    x = rand(4, 32)
    reference = dense_sn()
    reference(x, training=True)
    policy = keras.config.dtype_policy()
    keras.config.set_dtype_policy("mixed_float16")
    try:
        layer = SpectralNormalization(keras.layers.Dense(16))
        layer.build((None, 32))
    finally:
        keras.config.set_dtype_policy(policy)
    layer.set_weights(reference.get_weights())
    out = layer(x, training=False)
    assert out.dtype == tf.float16
    assert layer.u.dtype == "float32" and layer.layer.kernel.dtype == "float32"
    np.testing.assert_allclose(out.numpy(), reference(x).numpy(), rtol=2e-2, atol=2e-2)


def test_xla_training_call():
    layer, x = dense_sn(), rand(4, 32)
    u = layer.u.numpy().copy()
    out = tf.function(lambda t: layer(t, training=True), jit_compile=True)(tf.constant(x)).numpy()
    assert not np.array_equal(layer.u.numpy(), u)
    kernel, bias = layer.layer.kernel.numpy(), layer.layer.bias.numpy()
    expected = x @ (kernel / np_sigma(kernel, layer.u.numpy())) + bias
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_training_call_in_mirrored_strategy_replicas(mirrored_strategy):
    strategy = mirrored_strategy  # one MirroredStrategy per process, see conftest
    with strategy.scope():
        layer = SpectralNormalization(keras.layers.Dense(16, kernel_initializer=big()))
        layer.build((None, 32))
    u = layer.u.numpy().copy()
    x = tf.constant(rand(4, 32))

    @tf.function
    def step(lazy):
        def replica_fn(t):
            if lazy:  # as in a lazily regularised penalty: the update sits in a tf.cond
                return tf.cond(tf.constant(True), lambda: layer(t, training=True), lambda: layer(t))
            return layer(t, training=True)

        return strategy.run(replica_fn, args=(x,))

    for lazy in (False, True):
        outputs = strategy.experimental_local_results(step(lazy))
        assert len(outputs) == 2 and all(np.all(np.isfinite(o.numpy())) for o in outputs)
    replicas = [v.numpy() for v in strategy.experimental_local_results(layer.u.value)]
    np.testing.assert_allclose(replicas[0], replicas[1], atol=1e-6)
    assert not np.allclose(replicas[0], u)
    np.testing.assert_allclose(layer.u.numpy(), replicas[0], atol=1e-6)


# --- configuration and saving -------------------------------------------------------------------


def test_config_round_trip():
    conv = keras.layers.Conv2D(4, 3, strides=2)
    layer = SpectralNormalization(conv, power_iterations=2, eps=1e-8, name="sn")
    config = layer.get_config()
    restored = SpectralNormalization.from_config(config)
    assert restored.power_iterations == 2 and restored.eps == 1e-8 and restored.name == "sn"
    assert isinstance(restored.layer, keras.layers.Conv2D) and restored.layer.strides == (2, 2)
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == "keras_gans>SpectralNormalization"
    assert isinstance(keras.saving.deserialize_keras_object(serialized), SpectralNormalization)


def test_save_and_load_functional_model(tmp_path):
    inputs = keras.Input((6, 6, 3))
    x = SpectralNormalization(keras.layers.Conv2D(4, 3, strides=2, padding="same"))(inputs)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Flatten()(x)
    outputs = SpectralNormalization(keras.layers.Dense(1, kernel_initializer=big()))(x)
    model = keras.Model(inputs, outputs)
    images = rand(2, 6, 6, 3)
    for _ in range(3):
        model(images, training=True)
    path = str(tmp_path / "critic.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode
    sn_layers = [layer for layer in loaded.layers if isinstance(layer, SpectralNormalization)]
    assert len(sn_layers) == 2
    assert len(loaded.weights) == len(model.weights) == 6
    for a, b in zip(model.weights, loaded.weights):  # the u vectors, kernels and biases
        assert a.name == b.name
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(model(images).numpy(), loaded(images).numpy())


def test_invalid_arguments():
    with pytest.raises(ValueError, match="power_iterations"):
        SpectralNormalization(keras.layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="kernel"):
        SpectralNormalization(keras.layers.Flatten())(rand(2, 3))
