"""The base of every GAN family: named networks, one optimizer per player, and what a step needs."""

import inspect

import keras
import numpy as np
import tensorflow as tf
from keras.src.saving import serialization_lib

from keras_gans.models import precision as precision_module
from keras_gans.models.d_input_transforms import DInputTransforms
from keras_gans.models.configuration import deserialize_value, init_parameters, records_compile_arguments
from keras_gans.models.configuration import serialize_value
from keras_gans.models.configuration import in_batches  # noqa: F401  (public here)
from keras_gans.models.exponential_moving_average import ExponentialMovingAverage
from keras_gans.models import jit
from keras_gans.models.jit import resolve_jit_compile
from keras_gans.models.random_streams import RandomDraws, RandomStreams
from keras_gans.utils import distribute


class AdversarialModel(RandomDraws, DInputTransforms, keras.Model):
    """A `keras.Model` of several networks trained against each other with `fit`.

    A family (`GAN`, a conditional GAN, CycleGAN...) subclasses it and declares:

    - `network_slots`: `{attribute: role}` of its networks, e.g. `{"generator": "generator",
      "discriminator": "discriminator"}`; recipes build each slot with a network registered for
      its role (`keras_gans.networks.register_network`).
    - `players`: `{player: (slots...)}`, e.g. `{"d": ("discriminator",), "g": ("generator",)}`;
      each player gets one optimizer, the attribute `<player>_optimizer`, that updates the
      trainable variables of its slots.
    - `step_player`: the player whose update ends a step (`step_counter` counts it).

    and writes `train_step` as its paper's algorithm with the helpers here: `self.update(player,
    tape, loss)` (replica scaling, loss scaling, constraints), `self.random.key(name, step, ...)`
    (named stateless random streams; `random_normal`, `random_uniform` and `random_labels` draw
    from them, `RandomDraws`), `self.transform_d_input` (instance noise, augmentation:
    every discriminator input in every step; `DInputTransforms`), `self.record(logs)` (metric trackers) and
    `self.update_averages()` (the EMA networks of `add_average`).

    The base also gives every family: `get_config`/`from_config` derived from `__init__`'s
    signature (each argument stored as the attribute of the same name), a compile config derived
    from the family's `compile` signature, precision checks and loss scaling per optimizer, and
    `jit_compile="auto"`. Families answer the questions the tools ask (`generate`,
    `sample_picture`, `default_metrics`, `serving_endpoints`), so that `keras-gans sample`,
    `eval`, `export` and the per-epoch pictures work for every family without type checks.
    """

    network_slots = {}
    players = {}
    step_player = None
    #: Whether the family trains on (samples, labels) batches (recipes then load the labels).
    needs_labels = False
    #: Whether the family maps source images to target images (`TranslationModel`).
    translates = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        compile_fn = cls.__dict__.get("compile")
        if compile_fn is not None and not getattr(compile_fn, "_records_arguments", False):
            cls.compile = records_compile_arguments(compile_fn)

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = int(np.random.randint(0, 2**31 - 1) if seed is None else seed)
        self.random = RandomStreams(self.seed)
        self._averages = {}
        self.d_input_transforms = []
        # The steps taken, saved with the model. Not the optimizer's iterations: a float16 loss
        # scale skips the update of a step whose gradients overflow, and the data, the random
        # streams and --resume must count that step all the same.
        self._steps_taken = keras.Variable(0, dtype="int64", trainable=False, name="step_counter",
                                           aggregation="only_first_replica")

    #: Whether the family's discriminator may judge packs of samples (PacGAN's `PackSamples`): a
    #: family whose D outputs must line up with per-sample labels, codes or features may not.
    packs_samples = False

    def _mark_built(self):
        from keras_gans.layers.pack_samples import refuse_packs

        for slot in () if self.packs_samples else self.network_slots:
            refuse_packs(getattr(self, slot, None), f"{type(self).__name__} reads one {slot} output per sample")
        if all(getattr(self, slot, None) is not None and getattr(self, slot).built for slot in self.network_slots):
            self.built = True

    # ------------------------------------------------------------------ networks and players

    @property
    def networks(self):
        """`{slot: network}` of the family's networks."""
        return {slot: getattr(self, slot) for slot in self.network_slots}

    def player_variables(self, player):
        """The trainable variables `player`'s optimizer updates."""
        return [v for slot in self.players[player] for v in getattr(self, slot).trainable_variables]

    def optimizer_of(self, player):
        return getattr(self, f"{player}_optimizer")

    @property
    def step_counter(self):
        """The model's step: how many times `step_player` has updated (or skipped its update
        for a float16 overflow); a variable saved with the model."""
        return self._steps_taken

    def load_own_variables(self, store):
        if len(store.keys()) == 0:  # saved before the model counted its steps itself
            self._count_from_optimizer = True
            return
        super().load_own_variables(store)

    def adopt_optimizer_step(self):
        """After loading a model saved before it counted its own steps, takes the step from
        `step_player`'s optimizer (what counted it then)."""
        if getattr(self, "_count_from_optimizer", False):
            self._steps_taken.assign(self.optimizer_of(self.step_player).iterations)
            self._count_from_optimizer = False

    # ------------------------------------------------------------------ compile

    def compile_players(self, optimizers, log_names, jit_compile="auto", precision="float32", **kwargs):
        """The shared part of every family's `compile`.

        Args:
            optimizers: `{player: optimizer}` (instances, names or configs), built here so they can
                be saved before training; wrapped in a `LossScaleOptimizer` for float16.
            log_names: the names of the values `train_step` logs (one `Mean` tracker each).
            jit_compile: True, False or "auto" (see `keras_gans.models.jit.resolve_jit_compile`);
                the choice's reason is kept in `jit_compile_reason`.
            precision: one of `PRECISIONS`, checked against every network's layers.
            **kwargs: passed to `keras.Model.compile` (`steps_per_execution`, `run_eagerly`).
        """
        if set(optimizers) != set(self.players):
            raise ValueError(f"one optimizer per player {sorted(self.players)}, got {sorted(optimizers)}")
        use_xla, self.jit_compile_reason = resolve_jit_compile(jit_compile)
        self.jit_measurement = None  # {False: steps/s, True: steps/s} once fit has measured
        self._measure_jit = jit.needs_measurement(jit_compile)
        precision_module.check_networks_precision(self.networks.values(), precision)
        super().compile(optimizer=None, jit_compile=use_xla, **kwargs)
        self.precision = precision
        for player, optimizer in optimizers.items():
            optimizer = precision_module.precision_optimizer(keras.optimizers.get(optimizer), precision)
            setattr(self, f"{player}_optimizer", optimizer)
        log_names = [*log_names, *self.transform_log_names()]
        if len(set(log_names)) != len(log_names):
            raise ValueError(f"log names must be distinct, got {list(log_names)}: pass name=... to each penalty.")
        self.loss_trackers = [keras.metrics.Mean(name=name) for name in log_names]
        for player in self.players:
            self.optimizer_of(player).build(self.player_variables(player))

    def fit(self, x=None, *args, **kwargs):
        """`keras.Model.fit`. With `jit_compile="auto"` on a CPU-only machine, the first call that
        runs at least `jit.MEASURE_MIN_STEPS` steps first times a few steps with and without XLA
        (`jit.measure_at_fit_start`) and trains with the faster."""
        if self._measure_jit:
            jit.measure_at_fit_start(self, x, args, kwargs)
        return super().fit(x, *args, **kwargs)

    def compile_from_config(self, config):
        self.compile(**serialization_lib.deserialize_keras_object(config))

    @property
    def metrics(self):
        return list(getattr(self, "loss_trackers", []))

    # ------------------------------------------------------------------ config

    @classmethod
    def _init_parameters(cls):
        """The named `__init__` arguments of the class and of its bases (`init_parameters`)."""
        return init_parameters(cls, AdversarialModel)

    def get_config(self):
        config = super().get_config()
        config.update({name: serialize_value(getattr(self, name)) for name in self._init_parameters()})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = {key: deserialize_value(value, custom_objects) for key, value in config.items()}
        return cls(**config)

    # ------------------------------------------------------------------ recipes

    @classmethod
    def network_arguments(cls, model, data_shape, source_shape=None):
        """`{slot: {argument: value}}` the family fixes for its network builders (e.g. the
        generator's `latent_dim` and `output_shape`), from the recipe's `model` section;
        `source_shape` is the sources' shape of translation data (None for other data)."""
        return {}

    @classmethod
    def recipe_keys(cls):
        """The keys a recipe's `model` section may have: `type`, the network slots, and the other
        `__init__` arguments (derived from the signature)."""
        others = [p for p in cls._init_parameters() if p not in cls.network_slots and p != "seed"]
        return ("type", *cls.network_slots, *others)

    @classmethod
    def compile_keys(cls):
        """The keys a recipe's `compile` section may have: the family's `compile` arguments
        (`precision` is the recipe's top-level key)."""
        parameters = inspect.signature(cls.compile).parameters.items()
        return tuple(name for name, p in parameters
                     if name not in ("self", "precision") and p.kind is not inspect.Parameter.VAR_KEYWORD)

    @classmethod
    def from_recipe(cls, model, data_shape, seed=None, networks=None, source_shape=None):
        """The family built from a recipe's `model` section for samples of `data_shape` (and, for
        translation data, sources of `source_shape`).

        Each slot missing from `networks` is built by the network registered for its role under
        `model[slot]["name"]`; the other keys of the section are `__init__` arguments.
        """
        from keras_gans.networks import build_network

        networks = dict(networks or {})
        if "source_shape" in inspect.signature(cls.network_arguments).parameters:
            fixed = cls.network_arguments(model, data_shape, source_shape)
        else:  # a family written before translation data (its network_arguments takes two arguments)
            fixed = cls.network_arguments(model, data_shape)
        for slot, role in cls.network_slots.items():
            if slot not in networks:
                networks[slot] = build_network(role, model[slot], **fixed.get(slot, {}))
        options = {k: v for k, v in model.items() if k not in cls.network_slots and k != "type"}
        try:
            return cls(**networks, **options, seed=seed)
        except ValueError as e:
            raise ValueError(f"model.{e}") from None

    # ------------------------------------------------------------------ averages

    def add_average(self, slot, decay, warmup=True):
        """Follows network `slot` with an `ExponentialMovingAverage`, stored as `ema_<slot>`.

        Call it in the family's `compile` (from its arguments), so that a loaded model, which is
        compiled again from its compile config, has the same averages. `decay=None` removes it.
        An existing `ema_<slot>` (a loaded model's) is kept and updated.
        """
        attribute = f"ema_{slot}"
        if decay is None:
            self._averages.pop(slot, None)
            setattr(self, attribute, None)
            return None
        existing = getattr(self, attribute, None)
        ema = ExponentialMovingAverage(getattr(self, slot), decay, warmup, average=existing, name=attribute)
        self._averages[slot] = ema
        setattr(self, attribute, ema.average)
        return ema.average

    def saved_networks(self):
        """`{attribute: network}` of the networks and their averages: what a zoo entry keeps."""
        networks = dict(self.networks)
        networks.update({f"ema_{slot}": ema.average for slot, ema in self._averages.items()})
        return networks

    def update_averages(self):
        """Updates every average (call after the followed networks' updates)."""
        for ema in self._averages.values():
            ema.update(self.step_counter)

    # ------------------------------------------------------------------ step helpers

    def call_network(self, network, inputs, training=True):
        """`network(inputs)`, every output cast to float32 whatever the compute dtype."""
        outputs = network(inputs, training=training)
        return tf.nest.map_structure(lambda t: tf.cast(t, tf.float32), outputs)

    #: The output of a discriminator with several heads (a dict of outputs) that the adversarial
    #: loss reads; the other heads (a class head, a Q head) are the family's.
    adversarial_head = "logits"

    def adversarial_output(self, outputs):
        """The adversarial output of D's `outputs`: the `adversarial_head` entry of a dict, the
        first of a list or tuple, or the tensor itself."""
        if isinstance(outputs, dict):
            if self.adversarial_head not in outputs:
                raise ValueError(f"the discriminator's outputs {sorted(outputs)} have no {self.adversarial_head!r} "
                                 "head: name its adversarial output so, or set the model's adversarial_head")
            return outputs[self.adversarial_head]
        if isinstance(outputs, (list, tuple)):
            return outputs[0]
        return outputs

    def unpack(self, data):
        """Splits a dataset element into (real samples, conditions or None)."""
        if isinstance(data, (tuple, list)):
            return data[0], (data[1] if len(data) > 1 else None)
        return data, None

    def sample_generator_inputs(self, batch_size, name, *indices):
        """What the generator is called with in one update: z for a `GAN`, (z, y) for a conditional
        family, (z, c) for InfoGAN; drawn from stream `name` (see `random_normal`)."""
        raise NotImplementedError(f"{type(self).__name__} does not define sample_generator_inputs")

    def penalty_terms(self, player, context):
        """`(sum of weighted terms, {name: unweighted value})` of `self.penalties` of `player`
        ("d" or "g"), each with its own seed, for a `StepContext` of that player's update."""
        total, values = 0.0, {}
        for index, penalty in enumerate(getattr(self, "penalties", ())):
            if penalty.player != player:
                continue
            seed = self.random.key(f"penalty_{player}", context.step, index)
            term, values[penalty.name] = penalty(context.replace(seed=seed))
            total = total + term
        return total, values

    def update(self, player, tape, loss, variables=None, constraints=()):
        """Applies `player`'s optimizer to the gradients of `loss` recorded on `tape`.

        The loss is the replica's batch mean: its gradient is scaled by `1 / num_replicas_in_sync`
        (the optimizer sums over replicas, giving the global-batch mean's gradient) and by the
        optimizer's loss scale (float16). `constraints` are applied to the variables afterwards.
        """
        optimizer = self.optimizer_of(player)
        variables = self.player_variables(player) if variables is None else variables
        factor = optimizer.scale_loss(tf.constant(1.0 / distribute.num_replicas(), loss.dtype))
        grads = tape.gradient(loss, variables, output_gradients=factor)
        optimizer.apply_gradients(zip(grads, variables))
        if player == self.step_player:
            self._steps_taken.assign_add(1)
        if constraints:
            values = []
            for v in variables:
                value = v.value if hasattr(v, "value") else v
                for constraint in constraints:
                    value = constraint(value)
                values.append(value)
            distribute.assign_variables(variables, values)

    def record(self, logs):
        """Updates the tracker of every logged value; returns the logs `fit` shows."""
        trackers = {t.name: t for t in self.loss_trackers}
        logs = {**logs, **self.transform_logs()}
        missing = sorted(set(logs) - set(trackers))
        if missing:
            raise ValueError(f"train_step logs {missing} that compile did not declare in log_names")
        for name, value in logs.items():
            trackers[name].update_state(value)
        return distribute.fit_logs({t.name: t.result() for t in self.loss_trackers})

    def test_step(self, data):
        raise NotImplementedError(
            f"{type(self).__name__}.evaluate has no meaning without a metric: use keras_gans.metrics "
            "(keras-gans eval) on generated samples."
        )

    # ------------------------------------------------------------------ what the tools ask

    def generate(self, n, seed=None, batch_size=256, **conditions):
        """`n` samples as a NumPy array; the same seed gives the same samples."""
        raise NotImplementedError

    def sample_picture(self, n, seed=None, centers=None, title=None):
        """The per-epoch picture (and `keras-gans sample`'s PNG) as a uint8 array (H, W, C):
        a grid of `n` samples for images, a scatter plot with the mixture `centers` for points."""
        from keras_gans.utils.images import image_grid, scatter_picture

        samples = self.generate(n, seed=seed)
        if samples.ndim == 2:
            return scatter_picture(samples, centers, title=title)
        return image_grid(samples)

    def interpolate(self, rows, steps, seed=None, batch_size=256):
        """`rows` latent walks of `steps` samples each (`keras_gans.sampling.interpolation`), as one
        (rows * steps, ...) NumPy array; families with a latent space define it."""
        raise ValueError(f"{type(self).__name__} has no latent space to interpolate in")

    @property
    def sample_shape(self):
        """The shape of one generated sample (no batch axis), or None if unknown."""
        return None

    def evaluation_samples(self, n, seed=0):
        """The samples `keras-gans eval` scores."""
        return self.generate(int(n), seed=seed)

    def default_metrics(self, kind):
        """The metric names `keras-gans eval` computes by default for data of `kind` ("images" or
        "points"); None for the data kind's defaults (`keras_gans.metrics.evaluate.DEFAULT_METRICS`)."""
        return None

    def serving_endpoints(self, max_num):
        """`(resources, [(name, fn, input_signature), ...])` of the SavedModel `export` writes."""
        raise NotImplementedError(f"{type(self).__name__} does not define serving signatures")
