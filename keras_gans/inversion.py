"""GAN inversion: the latent vector whose sample looks like a given image (a top-level module: it
uses the metrics package's feature extractors, which the model packages below it must not).

For target images x, find z* = argmin_z  mean (G(z) - x)^2 + w_f |f(G(z)) - f(x)|^2 / |f(x)|^2
by gradient descent (Adam) on z, as in Zhu et al. 2016 ("Generative Visual Manipulation on the
Natural Image Manifold") and Creswell & Bharath 2018 ("Inverting the Generator of a GAN"): a
pixel term, plus a feature term from a network f that sees shape rather than pixel offsets (by
default the shipped MNIST classifier's features, for 1- or 3-channel square images; its squared
error is taken relative to the targets' squared feature norm so that `feature_weight` 1 weighs it
like the pixel term). z starts from the model's encoder when it has one (`encode`), otherwise
from the best of `candidates` random draws (the one nearest in pixels), and stays in the support
of the model's noise (clipped to [-1, 1] for uniform noise).

The generator is the model's sampler (its EMA copy when it has one), in inference mode. A StyleGAN
generator is inverted in W by default (`space="w"`, as Karras et al. 2020 project images into
StyleGAN2): one w per image, used for every style, optimised through the synthesis network alone
(`keras_gans.sampling.styles.style_parts`), starting from the w of the nearest random z. W is
the space the mapping network learned to make easy to move in; z behind an 8-layer mapping
network is hard to optimise.
"""

import numpy as np

#: Adam's moment decays and epsilon for the latent optimisation.
BETA_1, BETA_2, EPSILON = 0.9, 0.999, 1e-8


class Inversion:
    """What `invert` found: `latents` the (n, latent_dim) z* (or (n, w_dim) w* when `space` is
    "w"), `reconstructions` G(z*) in [-1, 1], `pixel_errors` (n,) mean squared pixel error of
    each, and `start_errors` those of the start."""

    def __init__(self, latents, reconstructions, pixel_errors, start_errors, space="z"):
        self.space = space
        self.latents = latents
        self.reconstructions = reconstructions
        self.pixel_errors = pixel_errors
        self.start_errors = start_errors

    def picture(self, targets, columns=8):
        """A uint8 grid: a row of targets, then the row of their reconstructions, and so on."""
        from keras_gans.metrics.extractors import as_image_batch
        from keras_gans.utils.images import image_grid

        targets = as_image_batch(targets)
        columns = min(int(columns), len(targets))
        rows = []
        for i in range(0, len(targets), columns):
            pair = [targets[i : i + columns], self.reconstructions[i : i + columns]]
            pad = columns - len(pair[0])  # a short last row: blank cells keep the columns aligned
            rows += [np.concatenate([p, -np.ones((pad, *p.shape[1:]), "float32")]) for p in pair]
        return image_grid(np.concatenate(rows), columns)


def invert(model, images, steps=300, learning_rate=0.05, feature_weight=1.0, extractor="default",
           candidates=256, seed=0, batch_size=256, space="auto"):
    """Finds z* with G(z*) close to each of `images` (see the module docstring).

    Args:
        model: a trained `GAN` (a generator of z alone) from `keras_gans.runs.load_run` or built.
        images: (n, H, W, C) in the model's sample shape, float in [-1, 1] or uint8.
        steps: Adam steps on z.
        learning_rate: Adam's step size.
        feature_weight: weight of the feature term; 0 for pixels only.
        extractor: "default" (the MNIST classifier for square 1- or 3-channel images, none
            otherwise), None, or a `keras_gans.metrics.extractors.FeatureExtractor`.
        candidates: random z tried per image for the start (without an encoder).
        seed: seed of the candidates.
        batch_size: images optimised together.
        space: "z", "w" (StyleGAN generators: one w for every style) or "auto" (w for StyleGAN
            generators, z otherwise).

    Returns:
        An `Inversion`; its `latents` are w vectors when inverted in W.
    """
    import tensorflow as tf

    space = _space(model, space)
    targets = _as_targets(model, images)
    steps, candidates = int(steps), int(candidates)
    if steps < 0 or candidates < 1:
        raise ValueError(f"invert needs steps >= 0 and candidates >= 1, got {steps} and {candidates}")
    features = _feature_network(extractor, targets.shape[1:]) if feature_weight else None
    generator, to_latent, low, high = model.sampler, None, -np.inf, np.inf
    if space == "w":
        generator, to_latent = _w_generator(model.sampler)
    elif model.noise == "uniform":
        low, high = -1.0, 1.0

    def generate(latent_rows):
        from keras_gans.utils.batches import in_batches

        return in_batches(lambda v: tf.cast(generator(v, training=False), tf.float32), latent_rows, batch_size)

    starts = _starting_latents(model, targets, candidates, seed, generate, to_latent)

    def loss_of(z, x, target_features, feature_norm):
        fakes = tf.cast(generator(z, training=False), tf.float32)
        pixel = tf.reduce_mean(_flat(tf.square(fakes - x)), axis=1)
        if features is None:
            return pixel
        feature = tf.reduce_sum(tf.square(features(fakes) - target_features), axis=1) / feature_norm
        return pixel + feature_weight * feature

    @tf.function(reduce_retracing=True)
    def optimise(z0, x):
        target_features = features(x) if features is not None else tf.zeros([tf.shape(x)[0], 1])
        feature_norm = tf.reduce_sum(tf.square(target_features), axis=1) + 1e-6
        z, m, v = z0, tf.zeros_like(z0), tf.zeros_like(z0)
        for t in tf.range(1, steps + 1):
            with tf.GradientTape() as tape:
                tape.watch(z)
                loss = tf.reduce_sum(loss_of(z, x, target_features, feature_norm))
            grad = tape.gradient(loss, z)
            m = BETA_1 * m + (1 - BETA_1) * grad
            v = BETA_2 * v + (1 - BETA_2) * tf.square(grad)
            t = tf.cast(t, tf.float32)
            step = learning_rate * (m / (1 - BETA_1**t)) / (tf.sqrt(v / (1 - BETA_2**t)) + EPSILON)
            z = tf.clip_by_value(z - step, low, high)
        return z

    latents = []
    size = min(int(batch_size), len(targets))
    for i in range(0, len(targets), size):
        x, z0 = targets[i : i + size], starts[i : i + size]
        rows = len(x)
        if rows < size:  # a short last batch, padded to the traced shape (the rows are independent)
            x, z0 = (np.take(a, np.arange(size) % rows, axis=0) for a in (x, z0))
        found = optimise(tf.constant(z0), tf.constant(x)).numpy() if steps else z0
        latents.append(found[:rows])
    latents = np.concatenate(latents).astype("float32")
    reconstructions = generate(latents)
    return Inversion(latents, reconstructions, _pixel_errors(reconstructions, targets),
                     _pixel_errors(generate(starts), targets), space)


def _space(model, space):
    from keras_gans.sampling import styles

    if not hasattr(model, "sampler"):
        return space  # _as_targets explains
    if space not in ("auto", "z", "w"):
        raise ValueError(f"space must be 'auto', 'z' or 'w', got {space!r}")
    style_generator = styles.is_style_generator(model.sampler)
    if space == "w" and not style_generator:
        raise ValueError("inversion in W needs a StyleGAN generator: use space='z' (keras-gans invert --space z)")
    return "w" if space == "w" or (space == "auto" and style_generator) else "z"


def _w_generator(generator):
    """`(w -> images, z -> w)` of a StyleGAN generator: its synthesis with one w for every style,
    and its mapping network outside training."""
    from keras import ops

    from keras_gans.sampling import styles

    mapping, _, synthesis = styles.style_parts(generator)
    count = styles.style_count(generator)

    def from_w(w, training=False):
        return synthesis(ops.repeat(ops.expand_dims(w, 1), count, axis=1), training=training)

    def to_w(z):
        return ops.convert_to_numpy(mapping(z, training=False))[:, 0]  # untruncated: W itself

    return from_w, to_w


def _as_targets(model, images):
    from keras_gans.metrics.extractors import as_image_batch

    if not hasattr(model, "latent") or not hasattr(model, "sampler"):
        raise ValueError(f"invert takes a model whose generator maps z alone to a sample (a GAN); "
                         f"{type(model).__name__}'s generator takes more inputs")
    targets = as_image_batch(images, "images to invert")
    if model.sample_shape is not None and tuple(targets.shape[1:]) != tuple(model.sample_shape):
        raise ValueError(f"the images are {tuple(targets.shape[1:])}, the model makes "
                         f"{tuple(model.sample_shape)}: give images of the model's shape")
    return targets.astype("float32")


def _feature_network(extractor, shape):
    """A differentiable `images -> (n, d) features` function, or None."""
    if extractor == "default":
        height, width, channels = shape
        if height != width or channels not in (1, 3):
            return None
        from keras_gans.metrics.extractors import MNISTFeatureExtractor

        extractor = MNISTFeatureExtractor()
    if extractor is None:
        return None

    def features(images):
        outputs = extractor.model(extractor.preprocess(images), training=False)
        outputs = outputs[0] if isinstance(outputs, (list, tuple)) else outputs
        return _flat(outputs)

    return features


def _flat(tensor):
    import tensorflow as tf

    return tf.reshape(tensor, [tf.shape(tensor)[0], -1])


def _starting_latents(model, targets, candidates, seed, generate, to_latent=None):
    """The encoder's codes, or per target the nearest (in pixels, through `generate`) of
    `candidates` random z; `to_latent` maps them to the optimised space (w), if not z."""
    if hasattr(model, "encode"):
        pool = np.asarray(model.encode(targets), "float32")
        return pool if to_latent is None else to_latent(pool)
    pool = model.latent(candidates, seed)
    if to_latent is not None:
        pool = to_latent(pool)
    samples = generate(pool).reshape(candidates, -1)
    flat = targets.reshape(len(targets), -1)
    distances = (np.sum(flat**2, axis=1, keepdims=True) - 2 * flat @ samples.T + np.sum(samples**2, axis=1)[None])
    return pool[np.argmin(distances, axis=1)]


def _pixel_errors(reconstructions, targets):
    return np.mean(np.square(reconstructions - targets).reshape(len(targets), -1), axis=1)
