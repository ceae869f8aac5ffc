"""StyleGAN's sampling in W: the truncation trick with a psi chosen per call, and style mixing.

A StyleGAN generator (`keras_gans.networks.stylegan`) is z -> `StyleMixing(mapping)` -> the
per-layer styles `ws` (batch, num_styles, w_dim) -> `Truncation` -> synthesis -> images. These
tools split it at the `Truncation` layer (sub-models sharing the generator's layers and weights),
so that the styles can be changed between the two halves:

- `truncated_images(generator, z, psi)`: `w_avg + psi * (w - w_avg)` (Karras et al. 2019,
  arXiv:1812.04948, Appendix B) with `psi` a float or a tensor, for `GAN.generate(psi=...)` and
  the exported `*_psi` signatures (one SavedModel serves every psi);
- `mix_styles(generator, z_sources, z_destinations, crossover)`: the paper's style mixing (Sec.
  3.1, Fig. 3; `generate_figures.py` of its code): each destination with the first `crossover`
  styles (the coarse resolutions) copied from each source.
"""

import weakref

import numpy as np

from keras_gans.layers.truncation import truncate
from keras_gans.networks.stylegan import truncation_layers
from keras_gans.utils.batches import in_batches

#: generator -> (styles, truncation, synthesis), built once per generator, not saved with it.
_PARTS = weakref.WeakKeyDictionary()


def is_style_generator(generator):
    """Whether `generator` is a StyleGAN generator (a functional model with one `Truncation`)."""
    return getattr(generator, "inputs", None) is not None and len(truncation_layers(generator)) == 1


def style_parts(generator):
    """`(styles, truncation, synthesis)` of a StyleGAN generator: `styles` z -> ws (untruncated),
    the `Truncation` layer (its `w_avg`, `psi`, `cutoff`) and `synthesis` ws -> images, both models
    sharing the generator's layers. Raises ValueError for another generator."""
    if not is_style_generator(generator):
        raise ValueError(
            f"{getattr(generator, 'name', generator)!r} is not a StyleGAN generator: psi (the truncation "
            "trick), style mixing and inversion in W need one (model.generator.name: stylegan)"
        )
    if generator not in _PARTS:
        import keras

        truncation = truncation_layers(generator)[0]
        styles = keras.Model(generator.inputs[0], truncation.input, name="styles")
        synthesis = keras.Model(truncation.output, generator.outputs[0], name="synthesis")
        _PARTS[generator] = (styles, truncation, synthesis)
    return _PARTS[generator]


def style_count(generator):
    """How many styles (AdaIN layers) the StyleGAN `generator` has."""
    return int(style_parts(generator)[1].input.shape[1])


def default_crossover(generator):
    """The paper's coarse styles (resolutions 4x4 and 8x8: the first 4 styles), or half the
    styles of a generator with fewer than 8 (below 32x32)."""
    styles = style_count(generator)
    return 4 if styles >= 8 else styles // 2


def check_psi(psi):
    """`psi` as a float, refusing values that are not finite numbers."""
    try:
        value = float(psi)
    except (TypeError, ValueError):
        raise ValueError(f"psi must be a number (1: no truncation, 0: the average image), got {psi!r}") from None
    if not np.isfinite(value):
        raise ValueError(f"psi must be finite, got {psi!r}")
    return value


def check_latents(generator, z, name="z"):
    """`z` as a float32 (n >= 1, latent_dim) array for `generator`, or a one-line ValueError."""
    z = np.asarray(z, "float32")
    latent_dim = generator.inputs[0].shape[-1]
    if z.ndim != 2 or len(z) < 1 or z.shape[1] != latent_dim:
        raise ValueError(f"{name} must have shape (n >= 1, {latent_dim}), got {z.shape}")
    return z


def styles_of(generator, z, psi=None):
    """The styles (n, num_styles, w_dim) of latents `z`, truncated at `psi` (a float or a scalar
    tensor; None: the `Truncation` layer's own psi) with the layer's `cutoff`; outside training."""
    styles, truncation, _ = style_parts(generator)
    psi = truncation.psi if psi is None else psi
    return truncate(styles(z, training=False), truncation.w_avg, psi, truncation.cutoff)


def truncated_images(generator, z, psi):
    """Images of a StyleGAN `generator` for latents `z` with the truncation trick at `psi` (1:
    none, whatever the `Truncation` layer's own psi) and the layer's `cutoff`."""
    return style_parts(generator)[2](styles_of(generator, z, psi), training=False)


def mix_styles(generator, z_sources, z_destinations, crossover=None, psi=None, batch_size=256):
    """Style mixing: `(len(z_destinations), len(z_sources), *image_shape)` float32; cell (j, i) is
    destination j with its first `crossover` styles (default `default_crossover`: the coarse
    ones, which set pose and shape) taken from source i, as the rows of the paper's Fig. 3. Both
    are truncated at `psi` (None: the generator's own psi)."""
    from keras import ops

    count = style_count(generator)
    crossover = default_crossover(generator) if crossover is None else crossover
    if isinstance(crossover, bool) or not isinstance(crossover, (int, np.integer)) or not 0 <= crossover <= count:
        raise ValueError(f"crossover must be a whole number between 0 and the generator's {count} styles, "
                         f"got {crossover!r}")
    psi = None if psi is None else check_psi(psi)
    sources = ops.convert_to_numpy(styles_of(generator, check_latents(generator, z_sources, "z_sources"), psi))
    destinations = ops.convert_to_numpy(
        styles_of(generator, check_latents(generator, z_destinations, "z_destinations"), psi))
    coarse = (np.arange(count) < crossover)[None, None, :, None]
    mixed = np.where(coarse, sources[None], destinations[:, None])  # (destinations, sources, styles, w_dim)
    rows, columns = mixed.shape[:2]
    synthesis = style_parts(generator)[2]
    images = in_batches(lambda ws: ops.cast(synthesis(ws, training=False), "float32"),
                        mixed.reshape((rows * columns,) + mixed.shape[2:]), batch_size)
    return images.reshape((rows, columns) + images.shape[1:])
