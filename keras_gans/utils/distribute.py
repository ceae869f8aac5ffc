"""Helpers for code that runs inside `tf.distribute` replica context (a `train_step` under `fit`).

Every replica of a synchronous strategy holds an equal slice of the global batch, in replica
order (replica `r` holds rows `[r * b, (r + 1) * b)` of a global batch of `R * b`). The helpers
below make batch statistics and random draws those of the global batch, so that a step under `R`
replicas computes what one device computes on the whole batch.
"""

import tensorflow as tf


def num_replicas():
    """Replicas in sync in the current strategy (1 outside any strategy)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def replica_id():
    """Index of the current replica (0 outside any strategy or in cross-replica context)."""
    ctx = tf.distribute.get_replica_context()
    if ctx is None:
        return 0
    return ctx.replica_id_in_sync_group


def global_batch_sample(sample, shape):
    """This replica's rows of `sample(global_shape)`, where `shape` is the local `(batch, ...)`.

    `sample` is a stateless draw (e.g. `lambda s: tf.random.stateless_normal(s, seed)`): every
    replica draws the same global batch of `batch * num_replicas()` rows and keeps its own slice,
    so sample `i` of the global batch gets the same numbers whatever the number of replicas.
    """
    shape = tf.convert_to_tensor(shape, tf.int32)
    batch = shape[0]
    global_shape = tf.concat([[batch * num_replicas()], shape[1:]], axis=0)
    start = replica_id() * batch
    return sample(global_shape)[start : start + batch]


def gather_global_batch(x):
    """The global batch of `x` (every replica's rows, in replica order) on every replica.

    Made with an all-reduce (SUM) of a zero global batch holding this replica's rows at its offset:
    `ReplicaContext.all_gather` hangs between the CPU replicas of a `MirroredStrategy` (TF 2.21),
    the all-reduce is what the rest of the library already relies on. Outside a multi-replica
    strategy, `x` itself.
    """
    ctx = tf.distribute.get_replica_context()
    if ctx is None or ctx.num_replicas_in_sync == 1:
        return x
    batch = tf.shape(x)[0]
    start = replica_id() * batch
    rows = tf.range(ctx.num_replicas_in_sync * batch)
    placed = tf.gather(x, tf.clip_by_value(rows - start, 0, batch - 1))
    mine = tf.reshape((rows >= start) & (rows < start + batch), [-1] + [1] * (len(x.shape) - 1))
    return ctx.all_reduce(tf.distribute.ReduceOp.SUM, tf.where(mine, placed, tf.zeros_like(placed)))


def global_mean(x, axis=None):
    """The mean of every element of `x` over the global batch, in float32; with `axis=0` the mean
    along the batch axis (one per feature).

    Under a multi-replica strategy (in replica context) the per-replica sums and element counts
    are all-reduced (SUM); otherwise this is the plain mean. Differentiable: the gradient of an
    all-reduced sum is the all-reduced sum of the replicas' gradients, so each replica's inputs
    receive the gradient of every replica's use of the mean.
    """
    x = tf.cast(x, tf.float32)
    total = tf.reduce_sum(x, axis=axis)
    count = tf.cast(tf.size(x), tf.float32) / tf.cast(tf.size(total), tf.float32)
    ctx = tf.distribute.get_replica_context()
    if ctx is not None and ctx.num_replicas_in_sync > 1:
        total, count = ctx.all_reduce(tf.distribute.ReduceOp.SUM, [total, count])
    return total / count


def global_sum(tensors):
    """Each of `tensors` (a list) summed over the replicas, in float32: the sum over the global
    batch of per-replica sums (all-reduced under a multi-replica strategy; differentiable, as
    `global_mean`)."""
    tensors = [tf.cast(t, tf.float32) for t in tensors]
    ctx = tf.distribute.get_replica_context()
    if ctx is not None and ctx.num_replicas_in_sync > 1:
        tensors = ctx.all_reduce(tf.distribute.ReduceOp.SUM, tensors)
    return list(tensors)


def global_std(x):
    """The population standard deviation of every element of `x` over the global batch (float32)."""
    x = tf.cast(x, tf.float32)
    return tf.sqrt(global_mean(tf.square(x - global_mean(x))))


def is_multi_worker():
    """Whether the current strategy is a `MultiWorkerMirroredStrategy` with more than one worker."""
    strategy = tf.distribute.get_strategy()
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return False
    return bool(strategy.extended._in_multi_worker_mode())


def fit_logs(logs):
    """`train_step` logs in the form `fit` can reduce over replicas under the current strategy.

    Under a multi-worker `MultiWorkerMirroredStrategy` Keras reduces the logs with
    `strategy.reduce("MEAN", value, axis=0)`, which needs rank >= 1, so scalars are returned with
    shape `(1,)` there (the reduction returns a scalar again, and `History` gets plain floats).
    Elsewhere the logs are returned unchanged.
    """
    if not is_multi_worker():
        return logs
    return {name: tf.reshape(value, [1]) for name, value in logs.items()}


def _tf_variable(variable):
    return getattr(variable, "value", variable) if not isinstance(variable, tf.Variable) else variable


def assign_variables(variables, values):
    """Assigns `values[i]` to `variables[i]` on every replica's copy.

    Keras creates most variables with `aggregation="none"`, which a `MirroredVariable` refuses to
    assign from replica context. The values here are the same on every replica (they are derived
    from already all-reduced weights), so each replica's copy takes its own replica's value through
    a `merge_call`, the mechanism optimizers use for their own updates.
    """
    variables = list(variables)
    values = list(values)
    ctx = tf.distribute.get_replica_context()
    if ctx is None or not tf.distribute.has_strategy():
        for variable, value in zip(variables, values):
            variable.assign(value)
        return

    def merge_fn(strategy, *values):
        for variable, value in zip(variables, values):
            strategy.extended.update(
                _tf_variable(variable), lambda v, x: v.assign(x), args=(value,), group=False
            )

    ctx.merge_call(merge_fn, args=tuple(values))
