"""2-D Gaussian mixtures used to measure mode collapse (Metz et al. 2017, VEEGAN, PacGAN).

"ring": 8 modes evenly spaced on the unit circle, standard deviation 0.01.
"grid": 25 modes at (-4 + 2i, -4 + 2j) for i, j in 0..4, standard deviation 0.05.

Each mode is equally likely; a sample is its mode's centre plus isotropic Gaussian noise.
"""

import dataclasses

import numpy as np

RING_SIGMA = 0.01
GRID_SIGMA = 0.05


def ring_centers():
    """The 8 ring modes, shape `(8, 2)` float32: angles `2*pi*k/8`, the first at `(1, 0)`."""
    angles = np.linspace(0.0, 2.0 * np.pi, 8, endpoint=False)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype("float32")


def grid_centers():
    """The 25 grid modes, shape `(25, 2)` float32: `(-4 + 2i, -4 + 2j)`, row-major in `i`."""
    coords = -4.0 + 2.0 * np.arange(5)
    xs, ys = np.meshgrid(coords, coords, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype("float32")


@dataclasses.dataclass(frozen=True, eq=False)
class Mixture:
    """A mixture of equally likely isotropic Gaussians: `centers` `(K, 2)` and a shared `sigma`."""

    name: str
    centers: np.ndarray
    sigma: float

    @property
    def num_modes(self):
        return len(self.centers)


def _frozen(array):
    array.setflags(write=False)
    return array


MIXTURES = {
    "ring": Mixture("ring", _frozen(ring_centers()), RING_SIGMA),
    "grid": Mixture("grid", _frozen(grid_centers()), GRID_SIGMA),
}


def get_mixture(name):
    """Returns the registered `Mixture` called `name` (a `Mixture` is returned unchanged)."""
    if isinstance(name, Mixture):
        return name
    if name not in MIXTURES:
        raise ValueError(f"Unknown mixture {name!r}. Valid names: {sorted(MIXTURES)}.")
    return MIXTURES[name]


def sample_mixture(name, n, seed=0):
    """Draws `n` points from the mixture `name` (or a `Mixture`): a NumPy `(n, 2)` float32 array.

    Deterministic given `seed`: each point picks a mode uniformly, then adds `sigma` * N(0, I).
    """
    mixture = get_mixture(name)
    rng = np.random.default_rng(seed)
    modes = rng.integers(mixture.num_modes, size=n)
    noise = rng.standard_normal((n, mixture.centers.shape[1]))
    points = mixture.centers[modes].astype("float64") + mixture.sigma * noise
    return points.astype("float32")
