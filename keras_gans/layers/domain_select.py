"""A head per domain: of `num_domains` outputs of one shared body, each image's domain's."""

import keras
import tensorflow as tf

from keras_gans.layers.domain_planes import check_num_domains, domain_one_hot
from keras_gans.utils.serialization import register


def select_domain(values, domains, num_domains):
    """`(batch, H, W, C)`: channels `d * C` to `(d + 1) * C` of `values` (batch, H, W,
    num_domains * C) for each image's domain `d = domains[i]`."""
    shape = tf.shape(values)
    heads = tf.reshape(values, [shape[0], shape[1], shape[2], num_domains, values.shape[-1] // num_domains])
    picked = domain_one_hot(domains, num_domains, values.dtype)
    return tf.reduce_sum(heads * picked[:, None, None, :, None], axis=3)


@register
class DomainSelect(keras.layers.Layer):
    """`[values (batch, H, W, num_domains * C), domains int (batch,)] -> (batch, H, W, C)`: the `C`
    channels of each image's domain (`select_domain`).

    A network's last layer with one output per domain, of which this picks the target's, lets
    each domain have its own output weights: StarGAN v2's discriminator has one real/fake logit
    per domain this way (Choi et al. 2020, arXiv 1912.01865), and `stargan_generator(
    domain_outputs=True)` one image per target domain. A domain outside `[0, num_domains)` gives
    zeros, as `tf.one_hot` does; the models check domains before they get here.

    Args:
        num_domains: the number of domains (an integer >= 2).
    """

    def __init__(self, num_domains, **kwargs):
        super().__init__(**kwargs)
        self.num_domains = check_num_domains(num_domains)

    def build(self, input_shape):
        channels = input_shape[0][-1]
        if channels is None or channels % self.num_domains:
            raise ValueError(f"DomainSelect needs num_domains * C channels (num_domains={self.num_domains}), "
                             f"got {channels}")
        super().build(input_shape)

    def call(self, inputs):
        values, domains = inputs
        return select_domain(values, domains, self.num_domains)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0]
        return (*shape[:3], shape[3] // self.num_domains)

    def get_config(self):
        return {**super().get_config(), "num_domains": self.num_domains}
