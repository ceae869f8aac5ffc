"""Several train steps per call of the train function (`train.steps_per_execution`): the choice,
its errors, and runs that are the same step for step whatever it is."""

import os

import numpy as np
import pytest

from keras_gans import recipes
from keras_gans.cli import main
from keras_gans.errors import UserError
from keras_gans.runs import load_model
from keras_gans.training.execution import MAX_AUTO, steps_per_execution
from cli_helpers import assert_one_error_line

TINY = ["--batch-size", "8", "--quiet", "--set", "train.steps_per_epoch=4", "--set", "train.samples=4",
        "--set", "model.latent_dim=8", "--set", "model.generator.base_filters=4",
        "--set", "model.discriminator.base_filters=4", "--set", "compile.jit_compile=false"]


def test_auto_is_the_largest_divisor_of_every_stretch_up_to_the_maximum():
    assert MAX_AUTO == 10
    assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000}) == 10  # dcgan-mnist
    assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000}, first_step=3000) == 10
    assert steps_per_execution({"steps_per_epoch": 250, "steps": 3000}) == 10
    assert steps_per_execution({"steps_per_epoch": 4, "steps": 6}) == 2
    assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000}, first_step=1234) == 2  # resumed there
    assert steps_per_execution({"steps_per_epoch": 7, "steps": 9}) == 1
    for strategy in ("mirrored", "multiworker", "tpu"):
        assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000}, strategy=strategy) == 1
    with pytest.raises(UserError, match="runs only with the default strategy, not mirrored"):
        steps_per_execution({"steps_per_epoch": 500, "steps": 6000, "steps_per_execution": 5}, strategy="mirrored")
    assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000, "steps_per_execution": 1}, strategy="tpu") == 1
    assert steps_per_execution({"steps_per_epoch": 500, "steps": 6000, "steps_per_execution": 4}) == 4
    with pytest.raises(UserError, match=r"7 must divide train.steps_per_epoch \(500\), train.steps \(6000\): "):
        steps_per_execution({"steps_per_epoch": 500, "steps": 6000, "steps_per_execution": 7})
    with pytest.raises(UserError, match=r"and the step the run resumes from \(3\)"):
        steps_per_execution({"steps_per_epoch": 4, "steps": 8, "steps_per_execution": 2}, first_step=3)


@pytest.mark.parametrize("bad", ["fast", 0, True, 2.5])
def test_recipes_refuse_a_bad_setting(bad):
    recipe = recipes.load("dcgan-mnist")
    recipe["train"]["steps_per_execution"] = bad
    with pytest.raises(UserError, match='train.steps_per_execution must be "auto" or a positive integer'):
        recipes.validate(recipe)
    assert recipes.load("dcgan-mnist")["train"]["steps_per_execution"] == "auto"


def test_a_run_is_the_same_with_any_number_of_steps_per_call(tmp_path, capsys):
    """4 steps per call ("auto" for 4-step epochs) equals a run of 2 steps per call ("auto" for a
    2-step run) resumed to step 8 and one of 1 step per call, bitwise."""
    auto, parts, single = (str(tmp_path / name) for name in ("auto", "parts", "single"))
    assert main(["train", "dcgan-mnist", "--steps", "8", *TINY, "--out", auto]) == 0
    assert main(["train", "dcgan-mnist", "--steps", "2", *TINY, "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--resume", "--steps", "8", "--quiet", "--out", parts]) == 0
    assert main(["train", "dcgan-mnist", "--steps", "8", *TINY, "--set", "train.steps_per_execution=1",
                 "--out", single]) == 0
    models = [load_model(os.path.join(out, "model.keras")) for out in (auto, parts, single)]
    assert [int(m.step_counter.numpy()) for m in models] == [8, 8, 8]
    for model in models[:2]:
        for got, expected in zip(model.get_weights(), models[2].get_weights()):
            np.testing.assert_array_equal(got, expected)
    assert sorted(os.listdir(os.path.join(auto, "samples"))) == ["epoch_0001.png", "epoch_0002.png"]
    capsys.readouterr()
    bad = str(tmp_path / "bad")
    code = main(["train", "dcgan-mnist", "--steps", "8", *TINY, "--set", "train.steps_per_execution=3", "--out", bad])
    assert_one_error_line(capsys, code, "train.steps_per_execution 3 must divide train.steps_per_epoch (4)")
    assert not os.path.exists(bad)  # refused before the run folder was written
