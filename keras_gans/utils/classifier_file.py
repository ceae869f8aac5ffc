"""Where the shipped MNIST classifier is: the metrics' default feature extractor and SRGAN's content network."""

import os

#: The shipped MNIST classifier, relative to the package: `keras_gans/saved_models` is the
#: repository's `saved_models/` (a symbolic link in the repository, copied files once installed).
MNIST_CLASSIFIER_REPO_PATH = os.path.join("saved_models", "mnist-classifier", "classifier.keras")


def mnist_classifier_file():
    """The path of the shipped MNIST classifier; a `FileNotFoundError` naming the fix if it is missing."""
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(package_root, MNIST_CLASSIFIER_REPO_PATH)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"the MNIST classifier is missing: {path} does not exist; reinstall keras-gans "
                                "or run benchmarks/train_mnist_classifier.py")
    return path
