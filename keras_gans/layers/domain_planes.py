"""StarGAN's domain input: a target domain as one constant plane per domain (Choi et al. 2018)."""

import keras
import tensorflow as tf

from keras_gans.utils.checks import checked_integer
from keras_gans.utils.serialization import register


def check_num_domains(num_domains):
    """`num_domains` if it is an integer >= 2, else a ValueError."""
    return checked_integer(num_domains, "num_domains", 2)


def domain_one_hot(domains, num_domains, dtype="float32"):
    """`(batch, num_domains)` one-hot vectors of int `domains` (any shape with `batch` values)."""
    return tf.one_hot(tf.cast(tf.reshape(domains, [-1]), tf.int32), num_domains, dtype=dtype)


@register
class DomainPlanes(keras.layers.Layer):
    """`[images (batch, H, W, C), domains int (batch,)] -> (batch, H, W, num_domains)`: the one-hot
    vector of each image's domain repeated at every pixel.

    StarGAN's generator reads "the target domain label ... spatially replicated and concatenated
    with the input image" (Choi et al. 2018, arXiv 1711.09020, Sec. 3 and App. 7): concatenate
    these planes with the images. A domain outside `[0, num_domains)` gives all-zero planes, as
    `tf.one_hot` does; the model checks domains before they get here.

    Args:
        num_domains: the number of domains (an integer >= 2).
    """

    def __init__(self, num_domains, **kwargs):
        super().__init__(**kwargs)
        self.num_domains = check_num_domains(num_domains)

    def call(self, inputs):
        images, domains = inputs
        planes = domain_one_hot(domains, self.num_domains, self.compute_dtype)
        size = tf.shape(images)[1:3]
        return tf.tile(planes[:, None, None, :], [1, size[0], size[1], 1])

    def compute_output_shape(self, input_shape):
        images_shape = input_shape[0]
        return (*images_shape[:3], self.num_domains)

    def get_config(self):
        return {**super().get_config(), "num_domains": self.num_domains}
