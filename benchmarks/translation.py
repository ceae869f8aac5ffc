"""Image-to-image translation on held-out digits: each recipe against its baseline, scored as `keras-gans eval` does.

For each configuration and seed: train the shipped recipe as `keras-gans train NAME [--set ...]`
does, then score its translations of the 1,000 held-out digits of the task (the test split of
`keras_gans.data.translation`, never seen in training) with `keras_gans.metrics.translation`:
L1 and PSNR / SSIM against the targets (pixels in [0, 1]), the share the shipped MNIST
classifier assigns to the source digit's class ("class kept") and the domain FID of the outputs
against the targets. The targets' own class-kept share is the ceiling. A picture of the first
16 held-out translations of each configuration (sources, outputs, targets rows) is written next
to the JSON.

Configurations are `NAME` or `NAME:LABEL:KEY=VALUE;KEY=VALUE` (`--set` overrides), e.g. the
Pix2Pix paper's "L1 only" baseline, the same U-Net trained on L1 alone; `bicubic:TASK` is no
model: `tf.image.resize(sources, (28, 28), "bicubic")`, clipped (SRGAN's baseline); `run:FOLDER`
scores a trained run folder or zoo entry as it is (e.g. the zoo's run of the same recipe and seed,
`runs/zoo/NAME`; its training time is on its model card). Models that
translate both ways (CycleGAN) are scored in both directions and on their cycle L1; StarGAN
(the styles task) on every held-out digit translated into each style, averaged and per style.

    python benchmarks/translation.py pix2pix-edges2digits "pix2pix-edges2digits:L1 only:compile.adversarial_weight=0"
    python benchmarks/translation.py srgan-mnist-x4 "srgan-mnist-x4:SRResNet-MSE:compile.content_weight=0;compile.adversarial_weight=0" bicubic:x4
    python benchmarks/translation.py pix2pix-edges2digits --steps 20 --out /tmp/t.json      # smoke test

Writes JSON to `--out` (default benchmarks/results/translation.json) and prints a Markdown table.
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import finish_report, machine_at_start, set_threads  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("configurations", nargs="+", help="NAME or NAME:LABEL:KEY=VALUE;KEY=VALUE")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (default 1)")
    parser.add_argument("--steps", type=int, default=None, help="train.steps of every run (default: the recipe's)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "translation.json"))
    return parser.parse_args(argv)


def parse_configuration(text):
    """`(recipe name, label, [overrides])` of `NAME[:LABEL[:KEY=VALUE;...]]`."""
    name, label, overrides = (text.split(":", 2) + ["", ""])[:3]
    return name, label or name, [o for o in overrides.split(";") if o]


def bicubic(task, picture_path):
    """The scores of bicubic up-sampling of the held-out sources of `task` (no training)."""
    import numpy as np
    import tensorflow as tf

    from keras_gans.data import translation_examples
    from keras_gans.metrics.translation import held_out_pairs, training_side, translation_reference, translation_scores
    from keras_gans.models.translation import enlarge
    from keras_gans.utils.images import image_grid, save_picture

    data = {"translation": task}
    sources, targets, labels = held_out_pairs(data)
    outputs = np.clip(tf.image.resize(sources, targets.shape[1:3], "bicubic").numpy(), -1.0, 1.0)
    scores = translation_scores(outputs, targets, labels, real=training_side(data))
    shown, wanted = translation_examples(data, 16, 0)  # the examples of the models' pictures
    upsampled = np.clip(tf.image.resize(shown, wanted.shape[1:3], "bicubic").numpy(), -1.0, 1.0)
    rows = [part for start in (0, 8) for part in
            (enlarge(shown[start:start + 8], wanted.shape[1]), upsampled[start:start + 8], wanted[start:start + 8])]
    save_picture(picture_path, image_grid(np.concatenate(rows), 8))
    return {"recipe": f"bicubic:{task}", "label": "bicubic up-sampling", "seed": None, "steps": 0, "override": "",
            "train_seconds": 0.0, "train_cpu_seconds": 0.0, **scores,
            "targets_accuracy": translation_reference(data, ("accuracy",))["accuracy"],
            "picture": os.path.basename(picture_path)}


def trained_run(folder, picture_path):
    """The scores of the trained run (or zoo entry) `folder`, as it is."""
    from keras_gans.data import translation_examples
    from keras_gans.metrics.translation import evaluate_translation, translation_reference
    from keras_gans.runs import load_run
    from keras_gans.utils.images import save_picture

    model, recipe = load_run(folder)
    scores = evaluate_translation(model, recipe["data"])
    if hasattr(model, "domains"):  # StarGAN: class kept per (source style, target style)
        from keras_gans.metrics.domain_translation import class_kept_by_styles

        scores["class_kept_by_styles"] = class_kept_by_styles(model)
    save_picture(picture_path, model.sample_picture(16, examples=translation_examples(recipe["data"], 16, 0)))
    return {"recipe": folder, "label": f"{recipe['model']['type']} ({folder})", "seed": recipe["train"]["seed"],
            "steps": int(recipe["train"]["steps"]), "override": "", "train_seconds": None, "train_cpu_seconds": None,
            **scores, "targets_accuracy": translation_reference(recipe["data"], ("accuracy",))["accuracy"],
            "picture": os.path.basename(picture_path)}


def run_one(text, seed, steps, picture_path):
    import keras

    from keras_gans import recipes
    from keras_gans.data import translation_examples
    from keras_gans.metrics.translation import evaluate_translation, translation_reference
    from keras_gans.training.run import train
    from keras_gans.utils.images import save_picture

    name, label, overrides = parse_configuration(text)
    if name == "bicubic":
        return bicubic(label, picture_path)
    if name == "run":
        return trained_run(label, picture_path)
    overrides = [*overrides, f"train.seed={seed}"] + ([f"train.steps={steps}"] if steps else [])
    recipe = recipes.apply_overrides(recipes.load(name), overrides)
    keras.backend.clear_session()
    start, cpu = time.time(), time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        model, _ = train(recipe, os.path.join(folder, "run"), verbose=0, log=lambda *a: None)
    seconds, cpu_seconds = time.time() - start, time.process_time() - cpu
    scores = evaluate_translation(model, recipe["data"])
    reference = translation_reference(recipe["data"], ("accuracy",))
    save_picture(picture_path, model.sample_picture(16, examples=translation_examples(recipe["data"], 16, 0)))
    return {"recipe": name, "label": label, "seed": seed, "steps": int(recipe["train"]["steps"]),
            "override": " ".join(f"--set {o}" for o in overrides), "train_seconds": seconds,
            "train_cpu_seconds": cpu_seconds, **scores, "targets_accuracy": reference["accuracy"],
            "picture": os.path.basename(picture_path)}


def markdown_table(results):
    both_ways = any("accuracy_b2a" in r for r in results)
    styles = any("accuracy_thick" in r for r in results)  # StarGAN: scores averaged over the styles, and per style
    extra = " class kept b2a | domain FID b2a | cycle L1 |" if both_ways else ""
    extra += " class kept into original / thick / thin / inverted |" if styles else ""
    lines = ["| configuration | seed | L1 | PSNR (dB) | SSIM | class kept (targets') | domain FID |" + extra
             + " train seconds |", "|---|---:|---:|---:|---:|---:|---:|" + "---:|" * (1 + 3 * both_ways + styles)]
    for r in results:
        row = (f"| {r['label']} | {'-' if r['seed'] is None else r['seed']} | {r['l1']:.4f} | {r['psnr']:.2f} | "
               f"{r['ssim']:.3f} | {100 * r['accuracy']:.1f}% ({100 * r['targets_accuracy']:.1f}%) | {r['fid']:.1f} |")
        if both_ways:
            row += (f" {100 * r['accuracy_b2a']:.1f}% | {r['fid_b2a']:.1f} | {r['cycle_l1']:.4f} |"
                    if "accuracy_b2a" in r else " | | |")
        if styles:
            row += " " + " / ".join(f"{100 * r.get('accuracy_' + s, float('nan')):.1f}%"
                                    for s in ("original", "thick", "thin", "inverted")) + " |"
        lines.append(row + (" (its card) |" if r["train_seconds"] is None else f" {r['train_seconds']:.0f} |"))
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    machine = machine_at_start()
    stem = os.path.splitext(args.out)[0]
    results = []
    for index, text in enumerate(args.configurations):
        for seed in range(1 if text.startswith(("bicubic:", "run:")) else args.seeds):
            picture = f"{stem}_{index}_seed{seed}.png"
            results.append(run_one(text, seed, args.steps, picture))
            print(results[-1], file=sys.stderr, flush=True)
    finish_report(args.out, "translation", machine, vars(args), results,
                  "\n\n".join([markdown_table(results), *map(styles_table, results)]).strip())


def styles_table(result):
    """StarGAN's class kept per (source style, target style), a Markdown table ("" for other models)."""
    table = result.get("class_kept_by_styles")
    if not table:
        return ""
    targets = list(next(iter(table.values())))
    lines = [f"| {result['label']}: source \\ target | " + " | ".join(targets) + " |",
             "|---|" + "---:|" * len(targets)]
    lines += [f"| {source} | " + " | ".join(f"{100 * row[t]:.1f}%" for t in targets) + " |" for source, row in table.items()]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
