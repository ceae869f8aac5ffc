"""A constant learning rate, then a linear decay to zero (CycleGAN, Zhu et al. 2017, Sec. 4)."""

import keras

from keras_gans.utils.serialization import register


@register
class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`initial_learning_rate` for `hold_steps` steps, then linearly down to 0 over `decay_steps`
    steps, and 0 after: CycleGAN trains 100 epochs at 2e-4 and decays to 0 over the next 100.

        lr(t) = initial_learning_rate * min(1, max(0, 1 - (t - hold_steps) / decay_steps))

    Args:
        initial_learning_rate: the rate of the first `hold_steps` steps.
        hold_steps: the steps at the initial rate (>= 0).
        decay_steps: the steps of the linear decay (>= 1).
    """

    def __init__(self, initial_learning_rate, hold_steps, decay_steps):
        if float(initial_learning_rate) <= 0:
            raise ValueError(f"initial_learning_rate must be > 0, got {initial_learning_rate}")
        if int(hold_steps) < 0 or int(decay_steps) < 1:
            raise ValueError(f"hold_steps must be >= 0 and decay_steps >= 1, got {hold_steps} and {decay_steps}")
        self.initial_learning_rate = float(initial_learning_rate)
        self.hold_steps, self.decay_steps = int(hold_steps), int(decay_steps)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        fraction = 1.0 - (step - self.hold_steps) / self.decay_steps
        return self.initial_learning_rate * keras.ops.clip(fraction, 0.0, 1.0)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "hold_steps": self.hold_steps,
                "decay_steps": self.decay_steps}
