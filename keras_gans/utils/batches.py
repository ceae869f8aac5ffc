"""Batched NumPy calls of Keras functions (generators, networks) on arrays too large for one call."""

import keras
import numpy as np


def in_batches(fn, inputs, batch_size):
    """`fn` applied to `inputs` (an array, or a tuple of arrays of equal length) in slices of
    `batch_size`, concatenated as one NumPy array."""
    parts = inputs if isinstance(inputs, tuple) else (inputs,)
    outputs = []
    for i in range(0, len(parts[0]), batch_size):
        chunk = tuple(p[i : i + batch_size] for p in parts)
        outputs.append(keras.ops.convert_to_numpy(fn(*chunk) if isinstance(inputs, tuple) else fn(chunk[0])))
    return np.concatenate(outputs, axis=0)
