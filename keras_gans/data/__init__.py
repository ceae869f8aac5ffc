"""Real data for GAN training: bundled MNIST, 2-D Gaussian mixtures, TFDS and image folders (also
side-by-side A|B pairs, `paired_folder`)."""

from keras_gans.data.data_config import data_kind
from keras_gans.data.data_config import make_dataset
from keras_gans.data.data_config import mixture_for
from keras_gans.data.data_config import is_translation
from keras_gans.data.data_config import sample_shape
from keras_gans.data.data_config import source_shape
from keras_gans.data.data_config import translation_examples
from keras_gans.data.datasets import IMAGE_EXTENSIONS
from keras_gans.data.datasets import folder_dataset
from keras_gans.data.datasets import mixture_dataset
from keras_gans.data.datasets import mnist_dataset
from keras_gans.data.datasets import prefetched
from keras_gans.data.datasets import tfds_dataset
from keras_gans.data.image_ops import to_model_images
from keras_gans.data.mixtures import GRID_SIGMA
from keras_gans.data.mixtures import MIXTURES
from keras_gans.data.mixtures import RING_SIGMA
from keras_gans.data.mixtures import Mixture
from keras_gans.data.mixtures import get_mixture
from keras_gans.data.mixtures import grid_centers
from keras_gans.data.mixtures import ring_centers
from keras_gans.data.mixtures import sample_mixture
from keras_gans.data.mnist import load_mnist
from keras_gans.data.paired_folder import side_by_side_dataset
from keras_gans.data.translation import translation_pair
