"""Batches whose size changes as training goes on (ProGAN's smaller batches at higher resolutions)."""

import numpy as np
import tensorflow as tf


def check_batch_schedule(schedule):
    """`schedule` as a list of `(batch_size, steps)` pairs of positive ints; raises ValueError."""
    pairs = [tuple(pair) for pair in schedule]
    if not pairs or any(len(p) != 2 or int(p[0]) != p[0] or int(p[1]) != p[1] or p[0] < 1 or p[1] < 1
                        for p in pairs):
        raise ValueError(f"a batch schedule is a non-empty list of (batch_size, steps) pairs of positive integers, "
                         f"got {schedule!r}")
    return [(int(b), int(n)) for b, n in pairs]


def scheduled_batches(dataset, schedule):
    """`dataset`'s examples, in their order, batched by `schedule`.

    `schedule` is a list of `(batch_size, steps)`: `steps` batches of `batch_size`, then the next
    pair's; the last pair's size lasts for ever (its `steps` are not used). `dataset` is an
    infinite, batched dataset (as the recipes' are; its batches, or `(examples, labels)` pairs of
    batches, are split into examples first). One pass over the examples: each is numbered, given
    the index of the batch it falls in, and `group_by_window` closes each batch at its size. So the
    result is as deterministic as `dataset`, and `.skip(n)` continues at batch n exactly (a resumed
    run sees the batches the uninterrupted one did).
    """
    schedule = check_batch_schedule(schedule)
    sizes = np.array([b for b, _ in schedule], np.int64)
    steps = np.array([n for _, n in schedule[:-1]] + [0], np.int64)
    first_example = np.concatenate([[0], np.cumsum(sizes * steps)[:-1]])  # where each pair's batches start
    first_batch = np.concatenate([[0], np.cumsum(steps)[:-1]])
    sizes_t, first_example_t, first_batch_t = (tf.constant(a) for a in (sizes, first_example, first_batch))

    def pair_of(position, starts):
        return tf.searchsorted(starts[1:], [position], side="right")[0]

    def batch_key(index, _):
        pair = pair_of(index, first_example_t)
        return first_batch_t[pair] + (index - first_example_t[pair]) // sizes_t[pair]

    def batch_size(key):
        return sizes_t[pair_of(key, first_batch_t)]

    return (dataset.unbatch().enumerate()
            .group_by_window(batch_key, lambda key, window: window.batch(batch_size(key)),
                             window_size_func=batch_size)
            .map(lambda _, examples: examples))
