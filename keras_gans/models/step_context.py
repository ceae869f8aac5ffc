"""What one adversarial update knows: handed to penalties, regularisers and D-input transforms."""

import dataclasses
from typing import Any, Callable, Optional


@dataclasses.dataclass
class StepContext:
    """The tensors of one discriminator or generator update of a `train_step`.

    Penalties (`keras_gans.penalties.Penalty.compute(context)`) and generator-side regularisers read
    what they need from it instead of a fixed list of positional arguments, so a family can hand
    over more (labels, codes, source images) without changing their signatures.

    Attributes:
        real: the replica's batch of real samples, as the discriminator sees them (after the
            discriminator-input transforms).
        fake: the generated samples of this update, as the discriminator sees them.
        real_output, fake_output: the discriminator's adversarial outputs on them (the logit head
            of a discriminator with several heads); `real_output` is None in a generator update
            whose loss does not need the reals.
        critic: the callable `x -> D(x)` (adversarial output, `training=True`, the conditions of
            this update bound), for penalties that evaluate D at other points.
        conditions: labels, codes or source images the networks are conditioned on (None for an
            unconditional model).
        heads: every output of D on the reals and the fakes, `{"real": ..., "fake": ...}`, for
            families whose discriminator has extra heads (a class head, a Q head).
        generator_inputs: what the generator was called with (z, or (z, y), ...).
        generated: the generator's output of this update before the discriminator-input
            transforms (for generator regularisers such as path-length).
        step: the updated player's step: its optimizer's iterations (lazy penalties count it).
        seed: the stateless RNG key (int32, shape `(2,)`) of this term's random draws.
        variables: the trainable variables of the player being updated (for weight regularisers).
        player: "d" or "g" (the name of the player being updated).
    """

    real: Any = None
    fake: Any = None
    real_output: Any = None
    fake_output: Any = None
    critic: Optional[Callable] = None
    conditions: Any = None
    heads: Any = None
    generator_inputs: Any = None
    generated: Any = None
    step: Any = None
    seed: Any = None
    variables: Any = None
    player: str = "d"

    def replace(self, **changes):
        """A copy with `changes` (e.g. the seed of one penalty)."""
        return dataclasses.replace(self, **changes)
