"""TensorFlow's oneDNN CPU kernels, turned on where TensorFlow leaves them off and they pay.

TensorFlow enables its oneDNN kernels by default only on x86 CPUs with AVX-512. On an AMD EPYC
with AVX2 + FMA they made dcgan-mnist's train step 25% faster without XLA and left it as fast with
XLA (`benchmarks/onednn.py`; benchmarks/README.md, "Fast on every CPU"), so keras-gans sets
`TF_ENABLE_ONEDNN_OPTS=1` on x86-64 when the user has not set it. The variable is read once, when TensorFlow is imported: it only takes
effect if `keras_gans` is imported first (as `keras-gans` commands do). oneDNN's results differ
from TensorFlow's own kernels by float rounding; `TF_ENABLE_ONEDNN_OPTS=0` keeps them off.
"""

import os
import platform
import sys

ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"
X86_64 = ("x86_64", "amd64")


def prefer_onednn(environ=None, modules=None, machine=None):
    """Sets `TF_ENABLE_ONEDNN_OPTS=1` in `environ` (the process's) on an x86-64 `machine` unless the
    user set it or TensorFlow is already in `modules`; returns a line saying what was chosen."""
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    machine = (platform.machine() if machine is None else machine).lower()
    if ONEDNN_VARIABLE in environ:
        return f"oneDNN kernels as set: {ONEDNN_VARIABLE}={environ[ONEDNN_VARIABLE]}"
    if "tensorflow" in modules:
        return "oneDNN kernels as TensorFlow chose (it was imported before keras_gans)"
    if machine not in X86_64:
        return f"oneDNN kernels as TensorFlow chose (a {machine} CPU, not x86-64)"
    environ[ONEDNN_VARIABLE] = "1"
    return (f"oneDNN kernels on ({ONEDNN_VARIABLE}=1, set by keras-gans on this x86-64 CPU; "
            f"{ONEDNN_VARIABLE}=0 turns them off)")
