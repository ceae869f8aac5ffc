"""What every class-conditional family shares: G(z, y), labels in [0, num_classes), sampling per
label, the per-class picture, labelled evaluation samples and the (z, labels) serving signatures."""

import numpy as np
import tensorflow as tf

from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.configuration import in_batches
from keras_gans.models.noise import check_noise, draw_noise, numpy_noise


class LabelConditionalModel(AdversarialModel):
    """A family whose generator maps `[z, labels]` to samples (CGAN, projection, ACGAN).

    Recipes train it on `(images, labels)` batches (`needs_labels`). Subclasses declare their
    `network_slots` and write `compile` and `train_step`.

    Args:
        generator: a `keras.Model` `[z (batch, latent_dim), labels int (batch,)] -> samples`.
        discriminator: the family's discriminator.
        latent_dim: size of z; read from the generator's first input when omitted.
        num_classes: number of labels (10 for MNIST).
        seed: seed of the random streams.
        noise: z's distribution, "normal" (N(0, I)) or "uniform" (U[-1, 1]; `keras_gans.models.noise`).
    """

    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"
    needs_labels = True

    def __init__(self, generator, discriminator, latent_dim=None, num_classes=10, seed=None, noise="normal",
                 **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        self.discriminator = discriminator
        if latent_dim is None:
            latent_dim = generator.inputs[0].shape[-1] if getattr(generator, "inputs", None) else None
            if latent_dim is None:
                raise ValueError("latent_dim could not be read from the generator's first input: pass latent_dim=...")
        self.latent_dim = int(latent_dim)
        self.noise = check_noise(noise, self.latent_dim)
        self.num_classes = int(num_classes)
        if self.num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
        self.ema_generator = None
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        classes = int(model.get("num_classes", 10))
        return {"generator": {"latent_dim": int(model.get("latent_dim", 64)), "num_classes": classes,
                              "output_shape": tuple(data_shape)},
                "discriminator": {"input_shape": tuple(data_shape), "num_classes": classes}}

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self):
        """The generator used for sampling: the EMA copy when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def sample_shape(self):
        outputs = getattr(self.generator, "outputs", None)
        return tuple(outputs[0].shape[1:]) if outputs else None

    def call(self, inputs, training=False):
        z, labels = inputs
        return tf.cast(self.sampler([z, labels], training=training), tf.float32)

    def check_labels(self, labels, n=None):
        """`labels` as int32 NumPy, checked to be in [0, num_classes); None gives `n` balanced labels
        (0, 1, ..., num_classes - 1, 0, 1, ...)."""
        if labels is None:
            return (np.arange(int(n)) % self.num_classes).astype("int32")
        array = np.asarray(labels)
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"labels must be a list of integer class ids, got {labels!r}")
        if len(array) and (array.min() < 0 or array.max() >= self.num_classes):
            raise ValueError(f"labels must be in [0, {self.num_classes}), got {sorted(set(array.tolist()))}")
        return array.astype("int32")

    def generate(self, n, seed=None, batch_size=256, labels=None, truncation=None):
        """`n` samples as NumPy, for `labels` (cycled to `n`; default every class in turn);
        `truncation` draws z with BigGAN's truncation trick (`noise.truncated_normal`)."""
        labels = self.check_labels(labels, n)
        if len(labels) != int(n):
            labels = np.resize(labels, int(n))
        z = numpy_noise(self.noise, np.random.default_rng(seed), (int(n), self.latent_dim), truncation)
        return in_batches(lambda z_, y_: self.call((z_, y_)), (z, labels), batch_size)

    def sample_picture(self, n, seed=None, centers=None, title=None, labels=None, truncation=None):
        """One row per label (`labels`, default every class), `n // rows` samples each."""
        from keras_gans.utils.images import image_grid

        rows = self.check_labels(list(range(self.num_classes)) if labels is None else labels)
        per_row = max(1, int(n) // len(rows))
        return image_grid(self.generate(len(rows) * per_row, seed, labels=np.repeat(rows, per_row),
                                        truncation=truncation), per_row)

    def interpolate(self, rows, steps, seed=None, batch_size=256):
        """`rows` latent walks of `steps` samples each between pairs of random z, the label fixed
        along a row (row i: class i mod num_classes); see `GAN.interpolate`."""
        from keras_gans.sampling.interpolation import latent_walks

        rows = int(rows)
        z = numpy_noise(self.noise, np.random.default_rng(seed), (2 * rows, self.latent_dim))
        walks = latent_walks(z[:rows], z[rows:], steps, self.noise)
        labels = np.repeat(np.arange(rows) % self.num_classes, int(steps)).astype("int32")
        return in_batches(lambda z_, y_: self.call((z_, y_)), (walks, labels), batch_size)

    def evaluation_samples(self, n, seed=0):
        """`(samples, labels)`: `n` samples with balanced labels, for conditional metrics."""
        labels = self.check_labels(None, n)
        return self.generate(int(n), seed=seed, labels=labels), labels

    def default_metrics(self, kind):
        return ("fid", "kid", "is", "pr", "cacc", "ifid") if kind == "images" else None

    def sample_generator_inputs(self, batch_size, name, *indices):
        """`(z, labels)` for one update: z ~ `noise` and uniform labels, global-batch draws."""
        return (draw_noise(self, self.noise, name, [batch_size, self.latent_dim], *indices),
                self.random_labels(f"{name}_labels", batch_size, self.num_classes, *indices))

    def serving_endpoints(self, max_num):
        """`serving_default` and `generate_uint8`: `z` float32 [batch, latent_dim] and `labels` int32
        [batch] -> `images`; a label outside [0, num_classes), a batch over `max_num` or z and labels
        of different lengths fail the request."""
        from keras_gans.models.serving_signatures import OUTPUT_KEY, checked_latent, index_checks, to_uint8_images

        generator, classes, latent_dim = self.sampler, self.num_classes, self.latent_dim

        def images(z, labels):
            z = checked_latent(z, latent_dim, max_num)
            with tf.control_dependencies(index_checks(labels, classes, "labels", z, "z")):
                return tf.cast(generator([z, labels], training=False), tf.float32)

        specs = [tf.TensorSpec([None, latent_dim], tf.float32, name="z"), tf.TensorSpec([None], tf.int32, name="labels")]
        return [generator], [
            ("serving_default", lambda z, labels: {OUTPUT_KEY: images(z, labels)}, specs),
            ("generate_uint8", lambda z, labels: {OUTPUT_KEY: to_uint8_images(images(z, labels))}, specs),
        ]
