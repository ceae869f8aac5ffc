"""f-GAN losses: variational divergence minimisation (Nowozin, Cseke & Tomioka 2016)."""

import math

from keras import ops

from keras_gans.losses.gan_loss import GANLoss, as_float32, reduce_mean
from keras_gans.utils.serialization import register

#: The supported f-divergences (`FDivergenceLoss(divergence=...)`).
DIVERGENCES = ("kl", "reverse_kl", "pearson", "js", "hellinger")

_LOG_2 = math.log(2.0)


def _standardize_divergence(divergence):
    name = str(divergence).lower()
    if name.startswith("f_"):
        name = name[2:]
    if name not in DIVERGENCES:
        raise ValueError(
            f"Unknown f-divergence {divergence!r}. Valid divergences: {', '.join(DIVERGENCES)}."
        )
    return name


def f_output_activation(logits, divergence):
    """The output activation `g_f(v)` of Nowozin et al. 2016, Table 6.

    It maps the discriminator's raw output `v` into the domain of the conjugate `f*`:

    - `kl`:         `g(v) = v`
    - `reverse_kl`: `g(v) = -exp(-v)`
    - `pearson`:    `g(v) = v`
    - `js`:         `g(v) = log 2 - log(1 + exp(-v)) = log 2 - softplus(-v)`
    - `hellinger`:  `g(v) = 1 - exp(-v)`  (squared Hellinger)

    Returns a float32 tensor of the shape of `logits`.
    """
    divergence = _standardize_divergence(divergence)
    v = as_float32(logits)
    if divergence in ("kl", "pearson"):
        return v
    if divergence == "reverse_kl":
        return -ops.exp(-v)
    if divergence == "js":
        return _LOG_2 - ops.softplus(-v)
    return 1.0 - ops.exp(-v)  # hellinger


def f_conjugate_of_activation(logits, divergence):
    """`f*(g_f(v))`: the Fenchel conjugate evaluated at the output activation, in closed form.

    - `kl`:         `f*(t) = exp(t - 1)`               -> `exp(v - 1)`
    - `reverse_kl`: `f*(t) = -1 - log(-t)`             -> `-1 + v`
    - `pearson`:    `f*(t) = t^2 / 4 + t`              -> `v^2 / 4 + v`
    - `js`:         `f*(t) = -log(2 - exp(t))`         -> `softplus(v) - log 2`
    - `hellinger`:  `f*(t) = t / (1 - t)`              -> `exp(v) - 1`

    The simplified right-hand sides are algebraically equal to the composition but avoid the
    log/exp round trips (`log(-(-exp(-v)))`, `log(2 - 2 sigmoid(v))`, `(1 - e^-v) / e^-v`) that lose
    precision or overflow to inf/nan at large `|v|`. Returns a float32 tensor of the shape of
    `logits`.
    """
    divergence = _standardize_divergence(divergence)
    v = as_float32(logits)
    if divergence == "kl":
        return ops.exp(v - 1.0)
    if divergence == "reverse_kl":
        return v - 1.0
    if divergence == "pearson":
        return 0.25 * ops.square(v) + v
    if divergence == "js":
        return ops.softplus(v) - _LOG_2
    return ops.exp(v) - 1.0  # hellinger


def f_divergence_discriminator_loss(real_logits, fake_logits, divergence="kl"):
    """`-(E_real[g_f(v)] - E_fake[f*(g_f(v))])`: minus the variational lower bound of D_f(P || Q).

    Float32 scalar.
    """
    return reduce_mean(f_conjugate_of_activation(fake_logits, divergence)) - reduce_mean(
        f_output_activation(real_logits, divergence)
    )


def f_divergence_generator_loss(fake_logits, divergence="kl"):
    """`-E_fake[g_f(v)]`: the practical (non-saturating) generator loss of Nowozin et al., Sec. 3.2.

    Float32 scalar.
    """
    return -reduce_mean(f_output_activation(fake_logits, divergence))


@register
class FDivergenceLoss(GANLoss):
    """f-GAN loss (Nowozin, Cseke & Tomioka 2016, arXiv:1606.00709).

    The discriminator's raw output `v` goes through a divergence-specific activation `g_f`
    (Table 6) and the pair maximises the variational lower bound of the f-divergence
    `D_f(P || Q) >= E_P[g_f(v)] - E_Q[f*(g_f(v))]`, `f*` being the Fenchel conjugate of `f`:

        L_D = -(E_x[g_f(D(x))] - E_z[f*(g_f(D(G(z))))])
        L_G = -E_z[g_f(D(G(z)))]

    The generator loss is the paper's practical alternative (Sec. 3.2) to minimising the bound,
    analogous to the non-saturating GAN loss.

    | divergence   | `g_f(v)`               | `f*(t)`             | `f*(g_f(v))` as computed |
    |--------------|------------------------|---------------------|--------------------------|
    | `kl`         | `v`                    | `exp(t - 1)`        | `exp(v - 1)`             |
    | `reverse_kl` | `-exp(-v)`             | `-1 - log(-t)`      | `v - 1`                  |
    | `pearson`    | `v`                    | `t^2 / 4 + t`       | `v^2 / 4 + v`            |
    | `js`         | `log 2 - softplus(-v)` | `-log(2 - exp(t))`  | `softplus(v) - log 2`    |
    | `hellinger`  | `1 - exp(-v)`          | `t / (1 - t)`       | `exp(v) - 1`             |

    (`hellinger` is the squared Hellinger distance.) The closed forms in the last column are exact
    simplifications of the composition, free of its overflow and cancellation. The losses are
    known by the string names `"f_kl"`, `"f_reverse_kl"`, `"f_pearson"`, `"f_js"` and
    `"f_hellinger"`; `name` is set per instance accordingly.

    Args:
        divergence: one of `"kl"`, `"reverse_kl"`, `"pearson"`, `"js"`, `"hellinger"`
            (an `"f_"` prefix is accepted). Default `"kl"`.
    """

    name = "f_kl"

    def __init__(self, divergence="kl"):
        self.divergence = _standardize_divergence(divergence)
        self.name = f"f_{self.divergence}"

    def discriminator_loss(self, real_output, fake_output):
        return f_divergence_discriminator_loss(real_output, fake_output, self.divergence)

    def generator_loss(self, real_output, fake_output):
        return f_divergence_generator_loss(fake_output, self.divergence)

    def get_config(self):
        return {"divergence": self.divergence}
