"""What every image-to-image family shares: a generator from source images to target images."""

import keras
import numpy as np
import tensorflow as tf

from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.configuration import in_batches


def as_model_images(images, what="images"):
    """uint8 images -> float32 in [-1, 1]; float images are checked to be in [-1, 1]."""
    from keras_gans.utils.images import from_uint8

    images = np.asarray(images)
    if images.dtype == np.uint8:
        return from_uint8(images)
    images = images.astype("float32")
    if images.size and (not np.isfinite(images).all() or np.abs(images).max() > 1.0 + 1e-3):
        raise ValueError(f"{what} must be uint8 or float in [-1, 1]")
    return images


class TranslationModel(AdversarialModel):
    """A family whose generator maps source images to target images, with no z (Pix2Pix...).

    It trains on `(sources, targets)` batches (`keras_gans.data` translation configs) and gives
    the family the generator's EMA copy as the `sampler`, `translate`, the input | output |
    target picture and the image -> image serving signatures.

    Args:
        generator: a `keras.Model` from sources (batch, H, W, C) to targets.
        seed: seed of the random streams drawn during training.
    """

    #: Families of this kind train on translation data (`keras_gans.data.is_translation`).
    translates = True
    #: `{direction: generator slot}`: the translations the family makes ("a2b": sources to
    #: targets; CycleGAN adds "b2a"). The first is the default.
    directions = {"a2b": "generator"}

    def __init__(self, generator, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.ema_generator = None

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        if source_shape is None:
            raise ValueError(f"{cls.__name__} trains on (source, target) pairs: give it translation data, "
                             "e.g. data: {translation: edges2digits} or {pairs: [config_a, config_b]}")
        return {"generator": {"input_shape": tuple(source_shape), "output_shape": tuple(data_shape)}}

    # ------------------------------------------------------------------ translating

    def translator(self, direction=None):
        """The generator of `direction` (default: the first of `directions`), its EMA copy when
        there is one; a ValueError naming the valid directions."""
        direction = next(iter(self.directions)) if direction is None else direction
        if direction not in self.directions:
            raise ValueError(f"{type(self).__name__} translates in direction(s) {', '.join(self.directions)}, "
                             f"not {direction!r}")
        return self.part(self.directions[direction])

    def part(self, slot):
        """Network `slot`, or its EMA copy when there is one."""
        average = getattr(self, f"ema_{slot}", None)
        return average if average is not None else getattr(self, slot)

    @property
    def sampler(self):
        """The generator used to translate: the EMA copy when there is one."""
        return self.translator()

    def call(self, sources, training=False):
        return keras.ops.cast(self.sampler(sources, training=training), "float32")

    def input_shape_of(self, direction=None):
        """The shape of one image `direction`'s generator takes."""
        inputs = getattr(self.translator(direction), "inputs", None)
        return tuple(inputs[0].shape[1:]) if inputs else None

    @property
    def source_shape(self):
        return self.input_shape_of()

    @property
    def sample_shape(self):
        outputs = getattr(self.generator, "outputs", None)
        return tuple(outputs[0].shape[1:]) if outputs else None

    def translate(self, sources, batch_size=256, direction=None):
        """The (EMA) generator's outputs for `sources` (uint8, or float in [-1, 1]) as float32
        NumPy in [-1, 1], in `direction` (see `directions`); a ValueError naming the expected
        shape for sources of another shape."""
        network = self.translator(direction)
        sources = self.checked_sources(sources, direction)
        return in_batches(lambda x: keras.ops.cast(network(x, training=False), "float32"), sources, batch_size)

    def checked_sources(self, sources, direction=None):
        """`sources` (uint8, or float in [-1, 1]) as float32 in [-1, 1]; a ValueError naming the
        expected shape for sources of another shape than `direction`'s generator takes."""
        sources = as_model_images(sources, "sources")
        expected = self.input_shape_of(direction)
        if sources.ndim != 4 or (expected is not None and tuple(sources.shape[1:]) != expected):
            raise ValueError(f"{type(self).__name__} translates images of shape (N, {', '.join(map(str, expected))}), "
                             f"got {sources.shape}")
        return sources

    def check_pair_shapes(self, sources, targets):
        """Raises a clear error when a batch's sources or targets do not fit the generator."""
        for what, tensor, expected in (("sources", sources, self.source_shape), ("targets", targets, self.sample_shape)):
            got = tuple(tensor.shape[1:])
            if expected is not None and None not in got and got != expected:
                raise ValueError(f"the dataset yields {what} of shape {got} but the generator works on {expected}: "
                                 "build the networks for the data (a recipe does)")

    # ------------------------------------------------------------------ the step's parts

    def judge(self, sources, images, name):
        """D's adversarial output for `images` translated from `sources`, after the D-input
        transforms (stream `name`); families whose D reads pairs or images alone define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define judge")

    def judge_by(self, discriminator, images, name):
        """`discriminator`'s adversarial output for `images` after the D-input transforms (stream
        `name`): for families with a discriminator per domain (CycleGAN, UNIT)."""
        return self.adversarial_output(self.call_network(discriminator, self.transform_d_input(images, name)))

    def discriminator_update(self, sources, targets, fakes):
        """D's update on the adversarial loss of the targets (real) against the fakes; returns it."""
        with tf.GradientTape() as tape:
            loss = self.gan_loss.discriminator_loss(self.judge(sources, targets, "d_real"),
                                                    self.judge(sources, tf.stop_gradient(fakes), "d_fake"))
        self.update("d", tape, loss)
        return loss

    def generator_adversarial_loss(self, sources, targets, fakes):
        """G's adversarial loss on its fakes (relativistic losses also read the targets)."""
        real = self.judge(sources, targets, "g_real") if self.gan_loss.uses_real_in_generator_loss else None
        return self.gan_loss.generator_loss(real, self.judge(sources, fakes, "g_fake"))

    # ------------------------------------------------------------------ what the tools ask

    def sample_picture(self, n, seed=None, centers=None, title=None, examples=None):
        """Rows of sources, their translations and their targets, 8 a row (sources smaller than the
        targets are enlarged by nearest neighbour). `examples` is `(sources, targets)` (uint8 or
        float in [-1, 1]); the first `n` are drawn. A family with a "b2a" direction adds the
        same rows translated back (targets, their translations, sources)."""
        from keras_gans.utils.images import image_grid

        if examples is None:
            raise ValueError(f"{type(self).__name__}'s picture needs examples=(sources, targets) to translate")
        sources, targets = (as_model_images(side[: int(n)]) for side in examples)
        columns = min(8, len(sources))
        rows = []
        for direction in self.directions:
            given, wanted = (sources, targets) if direction == "a2b" else (targets, sources)
            outputs = self.translate(given, direction=direction)
            shown = enlarge(given, outputs.shape[1])
            for start in range(0, len(given), columns):
                part = slice(start, start + columns)
                rows += [_pad_row(side[part], columns) for side in (shown, outputs, wanted)]
        return image_grid(np.concatenate(rows), columns)

    def interpolate(self, rows, steps, seed=None, batch_size=256):
        raise ValueError(f"{type(self).__name__} translates images: it has no latent space to interpolate in")

    def generate(self, n, seed=None, batch_size=256, **conditions):
        raise ValueError(f"{type(self).__name__} translates images rather than drawing them: use translate(sources) "
                         "(CLI: keras-gans translate RUN --in ... --out ...)")

    def serving_endpoints(self, max_num, direction=None):
        """The image -> image signatures of `direction`'s generator (export's `--direction`)."""
        from keras_gans.models.serving_signatures import translation_endpoints

        return translation_endpoints(self.translator(direction), self.input_shape_of(direction), max_num)


def enlarge(images, size):
    """`images` (N, h, w, C) repeated to (N, size, size, C) by nearest neighbour (size a multiple of h)."""
    factor = size // images.shape[1]
    return images if factor == 1 else np.repeat(np.repeat(images, factor, axis=1), factor, axis=2)


def _pad_row(images, columns):
    """`images` followed by black (-1) images up to `columns`."""
    missing = columns - len(images)
    if missing <= 0:
        return images
    return np.concatenate([images, -np.ones((missing, *images.shape[1:]), images.dtype)])
