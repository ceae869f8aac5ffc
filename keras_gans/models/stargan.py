"""StarGAN (Choi, Choi, Kim, Ha, Kim & Choo 2018, arXiv 1711.09020): one generator translating
images between several domains, told the target domain."""

import numpy as np
import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans import penalties as penalties_module
from keras_gans.data.translation import STYLES
from keras_gans.layers.domain_select import select_domain
from keras_gans.models.acgan import class_cross_entropy
from keras_gans.models.configuration import in_batches
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.pix2pix import l1_distance
from keras_gans.models.registry import register_model
from keras_gans.models.step_context import StepContext
from keras_gans.models.translation import TranslationModel, as_model_images, enlarge
from keras_gans.utils.checks import checked_integer


def of_domains(logits, domains):
    """The patch logits (batch, h, w, 1) of each image's domain: channel `domains[i]` of a D with
    one logit per domain (StarGAN v2's multi-task D), the logits as they are for a D with one."""
    if logits.shape[-1] == 1:
        return logits
    return select_domain(logits, domains, logits.shape[-1])


def warmup_factor(step, warmup_steps):
    """`min(1, step / warmup_steps)` as float32 (1 when `warmup_steps` is 0): a weight's share at
    `step` of a linear warm-up from 0."""
    if not warmup_steps:
        return tf.constant(1.0)
    return tf.minimum(1.0, tf.cast(step, tf.float32) / float(warmup_steps))


@register_model("stargan")
class StarGAN(TranslationModel):
    """G(x, c), images x to target domains c, against D(x) with two heads: real/fake patch logits
    (`logits`, D_src) and domain logits (`domains`, D_cls).

    It trains on batches `(images, domains)`, each image labelled with its own domain c' (data
    `{translation: styles}`). One `train_step` is the paper's (Sec. 3, eq. 1-4 and its code):

    1. draw target domains c (uniform); x' = G(x, c);
    2. D minimises `L_adv(D) + class_weight * CE(D_cls(x), c')` + its penalties (the paper's
       WGAN-GP: `loss: wasserstein`, `penalties: [gradient_penalty]`); apply D. With a D of one
       real/fake logit per domain (`stargan_discriminator(per_domain=True)`, StarGAN v2's), the
       reals are judged by their own domain's logit, the fakes by their target's;
    3. with the updated D, G minimises `L_adv(G) + class_weight * CE(D_cls(x'), c)
       + reconstruction_weight * |x - G(x', c')|` (the cycle back to the source domain)
       `+ identity_weight * |x - G(x, c')|` (ours, 0 by default); apply G. With
       `reconstruction_warmup` (ours) the reconstruction weight rises linearly from 0 to
       `reconstruction_weight` over that many G steps (`warmup_factor`);
    4. EMA.

    The paper trains D 5 times per G update (`n_critic=5`); the recipe alternates them.

    Args:
        generator: `{"images", "domains"}` -> images (e.g. `stargan_generator`).
        discriminator: images -> `{"logits", "domains"}` (e.g. `stargan_discriminator`).
        domains: the domain names, in the order of the data's domain indices (the digit styles of
            `keras_gans.data.translation.STYLES` by default).
        seed: seed of the random streams (the target domains).
    """

    network_slots = {"generator": "domain_translator", "discriminator": "domain_discriminator"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"

    def __init__(self, generator, discriminator, domains=STYLES, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.discriminator = discriminator
        names = [str(name) for name in domains]
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValueError(f"domains must be at least 2 distinct names, got {list(domains)}")
        self.domains = names
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        if source_shape is None or tuple(source_shape) != tuple(data_shape):
            raise ValueError(f"{cls.__name__} trains on (images, domains) batches of one image shape: "
                             "give it data such as {translation: styles}")
        count = len(model.get("domains", STYLES))
        return {"generator": {"input_shape": tuple(data_shape), "num_domains": count},
                "discriminator": {"input_shape": tuple(data_shape), "num_domains": count}}

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="wasserstein", penalties=("gradient_penalty",),
                class_weight=1.0, reconstruction_weight=10.0, reconstruction_warmup=0, identity_weight=0.0, n_critic=1,
                ema_decay=None, ema_warmup=True, instance_noise=None, augment=(), jit_compile="auto",
                precision="float32", **kwargs):
        """Configures StarGAN's training.

        Args:
            d_optimizer, g_optimizer: the optimizers of D and G (the paper: Adam 1e-4, beta_1 0.5,
                beta_2 0.999).
            loss: the adversarial loss (a `GANLoss` name or object; the paper's Wasserstein).
            penalties: D's penalties (the paper's gradient penalty, weight 10).
            class_weight: lambda_cls, the domain-classification terms' weight in both losses (1).
            reconstruction_weight: lambda_rec, the reconstruction L1's weight in G's loss (10).
            reconstruction_warmup: G steps over which that weight rises linearly from 0 (ours;
                0: the paper's constant weight). Keeping and flipping the sign of a digit both
                reconstruct it exactly, and from the first steps the cycle holds G to one of the
                two for every pair of domains; fewer steps under it let the discriminator's terms
                choose per pair first (benchmarks/README.md, StarGAN).
            identity_weight: the weight of `|G(x, c') - x|`, translating into the own domain
                (CycleGAN's identity term; not in the paper: 0).
            n_critic: D updates per G update (the paper's 5), each on the same batch of reals
                and fakes of new target domains; the last one's fakes are G's.
            ema_decay, ema_warmup: an EMA copy of G (None: none) used to translate.
            instance_noise, augment: discriminator-input transforms.
            jit_compile, precision, **kwargs: as `GAN.compile`.
        """
        check_decay(ema_decay)
        for name, value in (("class_weight", class_weight), ("reconstruction_weight", reconstruction_weight),
                            ("identity_weight", identity_weight)):
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        self.gan_loss = losses_module.get(loss)
        self.penalties = [penalties_module.get(p) for p in (penalties or ())]
        self.class_weight, self.reconstruction_weight = float(class_weight), float(reconstruction_weight)
        self.identity_weight = float(identity_weight)
        self.reconstruction_warmup = checked_integer(reconstruction_warmup, "reconstruction_warmup", 0)
        self.n_critic = checked_integer(n_critic, "n_critic", 1)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss", "d_domain_loss", "g_domain_loss", "reconstruction", "identity"]
                             + [p.name for p in self.penalties],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def discriminate(self, images, domains, name, index=0):
        """D's heads on `images` after the D-input transforms (stream `name`), its `logits` those
        of `domains` (the images' own or target domains) when D has one per domain."""
        heads = dict(self.call_network(self.discriminator, self.transform_d_input(images, name, index)))
        heads["logits"] = of_domains(heads["logits"], domains)
        return heads

    def translate_to(self, images, domains):
        return self.call_network(self.generator, {"images": images, "domains": domains})

    def discriminator_step(self, images, domains, targets, fakes, name):
        """One D update on the reals (their own domains) against `fakes` (of `targets`), D-input
        streams `name`; returns `(d_loss, d_domain_loss, {penalty: value})`."""
        fakes = tf.stop_gradient(fakes)
        with tf.GradientTape() as tape:
            real = self.discriminate(images, domains, name, 0)
            fake = self.discriminate(fakes, targets, name, 1)
            d_loss = self.gan_loss.discriminator_loss(real["logits"], fake["logits"])
            d_domain_loss = class_cross_entropy(domains, real["domains"])
            context = StepContext(real=images, fake=fakes, real_output=real["logits"],
                                  fake_output=fake["logits"], heads={"real": real, "fake": fake},
                                  critic=lambda x: of_domains(self.call_network(self.discriminator, x)["logits"],
                                                              domains),
                                  conditions=domains, generated=fakes, step=self.d_optimizer.iterations,
                                  variables=self.player_variables("d"), player="d")
            penalty, penalty_values = self.penalty_terms("d", context)
            d_total = d_loss + self.class_weight * d_domain_loss + penalty
        self.update("d", tape, d_total)
        return d_loss, d_domain_loss, penalty_values

    def train_step(self, data):
        images, domains = data
        domains = tf.cast(tf.reshape(domains, [-1]), tf.int32)
        batch, count = tf.shape(images)[0], len(self.domains)
        for i in range(self.n_critic - 1):  # the paper's extra D updates, each on new target domains
            extra = self.random_labels("critic_target_domains", batch, count, i)
            self.discriminator_step(images, domains, extra, self.translate_to(images, extra), f"d_input_critic_{i}")
        targets = self.random_labels("target_domains", batch, count)
        with tf.GradientTape() as g_tape:
            fakes = self.translate_to(images, targets)
        d_loss, d_domain_loss, penalty_values = self.discriminator_step(images, domains, targets, fakes, "d_input")

        with g_tape:  # G's loss with the updated D, on the fakes G made above
            judged = self.discriminate(fakes, targets, "d_input_g", 1)
            real_output = (self.discriminate(images, domains, "d_input_g", 0)["logits"]
                           if self.gan_loss.uses_real_in_generator_loss else None)
            g_loss = self.gan_loss.generator_loss(real_output, judged["logits"])
            g_domain_loss = class_cross_entropy(targets, judged["domains"])
            reconstruction = l1_distance(images, self.translate_to(fakes, domains))
            identity = (l1_distance(images, self.translate_to(images, domains)) if self.identity_weight > 0
                        else tf.constant(0.0))
            reconstruction_weight = self.reconstruction_weight * warmup_factor(self.g_optimizer.iterations,
                                                                                self.reconstruction_warmup)
            g_total = (g_loss + self.class_weight * g_domain_loss + reconstruction_weight * reconstruction
                       + self.identity_weight * identity)
        self.update("g", g_tape, g_total)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "d_domain_loss": d_domain_loss,
                            "g_domain_loss": g_domain_loss, "reconstruction": reconstruction, "identity": identity,
                            **penalty_values})

    # ------------------------------------------------------------------ translating

    def domain_indices(self, domain, n):
        """`domain` (a name, an index, or one of them per image) as `n` int32 indices; a
        ValueError naming the domains for anything else."""
        if domain is None:
            raise ValueError(f"{type(self).__name__} translates into a domain: give one of {', '.join(self.domains)}")
        values = np.atleast_1d(np.asarray(domain, dtype=object))
        indices = []
        for value in values:
            if isinstance(value, str) and value in self.domains:
                indices.append(self.domains.index(value))
            elif isinstance(value, (int, np.integer)) and not isinstance(value, bool) and 0 <= value < len(self.domains):
                indices.append(int(value))
            else:
                raise ValueError(f"unknown domain {value!r}: valid domains are {', '.join(self.domains)} "
                                 f"(or their indices 0-{len(self.domains) - 1})")
        if len(indices) not in (1, int(n)):
            raise ValueError(f"give one domain, or one per image ({n}), got {len(indices)}")
        return np.resize(np.asarray(indices, "int32"), int(n))

    def input_shape_of(self, direction=None):
        self.translator(direction)  # checks the direction
        return tuple(self.generator.input["images"].shape[1:])

    def translate(self, sources, batch_size=256, direction=None, domain=None):
        """The (EMA) generator's translations of `sources` (uint8, or float in [-1, 1]) into
        `domain` (a name or index, or one per image), float32 NumPy in [-1, 1]."""
        network = self.translator(direction)
        sources = self.checked_sources(sources, direction)
        domains = self.domain_indices(domain, len(sources))
        return in_batches(lambda x, c: tf.cast(network({"images": x, "domains": c}, training=False), tf.float32),
                          (sources, domains), batch_size)

    def sample_picture(self, n, seed=None, centers=None, title=None, examples=None):
        """One row per example: the image, then its translation into each domain in turn.
        `examples` is `(images, domains)` (the images' own domains are not needed to translate)."""
        from keras_gans.utils.images import image_grid

        if examples is None:
            raise ValueError(f"{type(self).__name__}'s picture needs examples=(images, domains) to translate")
        images = as_model_images(examples[0][: int(n)])
        outputs = [self.translate(images, domain=d) for d in range(len(self.domains))]
        rows = np.stack([enlarge(images, outputs[0].shape[1]), *outputs], axis=1)
        return image_grid(rows.reshape(-1, *rows.shape[2:]), 1 + len(self.domains))

    def serving_endpoints(self, max_num, direction=None):
        """`images` float32 [batch, H, W, C] and `domain` int32 [batch] -> `images` (see
        `translation_endpoints`)."""
        from keras_gans.models.serving_signatures import translation_endpoints

        return translation_endpoints(self.translator(direction), self.input_shape_of(), max_num, len(self.domains))
