"""Bidirectional GAN: BiGAN (Donahue et al. 2017, arXiv 1605.09782) / ALI (Dumoulin et al. 2017, arXiv 1606.00704)."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.latent_encoder import LatentEncoderModel
from keras_gans.models.registry import register_model

#: The losses whose discriminator loss, with the real and fake pairs swapped, is the players'
#: objective (BiGAN's "inverted labels"); the others do not swap into a loss for G and E.
SWAPPABLE_LOSSES = ("minimax", "non_saturating", "least_squares", "hinge", "wasserstein")


@register_model("bigan")
class BiGAN(LatentEncoderModel):
    """A generator z -> x, an encoder x -> z and a discriminator of (x, z) pairs.

    D tells the data pairs (x, E(x)) from the model pairs (G(z), z); at the optimum E inverts G
    (the paper's Theorem 2), so `encode` maps images to latents a classifier can use and
    `G(E(x))` reconstructs x. One `train_step` (the papers' algorithm box):

    1. sample x (the batch) and z; compute z^ = E(x) and x~ = G(z);
    2. D's loss on the pairs (x, z^) as real and (x~, z) as fake; apply D;
    3. G and E (one player, one optimizer) minimise the same loss with the pairs swapped,
       (x~, z) as real and (x, z^) as fake (BiGAN's "inverted labels", which for the
       non-saturating loss is G's usual non-saturating loss plus its mirror for E); apply G, E;
    4. update the EMA copies of G and E, if enabled.

    Args:
        generator: a `keras.Model` z (batch, latent_dim) -> samples.
        encoder: a `keras.Model` samples -> z (batch, latent_dim).
        discriminator: a `keras.Model` [samples, z] -> logits.
        latent_dim: size of z; read from the generator's input when omitted.
        seed: seed of the random streams.
        noise: z's distribution, "normal" or "uniform" (then give the encoder a tanh output).
    """

    network_slots = {"generator": "generator", "encoder": "encoder", "discriminator": "joint_discriminator"}
    players = {"d": ("discriminator",), "g": ("generator", "encoder")}
    step_player = "g"

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["discriminator"]["latent_dim"] = arguments["generator"]["latent_dim"]
        return arguments

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", ema_decay=None, ema_warmup=True,
                jit_compile="auto", precision="float32", **kwargs):
        """Args as `GAN.compile`: `g_optimizer` updates the generator and the encoder; `loss` is
        one of `SWAPPABLE_LOSSES`; `ema_decay` averages both the generator and the encoder."""
        check_decay(ema_decay)
        self.gan_loss = losses_module.get(loss)
        if self.gan_loss.name not in SWAPPABLE_LOSSES:
            raise ValueError(f"loss: BiGAN trains G and E on D's loss with the pairs swapped, which needs one of "
                             f"{', '.join(SWAPPABLE_LOSSES)}; got {self.gan_loss.name!r}")
        self.set_d_input_transforms()
        self.compile_players({"d": d_optimizer, "g": g_optimizer}, ["d_loss", "g_loss"], jit_compile=jit_compile,
                             precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)
        self.add_average("encoder", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def pairs(self, real, z, training=True):
        """`((x, E(x)), (G(z), z))`: the data pair and the model pair D compares."""
        encoded = self.call_network(self.encoder, real, training=training)
        generated = self.call_network(self.generator, z, training=training)
        return (real, encoded), (generated, z)

    def train_step(self, data):
        real, _ = self.unpack(data)
        self.check_data_shape(real)
        z = self.sample_generator_inputs(tf.shape(real)[0], "latent")

        data_pair, model_pair = self.pairs(real, z)
        with tf.GradientTape() as tape:
            real_output = self.call_network(self.discriminator, list(data_pair))
            fake_output = self.call_network(self.discriminator, list(model_pair))
            d_loss = self.gan_loss.discriminator_loss(real_output, fake_output)
        self.update("d", tape, d_loss)

        with tf.GradientTape() as tape:
            data_pair, model_pair = self.pairs(real, z)
            real_output = self.call_network(self.discriminator, list(data_pair))
            fake_output = self.call_network(self.discriminator, list(model_pair))
            g_loss = self.gan_loss.discriminator_loss(fake_output, real_output)  # the pairs swapped
        self.update("g", tape, g_loss)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss})

    # ------------------------------------------------------------------ what the tools ask

    def encoder_outputs(self, images):
        """`{"z": E(x)}`."""
        return {"z": tf.cast(self.encoder_sampler(images, training=False), tf.float32)}
