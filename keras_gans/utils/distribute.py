"""Helpers for code that runs inside `tf.distribute` replica context (a `train_step` under `fit`)."""

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
