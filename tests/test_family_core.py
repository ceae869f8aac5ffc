"""The family core: random streams, EMA component, step context, D-input transforms, registries,
compile config from the signature, data for families, generator regularisers, TensorBoard images."""

import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans
from keras_gans import recipes
from keras_gans.errors import UserError
from keras_gans.models import ExponentialMovingAverage, RandomStreams, StepContext
from keras_gans.networks import mlp_discriminator, mlp_generator
from keras_gans.penalties import OrthogonalRegularization, orthogonal_regularization_value

LATENT = 4


def tiny_gan(seed=7, **compile_kwargs):
    keras.utils.set_random_seed(seed)
    gan = keras_gans.GAN(mlp_generator(LATENT, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)), seed=3)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.01), g_optimizer=keras.optimizers.SGD(0.01), **compile_kwargs)
    return gan


def points(n=16, seed=0):
    return tf.constant(np.random.default_rng(seed).normal(size=(n, 2)).astype("float32"))


def weights(model):
    return [keras.ops.convert_to_numpy(w) for w in model.get_weights()]


# ------------------------------------------------------------------------------ random streams


def test_random_streams_give_every_draw_its_own_key():
    """The former `16 * step + stream` scheme gave critic iteration 16 of step t the key of
    iteration 0 of step t + 1; named streams do not reuse keys."""
    streams = RandomStreams(3)
    keys = {}
    for step in range(3):
        for i in range(20):  # n_critic up to 20 (the original WGAN used 100 early on)
            keys[("latent", step, i)] = tuple(streams.key("latent", step, i).numpy())
        keys[("latent_g", step)] = tuple(streams.key("latent_g", step).numpy())
        keys[("penalty_d", step, 0)] = tuple(streams.key("penalty_d", step, 0).numpy())
    assert len(set(keys.values())) == len(keys)
    np.testing.assert_array_equal(streams.key("latent", 5, 2), RandomStreams(3).key("latent", 5, 2))
    assert not np.array_equal(streams.key("latent", 5, 2), RandomStreams(4).key("latent", 5, 2))


def test_twenty_critic_iterations_draw_twenty_different_batches_of_z():
    gan = tiny_gan(n_critic=20)
    drawn = []
    draw = keras_gans.GAN.sample_generator_inputs
    gan.sample_generator_inputs = lambda b, name, *ix: drawn.append(draw(gan, b, name, *ix).numpy()) or drawn[-1]
    for _ in range(2):
        gan.train_step(points())
    assert len(drawn) == 2 * 21
    flat = {tuple(z.ravel().round(6)) for z in drawn}
    assert len(flat) == len(drawn)


# ---------------------------------------------------------------------------------------- EMA


def test_exponential_moving_average_follows_any_network():
    keras.utils.set_random_seed(0)
    net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.BatchNormalization()])
    ema = ExponentialMovingAverage(net, decay=0.5, warmup=False)
    assert ema.average.name == f"ema_{net.name}" and not ema.average.trainable
    before = weights(net)
    for v in net.trainable_variables:
        v.assign(v + 1.0)
    net.layers[1].moving_mean.assign([7.0, 8.0])  # non-trainable state is copied
    ema.update(step=1)
    for got, old, new, var in zip(weights(ema.average), before, weights(net), net.weights):
        expected = 0.5 * old + 0.5 * new if var.trainable else new
        np.testing.assert_allclose(got, expected, atol=1e-6)
    assert float(ExponentialMovingAverage(net, 0.999).decay_at(1)) == pytest.approx(2 / 11)
    with pytest.raises(ValueError, match="ema_decay must be in"):
        ExponentialMovingAverage(net, 1.0)


def test_a_model_can_average_several_networks():
    gan = tiny_gan()
    gan.add_average("generator", 0.5, warmup=False)
    gan.add_average("discriminator", 0.5, warmup=False)
    assert set(gan.saved_networks()) == {"generator", "discriminator", "ema_generator", "ema_discriminator"}
    d_before = weights(gan.discriminator)
    gan.train_step(points())
    expected = [0.5 * a + 0.5 * b for a, b in zip(d_before, weights(gan.discriminator))]
    for got, want in zip(weights(gan.ema_discriminator), expected):
        np.testing.assert_allclose(got, want, atol=1e-6)


# --------------------------------------------------------------- where D-input transforms act


class RecordingTransform:
    """A D-input transform that adds a constant and records the stream of each call."""

    def __init__(self):
        self.calls = []

    def __call__(self, x, step, seed=None):
        self.calls.append(seed is not None)
        return x + 100.0

    def get_config(self):
        return {}


@pytest.mark.parametrize("loss, calls", [("non_saturating", 3), ("relativistic_average", 4)])
def test_every_discriminator_input_goes_through_the_transforms(loss, calls):
    """Reals and fakes in the D step; fakes (and reals, for losses that use them) in the G step."""
    gan = tiny_gan(loss=loss, run_eagerly=True)
    recorder = RecordingTransform()
    gan.d_input_transforms = [recorder]
    seen = []
    discriminate = gan.discriminate
    gan.discriminate = lambda x, c=None, training=True: seen.append(float(tf.reduce_min(x))) or discriminate(x, c)
    gan.train_step(points() * 0.01)
    assert len(recorder.calls) == calls and all(recorder.calls)
    assert len(seen) == calls and min(seen) > 50.0  # D never saw an untransformed input


def test_instance_noise_reaches_the_fakes_of_the_generator_step():
    """InstanceNoise said it noises every D input but the G step fed D clean fakes: now it does not."""
    gan = tiny_gan(instance_noise=keras_gans.InstanceNoise(stddev=1000.0), run_eagerly=True)
    seen = []
    discriminate = gan.discriminate
    gan.discriminate = lambda x, c=None, training=True: seen.append(float(tf.reduce_max(tf.abs(x)))) or discriminate(x, c)
    gan.generator_step(points(), None, 16)
    assert len(seen) == 1 and seen[0] > 100.0  # G's outputs are O(1); the noise is O(1000)


def test_penalties_get_the_step_context():
    class Spy(keras_gans.penalties.Penalty):
        default_name = "spy"

        def compute(self, context):
            Spy.context, Spy.critic_on_real = context, context.critic(context.real)
            return tf.reduce_mean(context.real_output) * 0.0

    gan = tiny_gan(penalties=[Spy()], run_eagerly=True)
    gan.train_step(points())
    context = Spy.context
    assert isinstance(context, StepContext) and context.player == "d"
    assert context.generator_inputs.shape == (16, LATENT) and context.seed.shape == (2,)
    assert set(context.heads) == {"real", "fake"}
    assert [id(v) for v in context.variables] == [id(v) for v in gan.discriminator.trainable_variables]
    np.testing.assert_allclose(Spy.critic_on_real, context.real_output, atol=1e-6)


# ----------------------------------------------------------------- multi-head discriminators


def two_head_discriminator():
    x = keras.Input((2,))
    h = keras.layers.Dense(8, activation="relu")(x)
    return keras.Model(x, {"logits": keras.layers.Dense(1)(h), "class": keras.layers.Dense(3)(h)})


def test_gan_trains_with_a_discriminator_with_several_heads():
    keras.utils.set_random_seed(0)
    gan = keras_gans.GAN(mlp_generator(LATENT, (2,), units=(8,)), two_head_discriminator(), seed=1)
    gan.compile(penalties=[keras_gans.GradientPenalty(1.0, "r1")])
    logs = gan.train_step(points())
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["gradient_penalty"]))
    heads = gan.discriminate(points())
    assert gan.adversarial_output(heads).shape == (16, 1)
    gan.adversarial_head = "missing"
    with pytest.raises(ValueError, match="have no 'missing' head"):
        gan.adversarial_output(heads)


# ---------------------------------------------------------------------- generator regularisers


def test_orthogonal_regularization_value():
    assert float(orthogonal_regularization_value([tf.eye(3)])) == pytest.approx(0.0)
    w = tf.constant([[1.0, 1.0], [0.0, 1.0]])  # W^T W = [[1, 1], [1, 2]]: off-diagonal 1, 1
    assert float(orthogonal_regularization_value([w])) == pytest.approx(2.0)
    assert float(orthogonal_regularization_value([tf.reshape(w, [1, 1, 2, 2])])) == pytest.approx(2.0)


def test_orthogonal_regularization_takes_kernels_not_class_tables():
    from keras_gans.models.step_context import StepContext
    from keras_gans.networks import biggan_generator

    g = biggan_generator(9, 10, (28, 28, 1), base_filters=4, embedding_dim=4)
    reg = OrthogonalRegularization(weight=1.0)
    kernels = [v for v in g.trainable_variables if v.name == "kernel"]
    assert kernels and any(v.name == "embeddings" for v in g.trainable_variables)
    value = float(reg.compute(StepContext(variables=g.trainable_variables)))
    assert value == pytest.approx(float(orthogonal_regularization_value(kernels)), rel=1e-6)


def test_generator_regulariser_joins_the_generator_loss_only():
    reg = OrthogonalRegularization(weight=1.0)
    assert reg.player == "g" and keras_gans.penalties.get("orthogonal_regularization").player == "g"
    plain, regularised = tiny_gan(), tiny_gan(penalties=[reg])
    plain.train_step(points())
    logs = regularised.train_step(points())
    assert float(logs["orthogonal_regularization"]) > 0
    for a, b in zip(weights(plain.discriminator), weights(regularised.discriminator)):
        np.testing.assert_allclose(a, b, atol=1e-7)  # D's update does not see it
    assert any(not np.allclose(a, b) for a, b in zip(weights(plain.generator), weights(regularised.generator)))


# ------------------------------------------------------------------------------- registries


def test_a_network_registered_by_role_is_usable_in_recipes():
    @keras_gans.networks.register_network("test_wide_mlp", role="generator")
    def wide_mlp(latent_dim=4, output_shape=(2,), width=32):
        return mlp_generator(latent_dim, output_shape, units=(width,))

    try:
        recipe = recipes.apply_overrides(recipes.load("ring"), [
            "model.generator={name: test_wide_mlp, width: 16}", "model.discriminator.units=[8]"])
        gan = recipes.build_model(recipe)
        assert gan.generator.layers[1].units == 16
        with pytest.raises(ValueError, match="already registered"):
            keras_gans.networks.register_network("test_wide_mlp", role="generator")(lambda: None)
        bad = recipes.apply_overrides(recipes.load("ring"), ["model.generator={name: nope}"])
        with pytest.raises(UserError, match="unknown generator 'nope': valid names are .*test_wide_mlp"):
            recipes.build_model(bad)
    finally:  # the shipped registry stays as it ships (test_networks checks its names)
        keras_gans.networks.NETWORKS["generator"].pop("test_wide_mlp", None)


def test_model_type_selects_the_family_and_its_keys():
    assert recipes.model_class(recipes.load("ring")) is keras_gans.GAN
    recipe = recipes.load("ring")
    recipe["model"]["type"] = "no-such-family"
    with pytest.raises(UserError, match="model.type: unknown model type 'no-such-family': valid types are .*gan"):
        recipes.validate(recipe)
    assert keras_gans.GAN.recipe_keys() == ("type", "generator", "discriminator", "latent_dim", "rejection", "noise")
    assert "ema_warmup" in keras_gans.GAN.compile_keys() and "precision" not in keras_gans.GAN.compile_keys()


def test_every_compile_argument_is_a_recipe_key_and_is_saved(tmp_path):
    """`compile.ema_warmup` was refused by recipes: the keys now come from compile's signature."""
    recipe = recipes.apply_overrides(recipes.load("ring"), [
        "compile.ema_warmup=false", "model.generator.units=[8]", "model.discriminator.units=[8]"])
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    assert gan.ema_warmup is False
    config = gan.get_compile_config()
    assert config["ema_warmup"] is False and config["jit_compile"] == "auto"
    gan.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.ema_warmup is False and loaded.get_compile_config().keys() == config.keys()


def test_config_is_derived_from_the_init_signature():
    gan = tiny_gan()
    config = gan.get_config()
    assert {"generator", "discriminator", "latent_dim", "seed", "rejection"} <= set(config)
    clone = keras_gans.GAN.from_config(config)
    assert clone.latent_dim == LATENT and clone.seed == 3 and clone.generator.name == gan.generator.name


# -------------------------------------------------------------------------------------- data


def test_data_section_labels_and_domains():
    from keras_gans.data import make_dataset

    images, labels = next(iter(make_dataset({"name": "mnist", "labels": True}, 8, image_shape=(28, 28, 1))))
    assert images.shape == (8, 28, 28, 1) and labels.dtype == tf.int32
    a, b = next(iter(make_dataset({"domains": [{"name": "mnist", "classes": [0]}, {"name": "mnist", "classes": [1]}]},
                                  4, image_shape=(28, 28, 1))))
    assert a.shape == b.shape == (4, 28, 28, 1) and not np.allclose(a, b)
    with pytest.raises(ValueError, match="must be true or false"):
        make_dataset({"name": "mnist", "labels": "yes"}, 8)
    with pytest.raises(ValueError, match="list of two data configs"):
        make_dataset({"domains": [{"name": "mnist"}]}, 8)
    small, large = next(iter(make_dataset({"pairs": [{"name": "mnist", "image_size": 7, "labels": True},
                                                     {"name": "mnist", "labels": True}]}, 16)))
    assert small[0].shape == (16, 7, 7, 1) and large[0].shape == (16, 28, 28, 1)
    np.testing.assert_array_equal(small[1], large[1])  # the same digits, in the same order
    shrunk = tf.image.resize(large[0], (7, 7), method="area")
    assert float(tf.reduce_mean(tf.abs(shrunk - small[0]))) < 0.1  # each 7x7 is its 28x28 digit
    recipe = recipes.apply_overrides(recipes.load("ring"), ["data.labels=true"])
    points_, modes = next(iter(recipes.build_dataset(recipe)))
    assert points_.shape[1:] == (2,) and modes.dtype == tf.int32


# ------------------------------------------------------------------------ pictures and logs


def test_sample_grid_writes_the_png_and_a_tensorboard_image(tmp_path):
    from keras_gans.training.callbacks import SampleGrid

    gan = tiny_gan()
    callback = SampleGrid(str(tmp_path / "samples"), n=100, seed=0, centers=np.zeros((1, 2)),
                          log_dir=str(tmp_path / "logs"))
    callback.set_model(gan)
    callback.on_epoch_end(0, {"d_loss": 1.0})
    callback.on_train_end()
    assert os.path.isfile(tmp_path / "samples" / "epoch_0001.png")
    events = glob.glob(str(tmp_path / "logs" / "samples" / "events.out.tfevents.*"))
    assert len(events) == 1
    tags = [value.tag for event in tf.compat.v1.train.summary_iterator(events[0])
            for value in event.summary.value]
    assert tags == ["samples"]
    picture = gan.sample_picture(100, seed=0, centers=np.zeros((1, 2)))
    assert picture.dtype == np.uint8 and picture.shape == (512, 512, 3)


# --------------------------------------------------------------------------------- layering


def test_no_import_cycles_between_packages():
    """Every import of keras_gans code (module-level or inside a function) between its packages
    and top-level modules goes one way: no package reaches itself again."""
    import ast
    import collections

    root = os.path.dirname(keras_gans.__file__)
    modules = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                dotted = "keras_gans" + path[len(root):-3].replace(os.sep, ".")
                modules[dotted.replace(".__init__", "")] = path
    unit = lambda dotted: ".".join(dotted.split(".")[:2])  # noqa: E731
    edges = collections.defaultdict(set)
    for dotted, path in modules.items():
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("keras_gans"):
                for target in [node.module] + [f"{node.module}.{a.name}" for a in node.names]:
                    if target in modules and unit(target) not in (unit(dotted), "keras_gans"):
                        edges[unit(dotted)].add(unit(target))

    def reachable(start):
        seen, stack = set(), [start]
        while stack:
            for nxt in edges.get(stack.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    cycles = sorted((a, b) for a in edges for b in edges[a] if a in reachable(b))
    assert cycles == []
    assert "keras_gans.training" not in reachable("keras_gans.models")


def test_a_gan_subclass_keeps_the_config_of_its_bases(tmp_path):
    @keras.saving.register_keras_serializable(package="test_family_core")
    class LabelledGAN(keras_gans.GAN):
        def __init__(self, *args, num_classes=3, **kwargs):
            super().__init__(*args, **kwargs)
            self.num_classes = num_classes

    keras.utils.set_random_seed(0)
    gan = LabelledGAN(mlp_generator(LATENT, (2,), units=(8,)), mlp_discriminator((2,), units=(8,)),
                      seed=5, num_classes=7)
    assert {"generator", "discriminator", "latent_dim", "seed", "rejection", "num_classes"} <= set(gan.get_config())
    gan.compile()
    gan.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert loaded.num_classes == 7 and loaded.seed == 5 and loaded.latent_dim == LATENT


def test_augment_from_a_recipe_is_applied_and_saved(tmp_path):
    recipe = recipes.apply_overrides(recipes.load("ring"), [
        "compile.augment=[{name: instance_noise, stddev: 0.3}]",
        "model.generator.units=[8]", "model.discriminator.units=[8]"])
    gan = recipes.compile_model(recipes.build_model(recipe), recipe)
    assert [t.get_config()["stddev"] for t in gan.d_input_transforms] == [0.3]
    gan.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    assert [type(t).__name__ for t in loaded.d_input_transforms] == ["InstanceNoise"]
    bad = recipes.apply_overrides(recipes.load("ring"), ["compile.augment=[{name: nope}]"])
    with pytest.raises(UserError, match="Unknown discriminator-input transform 'nope'. Valid names: instance_noise, diff_augment"):
        recipes.compile_model(recipes.build_model(bad), bad)
