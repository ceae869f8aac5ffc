"""Discriminator rejection sampling (DRS) on image zoo models: domain FID, KID, IS, precision/recall,
the confident share and class shares of 10,000 samples without and with DRS.

`keras_gans.sampling.DiscriminatorRejection` (Azadi et al. 2019) keeps a generated sample with
probability sigmoid(F), F comparing D's logit with the largest one; it applies to discriminators
trained with the minimax or non-saturating loss (others are reported as not applicable). Each
setting scores `gan.generate(n, seed)` of the same zoo model with `keras_gans.metrics.evaluate_run`
(the MNIST classifier's features, as `keras-gans eval`), and records the acceptance rate and the
wall time of sampling + scoring.

    python benchmarks/rejection.py                       # dcgan-mnist, gamma 0 and 80th percentile
    python benchmarks/rejection.py --models dcgan-mnist --percentiles 80 --n 2000 --out /tmp/r.json

Writes JSON to `--out` (default benchmarks/results/rejection.json) and prints a Markdown table.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from speed import machine_at_start, machine_summary, mark_end, set_threads, write_report  # noqa: E402  (benchmarks/speed.py)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["dcgan-mnist"], help="zoo names (default dcgan-mnist)")
    parser.add_argument("--percentiles", nargs="+", default=["none", "80"],
                        help="DRS gamma settings: 'none' (gamma 0) or a percentile (default: none 80)")
    parser.add_argument("--n", type=int, default=10_000, help="samples scored (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the samples and metrics (default 0)")
    parser.add_argument("--threads", type=int, default=0, help="TF threads (default 0: TensorFlow's choice)")
    parser.add_argument("--out", default=os.path.join("benchmarks", "results", "rejection.json"))
    return parser.parse_args(argv)


def settings(percentiles):
    """[(label, DiscriminatorRejection or None)]: the generator alone first."""
    from keras_gans.sampling import DiscriminatorRejection

    rows = [("generator alone", None)]
    for p in percentiles:
        if p == "none":
            rows.append(("DRS, gamma 0", DiscriminatorRejection()))
        else:
            rows.append((f"DRS, gamma = {float(p):g}th percentile", DiscriminatorRejection(gamma_percentile=float(p))))
    return rows


def markdown_table(results, n):
    lines = [f"| zoo model | sampling ({n:,} samples) | domain FID | KID | IS | precision | recall "
             "| classified with p >= 0.9 | class shares | accepted | seconds |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in results:
        if "error" in row:
            lines.append(f"| `{row['model']}` | {row['sampling']} | not applicable: {row['error']} | | | | | | | | |")
            continue
        m = row["metrics"]
        lines.append(f"| `{row['model']}` | {row['sampling']} | {m['fid']:.1f} | {m['kid']:.0f} ± {m['kid_std']:.0f} "
                     f"| {m['is']:.2f} | {m['precision']:.3f} | {m['recall']:.3f} | {100 * m['confident']:.1f}% "
                     f"| {100 * m['class_min']:.1f}-{100 * m['class_max']:.1f}% | {100 * row['acceptance']:.1f}% "
                     f"| {row['seconds']:.0f} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    set_threads(args.threads)
    machine = machine_at_start()
    from keras_gans import zoo
    from keras_gans.metrics.evaluate import evaluate_run

    results = []
    for name in args.models:
        gan = zoo.load(name)
        for label, rejection in settings(args.percentiles):
            gan.rejection = rejection
            row = {"model": name, "sampling": label,
                   "rejection": None if rejection is None else rejection.get_config()}
            if rejection is not None:
                try:
                    rejection.check_loss(gan)
                except ValueError as e:
                    row["error"] = f"{gan.gan_loss.name} loss"
                    results.append(row)
                    print(f"{name}, {label}: {e}", file=sys.stderr)
                    continue
            start = time.time()
            row["metrics"] = evaluate_run(gan, metrics="fid,kid,is,pr,classes", n=args.n, seed=args.seed, data="mnist")
            row["seconds"] = time.time() - start
            row["acceptance"] = 1.0 if rejection is None else gan.rejection_sample(args.n, seed=args.seed)[1]["acceptance"]
            results.append(row)
            print(f"{name}, {label}: FID {row['metrics']['fid']:.1f}, accepted {100 * row['acceptance']:.1f}%, "
                  f"{row['seconds']:.0f} s", file=sys.stderr, flush=True)
    mark_end(machine)
    table = markdown_table(results, args.n)
    report = {"benchmark": "rejection", "machine": machine, "settings": vars(args), "results": results,
              "table": table}
    write_report(args.out, report)
    print(f"{machine_summary(machine)}\n")
    print(table)
    print(f"\nWrote {args.out}")
    return report


if __name__ == "__main__":
    main()
