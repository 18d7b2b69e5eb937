#!/usr/bin/env python3
"""Times sdmetrics' DCR (dcr_utils.calculate_dcr, what DCRBaselineProtection and
DCROverfittingProtection call) on n synthetic x n real rows of the sample dcr_bench wrote, for n
doubling from 1,000 while the next size is expected to finish within the time budget (its time
grows with n^2). Prints one line per size and the extrapolated time for the largest n asked."""

import argparse
import json
import time

import pandas as pd
from importlib.metadata import version
from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", required=True, help="folder with real.csv and synthetic.csv (dcr_bench --sample)")
    parser.add_argument("--tables", required=True, help="tables.json of the cross-check (nafld1's typing)")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds for all sizes together")
    parser.add_argument("--extrapolate-to", type=int, default=100000, help="rows per side to extrapolate to")
    args = parser.parse_args()
    spec = {t["name"]: t for t in json.load(open(args.tables))["tables"]}["nafld1"]
    metadata = {"columns": {name: {"sdtype": sdtype} for name, sdtype in spec["columns"] if sdtype != "id"}}
    real = pd.read_csv(f"{args.sample}/real.csv", float_precision="round_trip")
    synthetic = pd.read_csv(f"{args.sample}/synthetic.csv", float_precision="round_trip")
    print(f"sdmetrics {version('sdmetrics')} calculate_dcr, {len(metadata['columns'])} columns, budget {args.budget:.0f} s")
    print(f"  command: python {__file__} --sample {args.sample} --tables {args.tables} --budget {args.budget:.0f}")
    spent, n, last = 0.0, 1000, None
    while n <= min(len(real), len(synthetic)):
        expected = 0.0 if last is None else last[1] * (n / last[0]) ** 2
        if spent + expected > args.budget:
            break
        start = time.perf_counter()
        calculate_dcr(synthetic.iloc[:n], real.iloc[:n], metadata)
        seconds = time.perf_counter() - start
        spent += seconds
        last = (n, seconds)
        print(f"  {n:>7} x {n:<7} {seconds:9.2f} s  ({n * n / seconds:.3g} pairs/s)")
        n *= 2
    if last is not None:
        m = args.extrapolate_to
        print(f"  extrapolated {m} x {m}: {last[1] * (m / last[0]) ** 2:.0f} s "
              f"(quadratic from {last[0]} x {last[0]})")


if __name__ == "__main__":
    main()
