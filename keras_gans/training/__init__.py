"""Running training: `run.train` (a recipe into a run folder, see `keras_gans.runs`), the callbacks of
the `keras-gans train` command, fine-tuning.

`InstanceNoise` (now in `keras_gans.augment`) and `TopKGeneratorUpdate` (in `keras_gans.models`)
are re-exported here under their former names.
"""

from keras_gans.augment import InstanceNoise
from keras_gans.augment import get_instance_noise
from keras_gans.models.top_k import TopKGeneratorUpdate
from keras_gans.models.top_k import get_top_k

__all__ = ["InstanceNoise", "TopKGeneratorUpdate", "get_instance_noise", "get_top_k"]
