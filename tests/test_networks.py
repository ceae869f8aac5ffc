"""Network builders: DCGAN, MLP and autoencoder shapes, options and the by-name registry."""

import keras
import numpy as np
import pytest

from keras_gans.networks import (
    DISCRIMINATORS,
    GENERATORS,
    build_discriminator,
    build_generator,
)
from keras_gans.networks.autoencoder import autoencoder_discriminator
from keras_gans.networks.dcgan import dcgan_discriminator, dcgan_generator
from keras_gans.networks.mlp import mlp_discriminator, mlp_generator

LATENT = 8


def _layers(model, cls):
    return [layer for layer in model.layers if isinstance(layer, cls)]


def _sn_class():
    try:
        from keras_gans.layers import SpectralNormalization
    except ImportError:  # being written by another engineer
        pytest.skip("keras_gans.layers.SpectralNormalization is not importable yet")
    return SpectralNormalization


@pytest.mark.parametrize("resolution", [28, 32, 64])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(resolution, channels):
    shape = (resolution, resolution, channels)
    generator = dcgan_generator(LATENT, shape, base_filters=4)
    discriminator = dcgan_discriminator(shape, base_filters=4)
    assert generator.output_shape == (None,) + shape
    assert discriminator.input_shape == (None,) + shape
    assert discriminator.output_shape == (None, 1)

    images = keras.ops.convert_to_numpy(generator(np.zeros((2, LATENT), "float32") + 0.5))
    assert images.shape == (2,) + shape
    assert np.all(np.abs(images) <= 1.0)  # tanh output
    logits = keras.ops.convert_to_numpy(discriminator(images))
    assert logits.shape == (2, 1) and np.all(np.isfinite(logits))


def test_hidden_units_add_one_fully_connected_layer():
    """InfoGAN's MNIST networks (FC 1024 in G before the spatial layer, in D after the convs)."""
    from keras_gans.networks.conditional import conditional_dcgan_generator, info_dcgan_discriminator

    plain, hidden = dcgan_generator(LATENT, base_filters=4), dcgan_generator(LATENT, base_filters=4, hidden_units=16)
    assert [l.units for l in _layers(plain, keras.layers.Dense)] == [7 * 7 * 8]
    assert [l.units for l in _layers(hidden, keras.layers.Dense)] == [16, 7 * 7 * 8]
    assert len(_layers(hidden, keras.layers.BatchNormalization)) == len(
        _layers(plain, keras.layers.BatchNormalization)) + 1
    conditional = conditional_dcgan_generator(LATENT, 3, base_filters=4, embedding_dim=2, hidden_units=16)
    assert [l.units for l in _layers(conditional, keras.layers.Dense)] == [16, 7 * 7 * 8]
    assert conditional([np.zeros((2, LATENT), "float32"), np.array([0, 2])]).shape == (2, 28, 28, 1)

    info = info_dcgan_discriminator(base_filters=4, q_units=8, hidden_units=16)
    assert sorted(l.units for l in _layers(info, keras.layers.Dense)) == [1, 2, 8, 10, 16]
    heads = info(np.zeros((2, 28, 28, 1), "float32"))
    assert {k: tuple(v.shape) for k, v in heads.items()} == {"logits": (2, 1), "category": (2, 10),
                                                            "continuous": (2, 2)}


def test_projection_norm_per_unit_removes_the_picture_every_z_shares():
    """After a hidden ReLU layer, the projection has a part common to every z; per-channel
    normalisation keeps it as a fixed picture, per-unit normalisation removes it."""
    def first_map(generator, z):
        norm = _layers(generator, keras.layers.BatchNormalization)[1]  # the projection's
        relu = generator.layers[generator.layers.index(norm) + 1]
        if not isinstance(relu, keras.layers.ReLU):  # per unit: the reshape follows the norm
            relu = generator.layers[generator.layers.index(norm) + 2]
        probe = keras.Model(generator.inputs, generator.get_layer(relu.name).input)
        return keras.ops.convert_to_numpy(probe(z, training=True)).reshape(len(z), -1)

    z = np.random.default_rng(0).uniform(-1, 1, (64, LATENT)).astype("float32")
    keras.utils.set_random_seed(0)
    channel = dcgan_generator(LATENT, base_filters=4, hidden_units=16)
    keras.utils.set_random_seed(0)
    unit = dcgan_generator(LATENT, base_filters=4, hidden_units=16, projection_norm="unit")
    assert [tuple(l.gamma.shape) for l in _layers(unit, keras.layers.BatchNormalization)][1] == (7 * 7 * 8,)
    assert [tuple(l.gamma.shape) for l in _layers(channel, keras.layers.BatchNormalization)][1] == (8,)
    per_unit, per_channel = first_map(unit, z), first_map(channel, z)
    assert np.abs(per_unit.mean(0)).max() < 1e-4 and np.allclose(per_unit.std(0), 1.0, atol=0.05)
    assert np.abs(per_channel.mean(0)).max() > 0.3  # the shared picture
    assert unit(z[:2]).shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match='projection_norm must be "channel" or "unit", got \'pixel\''):
        dcgan_generator(LATENT, base_filters=4, projection_norm="pixel")


@pytest.mark.parametrize("normalization_type, norm_layer", [("batch", keras.layers.BatchNormalization),
                                                             ("layer", keras.layers.LayerNormalization),
                                                             ("none", None)])
def test_dcgan_discriminator_hidden_units(normalization_type, norm_layer):
    """`hidden_units` ends D's body with Dense -> the D's normalisation -> leaky ReLU (bias only
    without a normalisation); spectral norm wraps it too."""
    plain = dcgan_discriminator(base_filters=4, normalization_type=normalization_type)
    hidden = dcgan_discriminator(base_filters=4, normalization_type=normalization_type, hidden_units=16)
    dense = _layers(hidden, keras.layers.Dense)
    assert [l.units for l in dense] == [16, 1] and dense[0].use_bias == (norm_layer is None)
    assert dense[0].kernel.shape == (7 * 7 * 8, 16)
    if norm_layer is not None:
        assert len(_layers(hidden, norm_layer)) == len(_layers(plain, norm_layer)) + 1
    logits = hidden(np.random.default_rng(0).normal(size=(4, 28, 28, 1)).astype("float32"), training=True)
    assert logits.shape == (4, 1) and np.all(np.isfinite(keras.ops.convert_to_numpy(logits)))
    sn = dcgan_discriminator(base_filters=4, normalization_type=normalization_type, hidden_units=16,
                             spectral_norm=True)
    assert len(_layers(sn, _sn_class())) == len(_layers(dcgan_discriminator(
        base_filters=4, normalization_type=normalization_type, spectral_norm=True), _sn_class())) + 1


def test_dcgan_discriminator_hidden_normalization_applies_to_the_fully_connected_layer_only():
    """`hidden_normalization` overrides the convolutions' normalisation in the fully connected
    layer alone; an unknown one is refused."""
    batch = dcgan_discriminator(base_filters=4, hidden_units=16)
    none = dcgan_discriminator(base_filters=4, hidden_units=16, hidden_normalization="none")
    assert len(_layers(none, keras.layers.BatchNormalization)) == len(_layers(batch, keras.layers.BatchNormalization)) - 1
    assert _layers(none, keras.layers.Dense)[0].use_bias and not _layers(batch, keras.layers.Dense)[0].use_bias
    layer = dcgan_discriminator(base_filters=4, hidden_units=16, hidden_normalization="layer")
    assert len(_layers(layer, keras.layers.LayerNormalization)) == 1
    with pytest.raises(ValueError, match="batch, layer or none"):
        dcgan_discriminator(base_filters=4, hidden_units=16, hidden_normalization="instance")


def test_conditional_discriminators_hidden_units():
    """The conditional and classifying D bodies end with the same fully connected layer; the
    projection's class embedding then has its width."""
    from keras_gans.networks.conditional import classifying_dcgan_discriminator, conditional_dcgan_discriminator

    images, labels = np.zeros((2, 28, 28, 1), "float32"), np.array([0, 2])
    for conditioning in ("concat", "projection"):
        d = conditional_dcgan_discriminator(num_classes=3, base_filters=4, conditioning=conditioning, hidden_units=16)
        assert 16 in [l.units for l in _layers(d, keras.layers.Dense)]
        assert d([images, labels]).shape == (2, 1)
        if conditioning == "projection":
            assert [l.output_dim for l in _layers(d, keras.layers.Embedding)] == [16]
    acgan = classifying_dcgan_discriminator(num_classes=3, base_filters=4, hidden_units=16)
    assert sorted(l.units for l in _layers(acgan, keras.layers.Dense)) == [1, 3, 16]
    assert {k: tuple(v.shape) for k, v in acgan(images).items()} == {"logits": (2, 1), "class": (2, 3)}


def test_dcgan_discriminator_hidden_units_refuse_instance_norm():
    with pytest.raises(ValueError, match="hidden fully connected layer normalises with batch, layer or none"):
        dcgan_discriminator(base_filters=4, normalization_type="instance", hidden_units=16)


@pytest.mark.parametrize("resolution, strided_convs", [(28, 2), (32, 3), (64, 4)])
def test_dcgan_depth_follows_resolution(resolution, strided_convs):
    generator = dcgan_generator(LATENT, (resolution, resolution, 1), base_filters=4)
    discriminator = dcgan_discriminator((resolution, resolution, 1), base_filters=4)
    assert len(_layers(generator, keras.layers.Conv2DTranspose)) == strided_convs
    assert len(_layers(discriminator, keras.layers.Conv2D)) == strided_convs
    # filters double each step: base, 2*base, ...
    assert [l.filters for l in _layers(discriminator, keras.layers.Conv2D)] == [
        4 * 2**i for i in range(strided_convs)
    ]


@pytest.mark.parametrize("resolution", [30, 12, 4, 100])
def test_dcgan_invalid_resolution_names_valid_ones(resolution):
    with pytest.raises(ValueError, match=r"28.*32.*64") as info:
        dcgan_generator(LATENT, (resolution, resolution, 1))
    assert str(resolution) in str(info.value)
    with pytest.raises(ValueError, match=r"28.*32"):
        dcgan_discriminator((resolution, resolution, 1))


def test_dcgan_discriminator_spectral_norm():
    sn = _sn_class()
    discriminator = dcgan_discriminator((32, 32, 3), base_filters=4, normalization_type="none",
                                        spectral_norm=True)
    wrapped = _layers(discriminator, sn)
    assert len(wrapped) == 4  # 3 strided convs + the dense head
    assert sorted(type(w.layer).__name__ for w in wrapped) == ["Conv2D"] * 3 + ["Dense"]
    assert not _layers(discriminator, keras.layers.Conv2D)  # none left unwrapped
    out = keras.ops.convert_to_numpy(discriminator(np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3))))
    assert out.shape == (2, 1) and np.all(np.isfinite(out))
    plain = dcgan_discriminator((32, 32, 3), base_filters=4)
    assert not _layers(plain, sn)


def test_dcgan_discriminator_minibatch_std_sees_a_collapsed_batch():
    """`minibatch_std=4`: one MinibatchStandardDeviation before the last conv (14x14 at 28x28, one
    more input channel); a batch of one image repeated scores differently than the image alone in
    a varied batch, which a plain spectrally normalised D cannot tell apart."""
    from keras_gans.layers import MinibatchStandardDeviation

    d = dcgan_discriminator((28, 28, 1), base_filters=4, normalization_type="none", spectral_norm=True,
                            minibatch_std=4)
    (std,) = _layers(d, MinibatchStandardDeviation)
    assert std.group_size == 4 and std.output.shape[1:] == (14, 14, 5)
    varied = np.random.default_rng(0).uniform(-1, 1, (4, 28, 28, 1)).astype("float32")
    collapsed = np.repeat(varied[:1], 4, axis=0)
    score = lambda batch: keras.ops.convert_to_numpy(d(batch))[0, 0]  # noqa: E731
    assert abs(score(varied) - score(collapsed)) > 1e-4
    plain = dcgan_discriminator((28, 28, 1), base_filters=4, normalization_type="none", spectral_norm=True)
    assert not _layers(plain, MinibatchStandardDeviation)
    plain_score = lambda batch: keras.ops.convert_to_numpy(plain(batch))[0, 0]  # noqa: E731
    assert plain_score(varied) == pytest.approx(plain_score(collapsed), abs=1e-6)


def test_mlp_discriminator_spectral_norm():
    sn = _sn_class()
    discriminator = mlp_discriminator((2,), units=(8, 8), spectral_norm=True)
    assert len(_layers(discriminator, sn)) == 3


@pytest.mark.parametrize(
    "kind, cls, count",
    [
        ("batch", keras.layers.BatchNormalization, 2),
        ("layer", keras.layers.LayerNormalization, 2),
        ("instance", keras.layers.GroupNormalization, 2),
    ],
)
def test_dcgan_discriminator_normalization(kind, cls, count):
    discriminator = dcgan_discriminator((32, 32, 1), base_filters=4, normalization_type=kind)
    norms = _layers(discriminator, cls)
    assert len(norms) == count  # after every conv but the first
    if kind == "instance":
        # instance norm: one group per channel (groups=-1 resolves to the channel count)
        assert [n.groups for n in norms] == [8, 16]
    others = [
        c for c in (keras.layers.BatchNormalization, keras.layers.LayerNormalization, keras.layers.GroupNormalization)
        if c is not cls
    ]
    for other in others:
        assert not _layers(discriminator, other)
    out = keras.ops.convert_to_numpy(discriminator(np.zeros((2, 32, 32, 1), "float32"), training=True))
    assert out.shape == (2, 1)


@pytest.mark.parametrize("kind", ["none", None])
def test_dcgan_discriminator_without_normalization(kind):
    discriminator = dcgan_discriminator((32, 32, 1), base_filters=4, normalization_type=kind)
    for cls in (keras.layers.BatchNormalization, keras.layers.LayerNormalization, keras.layers.GroupNormalization):
        assert not _layers(discriminator, cls)


def test_dcgan_discriminator_unknown_normalization():
    with pytest.raises(ValueError, match="batch, layer, instance, none"):
        dcgan_discriminator((28, 28, 1), base_filters=4, normalization_type="weird")


def test_autoencoder_discriminator_images():
    discriminator = autoencoder_discriminator((28, 28, 1), base_filters=4, code_dim=8)
    x = np.random.default_rng(0).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    energy = keras.ops.convert_to_numpy(discriminator(x))
    assert energy.shape == (3,)
    assert np.all(energy >= 0) and np.all(np.isfinite(energy))
    assert np.any(energy > 0)
    # the energy is the per-sample reconstruction error
    reconstruction = keras.Model(discriminator.inputs[0], discriminator.get_layer("energy").input[1])
    rec = keras.ops.convert_to_numpy(reconstruction(x))
    assert rec.shape == x.shape
    np.testing.assert_allclose(energy, ((x - rec) ** 2).mean(axis=(1, 2, 3)), rtol=1e-5, atol=1e-6)


def test_autoencoder_discriminator_points():
    discriminator = autoencoder_discriminator((2,), code_dim=4, units=(8,))
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    energy = keras.ops.convert_to_numpy(discriminator(x))
    assert energy.shape == (5,)
    assert np.all(energy >= 0) and np.any(energy > 0)


@pytest.mark.parametrize("input_shape", [(28, 28, 1), (2,)])
def test_autoencoder_bottleneck_batch_norm_uses_each_batchs_statistics(input_shape):
    """In training, a sample's energy depends on the batch it came in (BEGAN's D sees the reals
    and the fakes as two batches); without the option it does not, nor at inference."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (4, *input_shape)).astype("float32")
    varied = np.concatenate([x[:1], rng.uniform(-1, 1, (3, *input_shape)).astype("float32")])
    normalized = autoencoder_discriminator(input_shape, base_filters=4, code_dim=8, units=(8,),
                                           bottleneck_normalization="batch")
    assert len(_layers(normalized, keras.layers.BatchNormalization)) == (2 if len(input_shape) == 3 else 1)
    energy = lambda d, batch, training: float(keras.ops.convert_to_numpy(d(batch, training=training))[0])  # noqa: E731
    assert energy(normalized, x, True) != pytest.approx(energy(normalized, varied, True), rel=1e-4)
    assert energy(normalized, x, False) == pytest.approx(energy(normalized, varied, False), rel=1e-5)
    plain = autoencoder_discriminator(input_shape, base_filters=4, code_dim=8, units=(8,))
    assert not _layers(plain, keras.layers.BatchNormalization)
    assert energy(plain, x, True) == pytest.approx(energy(plain, varied, True), rel=1e-5)
    with pytest.raises(ValueError, match="bottleneck_normalization must be none or batch"):
        autoencoder_discriminator(input_shape, bottleneck_normalization="layer")


@pytest.mark.parametrize("output_shape", [(2,), (28, 28, 1), (4, 4, 3)])
def test_mlp_generator_shapes(output_shape):
    generator = mlp_generator(LATENT, output_shape, units=(8, 8), batch_norm=True)
    assert generator.output_shape == (None,) + output_shape
    assert len(_layers(generator, keras.layers.BatchNormalization)) == 2
    out = keras.ops.convert_to_numpy(generator(np.ones((3, LATENT), "float32")))
    assert out.shape == (3,) + output_shape


@pytest.mark.parametrize("input_shape, output_dim", [((2,), 1), ((28, 28, 1), 1), ((2,), 5)])
def test_mlp_discriminator_shapes(input_shape, output_dim):
    discriminator = mlp_discriminator(input_shape, units=(8,), output_dim=output_dim)
    out = keras.ops.convert_to_numpy(discriminator(np.ones((3,) + input_shape, "float32")))
    assert out.shape == (3, output_dim)
    assert [l.units for l in _layers(discriminator, keras.layers.Dense)] == [8, output_dim]


def test_registry_names():
    assert set(GENERATORS) == {"mlp", "dcgan", "stylegan", "progan"}
    assert set(DISCRIMINATORS) == {"mlp", "dcgan", "autoencoder", "stylegan", "patchgan", "progan"}


def test_build_by_name_with_options():
    generator = build_generator({"name": "mlp", "units": [8, 4]}, LATENT, (2,))
    assert generator.output_shape == (None, 2)
    assert generator.input_shape == (None, LATENT)
    assert [l.units for l in _layers(generator, keras.layers.Dense)] == [8, 4, 2]
    discriminator = build_discriminator({"name": "dcgan", "base_filters": 4}, (28, 28, 1))
    assert discriminator.output_shape == (None, 1)
    assert _layers(discriminator, keras.layers.Conv2D)[0].filters == 4
    energy = build_discriminator({"name": "autoencoder", "code_dim": 4, "units": [8]}, (2,))
    assert energy.output_shape == (None,)


def test_build_does_not_mutate_config():
    config = {"name": "mlp", "units": [8]}
    build_generator(config, LATENT, (2,))
    assert config == {"name": "mlp", "units": [8]}


def test_build_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match=r"unknown generator 'biggan'.*dcgan, mlp, progan, stylegan"):
        build_generator({"name": "biggan"}, LATENT, (2,))
    with pytest.raises(ValueError, match=r"unknown discriminator 'resnet'.*autoencoder, dcgan, mlp, patchgan, progan, stylegan"):
        build_discriminator({"name": "resnet"}, (2,))
    with pytest.raises(ValueError, match="valid names"):
        build_generator({}, LATENT, (2,))


def test_build_unknown_option_lists_valid_options():
    with pytest.raises(ValueError, match=r"unknown generator option\(s\) filters for 'dcgan'") as info:
        build_generator({"name": "dcgan", "filters": 4}, LATENT, (28, 28, 1))
    message = str(info.value)
    assert "base_filters" in message and "kernel_size" in message
    # the arguments the registry fills in are not offered as options
    assert "latent_dim" not in message.split("valid options are")[1]
    assert "output_shape" not in message.split("valid options are")[1]
    with pytest.raises(ValueError, match=r"unknown discriminator option\(s\) units for 'dcgan'.*normalization_type"):
        build_discriminator({"name": "dcgan", "units": [8]}, (28, 28, 1))


def test_dcgan_rejects_point_shapes_clearly():
    with pytest.raises(ValueError, match=r"DCGAN generator works on images.*\(2,\).*mlp"):
        dcgan_generator(LATENT, (2,))
    with pytest.raises(ValueError, match=r"DCGAN discriminator works on images.*\(2,\).*mlp"):
        dcgan_discriminator((2,))
    with pytest.raises(ValueError, match=r"DCGAN generator.*\(28, 28\)"):
        build_generator({"name": "dcgan"}, LATENT, (28, 28))
