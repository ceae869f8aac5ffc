"""Whether a train step is compiled with XLA: `compile(jit_compile=True | False | "auto")`.

On a CPU-only machine neither choice is always faster: TensorFlow's kernels won on an Intel Xeon,
XLA by 14% on an AMD EPYC (benchmarks/README.md). So "auto" measures there: at the start of a
`fit` long enough to repay it, a few steps each way on a batch shaped like its data (the model's state is
restored afterwards), and keeps the faster.
"""

import contextlib
import logging
import statistics
import time

import tensorflow as tf

from keras_gans.utils import distribute

logger = logging.getLogger("keras_gans.models.gan")  # the name users have filtered on since 0.1

#: `fit` calls of fewer steps do not measure (XLA compiles for seconds; a short run cannot repay
#: the measurement): they use TensorFlow's kernels.
MEASURE_MIN_STEPS = 1000
#: Timed rounds of each way, and the least time of one round.
MEASURE_ROUNDS, MEASURE_ROUND_SECONDS = 3, 0.5


def resolve_jit_compile(jit_compile):
    """`(use_xla, reason)` for `GAN.compile(jit_compile=...)`: True, False or "auto".

    "auto" is XLA on a single device with an accelerator, and off under a multi-replica strategy
    (Keras' `fit` does not support XLA there). On a CPU-only machine it is off until `fit`
    measures (`needs_measurement`). True is honoured except under a multi-replica strategy, with
    a warning.
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
    accelerators = _accelerators()
    if not accelerators:
        reason = (f"XLA: this machine has only CPUs, where it is faster on some and slower on others; fit "
                  f"measures both ways at its start when it runs at least {MEASURE_MIN_STEPS} steps, and is "
                  "off until then (jit_compile=True or False chooses)")
        logger.info('jit_compile="auto": %s.', reason)
        return False, reason
    reason = f"XLA is on: single device with {'/'.join(accelerators)}"
    logger.info('jit_compile="auto": %s.', reason)
    return True, reason


def _accelerators():
    return sorted({d.device_type for d in tf.config.list_physical_devices()} - {"CPU"})


def needs_measurement(jit_compile):
    """Whether "auto" leaves the choice to a measurement: a single CPU-only device."""
    return jit_compile == "auto" and distribute.num_replicas() == 1 and not _accelerators()


def measure_at_fit_start(model, x, args, kwargs):
    """What `fit(x, *args, **kwargs)` does first under "auto" on CPU: if the call runs at least
    `MEASURE_MIN_STEPS` steps (or has no end), measures both ways on a batch like its first and calls
    `use_jit_compile` with the faster; the figures stay in `model.jit_measurement`."""
    import inspect

    import keras

    given = inspect.signature(keras.Model.fit).bind(model, x, *args, **kwargs)
    given.apply_defaults()
    a = given.arguments
    steps = planned_steps(x, a["epochs"], a["initial_epoch"], a["steps_per_epoch"], a["batch_size"])
    if steps is not None and steps < MEASURE_MIN_STEPS:
        return
    batch = first_batch(x if a["y"] is None else (x, a["y"]), a["batch_size"])
    if batch is None:
        return
    rates = measure_steps_per_second(model, batch)
    use_jit_compile(model, rates[True] > rates[False], choice_reason(rates))
    model.jit_measurement = rates


def use_jit_compile(model, use_xla, reason):
    """Makes `model` train with XLA or without from now on (a measured or recorded choice)."""
    model.jit_compile = bool(use_xla)
    model.train_function = None  # traced again with the choice
    model.jit_compile_reason = reason
    model._measure_jit = False
    logger.info('jit_compile="auto": %s.', reason)


def planned_steps(x, epochs, initial_epoch, steps_per_epoch, batch_size=None):
    """The steps a `fit` call will run at most: None if it has no end (an infinite dataset), 0 if
    it cannot be known (a dataset of unknown length: too uncertain to measure for)."""
    if steps_per_epoch is None:
        if isinstance(x, tf.data.Dataset):
            cardinality = int(x.cardinality())
            if cardinality == tf.data.INFINITE_CARDINALITY:
                return None
            steps_per_epoch = max(cardinality, 0)
        else:
            try:
                rows = len(tf.nest.flatten(x)[0])
            except (TypeError, IndexError):
                return 0
            steps_per_epoch = -(-rows // (batch_size or 32))
    return max(int(epochs) - int(initial_epoch), 0) * int(steps_per_epoch)


def measure_only_if_long(model, steps):
    """Tells a model that its next `fit` runs `steps` steps (a run that stops itself before the
    end of its last epoch): it then measures only if they repay it."""
    if steps < MEASURE_MIN_STEPS:
        model._measure_jit = False


def first_batch(x, batch_size=None):
    """A batch like the first `fit` would train on, to time steps on: for a `tf.data.Dataset`, one
    made from its `element_spec` (floats uniform in [-1, 1], integers and booleans zero), since
    reading the dataset would draw its shuffle seeds and change the order `fit` then sees (a run
    that measured and its `--resume`, which does not, would differ); for arrays, their first
    `batch_size` (default 32, as `fit`'s) rows. A batch of unknown size is taken as 32 rows. None
    when there is no such batch (other inputs, scalars, other unknown dimensions)."""
    if isinstance(x, tf.data.Dataset):
        specs = tf.nest.flatten(x.element_spec)
        if not all(isinstance(s, tf.TensorSpec) and s.shape.rank and s.shape[1:].is_fully_defined()
                   for s in specs):
            return None
        if not all(s.dtype.is_floating or s.dtype.is_integer or s.dtype == tf.bool for s in specs):
            return None
        made = [_tensor_like(spec, index) for index, spec in enumerate(specs)]
        return tf.nest.pack_sequence_as(x.element_spec, made)
    try:
        rows = batch_size or 32
        return tf.nest.map_structure(lambda a: tf.convert_to_tensor(a[:rows]), x)
    except (TypeError, ValueError):
        return None


def _tensor_like(spec, index):
    shape = [32 if spec.shape[0] is None else spec.shape[0], *spec.shape[1:]]  # fit's default batch size
    if not spec.dtype.is_floating:
        return tf.zeros(shape, spec.dtype)
    values = tf.random.stateless_uniform(shape, seed=[index, 0], minval=-1.0, maxval=1.0)
    return tf.cast(values, spec.dtype)


def measure_steps_per_second(model, batch):
    """`{False: steps/s of TensorFlow's kernels, True: steps/s with XLA}` of `model.train_step` on
    `batch`, each the median of `MEASURE_ROUNDS` alternating rounds after one traced and one warm
    step. Every variable of the model, its optimizers and trackers is restored afterwards, so
    training goes on as if nothing was run. XLA that fails to compile measures 0."""
    steps = {use_xla: tf.function(model.train_step, jit_compile=use_xla) for use_xla in (False, True)}
    seconds = {False: [], True: []}
    with state_restored(model):
        for use_xla in list(steps):
            try:
                for _ in range(2):
                    _wait(steps[use_xla](batch))
            except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, tf.errors.InternalError):
                if not use_xla:
                    raise
                del steps[True]  # an op XLA cannot compile on this machine
        for _ in range(MEASURE_ROUNDS):
            for use_xla, step in steps.items():
                seconds[use_xla].append(_seconds_per_step(step, batch))
    return {use_xla: (1.0 / statistics.median(times) if times else 0.0) for use_xla, times in seconds.items()}


def _seconds_per_step(step, batch):
    count, start = 0, time.perf_counter()
    while True:
        _wait(step(batch))
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MEASURE_ROUND_SECONDS:
            return elapsed / count


def _wait(logs):
    for value in tf.nest.flatten(logs):
        value.numpy()


@contextlib.contextmanager
def state_restored(model):
    """Runs the `with` block, then sets every variable of `state_variables(model)` back to its
    value before it (also when the block raises): steps taken inside leave no trace."""
    variables = state_variables(model)
    saved = [v.numpy() for v in variables]
    try:
        yield
    finally:
        for variable, value in zip(variables, saved):
            variable.assign(value)


def state_variables(model):
    """Every variable a train step may change: the model's (networks, averages, step counter),
    its optimizers' and its metric trackers'."""
    found, seen = [], set()
    groups = [model.variables, getattr(model, "metrics_variables", [])]
    groups += [model.optimizer_of(player).variables for player in getattr(model, "players", {})]
    for variable in (v for group in groups for v in group):
        if id(variable) not in seen:
            seen.add(id(variable))
            found.append(variable)
    return found


def choice_reason(rates):
    """The one-line reason of a measured choice, e.g. "XLA is on: measured 0.89 steps/s against
    0.78 without"."""
    without, with_xla = rates.get(False, 0.0), rates.get(True, 0.0)
    if with_xla > without:
        return (f"XLA is on: measured at the start of training, {with_xla:.2f} steps/s with it against "
                f"{without:.2f} without")
    return (f"XLA is off: measured at the start of training, {without:.2f} steps/s without it against "
            f"{with_xla:.2f} with")
