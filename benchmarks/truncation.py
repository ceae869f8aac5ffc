"""The truncation curve of a StyleGAN model: quality against variety as psi shrinks.

The truncation trick (Karras et al. 2019, arXiv:1812.04948, Appendix B) draws w' = w_avg +
psi * (w - w_avg): psi = 1 is the generator itself, smaller psi pulls every sample towards the
average style, trading recall (variety) for precision (typical, cleaner samples). For each psi,
`keras_gans.metrics.evaluate.evaluate_run(..., psi=psi)` (what `keras-gans eval RUN --psi P`
runs) scores `--n` samples with the shipped MNIST classifier's features: domain FID,
precision/recall (k = 3), the share classified with p >= 0.9 and the rarest and commonest class.

    python benchmarks/truncation.py --run RUN_DIR_OR_ZOO_NAME          # psi 0.5, 0.7, 0.85, 1.0
    python benchmarks/truncation.py --run RUN --psi 0.5 1 --n 500 --out /tmp/t.json --plot /tmp/t.png  # smoke

Writes JSON (`--out`), a PNG plot (`--plot`) and prints a Markdown table.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from plot import draw_panels  # noqa: E402  (benchmarks/plot.py)
from speed import finish_report, machine_at_start, set_threads  # noqa: E402  (benchmarks/speed.py)

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", default="stylegan-mnist", help="a StyleGAN run folder or zoo name")
    parser.add_argument("--psi", type=float, nargs="+", default=[0.5, 0.7, 0.85, 1.0], help="psi values")
    parser.add_argument("--n", type=int, default=10000, help="samples per psi (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the latents and real subsets (default 0)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join(RESULTS, "truncation.json"))
    parser.add_argument("--plot", default=os.path.join(RESULTS, "truncation.png"))
    parser.add_argument("--label", default=None, help="what the plot's title calls the model (default: --run)")
    return parser.parse_args(argv)


def markdown_table(results, n):
    lines = [f"| psi | domain FID | precision | recall | confident (p >= 0.9) | classes | seconds ({n:,} samples) |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for row in results:
        lines.append(f"| {row['psi']:g} | {row['fid']:.1f} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{100 * row['confident']:.1f}% | {100 * row['class_min']:.1f}-{100 * row['class_max']:.1f}% | "
                     f"{row['seconds']:.0f} |")
    return "\n".join(lines)


def draw_plot(report, path):
    """Two panels against psi: domain FID; precision, recall and the confident share."""
    rows, machine = report["results"], report["machine"]
    psis = [row["psi"] for row in rows]
    x = (min(psis + [0.5]) - 0.05, max(psis + [1.0]) + 0.05)
    fids = [row["fid"] for row in rows]
    legend = ["domain FID", "precision", "recall", "confident (p >= 0.9)"]
    panels = [{"title": "domain FID (lower: closer to the digits)", "xlabel": "psi", "x": x,
               "y": (0.0, max(fids) * 1.1), "series": {"domain FID": [(r["psi"], r["fid"]) for r in rows]}},
              {"title": "precision, recall and confident share", "xlabel": "psi", "x": x, "y": (0.0, 1.0),
               "series": {key: [(r["psi"], r[name]) for r in rows]
                          for key, name in zip(legend[1:], ("precision", "recall", "confident"))}}]
    label = report["settings"].get("label") or report["settings"]["run"]
    draw_panels(path, f"Truncation curve of {label} (MNIST classifier features)",
                f"{machine['date']}, {machine['cpu']}, TF {machine['tensorflow']}; {report['settings']['n']} "
                "samples per psi", panels, legend)


def main(argv=None):
    args = parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras_gans  # noqa: F401  (its oneDNN choice applies before TensorFlow loads, as for users)

    set_threads(args.threads)
    machine = machine_at_start()
    from keras_gans.metrics.evaluate import evaluate_run
    from keras_gans.runs import load_run

    gan, recipe = load_run(args.run)
    results = []
    for psi in args.psi:
        start = time.time()
        metrics = evaluate_run(gan, metrics="fid,pr,classes", n=args.n, seed=args.seed, data=recipe["data"], psi=psi)
        row = {"psi": psi, **metrics, "seconds": time.time() - start}
        results.append(row)
        print(f"psi {psi:g}: FID {row['fid']:.1f}, precision {row['precision']:.3f}, recall {row['recall']:.3f}, "
              f"confident {100 * row['confident']:.1f}%, {row['seconds']:.0f} s", file=sys.stderr, flush=True)
    report = finish_report(args.out, "truncation", machine, vars(args), results, markdown_table(results, args.n))
    draw_plot(report, args.plot)
    print(f"Wrote {args.plot}")
    return report


if __name__ == "__main__":
    main()
