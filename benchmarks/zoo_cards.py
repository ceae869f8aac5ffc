"""The text of the zoo's model cards and index rows (`build_zoo.py` writes them)."""


def sample_count(recipe):
    """The samples of the card's picture: 2,500 points, 32 Stacked MNIST samples (each with its channels),
    else the recipe's `train.samples` (the per-epoch grid: 64 digits, or 10 rows of 10 for the
    conditional models)."""
    from keras_gans import recipes

    if recipes.data_shape(recipe) == (2,):
        return 2500
    from keras_gans.metrics.real_data import is_stacked_mnist

    return 32 if is_stacked_mnist(recipe["data"]) else recipe["train"]["samples"]  # 4 tiles each


def _data_name(data):
    """The name of a recipe's data for its licence: translation tasks are made of the bundled MNIST."""
    if isinstance(data, dict):
        return "mnist" if "translation" in data else data.get("name", "")
    return data


def _is_translation(metrics):
    return "ssim" in metrics


def _description(recipe, metrics):
    if _is_translation(metrics):
        quality = (f"held-out digits: class kept {100 * metrics['accuracy']:.1f}%, L1 {metrics['l1']:.4f}, "
                   f"SSIM {metrics['ssim']:.3f}, domain FID {metrics['fid']:.1f}")
    elif "modes" in metrics:
        quality = f"{metrics['modes']} modes, {100 * metrics['hq']:.1f}% high-quality samples"
    elif "stacked_modes" in metrics:
        quality = _stacked_quality(metrics)
    else:
        quality = f"domain FID {metrics['fid']:.1f} (MNIST-classifier features, 10k samples)"
        if "conditional_accuracy" in metrics:
            quality += f", conditional accuracy {100 * metrics['conditional_accuracy']:.1f}%"
        if "code_purity" in metrics:
            quality += f", code purity {100 * metrics['code_purity']:.1f}%"
    what = _title(recipe["description"])
    return f"{what}; {recipe['train']['steps']} steps; {quality}"


def _stacked_quality(metrics):
    return (f"{int(metrics['stacked_modes'])} of 1000 modes, KL to uniform {metrics['stacked_kl']:.3f}, "
            f"{100 * metrics['stacked_confident']:.1f}% of channels confidently one digit")


def _title(description):
    """A recipe description up to its first ":" or "," outside parentheses ("UNIT (Liu et al. 2017: ...)")."""
    depth = 0
    for index, char in enumerate(description):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in ":,":
            return description[:index]
    return description


def _evaluated_how(card, drs):
    if _is_translation(card["metrics"]):
        return "`keras-gans eval` translates the task's 1,000 held-out digits with the EMA generator when there is one"
    return f"`keras-gans eval` uses the EMA generator{drs}, seed 0"


def _is_multi_domain(metrics):
    """StarGAN's scores: per style (`accuracy_thick`...) and averaged over the styles."""
    return "accuracy_thick" in metrics


def _pictures_and_use(card, recipe, name, drs, per_class):
    """The card's picture and its Use section: samples for generators, translations for translation models."""
    if _is_multi_domain(card["metrics"]):
        return f"""Held-out digits (first column, each in its own style) translated into each style: original, thick, thin, inverted (`keras-gans sample {name} --n {sample_count(recipe)} --seed 0 --out samples.png`):

![samples](samples.png)

## Use

```python
import keras_gans
from keras_gans.data import load_mnist
model = keras_gans.zoo.load("{name}")     # compiled, fresh optimizers; Keras safe mode, no code runs from the files
digits = load_mnist()[0][:16, ..., None]  # uint8 (N, 28, 28, 1), any of the four styles
thick = model.translate(digits, domain="thick")                   # float32 in [-1, 1]
mixed = model.translate(digits[:2], domain=["thin", "inverted"])  # or one domain per image
```

```bash
keras-gans translate {name} --in digits.png --out thick.png --domain thick   # a picture, a grid, a folder or .npy
keras-gans eval {name}                    # the scores above, on the held-out digits
keras-gans export {name} --out exported/{name}      # images + domain (int32: 0 original ... 3 inverted), see docs/serving.md
```"""
    if _is_translation(card["metrics"]):
        task = recipe["data"]["translation"]
        back = ", then the same translated back (B -> A)" if "cycle_l1" in card["metrics"] else ""
        return f"""Translations of held-out digits, rows of sources, outputs and targets{back} (`keras-gans sample {name} --n {sample_count(recipe)} --seed 0 --out samples.png`):

![samples](samples.png)

## Use

```python
import keras_gans
from keras_gans.data import load_mnist, translation_pair
model = keras_gans.zoo.load("{name}")     # compiled, fresh optimizers; Keras safe mode, no code runs from the files
sources, targets = translation_pair("{task}", load_mnist()[0][:16, ..., None])   # uint8, as in training
outputs = model.translate(sources)        # float32 in [-1, 1]
```

```bash
keras-gans translate {name} --in sources.png --out outputs.png   # a picture, a grid, a folder or .npy
keras-gans eval {name}                    # the scores above, on the held-out digits
keras-gans export {name} --out exported/{name}      # serving_default (float) and translate_uint8, see docs/serving.md
```"""
    channels = " --channels" if "stacked_modes" in card["metrics"] else ""
    per_class = per_class or ("; each sample followed by its R, G and B channels" if channels else "")
    return f"""Samples of the EMA generator{drs} (`keras-gans sample {name} --n {sample_count(recipe)} --seed 0{channels} --out samples.png`{per_class}):

![samples](samples.png)

## Use

```python
import keras_gans
gan = keras_gans.zoo.load("{name}")       # compiled, fresh optimizers; Keras safe mode, no code runs from the files
samples = gan.generate(16, seed=0)
```

```bash
keras-gans sample {name} --n 64 --out samples.png
keras-gans export {name} --out exported/{name}      # TF Serving layout, see docs/serving.md
keras-gans train {name} --init {name} --set ...     # fine-tune from these weights
```"""


def _format(value):
    return str(value) if isinstance(value, int) else f"{value:.4g}"


def model_card(card, recipe):
    """The model card (Markdown) of a zoo entry."""
    import yaml

    minutes, seconds = divmod(card["wall_seconds"], 60)
    rows = "\n".join(f"| `{key}` | {_format(value)} |" for key, value in card["metrics"].items())
    recipe_yaml = yaml.safe_dump(recipe, sort_keys=False).rstrip()
    name = card["name"]
    drs = (" and the recipe's discriminator rejection sampling (`model.rejection`)"
           if recipe["model"].get("rejection") else "")
    model_type = recipe["model"].get("type", "gan")
    per_class = {"cgan": "; one row per class", "acgan": "; one row per class",
                 "infogan": "; one row per categorical code, continuous code 0 from -1 to 1 along the row"}.get(
                     model_type, "")
    if "modes" in card["metrics"]:  # points: a scatter plot, the categories drawn in turn
        per_class = "; the categorical code's values in turn" if model_type == "infogan" else ""
    return f"""# Zoo model `{name}`

{recipe["description"]}

Trained by us with the shipped recipe [`{name}`](../../keras_gans/recipes/{name}.yaml) and nothing else:

    python benchmarks/build_zoo.py {name}

(which runs `keras-gans train {name}` and then writes this folder).

| | |
|---|---|
| training | {card["steps"]} generator steps, batch {card["batch_size"]}, seed {card["seed"]} |
| wall time | {int(minutes)} min {seconds:.0f} s ({card["cpu_seconds"]:.0f} s of CPU time) on {card["machine"]} |
| machine load | {card["load_note"] or "not recorded"} |
| format | zoo format {card["format"]}{"; converted " + card["converted"] if card.get("converted") else ""} |
| files | `networks/`, {card["model_bytes"] / 1e6:.2f} MB: {", ".join(card.get("networks", ["generator", "ema_generator", "discriminator"]))} (no optimizer state) |
| software | keras-gans {card["keras_gans_version"]}, Keras {card["keras_version"]}, TensorFlow {card["tensorflow_version"]}, Python {card["python_version"]} |
| date | {card["date"]} |
| data | {card["data_license"]} |

## Measured quality

Measured on this folder with ({_evaluated_how(card, drs)}; {card["eval_seconds"]:.0f} s):

    {card["eval_command"]}

| metric | value |
|---|---|
{rows}

{_metrics_note(card)}

{_pictures_and_use(card, recipe, name, drs, per_class)}

## The recipe

```yaml
{recipe_yaml}
```
"""


def _metrics_note(card):
    notes = []
    if "conditional_accuracy" in card["metrics"]:
        notes.append("`conditional_accuracy`: share of the samples, generated for balanced labels, that the "
                     "classifier assigns to the label asked for; `confident`: share it classifies with "
                     "probability >= 0.9; `intra_fid`: the FID of each class's samples against that "
                     "class's real digits, averaged over the classes.")
    if "code_purity" in card["metrics"]:
        notes.append("`code_purity`: share of the samples whose classifier label is the class their "
                     "categorical code maps to, under the best one-to-one mapping of codes to classes.")
    return " ".join(notes + [_image_or_points_note(card)])


def _image_or_points_note(card):
    if _is_multi_domain(card["metrics"]):
        return ("Scored on the 1,000 held-out digits of the styles task (never seen in training), each translated "
                "from its own style into every style; since the styles are fixed transforms, each output has an "
                "exact target (the source digit drawn in that style). Per style (`_original`, `_thick`, `_thin`, "
                "`_inverted`) and averaged over the four (plain keys): `l1` the mean absolute pixel error (pixels in "
                "[0, 1]), `psnr` and `ssim` as `tf.image.psnr` / `tf.image.ssim`, `accuracy` the share of "
                "translations our MNIST classifier assigns to the source digit's class (inverted digits negated back "
                "to white on black), `fid` the domain FID against the training digits drawn in that style.")
    if _is_translation(card["metrics"]):
        return ("Scored on the 1,000 held-out digits of the task (never seen in training): `l1` is the mean "
                "absolute pixel error (pixels in [0, 1]), `psnr` and `ssim` as `tf.image.psnr` / `tf.image.ssim`, "
                "`accuracy` the share of translations our MNIST classifier assigns to the source digit's class "
                "(its share on the real targets is printed beside it by `keras-gans eval`), `fid` the domain FID "
                "of the translations against the training targets (the held-out targets score about 4.6 there)."
                + (" A model that translates both ways is scored in each (`_b2a`: B -> A) and on `cycle_l1`, "
                   "|F(G(a)) - a|; the classifier sees inverted digits negated back to white on black."
                   if "cycle_l1" in card["metrics"] else ""))
    if "stacked_modes" in card["metrics"]:
        return ("Scored on 25,600 samples (PacGAN's protocol), each channel classified by our MNIST classifier "
                "(`saved_models/mnist-classifier`): `stacked_modes` is the number of digit triples (R, G, B) drawn "
                "at least once, of 1000; `stacked_kl` the KL divergence of the samples' triple histogram to the "
                "uniform one (0 for a perfect generator; 25,600 real stacks score about 0.02, sampling noise); "
                "`stacked_confident` the share of channels classified with probability >= 0.9; `stacked_kl_r`, "
                "`_g`, `_b` the KL of each channel's digit histogram to uniform (which channel falls short).")
    if "modes" in card["metrics"]:
        return ("`modes`: mixture modes with at least one sample within 3 sigma of the centre; "
                "`hq`: share of the 2,500 samples within 3 sigma of their nearest centre "
                "(VEEGAN / PacGAN protocol). One seed: the spread over 10 seeds is in "
                "benchmarks/README.md.")
    return ("FID, KID and precision/recall use the features of our MNIST classifier "
            "(`saved_models/mnist-classifier`), against the 10,000 bundled MNIST digits: comparable "
            "between models of this package, not with published (Inception) FIDs; `is` is the "
            "Inception Score computed with that classifier (10 is the maximum).")


#: The header of the zoo index's table (`saved_models/README.md`), which `write_index` rewrites.
INDEX_HEADER = ("| model | recipe | steps | wall time (2-core CPU; CPU time) | measured with `keras-gans eval NAME` "
                "(seed 0) | networks |")


def index_quality(metrics):
    """The index's one-cell summary of a card's metrics."""
    if _is_translation(metrics):
        return (f"held-out: class kept {100 * metrics['accuracy']:.1f}%, L1 {metrics['l1']:.4f}, "
                f"PSNR {metrics['psnr']:.1f} dB, SSIM {metrics['ssim']:.3f}, domain FID {metrics['fid']:.1f}")
    if "modes" in metrics:
        return f"{metrics['modes']} modes, {100 * metrics['hq']:.1f}% HQ"
    if "stacked_modes" in metrics:
        return _stacked_quality(metrics)
    parts = []
    for key, label in (("conditional_accuracy", "conditional accuracy"), ("code_purity", "code purity"),
                       ("confident", "confident")):
        if key in metrics:
            parts.append(f"{label} {100 * metrics[key]:.1f}%")
    if "class_min" in metrics:
        parts.append(f"classes {100 * metrics['class_min']:.1f}-{100 * metrics['class_max']:.1f}%")
    parts.append(f"domain FID {metrics['fid']:.1f}")
    if "intra_fid" in metrics:
        parts.append(f"intra-class FID {metrics['intra_fid']:.1f}")
    return ", ".join(parts)
