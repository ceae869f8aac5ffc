"""Sample-quality metrics for generative models."""

from keras_gans.metrics.conditional_accuracy import conditional_accuracy
from keras_gans.metrics.density_coverage import density_coverage
from keras_gans.metrics.frechet import feature_statistics
from keras_gans.metrics.frechet import frechet_distance
from keras_gans.metrics.frechet import frechet_distance_from_statistics
from keras_gans.metrics.inception_score import inception_score
from keras_gans.metrics.kernel_inception_distance import kernel_inception_distance
from keras_gans.metrics.kernel_inception_distance import polynomial_mmd2
from keras_gans.metrics.mode_coverage import mode_coverage
from keras_gans.metrics.mode_coverage import mode_histogram
from keras_gans.metrics.precision_recall import precision_recall
from keras_gans.metrics.stacked_mnist import classify_stacked_channels
from keras_gans.metrics.stacked_mnist import stacked_mnist_mode_ids
from keras_gans.metrics.stacked_mnist import stacked_mnist_modes
from keras_gans.metrics.streaming import DensityCoverage
from keras_gans.metrics.streaming import FrechetDistance
from keras_gans.metrics.streaming import InceptionScore
from keras_gans.metrics.streaming import KernelInceptionDistance
from keras_gans.metrics.streaming import PrecisionRecall
