"""Latent walks: points along the way between two latent vectors, for interpolation figures.

Spherical linear interpolation (slerp; Shoemake 1985, proposed for GAN latents by White 2016,
"Sampling Generative Networks") between `a` and `b` with `omega = arccos(<a, b> / (|a| |b|))`:

    slerp(a, b, t) = sin((1 - t) omega) / sin(omega) a + sin(t omega) / sin(omega) b

In many dimensions both N(0, I) and U[-1, 1]^d put nearly all their mass near a sphere
(|z| ~ sqrt(d) and sqrt(d / 3)); a straight line between two draws dips to |z| / sqrt(2) halfway,
where the generator has never been trained, while slerp keeps the norm (it interpolates between
the two norms). For uniform noise the points are clipped to [-1, 1], the noise's support.
"""

import numpy as np


def slerp(a, b, t):
    """Spherical interpolation between rows `a` and `b` (each (n, d)) at fractions `t` (shape
    (steps,)): an (n, steps, d) array; the rows' norms are interpolated linearly. Parallel vectors
    (omega ~ 0) fall back to the straight line."""
    a, b = np.asarray(a, "float64"), np.asarray(b, "float64")
    t = np.asarray(t, "float64")[None, :, None]
    norm_a = np.linalg.norm(a, axis=-1, keepdims=True)
    norm_b = np.linalg.norm(b, axis=-1, keepdims=True)
    unit_a = a / np.maximum(norm_a, 1e-12)
    unit_b = b / np.maximum(norm_b, 1e-12)
    omega = np.arccos(np.clip(np.sum(unit_a * unit_b, axis=-1, keepdims=True), -1.0, 1.0))[:, None]
    sin_omega = np.sin(omega)
    straight = sin_omega < 1e-6
    safe = np.where(straight, 1.0, sin_omega)
    direction = np.where(
        straight,
        (1 - t) * unit_a[:, None] + t * unit_b[:, None],
        np.sin((1 - t) * omega) / safe * unit_a[:, None] + np.sin(t * omega) / safe * unit_b[:, None],
    )
    direction /= np.maximum(np.linalg.norm(direction, axis=-1, keepdims=True), 1e-12)
    norm = (1 - t) * norm_a[:, None] + t * norm_b[:, None]
    return direction * norm


def latent_walks(start, end, steps, noise="normal"):
    """`steps` points from each row of `start` to the same row of `end` (both included) by
    `slerp`, as one float32 (rows * steps, d) array, row after row; clipped to [-1, 1] for
    `noise="uniform"`."""
    steps = int(steps)
    if steps < 2:
        raise ValueError(f"an interpolation needs at least 2 steps (its two ends), got {steps}")
    points = slerp(start, end, np.linspace(0.0, 1.0, steps))
    if noise == "uniform":
        points = np.clip(points, -1.0, 1.0)
    return points.reshape(-1, points.shape[-1]).astype("float32")
