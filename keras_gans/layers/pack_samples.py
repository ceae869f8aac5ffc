"""Packing (PacGAN): the discriminator judges `pack` samples at a time, joined along the features."""

import keras
from keras import ops

from keras_gans.utils.serialization import register


@register
class PackSamples(keras.layers.Layer):
    """Joins each `pack` consecutive samples into one: `(batch, ..., C) -> (batch / pack, ..., pack * C)`.

    PacGAN (Lin et al. 2018, arXiv 1712.04086): a discriminator that sees `m` samples together,
    all real or all fake, judges their joint distribution; a generator whose samples lack
    diversity (mode collapse) gives packs that are told apart easily, so it is penalised far more
    than by a discriminator of single samples. The paper concatenates the `m` images along the
    channels (its Figure 1) and changes nothing else: same loss, same networks but the first
    layer's input channels. Placed first in a discriminator, this layer does that: sample `k`
    of pack `j` fills channels `k*C .. (k+1)*C - 1` of output `j`.

    The batch must be divisible by `pack` (an error otherwise). Packs are consecutive samples, so
    R replicas whose per-replica batch is divisible by `pack` form the packs one device forms on
    the global batch. The discriminator then gives `batch / pack` outputs: losses average over
    them; discriminator rejection sampling, which needs one score per sample, does not apply.
    No weights.

    Args:
        pack: samples per pack, `m` in the paper (2 to 4 there).
    """

    def __init__(self, pack=2, **kwargs):
        super().__init__(**kwargs)
        if isinstance(pack, bool) or not isinstance(pack, int) or pack < 1:
            raise ValueError(f"pack must be a positive integer (samples per pack), got {pack!r}")
        self.pack = pack

    def call(self, inputs):
        import tensorflow as tf

        shape = tuple(inputs.shape[1:])
        message = f"a packing discriminator (pack={self.pack}) needs a batch divisible by {self.pack}"
        if inputs.shape[0] is not None:  # known when traced (fit's batches): no assert op, which XLA drops
            if inputs.shape[0] % self.pack:
                raise ValueError(f"{message}, got {inputs.shape[0]}")
            checks = []
        else:
            checks = [tf.debugging.assert_equal(tf.shape(inputs)[0] % self.pack, 0, message=message)]
        with tf.control_dependencies(checks):
            inputs = tf.identity(inputs)
        x = ops.reshape(inputs, (-1, self.pack) + shape)  # (batch / m, m, ..., C)
        rank = len(shape)
        x = ops.transpose(x, (0, *range(2, rank + 1), 1, rank + 1))  # (batch / m, ..., m, C)
        return ops.reshape(x, (-1,) + shape[:-1] + (self.pack * shape[-1],))

    def compute_output_shape(self, input_shape):
        batch = None if input_shape[0] is None else input_shape[0] // self.pack
        return (batch,) + tuple(input_shape[1:-1]) + (self.pack * input_shape[-1],)

    def get_config(self):
        return {**super().get_config(), "pack": self.pack}


def samples_per_pack(network):
    """The `pack` of the `PackSamples` layers of a (nested) Keras model, 1 without one."""
    packs = {layer.pack for layer in network._flatten_layers() if isinstance(layer, PackSamples)}
    if len(packs) > 1:
        raise ValueError(f"{network.name} packs samples in several ways ({sorted(packs)}): use one PackSamples")
    return packs.pop() if packs else 1


def refuse_packs(network, why):
    """Raises a `ValueError` saying `why` if `network` (a Keras model, or None) packs samples."""
    pack = samples_per_pack(network) if isinstance(network, keras.Model) else 1
    if pack > 1:
        raise ValueError(f"{why}, but it judges packs of {pack} samples (PacGAN's pack): packing is for the GAN "
                         "family; leave pack out")
