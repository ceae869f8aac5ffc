"""Spectral normalisation of a layer's kernel that never overwrites the kernel."""

import keras
from keras import ops

from keras_gans.utils.serialization import register

_TRANSPOSED_CONVOLUTIONS = (
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
)


def l2_normalize(x, eps=1e-12):
    """`x / max(||x||_2, eps)`, the norm over all of `x`."""
    return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x))), eps)


def kernel_matrix(kernel, out_axis=-1):
    """The kernel as a `(fan_in, out_channels)` matrix, the out-channel axis being `out_axis`."""
    rank = len(kernel.shape)
    out_axis = out_axis % rank
    if out_axis != rank - 1:
        perm = [i for i in range(rank) if i != out_axis] + [out_axis]
        kernel = ops.transpose(kernel, perm)
    return ops.reshape(kernel, (-1, kernel.shape[-1]))


def power_iteration(matrix, u, iterations=1, eps=1e-12):
    """`iterations` steps of `v <- normalize(u W^T)`, `u <- normalize(v W)`; returns the new `u`.

    `matrix` is `(n, m)` and `u` is `(1, m)`; `u` converges to the top right-singular vector.
    """
    for _ in range(iterations):
        v = l2_normalize(ops.matmul(u, ops.transpose(matrix)), eps)
        u = l2_normalize(ops.matmul(v, matrix), eps)
    return u


def spectral_norm_estimate(matrix, u, eps=1e-12):
    """`sigma = v W u^T` with `v = normalize(u W^T)` (= `||W u^T||` for a unit `u`).

    `u` and `v` are constants for differentiation (Miyato et al.), so `d sigma / dW = v^T u`.
    """
    u = ops.stop_gradient(u)
    v = ops.stop_gradient(l2_normalize(ops.matmul(u, ops.transpose(matrix)), eps))
    return ops.sum(ops.matmul(v, matrix) * u)


def _unit_normal(shape, dtype=None):
    """A random unit vector: the initial `u`."""
    return l2_normalize(keras.initializers.RandomNormal(stddev=1.0)(shape, dtype=dtype))


@register
class SpectralNormalization(keras.layers.Wrapper):
    """Spectral normalisation of a layer's kernel (Miyato et al. 2018, arXiv:1802.05957).

    The forward pass uses `W_sn = W / sigma(W)`, where `sigma` is the largest singular value of the
    kernel `W` reshaped to a `(fan_in, out_channels)` matrix, so the layer is (about) 1-Lipschitz.
    `sigma = v W u^T` is estimated by power iteration with a persistent unit vector `u` of shape
    `(1, out_channels)`, stored as a non-trainable weight; gradients flow through `W` only.

    Each `training=True` call does `power_iterations` power-iteration steps from the stored `u`,
    stores the new `u`, and normalises with it. Other calls (`training=False` / `None`) use the
    stored `u` and change nothing. Every call therefore computes with
    `W / sigma(W, u_stored_after_the_call)`, which is what `normalized_kernel()` returns.

    Unlike `keras.layers.SpectralNormalization`, which assigns `W / sigma` into the kernel at every
    training call (so a discriminator called on reals and then on fakes normalises it twice, and
    the optimiser steps a normalised copy), the wrapped layer's kernel always holds the raw,
    trainable `W`: for the duration of the inner layer's call, its kernel variable reads as `W_sn`
    (a `keras.StatelessScope` substitution, much like `torch.nn.utils.parametrize`), and the inner
    layer's own `call` does the rest (strides, padding, bias, activation...).

    Works for the layers whose forward pass reads a `kernel` variable with the out channels last:
    `Dense`, `Conv1D/2D/3D` (`fan_in = prod(kernel_size) * in_channels`), and for
    `Conv1D/2D/3DTranspose` (whose out-channel axis is the kernel's axis -2). Under mixed precision
    `sigma` and `W / sigma` are computed in the variables' float32, and the inner layer casts
    `W / sigma` to its compute dtype as it does its own kernel.
    `u` is replica-local under `tf.distribute` (synchronisation on read, mean aggregation), so its
    update needs no cross-replica communication and may sit inside `tf.cond`.

    Args:
        layer: the layer to wrap, with a `kernel`.
        power_iterations: power-iteration steps per training call (1 in the paper).
        eps: floor of the norms divided by, so a zero kernel stays finite.
    """

    def __init__(self, layer, power_iterations=1, eps=1e-12, **kwargs):
        kwargs.setdefault("dtype", layer.dtype_policy)
        # No autocasting in this wrapper: the kernel and `u` are read in their variable dtype
        # (float32); the inner layer casts its inputs and the substituted kernel itself.
        super().__init__(layer, autocast=False, **kwargs)
        if int(power_iterations) < 1:
            raise ValueError(f"power_iterations must be >= 1, got {power_iterations}")
        self.power_iterations = int(power_iterations)
        self.eps = float(eps)
        self.out_axis = -2 if isinstance(layer, _TRANSPOSED_CONVOLUTIONS) else -1

    def build(self, input_shape):
        super().build(input_shape)
        kernel = getattr(self.layer, "kernel", None)
        if not isinstance(kernel, keras.Variable):
            raise ValueError(
                f"SpectralNormalization needs a layer whose `kernel` is a variable; "
                f"{type(self.layer).__name__} {self.layer.name!r} has kernel {kernel!r} "
                "(LoRA and quantised layers are not supported)."
            )
        # `add_weight` cannot set the synchronisation; a Variable attribute is tracked all the same.
        with keras.name_scope(self.name, caller=self):
            self.u = keras.Variable(
                initializer=_unit_normal,
                shape=(1, kernel.shape[self.out_axis]),
                dtype=kernel.dtype,
                trainable=False,
                autocast=False,
                synchronization="on_read",
                aggregation="mean",
                name="u",
            )
        self.u.regularizer = None  # the attributes `add_weight` sets
        self.u.constraint = None

    def _kernel_and_matrix(self):
        kernel = ops.convert_to_tensor(self.layer.kernel)
        return kernel, kernel_matrix(kernel, self.out_axis)

    def _normalize(self, kernel, matrix, u):
        sigma = spectral_norm_estimate(matrix, u, self.eps)
        return kernel / ops.maximum(sigma, self.eps)

    def normalized_kernel(self):
        """`W / sigma(W, u)` with the stored `u`: the kernel the last call computed with."""
        return self._normalize(*self._kernel_and_matrix(), ops.convert_to_tensor(self.u))

    def call(self, inputs, training=None):
        kernel, matrix = self._kernel_and_matrix()
        u = ops.convert_to_tensor(self.u)
        if training:
            u = ops.stop_gradient(power_iteration(matrix, u, self.power_iterations, self.eps))
            self.u.assign(u)
        kernel_sn = self._normalize(kernel, matrix, u)
        # The inner layer's call reads `kernel_sn` for its kernel and the current values of its
        # other variables (read here, so that the values of an enclosing StatelessScope hold).
        variable = self.layer.kernel
        mapping = [(variable, kernel_sn)] + [
            (v, v.value) for v in self.layer.variables if v is not variable
        ]
        scope = keras.StatelessScope(mapping, collect_losses=True, initialize_variables=False)
        with scope:
            outputs = self.layer(inputs)
        for loss in scope.losses:  # e.g. the inner layer's activity regulariser
            self.add_loss(loss)
        return outputs

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations, "eps": self.eps}
