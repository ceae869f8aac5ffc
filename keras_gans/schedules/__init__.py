"""Learning-rate schedules for recipes: `learning_rate: {module: keras_gans.schedules, class_name: ..., config: {...}}`."""

from keras_gans.schedules.linear_decay import LinearDecay
