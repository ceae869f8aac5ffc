"""keras-gans turns TensorFlow's oneDNN kernels on for x86-64 CPUs unless the user chose, and only
before TensorFlow is imported (the variable is read then)."""

import os
import platform
import subprocess
import sys

import pytest

from keras_gans.utils.cpu_kernels import ONEDNN_VARIABLE, prefer_onednn


def test_on_for_x86_64_when_unset():
    environ = {}
    assert prefer_onednn(environ, modules={}, machine="x86_64").startswith("oneDNN kernels on")
    assert environ == {ONEDNN_VARIABLE: "1"}
    environ = {}
    prefer_onednn(environ, modules={}, machine="AMD64")
    assert environ == {ONEDNN_VARIABLE: "1"}


@pytest.mark.parametrize("environ, modules, machine, reason", [
    ({ONEDNN_VARIABLE: "0"}, {}, "x86_64", "as set: TF_ENABLE_ONEDNN_OPTS=0"),
    ({}, {"tensorflow": object()}, "x86_64", "imported before keras_gans"),
    ({}, {}, "aarch64", "a aarch64 CPU, not x86-64"),
])
def test_the_users_choice_a_loaded_tensorflow_and_other_cpus_are_left_alone(environ, modules, machine, reason):
    before = dict(environ)
    assert reason in prefer_onednn(environ, modules=modules, machine=machine)
    assert environ == before


def test_importing_keras_gans_first_sets_it_for_the_process():
    env = {k: v for k, v in os.environ.items() if k != ONEDNN_VARIABLE}
    code = "import os, keras_gans; print(os.environ.get('TF_ENABLE_ONEDNN_OPTS')); print(keras_gans.ONEDNN_CHOICE)"

    def run(environ):
        return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True,
                              check=True).stdout.splitlines()

    expected = "1" if platform.machine().lower() in ("x86_64", "amd64") else "None"
    assert run(env)[0] == expected
    assert run({**env, ONEDNN_VARIABLE: "0"}) == ["0", "oneDNN kernels as set: TF_ENABLE_ONEDNN_OPTS=0"]
    assert "tensorflow" not in subprocess.run(  # and no TensorFlow is imported to choose
        [sys.executable, "-c", "import sys, keras_gans; print(sorted(sys.modules))"], env=env,
        capture_output=True, text=True, check=True).stdout
