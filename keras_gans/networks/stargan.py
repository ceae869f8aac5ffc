"""StarGAN's networks (Choi et al. 2018, arXiv 1711.09020): one generator for every target domain,
one discriminator with a domain-classification head."""

import keras

from keras_gans.layers.adain import AdaIN
from keras_gans.layers.domain_planes import DomainPlanes, check_num_domains
from keras_gans.layers.domain_select import DomainSelect
from keras_gans.layers.equalized_learning_rate import checked_lr_multiplier
from keras_gans.networks.common import check_image_shape, conv
from keras_gans.networks.registry import register_network
from keras_gans.networks.translation import patch_features, resnet_layers
from keras_gans.utils.checks import checked_bool


def domain_condition(images, domains, num_domains, source_statistics=False):
    """The conditional norms' input: the one-hot target domain, and with `source_statistics` its
    outer product with the image's statistics (each channel's mean and mean square): a copy of
    them per target domain, (batch, num_domains * (1 + 2 * channels)).

    Instance norm erases each image's mean and contrast, so no layer after the first one sees
    whether a digit is drawn light on dark or dark on light; and the gain a norm needs (keep the
    source's sign or flip it) depends on the pair of source and target. Given per target, the
    statistics let each gain be `a + b * mean(x)` for the target domain: a flip for one source
    polarity and not for the other."""
    condition = keras.layers.CategoryEncoding(num_domains, output_mode="one_hot")(domains)
    if not source_statistics:
        return condition
    squares = keras.layers.Multiply()([images, images])
    statistics = keras.layers.Concatenate()([keras.layers.GlobalAveragePooling2D()(x) for x in (images, squares)])
    pairs = keras.layers.Multiply()([keras.layers.Reshape((num_domains, 1))(condition),
                                     keras.layers.Reshape((1, statistics.shape[-1]))(statistics)])
    return keras.layers.Concatenate()([condition, keras.layers.Flatten()(pairs)])


@register_network("stargan", role="domain_translator")
def stargan_generator(input_shape=(28, 28, 1), num_domains=4, base_filters=32, residual_blocks=3, downsamplings=2,
                      domain_normalization=True, normalize_first=True, source_statistics=False,
                      norm_lr_multiplier=1.0, domain_outputs=False, shared_encoder=False, name="generator"):
    """G(x, c): `{"images": (batch, H, W, C), "domains": int32 (batch,)}` -> images of the target
    domains `c`, same shape.

    The paper's generator (its App. 7): the target domain's one-hot planes (`DomainPlanes`)
    concatenated with the image, then CycleGAN's ResNet layers (7x7 conv, `downsamplings`
    stride-2 convs, `residual_blocks` residual blocks, as many transposed convs, a 7x7 conv to
    tanh), instance norm and ReLU after every conv but the last. The paper has 6 residual blocks
    at 128x128.

    `domain_normalization` (our default) makes every instance norm conditional (Dumoulin et al.
    2017, arXiv 1610.07629): it takes a gain and bias of the target domain (`AdaIN` of the one-hot
    domain). The planes alone reach the generator through the first convolution, whose output
    they shift by a constant per channel; the instance norm right after subtracts that constant,
    so that only the image borders (zero padding) carry the domain further. False is the paper's.

    `normalize_first=False` leaves the norm out of the first block, so that the image's mean
    (its polarity) reaches the layers after it.

    `source_statistics` gives the conditional norms the source image's statistics too, one copy
    per target domain (`domain_condition`), and `norm_lr_multiplier` lets them learn their gains
    that much faster (`AdaIN(lr_multiplier=...)`). Translating digits between light-on-dark and
    dark-on-light styles needs a gain that flips the sign of the features for one pair of source
    and target and keeps it for another; the one-hot target alone cannot say which, and at
    Adam's 2e-4 a gain of about 1 hardly changes sign in a run. On `stargan-mnist-styles`
    (classes kept, `benchmarks/README.md`): at seed 0 and 3,000 steps the plain conditional norm
    66% (inversions lost), either option alone 50-51%, both 87% (89% at 6,000 steps); but both at
    seeds 1 and 2 (6,000 steps) 61% and 67%, so the recipe does not use them.

    `domain_outputs` gives the last convolution one output image per target domain and keeps the
    target's (`DomainSelect`): each domain's own output weights, so that a domain can draw the
    sign of the features opposite to another's without a shared gain crossing zero. With
    `StarGAN.compile(reconstruction_warmup=1000)` and one down-sampling, on
    `stargan-mnist-styles` at 3,000 steps: 79%, 89% and 66% of classes kept at seeds 0-2, where
    the warm-up alone gives 87%, 67% and 87%; with `shared_encoder` below, the recipe's choice.

    `shared_encoder` gives every target domain one encoder (the first block and the down-sampling
    convs, with plain instance norms and no domain planes): the target conditions only the
    residual blocks and the up-sampling (conditional norms) and the output (`domain_outputs`), so
    that a source's features are the same whichever style it goes to, and the generator factors
    into "read the digit" and "draw it in the target style". With `domain_outputs`, one
    down-sampling and the reconstruction warm-up (the `stargan-mnist-styles` recipe, with EMA), at
    3,000 steps every seed translates every pair: 95.0% of classes kept on average over seeds 0-4
    (94.2-96.0%); the shared encoder alone 82%, the heads alone 79% at seed 0
    (`benchmarks/README.md`, StarGAN).
    """
    check_image_shape(input_shape, "StarGAN generator")
    check_num_domains(num_domains)
    norm_lr_multiplier = checked_lr_multiplier(norm_lr_multiplier, "norm_lr_multiplier")
    for flag, value in (("domain_normalization", domain_normalization), ("normalize_first", normalize_first),
                        ("source_statistics", source_statistics), ("domain_outputs", domain_outputs),
                        ("shared_encoder", shared_encoder)):
        checked_bool(value, flag)
    if source_statistics and not domain_normalization:
        raise ValueError("source_statistics needs domain_normalization=True: the statistics reach the generator "
                         "through its conditional norms")
    if shared_encoder and not (domain_normalization or domain_outputs):
        raise ValueError("shared_encoder needs domain_normalization=True or domain_outputs=True: its encoder does "
                         "not see the target domain, so the target must reach the layers after it")
    images = keras.Input(tuple(input_shape), name="images")
    domains = keras.Input((), dtype="int32", name="domains")
    x = images if shared_encoder else keras.layers.Concatenate()([images, DomainPlanes(num_domains)([images, domains])])
    if domain_normalization:
        condition = domain_condition(images, domains, num_domains, source_statistics)
        normalize = lambda x: AdaIN(lr_multiplier=norm_lr_multiplier)([x, condition])  # noqa: E731
    else:
        normalize = "instance"
    channels = input_shape[-1] * (num_domains if domain_outputs else 1)
    outputs = resnet_layers(x, channels, base_filters, residual_blocks, downsamplings, normalize, normalize_first,
                            encoder_normalization="instance" if shared_encoder else None)
    if domain_outputs:
        outputs = DomainSelect(num_domains, dtype="float32", name="target_domain_output")([outputs, domains])
    return keras.Model({"images": images, "domains": domains}, outputs, name=name)


@register_network("stargan", role="domain_discriminator")
def stargan_discriminator(input_shape=(28, 28, 1), num_domains=4, base_filters=32, downsamplings=2,
                          normalization_type="none", spectral_norm=False, per_domain=False, name="discriminator"):
    """D(x): images -> `{"logits": real/fake logits per patch, "domains": (batch, num_domains)
    domain logits}`, both heads on one PatchGAN body (`patch_features`).

    As the paper's D (its App. 7): no normalisation (it trains with a gradient penalty), leaky
    ReLU 0.2, a 3x3 conv to the patch logits (D_src) and a conv as large as the last feature map
    (valid padding) to the domain logits (D_cls). `per_domain` gives D_src one logit per domain
    at each patch, (batch, h, w, num_domains): StarGAN v2's multi-task discriminator (Choi et
    al. 2020, arXiv 1912.01865), whose logit of an image's domain (a real's own, a fake's target)
    says whether it is a real image of that domain; the paper's D_src has one.
    """
    check_image_shape(input_shape, "StarGAN discriminator")
    check_num_domains(num_domains)
    images = keras.Input(tuple(input_shape), name="images")
    features = patch_features(images, base_filters, downsamplings, normalization_type, spectral_norm)
    logits = conv(num_domains if per_domain else 1, 3, 1, spectral_norm, dtype="float32", name="logits")(features)
    size = tuple(features.shape[1:3])
    domains = keras.layers.Conv2D(num_domains, size, padding="valid", dtype="float32")(features)
    domains = keras.layers.Flatten(dtype="float32", name="domains")(domains)
    return keras.Model(images, {"logits": logits, "domains": domains}, name=name)
