"""Whether a train step is compiled with XLA: `compile(jit_compile=True | False | "auto")`."""

import logging

import tensorflow as tf

from keras_gans.utils import distribute

logger = logging.getLogger("keras_gans.models.gan")  # the name users have filtered on since 0.1


def resolve_jit_compile(jit_compile):
    """`(use_xla, reason)` for `GAN.compile(jit_compile=...)`: True, False or "auto".

    "auto" is XLA on a single device with an accelerator, and off under a multi-replica strategy
    (Keras' `fit` does not support XLA there) or on a CPU-only machine (slower there: see
    benchmarks/README.md). True is honoured except under a multi-replica strategy, with a warning.
    """
    if jit_compile not in (True, False, "auto"):
        raise ValueError(f'jit_compile must be True, False or "auto", got {jit_compile!r}')
    replicas = distribute.num_replicas()
    if jit_compile is False:
        return False, "XLA is off (jit_compile=False)"
    if replicas > 1:
        reason = f"XLA is off: fit does not support it under a {replicas}-replica strategy"
        if jit_compile is True:
            logger.warning("jit_compile=True is not supported by fit under a %d-replica strategy: "
                           "using jit_compile=False.", replicas)
        else:
            logger.info('jit_compile="auto": %s.', reason)
        return False, reason
    if jit_compile is True:
        return True, "XLA is on (jit_compile=True)"
    accelerators = sorted({d.device_type for d in tf.config.list_physical_devices()} - {"CPU"})
    if not accelerators:
        reason = ("XLA is off: this machine has only CPUs, where XLA measured slower than "
                  "TensorFlow's kernels (jit_compile=True, in a recipe compile.jit_compile: true, turns it on)")
        logger.info('jit_compile="auto": %s.', reason)
        return False, reason
    reason = f"XLA is on: single device with {'/'.join(accelerators)}"
    logger.info('jit_compile="auto": %s.', reason)
    return True, reason
