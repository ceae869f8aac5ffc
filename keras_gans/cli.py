"""The `keras-gans` command: list, train, sample, evaluate, invert, translate and export recipes and runs."""

import argparse
import os
import sys

from keras_gans.errors import TrainingDiverged, UserError


def _parser():
    parser = argparse.ArgumentParser(
        prog="keras-gans", description="Train, sample and inspect GANs built with Keras 3."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("list", help="list the recipes and the pretrained zoo models with one-line descriptions")

    train = sub.add_parser("train", help="train a recipe (a shipped name or a path to a YAML file)")
    train.add_argument("recipe", metavar="NAME_OR_YAML")
    train.add_argument("--steps", type=int, help="total generator steps (train.steps)")
    train.add_argument("--batch-size", type=int, help="global batch size (train.batch_size)")
    train.add_argument("--out", help="run folder (default: runs/NAME)")
    train.add_argument("--seed", type=int, help="seed of weights, data order and noise (train.seed)")
    train.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a recipe value, e.g. --set compile.n_critic=5 (repeatable)")
    train.add_argument("--strategy", choices=("default", "mirrored", "multiworker", "tpu"),
                       help="tf.distribute strategy (recipe key strategy; see docs/distributed.md)")
    train.add_argument("--resume", action="store_true",
                       help="continue the run in --out from its last checkpoint, with the recipe saved there")
    train.add_argument("--overwrite", action="store_true", help="replace the run already in --out")
    train.add_argument("--quiet", action="store_true", help="no per-epoch progress output")
    train.add_argument("--init", metavar="ZOO_NAME_OR_RUN_DIR",
                       help="fine-tune: start from a pretrained zoo model's (or run's) weights (train.init)")
    train.add_argument("--freeze-d", type=int, metavar="N",
                       help="with --init: freeze the first N discriminator blocks (FreezeD; train.freeze_d)")

    sample = sub.add_parser("sample", help="write samples of a trained run")
    sample.add_argument("run", metavar="RUN_DIR_OR_ZOO_NAME")
    sample.add_argument("--n", type=int, default=64, help="number of samples (default 64)")
    sample.add_argument("--out", required=True, help="FILE.png (grid / scatter plot) or FILE.npy (raw array)")
    sample.add_argument("--seed", type=int, default=None, help="same seed, same samples")
    sample.add_argument("--labels", default=None, metavar="0,1,2",
                        help="conditional models: these classes, one row per label in the PNG (default: every class)")
    sample.add_argument("--codes", action="store_true",
                        help="InfoGAN: one row per categorical code, continuous code 0 swept along the columns")
    sample.add_argument("--interp", type=int, default=None, metavar="K",
                        help="latent walks: --n // K rows, each K samples along a spherical interpolation "
                             "between two random latents (the generator's own samples)")
    sample.add_argument("--no-rejection", action="store_true",
                        help="the generator's own samples, without the recipe's discriminator rejection sampling")
    sample.add_argument("--channels", action="store_true",
                        help="RGB models (Stacked MNIST): each sample followed by its R, G and B channels in grey")
    sample.add_argument("--psi", type=float, default=None,
                        help="StyleGAN models: the truncation trick's psi (1: none, the default; 0.7: the usual "
                             "trade of variety for quality)")
    sample.add_argument("--truncation", type=float, default=None, metavar="T",
                        help="conditional models with N(0, I) noise (BigGAN): z drawn with the truncation trick, "
                             "entries beyond T redrawn (smaller: less variety, cleaner samples)")
    sample.add_argument("--mix", type=int, nargs="?", const=6, default=None, metavar="K",
                        help="StyleGAN models: the style-mixing figure (the paper's Fig. 3; --n is not used): K "
                             "sources along the top, K destinations down the left (default 6), each cell a "
                             "destination with a source's coarse styles")
    sample.add_argument("--crossover", type=int, default=None, metavar="C",
                        help="with --mix: how many leading styles come from the source (default: the 4x4 and "
                             "8x8 styles, 4; half the styles below 32x32)")

    invert = sub.add_parser("invert", help="find the latent vectors whose samples look like given images")
    invert.add_argument("run", metavar="RUN_DIR_OR_ZOO_NAME")
    invert.add_argument("--in", dest="images", required=True, metavar="FILE",
                        help="a picture (one image, or a grid as keras-gans sample writes) or an .npy array")
    invert.add_argument("--out", required=True,
                        help="FILE.png (rows of inputs, each followed by its reconstructions) or FILE.npy (the z found; w for StyleGAN models)")
    invert.add_argument("--steps", type=int, default=300, help="optimisation steps (default 300)")
    invert.add_argument("--feature-weight", type=float, default=1.0,
                        help="weight of the MNIST-classifier feature term (0: pixels only; default 1)")
    invert.add_argument("--seed", type=int, default=0, help="seed of the random starting candidates")
    invert.add_argument("--space", choices=("auto", "z", "w"), default="auto",
                        help="the latent space optimised: w (one w for every style) for StyleGAN models, z for "
                             "the others (default: auto)")

    translate = sub.add_parser("translate", help="translate images with an image-to-image run (Pix2Pix...)")
    translate.add_argument("run", metavar="RUN_DIR_OR_ZOO_NAME")
    translate.add_argument("--in", dest="images", required=True, metavar="PATH",
                           help="a picture (one image, or a grid as keras-gans sample writes), a folder of "
                                "pictures or an .npy array (N, H, W, C)")
    translate.add_argument("--out", required=True, metavar="PATH",
                           help="FILE.png (a grid of the outputs), FILE.npy (uint8 array) or a FOLDER (one PNG each)")
    translate.add_argument("--direction", choices=("a2b", "b2a"), default=None,
                           help="models that translate both ways (CycleGAN): a2b (default) or b2a")
    translate.add_argument("--domain", default=None, metavar="NAME",
                           help="multi-domain models (StarGAN): the target domain, e.g. thick")

    export = sub.add_parser("export", help="export a run's generator as a SavedModel for TF Serving")
    export.add_argument("run", metavar="RUN_DIR_OR_ZOO_NAME")
    export.add_argument("--out", required=True, help="folder of versions: writes OUT/VERSION/saved_model.pb")
    export.add_argument("--version", type=int, default=1, help="model version folder (default 1)")
    export.add_argument("--tflite", action="store_true", help="also write OUT/VERSION/generator.tflite")
    export.add_argument("--overwrite", action="store_true", help="replace an existing version")
    export.add_argument("--direction", choices=("a2b", "b2a"), default=None,
                        help="models that translate both ways (CycleGAN): the direction served (default a2b)")
    export.add_argument("--max-batch", type=int, default=1024, metavar="N",
                        help="largest batch one request may ask for (rows of z, generate_from_seed's num; default 1024)")

    ev = sub.add_parser("eval", help="score a trained run: FID, KID, IS, precision/recall or mode coverage")
    ev.add_argument("run", metavar="RUN_DIR_OR_ZOO_NAME")
    ev.add_argument("--metrics", default=None,
                    help="comma-separated: fid,kid,is,pr,dc,classes for images (cacc,ifid,purity for "
                         "conditional models), modes for 2-D points (default: fid,kid,is,pr for images, "
                         "with classes on MNIST; modes for points)")
    ev.add_argument("--n", type=int, default=None,
                    help="generated samples (default 10000 for images, 2500 for 2-D points)")
    ev.add_argument("--seed", type=int, default=0, help="seed of the latent vectors and subsets (default 0)")
    ev.add_argument("--psi", type=float, default=None,
                    help="StyleGAN models: score samples drawn with the truncation trick at this psi (1: none; "
                         "default: the generator's own)")
    ev.add_argument("--json", action="store_true", help="print the results as one JSON object")
    ev.add_argument("--no-reference", action="store_true",
                    help="skip the real-vs-real reference (each metric for half of the real data against the other half)")
    ev.add_argument("--extractor", default="mnist",
                    help="image features: mnist (the shipped classifier, default) or inception (needs --weights)")
    ev.add_argument("--weights", default=None, metavar="PATH",
                    help="InceptionV3 ImageNet weights .h5 for --extractor inception "
                         "(inception_v3_weights_tf_dim_ordering_tf_kernels[_notop].h5)")
    return parser


def _list(args):
    from keras_gans import recipes, zoo

    entries = recipes.list_recipes()
    models = zoo.list()
    width = max(len(n) for n in [*entries, *models])
    print("Recipes (keras-gans train NAME):")
    for name, description in entries.items():
        print(f"  {name:<{width}}  {description}")
    print("Pretrained zoo models (keras-gans sample|eval|export NAME, keras-gans train RECIPE --init NAME):")
    if not models:
        print(f"  (none installed in {zoo.zoo_dir()})")
    for name, description in models.items():
        print(f"  {name:<{width}}  {description}")


def _train(args):
    from keras_gans import recipes
    from keras_gans.training.run import train

    overrides = list(args.set)
    flags = ((args.batch_size, "train.batch_size"), (args.seed, "train.seed"), (args.init, "train.init"),
             (args.freeze_d, "train.freeze_d"), (args.strategy, "strategy"))
    for flag, key in flags:
        if flag is not None:
            overrides.append(f"{key}={flag}")
    name = os.path.splitext(os.path.basename(args.recipe))[0]
    out = args.out or os.path.join("runs", name)
    if args.resume and args.overwrite:
        raise UserError("--resume continues the run in --out and --overwrite replaces it: give one of them")
    if args.resume:  # the folder's own recipe; the command's values are checked against it
        train(None, out, resume=True, verbose=0 if args.quiet else None, steps=args.steps, overrides=overrides)
        return
    if args.steps is not None:
        overrides.append(f"train.steps={args.steps}")
    recipe = recipes.apply_overrides(recipes.load(args.recipe), overrides)
    train(recipe, out, verbose=0 if args.quiet else None, overwrite=args.overwrite)


def _sample(args):
    from keras_gans.training.run import sample

    labels = None
    if args.labels is not None:
        try:
            labels = [int(label) for label in args.labels.split(",") if label.strip()]
        except ValueError:
            raise UserError(f"--labels takes class ids separated by commas (e.g. 0,1,2), got {args.labels!r}") from None
        if not labels:
            raise UserError("--labels needs at least one class id, e.g. --labels 7")
    path = sample(args.run, args.n, args.out, seed=args.seed, labels=labels, codes=args.codes,
                  rejection=not args.no_rejection, interp=args.interp, channels=args.channels, psi=args.psi,
                  mix=args.mix, crossover=args.crossover, truncation=args.truncation)
    if args.mix:
        print(f"wrote the style mixing of {args.mix} sources and {args.mix} destinations to {path}")
    elif args.interp:
        rows = max(1, args.n // args.interp)
        print(f"wrote {rows} latent walks of {args.interp} samples to {path}")
    else:
        print(f"wrote {args.n} samples to {path}")


def _eval(args):
    import json

    from keras_gans.metrics.evaluate import data_kind_of, default_samples, evaluate_run, metrics_of_run
    from keras_gans.metrics.reference import reference_results
    from keras_gans.runs import load_run

    if args.n is not None and args.n < 1:
        raise UserError(f"--n must be at least 1, got {args.n}")
    gan, recipe = load_run(args.run)
    data = recipe["data"]
    if getattr(gan, "translates", False):
        from keras_gans.metrics.translation import evaluate_translation, held_out_pairs, translation_reference

        if args.psi is not None:
            raise UserError(f"{args.run} translates images: --psi is for StyleGAN generators")

        results = evaluate_translation(gan, data, args.metrics, args.n, args.extractor)
        reference = {} if args.no_reference else translation_reference(data, args.metrics, args.n, args.extractor,
                                                                        tuple(gan.directions))
        kind, n, extractor = "pairs", len(held_out_pairs(data, args.n)[0]), args.extractor
    else:
        names = metrics_of_run(gan, args.metrics, data, args.extractor)
        results = evaluate_run(gan, metrics=names, n=args.n, seed=args.seed, extractor=args.extractor,
                               weights_path=args.weights, data=data, psi=args.psi)
        reference = {} if args.no_reference else reference_results(
            data, names, gan.sample_shape, extractor=args.extractor, weights_path=args.weights, seed=args.seed, n=args.n)
        kind = data_kind_of(data)
        n = default_samples(data) if args.n is None else args.n
        extractor = args.extractor if kind == "images" else None
    if args.json:
        print(json.dumps({"run": args.run, "n": n, "seed": args.seed, "extractor": extractor,
                          **({} if args.psi is None else {"psi": args.psi}), "metrics": results,
                          "reference": reference}))
        return
    what = "held-out pairs" if kind == "pairs" else f"samples, seed {args.seed}"
    what += "" if args.psi is None else f", psi {args.psi:g}"
    print(f"{args.run}: {n} {what}" + (f", {extractor} features" if extractor else ""))
    width = max(len("metric"), *(len(key) for key in results))

    def show(value):
        return "" if value is None else str(value) if isinstance(value, int) else format(value, ".6g")

    print(f"{'metric':<{width}}  {'value':<12}" + ("  real vs real" if reference else ""))
    for key, value in results.items():
        print(f"{key:<{width}}  {show(value):<12}" + (f"  {show(reference.get(key))}" if reference else ""))
    if reference:
        print("real vs real: " + {"points": "points drawn from the mixture itself",
                                  "pairs": "the held-out targets' own scores (fid: against the training targets)"}.get(
                                      kind, "as many real samples as evaluated (at most one half of the real data) scored "
                                              "against the other half"))


def _invert(args):
    import time

    import numpy as np

    from keras_gans.runs import load_run
    from keras_gans.inversion import invert
    from keras_gans.utils.images import save_picture
    from keras_gans.utils.picture_tiles import read_images

    if not args.out.endswith((".png", ".npy")):
        raise UserError(f"--out must end in .png (a picture) or .npy (the latent vectors), got {args.out!r}")
    if args.steps < 0:
        raise UserError(f"--steps must be 0 or more, got {args.steps}")
    model, _ = load_run(args.run)
    if model.sample_shape is None or len(model.sample_shape) != 3:
        raise UserError(f"{args.run} does not generate images: invert takes an image model")
    start = time.perf_counter()
    try:
        images = read_images(args.images, model.sample_shape)
        found = invert(model, images, steps=args.steps, feature_weight=args.feature_weight, seed=args.seed,
                       space=args.space)
    except ValueError as e:
        raise UserError(str(e)) from None
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    if args.out.endswith(".npy"):
        np.save(args.out, found.latents)
    else:
        save_picture(args.out, found.picture(images))
    print(f"inverted {len(images)} images in {found.space.upper()} in {time.perf_counter() - start:.1f} s: "
          f"mean squared pixel error "
          f"{found.pixel_errors.mean():.4f} (the nearest random start: {found.start_errors.mean():.4f}); "
          f"wrote {args.out}")


def _translate(args):
    from keras_gans.runs import load_run
    from keras_gans.translating import translate_files

    model, _ = load_run(args.run)
    count = translate_files(model, args.images, args.out, direction=args.direction, domain=args.domain)
    print(f"translated {count} image(s) to {args.out}")


def _export(args):
    from keras_gans.serving import export_gan

    path = export_gan(args.run, args.out, version=args.version, tflite=args.tflite, overwrite=args.overwrite,
                      max_num=args.max_batch, direction=args.direction)
    print(f"exported to {path}")


COMMANDS = {"list": _list, "train": _train, "sample": _sample, "eval": _eval, "invert": _invert, "translate": _translate,
            "export": _export}
#: Commands that need no model and must not import TensorFlow.
LIGHT_COMMANDS = ("list",)
#: Lines TensorFlow writes to stderr at import whatever TF_CPP_MIN_LOG_LEVEL says (absl logs
#: before its log level applies): the oneDNN notice, which keras-gans logs itself in a run's log.
IMPORT_NOISE = ("All log messages before absl::InitializeLog() is called", "oneDNN custom operations are on")


def import_tensorflow_quietly():
    """Imports TensorFlow with its import-time notices (`IMPORT_NOISE`) dropped from stderr; any
    other line it writes is kept. Only when TF_CPP_MIN_LOG_LEVEL hides INFO messages."""
    import tempfile

    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0") in ("", "0"):
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as captured:
        saved = os.dup(2)
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            for line in captured.read().decode(errors="replace").splitlines(keepends=True):
                if not any(noise in line for noise in IMPORT_NOISE):
                    sys.stderr.write(line)
            sys.stderr.flush()


def main(argv=None):
    args = _parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        if args.command not in LIGHT_COMMANDS:
            import_tensorflow_quietly()
        COMMANDS[args.command](args)
        sys.stdout.flush()  # A closed pipe shows here, inside the try, not at interpreter exit.
    except (UserError, TrainingDiverged) as e:
        if os.environ.get("KERAS_GANS_DEBUG"):
            raise
        print(f"keras-gans: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("keras-gans: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `keras-gans list | head`: the reader left; no traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's exit flush must not fail again.
        return 141
    except OSError as e:  # full or read-only disk, permissions, a path that is a file
        if os.environ.get("KERAS_GANS_DEBUG"):
            raise
        print(f"keras-gans: error: {os_error_line(e)}", file=sys.stderr)
        return 1
    return 0


#: What to do about the usual OS failures, by errno name.
OS_ADVICE = {
    "ENOSPC": "free some disk space or choose another --out",
    "EDQUOT": "free some disk space or choose another --out",
    "EROFS": "the file system is read-only: choose a writable --out",
    "EACCES": "no permission: choose a folder you can write (or read) or fix its permissions",
    "EPERM": "no permission: choose a folder you can write (or read) or fix its permissions",
    "ENOTDIR": "a part of the path is a file, not a folder: choose another path",
    "EISDIR": "the path is a folder, not a file: name a file",
    "ENOENT": "check the path",
    "EEXIST": "a file of that name is in the way of a folder: choose another path",
}


def os_error_line(error):
    """One line for an `OSError`: what failed, on which file, and what to do."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    where = f" ({error.filename})" if error.filename else ""
    reason = error.strerror or str(error) or type(error).__name__
    advice = OS_ADVICE.get(name)
    return f"{reason}{where}" + (f": {advice}" if advice else "")


if __name__ == "__main__":
    sys.exit(main())
