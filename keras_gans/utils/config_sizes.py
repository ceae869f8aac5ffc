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


#: The most weights one layer of a saved model may ask for (1 GiB of float32), and a whole file.
MAX_LAYER_WEIGHTS = 1 << 28
MAX_FILE_WEIGHTS = 1 << 30
#: Layers whose weights do not depend on the shape they are built for.
_SHAPELESS = ("Embedding", "ConstantInput")


def check_layer_weights(config, where):
    """Raises a `UserError` if a layer of a saved model's `config` (a `.keras` file's config.json)
    would allocate more than `MAX_LAYER_WEIGHTS` weights, or all of them more than `MAX_FILE_WEIGHTS`.

    Each setting may be sane alone while their product is not (4096 units on a 1M-wide input):
    the weights are estimated from the layer's settings and the input shape of its `build_config`
    (which Keras writes for every built layer) before Keras allocates them. A layer with weights
    (initializer settings) but no recorded input shape is refused: its size cannot be bounded."""
    total = 0
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        layer = node.get("config")
        if not (isinstance(layer, dict) and isinstance(node.get("class_name"), str)):
            continue
        shapes = _input_shapes(node.get("build_config"))
        name = f"{node['class_name']} {layer.get('name', '')!s}".strip()
        has_weights = any(key.endswith("_initializer") for key in layer)
        if shapes is None and has_weights and node["class_name"] not in _SHAPELESS:
            raise UserError(f"{where}: layer {name!r} has weights but no recorded input shape, so its size "
                            "cannot be bounded; refusing to load it (a damaged or crafted file)")
        weights = estimated_weights(node["class_name"], layer, shapes or [])
        total += weights
        if weights > MAX_LAYER_WEIGHTS or total > MAX_FILE_WEIGHTS:
            raise UserError(f"{where}: layer {name!r} would allocate about {weights:,} weights "
                            f"({total:,} in the file so far, at most {MAX_LAYER_WEIGHTS:,} per layer and "
                            f"{MAX_FILE_WEIGHTS:,} per file); refusing to allocate them (a damaged or crafted file)")


def estimated_weights(class_name, config, shapes):
    """An upper estimate of the number of weights a layer with this class name and `config`
    allocates when built for the input `shapes` (a list of shapes, batch dimension first)."""
    import math

    def size(key, default=1):
        value = config.get(key, default)
        values = value if isinstance(value, (list, tuple)) else [value]
        values = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and v > 0]
        return math.prod(values) if values else default

    lasts = [shape[-1] if shape and isinstance(shape[-1], int) else 1 for shape in shapes]
    width = max(lasts, default=1)
    if class_name == "Embedding":
        return size("input_dim") * size("output_dim")
    if class_name == "ConstantInput":
        return size("shape")
    if class_name == "AdaIN":  # scale and shift maps from the style (w) to the channels (x)
        return 2 * (math.prod(lasts) + width)
    if "units" in config or "filters" in config or "kernel_size" in config:
        kernel = size("kernel_size")
        if isinstance(config.get("kernel_size"), int):
            kernel *= kernel  # an int k means k x k
        return kernel * width * size("units") * size("filters") * size("depth_multiplier") + size("units") * size("filters")
    if isinstance(config.get("layer"), dict):  # a wrapper (spectral norm): its vector u; the layer counts itself
        inner = config["layer"].get("config")
        inner = inner if isinstance(inner, dict) else {}
        return width + sum(v for key in ("units", "filters") if isinstance(v := inner.get(key), int))
    if "num_classes" in config:  # a gain and a bias per class and channel, moving mean and variance
        return 2 * (size("num_classes") + 1) * width
    if class_name == "NoiseInjection":  # one fixed noise image at inference
        return (math.prod(d for d in shapes[0][1:-1] if isinstance(d, int)) if shapes else 1) + width
    return 4 * sum(lasts)  # normalisation layers: a few vectors per channel


def _input_shapes(build_config):
    """The input shapes in a layer's `build_config`, as a list of shapes (None if not recorded)."""
    shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
    if isinstance(shape, dict):
        shape = list(shape.values())
    if not isinstance(shape, (list, tuple)) or not shape:
        return None
    shapes = shape if all(isinstance(s, (list, tuple)) or s is None for s in shape) and any(
        isinstance(s, (list, tuple)) for s in shape) else [shape]
    return [list(s) if isinstance(s, (list, tuple)) else [] for s in shapes]
