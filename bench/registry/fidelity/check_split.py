#!/usr/bin/env python3
"""Checks that the training half written by holdout_split.py is the one our fit used: the
training row counts of every table must equal the fit's rows_fit (store/fit/index.json)."""

import argparse
import json

import pandas as pd


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", required=True)
    parser.add_argument("--fit", required=True, help="store/fit/index.json of our fit on the same seed")
    args = parser.parse_args()
    fitted = json.load(open(args.fit))["summary"]["tables"]
    for table, info in fitted.items():
        rows = len(pd.read_csv(f"{args.split}/training/{table}.csv", usecols=[0]))
        assert rows == info["rows_fit"], f"{table}: {rows} training rows here, fit used {info['rows_fit']}"
    print("  split matches the fit:", {t: i["rows_fit"] for t, i in fitted.items()})


if __name__ == "__main__":
    main()
