"""What a family does with its discriminator-input transforms (instance noise, augmentation)."""

from keras_gans import augment as augment_module


class DInputTransforms:
    """The family core's part for discriminator-input transforms: a mixin of `AdversarialModel`.

    `set_d_input_transforms` (in `compile`) chooses them and gives a stateful one (ADA) its state
    layer, an attribute of the model (saved with it, made in the strategy's scope);
    `transform_d_input` applies them to every D input; `adapt_d_input_transforms` hands them D's
    outputs on the reals of a discriminator update (ADA's overfitting signal); `transform_logs`
    is what they log (`record` adds it).
    """

    #: Whether the family's discriminator updates call `adapt_d_input_transforms` (a family that
    #: does not is refused an adaptive transform: its `p` would never move).
    adapts_d_input_transforms = False

    def set_d_input_transforms(self, instance_noise=None, augment=()):
        """Sets `d_input_transforms` from a family's `compile(instance_noise=..., augment=...)`:
        the `InstanceNoise` (a stddev, dict or instance) first, then each augmentation
        (`keras_gans.augment.get` identifiers). Kept as `instance_noise` and `augment` too."""
        self.instance_noise = augment_module.get_instance_noise(instance_noise)
        self.augment = [augment_module.get(t) for t in (augment or ())]
        self.d_input_transforms = [t for t in [self.instance_noise, *self.augment] if t is not None]
        adaptive = [t for t in self.d_input_transforms if hasattr(t, "make_state")]
        if adaptive and not self.adapts_d_input_transforms:
            raise ValueError(f"{type(self).__name__} does not tune adaptive augmentation ({type(adaptive[0]).__name__}"
                             "): use a fixed one (diff_augment) with this family")
        if len(adaptive) > 1:
            raise ValueError(f"at most one adaptive augmentation per model, got {len(adaptive)}")
        for transform in adaptive:
            self.augment_state = transform.make_state(name="augment_state")

    def transform_d_input(self, x, name, *indices):
        """`x` through every discriminator-input transform (instance noise, augmentation).

        `name` and `indices` name the random stream of this input (e.g. `("d_input", i, 0)` for
        the reals of critic iteration `i`), so each input gets its own draws.
        """
        for index, transform in enumerate(self.d_input_transforms):
            x = transform(x, self.step_counter, seed=self.random.key(name, self.step_counter, index, *indices))
        return x

    def adapt_d_input_transforms(self, real_output):
        """Hands D's output on this discriminator update's (transformed) reals to the transforms
        that adapt (ADA), as the loss's `realness` (higher = judged more real)."""
        realness = getattr(getattr(self, "gan_loss", None), "realness", lambda x: x)(real_output)
        for transform in self.d_input_transforms:
            if hasattr(transform, "observe"):
                transform.observe(realness)

    def transform_log_names(self):
        return [t.log_name for t in getattr(self, "d_input_transforms", ()) if hasattr(t, "log_name")]

    def transform_logs(self):
        """`{log name: value}` of the transforms that log one (ADA's `augment_p`)."""
        return {t.log_name: t.p for t in getattr(self, "d_input_transforms", ()) if hasattr(t, "log_name")}
