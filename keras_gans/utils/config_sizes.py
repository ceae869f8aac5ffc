"""Size settings of layer configs and recipes, checked before anything is allocated."""

from keras_gans.errors import UserError

#: Settings that size weights (layer configs and recipe network options), each with the largest
#: value one may ask for (far above any real GAN's: StyleGAN's widest layers have 512 filters).
#: They are refused before anything is allocated, so a crafted file or recipe cannot take the
#: machine's memory.
SIZE_LIMITS = {
    **dict.fromkeys(("filters", "base_filters", "channels"), 1 << 12),
    **dict.fromkeys(("units", "hidden_units", "q_units", "mapping_units", "latent_dim", "noise_dim",
                     "embedding_dim", "output_dim"), 1 << 16),
    **dict.fromkeys(("input_dim", "num_classes", "categories"), 1 << 20),
}
#: The most positions a convolution kernel may cover (64 x 64).
MAX_KERNEL_ELEMENTS = 1 << 12


def check_config_sizes(config, where):
    """Raises a `UserError` if a size setting anywhere in the (nested) `config` exceeds its
    `SIZE_LIMITS`, or a `kernel_size` (an int k means k x k) covers more than
    `MAX_KERNEL_ELEMENTS` positions."""
    import math

    def ints(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]

    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "kernel_size":
                    sizes = ints(value)
                    positions = value * value if sizes and not isinstance(value, (list, tuple)) else math.prod(sizes)
                    too_big = positions > MAX_KERNEL_ELEMENTS
                else:
                    too_big = key in SIZE_LIMITS and any(v > SIZE_LIMITS[key] for v in ints(value))
                if too_big:
                    raise UserError(f"{where} asks for a layer of absurd size ({key}: {value}); refusing to "
                                    "allocate it (a damaged or crafted file or setting)")
                stack.append(value)
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
