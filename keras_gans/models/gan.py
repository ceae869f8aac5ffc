"""The GAN family: a generator fed with noise and a discriminator, trained with `model.fit`."""

import contextlib

import numpy as np
import tensorflow as tf

from keras_gans import constraints as constraints_module
from keras_gans import losses as losses_module
from keras_gans import penalties as penalties_module
from keras_gans.models.configuration import in_batches
from keras_gans.models.jit import resolve_jit_compile  # noqa: F401  (public here since 0.1)
from keras_gans.models.precision import PRECISIONS  # noqa: F401
from keras_gans.models.precision import precision_scope  # noqa: F401
from keras_gans.models.exponential_moving_average import check_decay
from keras_gans.models.latent import LatentModel
from keras_gans.models.noise import numpy_noise
from keras_gans.models.registry import register_model
from keras_gans.models.step_context import StepContext
from keras_gans.models.top_k import get_top_k
from keras_gans.layers.pack_samples import samples_per_pack


@register_model("gan")
class GAN(LatentModel):
    """A generative adversarial network (Goodfellow et al. 2014, arXiv 1406.2661).

    One `train_step` (one batch of real data) runs the algorithm of the papers:

    1. `n_critic` times: sample z, generate fakes, compute the discriminator loss plus every
       discriminator penalty, apply the discriminator optimizer, apply the weight constraints;
    2. sample z (or, with `reuse_fakes`, the default when `n_critic` is 1, keep the last
       discriminator step's fakes), compute the generator loss plus every generator regulariser,
       apply the generator optimizer;
    3. update the exponential moving average (EMA) of the generator's weights, if enabled.

    The discriminator steps of one `train_step` all see the same real batch with fresh z. Every
    discriminator input (reals and fakes, in both steps) goes through the discriminator-input
    transforms (`instance_noise`).

    Distribution: under a `tf.distribute` strategy every replica computes its losses as means
    over its local batch and `update` scales their gradients by `1 / num_replicas_in_sync`; the
    optimizers sum the gradients over replicas, so the update equals the one of a single device on
    the global batch. z and the penalties' random numbers come from named stateless streams
    (`self.random`) for the whole global batch and are sliced per replica, and batch statistics
    inside per-sample terms (relativistic averages, DRAGAN's std) are all-reduced, so that a run
    is reproducible and independent of the number of replicas (and of workers). (XLA draws other
    numbers from the same key than TF's kernels do: a `jit_compile` run is reproducible but not
    identical to a run without it.)

    Mixed precision: build the networks under the policy (`precision_scope("mixed_float16")`) and
    pass the same `precision` to `compile`. Network outputs are cast to float32 before the losses
    and penalties, which compute in float32.

    Args:
        generator: a `keras.Model` mapping z of shape (batch, latent_dim) to samples.
        discriminator: a `keras.Model` mapping samples to outputs (logits, critic values or
            energies, depending on the loss).
        latent_dim: size of z; read from the generator's input shape when omitted.
        seed: seed of the random streams (z, penalties, noise) drawn during training.
        rejection: a `keras_gans.sampling.DiscriminatorRejection` (or a dict of its arguments)
            that `generate` applies to the generator's samples; None (the default) for none.
        noise: z's distribution, "normal" (N(0, I), the default) or "uniform" (U[-1, 1], the
            DCGAN paper's; `keras_gans.models.noise`).

    Example:

    ```python
    gan = keras_gans.GAN(generator, discriminator)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        loss="non_saturating",
        penalties=[keras_gans.GradientPenalty(weight=10.0, mode="r1")],
        ema_decay=0.999,
    )
    gan.fit(dataset, epochs=10, steps_per_epoch=500)
    images = gan.generate(64, seed=0)
    ```
    """

    network_slots = {"generator": "generator", "discriminator": "discriminator"}
    players = {"d": ("discriminator",), "g": ("generator",)}
    step_player = "g"
    packs_samples = True
    adapts_d_input_transforms = True

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, rejection=None, noise="normal",
                 **kwargs):
        from keras_gans.sampling import get_rejection

        super().__init__(generator, latent_dim=latent_dim, seed=seed, noise=noise, **kwargs)
        try:
            self.rejection = get_rejection(rejection)
        except ValueError as e:
            raise ValueError(f"rejection: {e}") from None
        self.discriminator = discriminator
        self.pack = samples_per_pack(discriminator)
        if self.rejection is not None and self.pack > 1:
            raise ValueError(f"rejection sampling scores each sample with D, but this discriminator judges packs of "
                             f"{self.pack} samples (PacGAN): drop the rejection sampler or the packing")
        self._mark_built()

    def compile(
        self,
        d_optimizer="adam",
        g_optimizer="adam",
        loss="non_saturating",
        penalties=(),
        constraints=(),
        n_critic=1,
        ema_decay=None,
        ema_warmup=True,
        instance_noise=None,
        augment=(),
        top_k=None,
        reuse_fakes="auto",
        jit_compile="auto",
        precision="float32",
        **kwargs,
    ):
        """Configures the adversarial training.

        Args:
            d_optimizer, g_optimizer: optimizers (instances, names or configs) of the
                discriminator and the generator. Built here, so they can be saved before training.
            loss: a `GANLoss`, its string name (`keras_gans.losses.ALL_NAMES`) or a config dict.
            penalties: `Penalty` objects: discriminator penalties (e.g. `GradientPenalty`) are
                added to the discriminator loss, generator regularisers (`player = "g"`, e.g.
                `OrthogonalRegularization`) to the generator loss.
            constraints: `keras.constraints.Constraint`s (e.g. `WeightClip`) applied to every
                discriminator weight after each discriminator update.
            n_critic: discriminator updates per generator update.
            ema_decay: if set (e.g. 0.999), keep an exponential moving average of the generator's
                weights in `ema_generator`; `generate` and `call` use it.
            ema_warmup: ramp the EMA decay up as `min(ema_decay, (1 + t) / (10 + t))` at generator
                step t (see `ExponentialMovingAverage`).
            instance_noise: an `InstanceNoise` added to every discriminator input.
            augment: more discriminator-input transforms (`keras_gans.augment.DInputTransform`s,
                or their names / `{"name": ...}` dicts), applied after the instance noise to
                every discriminator input: reals and fakes, in both steps, and so in penalties.
            top_k: a `TopKGeneratorUpdate` restricting the generator loss to the best fakes.
            reuse_fakes: True: the generator update reuses the fakes (and z) of the last
                discriminator update instead of drawing new ones, back-propagating through the same
                generator forward pass: one generator forward per step less, the algorithm of the
                DCGAN reference loops (dcgan.torch, the PyTorch examples, PyTorch-GAN). False: fresh
                z for the generator update (Goodfellow et al.'s Algorithm 1). "auto" (default): True
                when `n_critic` is 1; with more critic steps the generator update draws fresh z, as
                WGAN's algorithm does. On dcgan-mnist (3 seeds each) reusing scored as well (93.1%
                of samples confidently one digit against 92.9%) at 6% more steps/s; on
                PyTorch-GAN's DCGAN, 23% more (benchmarks/README.md, "Fast on every CPU").
            jit_compile: True, False or "auto" (XLA on a single device with a GPU or TPU; off
                under multi-replica strategies and on CPU-only machines, where it measured slower;
                see `keras_gans.models.jit.resolve_jit_compile`).
            precision: one of `PRECISIONS`, the dtype policy the networks were built with.
                `"mixed_float16"` wraps both optimizers in a `LossScaleOptimizer`.
            **kwargs: passed to `keras.Model.compile` (`steps_per_execution`, `run_eagerly`).
        """
        if int(n_critic) < 1:
            raise ValueError(f"n_critic must be >= 1, got {n_critic}")
        check_decay(ema_decay)
        self.gan_loss = losses_module.get(loss)
        if self.rejection is not None:
            self.rejection.check_loss(self)
        self.penalties = [penalties_module.get(p) for p in (penalties or ())]
        gradient_terms = [p.name for p in self.penalties if isinstance(p, penalties_module.GradientPenalty)]
        if self.pack > 1 and gradient_terms:
            raise ValueError(f"{', '.join(gradient_terms)} take D's gradient norm per sample, but this discriminator "
                             f"judges packs of {self.pack} samples (PacGAN): drop the pack or the gradient penalty")
        self.weight_constraints = [constraints_module.get(c) for c in (constraints or ())]
        self.n_critic = int(n_critic)
        self.set_d_input_transforms(instance_noise, augment)
        self.top_k = get_top_k(top_k)
        if reuse_fakes not in (True, False, "auto"):
            raise ValueError(f'reuse_fakes must be True, False or "auto", got {reuse_fakes!r}')
        self.reuse_fakes = self.n_critic == 1 if reuse_fakes == "auto" else reuse_fakes
        self.compile_players(
            {"d": d_optimizer, "g": g_optimizer},
            ["d_loss", "g_loss"] + [p.name for p in self.penalties],
            jit_compile=jit_compile, precision=precision, **kwargs,
        )
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_warmup = bool(ema_warmup)
        self.add_average("generator", self.ema_decay, self.ema_warmup)

    # ------------------------------------------------------------------ sampling

    def generate(self, n, seed=None, batch_size=256, rejection=True, psi=None):
        """`n` samples from the (EMA) generator as a NumPy array; the same seed gives the same samples.

        When the GAN has a `rejection` sampler, the samples are the ones it accepts;
        `rejection=False` returns the generator's own samples. `psi` (StyleGAN generators) draws
        them with the truncation trick at `psi` (`keras_gans.sampling.styles`; 1: none).
        """
        if psi is not None:
            from keras_gans.sampling import styles

            psi = styles.check_psi(psi)
            styles.style_parts(self.sampler)
            if rejection and self.rejection is not None:
                raise ValueError("rejection sampling and psi do not combine: pass rejection=False "
                                 "(keras-gans sample --no-rejection) with psi")
            return in_batches(lambda z: styles.truncated_images(self.sampler, z, psi), self.latent(n, seed),
                              batch_size)
        if rejection and self.rejection is not None:
            return self.rejection_sample(n, seed, batch_size)[0]
        return super().generate(n, seed, batch_size)

    def mix_styles(self, z_sources, z_destinations, crossover=None, psi=None):
        """StyleGAN's style mixing (`keras_gans.sampling.styles.mix_styles`):
        `(len(z_destinations), len(z_sources), H, W, C)`, cell (j, i) destination j with its
        first `crossover` styles (default: the coarse ones) from source i."""
        from keras_gans.sampling import styles

        return styles.mix_styles(self.sampler, z_sources, z_destinations, crossover, psi)

    def sample_picture(self, n, seed=None, centers=None, title=None, rejection=True, psi=None):
        """The per-epoch picture (`AdversarialModel.sample_picture`); `rejection=False` draws the
        generator's own samples when the GAN has a rejection sampler; `psi` as in `generate`."""
        from keras_gans.utils.images import image_grid, scatter_picture

        samples = self.generate(n, seed=seed, rejection=rejection, psi=psi)
        if samples.ndim == 2:
            return scatter_picture(samples, centers, title=title)
        return image_grid(samples)

    def rejection_sample(self, n, seed=None, batch_size=256):
        """`(samples, stats)` of discriminator rejection sampling (see `DiscriminatorRejection`)."""
        if self.rejection is None:
            raise ValueError("this GAN has no rejection sampler: pass GAN(..., rejection={...})")
        self.rejection.check_loss(self)
        rng = np.random.default_rng(seed)

        def propose(k):
            return self._generate_from(numpy_noise(self.noise, rng, (int(k), self.latent_dim)), batch_size)

        def score(samples):
            logits = in_batches(lambda x: self.adversarial_output(self.discriminate(x, training=False)), samples,
                                batch_size)
            return logits.reshape(len(samples), -1).mean(axis=1)

        return self.rejection.sample(propose, score, n, rng)

    # ------------------------------------------------------------------ the step's parts

    def discriminate(self, x, conditions=None, training=True):
        """D's outputs (every head), in float32 whatever D's compute dtype."""
        return self.call_network(self.discriminator, x, training=training)

    def critic(self, conditions=None):
        """The callable `x -> D(x)` (adversarial output) handed to penalties; conditional families
        bind their conditions here."""
        return lambda x: self.adversarial_output(self.discriminate(x, conditions, training=True))

    # ------------------------------------------------------------------ the algorithm

    def train_step(self, data):
        real, conditions = self.unpack(data)
        self.check_data_shape(real)
        if real.shape[0] is not None and real.shape[0] % self.pack:
            raise ValueError(f"the discriminator judges packs of {self.pack} samples (PacGAN) but a replica's batch "
                             f"is {real.shape[0]}: use a batch size divisible by {self.pack} per replica")
        batch_size = tf.shape(real)[0]

        # With reuse_fakes, the last discriminator update's generator pass is recorded on g_tape
        # and the generator update back-propagates through it.
        g_tape = tf.GradientTape() if self.reuse_fakes else None
        for i in range(self.n_critic):
            last = i == self.n_critic - 1
            d_loss, penalties, reused = self.discriminator_step(
                real, conditions, batch_size, critic_iteration=i, g_tape=g_tape if last else None
            )
        g_loss, regularisers = self.generator_step(
            real, conditions, batch_size, reused=reused if self.reuse_fakes else None
        )
        self.update_averages()
        return self.record({"d_loss": d_loss, "g_loss": g_loss, **penalties, **regularisers})

    def discriminator_step(self, real, conditions, batch_size, critic_iteration=0, g_tape=None):
        """One discriminator update; returns (adversarial loss, {penalty: value}, (tape, z, fakes)).

        With `g_tape`, the generator's forward pass is recorded on it for the generator update.
        """
        z = self.sample_generator_inputs(batch_size, "latent", critic_iteration)
        with g_tape or contextlib.nullcontext():
            generated = self.generate_fakes(z, conditions, training=True)
        real_in = self.transform_d_input(real, "d_input", critic_iteration, 0)
        fake_in = self.transform_d_input(generated, "d_input", critic_iteration, 1)
        with tf.GradientTape() as tape:
            heads = {"real": self.discriminate(real_in, conditions), "fake": self.discriminate(fake_in, conditions)}
            real_output, fake_output = self.adversarial_output(heads["real"]), self.adversarial_output(heads["fake"])
            d_loss = self.gan_loss.discriminator_loss(real_output, fake_output)
            context = StepContext(
                real=real_in, fake=fake_in, real_output=real_output, fake_output=fake_output, heads=heads,
                critic=self.critic(conditions), conditions=conditions, generator_inputs=z,
                step=self.d_optimizer.iterations, variables=self.player_variables("d"), player="d",
                generated=generated,
            )
            penalty, values = self.penalty_terms("d", context)
            total = d_loss + penalty
        self.update("d", tape, total, constraints=self.weight_constraints)
        self.adapt_d_input_transforms(real_output)
        return d_loss, values, (g_tape, z, generated)

    def generator_step(self, real, conditions, batch_size, reused=None):
        """One generator update; returns (generator loss, {regulariser: value}).

        `reused` is `(tape, z, fakes)`: fakes already generated under `tape`, which goes on recording.
        """
        uses_real = getattr(self.gan_loss, "uses_real_in_generator_loss", False)
        if reused is None:
            tape = tf.GradientTape()
            z = self.sample_generator_inputs(batch_size, "latent_g")
            with tape:
                fake = self.generate_fakes(z, conditions, training=True)
        else:
            tape, z, fake = reused
        with tape:
            fake_in = self.transform_d_input(fake, "d_input_g", 1)
            heads = {"fake": self.discriminate(fake_in, conditions)}
            real_in = self.transform_d_input(real, "d_input_g", 0) if uses_real else None
            if uses_real:
                heads["real"] = self.discriminate(real_in, conditions)
            fake_output = self.adversarial_output(heads["fake"])
            real_output = self.adversarial_output(heads["real"]) if uses_real else None
            if self.top_k is not None:
                realness = getattr(self.gan_loss, "realness", lambda x: x)(fake_output)
                keep = self.top_k(fake_output, realness, self.step_counter)
                fake_output = tf.gather(fake_output, keep)
            g_loss = self.gan_loss.generator_loss(real_output, fake_output)
            context = StepContext(
                real=real_in, fake=fake_in, real_output=real_output, fake_output=fake_output, heads=heads,
                critic=self.critic(conditions), conditions=conditions, generator_inputs=z,
                step=self.step_counter, variables=self.player_variables("g"), player="g",
                generated=fake,
            )
            regulariser, values = self.penalty_terms("g", context)
            total = g_loss + regulariser
        self.update("g", tape, total)
        return g_loss, values
