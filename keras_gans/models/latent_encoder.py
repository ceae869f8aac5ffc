"""What every family with an encoder x -> z beside its generator shares (BiGAN, VAE-GAN)."""

import numpy as np

from keras_gans.models.configuration import in_batches
from keras_gans.models.latent import LatentModel


class LatentEncoderModel(LatentModel):
    """A generator z -> x, an encoder x -> z and a discriminator (BiGAN, VAE-GAN).

    It adds to `LatentModel` the encoder's slot and its EMA copy (`encoder_sampler`), `encode`,
    `reconstruct` (G(E(x))), the encoder's network arguments and the `encode` serving signature.
    Subclasses say what the encoder outputs mean with `encoder_outputs` (a dict whose `z` is the
    latent `encode` returns) and write `compile` and `train_step`.
    """

    def __init__(self, generator, encoder, discriminator, latent_dim=None, seed=None, noise="normal", **kwargs):
        super().__init__(generator, latent_dim=latent_dim, seed=seed, noise=noise, **kwargs)
        self.encoder, self.discriminator = encoder, discriminator
        self.ema_encoder = None
        self._mark_built()

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        arguments = super().network_arguments(model, data_shape, source_shape)
        arguments["encoder"] = {"latent_dim": arguments["generator"]["latent_dim"], "input_shape": tuple(data_shape)}
        return arguments

    @property
    def encoder_sampler(self):
        """The encoder used outside training: the EMA copy when there is one."""
        return self.ema_encoder if self.ema_encoder is not None else self.encoder

    def encoder_outputs(self, images):
        """`{"z": latent, ...}` of the (EMA) encoder on a batch of images, float32 tensors; `z` is
        what `encode` and the `encode` signature return, the other entries are served beside it."""
        raise NotImplementedError(f"{type(self).__name__} does not define encoder_outputs")

    def encode(self, images, batch_size=256):
        """The latents of images (float in [-1, 1]) as float32 NumPy (`encoder_outputs`' `z`)."""
        return in_batches(lambda x: self.encoder_outputs(x)["z"], np.asarray(images, "float32"), batch_size)

    def reconstruct(self, images, batch_size=256):
        """G(E(x)) of images, as NumPy."""
        return self._generate_from(self.encode(images, batch_size), batch_size)

    def serving_endpoints(self, max_num):
        """The z -> images signatures and `encode`: `images` float32 [batch, H, W, C] in [-1, 1]
        -> `encoder_outputs` (`z` float32 [batch, latent_dim], ...)."""
        from keras_gans.models.serving_signatures import encode_endpoint

        resources, endpoints = super().serving_endpoints(max_num)
        endpoint = encode_endpoint(self.encoder_outputs, tuple(self.encoder.inputs[0].shape[1:]), max_num)
        return [*resources, self.encoder_sampler], [*endpoints, endpoint]
