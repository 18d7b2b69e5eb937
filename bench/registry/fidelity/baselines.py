#!/usr/bin/env python3
"""The floor and the ceiling of the fidelity benchmark, drawn from the training rows at our sizes
(as many persons, and flchain rows, as our sample has):
  floor: every column resampled independently (with replacement) from the training rows; for
    nafld, a person's number of labs and of events are resampled as two more independent columns
    and the child rows' columns are resampled independently of each other and of the person;
  ceiling: a bootstrap of the training rows; for nafld, of the training persons, each drawn person
    bringing all their lab and event rows.
Synthetic persons get ids 1..N and children the id of their synthetic person. Writes
OUT/{floor,ceiling}/{persons,labs,events,flchain}.csv."""

import argparse
import os

import numpy as np
import pandas as pd

from tables import CHILDREN


def independent(frame, rows, rng):
    return pd.DataFrame({c: frame[c].to_numpy()[rng.integers(0, len(frame), rows)] for c in frame.columns})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", required=True, help="holdout_split.py output (training/*.csv)")
    parser.add_argument("--flchain", required=True, help="flchain.csv.gz (all rows are training)")
    parser.add_argument("--ours", required=True, help="our exported nafld sample (sizes)")
    parser.add_argument("--ours-flchain", required=True, help="our exported flchain sample (sizes)")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    persons = pd.read_csv(f"{args.split}/training/persons.csv", float_precision="round_trip")
    children = {t: pd.read_csv(f"{args.split}/training/{t}.csv", float_precision="round_trip") for t in CHILDREN}
    flchain = pd.read_csv(args.flchain, float_precision="round_trip")
    n = len(pd.read_csv(f"{args.ours}/persons.csv", usecols=[0]))
    n_flchain = len(pd.read_csv(f"{args.ours_flchain}/flchain.csv", usecols=[0]))
    for kind in ("floor", "ceiling"):
        os.makedirs(f"{args.out}/{kind}", exist_ok=True)

    # Floor.
    synthetic = independent(persons, n, rng)
    synthetic["id"] = np.arange(1, n + 1)
    synthetic.to_csv(f"{args.out}/floor/persons.csv", index=False)
    for name, table in children.items():
        counts = table.groupby("id").size().reindex(persons["id"], fill_value=0).to_numpy()
        per_person = counts[rng.integers(0, len(counts), n)]
        rows = independent(table.drop(columns="id"), int(per_person.sum()), rng)
        rows.insert(0, "id", np.repeat(np.arange(1, n + 1), per_person))
        rows.to_csv(f"{args.out}/floor/{name}.csv", index=False)
    independent(flchain, n_flchain, rng).to_csv(f"{args.out}/floor/flchain.csv", index=False)

    # Ceiling.
    drawn = rng.integers(0, len(persons), n)
    synthetic = persons.iloc[drawn].reset_index(drop=True)
    new_id = np.arange(1, n + 1)
    synthetic["id"] = new_id
    synthetic.to_csv(f"{args.out}/ceiling/persons.csv", index=False)
    for name, table in children.items():
        table = table.sort_values("id", kind="stable")
        start = np.searchsorted(table["id"].to_numpy(), persons["id"].to_numpy(), side="left")
        stop = np.searchsorted(table["id"].to_numpy(), persons["id"].to_numpy(), side="right")
        pieces = [np.arange(start[p], stop[p]) for p in drawn]
        index = np.concatenate(pieces)
        rows = table.iloc[index].reset_index(drop=True)
        rows["id"] = np.repeat(new_id, [len(p) for p in pieces])
        rows.to_csv(f"{args.out}/ceiling/{name}.csv", index=False)
    flchain.iloc[rng.integers(0, len(flchain), n_flchain)].to_csv(f"{args.out}/ceiling/flchain.csv", index=False)
    print(f"  floor and ceiling: {n} persons, {n_flchain} flchain rows")


if __name__ == "__main__":
    main()
