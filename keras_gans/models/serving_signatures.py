"""Serving signatures of models whose generator maps a latent z to samples (`GAN` and kin).

- `serving_default`: `z` float32 [batch, latent_dim] -> `images` float32, the generator's output
  as is ([-1, 1] for the tanh image generators; for generators of 2-D data the "images" are the
  points, shape [batch, 2], in the data's own scale).
- `generate_uint8` (generators of rank-4 images only): `z` -> `images` uint8 [batch, H, W, C],
  `round((x + 1) * 127.5)` clipped to [0, 255], as `keras_gans.utils.images.to_uint8`.
- `generate_from_seed`: `seed` int64 scalar, `num` int32 scalar -> `images` float32 [num, ...]
  from `z = latent_from_seed(seed, num, latent_dim, noise)`, drawn from the model's noise
  distribution (N(0, I), U[-1, 1] or categorical:K); the same seed gives the same images in every call and every
  process (TF's stateless RNG).

StyleGAN generators get each of them again with a float32 scalar `psi` input, the truncation
trick's factor (`serving_psi`, `generate_uint8_psi`, `generate_from_seed_psi`; psi 1: untruncated
images, what the signatures without `psi` give when the generator's own psi is 1, the default;
those stay because a signature's inputs cannot have defaults, and TF Serving needs every one).

A model's `serving_endpoints(max_num)` returns `(resources, endpoints)`: the Keras objects the
archive tracks and `(name, fn, input_signature)` triples; `keras_gans.serving.export_gan` writes
them.
"""

from keras_gans.errors import UserError

OUTPUT_KEY = "images"


def latent_from_seed(seed, num, latent_dim, noise="normal"):
    """The z the `generate_from_seed` signature draws: float32 NumPy of shape (num, latent_dim).

    `tf.random.stateless_normal([num, latent_dim], seed=[seed, 0])`, or `stateless_uniform` in
    [-1, 1) for `noise="uniform"` (the model's `noise`); for `noise="categorical:K"` the first K
    entries are the one-hot code of `stateless_uniform` integers in [0, K), seed `[seed, 1]`. It is not the z of
    `GAN.latent(num, seed)` (NumPy's generator): the same seed gives other samples than
    `GAN.generate(num, seed)`, but `serving_default(z=latent_from_seed(s, n, d))` equals
    `generate_from_seed(seed=s, num=n)`.
    """
    import tensorflow as tf

    return _seeded_latent(tf.constant(seed, tf.int64), tf.constant(num, tf.int32), int(latent_dim), noise).numpy()


def _seeded_latent(seed, num, latent_dim, noise="normal"):
    import tensorflow as tf

    from keras_gans.models.noise import categories, check_noise

    shape = tf.stack([num, tf.constant(latent_dim, tf.int32)])
    key = tf.stack([seed, tf.constant(0, tf.int64)])
    if check_noise(noise) == "uniform":
        return tf.random.stateless_uniform(shape, seed=key, minval=-1.0, maxval=1.0, dtype=tf.float32)
    z = tf.random.stateless_normal(shape, seed=key, dtype=tf.float32)
    k = categories(noise)
    if not k:
        return z
    codes = tf.random.stateless_uniform(tf.reshape(num, [1]), seed=tf.stack([seed, tf.constant(1, tf.int64)]),
                                        minval=0, maxval=k, dtype=tf.int32)
    return tf.concat([tf.one_hot(codes, k, dtype=tf.float32), z[:, k:]], axis=1)


def checked_latent(z, latent_dim, max_num, name="z"):
    """`z` after the checks every request goes through, in the graph (so TF Serving applies them
    too): shape `[batch, latent_dim]`, `batch <= max_num` (one request cannot exhaust memory) and
    every value finite (NaN z would give black images, not an error)."""
    import tensorflow as tf

    # A clear "Shape of tensor z [2,5] is not compatible with expected shape [?,8]" error for a
    # wrong latent size rather than a matmul error deep inside the generator.
    z = tf.ensure_shape(z, [None, latent_dim], name=f"check_{name}_shape")
    check = tf.debugging.assert_less_equal(
        tf.shape(z)[0], tf.constant(max_num, tf.int32),
        message=f"at most {max_num} rows of {name} a request (export --max-batch N)")
    with tf.control_dependencies([check]):
        return tf.debugging.check_numerics(z, message=f"{name} must be finite")


def to_uint8_images(images):
    """Images in [-1, 1] -> uint8 `round((x + 1) * 127.5)` clipped to [0, 255] (as `utils.images.to_uint8`)."""
    import tensorflow as tf

    x = tf.round((images + 1.0) * 127.5)
    return tf.cast(tf.clip_by_value(x, 0.0, 255.0), tf.uint8)


def latent_endpoints(generator, latent_dim, max_num, noise="normal"):
    """`(resources, endpoints)` of the z -> images signatures above for `generator`, whose z
    comes from `noise` ("normal" or "uniform"; `generate_from_seed` draws from it)."""
    import tensorflow as tf

    inputs = getattr(generator, "inputs", None)
    if inputs is not None and len(inputs) != 1:
        raise UserError(
            f"these signatures are for generators with one input z, this one has {len(inputs)} inputs: "
            "export the model (its serving_endpoints) instead"
        )
    if not generator.built:
        raise UserError("the generator is not built: load a trained GAN or call it on a batch of z first")
    probe = generator(tf.zeros([1, latent_dim]), training=False)
    rank = len(probe.shape)

    def images(z):
        return tf.cast(generator(z, training=False), tf.float32)

    endpoints = _image_endpoints(images, "", [], latent_dim, max_num, noise, rank)
    from keras_gans.sampling import styles

    if styles.is_style_generator(generator):
        # StyleGAN's signatures with the truncation trick (`styles.truncated_images`; psi 1: no
        # truncation, whatever the generator's own psi).
        styles.style_parts(generator)  # built outside the traced functions

        def truncated(z, psi):
            psi = tf.debugging.check_numerics(psi, message="psi must be finite")
            return tf.cast(styles.truncated_images(generator, z, psi), tf.float32)

        endpoints += _image_endpoints(truncated, "_psi", [tf.TensorSpec([], tf.float32, name="psi")], latent_dim,
                                      max_num, noise, rank)
    return [generator], endpoints


def _image_endpoints(images, suffix, extra_specs, latent_dim, max_num, noise, rank):
    """The three signatures of `images(z, *extra)` (z checked by `checked_latent`), named with
    `suffix`: `serving_default` (`serving{suffix}` with a suffix), `generate_uint8{suffix}`
    (rank-4 images only) and `generate_from_seed{suffix}`, each taking `extra_specs` after its
    own inputs."""
    import tensorflow as tf

    def serving(z, *extra):
        return {OUTPUT_KEY: images(checked_latent(z, latent_dim, max_num), *extra)}

    def generate_uint8(z, *extra):
        return {OUTPUT_KEY: to_uint8_images(images(checked_latent(z, latent_dim, max_num), *extra))}

    def generate_from_seed(seed, num, *extra):
        with tf.control_dependencies(_num_checks(num, max_num)):
            z = _seeded_latent(seed, num, latent_dim, noise)
        return {OUTPUT_KEY: images(checked_latent(z, latent_dim, max_num), *extra)}

    z_spec = [tf.TensorSpec([None, latent_dim], tf.float32, name="z"), *extra_specs]
    seed_spec = [tf.TensorSpec([], tf.int64, name="seed"), tf.TensorSpec([], tf.int32, name="num"), *extra_specs]
    # Named serving_default explicitly: TF Serving's default signature (write_out would otherwise
    # alias the first endpoint under that name).
    endpoints = [(f"serving{suffix}" if suffix else "serving_default", serving, z_spec)]
    if rank == 4:
        endpoints.append((f"generate_uint8{suffix}", generate_uint8, z_spec))
    endpoints.append((f"generate_from_seed{suffix}", generate_from_seed, seed_spec))
    return endpoints


def _num_checks(num, max_num):
    """The in-graph checks of a request's `num`: between 1 and `max_num`."""
    import tensorflow as tf

    return [
        tf.debugging.assert_greater_equal(num, tf.constant(1, tf.int32), message="num must be at least 1"),
        tf.debugging.assert_less_equal(
            num, tf.constant(max_num, tf.int32),
            message=f"num must be at most {max_num} (export_gan(..., max_num=...))",
        ),
    ]


def index_checks(indices, count, name, rows, rows_name):
    """The graph assertions of an int input `indices` (labels, domains) of a request: each in
    `[0, count)`, and as many as the rows of the tensor `rows` (named `rows_name`)."""
    import tensorflow as tf

    return [
        tf.debugging.assert_non_negative(indices, message=f"{name} must be in [0, {count})"),
        tf.debugging.assert_less(indices, count, message=f"{name} must be in [0, {count})"),
        tf.debugging.assert_equal(tf.shape(rows)[0], tf.shape(indices)[0],
                                  message=f"{rows_name} and {name} must have the same batch size"),
    ]


def checked_images(images, image_shape, max_num):
    """Float `images` after the checks every image request goes through, in the graph: shape
    `[batch, *image_shape]`, at most `max_num` images, values in [-1, 1] and finite."""
    import tensorflow as tf

    images = tf.ensure_shape(images, [None, *image_shape], name="check_images_shape")
    checks = [tf.debugging.assert_less_equal(tf.shape(images)[0], tf.constant(max_num, tf.int32),
                                             message=f"at most {max_num} images a request"),
              tf.debugging.assert_less_equal(tf.reduce_max(tf.abs(images)), 1.0 + 1e-3,
                                             message="images must be in [-1, 1]")]
    with tf.control_dependencies(checks):
        return tf.debugging.check_numerics(images, message="images must be finite")


def encode_endpoint(encode, image_shape, max_num):
    """The `encode` signature of models with an encoder (BiGAN, VAE-GAN): `images` float32
    [batch, H, W, C] in [-1, 1] -> `encode(images)`, a dict of float32 outputs (`z` ...),
    the images checked by `checked_images`."""
    import tensorflow as tf

    def encode_images(images):
        images = checked_images(images, image_shape, max_num)
        return {key: tf.cast(value, tf.float32) for key, value in encode(images).items()}

    return "encode", encode_images, [tf.TensorSpec([None, *image_shape], tf.float32, name="images")]


def translation_endpoints(generator, source_shape, max_num, num_domains=None):
    """`(resources, endpoints)` of image-to-image models (Pix2Pix...):

    - `serving_default`: `images` float32 [batch, *source_shape] in [-1, 1] -> `images` float32;
    - `translate_uint8`: `images` uint8 [batch, *source_shape] -> `images` uint8, both mapped
      as `keras_gans.utils.images` does (`x / 127.5 - 1`, `round((y + 1) * 127.5)`).

    Multi-domain models (StarGAN, `num_domains` given) take a second input `domain` int32 [batch],
    each image's target domain in `[0, num_domains)`: a domain outside it, or `images` and `domain`
    of different lengths, fail the request. The images go through `checked_images` (shape, batch
    size, range, finite)."""
    import tensorflow as tf

    if not generator.built:
        raise UserError("the generator is not built: load a trained model or call it on a batch of images first")

    def translated(images, domain=None):
        images = checked_images(images, source_shape, max_num)
        if domain is None:
            return tf.cast(generator(images, training=False), tf.float32)
        with tf.control_dependencies(index_checks(domain, num_domains, "domain", images, "images")):
            return tf.cast(generator({"images": images, "domains": domain}, training=False), tf.float32)

    def serving_default(images, *domain):
        return {OUTPUT_KEY: translated(images, *domain)}

    def translate_uint8(images, *domain):
        images = tf.ensure_shape(images, [None, *source_shape], name="check_uint8_images_shape")
        return {OUTPUT_KEY: to_uint8_images(translated(tf.cast(images, tf.float32) / 127.5 - 1.0, *domain))}

    domain = [] if num_domains is None else [tf.TensorSpec([None], tf.int32, name="domain")]
    return [generator], [
        ("serving_default", serving_default, [tf.TensorSpec([None, *source_shape], tf.float32, name="images"), *domain]),
        ("translate_uint8", translate_uint8, [tf.TensorSpec([None, *source_shape], tf.uint8, name="images"), *domain]),
    ]
