"""Serving: export a trained GAN's generator as a TF Serving SavedModel (and TFLite)."""

from keras_gans.serving.export import OUTPUT_KEY, TFLITE_FILE, export_gan, latent_from_seed

__all__ = ["export_gan", "latent_from_seed", "OUTPUT_KEY", "TFLITE_FILE"]
