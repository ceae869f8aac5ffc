"""Conditional GAN (Mirza & Osindero 2014) with mismatched pairs (Reed et al. 2016), and the
projection discriminator's model (Miyato & Koyama 2018) through its networks."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans import penalties as penalties_module
from keras_gans.models.conditional import LabelConditionalModel
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.registry import register_model
from keras_gans.models.step_context import StepContext


def mismatch_discriminator_loss(loss, real_output, fake_output, mismatch_output, mismatch_weight):
    """`(1 - w) * L_D(real, fake) + w * L_D(real, mismatched)`.

    For the losses that are a real term plus a fake term, `A(real) + (1 - w) B(fake) + w B(mismatch)`:
    real images with a wrong label count as fakes, weighted `w` against generated images. `w = 0.5`
    is the GAN-CLS objective of Reed et al. 2016 (arXiv 1605.05396, Alg. 1); `w = 0` is the plain
    conditional GAN.
    """
    d_loss = loss.discriminator_loss(real_output, fake_output)
    if mismatch_weight == 0 or mismatch_output is None:
        return d_loss
    return (1.0 - mismatch_weight) * d_loss + mismatch_weight * loss.discriminator_loss(real_output, mismatch_output)


@register_model("cgan")
class ConditionalGAN(LabelConditionalModel):
    """A class-conditional GAN: G(z, y) against D(x, y).

    One `train_step`, as in Reed et al.'s Alg. 1 with any adversarial loss:

    1. sample z and labels y', generate x' = G(z, y'); draw a wrong label y~ != y for each real;
    2. D loss on (x, y) -> real, (x', y') -> fake and (x, y~) -> fake (`mismatch_weight`, see
       `mismatch_discriminator_loss`) plus the penalties; apply D;
    3. sample z, y'; G loss on D(G(z, y'), y') plus generator regularisers; apply G; EMA.

    Steps 1-2 run `n_critic` times per step (1 by default).

    The discriminator's conditioning is its network's: `conditioning: concat` (the label as an
    input channel) or `projection` (Miyato & Koyama 2018: logit + <embed(y), phi(x)>, with hinge
    loss, spectral norm and conditional batch norm in G: the `projection-mnist` recipe, with
    `mismatch_weight: 0` as in the paper).
    """

    network_slots = {"generator": "conditional_generator", "discriminator": "conditional_discriminator"}
    adapts_d_input_transforms = True

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", penalties=(),
                mismatch_weight=0.5, n_critic=1, ema_decay=None, ema_warmup=True, instance_noise=None, augment=(),
                jit_compile="auto", precision="float32", **kwargs):
        """Args as `GAN.compile`, and `mismatch_weight` in [0, 1): the share of the fake term
        given to real images with wrong labels (0.5, GAN-CLS; 0 turns it off); `n_critic` D
        updates (steps 1-2) per G update, on the same real batch (BigGAN: 2)."""
        if not 0.0 <= float(mismatch_weight) < 1.0:
            raise ValueError(f"mismatch_weight must be in [0, 1), got {mismatch_weight}")
        if isinstance(n_critic, bool) or int(n_critic) != n_critic or n_critic < 1:
            raise ValueError(f"n_critic must be a whole number >= 1, got {n_critic!r}")
        self.n_critic = int(n_critic)
        check_decay(ema_decay)
        self.gan_loss = losses_module.get(loss)
        self.penalties = [penalties_module.get(p) for p in (penalties or ())]
        self.mismatch_weight = float(mismatch_weight)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss"] + [p.name for p in self.penalties],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.add_average("generator", ema_decay, ema_warmup)

    def discriminate(self, x, labels, training=True):
        return self.call_network(self.discriminator, [x, labels], training=training)

    def critic(self, labels):
        return lambda x: self.adversarial_output(self.discriminate(x, labels))

    def train_step(self, data):
        real, labels = self.unpack(data)
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        for i in range(self.n_critic):
            d_loss, penalty_values = self.discriminator_step(real, labels, i)
        g_loss, regulariser_values = self.generator_step(real, labels)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, **penalty_values, **regulariser_values})

    def discriminator_step(self, real, labels, critic_iteration=0):
        """One D update (steps 1-2); returns (adversarial loss, {penalty: value})."""
        batch = tf.shape(real)[0]
        # The first update's streams are named as before n_critic existed (same runs as then).
        streams = () if critic_iteration == 0 else (critic_iteration,)
        z, fake_labels = self.sample_generator_inputs(batch, "latent", *streams)
        fake = self.generate_fakes(z, fake_labels)
        shift = self.random_labels("mismatch", batch, self.num_classes - 1, *streams) + 1
        wrong_labels = (labels + shift) % self.num_classes
        real_in = self.transform_d_input(real, "d_input", *streams, 0)
        fake_in = self.transform_d_input(fake, "d_input", *streams, 1)
        with tf.GradientTape() as tape:
            real_output = self.adversarial_output(self.discriminate(real_in, labels))
            fake_output = self.adversarial_output(self.discriminate(fake_in, fake_labels))
            mismatch_output = (self.adversarial_output(self.discriminate(real_in, wrong_labels))
                               if self.mismatch_weight else None)
            d_loss = mismatch_discriminator_loss(self.gan_loss, real_output, fake_output, mismatch_output,
                                                 self.mismatch_weight)
            context = StepContext(real=real_in, fake=fake_in, real_output=real_output, fake_output=fake_output,
                                  critic=self.critic(labels), conditions=labels, generator_inputs=(z, fake_labels),
                                  generated=fake, step=self.d_optimizer.iterations,
                                  variables=self.player_variables("d"), player="d")
            penalty, penalty_values = self.penalty_terms("d", context)
            d_total = d_loss + penalty
        self.update("d", tape, d_total)
        self.adapt_d_input_transforms(real_output)
        return d_loss, penalty_values

    def generator_step(self, real, labels):
        """The G update (step 3); returns (generator loss, {regulariser: value})."""
        z, fake_labels = self.sample_generator_inputs(tf.shape(real)[0], "latent_g")
        uses_real = getattr(self.gan_loss, "uses_real_in_generator_loss", False)
        with tf.GradientTape() as tape:
            fake = self.generate_fakes(z, fake_labels)
            fake_in = self.transform_d_input(fake, "d_input_g", 1)
            fake_output = self.adversarial_output(self.discriminate(fake_in, fake_labels))
            real_output = (self.adversarial_output(self.discriminate(self.transform_d_input(real, "d_input_g", 0),
                                                                     labels)) if uses_real else None)
            g_loss = self.gan_loss.generator_loss(real_output, fake_output)
            context = StepContext(fake=fake_in, fake_output=fake_output, real_output=real_output,
                                  critic=self.critic(fake_labels), conditions=fake_labels,
                                  generator_inputs=(z, fake_labels), generated=fake, step=self.step_counter,
                                  variables=self.player_variables("g"), player="g")
            regulariser, regulariser_values = self.penalty_terms("g", context)
            g_total = g_loss + regulariser
        self.update("g", tape, g_total)
        return g_loss, regulariser_values

    def generate_fakes(self, z, labels, training=True):
        return self.call_network(self.generator, [z, labels], training=training)
