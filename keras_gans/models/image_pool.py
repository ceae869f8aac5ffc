"""A history of generated images for the discriminator (Shrivastava et al. 2017; CycleGAN, Zhu et al. 2017, Sec. 4)."""

import keras
import tensorflow as tf

from keras_gans.utils import distribute
from keras_gans.utils.checks import checked_integer
from keras_gans.utils.serialization import register


@register
class ImagePool(keras.layers.Layer):
    """Up to `size` earlier fakes, so that D also sees what G made before, not only its latest batch.

    `pool(fakes, key)` goes through the batch image by image, as CycleGAN's reference code does:
    while fewer than `size` images are stored, the image is stored and returned; afterwards, with
    probability 0.5 a random stored image is returned and the new one takes its place, else the new
    image is returned. `size=0` returns the batch as it is.

    The pool is a saved weight (a resumed run continues with the same history), the loop is a
    `tf.while_loop` (graph mode, XLA) and the draws are stateless, keyed by `key`. Under a
    `tf.distribute` strategy the replicas' batches are gathered, every replica runs the loop on the
    global batch (in replica order) and keeps its rows, so R replicas pool what one device pools.

    Args:
        size: the most images kept (CycleGAN: 50).
        image_shape: the shape of one image, (H, W, C).
    """

    def __init__(self, size, image_shape, **kwargs):
        super().__init__(**kwargs)
        checked_integer(size, "the pool size", 0)
        self.size, self.image_shape = size, tuple(int(s) for s in image_shape)
        self.images = self.add_weight(shape=(max(size, 1), *self.image_shape), initializer="zeros", trainable=False,
                                      name="images", aggregation="only_first_replica")
        self.count = self.add_weight(shape=(), dtype="int32", initializer="zeros", trainable=False, name="count",
                                     aggregation="only_first_replica")
        self.built = True

    def call(self, fakes, key):
        """The batch D sees in place of `fakes` (this replica's rows); `key` an int32 (2,) seed."""
        if self.size == 0:
            return fakes
        local = tf.shape(fakes)[0]
        batch = distribute.gather_global_batch(fakes)
        n = tf.shape(batch)[0]
        # Philox named: XLA's "auto_select" would pick another generator, and other draws.
        take_stored = tf.random.stateless_uniform([n], seed=key, alg="philox") < 0.5
        slots = tf.random.stateless_uniform([n], seed=tf.random.experimental.stateless_fold_in(key, 1),
                                            minval=0, maxval=self.size, dtype=tf.int32, alg="philox")

        def step(i, images, count, returned):
            image = tf.cast(batch[i], images.dtype)
            filling = count < self.size
            swap = tf.logical_and(tf.logical_not(filling), take_stored[i])
            slot = tf.where(filling, count, slots[i])
            # `tf.gather`, not `images[slot]`: XLA makes a strided slice's start a compile-time
            # constant, so the key (and the step it comes from) was one and each step compiled anew.
            returned = returned.write(i, tf.where(swap, tf.gather(images, slot), image))
            stored = tf.tensor_scatter_nd_update(images, [[slot]], [image])
            images = tf.where(tf.logical_or(filling, swap), stored, images)
            return i + 1, images, count + tf.cast(filling, tf.int32), returned

        _, images, count, returned = tf.while_loop(
            lambda i, *_: i < n, step,
            (tf.constant(0), tf.convert_to_tensor(self.images.value), tf.convert_to_tensor(self.count.value),
             tf.TensorArray(self.images.dtype, size=n, element_shape=self.image_shape)))
        self.images.assign(images)
        self.count.assign(count)
        start = distribute.replica_id() * local
        return tf.cast(returned.stack()[start:start + local], fakes.dtype)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "image_shape": list(self.image_shape)}
