"""Serving: export a trained model's serving signatures as a TF Serving SavedModel (and TFLite)."""

from keras_gans.serving.export import TFLITE_FILE, export_gan
from keras_gans.models.serving_signatures import OUTPUT_KEY, latent_endpoints, latent_from_seed

__all__ = ["export_gan", "latent_endpoints", "latent_from_seed", "OUTPUT_KEY", "TFLITE_FILE"]
