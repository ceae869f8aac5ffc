"""InfoGAN (Chen et al. 2016, arXiv 1606.03657): latent codes that the samples must reveal to Q."""

import numpy as np
import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.losses.mutual_information import categorical_mutual_information, gaussian_code_log_likelihood
from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.configuration import in_batches
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.noise import check_noise, draw_noise, numpy_noise
from keras_gans.models.registry import register_model


def check_scale(name, value):
    """`value` as a float if it is a number > 0, else a `ValueError` naming `name`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} multiplies an input of G, a number > 0 (e.g. 0.3), got {value!r}")
    return float(value)


@register_model("infogan")
class InfoGAN(AdversarialModel):
    """G(z, c) with one categorical code (`categories` values) and `continuous` codes in [-1, 1]
    beside the noise z; D's body also feeds Q's heads, which predict the codes from a sample.

    The generator's input is the vector `[z, one_hot(c), c']` (z and c' scaled, see below). One
    `train_step`:

    1. sample z, c, c'; x' = G(z, c, c');
    2. D: adversarial loss on reals and fakes minus `info_weight` * L_I on the fakes (Q's heads
       learn to read the codes); apply D (body and Q);
    3. sample again; G: adversarial loss minus `info_weight` * L_I (G makes its codes readable);
       apply G; EMA.

    `L_I = categorical_mutual_information(c, Q_cat(x')) + continuous_weight *
    gaussian_code_log_likelihood(c', Q_cont(x'))`, the variational lower bound of the paper (its
    lambda: 1 for the categorical code; the continuous codes get `continuous_weight`, 0.1 here).

    Args:
        generator: a `keras.Model` `(batch, noise_dim + categories + continuous) -> samples`.
        discriminator: `samples -> {"logits", "category", "continuous"}` (`info_discriminator`).
        noise_dim: size of z; read from the generator's input when omitted.
        categories, continuous: the codes (10 and 2 on MNIST).
        noise: z's distribution, "normal" (N(0, I)) or "uniform" (U[-1, 1], as the paper's code).
        noise_scale, continuous_scale: G takes `noise_scale * z` and `continuous_scale * c'`
            (0.3: U[-0.3, 0.3] for uniform noise and codes); z and c' themselves, as Q reads them
            and the SavedModel takes them, stay drawn from `noise` and U[-1, 1]. Below 1 they
            weigh less against the one-hot code at G's input: G then draws each categorical value
            as one cluster (ClusterGAN, Mukherjee et al. 2019, draws its noise from N(0, 0.1^2)
            beside the one-hot code for the same reason) instead of letting a continuous code
            turn one digit into another along its range; too small, and a code's samples vary little.
    """

    network_slots = {"generator": "generator", "discriminator": "info_discriminator"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"
    adapts_d_input_transforms = True

    def __init__(self, generator, discriminator, noise_dim=None, categories=10, continuous=2, noise="normal",
                 noise_scale=1.0, continuous_scale=1.0, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator, self.discriminator = generator, discriminator
        self.categories, self.continuous = int(categories), int(continuous)
        inputs = generator.inputs[0].shape[-1] if getattr(generator, "inputs", None) else None
        self.noise_dim = int(noise_dim if noise_dim is not None else inputs - self.categories - self.continuous)
        self.noise = check_noise(noise, self.noise_dim)
        self.noise_scale = check_scale("noise_scale", noise_scale)
        self.continuous_scale = check_scale("continuous_scale", continuous_scale)
        if inputs is not None and inputs != self.latent_dim:
            raise ValueError(f"the generator takes {inputs} inputs but noise_dim + categories + continuous is "
                             f"{self.latent_dim}")
        self.ema_generator = None
        self._mark_built()

    @property
    def latent_dim(self):
        """The generator's input size: noise, one-hot category and continuous codes."""
        return self.noise_dim + self.categories + self.continuous

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        codes = int(model.get("categories", 10)) + int(model.get("continuous", 2))
        return {"generator": {"latent_dim": int(model.get("noise_dim", 62)) + codes, "output_shape": tuple(data_shape)},
                "discriminator": {"input_shape": tuple(data_shape), "categories": int(model.get("categories", 10)),
                                  "continuous": int(model.get("continuous", 2))}}

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", info_weight=1.0,
                continuous_weight=0.1, ema_decay=None, ema_warmup=True, instance_noise=None, augment=(),
                jit_compile="auto", precision="float32", **kwargs):
        check_decay(ema_decay)
        self.gan_loss = losses_module.get(loss)
        self.info_weight, self.continuous_weight = float(info_weight), float(continuous_weight)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss", "categorical_mi", "continuous_ll"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.add_average("generator", ema_decay, ema_warmup)

    # ------------------------------------------------------------------ codes

    def generator_input(self, z, category, continuous):
        """`[noise_scale * z, one_hot(category), continuous_scale * continuous]`, G's input vector."""
        return tf.concat([self.noise_scale * tf.cast(z, tf.float32), tf.one_hot(category, self.categories),
                          self.continuous_scale * tf.cast(continuous, tf.float32)], axis=-1)

    def sample_generator_inputs(self, batch_size, name, *indices):
        """`(z, category, continuous)`: z ~ `noise`, a uniform category, codes ~ U[-1, 1]."""
        z = draw_noise(self, self.noise, name, tf.stack([batch_size, self.noise_dim]), *indices)
        return (z, self.random_labels(f"{name}_category", batch_size, self.categories, *indices),
                self.random_uniform(f"{name}_continuous", tf.stack([batch_size, self.continuous]), *indices))

    def draw_noise(self, rng, n):
        """`(n, noise_dim)` float32 noise from numpy generator `rng` (for sampling outside training)."""
        return numpy_noise(self.noise, rng, (int(n), self.noise_dim))

    def information(self, heads, category, continuous):
        """`(categorical MI bound, continuous log-likelihood)` of Q's heads for the codes (0 without
        continuous codes)."""
        mi = categorical_mutual_information(category, heads["category"])
        if not self.continuous:
            return mi, tf.zeros_like(mi)
        return mi, gaussian_code_log_likelihood(continuous, heads["continuous"])

    # ------------------------------------------------------------------ the algorithm

    def train_step(self, data):
        real, _ = self.unpack(data)
        batch = tf.shape(real)[0]
        z, category, continuous = self.sample_generator_inputs(batch, "latent")
        fake = self.call_network(self.generator, self.generator_input(z, category, continuous))
        real_in = self.transform_d_input(real, "d_input", 0)
        fake_in = self.transform_d_input(fake, "d_input", 1)
        with tf.GradientTape() as tape:
            real_heads, fake_heads = self.call_network(self.discriminator, real_in), self.call_network(
                self.discriminator, fake_in)
            d_loss = self.gan_loss.discriminator_loss(real_heads["logits"], fake_heads["logits"])
            mi, ll = self.information(fake_heads, category, continuous)
            d_total = d_loss - self.info_weight * (mi + self.continuous_weight * ll)
        self.update("d", tape, d_total)
        self.adapt_d_input_transforms(real_heads["logits"])

        z, category, continuous = self.sample_generator_inputs(batch, "latent_g")
        with tf.GradientTape() as tape:
            fake = self.call_network(self.generator, self.generator_input(z, category, continuous))
            heads = self.call_network(self.discriminator, self.transform_d_input(fake, "d_input_g", 1))
            g_loss = self.gan_loss.generator_loss(None, heads["logits"])
            mi, ll = self.information(heads, category, continuous)
            g_total = g_loss - self.info_weight * (mi + self.continuous_weight * ll)
        self.update("g", tape, g_total)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "categorical_mi": mi, "continuous_ll": ll})

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self):
        return self.ema_generator if self.ema_generator is not None else self.generator

    @property
    def sample_shape(self):
        return tuple(self.generator.outputs[0].shape[1:])

    def generate(self, n, seed=None, batch_size=256, category=None, continuous=None):
        """`n` samples; `category` (cycled; default every value in turn) and `continuous` `(n, k)`
        (default U[-1, 1]) fix the codes."""
        rng = np.random.default_rng(seed)
        n = int(n)
        z = self.draw_noise(rng, n)
        category = np.resize(np.arange(self.categories) if category is None else np.asarray(category), n)
        if category.min() < 0 or category.max() >= self.categories:
            raise ValueError(f"category must be in [0, {self.categories}), got {sorted(set(category.tolist()))}")
        if continuous is None:
            continuous = rng.uniform(-1.0, 1.0, (n, self.continuous))
        continuous = np.asarray(continuous, "float32").reshape(n, self.continuous)
        return self._generate_from(z, category.astype("int32"), continuous, batch_size)

    def _generate_from(self, z, category, continuous, batch_size):
        return in_batches(lambda z_, c_, k_: tf.cast(self.sampler(self.generator_input(z_, c_, k_), training=False),
                                                    tf.float32), (z, category, continuous), batch_size)

    def sample_picture(self, n, seed=None, centers=None, title=None, codes=True):
        """The paper's figure: one row per category value; along the row continuous code 0 sweeps
        [-1, 1] (the other codes 0), the noise fixed per row."""
        from keras_gans.utils.images import image_grid

        if len(self.sample_shape) == 1:  # points: a scatter plot of n samples, categories in turn
            return super().sample_picture(n, seed=seed, centers=centers, title=title)
        columns = max(2, int(n) // self.categories)
        category = np.repeat(np.arange(self.categories), columns)
        continuous = np.zeros((len(category), self.continuous), "float32")
        continuous[:, :1] = np.tile(np.linspace(-1.0, 1.0, columns), self.categories)[:, None]
        rng = np.random.default_rng(seed)
        z = np.repeat(self.draw_noise(rng, self.categories), columns, axis=0)
        samples = self._generate_from(z, category.astype("int32"), continuous, 256)
        return image_grid(samples, columns)

    def interpolate(self, rows, steps, seed=None, batch_size=256):
        """`rows` walks of `steps` samples each between pairs of random noise vectors, the codes
        fixed along a row (row i: category i mod categories, continuous codes drawn once)."""
        from keras_gans.sampling.interpolation import latent_walks

        rows, steps = int(rows), int(steps)
        rng = np.random.default_rng(seed)
        z = self.draw_noise(rng, 2 * rows)
        walks = latent_walks(z[:rows], z[rows:], steps, self.noise)
        category = np.repeat(np.arange(rows) % self.categories, steps).astype("int32")
        continuous = np.repeat(rng.uniform(-1.0, 1.0, (rows, self.continuous)), steps, axis=0).astype("float32")
        return self._generate_from(walks, category, continuous, batch_size)

    def evaluation_samples(self, n, seed=0):
        """`(samples, categories)`: for code purity, the categories play the labels' part."""
        category = np.arange(int(n)) % self.categories
        return self.generate(n, seed=seed, category=category), category

    def default_metrics(self, kind):
        return ("fid", "kid", "is", "pr", "purity") if kind == "images" else None

    def serving_endpoints(self, max_num):
        """`serving_default` and (for images) `generate_uint8`: `z` [batch, noise_dim], `category`
        int32 [batch] and `continuous` float32 [batch, continuous] (not taken without continuous
        codes) -> `images` (the points, for 2-D data)."""
        from keras_gans.models.serving_signatures import OUTPUT_KEY, checked_latent, to_uint8_images

        generator, k = self.sampler, self.categories

        def images(z, category, continuous):
            z = checked_latent(z, self.noise_dim, max_num)
            continuous = checked_latent(continuous, self.continuous, max_num, name="continuous")
            checks = [tf.debugging.assert_non_negative(category, message=f"category must be in [0, {k})"),
                      tf.debugging.assert_less(category, k, message=f"category must be in [0, {k})"),
                      tf.debugging.assert_equal(tf.shape(z)[0], tf.shape(category)[0],
                                                message="z and category must have the same batch size"),
                      tf.debugging.assert_equal(tf.shape(z)[0], tf.shape(continuous)[0],
                                                message="z and continuous must have the same batch size")]
            with tf.control_dependencies(checks):
                return tf.cast(generator(self.generator_input(z, category, continuous), training=False), tf.float32)

        specs = [tf.TensorSpec([None, self.noise_dim], tf.float32, name="z"),
                 tf.TensorSpec([None], tf.int32, name="category"),
                 tf.TensorSpec([None, self.continuous], tf.float32, name="continuous")]
        if not self.continuous:  # no continuous input: the codes are z and the category
            def images_of(z, category):
                return images(z, category, tf.zeros([tf.shape(z)[0], 0]))

            specs = specs[:2]
        else:
            images_of = images
        endpoints = [("serving_default", lambda *inputs: {OUTPUT_KEY: images_of(*inputs)}, specs)]
        if len(self.sample_shape) == 3:  # images; points have no uint8 form
            endpoints.append(
                ("generate_uint8", lambda *inputs: {OUTPUT_KEY: to_uint8_images(images_of(*inputs))}, specs))
        return [generator], endpoints
