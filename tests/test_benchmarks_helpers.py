"""Pure helpers of the benchmark scripts (no training, no TF work beyond imports)."""

import importlib.util
import math
import os

import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


def _load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lf():
    return _load("loss_families")


@pytest.fixture(scope="module")
def fs():
    return _load("fid_speed")


def _run(row, seed, fid, kid, seconds=10.0, diverged=False, confident=None, classes=(None, None)):
    return {"row": row, "seed": seed, "fid": fid, "kid": kid, "train_seconds": seconds, "steps": 1000,
            "n_critic": 1, "ema": True, "diverged": diverged, "confident": confident,
            "class_min": classes[0], "class_max": classes[1]}


def test_epoch_length_divides_steps(lf):
    assert lf.epoch_length(1000, 250) == 250
    assert lf.epoch_length(1000, 500) == 500
    assert lf.epoch_length(20, 500) == 20
    assert lf.epoch_length(1200, 500) == 400
    assert lf.epoch_length(997, 250) == 1  # a prime


def test_rescale_step_keys_scales_schedules_only(lf):
    compile_cfg = {
        "d_optimizer": {"name": "adam", "learning_rate": {
            "module": "keras.optimizers.schedules", "class_name": "CosineDecay",
            "config": {"initial_learning_rate": 0.001, "decay_steps": 6000}}},
        "g_optimizer": {"name": "adam", "learning_rate": 0.0002},
        "instance_noise": {"stddev": 0.1, "anneal_steps": 3000},
        "penalties": [{"name": "pw", "boundaries": [1000, 2000]}],
    }
    found, changes = lf.rescale_step_keys(compile_cfg, 0.5)
    assert compile_cfg["d_optimizer"]["learning_rate"]["config"]["decay_steps"] == 3000
    assert compile_cfg["d_optimizer"]["learning_rate"]["config"]["initial_learning_rate"] == 0.001
    assert compile_cfg["instance_noise"]["anneal_steps"] == 1500
    assert compile_cfg["penalties"][0]["boundaries"] == [500, 1000]
    assert compile_cfg["g_optimizer"]["learning_rate"] == 0.0002
    assert len(found) == 3 and {c["key"] for c in changes} == {
        "compile.d_optimizer.learning_rate.config.decay_steps",
        "compile.instance_noise.anneal_steps",
        "compile.penalties[0].boundaries",
    }


def test_shipped_rows_have_constant_learning_rates(lf):
    from keras_gans import recipes

    for _, name, overrides in lf.ROWS:
        recipe = recipes.apply_overrides(recipes.load(name), list(overrides))
        assert lf.rescale_step_keys(recipe["compile"], 1.0) == ([], []), name


def test_mean_std_ignores_missing_and_non_finite(lf):
    assert lf.mean_std([1.0, 3.0]) == (2.0, 1.0)
    assert lf.mean_std([1.0, None, float("nan"), 3.0]) == (2.0, 1.0)
    mean, std = lf.mean_std([None])
    assert math.isnan(mean) and math.isnan(std)


def test_format_mean_std(lf):
    assert lf.format_mean_std(12.345, 0.44) == "12.3 ± 0.4"
    assert lf.format_mean_std(4229.4, 510.6, 0) == "4229 ± 511"
    assert lf.format_mean_std(float("nan"), float("nan")) == "–"


def test_markdown_table_rows_in_order_with_diverged_seeds(lf):
    runs = [
        _run("WGAN clip", 1, None, None, 30.0, diverged=True),
        _run("NS", 1, 20.0, 300.0, 12.0, confident=0.9, classes=(0.07, 0.12)),
        _run("NS", 0, 10.0, 100.0, 8.0, confident=0.8, classes=(0.05, 0.11)),
        _run("WGAN clip", 0, 50.0, 700.0, 20.0),
    ]
    table = lf.markdown_table(runs).splitlines()
    assert len(table) == 4
    assert table[2].startswith(
        "| NS (`dcgan-mnist`) | 15.0 ± 5.0 | 200 ± 100 | 85.0 ± 5.0 | 5.0-12.0 | 10 (12) | 1000 | 1 | yes | 2/2 |")
    assert table[3].startswith("| WGAN clip (`wgan-mnist`) | 50.0 ± 0.0 | 700 ± 0 | – | – | 25 (30) |")
    assert table[3].endswith("| 1/2 (diverged: 1) |")
    lines = lf.per_seed_lines(runs).splitlines()
    assert lines == ["- NS: s0 10.0 / 100; s1 20.0 / 300", "- WGAN clip: s0 50.0 / 700; s1 diverged"]


def test_fid_speed_summary_and_table(fs):
    repeats = [dict.fromkeys(fs.PHASES, 1.0) for _ in range(3)]
    for i, r in enumerate(repeats):
        r["fid"] = float(i)
        r["total"] = sum(r[p] for p in fs.PHASES)
    summary = fs.summarize(repeats)
    assert summary["fid"] == {"min": 0.0, "median": 1.0, "max": 2.0}
    assert summary["total"]["median"] == 5.0
    table = fs.markdown_table(summary, 10000, 10000)
    assert "| **total** | **4.00** | **5.00** |" in table
    assert table.endswith("| target | | < 60 (met) |")
    slow = fs.markdown_table({**summary, "total": {"min": 61.0, "median": 70.0, "max": 80.0}}, 10000, 10000)
    assert slow.endswith("(NOT met) |")


def test_rejection_settings_and_table():
    rj = _load("rejection")
    labels = [(label, None if r is None else r.gamma_percentile) for label, r in rj.settings(["none", "80"])]
    assert labels == [("generator alone", None), ("DRS, gamma 0", None), ("DRS, gamma = 80th percentile", 80.0)]
    metrics = {"fid": 371.57, "kid": 4809.9, "kid_std": 669.7, "is": 7.042, "precision": 0.5684, "recall": 0.6725,
               "confident": 0.8612, "class_min": 0.0837, "class_max": 0.1266}
    table = rj.markdown_table([
        {"model": "dcgan-mnist", "sampling": "generator alone", "metrics": metrics, "acceptance": 1.0, "seconds": 13.3},
        {"model": "sngan-mnist", "sampling": "DRS, gamma 0", "error": "hinge loss"},
    ], 10000).splitlines()
    assert table[0].startswith("| zoo model | sampling (10,000 samples) | domain FID |")
    assert table[2] == ("| `dcgan-mnist` | generator alone | 371.6 | 4810 ± 670 | 7.04 | 0.568 | 0.672 | 86.1% | 8.4-12.7% "
                        "| 100.0% | 13 |")
    assert table[3].startswith("| `sngan-mnist` | DRS, gamma 0 | not applicable: hinge loss |")


def test_time_to_quality_plot_draws_every_run(tmp_path):
    """The time-to-quality PNG: two panels, one coloured line per run, from a report's points."""
    from PIL import Image

    ttq = _load("time_to_quality")
    machine = {"date": "2026-11-30", "cpu": "CPU", "usable_cores": 2, "tensorflow": "2.21.0"}
    runs = [{"recipe": name, "seed": 0, "points": [
        {"train_cpu_seconds": 60.0 * (i + 1), "fid": fid / (i + 1), "confident": 0.5 + 0.1 * i} for i in range(4)]}
        for name, fid in (("dcgan-mnist", 400.0), ("sngan-mnist", 800.0))]
    path = tmp_path / "plot.png"
    ttq.draw_plot({"machine": machine, "n": 100, "runs": runs}, str(path))
    pixels = Image.open(path).convert("RGB")
    colors = {pixels.getpixel((x, y)) for x in range(0, pixels.width, 2) for y in range(0, pixels.height, 2)}
    assert (31, 119, 180) in colors and (214, 39, 40) in colors  # the two runs' lines


def test_time_to_quality_merges_reports_and_compares_at_equal_cpu_time():
    ttq = _load("time_to_quality")

    def report(recipe, cpu, n=100):
        points = [{"step": 500 * (i + 1), "train_cpu_seconds": cpu * (i + 1), "fid": 100.0 / (i + 1),
                   "confident": 0.2 * (i + 1), "class_min": 0.05, "class_max": 0.15} for i in range(3)]
        return {"n": n, "machine": {"cpu": recipe}, "runs": [{"recipe": recipe, "seed": 0, "points": points}]}

    merged = ttq.merge_reports([report("dcgan-mnist", 100.0), report("stylegan-mnist", 400.0)])
    assert [r["recipe"] for r in merged["runs"]] == ["dcgan-mnist", "stylegan-mnist"]
    assert merged["runs"][1]["machine"] == {"cpu": "stylegan-mnist"}
    rows = ttq.at_cpu_seconds(merged, [250.0, 900.0])
    assert rows[2] == "| `dcgan-mnist` seed 0 | 250 | 1000 | 200 | 50.0 | 40.0% | 5.0-15.0% |"
    assert rows[3] == "| `stylegan-mnist` seed 0 | 250 | (first point at 400 s) | | | | |"
    assert rows[4] == "| `dcgan-mnist` seed 0 | 900 | 1500 | 300 | 33.3 | 60.0% | 5.0-15.0% |"
    assert rows[5] == "| `stylegan-mnist` seed 0 | 900 | 1000 | 800 | 50.0 | 40.0% | 5.0-15.0% |"
    with pytest.raises(SystemExit, match="different sample counts"):
        ttq.merge_reports([report("a", 1.0), report("b", 1.0, n=10)])


def test_data_efficient_merges_in_order_and_plots_a_line_per_augmentation(tmp_path):
    import json

    from PIL import Image

    de = _load("data_efficient")
    machine = {"date": "2026-12-01T22:00:00+00:00", "cpu": "CPU", "tensorflow": "2.21.0"}

    def result(recipe, digits, augment, fid):
        return {"recipe": recipe, "digits": digits, "augment": augment, "seed": 0, "confident": 0.9, "class_min": 0.07,
                "class_max": 0.12, "fid": fid, "train_seconds": 60.0, "augment_p": 0.3 if augment == "ada" else None}

    paths = []
    for i, results in enumerate([[result("dcgan-mnist", 500, a, 100.0) for a in ("none", "diff_augment", "ada")],
                                 [result("sngan-mnist", 500, "ada", 90.0), result("dcgan-mnist", 1000, "none", 50.0)]]):
        paths.append(str(tmp_path / f"{i}.json"))
        with open(paths[-1], "w") as f:
            json.dump({"machine": {**machine, "cpu": f"CPU {i}"}, "results": results}, f)
    merged = de.merge_reports(paths)
    assert [(r["recipe"], r["digits"], r["augment"]) for r in merged["results"]] == [
        ("dcgan-mnist", 500, "none"), ("dcgan-mnist", 500, "diff_augment"), ("dcgan-mnist", 500, "ada"),
        ("dcgan-mnist", 1000, "none"), ("sngan-mnist", 500, "ada")]
    assert merged["results"][-1]["machine"]["cpu"] == "CPU 1"
    assert "| `sngan-mnist` | 500 | ada | 0 | 90.0% | 7.0-12.0% | 90.0 | 0.30 | 60 |" in merged["table"]
    path = tmp_path / "plot.png"
    de.draw_plot(merged, str(path))
    pixels = Image.open(path).convert("RGB")
    colors = {pixels.getpixel((x, y)) for x in range(0, pixels.width, 2) for y in range(0, pixels.height, 2)}
    assert {(31, 119, 180), (214, 39, 40), (44, 160, 44)} <= colors  # none, diff_augment, ada


def test_zoo_index_matches_the_cards(tmp_path):
    """saved_models/README.md's table is what build_zoo.write_index makes of the cards (no stale row)."""
    import shutil

    build_zoo = _load("build_zoo")
    zoo = os.path.join(os.path.dirname(BENCHMARKS), "saved_models")
    copy = tmp_path / "zoo"
    shutil.copytree(zoo, copy, ignore=shutil.ignore_patterns("*.keras", "*.png"))
    build_zoo.write_index(str(copy))
    assert (copy / "README.md").read_text() == open(os.path.join(zoo, "README.md")).read()
    assert build_zoo.index_quality({"modes": 8, "hq": 0.981}) == "8 modes, 98.1% HQ"
    assert build_zoo.index_quality({"fid": 74.66, "confident": 0.861, "class_min": 0.084, "class_max": 0.127}) == (
        "confident 86.1%, classes 8.4-12.7%, domain FID 74.7")


def test_progressive_phases_and_their_table():
    """Every resolution alone and every fade-in at its middle, at the step where it starts."""
    import types

    pp = _load("progressive_phases")
    model = types.SimpleNamespace(levels=3, stable_steps=10, fade_steps=4)
    assert pp.phases(model) == [("4x4", 0), ("4x4 -> 8x8 fade-in", 12), ("8x8", 14), ("8x8 -> 16x16 fade-in", 26),
                                ("16x16", 28)]
    assert [label for label, _ in pp.phases(types.SimpleNamespace(levels=2, stable_steps=5, fade_steps=0))] == [
        "4x4", "8x8"]
    table = pp.markdown_table([{"phase": "4x4", "lod": 2.0, "steps_per_second": 3.456, "images_per_second": 55.3,
                                "cpu_ms_per_step": 289.4}], "progan-mnist", 16).splitlines()
    assert table[0].startswith("| `progan-mnist` phase (batch 16) |") and table[2] == "| 4x4 | 2 | 3.46 | 55 | 289 |"
    assert pp.parse_args(["--set", "compile.reuse_fakes=auto", "--set", "train.seed=1"]).overrides == [
        "compile.reuse_fakes=auto", "train.seed=1"]


def test_truncation_table_and_plot(tmp_path):
    from PIL import Image

    tr = _load("truncation")
    rows = [{"psi": psi, "fid": 100.0 / psi, "precision": 0.9 - 0.2 * psi, "recall": 0.3 + 0.4 * psi,
             "confident": 0.88, "class_min": 0.05, "class_max": 0.2, "seconds": 30.0} for psi in (0.5, 1.0)]
    table = tr.markdown_table(rows, 10000).splitlines()
    assert table[2] == "| 0.5 | 200.0 | 0.800 | 0.500 | 88.0% | 5.0-20.0% | 30 |"
    machine = {"date": "2026-12-01", "cpu": "CPU", "tensorflow": "2.21.0"}
    path = tmp_path / "t.png"
    tr.draw_plot({"results": rows, "machine": machine, "settings": {"run": "r", "label": "my model", "n": 10}},
                 str(path))
    pixels = Image.open(path).convert("RGB")
    colors = {pixels.getpixel((x, y)) for x in range(0, pixels.width, 2) for y in range(0, pixels.height, 2)}
    assert {(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)} <= colors  # FID, P, R, confident
