"""How many times each family's train step compiles under XLA in a short `fit`, and whether it runs.

A step that compiles more than once recompiles at every step (a tensor XLA made a compile-time
constant, e.g. one derived from the step counter), which makes XLA useless for that family; a
step that fails to compile fails every `jit_compile=True` run (and "auto" on an accelerator).
Each family is trained with its test file's tiny recipe (`tests/test_*.py`, `tiny()`) for
`--steps` steps with `jit_compile=True` on a fixed batch size (as `keras-gans train` batches), one
process per family (TensorFlow's compile log is switched on before TensorFlow loads):

    python benchmarks/xla_compiles.py              # every family, a table
    python benchmarks/xla_compiles.py progan cyclegan  # some
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.join(os.path.dirname(HERE), "tests")

# (family, test module, its tiny recipe, its batches: a function of that module, or "-" for the
# helper's labelled MNIST batches)
TINY_STYLEGAN = ("recipes.apply_overrides(recipes.load('stylegan-mnist'), ['model.latent_dim=8', "
                 "'model.generator.base_filters=4', 'model.generator.max_filters=8', 'model.generator.mapping_layers=1', "
                 "'model.discriminator.base_filters=4', 'model.discriminator.max_filters=8'])")
TINY_DCGAN = ("recipes.apply_overrides(recipes.load('dcgan-mnist'), ['model.latent_dim=8', "
              "'model.generator.base_filters=4', 'model.discriminator.base_filters=4'])")
FAMILIES = [
    ("dcgan", "test_progan", TINY_DCGAN, "-"),
    ("cgan", "test_conditional", "tiny('cgan-mnist')", "-"),
    ("acgan", "test_conditional", "tiny('acgan-mnist')", "-"),
    ("projection", "test_conditional", "tiny('projection-mnist')", "-"),
    ("infogan", "test_conditional", "tiny('infogan-mnist')", "-"),
    ("infogan-points", "test_infogan_points", "tiny()", "points"),
    ("pacgan", "test_pack_samples", "tiny()", "stacked_batches"),
    ("diffaugment", "test_diff_augment", "tiny()", "-"),
    ("bigan", "test_bigan", "tiny()", "-"),
    ("vaegan", "test_vaegan", "tiny()", "-"),
    ("began", "test_began", "tiny()", "-"),
    ("progan", "test_progan", "tiny()", "digits"),
    ("stylegan", "test_progan", TINY_STYLEGAN, "digits"),
    ("stargan", "test_stargan", "tiny()", "styled_batches"),
    ("srgan", "test_srgan", "tiny()", "pairs"),
    ("pix2pix", "test_pix2pix", "tiny()", "pairs"),
    ("cyclegan", "test_cyclegan", "tiny()", "domains"),
    ("unit", "test_unit", "tiny()", "domains"),
]

MARK = "XLA_COMPILES_DONE"


def run_one(module, recipe_expression, batches_name, steps, batch_size=8):
    """In this process (TensorFlow's compile log already on): trains and prints the step count."""
    import importlib

    sys.path.insert(0, TESTS)
    import keras_gans  # noqa: F401  (first: the CPU-kernel choice, as for users)

    tests = importlib.import_module(module)
    import model_helpers

    recipe = eval(recipe_expression, vars(tests))  # noqa: S307  (a tiny() call from FAMILIES)
    batches = model_helpers.labelled_batches if batches_name == "-" else getattr(tests, batches_name)
    model = model_helpers.built(recipe, jit_compile=True)
    data = batches().unbatch().batch(batch_size, drop_remainder=True).repeat()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    print(MARK, int(model.step_counter.numpy()), file=sys.stderr)


def measure(spec, steps):
    """`(compiles, steps run or None, seconds)` of one family, in a child process."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0", "TF_CPP_VMODULE": "device_compiler=1"}
    start = time.perf_counter()
    child = subprocess.run([sys.executable, __file__, "--child", *spec, "--steps", str(steps)], env=env,
                           capture_output=True, text=True)
    seconds = time.perf_counter() - start
    log = child.stderr
    compiles = log.count("Compilation of XLA executable")
    done = [line.split()[-1] for line in log.splitlines() if line.startswith(MARK)]
    return compiles, (int(done[0]) if done else None), seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("families", nargs="*", help="families to check (default: all)")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--child", nargs=3, metavar=("MODULE", "RECIPE", "BATCHES"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_one(*args.child, steps=args.steps)
        return 0
    unknown = set(args.families) - {f[0] for f in FAMILIES}
    if unknown:
        parser.error(f"unknown famil(ies) {sorted(unknown)}; known: {[f[0] for f in FAMILIES]}")
    families = [f for f in FAMILIES if not args.families or f[0] in args.families]
    print(f"| family | test module | XLA compiles in {args.steps} steps | ran | seconds |")
    print("|---|---|---:|---|---:|")
    failures = 0
    for family, *spec in families:
        compiles, ran, seconds = measure(spec, args.steps)
        ok = ran == args.steps and compiles == 1
        failures += not ok
        print(f"| {family} | `{spec[0]}` | {compiles} | {'yes' if ran == args.steps else 'FAILED'} | "
              f"{seconds:.0f} |", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
