"""How many train steps one call of `fit`'s compiled train function runs (`steps_per_execution`).

Keras' `fit` calls its compiled train function once per `steps_per_execution` steps and runs the
callbacks between calls. At one step per call, the call and the callbacks cost a fixed time per
step: on a DCGAN of 100 ms steps 10 steps per call made `GAN.fit` 2-9% faster in two runs of
`python benchmarks/speed.py --steps-per-execution 10` (benchmarks/README.md, "Fast on every
CPU"), and never slower. The steps are the same computations whatever the
value: a run is bitwise the same (tested).

`keras-gans train` therefore runs several steps per call (`train.steps_per_execution`, "auto" by
default). The run's callbacks (progress bar, stop at `train.steps`, stop on a NaN loss) then see
every K-th step only, so K must divide every stretch at whose end the run stops or saves: the
epoch (`train.steps_per_epoch`: checkpoint and sample grid), the run (`train.steps`) and the step
it resumed from. "auto" is the largest K up to `MAX_AUTO` that does, with the default strategy;
under the others it is 1: Keras' multi-step loop failed to run under `MirroredStrategy` (a graph
error, "Detected at node while/cond/Placeholder", TF 2.21 / Keras 3.15), and the multi-worker and
TPU strategies are not tested here. A number above 1 is refused under those strategies.
"""

import math

from keras_gans.errors import UserError

#: The largest number of steps per call "auto" chooses: it already removes the overhead.
MAX_AUTO = 10


def steps_per_execution(train, first_step=0, strategy="default"):
    """The steps per call for the recipe's `train` section, starting at step `first_step` under the
    named `strategy`: the setting if it divides every stretch, the largest that does for "auto".
    `train` is validated (`keras_gans.recipes.validate`: "auto" or a positive integer)."""
    setting = train.get("steps_per_execution", "auto")
    stretches = (train["steps_per_epoch"], train["steps"], first_step)
    if setting == "auto":
        if strategy != "default":
            return 1
        common = math.gcd(*stretches)
        return max(k for k in range(1, MAX_AUTO + 1) if common % k == 0)
    if setting > 1 and strategy != "default":
        raise UserError(f"train.steps_per_execution {setting} runs only with the default strategy, not {strategy} "
                        '(several steps per call failed under MirroredStrategy): use 1 or "auto"')
    if any(stretch % setting for stretch in stretches):
        raise UserError(
            f"train.steps_per_execution {setting} must divide train.steps_per_epoch ({stretches[0]}), train.steps "
            f"({stretches[1]})" + (f" and the step the run resumes from ({first_step})" if first_step else "")
            + ': the run stops and saves at their ends; use "auto" or a divisor')
    return setting
