"""The distribution of a generator's noise z: N(0, I) (the default), U[-1, 1], or a categorical part.

U[-1, 1] is the noise of the DCGAN paper (Radford et al. 2016) and of InfoGAN's code (Chen et
al. 2016). It is not the same model with other numbers: beside other inputs of G (InfoGAN's
one-hot code, a label embedding) its variance, 1/3 of N(0, 1)'s, sets how much the noise weighs
against them, and its bounded support has no tails for G to map to rare, poor samples. A recipe
chooses it with `model.noise: uniform`.

`categorical:K` makes z a mixture: its first K entries are the one-hot code of a category drawn
uniformly from K, the others N(0, 1). A continuous G maps a connected latent space to a connected
set, so between the modes of disconnected data (the 2-D mixtures) it must put some samples; with
a categorical part the latent space is K pieces, and G can give each its own mode (the "latent
distribution with a categorical part" of DeLiGAN, Gurumurthy et al. 2017, and of InfoGAN's code,
here without a mutual-information term). `latent_dim` counts both parts.
"""

import numpy as np

#: The noise distributions a family accepts as `noise=`, and the prefix of the categorical ones.
NOISES = ("normal", "uniform", "categorical:K")
CATEGORICAL = "categorical:"


def categories(noise):
    """K of `categorical:K`, else 0."""
    return int(noise[len(CATEGORICAL):]) if isinstance(noise, str) and noise.startswith(CATEGORICAL) else 0


def check_noise(noise, latent_dim=None):
    """`noise` if it names a distribution of `NOISES` (with `K >= 2` categories, fewer than
    `latent_dim` when given); otherwise a `ValueError` naming them."""
    if isinstance(noise, str) and noise.startswith(CATEGORICAL):
        count = noise[len(CATEGORICAL):]
        if not count.isdecimal() or not count.isascii() or int(count) < 2:
            raise ValueError(f"noise {noise!r}: write categorical:K with K >= 2 categories, e.g. categorical:8")
        if latent_dim is not None and int(count) >= int(latent_dim):
            raise ValueError(f"noise {noise!r} needs latent_dim > {int(count)} (the {int(count)} one-hot entries and "
                             f"at least one N(0, 1) entry), got latent_dim {latent_dim}")
        return noise
    if noise not in NOISES[:2]:
        raise ValueError(f"unknown noise {noise!r}: use one of {', '.join(NOISES)}")
    return noise


def draw_noise(model, noise, name, shape, *indices):
    """This replica's rows of a global-batch draw of `noise` from `model`'s random stream `name`
    (`AdversarialModel.random_normal` / `random_uniform` / `random_labels`); `shape` is the local
    `(batch, dim)`."""
    import tensorflow as tf

    if noise == "uniform":
        return model.random_uniform(name, shape, *indices)
    z = model.random_normal(name, shape, *indices)
    k = categories(noise)
    if not k:
        return z
    codes = model.random_labels(name + "_category", shape[0], k, *indices)
    return tf.concat([tf.one_hot(codes, k, dtype=z.dtype), z[:, k:]], axis=1)


def truncated_normal(rng, shape, truncation):
    """N(0, I) noise whose entries beyond `truncation` in magnitude are drawn again until none is:
    BigGAN's truncation trick (Brock et al. 2019, Sec. 4.1), which trades variety for quality as
    `truncation` goes down (the paper draws from 2.0 down to 0.04)."""
    if isinstance(truncation, bool) or not isinstance(truncation, (int, float)) or not truncation > 0:
        raise ValueError(f"truncation is the largest |z| kept, a number > 0 (e.g. 0.5), got {truncation!r}")
    z = rng.standard_normal(shape)
    outside = np.abs(z) > truncation
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > truncation
    return z.astype("float32")


def numpy_noise(noise, rng, shape, truncation=None):
    """float32 NumPy noise of `shape` drawn from the NumPy generator `rng` (sampling outside
    training); `truncation` draws N(0, I) noise with the truncation trick (`truncated_normal`)."""
    if truncation is not None:
        if noise != "normal":
            raise ValueError(f"the truncation trick redraws N(0, I) noise beyond a threshold; this generator's "
                             f"noise is {noise}")
        return truncated_normal(rng, shape, truncation)
    if noise == "uniform":
        return rng.uniform(-1.0, 1.0, shape).astype("float32")
    z = rng.standard_normal(shape)
    k = categories(noise)
    if k:
        z[:, :k] = np.eye(k)[rng.integers(0, k, shape[0])]
    return z.astype("float32")
