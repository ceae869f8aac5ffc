"""Boundary equilibrium GAN: BEGAN (Berthelot, Schumm & Metz 2017, arXiv 1703.10717)."""

import keras
import tensorflow as tf

from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.latent import LatentModel
from keras_gans.models.registry import register_model
from keras_gans.utils import distribute


def equilibrium_update(k, real_energy, fake_energy, gamma, lambda_k):
    """`k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1)`, the paper's Eq. 4: a
    proportional controller holding E[L(G(z))] = gamma E[L(x)] (gamma, the diversity ratio)."""
    return tf.clip_by_value(k + lambda_k * (gamma * real_energy - fake_energy), 0.0, 1.0)


def convergence_measure(real_energy, fake_energy, gamma):
    """`M = L(x) + |gamma L(x) - L(G(z))|`, the paper's global convergence measure (lower is better)."""
    return real_energy + tf.abs(gamma * real_energy - fake_energy)


@register_model("began")
class BEGAN(LatentModel):
    """A generator against an autoencoder discriminator whose reconstruction loss L is the energy.

    One `train_step` (the paper's Eq. 4):

    1. sample z; D minimises L_D = L(x) - k_t L(G(z)) (means over the batch); apply D;
    2. sample z; G minimises L_G = L(G(z)); apply G; EMA;
    3. k_{t+1} = clip(k_t + lambda_k (gamma L(x) - L(G(z))), 0, 1), with the global-batch means
       of step 1 (every replica updates k alike); log k and the convergence measure M.

    `k` is a non-trainable variable saved with the model, so `--resume` continues the controller.
    L is the discriminator's output: the autoencoder discriminator's per-sample mean squared
    reconstruction error (the paper's eta = 2).
    """

    network_slots = {"generator": "generator", "discriminator": "discriminator"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, noise="normal", **kwargs):
        super().__init__(generator, latent_dim=latent_dim, seed=seed, noise=noise, **kwargs)
        self.discriminator = discriminator
        self._mark_built()
        self.k = keras.Variable(0.0, dtype="float32", trainable=False, name="equilibrium_k",
                                aggregation="only_first_replica")

    def compile(self, d_optimizer="adam", g_optimizer="adam", gamma=0.5, lambda_k=0.001, ema_decay=None,
                ema_warmup=True, jit_compile="auto", precision="float32", **kwargs):
        """Args as `GAN.compile`, and `gamma` (the diversity ratio E[L(G(z))] / E[L(x)] the
        controller aims at; the paper's 0.5) and `lambda_k` (the controller's gain, 0.001)."""
        check_decay(ema_decay)
        if not 0.0 < float(gamma) <= 1.0:
            raise ValueError(f"gamma must be in (0, 1], got {gamma}")
        self.gamma, self.lambda_k = float(gamma), float(lambda_k)
        self.set_d_input_transforms()
        self.compile_players({"d": d_optimizer, "g": g_optimizer}, ["d_loss", "g_loss", "k", "convergence"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)

    def train_step(self, data):
        real, _ = self.unpack(data)
        self.check_data_shape(real)
        batch = tf.shape(real)[0]

        fake = self.generate_fakes(self.sample_generator_inputs(batch, "latent"))
        with tf.GradientTape() as tape:
            real_energy = self.adversarial_output(self.call_network(self.discriminator, real))
            fake_energy = self.adversarial_output(self.call_network(self.discriminator, fake))
            d_loss = tf.reduce_mean(real_energy) - self.k * tf.reduce_mean(fake_energy)
        self.update("d", tape, d_loss)

        with tf.GradientTape() as tape:
            fake = self.generate_fakes(self.sample_generator_inputs(batch, "latent_g"))
            g_loss = tf.reduce_mean(self.adversarial_output(self.call_network(self.discriminator, fake)))
        self.update("g", tape, g_loss)
        self.update_averages()

        real_mean, fake_mean = distribute.global_mean(real_energy), distribute.global_mean(fake_energy)
        self.k.assign(equilibrium_update(self.k, real_mean, fake_mean, self.gamma, self.lambda_k))
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "k": self.k.value,
                            "convergence": convergence_measure(real_mean, fake_mean, self.gamma)})
