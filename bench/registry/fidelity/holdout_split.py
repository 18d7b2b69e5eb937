#!/usr/bin/env python3
"""Splits the real nafld tables into the training half and the held-out half exactly as fit and
evaluate do (pipeline/holdout.hpp): a person is held out when word 0 of Philox4x32-10, keyed by
(run.seed, "hold") and counted by the person's primary key, is below fraction * 2^32. Child rows
follow their person. Writes training/ and holdout/ CSVs (persons, labs, events) into --out."""

import argparse
import os

import pandas as pd

MASK = 0xFFFFFFFF
PURPOSE_HOLDOUT = 0x686F6C64  # "hold", as in pipeline/holdout.hpp


def philox4x32_10(counter, key):
    """Random123's Philox4x32 with 10 rounds (Salmon et al., SC'11), one block."""
    c0, c1, c2, c3 = counter
    k0, k1 = key
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32) ^ c3 ^ k1) & MASK, p0 & MASK
        k0, k1 = (k0 + 0x9E3779B9) & MASK, (k1 + 0xBB67AE85) & MASK
    return c0, c1, c2, c3


def held_out(seed, person_key, fraction):
    if fraction <= 0.0:
        return False
    if fraction >= 1.0:
        return True
    key = (seed & MASK, ((seed >> 32) ^ PURPOSE_HOLDOUT) & MASK)
    k = person_key & 0xFFFFFFFFFFFFFFFF
    word = philox4x32_10((k & MASK, k >> 32, 0, 0), key)[0]
    return word < int(fraction * 4294967296.0)


def main():
    # Random123's known-answer vector for philox4x32_10 (kat_vectors): zero counter, zero key.
    assert philox4x32_10((0, 0, 0, 0), (0, 0)) == (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with nafld1/2/3.csv.gz")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--fraction", type=float, default=0.5)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    persons = pd.read_csv(f"{args.data}/nafld1.csv.gz")
    children = {"labs": pd.read_csv(f"{args.data}/nafld2.csv.gz"), "events": pd.read_csv(f"{args.data}/nafld3.csv.gz")}
    out = persons["id"].map(lambda k: held_out(args.seed, int(k), args.fraction))
    held = set(persons.loc[out, "id"])
    for part, take in (("training", lambda ids: ~ids.isin(held)), ("holdout", lambda ids: ids.isin(held))):
        os.makedirs(f"{args.out}/{part}", exist_ok=True)
        persons[take(persons["id"])].to_csv(f"{args.out}/{part}/persons.csv", index=False)
        for name, table in children.items():
            table[take(table["id"])].to_csv(f"{args.out}/{part}/{name}.csv", index=False)
    print(f"seed {args.seed}: {len(persons) - len(held)} training persons, {len(held)} held out")


if __name__ == "__main__":
    main()
