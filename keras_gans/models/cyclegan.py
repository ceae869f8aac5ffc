"""CycleGAN (Zhu, Park, Isola & Efros 2017, arXiv 1703.10593): unpaired translation with cycle consistency."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.image_pool import ImagePool
from keras_gans.models.pix2pix import l1_distance
from keras_gans.models.registry import register_model
from keras_gans.models.translation import TranslationModel


@register_model("cyclegan")
class CycleGAN(TranslationModel):
    """Two generators, G: A -> B (`generator`) and F: B -> A (`inverse_generator`), and two
    discriminators, D_B of B images (`discriminator`) and D_A of A images (`inverse_discriminator`),
    trained on unpaired batches (a, b).

    One `train_step` is the paper's (Sec. 3-4 and its code):

    1. G and F minimise `L_GAN(G, D_B) + L_GAN(F, D_A) + cycle_weight * (|F(G(a)) - a| + |G(F(b)) - b|)
       + identity_weight * cycle_weight * (|G(b) - b| + |F(a) - a|)`;
    2. D_B and D_A minimise their adversarial losses on the real images against fakes drawn from
       an `ImagePool` of the last `pool_size` fakes (the paper's history of 50);
    3. EMA.

    The paper uses the least-squares loss, `cycle_weight` 10 and `identity_weight` 0.5 (the
    identity term needs A and B images of one shape).

    Args:
        generator, inverse_generator: A -> B and B -> A image networks (e.g. `resnet_generator`).
        discriminator, inverse_discriminator: B and A images -> logits (e.g. the image PatchGAN).
        seed: seed of the random streams.
    """

    network_slots = {"generator": "translator", "inverse_generator": "translator",
                     "discriminator": "discriminator", "inverse_discriminator": "discriminator"}
    players = {"d": ("discriminator", "inverse_discriminator"), "g": ("generator", "inverse_generator")}
    step_player = "g"
    directions = {"a2b": "generator", "b2a": "inverse_generator"}

    def __init__(self, generator, inverse_generator, discriminator, inverse_discriminator, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.inverse_generator = inverse_generator
        self.discriminator, self.inverse_discriminator = discriminator, inverse_discriminator
        self.ema_inverse_generator = None
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["inverse_generator"] = {"input_shape": tuple(data_shape), "output_shape": tuple(source_shape)}
        arguments["discriminator"] = {"input_shape": tuple(data_shape)}
        arguments["inverse_discriminator"] = {"input_shape": tuple(source_shape)}
        return arguments

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="least_squares", cycle_weight=10.0,
                identity_weight=0.5, pool_size=50, ema_decay=None, ema_warmup=True, instance_noise=None, augment=(),
                jit_compile="auto", precision="float32", **kwargs):
        """Configures CycleGAN's training.

        Args:
            d_optimizer, g_optimizer: the optimizers of both discriminators and both generators
                (the paper: Adam 2e-4, beta_1 0.5, constant then linearly decayed to 0:
                `keras_gans.schedules.LinearDecay`).
            loss: the adversarial loss (a `GANLoss` name or object; the paper's least squares).
            cycle_weight: lambda, the weight of the cycle-consistency L1 terms (10).
            identity_weight: the identity terms' weight relative to `cycle_weight` (0.5; 0: none).
            pool_size: the fakes each discriminator's `ImagePool` keeps (50; 0: the latest only).
            ema_decay, ema_warmup: EMA copies of both generators (None: none), used to translate.
            instance_noise, augment: discriminator-input transforms (`set_d_input_transforms`).
            jit_compile, precision, **kwargs: as `GAN.compile`.
        """
        check_decay(ema_decay)
        for name, value in (("cycle_weight", cycle_weight), ("identity_weight", identity_weight)):
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if float(identity_weight) > 0 and self.source_shape != self.sample_shape:
            raise ValueError(f"identity_weight needs A and B images of one shape, got {self.source_shape} and "
                             f"{self.sample_shape}: set it to 0")
        self.gan_loss = losses_module.get(loss)
        if self.gan_loss.uses_real_in_generator_loss:
            raise ValueError(f"loss: CycleGAN's generators are scored on their fakes alone, so relativistic losses "
                             f"({self.gan_loss.name}) do not apply")
        self.cycle_weight, self.identity_weight = float(cycle_weight), float(identity_weight)
        self.pool_size = int(pool_size)
        self.pool = ImagePool(self.pool_size, self.sample_shape, name="pool")
        self.inverse_pool = ImagePool(self.pool_size, self.source_shape, name="inverse_pool")
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer}, ["d_loss", "g_loss", "cycle", "identity"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)
        self.add_average("inverse_generator", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def train_step(self, data):
        real_a, real_b = data
        self.check_pair_shapes(real_a, real_b)
        G, F = self.generator, self.inverse_generator  # noqa: N806  (the paper's names)
        D_B, D_A = self.discriminator, self.inverse_discriminator  # noqa: N806

        with tf.GradientTape() as g_tape:
            fake_b, fake_a = self.call_network(G, real_a), self.call_network(F, real_b)
            adversarial = (self.gan_loss.generator_loss(None, self.judge_by(D_B, fake_b, "g_b"))
                           + self.gan_loss.generator_loss(None, self.judge_by(D_A, fake_a, "g_a")))
            cycle = (l1_distance(real_a, self.call_network(F, fake_b))
                     + l1_distance(real_b, self.call_network(G, fake_a)))
            identity = tf.constant(0.0)
            if self.identity_weight > 0:
                identity = l1_distance(real_b, self.call_network(G, real_b)) + l1_distance(real_a, self.call_network(F, real_a))
            g_total = adversarial + self.cycle_weight * (cycle + self.identity_weight * identity)
        self.update("g", g_tape, g_total)

        pooled_b = self.pool(tf.stop_gradient(fake_b), self.random.key("pool", self.step_counter))
        pooled_a = self.inverse_pool(tf.stop_gradient(fake_a), self.random.key("inverse_pool", self.step_counter))
        with tf.GradientTape() as d_tape:
            d_loss = (self.gan_loss.discriminator_loss(self.judge_by(D_B, real_b, "d_real_b"), self.judge_by(D_B, pooled_b, "d_fake_b"))
                      + self.gan_loss.discriminator_loss(self.judge_by(D_A, real_a, "d_real_a"), self.judge_by(D_A, pooled_a, "d_fake_a")))
        self.update("d", d_tape, d_loss)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": adversarial, "cycle": cycle, "identity": identity})
