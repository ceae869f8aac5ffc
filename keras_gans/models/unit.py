"""UNIT (Liu, Breuel & Kautz 2017, arXiv 1703.00848): unpaired translation through one latent space
shared by two VAE-GANs, CoGAN's weight sharing (Liu & Tuzel 2016) made into a translator."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.losses.variational import gaussian_kl_divergence
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.pix2pix import l1_distance
from keras_gans.models.registry import register_model
from keras_gans.models.translation import TranslationModel

#: The weights of the paper's Sec. 3 (lambda_0 ... lambda_4), `compile`'s defaults.
PAPER_WEIGHTS = {"adversarial_weight": 10.0, "kl_weight": 0.1, "reconstruction_weight": 100.0,
                 "cycle_kl_weight": 0.1, "cycle_weight": 100.0}


def unit_kl(mean):
    """`KL(N(mean, I) || N(0, I))` per latent dimension, averaged over the batch: the paper's KL
    term for its encoders of unit variance, `0.5 * mean_j(mean_j^2)` (`gaussian_kl_divergence`
    with log-variance 0, over the latent map's dimensions). Per dimension, as the L1 terms are
    per pixel, so that their weights do not depend on the sizes (the official code's KL,
    `mean(mu^2)`, is twice this)."""
    mean = tf.cast(mean, tf.float32)
    flat = tf.reshape(mean, [tf.shape(mean)[0], -1])
    return tf.reduce_mean(gaussian_kl_divergence(flat, tf.zeros_like(flat))) / tf.cast(tf.shape(flat)[1], tf.float32)


@register_model("unit")
class UNIT(TranslationModel):
    """Two domain VAEs whose high-level layers are shared, and a discriminator per domain.

    The encoder of domain a is E_1 = `shared_encoder . encoder`, of domain b E_2 =
    `shared_encoder . inverse_encoder`; the generators are G_1 = `inverse_generator .
    shared_generator` (to a) and G_2 = `generator . shared_generator` (to b). Both domains' codes
    thus live in one latent space: z_i = E_i(x_i) + eps, eps ~ N(0, I) (q(z | x) of unit
    variance). a -> b is G_2(E_1(a)) and b -> a is G_1(E_2(b)), decoding the encoder's mean (no
    noise).

    One `train_step` is the paper's Sec. 3 objective (eq. 2-6), with its lambdas:

    1. VAE: `lambda_1 KL(q_i(z | x_i) || N(0, I)) + lambda_2 |G_i(z_i) - x_i|` per domain;
    2. GAN: `lambda_0 L_GAN(G_2(z_1), D_2) + lambda_0 L_GAN(G_1(z_2), D_1)`;
    3. cycle: re-encode the translations, z'_1 ~ q_2(z | G_2(z_1)), and decode them back:
       `lambda_3 (KL(q_1(z | x_1)) + KL(q_2(z | G_2(z_1)))) + lambda_4 |G_1(z'_1) - x_1|`, and the
       same from b;
    4. the encoders and generators (one player, "g") minimise 1-3; the discriminators ("d")
       minimise their adversarial loss on the real images against the translations of step 2;
    5. EMA of the six encoder and generator parts.

    The shared layers are networks of their own (slots `shared_encoder`, `shared_generator`) that
    the model calls for both domains, rather than layers inside two networks: the `.keras` file,
    the optimizer, the EMA and the replicas see each shared variable once, and loading cannot
    split a shared layer in two. `translator(direction)` chains the parts into one model.

    Both domains go through the shared networks in one batch (the concatenation of both), so
    normalisations must be per sample (instance, the default) for the domains not to mix.

    Args:
        encoder, inverse_encoder: a and b images -> features (`unit_encoder`).
        shared_encoder: features -> the mean of q(z | x), a feature map (`unit_shared_encoder`).
        shared_generator: z -> features (`unit_shared_generator`).
        generator, inverse_generator: features -> b and a images (`unit_generator`).
        discriminator, inverse_discriminator: b and a images -> logits (e.g. the image PatchGAN).
        seed: seed of the random streams (the VAE noise: streams "latent" and "cycle_latent").
    """

    network_slots = {"encoder": "unit_encoder", "inverse_encoder": "unit_encoder",
                     "shared_encoder": "unit_shared_encoder", "shared_generator": "unit_shared_generator",
                     "generator": "unit_generator", "inverse_generator": "unit_generator",
                     "discriminator": "discriminator", "inverse_discriminator": "discriminator"}
    players = {"d": ("discriminator", "inverse_discriminator"),
               "g": ("encoder", "inverse_encoder", "shared_encoder", "shared_generator", "generator",
                     "inverse_generator")}
    step_player = "g"
    directions = {"a2b": "generator", "b2a": "inverse_generator"}
    #: `{direction: (encoder slot, generator slot)}`: the parts each translation chains.
    paths = {"a2b": ("encoder", "generator"), "b2a": ("inverse_encoder", "inverse_generator")}

    def __init__(self, encoder, inverse_encoder, shared_encoder, shared_generator, generator, inverse_generator,
                 discriminator, inverse_discriminator, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.encoder, self.inverse_encoder = encoder, inverse_encoder
        self.shared_encoder, self.shared_generator = shared_encoder, shared_generator
        self.inverse_generator = inverse_generator
        self.discriminator, self.inverse_discriminator = discriminator, inverse_discriminator
        for slot in self.players["g"]:
            setattr(self, f"ema_{slot}", None)
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        from keras_gans.networks.unit import feature_shape

        super().network_arguments(model, data_shape, source_shape)  # checks the data are pairs
        features = feature_shape(source_shape, model.get("encoder"))
        inverse_features = feature_shape(data_shape, model.get("inverse_encoder"))
        if None not in (features, inverse_features) and features != inverse_features:
            raise ValueError(f"UNIT's encoders must make features of one shape for the shared layers, got "
                             f"{features} (a) and {inverse_features} (b): give them the same base_filters "
                             "and downsamplings")
        return {"encoder": {"input_shape": tuple(source_shape)}, "inverse_encoder": {"input_shape": tuple(data_shape)},
                "shared_encoder": {"input_shape": features}, "shared_generator": {"input_shape": features},
                "generator": {"input_shape": features, "output_shape": tuple(data_shape)},
                "inverse_generator": {"input_shape": features, "output_shape": tuple(source_shape)},
                "discriminator": {"input_shape": tuple(data_shape)},
                "inverse_discriminator": {"input_shape": tuple(source_shape)}}

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="least_squares", adversarial_weight=10.0,
                kl_weight=0.1, reconstruction_weight=100.0, cycle_kl_weight=0.1, cycle_weight=100.0, ema_decay=None,
                ema_warmup=True, instance_noise=None, augment=(), jit_compile="auto", precision="float32", **kwargs):
        """Configures UNIT's training.

        The L1 terms are per-pixel means and the KL terms per-dimension means (`unit_kl`); the
        defaults are the paper's lambdas (`PAPER_WEIGHTS`; the official code's are a tenth of
        them, the same balance).

        Args:
            d_optimizer, g_optimizer: the optimizers of both discriminators and of the encoders
                and generators (the paper: Adam 1e-4, beta_1 0.5).
            loss: the adversarial loss (a `GANLoss` name or object; least squares as the official code).
            adversarial_weight: lambda_0, the generators' adversarial terms (10).
            kl_weight, reconstruction_weight: lambda_1 and lambda_2, the VAE's KL and L1 terms (0.1, 100).
            cycle_kl_weight, cycle_weight: lambda_3 and lambda_4, the cycle's KL and L1 terms (0.1, 100).
            ema_decay, ema_warmup: EMA copies of the encoder and generator parts (None: none), used to translate.
            instance_noise, augment: discriminator-input transforms (`set_d_input_transforms`).
            jit_compile, precision, **kwargs: as `GAN.compile`.
        """
        check_decay(ema_decay)
        weights = {"adversarial_weight": adversarial_weight, "kl_weight": kl_weight,
                   "reconstruction_weight": reconstruction_weight, "cycle_kl_weight": cycle_kl_weight,
                   "cycle_weight": cycle_weight}
        for name, value in weights.items():
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
            setattr(self, name, float(value))
        self.gan_loss = losses_module.get(loss)
        if self.gan_loss.uses_real_in_generator_loss:
            raise ValueError(f"loss: UNIT's generators are scored on their translations alone, so relativistic "
                             f"losses ({self.gan_loss.name}) do not apply")
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss", "kl", "reconstruction", "cycle_kl", "cycle"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        for slot in self.players["g"]:
            self.add_average(slot, self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def encode(self, encoder, images):
        """The mean of q(z | x): `shared_encoder(encoder(images))`."""
        return self.call_network(self.shared_encoder, self.call_network(encoder, images))

    def noise(self, name, shape):
        """eps ~ N(0, I) of both domains' latent codes, `shape` each: the rows of a, then of b, each
        domain its own draw of stream `name` (so that replicas, which hold a part of each domain's
        batch, draw what one device draws)."""
        return tf.concat([self.random_normal(name, shape, domain) for domain in (0, 1)], 0)

    def train_step(self, data):
        real_a, real_b = data
        self.check_pair_shapes(real_a, real_b)
        n = tf.shape(real_a)[0]
        E_a, E_b, G_a, G_b = self.encoder, self.inverse_encoder, self.inverse_generator, self.generator  # noqa: N806
        D_a, D_b = self.inverse_discriminator, self.discriminator  # noqa: N806

        with tf.GradientTape() as g_tape:
            # Both domains through the shared layers at once: rows [:n] come from a, [n:] from b.
            features = tf.concat([self.call_network(E_a, real_a), self.call_network(E_b, real_b)], 0)
            mean = self.call_network(self.shared_encoder, features)
            shared = self.call_network(self.shared_generator, mean + self.noise("latent", tf.shape(mean[:n])))
            to_a, to_b = self.call_network(G_a, shared), self.call_network(G_b, shared)
            recon_a, fake_a, fake_b, recon_b = to_a[:n], to_a[n:], to_b[:n], to_b[n:]
            kl = unit_kl(mean[:n]) + unit_kl(mean[n:])
            reconstruction = l1_distance(real_a, recon_a) + l1_distance(real_b, recon_b)
            adversarial = (self.gan_loss.generator_loss(None, self.judge_by(D_b, fake_b, "g_b"))
                           + self.gan_loss.generator_loss(None, self.judge_by(D_a, fake_a, "g_a")))
            # The cycle: a -> b re-encoded by E_b and decoded by G_a; b -> a by E_a and G_b.
            cycled = tf.concat([self.call_network(E_b, fake_b), self.call_network(E_a, fake_a)], 0)
            cycle_mean = self.call_network(self.shared_encoder, cycled)
            back = self.call_network(self.shared_generator, cycle_mean + self.noise("cycle_latent", tf.shape(mean[:n])))
            cycle_kl = unit_kl(cycle_mean[:n]) + unit_kl(cycle_mean[n:])
            cycle = (l1_distance(real_a, self.call_network(G_a, back[:n]))
                     + l1_distance(real_b, self.call_network(G_b, back[n:])))
            # Eq. 5 counts KL(q_i(z | x_i)) again in the cycle term, with lambda_3.
            g_total = (self.adversarial_weight * adversarial + (self.kl_weight + self.cycle_kl_weight) * kl
                       + self.reconstruction_weight * reconstruction + self.cycle_kl_weight * cycle_kl
                       + self.cycle_weight * cycle)
        self.update("g", g_tape, g_total)

        with tf.GradientTape() as d_tape:
            fake_a, fake_b = tf.stop_gradient(fake_a), tf.stop_gradient(fake_b)
            d_loss = (self.gan_loss.discriminator_loss(self.judge_by(D_b, real_b, "d_real_b"), self.judge_by(D_b, fake_b, "d_fake_b"))
                      + self.gan_loss.discriminator_loss(self.judge_by(D_a, real_a, "d_real_a"), self.judge_by(D_a, fake_a, "d_fake_a")))
        self.update("d", d_tape, d_loss)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": adversarial, "kl": kl, "reconstruction": reconstruction,
                            "cycle_kl": cycle_kl, "cycle": cycle})

    # ------------------------------------------------------------------ translating

    def translator(self, direction=None):
        """`direction`'s chain E_i -> G_j of the (EMA) parts, one `keras.Model` from images to
        images that decodes the encoder's mean; a ValueError naming the valid directions."""
        from keras_gans.networks.unit import chain

        super().translator(direction)  # checks the direction
        encoder, generator = self.paths[direction or next(iter(self.directions))]
        parts = [self.part(slot) for slot in (encoder, "shared_encoder", "shared_generator", generator)]
        return chain(parts, name=f"unit_{direction or 'a2b'}")
