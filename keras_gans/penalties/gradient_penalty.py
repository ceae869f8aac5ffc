"""Gradient penalties on the discriminator: WGAN-GP, one-sided GP, DRAGAN, R1 and R2."""

import tensorflow as tf

from keras_gans.penalties.penalty import Penalty
from keras_gans.utils import distribute
from keras_gans.utils.serialization import register

#: The modes `GradientPenalty` accepts.
MODES = ("two_sided", "one_sided", "dragan", "r1", "r2")

#: Added under the square root of the gradient norm: the derivative of `sqrt` at 0 is infinite, and
#: the norm is differentiated once more when the penalty is back-propagated to D's weights.
NORM_EPSILON = 1e-12


def batch_uniform(shape, seed=None):
    """U[0, 1] float32 samples of `shape`, whose first axis is the (replica's) batch.

    With a stateless `seed` (int32, shape `(2,)`) the global batch is drawn and the replica's rows
    are kept (`distribute.global_batch_sample`), so that the numbers do not depend on the number
    of replicas; without one, TF's stateful op draws them (each replica its own).
    """
    if seed is None:
        return tf.random.uniform(shape, dtype=tf.float32)
    return distribute.global_batch_sample(
        lambda global_shape: tf.random.stateless_uniform(global_shape, seed=seed), shape
    )


def per_sample_uniform(x, seed=None):
    """U[0, 1] samples of shape `(batch, 1, ..., 1)`: one per sample, broadcasting over `x`."""
    x = tf.convert_to_tensor(x)
    shape = tf.concat([tf.shape(x)[:1], tf.ones([x.shape.rank - 1], tf.int32)], axis=0)
    return batch_uniform(shape, seed)


def interpolate(real, fake, alpha):
    """The WGAN-GP points `alpha * real + (1 - alpha) * fake`, `alpha` e.g. `(B, 1, 1, 1)`."""
    return alpha * real + (1.0 - alpha) * fake


def dragan_perturb(real, alpha, noise, scale=0.5):
    """The DRAGAN points `real + alpha * scale * std(real) * noise`, `std` over the whole batch.

    `noise` has `real`'s shape (U[0, 1] in the paper's code) and `alpha` is per sample. Under a
    `tf.distribute` strategy `std` is that of the global batch (`distribute.global_std`).
    """
    std = tf.stop_gradient(distribute.global_std(real))
    return real + alpha * (scale * std * noise)


def input_gradients(critic, x):
    """`grad_x sum(D(x))`: the per-sample gradients of the critic w.r.t. its inputs, in float32.

    Recorded on the outer tapes too, so the result can be differentiated w.r.t. D's weights.
    """
    with tf.GradientTape() as tape:
        tape.watch(x)
        output = tf.cast(critic(x), tf.float32)
        total = tf.reduce_sum(output)
    return tf.cast(tape.gradient(total, x), tf.float32)


def squared_gradient_norm(gradients):
    """`||g||^2` per sample, summed over every non-batch axis. Shape `(batch,)`."""
    axes = list(range(1, gradients.shape.rank))
    return tf.reduce_sum(tf.square(gradients), axis=axes)


def gradient_norm(gradients):
    """`||g||_2` per sample, `sqrt(sum g^2 + NORM_EPSILON)` so its own gradient stays finite."""
    return tf.sqrt(squared_gradient_norm(gradients) + NORM_EPSILON)


def gradient_penalty_value(gradients, mode="two_sided", target=1.0):
    """The unweighted penalty of `mode` given the critic's gradients at the penalty points.

    two_sided / dragan: E[(||g|| - target)^2];  one_sided: E[max(0, ||g|| - target)^2];
    r1 / r2: 0.5 * E[||g||^2].
    """
    _check_mode(mode)
    if mode in ("r1", "r2"):
        return 0.5 * tf.reduce_mean(squared_gradient_norm(gradients))
    excess = gradient_norm(gradients) - target
    if mode == "one_sided":
        excess = tf.nn.relu(excess)
    return tf.reduce_mean(tf.square(excess))


def _check_mode(mode):
    if mode not in MODES:
        raise ValueError(
            f"Unknown gradient penalty mode {mode!r}. Valid modes: {', '.join(MODES)}."
        )


@register
class GradientPenalty(Penalty):
    """A penalty on the norm of the critic's input gradients, at points depending on `mode`.

    - `"two_sided"`, WGAN-GP (Gulrajani et al. 2017, arXiv:1704.00028): at interpolates
      `x^ = a * x + (1 - a) * G(z)`, `a ~ U[0, 1]` per sample, `E[(||grad D(x^)||_2 - target)^2]`.
    - `"one_sided"` (Petzka et al. 2018, arXiv:1709.08894; Gulrajani's appendix): same points,
      `E[max(0, ||grad D(x^)||_2 - target)^2]`: only gradients steeper than `target` are penalised.
    - `"dragan"` (Kodali et al. 2017, arXiv:1705.07215): around the data,
      `x^ = x + a * dragan_scale * std(x) * u`, `u ~ U[0, 1]` elementwise, `a ~ U[0, 1]` per
      sample, `E[(||grad D(x^)||_2 - target)^2]`.
    - `"r1"` (Mescheder et al. 2018, arXiv:1801.04406): `0.5 * E[||grad D(x)||^2]` on reals, so
      that `weight` is the paper's gamma. `"r2"`: the same on fakes.

    The norm is taken over every non-batch axis. The points are constants (`stop_gradient`): the
    penalty only reaches D's weights, by double back-propagation through an inner `GradientTape`.
    It costs one more forward and backward pass of D, on the penalty points. Computed in float32
    whatever the inputs' dtype (under mixed precision D's own passes run in its compute dtype, its
    input gradients and everything after them in float32).

    Randomness (`a`, `u`): with the stateless `seed` the GAN passes (derived from its seed and the
    step) the numbers are drawn for the global batch and sliced per replica, and DRAGAN's `std(x)`
    is that of the global batch, so one step on R replicas equals one step on one device. With
    `seed=None` (direct calls) TF's stateful random ops draw them.

    Args:
        weight: multiplier in the discriminator loss (10 for WGAN-GP and DRAGAN; gamma for R1/R2).
        mode: one of `MODES`.
        target: the gradient norm aimed at (WGAN-GP's 1; unused by r1/r2).
        interval: lazy regularisation interval (see `Penalty`), e.g. 16 for StyleGAN2's R1.
        dragan_scale: the `0.5` of DRAGAN's perturbation `0.5 * std(x) * u`.
        name: metric name of the unweighted value.
    """

    default_name = "gradient_penalty"

    def __init__(
        self,
        weight=10.0,
        mode="two_sided",
        target=1.0,
        interval=1,
        dragan_scale=0.5,
        name="gradient_penalty",
    ):
        _check_mode(mode)
        super().__init__(weight=weight, interval=interval, name=name)
        self.mode = mode
        self.target = float(target)
        self.dragan_scale = float(dragan_scale)

    def penalty_points(self, real, fake, seed=None):
        """The float32 points, shaped like `real`, at which the critic's gradient is penalised.

        `seed`: stateless RNG key of the random draws (see the class docstring), or None.
        """
        real = tf.stop_gradient(tf.cast(real, tf.float32))
        fake = tf.stop_gradient(tf.cast(fake, tf.float32))
        if self.mode == "r1":
            return real
        if self.mode == "r2":
            return fake
        alpha_seed = noise_seed = None
        if seed is not None:  # one independent key per draw
            alpha_seed, noise_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
        alpha = per_sample_uniform(real, alpha_seed)
        if self.mode == "dragan":
            noise = batch_uniform(tf.shape(real), noise_seed)
            return dragan_perturb(real, alpha, noise, self.dragan_scale)
        return interpolate(real, fake, alpha)

    def value_at(self, critic, points):
        """The unweighted penalty given the penalty points (see `penalty_points`)."""
        return gradient_penalty_value(input_gradients(critic, points), self.mode, self.target)

    def compute(self, context):
        return self.value_at(context.critic, self.penalty_points(context.real, context.fake, context.seed))

    def get_config(self):
        return {
            **super().get_config(),
            "mode": self.mode,
            "target": self.target,
            "dragan_scale": self.dragan_scale,
        }
