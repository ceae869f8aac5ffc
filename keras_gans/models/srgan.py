"""SRGAN (Ledig et al. 2017, arXiv 1609.04802): super-resolution with a content loss in a frozen
network's features and an adversarial loss."""

import tensorflow as tf

from keras_gans import losses as losses_module
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.registry import register_model
from keras_gans.models.translation import TranslationModel


def mean_squared_error(a, b):
    """The mean of `(a - b)^2` over every element of the batch (float32)."""
    return tf.reduce_mean(tf.square(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


@register_model("srgan")
class SRGAN(TranslationModel):
    """A generator from low- to high-resolution images, a discriminator of high-resolution images
    and a frozen content network phi (the MNIST classifier's features, or VGG19's).

    One `train_step`, on a batch of (low-resolution x, high-resolution y) pairs, is the paper's
    (Sec. 2.2, with its code's order):

    1. G(x); D minimises the adversarial loss of D(y) (real) against D(G(x)) (fake);
    2. with the updated D, G minimises the perceptual loss
       `content_weight * E(phi(y) - phi(G(x)))^2 + pixel_weight * E(y - G(x))^2
       + adversarial_weight * L_GAN(G)` (the paper: VGG54 content, adversarial weight 1e-3);
    3. EMA.

    `content_weight=0, pixel_weight=1, adversarial_weight=0` is the paper's SRResNet-MSE baseline
    (D does not train).

    Args:
        generator: low-resolution images -> high-resolution images, e.g. `srresnet_generator`.
        discriminator: high-resolution images -> logits, e.g. `dcgan_discriminator`.
        content_network: a frozen feature network phi (role `content_network`), e.g.
            `mnist_classifier_network`; it is saved with the model and never trained.
        seed: seed of the random streams.
    """

    network_slots = {"generator": "translator", "discriminator": "discriminator", "content_network": "content_network"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"

    def __init__(self, generator, discriminator, content_network, seed=None, **kwargs):
        super().__init__(generator, seed=seed, **kwargs)
        self.discriminator = discriminator
        self.content_network = content_network
        self.content_network.trainable = False
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["discriminator"] = {"input_shape": tuple(data_shape)}
        arguments["content_network"] = {"input_shape": tuple(data_shape)}
        return arguments

    def compile(self, d_optimizer="adam", g_optimizer="adam", loss="non_saturating", content_weight=1.0,
                pixel_weight=0.0, adversarial_weight=1e-3, ema_decay=None, ema_warmup=True, instance_noise=None,
                augment=(), jit_compile="auto", precision="float32", **kwargs):
        """Configures SRGAN's training.

        Args:
            d_optimizer, g_optimizer: the optimizers of D and G (the paper: Adam 1e-4, beta_1 0.9).
            loss: the adversarial loss (a `GANLoss` name or object; the paper's non-saturating).
            content_weight: the weight of the squared error of the content network's features.
            pixel_weight: the weight of the pixels' squared error.
            adversarial_weight: the adversarial term's weight in G's loss (the paper's 1e-3); 0
                trains the generator alone (D is not trained).
            ema_decay, ema_warmup: an EMA copy of G (None: none) used to translate.
            instance_noise, augment: discriminator-input transforms (`set_d_input_transforms`).
            jit_compile, precision, **kwargs: as `GAN.compile`.
        """
        check_decay(ema_decay)
        weights = {"content_weight": content_weight, "pixel_weight": pixel_weight,
                   "adversarial_weight": adversarial_weight}
        for name, value in weights.items():
            if float(value) < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if not any(float(value) > 0 for value in weights.values()):
            raise ValueError("at least one of content_weight, pixel_weight and adversarial_weight must be > 0")
        self.gan_loss = losses_module.get(loss)
        self.content_weight, self.pixel_weight = float(content_weight), float(pixel_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.set_d_input_transforms(instance_noise, augment)
        self.compile_players({"d": d_optimizer, "g": g_optimizer}, ["d_loss", "g_loss", "content", "mse"],
                             jit_compile=jit_compile, precision=precision, **kwargs)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.add_average("generator", self.ema_decay, ema_warmup)

    # ------------------------------------------------------------------ the algorithm

    def judge(self, sources, images, name):
        """D's adversarial output for `images` (D reads them alone, not the sources) after the
        D-input transforms (stream `name`)."""
        return self.adversarial_output(self.call_network(self.discriminator, self.transform_d_input(images, name)))

    def content_features(self, images):
        """phi(images) in float32 (the frozen content network, in inference mode)."""
        return self.call_network(self.content_network, images, training=False)

    def train_step(self, data):
        sources, targets = data
        self.check_pair_shapes(sources, targets)
        adversarial = self.adversarial_weight > 0

        with tf.GradientTape() as g_tape:
            fakes = self.call_network(self.generator, sources)
        d_loss = self.discriminator_update(sources, targets, fakes) if adversarial else tf.constant(0.0)
        with g_tape:  # G's perceptual loss with the updated D, on the fakes G made above
            content = tf.constant(0.0)
            if self.content_weight > 0:
                content = mean_squared_error(self.content_features(targets), self.content_features(fakes))
            mse = mean_squared_error(targets, fakes)
            g_loss = self.generator_adversarial_loss(sources, targets, fakes) if adversarial else tf.constant(0.0)
            g_total = self.content_weight * content + self.pixel_weight * mse + self.adversarial_weight * g_loss
        self.update("g", g_tape, g_total)
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, "content": content, "mse": mse})
