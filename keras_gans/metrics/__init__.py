"""Sample-quality metrics for generative models."""

from keras_gans.metrics.mode_coverage import mode_coverage
from keras_gans.metrics.mode_coverage import mode_histogram
