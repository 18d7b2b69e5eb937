#!/usr/bin/env python3
"""Times sdmetrics' single-table QualityReport and calculate_dcr (what DCROverfittingProtection
calls, once to training and once to hold-out rows) on the first n rows of a real and a synthetic
CSV (nafld1's columns), n doubling from 1,000 while the next size is expected to fit the time
budget of each (QualityReport grows about linearly, DCR quadratically). Prints one line per size
and the time extrapolated to the full size."""

import argparse
import time
from importlib.metadata import version

import pandas as pd
from sdmetrics.reports.single_table import QualityReport
from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr

SDTYPES = {"id": "id", "age": "numerical", "male": "categorical", "weight": "numerical", "height": "numerical",
           "bmi": "numerical", "case.id": "id", "futime": "numerical", "status": "categorical"}


def sizes(limit, budget, growth, run):
    spent, n, last = 0.0, 1000, None
    while n <= limit:
        expected = 0.0 if last is None else last[1] * (n / last[0]) ** growth
        if spent + expected > budget:
            break
        start = time.perf_counter()
        what = run(n)
        seconds = time.perf_counter() - start
        spent += seconds
        last = (n, seconds)
        print(f"  n = {n:>9,} {seconds:9.2f} s  {what}", flush=True)
        n = min(n * 2, limit) if n < limit else limit + 1
    return last


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", required=True)
    parser.add_argument("--synthetic", required=True)
    parser.add_argument("--budget", type=float, default=240.0, help="seconds for each of the two, all sizes together")
    args = parser.parse_args()
    real = pd.read_csv(args.real, float_precision="round_trip")
    synthetic = pd.read_csv(args.synthetic, float_precision="round_trip")
    metadata = {"columns": {c: {"sdtype": s} for c, s in SDTYPES.items()}}
    full = min(len(real), len(synthetic))
    print(f"sdmetrics {version('sdmetrics')}, budget {args.budget:.0f} s each; "
          f"command: python {__file__} --real {args.real} --synthetic {args.synthetic} --budget {args.budget:.0f}")

    def quality(n):
        report = QualityReport()
        report.generate(real.iloc[:n].copy(), synthetic.iloc[:n].copy(), metadata, verbose=False)
        return f"QualityReport score {report.get_score():.4f}"
    print("QualityReport, n real x n synthetic rows (contingency pairs subsampled to 50,000 rows by sdmetrics):")
    last = sizes(full, args.budget, 1, quality)
    if last and last[0] < full:
        print(f"  extrapolated {full:,} x {full:,}: {last[1] * full / last[0]:.0f} s (linear)")

    # Training and hold-out as the evaluate benchmark splits them: half the real rows each.
    def dcr(n):
        d = calculate_dcr(synthetic.iloc[:n], real.iloc[: n // 2], metadata)
        return f"DCR to {n // 2:,} reference rows, median {d.median():.4f}"
    print("calculate_dcr (n synthetic rows to n/2 reference rows, one of the two DCRs):")
    last = sizes(full, args.budget, 2, dcr)
    if last:
        print(f"  extrapolated {full:,} x {full // 2:,}: {last[1] * (full / last[0]) ** 2:.0f} s per DCR (quadratic)")


if __name__ == "__main__":
    main()
