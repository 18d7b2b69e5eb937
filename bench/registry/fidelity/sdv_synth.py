#!/usr/bin/env python3
"""One SDV peer of the fidelity benchmark: fits on the training rows and samples at our sizes,
writing CSVs into --out. gaussian_copula: GaussianCopulaSynthesizer on one table (persons or
flchain); hma: HMASynthesizer on persons with labs and events (sampled at scale = persons asked /
training persons, so child rows follow the model). Prints the seconds of the fit() and sample()
calls alone (imports, CSV reading and writing excluded; --timings FILE also writes them, and the
CPU seconds of the two calls, all threads, as JSON);
run it under /usr/bin/time -v for the whole process's wall time and peak memory."""

import argparse
import json
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
    parser.add_argument("--timings", help="a JSON file for the fit and sample seconds")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    np.random.seed(args.seed)  # SDV draws from numpy's global state
    # Imports, metadata and CSV reading happen before the clock starts: only fit() and sample() are
    # timed, as ours is timed by its fit and sample stages' own wall times.
    if args.model == "gaussian_copula":
        from sdv.single_table import GaussianCopulaSynthesizer
        columns = PERSONS if args.table == "persons" else FLCHAIN
        metadata = Metadata.load_from_dict({"tables": {args.table: table_metadata(columns, "id" if args.table == "persons" else None)}})
        synthesizer = GaussianCopulaSynthesizer(metadata)
        data = pd.read_csv(args.train, float_precision="round_trip")
        start, cpu_start = time.perf_counter(), time.process_time()
        synthesizer.fit(data)
        fitted = time.perf_counter()
        synthetic = {args.table: synthesizer.sample(num_rows=args.rows)}
    else:
        from sdv.multi_table import HMASynthesizer
        data = {t: pd.read_csv(f"{args.train}/{t}.csv", float_precision="round_trip") for t in ["persons", *CHILDREN]}
        synthesizer = HMASynthesizer(Metadata.load_from_dict(nafld_metadata()))
        start, cpu_start = time.perf_counter(), time.process_time()
        synthesizer.fit(data)
        fitted = time.perf_counter()
        synthetic = synthesizer.sample(scale=args.rows / len(data["persons"]))
    sampled, cpu = time.perf_counter(), time.process_time() - cpu_start
    for name, frame in synthetic.items():
        frame.to_csv(f"{args.out}/{name}.csv", index=False)
    print(f"{args.model} {args.table or 'nafld'}: fit {fitted - start:.3f} s, sample {sampled - fitted:.3f} s, "
          + ", ".join(f"{n} {len(f)} rows" for n, f in synthetic.items()))
    if args.timings:
        with open(args.timings, "w") as f:
            json.dump({"fit_seconds": fitted - start, "sample_seconds": sampled - fitted, "cpu_seconds": cpu}, f)


if __name__ == "__main__":
    main()
