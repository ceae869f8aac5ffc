"""Scores of image-to-image models on held-out pairs: pixel error, PSNR, SSIM, kept class, FID.

| key        | what                                                                              |
|------------|-----------------------------------------------------------------------------------|
| `l1`       | mean |output - target| with pixels in [0, 1]                                      |
| `psnr`     | `tf.image.psnr(output, target, max_val=1)`, averaged over the images (dB)          |
| `ssim`     | `tf.image.ssim(output, target, max_val=1)` (11x11 Gaussian window), averaged      |
| `accuracy` | share of outputs the MNIST classifier assigns to the source digit's class         |
| `fid`      | domain FID (classifier features) of the outputs against the training targets     |

Models that translate both ways (CycleGAN) are scored in each direction (`l1_b2a`, ...) and on
`cycle_l1`, the mean |F(G(a)) - a| of the held-out sources translated there and back. Models of
the multi-domain `styles` task (StarGAN) are scored per domain (`keras_gans.metrics.domain_translation`). The
classifier sees images of the inverted-digits domain negated back to white on black
(`keras_gans.data.translation.as_digits`), so its scores mean the same on both sides.

`evaluate_translation` scores a model on a translation task's held-out digits (the 1,000 of the
test split, `keras_gans.data.translation`), which training never saw. The FID compares the outputs
with the targets of the training split (other digits, so a copy of the held-out targets does not
score 0, and as many as training saw). The reference beside each value (`keras-gans eval`) is the
held-out targets' own: the classifier's accuracy on them and their FID against the same
training targets.
"""

import numpy as np

from keras_gans.errors import UserError
from keras_gans.utils.images import from_uint8

TRANSLATION_METRICS = ("l1", "psnr", "ssim", "accuracy", "fid")
#: The fewest held-out pairs each score works with (FID needs two per half).
MIN_PAIRS = 4


def _unit(images):
    """Images in [-1, 1] -> float32 in [0, 1]."""
    return (np.asarray(images, "float32") + 1.0) / 2.0


def pixel_scores(outputs, targets):
    """`{"l1", "psnr", "ssim"}` of `outputs` against `targets` (both (N, H, W, C) in [-1, 1])."""
    import tensorflow as tf

    a, b = _unit(outputs), _unit(targets)
    if a.shape != b.shape:
        raise ValueError(f"outputs {a.shape} and targets {b.shape} differ in shape")
    return {"l1": float(np.abs(a - b).mean()),
            "psnr": float(tf.reduce_mean(tf.image.psnr(a, b, max_val=1.0)).numpy()),
            "ssim": float(tf.reduce_mean(tf.image.ssim(a, b, max_val=1.0)).numpy())}


def translation_scores(outputs, targets, labels=None, extractor="mnist", metrics=TRANSLATION_METRICS, real=None):
    """The `metrics` of `outputs` against `targets` (see the module docstring); `labels` (the
    source digits' classes) for `accuracy`; `real`, the images `fid` compares with (the targets
    when None)."""
    from keras_gans.metrics.extractor_lookup import get_extractor
    from keras_gans.metrics.frechet import frechet_distance

    results = {}
    if {"l1", "psnr", "ssim"} & set(metrics):
        results.update({k: v for k, v in pixel_scores(outputs, targets).items() if k in metrics})
    if {"accuracy", "fid"} & set(metrics):
        extractor = get_extractor(extractor)
        features, probabilities = extractor.features_and_probabilities(outputs, probabilities="accuracy" in metrics)
        if "accuracy" in metrics:
            if labels is None:
                raise ValueError("accuracy needs the source digits' labels")
            results["accuracy"] = float((probabilities.argmax(1) == np.asarray(labels)).mean())
        if "fid" in metrics:
            real = targets if real is None else real
            results["fid"] = float(frechet_distance(extractor.features(real).astype("float64"),
                                                    features.astype("float64")))
    return {key: results[key] for key in TRANSLATION_METRICS if key in results}


def held_out_pairs(data, n=None):
    """`(sources, targets, labels)` float / float / int of the held-out digits of a `translation`
    data config; the first `n` of them when given."""
    from keras_gans.data import data_config
    from keras_gans.data.translation import task_examples

    if not (isinstance(data, dict) and "translation" in data):
        raise UserError(f"translation models are scored on a translation task's held-out digits "
                        f"(data: {{translation: TASK}}), this run's data are {data!r}")
    data_config.sample_shape(data)  # checks the task
    if _is_styles(data):  # (images in their styles, the digits, labels)
        from keras_gans.metrics.domain_translation import held_out_styles

        return tuple(from_uint8(side) if side.dtype == np.uint8 else side for side in held_out_styles(n))
    sources, targets, labels = task_examples(data["translation"], "test")
    if n is not None:
        if not MIN_PAIRS <= n:
            raise UserError(f"--n must be at least {MIN_PAIRS} for translation scores, got {n}")
        sources, targets, labels = sources[:n], targets[:n], labels[:n]
    return from_uint8(sources), from_uint8(targets), labels


def _is_styles(data):
    """True for the multi-domain `styles` task (StarGAN), scored by `domain_translation`."""
    from keras_gans.data.translation import STYLES_TASK

    return isinstance(data, dict) and data.get("translation") == STYLES_TASK


def training_side(data, direction="a2b"):
    """The training split's images of the side `direction` translates to (the targets for "a2b",
    the sources for "b2a"), float in [-1, 1]: what `fid` compares with."""
    from keras_gans.data.translation import task_examples

    return from_uint8(task_examples(data["translation"], "train")[1 if direction == "a2b" else 0])


def _suffix(direction):
    """Result keys of "a2b" are plain (`l1`), those of other directions end in it (`l1_b2a`)."""
    return "" if direction == "a2b" else f"_{direction}"


def scores_as_digits(outputs, wanted, labels, extractor, metrics, view, real=None):
    """`translation_scores` with the pixel scores on the images as they are and the classifier's
    (accuracy, fid) on them seen through `view` (`as_digits` of their side: white-on-black
    digits); `real()` makes the images `fid` compares with (called only for `fid`)."""
    pixels = [m for m in metrics if m in ("l1", "psnr", "ssim")]
    classified = [m for m in metrics if m in ("accuracy", "fid")]
    scores = translation_scores(outputs, wanted, labels, extractor, pixels) if pixels else {}
    if classified:
        reference = view(real()) if "fid" in classified else None
        scores.update(translation_scores(view(outputs), view(wanted), labels, extractor, classified, reference))
    return {key: scores[key] for key in TRANSLATION_METRICS if key in scores}


def _scores_as_digits(data, direction, outputs, wanted, labels, extractor, metrics):
    """`scores_as_digits` of `direction`'s outputs, FID against the training side it translates to."""
    from keras_gans.data.translation import as_digits

    side = "b" if direction == "a2b" else "a"
    return scores_as_digits(outputs, wanted, labels, extractor, metrics,
                            lambda images: as_digits(data["translation"], side, images),
                            lambda: training_side(data, direction))


def parse_translation_metrics(metrics):
    """The tuple of translation metric names `metrics` asks for (None: all)."""
    if metrics is None:
        return TRANSLATION_METRICS
    names = [m.strip().lower() for m in (metrics.split(",") if isinstance(metrics, str) else metrics) if m.strip()]
    unknown = [m for m in names if m not in TRANSLATION_METRICS]
    if unknown or not names:
        raise UserError(f"unknown translation metric(s) {', '.join(unknown) or '(none given)'}: "
                        f"valid metrics are {', '.join(TRANSLATION_METRICS)}")
    return tuple(dict.fromkeys(names))


def evaluate_translation(model, data, metrics=None, n=None, extractor="mnist"):
    """`{key: value}` of a translation model on `data`'s held-out digits (see the module
    docstring), in each of its directions (keys of "b2a" end in `_b2a`); a model that translates
    both ways also gets `cycle_l1`, the mean |F(G(a)) - a| (pixels in [0, 1])."""
    if _is_styles(data):
        from keras_gans.metrics.domain_translation import evaluate_domain_translation

        return evaluate_domain_translation(model, metrics, n, extractor)
    metrics = parse_translation_metrics(metrics)
    sources, targets, labels = held_out_pairs(data, n)
    results = {}
    try:
        for direction in model.directions:
            given, wanted = (sources, targets) if direction == "a2b" else (targets, sources)
            outputs = model.translate(given, direction=direction)
            if not np.isfinite(outputs).all():
                raise UserError("the generator produced NaN or infinite images: training diverged")
            scores = _scores_as_digits(data, direction, outputs, wanted, labels, extractor, metrics)
            results.update({key + _suffix(direction): value for key, value in scores.items()})
        if "b2a" in model.directions:
            cycled = model.translate(model.translate(sources, direction="a2b"), direction="b2a")
            results["cycle_l1"] = float(np.abs(_unit(cycled) - _unit(sources)).mean())
    except ValueError as e:
        raise UserError(str(e)) from None
    return results


def translation_reference(data, metrics=None, n=None, extractor="mnist", directions=("a2b",)):
    """The held-out targets' own scores, per direction: the classifier's accuracy on them and their
    FID against the training side of the same domain (their pixel scores are perfect and left out)."""
    if _is_styles(data):
        from keras_gans.metrics.domain_translation import domain_translation_reference

        return domain_translation_reference(metrics, n, extractor)
    metrics = [m for m in parse_translation_metrics(metrics) if m in ("accuracy", "fid")]
    sources, targets, labels = held_out_pairs(data, n)
    results = {}
    for direction in directions if metrics else ():
        wanted = targets if direction == "a2b" else sources
        scores = _scores_as_digits(data, direction, wanted, wanted, labels, extractor, metrics)
        results.update({key + _suffix(direction): value for key, value in scores.items()})
    return results
