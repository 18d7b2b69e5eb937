#!/usr/bin/env python3
"""One SDV peer of the fidelity benchmark: fits on the training rows and samples at our sizes,
writing CSVs into --out. gaussian_copula: GaussianCopulaSynthesizer on one table (persons or
flchain); hma: HMASynthesizer on persons with labs and events (sampled at scale = persons asked /
training persons, so child rows follow the model). Prints fit and sample seconds; run it under
/usr/bin/time -v for wall time and peak memory."""

import argparse
import os
import time

import numpy as np
import pandas as pd
from sdv.metadata import Metadata

from tables import CHILDREN, FLCHAIN, PERSONS, nafld_metadata, table_metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["gaussian_copula", "hma"])
    parser.add_argument("--table", choices=["persons", "flchain"], help="gaussian_copula: which table")
    parser.add_argument("--train", required=True, help="a CSV (gaussian_copula) or a folder of CSVs (hma)")
    parser.add_argument("--rows", type=int, required=True, help="rows (persons) to sample")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    np.random.seed(args.seed)  # SDV draws from numpy's global state
    start = time.perf_counter()
    if args.model == "gaussian_copula":
        from sdv.single_table import GaussianCopulaSynthesizer
        columns = PERSONS if args.table == "persons" else FLCHAIN
        metadata = Metadata.load_from_dict({"tables": {args.table: table_metadata(columns, "id" if args.table == "persons" else None)}})
        synthesizer = GaussianCopulaSynthesizer(metadata)
        synthesizer.fit(pd.read_csv(args.train, float_precision="round_trip"))
        fitted = time.perf_counter()
        synthetic = {args.table: synthesizer.sample(num_rows=args.rows)}
    else:
        from sdv.multi_table import HMASynthesizer
        data = {t: pd.read_csv(f"{args.train}/{t}.csv", float_precision="round_trip") for t in ["persons", *CHILDREN]}
        synthesizer = HMASynthesizer(Metadata.load_from_dict(nafld_metadata()))
        synthesizer.fit(data)
        fitted = time.perf_counter()
        synthetic = synthesizer.sample(scale=args.rows / len(data["persons"]))
    sampled = time.perf_counter()
    for name, frame in synthetic.items():
        frame.to_csv(f"{args.out}/{name}.csv", index=False)
    print(f"{args.model} {args.table or 'nafld'}: fit {fitted - start:.1f} s, sample {sampled - fitted:.1f} s, "
          + ", ".join(f"{n} {len(f)} rows" for n, f in synthetic.items()))


if __name__ == "__main__":
    main()
