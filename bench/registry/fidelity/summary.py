#!/usr/bin/env python3
"""Puts the fidelity benchmark's scores together (every scores-*.json that score.py wrote in the
work folder) as one markdown table, means over the seeds with each seed's value, and the cost of
each generator per table set: fit + sample wall (ours: the stages' wall from provenance.json;
SDV: sdv_synth.py's own timing) and peak memory (ours: sum over ranks; SDV: /usr/bin/time -v)."""

import argparse
import glob
import json
import os
import re

import numpy as np


def ours(run_dir):
    stages = json.load(open(f"{run_dir}/provenance.json"))["stages"]
    seconds = stages["fit"]["wall_seconds"] + stages["sample"]["wall_seconds"]
    peak = max(sum(r["peak_resident_bytes"] for r in stages[s]["per_rank"]) for s in ("fit", "sample"))
    return seconds, peak / 2**20


def sdv(name):
    fit, sample = map(float, re.search(r"fit ([\d.]+) s, sample ([\d.]+) s", open(f"{name}.log").read()).groups())
    kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", open(f"{name}.time").read()).group(1))
    return fit + sample, kib / 1024


def cost(seeds, runs):
    """'label: mean s (per seed), peak MiB' for each (label, function, name pattern)."""
    parts = []
    for label, measure, pattern in runs:
        values = [measure(pattern.format(seed=s)) for s in seeds if os.path.exists(pattern.format(seed=s) + ("" if measure is ours else ".time"))]
        if values:
            parts.append(f"{label} {np.mean([v[0] for v in values]):.1f} s ({' / '.join(f'{v[0]:.1f}' for v in values)}), "
                         f"{max(v[1] for v in values):.0f} MiB")
    return "; ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    os.chdir(args.work)
    results = {}
    for path in sorted(glob.glob("scores-*.json")):
        for name, per_seed in json.load(open(path)).items():
            results.setdefault(name, {}).update(per_seed)
    seeds = sorted({int(s) for per_seed in results.values() for s in per_seed})
    costs = {
        "ours": [("nafld", ours, "ours-{seed}"), ("flchain", ours, "ours-flchain-{seed}")],
        "ours, epsilon = 1": [("nafld", ours, "ours-dp-{seed}")],
        "SDV GaussianCopula": [("persons", sdv, "sdv-gc-persons-{seed}"), ("flchain", sdv, "sdv-gc-flchain-{seed}")],
        "ours (subset)": [("nafld subset", ours, "ours-sub-{seed}")],
        "SDV HMA (subset)": [("nafld subset", sdv, "sdv-hma-{seed}")],
    }
    keys = ["persons_quality", "dcr_overfitting_protection", "flchain_quality", "multi_table_quality",
            "labs_cardinality", "events_cardinality", "persons_quality_subset"]
    print(f"seeds {seeds}")
    print("| generator | " + " | ".join(keys) + " | fit + sample, peak memory |")
    print("|---" * (len(keys) + 2) + "|")
    for name, per_seed in results.items():
        cells = []
        for k in keys:
            values = [per_seed[s][k] for s in sorted(per_seed, key=int) if k in per_seed[s]]
            cells.append("" if not values else f"{np.mean(values):.4f} ({' / '.join(f'{x:.4f}' for x in values)})")
        print(f"| {name} | " + " | ".join(cells) + f" | {cost(seeds, costs.get(name, []))} |")


if __name__ == "__main__":
    main()
