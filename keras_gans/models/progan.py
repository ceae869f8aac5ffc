"""Progressive growing of GANs: ProGAN (Karras et al. 2018, arXiv 1710.10196)."""

import tensorflow as tf

from keras_gans.layers.level_of_detail import LevelOfDetail
from keras_gans.models import jit
from keras_gans.models.gan import GAN
from keras_gans.models.registry import register_model
from keras_gans.utils import distribute


def level_of_detail(step, levels, stable_steps, fade_steps):
    """ProGAN's schedule: the level of detail (`LevelOfDetail`) at train step `step`.

    Starts at `levels - 1` (4x4); each phase holds its resolution for `stable_steps`, then fades
    the next one in over `fade_steps` (the lod falls linearly by 1), until 0 (the full
    resolution), where it stays. The paper's phases are 800k images stable + 800k fading (its
    code's default 600k), i.e. `stable_steps = fade_steps = 800000 / batch size`.
    """
    step = tf.cast(step, tf.float32)
    phase_length = float(stable_steps + fade_steps)
    phase = tf.floor(step / phase_length)
    into = step - phase * phase_length
    fading = tf.clip_by_value((into - stable_steps) / fade_steps, 0.0, 1.0) if fade_steps else 0.0
    return tf.maximum(float(levels - 1) - phase - fading, 0.0)


def reals_at_level(images, lod, levels):
    """Real images shown at level of detail `lod`, as the networks draw them (the paper's code's
    `process_reals`): averaged down by 2^floor(lod), upsampled back (nearest) to the full size,
    and blended with the next coarser level by the fraction of `lod`, as the generator's fade-in.
    Only the two levels used are computed."""
    def view(level):
        if level == 0:
            return images
        size = 2**level
        pooled = tf.nn.avg_pool2d(images, size, size, "VALID")
        return tf.repeat(tf.repeat(pooled, size, axis=1), size, axis=2)

    lod = tf.cast(lod, images.dtype)
    low = tf.cast(tf.floor(lod), tf.int32)
    views = [lambda level=level: view(level) for level in range(levels)]
    fine = tf.switch_case(low, views)
    coarser = tf.switch_case(tf.minimum(low + 1, levels - 1), views)
    return fine + (coarser - fine) * (lod - tf.floor(lod))


def new_level(lod, previous_lod):
    """Whether a step at `lod` starts a fade-in or ends one (after a step at `previous_lod`):
    `floor` or `ceil` of the level changed, when the paper's code resets the optimizers' state."""
    return tf.logical_or(tf.not_equal(tf.floor(lod), tf.floor(previous_lod)),
                         tf.not_equal(tf.math.ceil(lod), tf.math.ceil(previous_lod)))


def reset_optimizer_state(optimizer, reset):
    """Zeroes `optimizer`'s state (its step count, Adam's moments...; not its learning rate) where
    the scalar bool `reset` holds, in every replica. Always assigned (a multiplication by 1 or 0),
    so that it needs no `tf.cond` around a cross-replica update."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)  # not a LossScaleOptimizer's scale
    state = [v for v in inner.variables if v.name != "learning_rate"]
    keep = tf.logical_not(reset)
    distribute.assign_variables(state, [v.value * tf.cast(keep, v.dtype) for v in state])


@register_model("progan")
class ProgressiveGAN(GAN):
    """A GAN whose networks grow from 4x4 to their full resolution while it trains (ProGAN).

    Every `train_step` first sets the level of detail of both networks from the step counter
    (`level_of_detail`), shows the reals at that level (`reals_at_level`), then runs the GAN's
    step (the paper: WGAN-GP with the drift penalty, n_critic 1, Adam(0.001, 0, 0.99), an EMA
    generator; see the `progan-mnist` recipe). The level is a function of the step, saved with
    the networks, so `--resume` in the middle of a fade-in continues exactly.

    When a fade-in starts and when it ends, both optimizers' state is reset (Adam's moments and
    step count; `reset_optimizer_state`), as the paper's code does (`reset_opt_for_new_lod`): a
    block that had zero gradients would otherwise take Adam's first, bias-corrected steps at ten
    times the learning rate with beta_2 = 0.99.

    The networks need a `LevelOfDetail` layer (the `progan` networks, or `stylegan` ones built
    with `progressive=True`). The paper lowers the batch size at the high resolutions to fit GPU
    memory: `batch_sizes` gives one per resolution, and `batch_schedule()` says which batch each
    step takes (`keras-gans train` re-batches the data so: `keras_gans.data.scheduled_batches`).
    Here every step computes every block, so a smaller batch saves time at any resolution.

    Args:
        generator, discriminator, latent_dim, seed, rejection, noise: as `GAN`'s.
        stable_steps: steps each resolution is trained alone before the next fades in.
        fade_steps: steps of each fade-in (0: the next resolution is switched on at once).
        batch_sizes: None (the data's batch size throughout) or one batch size per resolution
            from 4x4 (the paper's 1024x1024: 16 up to 128x128, then 14, 6, 3), used where the
            level of detail rounds down to it (`floor(lod)`, as the paper's code): in the fade-in
            that brings the resolution in and in its stable phase.
    """

    def __init__(self, generator, discriminator, latent_dim=None, seed=None, rejection=None, noise="normal",
                 stable_steps=1000, fade_steps=1000, batch_sizes=None, **kwargs):
        super().__init__(generator, discriminator, latent_dim=latent_dim, seed=seed, rejection=rejection,
                         noise=noise, **kwargs)
        if int(stable_steps) < 1 or int(fade_steps) < 0:
            raise ValueError(f"stable_steps must be at least 1 and fade_steps at least 0, got {stable_steps} "
                             f"and {fade_steps}")
        self.stable_steps, self.fade_steps = int(stable_steps), int(fade_steps)
        self.levels = _level_layer(generator, "generator").levels
        if _level_layer(discriminator, "discriminator").levels != self.levels:
            raise ValueError(f"the generator grows over {self.levels} resolutions but the discriminator over "
                             f"{_level_layer(discriminator, 'discriminator').levels}: build them for the same "
                             "image size")
        if batch_sizes is not None:
            batch_sizes = [int(b) for b in batch_sizes]
            if len(batch_sizes) != self.levels or min(batch_sizes) < 1:
                raise ValueError(f"batch_sizes must be {self.levels} positive batch sizes, one per resolution "
                                 f"from 4x4, got {batch_sizes}")
        self.batch_sizes = batch_sizes
        self.set_level(self.lod_at(0))  # a new model draws 4x4 images; loading restores the saved level

    def batch_schedule(self):
        """The `(batch_size, steps)` schedule of the training batches (see
        `keras_gans.data.scheduled_batches`), or None without `batch_sizes`: step s takes the
        batch size of resolution `floor(lod_at(s))`; the last size lasts to the end."""
        if self.batch_sizes is None:
            return None
        # A phase's first stable_steps + 1 steps have an integer lod (its old resolution; the fade
        # starts after them), its other fade_steps - 1 a fraction (the new resolution's batch).
        stable, fading = (self.stable_steps + 1, self.fade_steps - 1) if self.fade_steps else (self.stable_steps, 0)
        schedule = []
        for level, size in enumerate(self.batch_sizes):
            if level and fading:
                schedule.append((size, fading))
            schedule.append((size, stable))
        return schedule

    def compile_players(self, optimizers, log_names, jit_compile="auto", **kwargs):
        """`AdversarialModel.compile_players`. XLA cannot compile a lazy penalty's `tf.cond`
        (interval > 1) through the minibatch-std layer on batches whose size changes
        (`batch_sizes`): then `jit_compile=True` is refused and "auto" keeps XLA off. On a CPU
        "auto" keeps it off in any case: the start-of-fit measurement (one step function on one
        batch) found XLA faster for `progan-mnist` (3.39 against 3.09 steps/s), but inside `fit`
        the XLA step took about 3 s against 0.3 s (benchmarks/README.md, "Every family under XLA")."""
        lazy = [p.name for p in getattr(self, "penalties", ()) if getattr(p, "interval", 1) > 1]
        changing = self.batch_sizes is not None and len(set(self.batch_sizes)) > 1
        if lazy and changing and jit_compile is True:
            raise ValueError(f"XLA cannot compile the lazy penalty {lazy[0]} (interval > 1) on batches whose size "
                             f"changes (batch_sizes {self.batch_sizes}): use jit_compile=False, interval 1 or one "
                             f"batch size")
        super().compile_players(optimizers, log_names, jit_compile=jit_compile, **kwargs)
        if lazy and changing and (self.jit_compile or self._measure_jit):
            jit.use_jit_compile(self, False, f"XLA is off: the lazy penalty {lazy[0]} on batches whose size changes "
                                             f"(batch_sizes) does not compile with it")
        elif self._measure_jit:
            jit.use_jit_compile(self, False, "XLA is off: a progressive GAN's step ran about 10 times slower with it "
                                             "inside fit on a CPU (jit_compile=True turns it on)")

    def growth_steps(self):
        """The step at which the networks reach their full resolution."""
        return (self.levels - 1) * (self.stable_steps + self.fade_steps)

    def lod_at(self, step):
        """The level of detail at `step` (see `level_of_detail`)."""
        return level_of_detail(step, self.levels, self.stable_steps, self.fade_steps)

    def set_level(self, lod):
        """Sets the level of detail of the generator and the discriminator (the EMA generator
        copies it at its next update)."""
        for slot in ("generator", "discriminator"):
            _level_layer(getattr(self, slot), slot).lod.assign(lod)

    def train_step(self, data):
        step = self.step_counter
        lod = self.lod_at(step)
        self.set_level(lod)
        reset = tf.logical_and(step > 0, new_level(lod, self.lod_at(tf.maximum(step - 1, 0))))
        for player in self.players:
            reset_optimizer_state(self.optimizer_of(player), reset)
        real, conditions = self.unpack(data)
        real = reals_at_level(real, lod, self.levels)
        return super().train_step(real if conditions is None else (real, conditions))


def _level_layer(network, slot):
    layers = [layer for layer in network.layers if isinstance(layer, LevelOfDetail)]
    if len(layers) != 1:
        raise ValueError(f"ProgressiveGAN grows networks with one LevelOfDetail layer; this {slot} has "
                         f"{len(layers)} (model.{slot}.name: progan)")
    return layers[0]
