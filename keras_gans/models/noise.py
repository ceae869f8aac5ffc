"""The distribution of a generator's noise z: N(0, I) (the default) or U[-1, 1].

U[-1, 1] is the noise of the DCGAN paper (Radford et al. 2016) and of InfoGAN's code (Chen et
al. 2016). It is not the same model with other numbers: beside other inputs of G (InfoGAN's
one-hot code, a label embedding) its variance, 1/3 of N(0, 1)'s, sets how much the noise weighs
against them, and its bounded support has no tails for G to map to rare, poor samples. A recipe
chooses it with `model.noise: uniform`.
"""

#: The noise distributions a family accepts as `noise=`.
NOISES = ("normal", "uniform")


def check_noise(noise):
    """`noise` if it names a distribution of `NOISES`; otherwise a `ValueError` naming them."""
    if noise not in NOISES:
        raise ValueError(f"unknown noise {noise!r}: use one of {', '.join(NOISES)}")
    return noise


def draw_noise(model, noise, name, shape, *indices):
    """This replica's rows of a global-batch draw of `noise` from `model`'s random stream `name`
    (`AdversarialModel.random_normal` / `random_uniform`); `shape` is the local `(batch, dim)`."""
    if noise == "uniform":
        return model.random_uniform(name, shape, *indices)
    return model.random_normal(name, shape, *indices)


def numpy_noise(noise, rng, shape):
    """float32 NumPy noise of `shape` drawn from the NumPy generator `rng` (sampling outside training)."""
    z = rng.uniform(-1.0, 1.0, shape) if noise == "uniform" else rng.standard_normal(shape)
    return z.astype("float32")
