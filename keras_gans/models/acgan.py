"""Auxiliary classifier GAN (Odena et al. 2017, arXiv 1610.09585)."""

import keras
import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans import penalties as penalties_module
from keras_gans.models.conditional import LabelConditionalModel
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.registry import register_model
from keras_gans.models.step_context import StepContext


def class_cross_entropy(labels, logits):
    """`E[-log softmax(logits)[label]]`, the class loss L_C of ACGAN, in float32."""
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, tf.cast(logits, tf.float32),
                                                                       from_logits=True))


@register_model("acgan")
class ACGAN(LabelConditionalModel):
    """G(z, y) against a D with two heads: real/fake (`logits`) and the class (`class`).

    One `train_step` (the paper's objective, with any adversarial loss for L_S):

    1. sample z, y'; x' = G(z, y');
    2. D maximises L_S + L_C: its adversarial loss on reals and fakes plus `class_weight` times
       the class cross-entropy on the reals' labels and (with `fake_class_weight`) on the fakes'
       labels y'; plus the penalties; apply D;
    3. sample z, y'; G maximises L_C - L_S: its adversarial loss plus `class_weight` times the
       class cross-entropy of D's class head on G(z, y') against y'; apply G; EMA.
    """

    network_slots = {"generator": "conditional_generator", "discriminator": "classifying_discriminator"}

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", penalties=(),
                class_weight=1.0, fake_class_weight=1.0, ema_decay=None, ema_warmup=True, instance_noise=None,
                augment=(), jit_compile="auto", precision="float32", **kwargs):
        """Args as `GAN.compile`, and `class_weight` (the class loss's weight in both players'
        losses) and `fake_class_weight` (the share of D's class loss on fakes; the paper's 1, 0
        trains D's class head on real digits only)."""
        check_decay(ema_decay)
        self.gan_loss = losses_module.get(loss)
        self.penalties = [penalties_module.get(p) for p in (penalties or ())]
        self.class_weight = float(class_weight)
        self.fake_class_weight = float(fake_class_weight)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer},
                             ["d_loss", "g_loss", "d_class_loss", "g_class_loss"] + [p.name for p in self.penalties],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.add_average("generator", ema_decay, ema_warmup)

    def discriminate(self, x, training=True):
        return self.call_network(self.discriminator, x, training=training)

    def train_step(self, data):
        real, labels = self.unpack(data)
        batch = tf.shape(real)[0]
        labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)

        z, fake_labels = self.sample_generator_inputs(batch, "latent")
        fake = self.call_network(self.generator, [z, fake_labels])
        real_in = self.transform_d_input(real, "d_input", 0)
        fake_in = self.transform_d_input(fake, "d_input", 1)
        with tf.GradientTape() as tape:
            heads = {"real": self.discriminate(real_in), "fake": self.discriminate(fake_in)}
            real_output, fake_output = heads["real"]["logits"], heads["fake"]["logits"]
            d_loss = self.gan_loss.discriminator_loss(real_output, fake_output)
            d_class_loss = class_cross_entropy(labels, heads["real"]["class"])
            if self.fake_class_weight:
                d_class_loss += self.fake_class_weight * class_cross_entropy(fake_labels, heads["fake"]["class"])
            context = StepContext(real=real_in, fake=fake_in, real_output=real_output, fake_output=fake_output,
                                  heads=heads, critic=lambda x: self.discriminate(x)["logits"], conditions=labels,
                                  generator_inputs=(z, fake_labels), generated=fake,
                                  step=self.d_optimizer.iterations, variables=self.player_variables("d"), player="d")
            penalty, penalty_values = self.penalty_terms("d", context)
            d_total = d_loss + self.class_weight * d_class_loss + penalty
        self.update("d", tape, d_total)

        z, fake_labels = self.sample_generator_inputs(batch, "latent_g")
        uses_real = getattr(self.gan_loss, "uses_real_in_generator_loss", False)
        with tf.GradientTape() as tape:
            fake = self.call_network(self.generator, [z, fake_labels])
            heads = self.discriminate(self.transform_d_input(fake, "d_input_g", 1))
            real_output = (self.discriminate(self.transform_d_input(real, "d_input_g", 0))["logits"]
                           if uses_real else None)
            g_loss = self.gan_loss.generator_loss(real_output, heads["logits"])
            g_class_loss = class_cross_entropy(fake_labels, heads["class"])
            context = StepContext(fake=fake, fake_output=heads["logits"], real_output=real_output, heads={"fake": heads},
                                  generator_inputs=(z, fake_labels), generated=fake, step=self.step_counter,
                                  variables=self.player_variables("g"), player="g")
            regulariser, regulariser_values = self.penalty_terms("g", context)
            g_total = g_loss + self.class_weight * g_class_loss + regulariser
        self.update("g", tape, g_total)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "d_class_loss": d_class_loss,
                            "g_class_loss": g_class_loss, **penalty_values, **regulariser_values})
