"""What every family with a generator z -> x shares: z, sampling, latent walks and the z serving signatures."""

import keras
import numpy as np

from keras_gans.models.adversarial import AdversarialModel
from keras_gans.models.configuration import in_batches
from keras_gans.models.noise import check_noise, draw_noise, numpy_noise


class LatentModel(AdversarialModel):
    """A family whose generator maps a latent z to samples (GAN, BiGAN, BEGAN, VAE-GAN).

    It gives the family its z (`latent_dim`, the `noise` distribution, `sample_generator_inputs`
    in a step, `latent` outside), the generator's EMA copy as the `sampler`, `generate`,
    `interpolate` (latent walks) and the z -> images serving signatures. Subclasses add their
    other networks and write `compile` and `train_step`.

    Args:
        generator: a `keras.Model` mapping z of shape (batch, latent_dim) to samples.
        latent_dim: size of z; read from the generator's input shape when omitted.
        seed: seed of the random streams drawn during training.
        noise: z's distribution, "normal" (N(0, I), the default), "uniform" (U[-1, 1], the
            DCGAN paper's) or "categorical:K" (a one-hot category of K beside N(0, 1) entries;
            `keras_gans.models.noise`).
    """

    def __init__(self, generator, latent_dim=None, seed=None, noise="normal", **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.generator = generator
        if latent_dim is None:
            latent_dim = generator.inputs[0].shape[-1] if getattr(generator, "inputs", None) else None
            if latent_dim is None:
                raise ValueError(
                    f"latent_dim could not be read from the generator's input shape: pass "
                    f"{type(self).__name__}(..., latent_dim=...)."
                )
        self.latent_dim = int(latent_dim)
        self.noise = check_noise(noise, self.latent_dim)
        self.ema_generator = None

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        """The generator's `latent_dim` and `output_shape`, and `input_shape` for a `discriminator` slot."""
        arguments = {"generator": {"latent_dim": int(model.get("latent_dim", 64)), "output_shape": tuple(data_shape)}}
        if "discriminator" in cls.network_slots:
            arguments["discriminator"] = {"input_shape": tuple(data_shape)}
        return arguments

    # ------------------------------------------------------------------ sampling

    @property
    def sampler(self):
        """The generator used for sampling: the EMA copy when there is one."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, z, training=False):
        return keras.ops.cast(self.sampler(z, training=training), "float32")

    @property
    def sample_shape(self):
        outputs = getattr(self.generator, "outputs", None)
        return tuple(outputs[0].shape[1:]) if outputs else None

    def latent(self, n, seed=None):
        """`n` latent vectors from the model's `noise` distribution, as float32 NumPy; the same
        seed gives the same z."""
        return numpy_noise(self.noise, np.random.default_rng(seed), (int(n), self.latent_dim))

    def generate(self, n, seed=None, batch_size=256):
        """`n` samples from the (EMA) generator as a NumPy array; the same seed gives the same samples."""
        return self._generate_from(self.latent(n, seed), batch_size)

    def interpolate(self, rows, steps, seed=None, batch_size=256):
        """`rows` latent walks of `steps` samples each, between pairs of random z (`latent_walks`:
        spherical interpolation), as one (rows * steps, ...) NumPy array, row after row."""
        from keras_gans.sampling.interpolation import latent_walks

        z = self.latent(2 * int(rows), seed)
        return self._generate_from(latent_walks(z[: int(rows)], z[int(rows):], steps, self.noise), batch_size)

    def _generate_from(self, z, batch_size):
        return in_batches(lambda x: self.call(x, training=False), z, batch_size)

    def serving_endpoints(self, max_num):
        from keras_gans.models.serving_signatures import latent_endpoints

        return latent_endpoints(self.sampler, self.latent_dim, max_num, self.noise)

    # ------------------------------------------------------------------ the step's parts

    def sample_generator_inputs(self, batch_size, name, *indices):
        """z for one update: this replica's rows of a global batch drawn from `noise`."""
        return draw_noise(self, self.noise, name, [batch_size, self.latent_dim], *indices)

    def generate_fakes(self, generator_inputs, conditions=None, training=True):
        """G's samples, in float32 whatever G's compute dtype."""
        return self.call_network(self.generator, generator_inputs, training=training)

    def check_data_shape(self, real):
        """Raises a clear error when the data does not have the generator's output shape."""
        expected = self.sample_shape
        got = tuple(real.shape[1:])
        if expected is not None and None not in got and got != expected:
            raise ValueError(
                f"the dataset yields samples of shape {got} but the generator outputs {expected}: "
                "resize the data (e.g. keras_gans.data.make_dataset(..., image_shape=...)) or build "
                "the generator for this shape"
            )
