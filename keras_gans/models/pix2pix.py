"""Pix2Pix (Isola, Zhu, Zhou & Efros 2017, arXiv 1611.07004): paired image-to-image translation
with a conditional PatchGAN and an L1 term."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.registry import register_model
from keras_gans.models.translation import TranslationModel


def l1_distance(targets, outputs):
    """`E|y - G(x)|`: the mean absolute difference over every pixel of the batch (float32)."""
    return tf.reduce_mean(tf.abs(tf.cast(targets, tf.float32) - tf.cast(outputs, tf.float32)))


@register_model("pix2pix")
class Pix2Pix(TranslationModel):
    """A U-Net generator G(x) and a PatchGAN D(x, y) that judges (source, image) pairs.

    One `train_step` is the paper's (Sec. 3 and its code), on a batch of pairs (x, y):

    1. G(x); D minimises the adversarial loss of D(x, y) (real) against D(x, G(x)) (fake), one
       loss term per patch, averaged;
    2. with the updated D, G minimises `adversarial_weight * L_GAN(G) + l1_weight * E|y - G(x)|`;
    3. EMA.

    G has no z: its noise is the dropout of its decoder (the paper's). `adversarial_weight=0` is
    the paper's "L1 only" baseline (a U-Net trained on L1; D does not train).

    Args:
        generator: sources (batch, H, W, C) -> targets, e.g. `unet_generator`.
        discriminator: `{"sources", "images"}` -> patch logits, e.g. `patchgan_discriminator`.
        seed: seed of the random streams.
    """

    network_slots = {"generator": "translator", "discriminator": "pair_discriminator"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"

    def __init__(self, generator, discriminator, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.discriminator = discriminator
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["discriminator"] = {"source_shape": tuple(source_shape), "target_shape": tuple(data_shape)}
        return arguments

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", l1_weight=100.0,
                adversarial_weight=1.0, ema_decay=None, ema_warmup=True, instance_noise=None, augment=(),
                jit_compile="auto", precision="float32", **kwargs):
        """Configures Pix2Pix's training.

        Args:
            d_optimizer, g_optimizer: the optimizers of D and G (the paper: Adam 2e-4, beta_1 0.5).
            loss: the adversarial loss (a `GANLoss` name or object; the paper's non-saturating).
            l1_weight: the L1 term's weight, the paper's lambda (100).
            adversarial_weight: the adversarial term's weight in G's loss; 0 trains the "L1 only"
                baseline (D is not trained).
            ema_decay, ema_warmup: an EMA copy of G (None: none) used to translate.
            instance_noise, augment: discriminator-input transforms, applied to both images of
                every pair D sees (`AdversarialModel.set_d_input_transforms`).
            jit_compile, precision, **kwargs: as `GAN.compile`.
        """
        check_decay(ema_decay)
        for name, value in (("l1_weight", l1_weight), ("adversarial_weight", adversarial_weight)):
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        self.gan_loss = losses_module.get(loss)
        self.l1_weight, self.adversarial_weight = float(l1_weight), float(adversarial_weight)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer}, ["d_loss", "g_loss", "l1"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def judge(self, sources, images, name):
        """D's patch logits for (sources, images) pairs; both sides go through the D-input transforms
        with the same draws (stream `name`), so an augmented pair stays a pair."""
        if self.d_input_transforms:
            both = self.transform_d_input(tf.concat([sources, images], axis=-1), name)
            sources, images = both[..., : sources.shape[-1]], both[..., sources.shape[-1]:]
        outputs = self.call_network(self.discriminator, {"sources": sources, "images": images})
        return self.adversarial_output(outputs)

    def train_step(self, data):
        sources, targets = data
        self.check_pair_shapes(sources, targets)
        adversarial = self.adversarial_weight > 0

        with tf.GradientTape() as g_tape:
            fakes = self.call_network(self.generator, sources)
        d_loss = self.discriminator_update(sources, targets, fakes) if adversarial else tf.constant(0.0)
        with g_tape:  # G's loss with the updated D, on the fakes G made above
            l1 = l1_distance(targets, fakes)
            g_loss = self.generator_adversarial_loss(sources, targets, fakes) if adversarial else tf.constant(0.0)
            g_total = self.adversarial_weight * g_loss + self.l1_weight * l1
        self.update("g", g_tape, g_total)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "l1": l1})

