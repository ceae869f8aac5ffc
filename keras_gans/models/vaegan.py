"""VAE-GAN (Larsen, Sønderby, Larochelle & Winther 2016, arXiv 1512.09300): a VAE whose
reconstructions are measured in the discriminator's feature space."""

import numpy as np
import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.losses.variational import gaussian_kl_divergence, reparameterize, squared_error_sum
from keras_gans.models.configuration import in_batches
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.latent_encoder import LatentEncoderModel
from keras_gans.models.registry import register_model

#: Where the reconstruction error L_llike is measured: D's features (VAE-GAN) or pixels (a plain VAE).
RECONSTRUCTION_SPACES = ("features", "pixels")


@register_model("vaegan")
class VAEGAN(LatentEncoderModel):
    """An encoder q(z | x), a decoder (the generator) and a discriminator with a feature output.

    One `train_step` is the paper's Algorithm 1 (one forward pass, three optimizers):

    1. X, a batch; (mu, log sigma^2) = Enc(X); Z = mu + sigma * eps; L_prior = KL(q(Z | X) || N(0, I));
    2. X~ = Dec(Z); L_llike = ||Dis_l(X) - Dis_l(X~)||^2 (D's features; pixels for a plain VAE);
    3. Z_p ~ N(0, I); X_p = Dec(Z_p); L_GAN = the adversarial loss of D on X (real) against X~ and
       X_p (fake; one batch of both);
    4. Enc minimises `kl_weight * L_prior + L_llike`; Dec minimises `reconstruction_weight *
       L_llike + adversarial_weight * L_GAN(G)`; Dis minimises L_GAN(D); apply the three; EMA.

    The terms are per-sample sums over the latent and feature axes, averaged over the batch.
    `adversarial_weight=0` with `reconstruction="pixels"` is a plain VAE on the same networks
    (the discriminator then does not train): the paper's baseline.

    Args:
        generator: the decoder, a `keras.Model` z (batch, latent_dim) -> samples.
        encoder: `samples -> {"mean", "log_variance"}` (`gaussian_dcgan_encoder`).
        discriminator: `samples -> {"logits", "features"}` (`dcgan_discriminator(feature_output=True)`).
        latent_dim: size of z; read from the generator's input when omitted.
        seed: seed of the random streams.
        noise: the prior, "normal" (a VAE's N(0, I); the only one the KL term is written for).
    """

    network_slots = {"generator": "generator", "encoder": "gaussian_encoder", "discriminator": "discriminator"}
    players = {"d": ("discriminator",), "e": ("encoder",), "g": ("generator",)}
    step_player = "g"

    def __init__(self, generator, encoder, discriminator, latent_dim=None, seed=None, noise="normal", **kwargs):
        if noise != "normal":
            raise ValueError(f"noise: a VAE-GAN's prior is the KL term's N(0, I), so noise must be 'normal', "
                             f"got {noise!r}")
        super().__init__(generator, encoder, discriminator, latent_dim=latent_dim, seed=seed, noise=noise, **kwargs)

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["discriminator"]["feature_output"] = True
        return arguments

    def compile(self, d_optimizer="adam", e_optimizer="adam", g_optimizer="adam", loss="non_saturating",
                kl_weight=1.0, reconstruction_weight=1.0, adversarial_weight=1.0, reconstruction="features",
                ema_decay=None, ema_warmup=True, jit_compile="auto", precision="float32", **kwargs):
        """Configures VAE-GAN's training.

        Args:
            d_optimizer, e_optimizer, g_optimizer: the optimizers of D, the encoder and the decoder.
            loss: the adversarial loss (a `GANLoss` name or object) of D and the decoder.
            kl_weight: the prior term's weight in the encoder's loss (1: the VAE's ELBO).
            reconstruction_weight: the paper's gamma, L_llike's weight in the decoder's loss
                against the adversarial loss (the encoder's L_llike has weight 1).
            adversarial_weight: the adversarial loss's weight in the decoder's loss; 0 trains a
                plain VAE (with `reconstruction="pixels"`).
            reconstruction: one of `RECONSTRUCTION_SPACES`.
            ema_decay, ema_warmup, jit_compile, precision, **kwargs: as `GAN.compile`; the EMA
                follows the decoder and the encoder.
        """
        check_decay(ema_decay)
        if reconstruction not in RECONSTRUCTION_SPACES:
            raise ValueError(f"reconstruction must be one of {', '.join(RECONSTRUCTION_SPACES)}, got {reconstruction!r}")
        for name, value in (("kl_weight", kl_weight), ("reconstruction_weight", reconstruction_weight),
                            ("adversarial_weight", adversarial_weight)):
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        self.gan_loss = losses_module.get(loss)
        self.kl_weight, self.reconstruction_weight = float(kl_weight), float(reconstruction_weight)
        self.adversarial_weight, self.reconstruction = float(adversarial_weight), reconstruction
        self.set_d_input_transforms()
        self.compile_players({"d": d_optimizer, "e": e_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss", "kl", "reconstruction"], jit_compile=jit_compile,
                             precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)
        self.add_average("encoder", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def features(self, outputs, images):
        """What L_llike compares: D's `features` head, or the images themselves for a plain VAE."""
        return images if self.reconstruction == "pixels" else outputs["features"]

    def train_step(self, data):
        real, _ = self.unpack(data)
        self.check_data_shape(real)
        batch = tf.shape(real)[0]

        with tf.GradientTape(persistent=True) as tape:
            posterior = self.call_network(self.encoder, real)
            eps = self.random_normal("posterior", [batch, self.latent_dim])
            z = reparameterize(posterior["mean"], posterior["log_variance"], eps)
            kl = tf.reduce_mean(gaussian_kl_divergence(posterior["mean"], posterior["log_variance"]))
            reconstructed = self.generate_fakes(z)
            real_out = recon_out = fake_out = None
            if self.adversarial_weight > 0:  # D judges the reconstructions and prior samples together
                prior_samples = self.generate_fakes(self.sample_generator_inputs(batch, "latent"))
                real_out = self.call_network(self.discriminator, real)
                fake_out = self.call_network(self.discriminator, tf.concat([reconstructed, prior_samples], 0))
                recon_out = tf.nest.map_structure(lambda t: t[:batch], fake_out)
            elif self.reconstruction == "features":
                real_out = self.call_network(self.discriminator, real)
                recon_out = self.call_network(self.discriminator, reconstructed)
            llike = tf.reduce_mean(squared_error_sum(self.features(real_out, real),
                                                     self.features(recon_out, reconstructed)))
            if self.adversarial_weight > 0:
                real_logits, fake_logits = self.adversarial_output(real_out), self.adversarial_output(fake_out)
                d_loss = self.gan_loss.discriminator_loss(real_logits, fake_logits)
                g_loss = self.gan_loss.generator_loss(real_logits, fake_logits)
            else:
                d_loss = g_loss = tf.constant(0.0)
            e_total = self.kl_weight * kl + llike
            g_total = self.reconstruction_weight * llike + self.adversarial_weight * g_loss
        if self.adversarial_weight > 0:
            self.update("d", tape, d_loss)
        self.update("e", tape, e_total)
        self.update("g", tape, g_total)
        del tape
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "kl": kl, "reconstruction": llike})

    # ------------------------------------------------------------------ what the tools ask

    def encoder_outputs(self, images):
        """`{"z": the posterior mean, "log_variance": its log-variance}` (served by `encode`)."""
        outputs = self.encoder_sampler(images, training=False)
        return {"z": tf.cast(outputs["mean"], tf.float32), "log_variance": tf.cast(outputs["log_variance"], tf.float32)}

    def posterior(self, images, batch_size=256):
        """`(mean, log_variance)` of q(z | x) for images (float in [-1, 1]), as float32 NumPy."""
        both = in_batches(lambda x: tf.concat(list(self.encoder_outputs(x).values()), axis=-1),
                          np.asarray(images, "float32"), batch_size)
        return both[:, : self.latent_dim], both[:, self.latent_dim:]
