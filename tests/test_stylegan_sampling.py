"""StyleGAN sampling in W: `generate(psi=...)`, `mix_styles`, the exported `*_psi` signatures (also
through the TF1 loader TF Serving uses), inversion in W and `keras-gans sample --psi / --mix`, `eval --psi`."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
import yaml

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.inversion import invert
from keras_gans.networks.stylegan import set_truncation
from keras_gans.sampling import styles
from keras_gans.serving import export_gan

from cli_helpers import assert_one_error_line
from test_stylegan import LATENT, dataset, tiny_gan

SAVED_MODEL_CLI = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")


@pytest.fixture(scope="module")
def trained():
    """A tiny 16x16 StyleGAN (6 styles) after 3 fit steps, so that w_avg is not zero."""
    gan = tiny_gan(resolution=16)
    gan.run_eagerly = True
    gan.fit(dataset(16), epochs=1, steps_per_epoch=3, verbose=0)
    assert np.abs(gan.ema_generator.get_layer("truncation").w_avg.numpy()).max() > 0
    return gan


def test_psi_in_generate_equals_the_layers_truncation(trained):
    gan = trained
    free = gan.generate(5, seed=1)
    np.testing.assert_allclose(gan.generate(5, seed=1, psi=1.0), free, atol=1e-5)
    half = gan.generate(5, seed=1, psi=0.5)
    assert np.abs(half - free).max() > 1e-3
    average = gan.generate(5, seed=1, psi=0.0)
    for sample in average[1:]:  # every sample is the image of w_avg ("const" inference noise)
        np.testing.assert_allclose(sample, average[0], atol=1e-5)
    try:
        set_truncation(gan, 0.5, cutoff=2)
        np.testing.assert_allclose(gan.generate(5, seed=1), gan.generate(5, seed=1, psi=0.5), atol=1e-5)
        set_truncation(gan, 0.3)  # an explicit psi overrides the layer's own
        np.testing.assert_allclose(gan.generate(5, seed=1, psi=0.5), half, atol=1e-5)
    finally:
        set_truncation(gan, 1.0)
    with pytest.raises(ValueError, match="psi must be finite"):
        gan.generate(2, psi=float("nan"))
    with pytest.raises(ValueError, match="psi must be a number"):
        gan.generate(2, psi="high")


def test_mix_styles_copies_coarse_styles_from_sources(trained):
    gan = trained
    assert styles.style_count(gan.sampler) == 6 and styles.default_crossover(gan.sampler) == 3
    z_sources, z_destinations = gan.latent(3, seed=1), gan.latent(2, seed=2)
    own_sources = gan.generate(3, seed=1)
    own_destinations = gan.generate(2, seed=2)
    grid = gan.mix_styles(z_sources, z_destinations)
    assert grid.shape == (2, 3, 16, 16, 1)  # row = destination, as the rows of the paper's Fig. 3
    for j in range(2):  # a cell is neither of its parents
        for i in range(3):
            assert np.abs(grid[j, i] - own_sources[i]).max() > 1e-4
            assert np.abs(grid[j, i] - own_destinations[j]).max() > 1e-4
    everything = gan.mix_styles(z_sources, z_destinations, crossover=6)
    nothing = gan.mix_styles(z_sources, z_destinations, crossover=0)
    for j in range(2):
        np.testing.assert_allclose(everything[j], own_sources, atol=1e-5)
        np.testing.assert_allclose(nothing[j], np.repeat(own_destinations[j : j + 1], 3, axis=0), atol=1e-5)
    # the same crossover by hand: styles 0-2 of w(source 0), 3-5 of w(destination 1)
    parts, truncation, synthesis = styles.style_parts(gan.sampler)
    ws = np.concatenate([parts(z_sources[:1], training=False)[:, :3], parts(z_destinations[1:], training=False)[:, 3:]],
                        axis=1)
    np.testing.assert_allclose(grid[1, 0], synthesis(ws, training=False)[0], atol=1e-5)
    # psi: the generator's own by default, an explicit one otherwise
    try:
        set_truncation(gan, 0.0)  # every destination and source the average image
        flat = gan.mix_styles(z_sources, z_destinations)
        np.testing.assert_allclose(flat[1, 2], flat[0, 0], atol=1e-5)
        np.testing.assert_allclose(gan.mix_styles(z_sources, z_destinations, psi=1.0), grid, atol=1e-5)
    finally:
        set_truncation(gan, 1.0)
    for crossover in (7, -1, 2.5, True):
        with pytest.raises(ValueError, match="crossover must be a whole number between 0 and the generator's 6"):
            gan.mix_styles(z_sources, z_destinations, crossover=crossover)
    with pytest.raises(ValueError, match=r"z_sources must have shape \(n >= 1, 8\), got \(0, 8\)"):
        gan.mix_styles(np.zeros((0, LATENT)), z_destinations)
    with pytest.raises(ValueError, match=r"z_destinations must have shape \(n >= 1, 8\), got \(8,\)"):
        gan.mix_styles(z_sources, z_destinations[0])


def test_signatures_without_psi_keep_the_generators_own_psi(trained, tmp_path):
    gan = trained
    z = gan.latent(2, seed=6)
    try:
        set_truncation(gan, 0.5)
        served = tf.saved_model.load(export_gan(gan, str(tmp_path / "half"))).signatures
    finally:
        set_truncation(gan, 1.0)
    plain = served["serving_default"](z=tf.constant(z))["images"].numpy()
    np.testing.assert_allclose(plain, served["serving_psi"](z=tf.constant(z), psi=tf.constant(0.5))["images"],
                               atol=1e-5)
    untruncated = served["serving_psi"](z=tf.constant(z), psi=tf.constant(1.0))["images"].numpy()
    np.testing.assert_allclose(untruncated, gan.generate(2, seed=6), atol=1e-5)
    assert np.abs(untruncated - plain).max() > 1e-3


def test_inversion_in_w_finds_a_planted_w(trained):
    gan = trained
    mapping, _, synthesis = styles.style_parts(gan.sampler)
    planted = mapping(gan.latent(4, seed=9), training=False)[:, 0].numpy()
    images = synthesis(np.repeat(planted[:, None], 6, axis=1), training=False).numpy()
    found = invert(gan, images, steps=150, feature_weight=0, candidates=8, batch_size=4)
    assert found.latents.shape == (4, LATENT)  # one w per image (w_dim = latent_dim here)
    assert found.pixel_errors.max() < 0.1 * found.start_errors.min()
    np.testing.assert_allclose(found.reconstructions, synthesis(np.repeat(found.latents[:, None], 6, axis=1)),
                               atol=1e-5)
    in_z = invert(gan, images, steps=0, feature_weight=0, candidates=8, space="z")
    in_w = invert(gan, images, steps=0, feature_weight=0, candidates=8)
    np.testing.assert_allclose(in_w.start_errors, in_z.start_errors, atol=1e-5)  # w of the same nearest z
    assert in_w.space == "w" and in_z.space == "z" and in_z.latents.shape == (4, LATENT)
    with pytest.raises(ValueError, match="space must be 'auto', 'z' or 'w'"):
        invert(gan, images, steps=0, space="w+")
    try:  # the generator's own psi changes neither the start nor the optimised images in W
        set_truncation(gan, 0.2)
        truncated = invert(gan, images, steps=150, feature_weight=0, candidates=8, batch_size=4)
    finally:
        set_truncation(gan, 1.0)
    np.testing.assert_allclose(truncated.start_errors, found.start_errors, atol=1e-6)
    np.testing.assert_allclose(truncated.latents, found.latents, atol=1e-4)


def test_not_a_stylegan_generator():
    from keras_gans import GAN
    from keras_gans.networks import build_discriminator, build_generator

    gan = GAN(build_generator({"name": "mlp", "units": [4]}, 2, (2,)),
              build_discriminator({"name": "mlp", "units": [4]}, (2,)))
    with pytest.raises(ValueError, match="is not a StyleGAN generator"):
        gan.generate(2, psi=0.7)
    with pytest.raises(ValueError, match="is not a StyleGAN generator"):
        gan.mix_styles(gan.latent(1), gan.latent(1))
    assert not styles.is_style_generator(gan.generator)
    with pytest.raises(ValueError, match="inversion in W needs a StyleGAN generator"):
        invert(gan, np.zeros((1, 2)), steps=0, space="w")


def test_exported_psi_signatures(trained, tmp_path):
    gan = trained
    path = export_gan(gan, str(tmp_path / "exported"))
    served = tf.saved_model.load(path)
    assert {"serving_psi", "generate_uint8_psi", "generate_from_seed_psi"} <= set(served.signatures)
    z = gan.latent(3, seed=4)
    psi = tf.constant(0.6)
    out = served.signatures["serving_psi"](z=tf.constant(z), psi=psi)["images"].numpy()
    np.testing.assert_allclose(out, styles.truncated_images(gan.sampler, z, 0.6), atol=1e-5)
    np.testing.assert_allclose(served.signatures["serving_psi"](z=tf.constant(z), psi=tf.constant(1.0))["images"],
                               served.signatures["serving_default"](z=tf.constant(z))["images"], atol=1e-5)
    uint8 = served.signatures["generate_uint8_psi"](z=tf.constant(z), psi=psi)["images"].numpy()
    assert uint8.dtype == np.uint8 and np.abs(uint8.astype(int) - np.round((out + 1) * 127.5)).max() <= 1
    seeded = served.signatures["generate_from_seed_psi"](seed=tf.constant(5, tf.int64), num=tf.constant(2), psi=psi)
    unseeded = served.signatures["generate_from_seed"](seed=tf.constant(5, tf.int64), num=tf.constant(2))
    assert seeded["images"].shape == (2, 16, 16, 1)
    assert np.abs(seeded["images"].numpy() - unseeded["images"].numpy()).max() > 1e-4
    with pytest.raises(tf.errors.InvalidArgumentError, match="psi must be finite"):
        served.signatures["serving_psi"](z=tf.constant(z), psi=tf.constant(float("inf")))
    # As TF Serving runs it: the TF1 loader of saved_model_cli, in a process without keras_gans.
    np.save(tmp_path / "z.npy", z)
    np.save(tmp_path / "psi.npy", np.float32(0.6))
    proc = subprocess.run([SAVED_MODEL_CLI, "run", "--dir", path, "--tag_set", "serve", "--signature_def",
                           "serving_psi", "--inputs", "z=z.npy;psi=psi.npy", "--outdir", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", CUDA_VISIBLE_DEVICES=""))
    assert proc.returncode == 0, proc.stderr[-2000:]
    np.testing.assert_allclose(np.load(tmp_path / "out" / "images.npy"), out, atol=1e-5)


def test_cli_psi_and_mix(tmp_path, capsys):
    from PIL import Image

    recipe = recipes.apply_overrides(recipes.load("stylegan-mnist"), [
        f"model.latent_dim={LATENT}", "model.generator.base_filters=4", "model.generator.max_filters=8",
        "model.generator.mapping_layers=1", "model.discriminator.base_filters=4",
        "model.discriminator.max_filters=8", "train.batch_size=8", "train.steps=2", "train.steps_per_epoch=2",
        "train.samples=4"])
    path = tmp_path / "stylegan.yaml"
    path.write_text(yaml.safe_dump(recipe))
    run = str(tmp_path / "run")
    assert main(["train", str(path), "--out", run, "--quiet"]) == 0
    assert main(["sample", run, "--n", "4", "--psi", "0.7", "--seed", "0", "--out", str(tmp_path / "t.npy")]) == 0
    assert main(["sample", run, "--n", "4", "--seed", "0", "--out", str(tmp_path / "f.npy")]) == 0
    truncated, free = np.load(tmp_path / "t.npy"), np.load(tmp_path / "f.npy")
    assert truncated.shape == free.shape == (4, 32, 32, 1) and truncated.dtype == np.uint8
    assert not np.array_equal(truncated, free)
    # the picture: sources along the top, then one row per destination, its cells from --mix's .npy;
    # --mix 2 --seed 0 draws its 2 sources and 2 destinations as `--n 4 --seed 0` draws its samples
    mix = ["sample", run, "--mix", "2", "--crossover", "2", "--seed", "0", "--out"]
    assert main([*mix, str(tmp_path / "two.npy")]) == 0
    assert main([*mix, str(tmp_path / "two.png")]) == 0
    assert "style mixing of 2 sources and 2 destinations" in capsys.readouterr().out
    picture = np.asarray(Image.open(tmp_path / "two.png"))
    assert picture.shape[0] == picture.shape[1] and picture.shape[0] % (3 * 34 + 2) == 0  # 3 x 3 cells, scaled up
    scale = picture.shape[0] // (3 * 34 + 2)
    cells, own = np.load(tmp_path / "two.npy"), free
    assert cells.shape == (2, 2, 32, 32, 1)

    def tile(row, column):
        y, x = (2 + row * 34) * scale, (2 + column * 34) * scale
        return picture[y : y + 32 * scale : scale, x : x + 32 * scale : scale]

    assert not tile(0, 0).any()  # the blank corner
    np.testing.assert_array_equal(tile(0, 1), own[0, ..., 0])  # source 0
    np.testing.assert_array_equal(tile(0, 2), own[1, ..., 0])  # source 1
    np.testing.assert_array_equal(tile(2, 0), own[3, ..., 0])  # destination 1
    np.testing.assert_array_equal(tile(2, 1), cells[1, 0, ..., 0])  # destination 1 with source 0's styles
    assert_one_error_line(capsys, main(["sample", run, "--mix", "--crossover", "11", "--out", str(tmp_path / "m.png")]),
                          "crossover must be a whole number between 0 and the generator's 8 styles")
    assert_one_error_line(capsys, main(["sample", run, "--crossover", "2", "--out", str(tmp_path / "m.png")]),
                          "add --mix")
    assert_one_error_line(capsys, main(["sample", run, "--psi", "0.5", "--interp", "4", "--out", str(tmp_path / "w.png")]),
                          "--psi goes with")
    assert_one_error_line(capsys, main(["sample", "grid", "--psi", "0.5", "--out", str(tmp_path / "g.png")]),
                          "is not a StyleGAN generator")
    assert_one_error_line(capsys, main(["sample", "grid", "--mix", "--out", str(tmp_path / "g.png")]),
                          "is not a StyleGAN generator")

    # eval --psi: psi 1 scores the samples the generator's own psi (1 here) draws; psi 0 others
    def fid(*psi):
        assert main(["eval", run, "--metrics", "fid", "--n", "20", "--json", "--no-reference", *psi]) == 0
        return json.loads(capsys.readouterr().out)

    own, one, zero = fid(), fid("--psi", "1"), fid("--psi", "0")
    assert "psi" not in own and one["psi"] == 1.0 and zero["psi"] == 0.0
    assert own["metrics"]["fid"] == pytest.approx(one["metrics"]["fid"], rel=1e-5)
    assert zero["metrics"]["fid"] != pytest.approx(one["metrics"]["fid"], rel=1e-3)
    assert_one_error_line(capsys, main(["eval", "grid", "--psi", "0.5"]), "is not a StyleGAN generator")
