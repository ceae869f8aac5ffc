"""Scores of multi-domain models (StarGAN) on the held-out digits, translated into every style.

The held-out digits of the `styles` task (the 1,000 of the test split, each in its own style,
`keras_gans.data.translation`) are translated into each domain in turn; since the styles are
fixed transforms, each output has an exact target, the source digit drawn in that style. Per
domain (keys ending in `_<domain>`) and averaged over the domains (plain keys):

| key        | what                                                                              |
|------------|-----------------------------------------------------------------------------------|
| `l1`       | mean |output - target| with pixels in [0, 1]                                      |
| `psnr`     | `tf.image.psnr(output, target, max_val=1)`, averaged over the images (dB)          |
| `ssim`     | `tf.image.ssim(output, target, max_val=1)`, averaged                              |
| `accuracy` | share of outputs the MNIST classifier assigns to the source digit's class         |
| `fid`      | domain FID (classifier features) against the training digits drawn in the domain  |

The classifier sees the inverted style negated back to white on black (`as_digits`). The
reference (`keras-gans eval`) is the exact targets' own accuracy and FID.
"""

import numpy as np

from keras_gans.errors import UserError
from keras_gans.metrics.translation import MIN_PAIRS, TRANSLATION_METRICS, parse_translation_metrics, scores_as_digits
from keras_gans.utils.images import from_uint8

PIXEL_METRICS = ("l1", "psnr", "ssim")


def held_out_styles(n=None):
    """`(images, digits, labels)`: the held-out digits each in its own style (uint8), the same
    digits as they are (uint8) and their classes; the first `n` when given."""
    from keras_gans.data.translation import split_digits, style_domains, styled

    digits, labels = split_digits("test")
    images = styled(digits, style_domains(len(digits)))
    if n is not None:
        if n < MIN_PAIRS:
            raise UserError(f"--n must be at least {MIN_PAIRS} for translation scores, got {n}")
        images, digits, labels = images[:n], digits[:n], labels[:n]
    return images, digits, labels


def _check_domains(model):
    from keras_gans.data.translation import STYLES

    if list(getattr(model, "domains", ())) != list(STYLES):
        raise UserError(f"the styles task's domains are {', '.join(STYLES)}; this model's are "
                        f"{', '.join(getattr(model, 'domains', ())) or 'none'}")


def _domain_scores(name, outputs, digits, labels, extractor, metrics):
    """The `metrics` of `outputs` meant to be `digits` in style `name`."""
    from keras_gans.data.translation import as_digits, split_digits, style

    return scores_as_digits(outputs, from_uint8(style(digits, name)), labels, extractor, metrics,
                            lambda images: as_digits("styles", name, images),
                            lambda: from_uint8(style(split_digits("train")[0], name)))


def _with_means(per_domain, metrics):
    """`{key: mean over the domains}` followed by `{key_domain: value}`."""
    means = {key: float(np.mean([scores[key] for scores in per_domain.values()]))
             for key in TRANSLATION_METRICS if key in metrics}
    return {**means, **{f"{key}_{name}": scores[key] for name, scores in per_domain.items()
                        for key in TRANSLATION_METRICS if key in scores}}


def evaluate_domain_translation(model, metrics=None, n=None, extractor="mnist"):
    """`{key: value}` of a StarGAN on the held-out digits of the `styles` task (see the module
    docstring)."""
    _check_domains(model)
    metrics = parse_translation_metrics(metrics)
    images, digits, labels = held_out_styles(n)
    per_domain = {}
    for index, name in enumerate(model.domains):
        try:
            outputs = model.translate(images, domain=index)
        except ValueError as e:
            raise UserError(str(e)) from None
        if not np.isfinite(outputs).all():
            raise UserError("the generator produced NaN or infinite images: training diverged")
        per_domain[name] = _domain_scores(name, outputs, digits, labels, extractor, metrics)
    return _with_means(per_domain, metrics)


def domain_translation_reference(metrics=None, n=None, extractor="mnist"):
    """The exact targets' own accuracy and FID, per style and averaged (their pixel scores are
    perfect and left out)."""
    from keras_gans.data.translation import STYLES, style

    metrics = [m for m in parse_translation_metrics(metrics) if m not in PIXEL_METRICS]
    if not metrics:
        return {}
    _, digits, labels = held_out_styles(n)
    per_domain = {name: _domain_scores(name, from_uint8(style(digits, name)), digits, labels, extractor, metrics)
                  for name in STYLES}
    return _with_means(per_domain, metrics)


def class_kept_by_styles(model, n=None, extractor="mnist"):
    """`{source style: {target style: share}}`: the classifier's accuracy on the held-out digits
    of each source style translated into each target style (what the averages mix together)."""
    from keras_gans.data.translation import STYLES, as_digits, style_domains
    from keras_gans.metrics.extractor_lookup import get_extractor

    _check_domains(model)
    images, _, labels = held_out_styles(n)
    sources = style_domains(len(images))
    extractor = get_extractor(extractor)
    table = {name: {} for name in STYLES}
    for index, target in enumerate(STYLES):
        outputs = as_digits("styles", target, model.translate(images, domain=index))
        _, probabilities = extractor.features_and_probabilities(outputs, probabilities=True)
        kept = probabilities.argmax(1) == labels
        for source_index, source in enumerate(STYLES):
            table[source][target] = float(kept[sources == source_index].mean())
    return table
