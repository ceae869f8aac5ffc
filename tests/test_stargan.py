"""StarGAN and the styles task: the domain planes, D's heads, the players of one step, exact
resume, replicas, translate / eval / export with a domain, the CLI's --domain."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.data import make_dataset, translation, translation_examples
from keras_gans.errors import UserError
from keras_gans.layers import AdaIN, DomainPlanes, DomainSelect
from keras_gans.metrics.domain_translation import class_kept_by_styles
from keras_gans.metrics.translation import evaluate_translation, translation_reference
from keras_gans.models import StarGAN
from keras_gans.models.stargan import of_domains, warmup_factor
from keras_gans.networks import stargan_discriminator, stargan_generator
from keras_gans.networks.stargan import domain_condition
from keras_gans.serving import export_gan
from keras_gans.utils.images import save_picture

from model_helpers import assert_weights_close, built, one_and_two_replicas, straight_and_resumed, weights


def tiny(*overrides):
    """stargan-mnist-styles with 4-filter networks, one residual block and batches of 4."""
    return recipes.apply_overrides(recipes.load("stargan-mnist-styles"), [
        "model.generator.base_filters=4", "model.generator.residual_blocks=1", "model.discriminator.base_filters=4",
        "train.batch_size=4", *overrides])


def styled_batches(n=16, batch=4):
    """The first `n` training digits of the styles task, each in its style, with their domains."""
    images, domains, _ = translation.task_examples("styles")
    return tf.data.Dataset.from_tensor_slices((images[:n].astype("float32") / 127.5 - 1.0, domains[:n])).batch(batch)


def test_styles_task_gives_each_digit_one_style():
    images, domains, labels = translation.task_examples("styles")
    digits, same_labels = translation.split_digits("train")
    assert images.shape == (9000, 28, 28, 1) and domains.dtype == np.int32
    np.testing.assert_array_equal(labels, same_labels)
    assert np.bincount(domains).tolist() == [2250] * 4  # balanced
    for index, name in enumerate(translation.STYLES):
        chosen = np.flatnonzero(domains == index)[:5]
        np.testing.assert_array_equal(images[chosen], translation.style(digits[chosen], name))
    batch, batch_domains = next(iter(make_dataset({"translation": "styles"}, 8)))
    assert batch.shape == (8, 28, 28, 1) and batch_domains.dtype == tf.int32 and float(tf.reduce_min(batch)) >= -1
    shown, shown_domains = translation_examples({"translation": "styles"}, 3)
    assert shown.shape == (3, 28, 28, 1) and shown_domains.dtype == np.int32
    with pytest.raises(ValueError, match="one domain per style"):
        translation.translation_pair("styles", digits[:2])
    inverted = np.float32([[0.5]])
    assert translation.as_digits("styles", "inverted", inverted) == -0.5
    assert translation.as_digits("styles", "thick", inverted) == 0.5


def test_domain_planes_and_the_discriminator_heads():
    planes = DomainPlanes(3)([tf.zeros((2, 4, 5, 1)), tf.constant([2, 0])])
    assert planes.shape == (2, 4, 5, 3)
    np.testing.assert_array_equal(planes.numpy()[0, 3, 4], [0, 0, 1])
    np.testing.assert_array_equal(planes.numpy()[1, 0, 0], [1, 0, 0])
    assert DomainPlanes.from_config(DomainPlanes(3).get_config()).num_domains == 3
    with pytest.raises(ValueError, match="num_domains must be an integer >= 2"):
        DomainPlanes(1)
    heads = stargan_discriminator(num_domains=5, base_filters=4)(tf.zeros((2, 28, 28, 1)))
    assert heads["logits"].shape == (2, 7, 7, 1) and heads["domains"].shape == (2, 5)
    for conditional in (True, False):  # the domain changes the output, through every norm or the planes alone
        generator = stargan_generator(num_domains=3, base_filters=4, residual_blocks=1,
                                      domain_normalization=conditional)
        images = tf.random.stateless_uniform((2, 28, 28, 1), (1, 2), -1, 1)
        first = generator({"images": images, "domains": tf.constant([0, 2])}).numpy()
        second = generator({"images": images, "domains": tf.constant([1, 2])}).numpy()
        assert np.abs(first[0] - second[0]).max() > 1e-3 and np.array_equal(first[1], second[1])


def test_the_norms_can_see_the_source_statistics_per_target_domain():
    images = tf.random.stateless_uniform((2, 28, 28, 1), (3, 4), -1, 1)
    images = tf.concat([images[:1], -images[:1]], 0)  # a digit and its inversion
    inputs = keras.Input((28, 28, 1)), keras.Input((), dtype="int32")
    condition = keras.Model(inputs, domain_condition(*inputs, num_domains=3, source_statistics=True))
    values = condition([images, tf.constant([1, 1])]).numpy()
    mean, square = float(tf.reduce_mean(images[0])), float(tf.reduce_mean(images[0] ** 2))
    # one-hot target, then per domain (mean, mean square): only target 1's copy is non-zero
    np.testing.assert_allclose(values[0], [0, 1, 0, 0, 0, mean, square, 0, 0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(values[1], [0, 1, 0, 0, 0, -mean, square, 0, 0], rtol=1e-5, atol=1e-6)
    plain = keras.Model(inputs, domain_condition(*inputs, num_domains=3))([images, tf.constant([2, 0])]).numpy()
    np.testing.assert_array_equal(plain, [[0, 0, 1], [1, 0, 0]])
    generator = stargan_generator(num_domains=3, base_filters=4, residual_blocks=1, source_statistics=True,
                                  norm_lr_multiplier=10.0)
    assert {l.lr_multiplier for l in generator.layers if type(l).__name__ == "AdaIN"} == {10.0}
    with pytest.raises(ValueError, match="source_statistics needs domain_normalization"):
        stargan_generator(domain_normalization=False, source_statistics=True)
    with pytest.raises(ValueError, match="norm_lr_multiplier must be positive, got -1"):
        stargan_generator(norm_lr_multiplier=-1)


def test_a_per_domain_discriminator_judges_each_image_by_its_domain():
    logits = tf.reshape(tf.range(6, dtype=tf.float32), (2, 1, 1, 3))  # image 0: [0, 1, 2], image 1: [3, 4, 5]
    np.testing.assert_array_equal(of_domains(logits, tf.constant([2, 0])).numpy().ravel(), [2, 3])
    single = tf.ones((2, 1, 1, 1))
    assert of_domains(single, tf.constant([1, 0])) is single
    heads = stargan_discriminator(num_domains=4, base_filters=4, per_domain=True)(tf.zeros((2, 28, 28, 1)))
    assert heads["logits"].shape == (2, 7, 7, 4)


def test_a_generator_with_an_output_per_target_domain():
    values = tf.reshape(tf.range(2 * 3 * 2, dtype=tf.float32), (2, 1, 1, 6))  # 3 domains of 2 channels
    picked = DomainSelect(3)([values, tf.constant([2, 0])]).numpy()
    np.testing.assert_array_equal(picked.reshape(2, 2), [[4, 5], [6, 7]])
    assert DomainSelect.from_config(DomainSelect(3).get_config()).num_domains == 3
    with pytest.raises(ValueError, match="num_domains must be an integer >= 2"):
        DomainSelect(1)
    with pytest.raises(ValueError, match="needs num_domains \\* C channels"):
        DomainSelect(3)([tf.zeros((1, 1, 1, 4)), tf.constant([0])])
    generator = stargan_generator(num_domains=3, base_filters=4, residual_blocks=1, downsamplings=1,
                                  domain_outputs=True)
    assert generator.get_layer("target_domain_output").input[0].shape[-1] == 3  # an image per domain
    images = tf.random.stateless_uniform((2, 28, 28, 1), (5, 6), -1, 1)
    first = generator({"images": images, "domains": tf.constant([0, 2])}).numpy()
    second = generator({"images": images, "domains": tf.constant([1, 2])}).numpy()
    assert first.shape == (2, 28, 28, 1)
    with pytest.raises(ValueError, match="domain_outputs must be true or false, got 'maybe'"):
        stargan_generator(domain_outputs="maybe")
    assert np.abs(first[0] - second[0]).max() > 1e-3 and np.array_equal(first[1], second[1])


def test_a_generator_whose_encoder_does_not_see_the_target():
    generator = stargan_generator(num_domains=3, base_filters=4, residual_blocks=1, downsamplings=1,
                                  shared_encoder=True, domain_outputs=True)
    kinds = [type(layer).__name__ for layer in generator.layers]
    assert "DomainPlanes" not in kinds and kinds.count("GroupNormalization") == 2  # first block, one down-sampling
    first_conditional = next(layer for layer in generator.layers if isinstance(layer, AdaIN))
    encoder = keras.Model(generator.input, first_conditional.input[0])
    images = tf.random.stateless_uniform((2, 28, 28, 1), (7, 8), -1, 1)
    into = {d: {"images": images, "domains": tf.constant([d, d])} for d in (0, 2)}
    np.testing.assert_array_equal(encoder(into[0]).numpy(), encoder(into[2]).numpy())  # the same features
    assert np.abs(generator(into[0]).numpy() - generator(into[2]).numpy()).max() > 1e-3  # different images
    heads_only = stargan_generator(num_domains=3, base_filters=4, residual_blocks=1, downsamplings=1,
                                   shared_encoder=True, domain_normalization=False, domain_outputs=True)
    assert not any(isinstance(layer, AdaIN) for layer in heads_only.layers)
    with pytest.raises(ValueError, match="shared_encoder needs domain_normalization=True or domain_outputs=True"):
        stargan_generator(shared_encoder=True, domain_normalization=False)
    with pytest.raises(ValueError, match="shared_encoder must be true or false, got 1"):
        stargan_generator(shared_encoder=1)


def test_the_reconstruction_weight_can_warm_up():
    assert float(warmup_factor(tf.constant(0, tf.int64), 1000)) == 0.0
    assert float(warmup_factor(tf.constant(250, tf.int64), 1000)) == 0.25
    assert float(warmup_factor(tf.constant(5000, tf.int64), 1000)) == 1.0
    assert float(warmup_factor(tf.constant(0, tf.int64), 0)) == 1.0  # none: the paper's constant weight
    model = built(tiny("compile.reconstruction_warmup=100"))
    assert model.reconstruction_warmup == 100 and model.get_compile_config()["reconstruction_warmup"] == 100
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="reconstruction_warmup must be an integer >= 0"):
            model.compile(reconstruction_warmup=bad)


def test_one_step_trains_both_players_on_their_losses():
    model = built(tiny())
    before = {slot: weights(getattr(model, slot)) for slot in ("generator", "discriminator")}
    model.fit(styled_batches(4), epochs=1, steps_per_epoch=1, verbose=0)
    for slot, old in before.items():
        assert any(np.abs(a - b).max() > 1e-7 for a, b in zip(weights(getattr(model, slot)), old)), slot
    logs = {m.name: float(m.result().numpy()) for m in model.metrics}
    assert set(logs) == {"d_loss", "g_loss", "d_domain_loss", "g_domain_loss", "reconstruction", "identity"}
    # Untrained, both domain heads are near chance (log 4) and G's round trip is far from the source.
    assert 0.5 < logs["d_domain_loss"] < 3 and 0.5 < logs["g_domain_loss"] < 3 and logs["reconstruction"] > 0.1
    with pytest.raises(ValueError, match="reconstruction_weight must be >= 0"):
        model.compile(reconstruction_weight=-1)
    paper = built(tiny("compile.n_critic=2"))  # the paper's 5 D updates per G update, here 2
    paper.fit(styled_batches(4), epochs=1, steps_per_epoch=1, verbose=0)
    assert int(paper.d_optimizer.iterations.numpy()) == 2 and int(paper.g_optimizer.iterations.numpy()) == 1
    with pytest.raises(ValueError, match="n_critic must be an integer >= 1"):
        paper.compile(n_critic=0)


def test_trains_saves_and_continues_exactly(tmp_path):
    straight, loaded = straight_and_resumed(tiny("compile.ema_decay=0.9", "compile.reconstruction_warmup=3",
                                                 "model.generator.domain_outputs=true"), tmp_path, styled_batches)
    assert type(loaded) is StarGAN and loaded.domains == list(translation.STYLES)
    assert_weights_close(weights(loaded), weights(straight), atol=1e-5)


def test_two_replicas_equal_one_device(mirrored_strategy):
    one, two = one_and_two_replicas(tiny(), mirrored_strategy, batches=styled_batches)
    assert_weights_close(weights(two), weights(one), atol=1e-4)


def test_translates_into_named_domains_evaluates_and_exports(tmp_path):
    model = built(tiny("model.generator.domain_outputs=true"))  # a head per domain, picked per image when served
    digits = translation.split_digits("test")[0][:3]
    thick, by_index = model.translate(digits, domain="thick"), model.translate(digits, domain=1)
    np.testing.assert_array_equal(thick, by_index)
    mixed = model.translate(digits, domain=["thick", "thin", "thick"])
    np.testing.assert_array_equal(mixed[[0, 2]], thick[[0, 2]])
    for bad, message in ((None, "give one of original, thick"), ("bold", "unknown domain 'bold'"), (4, "unknown domain 4"),
                         (["thin", "thick"], "one per image \\(3\\)")):
        with pytest.raises(ValueError, match=message):
            model.translate(digits, domain=bad)
    picture = model.sample_picture(2, examples=translation_examples({"translation": "styles"}, 2))
    assert picture.shape[1] == 5 * 28 + 6 * 2 or picture.shape[1] > picture.shape[0]  # 5 columns: input + 4 styles

    scores = evaluate_translation(model, {"translation": "styles"}, ("l1", "ssim", "accuracy"), n=8)  # fid: slow
    assert {"accuracy", "l1", "accuracy_thick", "l1_inverted", "ssim_original"} <= set(scores)
    assert scores["accuracy"] == pytest.approx(np.mean([scores[f"accuracy_{s}"] for s in translation.STYLES]))
    by_styles = class_kept_by_styles(model, n=8)
    assert list(by_styles) == list(translation.STYLES) and list(by_styles["thin"]) == list(translation.STYLES)
    assert all(0 <= share <= 1 for row in by_styles.values() for share in row.values())
    reference = translation_reference({"translation": "styles"}, ("accuracy",), n=8)
    assert reference["accuracy_inverted"] == reference["accuracy_original"]  # the classifier sees -x: the same digits

    served = tf.saved_model.load(export_gan(model, str(tmp_path / "e")))
    images = tf.constant(digits / 127.5 - 1.0, tf.float32)
    out = served.signatures["serving_default"](images=images, domain=tf.constant([1, 1, 1], tf.int32))["images"]
    np.testing.assert_allclose(out.numpy(), thick, atol=1e-5)
    as_uint8 = served.signatures["translate_uint8"](images=tf.constant(digits), domain=tf.constant([3, 3, 3], tf.int32))
    assert as_uint8["images"].dtype == tf.uint8
    with pytest.raises(tf.errors.InvalidArgumentError, match="domain must be in"):
        served.signatures["serving_default"](images=images, domain=tf.constant([4, 0, 0], tf.int32))
    with pytest.raises(UserError, match="translates one way only"):
        export_gan(model, str(tmp_path / "b"), direction="b2a")


def test_cli_trains_draws_its_picture_and_translates_into_a_domain(tmp_path, capsys):
    from keras_gans.runs import load_run
    from keras_gans.utils.picture_tiles import read_images

    run = str(tmp_path / "run")
    tiny_sets = ["model.generator.base_filters=4", "model.generator.residual_blocks=1",
                 "model.discriminator.base_filters=4", "train.steps_per_epoch=2", "train.samples=3"]
    assert main(["train", "stargan-mnist-styles", "--steps", "2", "--batch-size", "4", "--quiet", "--out", run,
                 *[arg for key in tiny_sets for arg in ("--set", key)]]) == 0
    model, _ = load_run(run)
    picture = tmp_path / "p.png"
    assert main(["sample", run, "--n", "3", "--seed", "2", "--out", str(picture)]) == 0
    tiles = read_images(str(picture), (28, 28, 1))
    assert tiles.shape[0] == 3 * 5  # a row per example: the image, then its 4 styles
    images, _ = translation_examples({"translation": "styles"}, 3, seed=2)
    np.testing.assert_array_equal(tiles[5:15:5], np.round((images[1:] + 1) * 127.5).astype("uint8"))

    digit = translation.split_digits("test")[0][:1]
    source = tmp_path / "in.png"
    save_picture(str(source), digit[0])
    out = tmp_path / "out.npy"
    assert main(["translate", run, "--in", str(source), "--out", str(out), "--domain", "inverted"]) == 0
    expected = np.round((model.translate(digit, domain="inverted") + 1) * 127.5).astype("uint8")
    np.testing.assert_array_equal(np.load(out), expected)
    capsys.readouterr()
    assert main(["translate", run, "--in", str(source), "--out", str(out)]) == 1
    assert "--domain must be one of original, thick, thin, inverted" in capsys.readouterr().err
    assert main(["translate", run, "--in", str(source), "--out", str(out), "--domain", "bold"]) == 1
    assert "got 'bold'" in capsys.readouterr().err
