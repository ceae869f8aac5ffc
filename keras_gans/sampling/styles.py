"""StyleGAN's sampling in W: the truncation trick with a psi chosen per call, and style mixing.

A StyleGAN generator (`keras_gans.networks.stylegan`) is z -> `StyleMixing(mapping)` -> the
per-layer styles `ws` (batch, num_styles, w_dim) -> `Truncation` -> synthesis -> images. These
tools split it at the `Truncation` layer (sub-models sharing the generator's layers and weights),
so that the styles can be changed between the two halves:

- `truncated_images(generator, z, psi)`: `w_avg + psi * (w - w_avg)` (Karras et al. 2019,
  arXiv:1812.04948, Appendix B) with `psi` a tensor, for `GAN.generate(psi=...)` and the
  exported `*_psi` signatures (one SavedModel serves every psi);
- `mix_styles(generator, z_sources, z_destinations, crossover)`: the paper's style-mixing figure
  (Sec. 3.1, Fig. 3): the first `crossover` styles (the coarse resolutions) of each source with
  the remaining styles of each destination.
"""

import numpy as np

from keras_gans.layers.truncation import Truncation, truncate

_PARTS = "_keras_gans_style_parts"


def is_style_generator(generator):
    """Whether `generator` is a StyleGAN generator (a functional model with one `Truncation`)."""
    return _truncation_layer(generator) is not None


def _truncation_layer(generator):
    layers = [layer for layer in getattr(generator, "layers", ()) if isinstance(layer, Truncation)]
    return layers[0] if len(layers) == 1 and getattr(generator, "inputs", None) else None


def style_parts(generator):
    """`(styles, truncation, synthesis)` of a StyleGAN generator: `styles` z -> ws (untruncated),
    the `Truncation` layer (its `w_avg`, `cutoff`) and `synthesis` ws -> images, both models
    sharing the generator's layers. Raises ValueError for another generator."""
    truncation = _truncation_layer(generator)
    if truncation is None:
        raise ValueError(
            f"{getattr(generator, 'name', generator)!r} is not a StyleGAN generator: psi (the truncation "
            "trick) and style mixing need one (model.generator.name: stylegan)"
        )
    parts = getattr(generator, _PARTS, None)
    if parts is None:
        import keras

        styles = keras.Model(generator.inputs[0], truncation.input, name="styles")
        synthesis = keras.Model(truncation.output, generator.outputs[0], name="synthesis")
        parts = (styles, truncation, synthesis)
        object.__setattr__(generator, _PARTS, parts)  # not tracked: the generator owns the layers
    return parts


def num_styles(generator):
    """How many styles (AdaIN layers) the StyleGAN `generator` has."""
    return int(style_parts(generator)[1].input.shape[1])


def default_crossover(generator):
    """The paper's coarse styles (resolutions 4x4 and 8x8: the first 4 styles), or half the
    styles of a generator with fewer than 8."""
    styles = num_styles(generator)
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


def truncated_images(generator, z, psi):
    """Images of a StyleGAN `generator` for latents `z` with the truncation trick at `psi` (a
    float or a scalar tensor; 1 gives the generator's output without truncation) and the
    `Truncation` layer's `cutoff`. Outside training, as sampling is."""
    styles, truncation, synthesis = style_parts(generator)
    ws = styles(z, training=False)
    return synthesis(truncate(ws, truncation.w_avg, psi, truncation.cutoff), training=False)


def mix_styles(generator, z_sources, z_destinations, crossover=None, psi=1.0):
    """The style-mixing grid: `(len(z_sources), len(z_destinations), *image_shape)` float32, cell
    (i, j) with source i's first `crossover` styles (default `default_crossover`: the coarse
    ones, which set pose and shape) and destination j's other styles, truncated at `psi`."""
    from keras import ops

    styles, truncation, synthesis = style_parts(generator)
    count = num_styles(generator)
    crossover = default_crossover(generator) if crossover is None else int(crossover)
    if not 0 <= crossover <= count:
        raise ValueError(f"crossover must be between 0 and the generator's {count} styles, got {crossover}")
    z_sources = np.asarray(z_sources, "float32")
    z_destinations = np.asarray(z_destinations, "float32")
    sources = truncate(styles(z_sources, training=False), truncation.w_avg, check_psi(psi), truncation.cutoff)
    destinations = truncate(styles(z_destinations, training=False), truncation.w_avg, check_psi(psi),
                            truncation.cutoff)
    n, m = len(z_sources), len(z_destinations)
    coarse = (np.arange(count) < crossover)[None, None, :, None]
    mixed = ops.where(coarse, ops.expand_dims(sources, 1), ops.expand_dims(destinations, 0))
    images = synthesis(ops.reshape(mixed, (n * m, count, -1)), training=False)
    images = ops.convert_to_numpy(ops.cast(images, "float32"))
    return images.reshape((n, m) + images.shape[1:])
