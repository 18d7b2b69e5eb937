#!/usr/bin/env python3
"""Scores every generator of the fidelity benchmark (run.sh's work folder) with SDMetrics against
the real tables and prints one table, means over the seeds:
  persons quality: single_table QualityReport on nafld1 (all 17,549 real persons, no subsampling);
  DCROverfittingProtection: sdmetrics' metric, training half as training, held-out half as
    validation, on --dcr-rows synthetic persons (sdmetrics' num_rows_subsample; numpy seeded);
  flchain quality: single_table QualityReport;
  nafld multi-table: multi_table QualityReport (score, and its Cardinality property per child
    table, which is CardinalityShapeSimilarity); HMA and ours on the id subset (see run.sh) are
    scored against the real tables of that subset;
  fit + sample wall and peak memory: ours from provenance.json (stage walls; sum over ranks of the
    per-rank peaks of the larger stage), SDV's fit + sample as sdv_synth.py timed them and its
    peak from /usr/bin/time -v (maximum resident set size; process_seconds: the whole process).
Writes scores-SEEDS.json beside the table."""

import argparse
import json
import os
import re
import time

import numpy as np
from sdmetrics.reports.multi_table import QualityReport as MultiQuality
from sdmetrics.reports.single_table import QualityReport
from sdmetrics.single_table import DCROverfittingProtection

from tables import CHILDREN, FLCHAIN, PERSONS, nafld_metadata, read, table_metadata


def single_quality(real, synthetic, columns):
    report = QualityReport()
    report.generate(real, synthetic, table_metadata(columns), verbose=False)
    return report.get_score()


def multi_quality(real, synthetic):
    report = MultiQuality()
    report.generate(real, synthetic, nafld_metadata(), verbose=False)
    card = report.get_details("Cardinality")
    return {"multi_table_quality": report.get_score(),
            **{f"{t}_cardinality": float(card.loc[card["Child Table"] == t, "Score"].iloc[0]) for t in CHILDREN}}


def nafld(folder):
    return {"persons": read(f"{folder}/persons.csv", PERSONS),
            **{t: read(f"{folder}/{t}.csv", c) for t, c in CHILDREN.items()}}


def ours_cost(*run_dirs):
    seconds, peak = 0.0, 0
    for d in run_dirs:
        stages = json.load(open(f"{d}/provenance.json"))["stages"]
        seconds += stages["fit"]["wall_seconds"] + stages["sample"]["wall_seconds"]
        peak = max(peak, *(sum(r["peak_resident_bytes"] for r in stages[s]["per_rank"]) for s in ("fit", "sample")))
    return seconds, peak / 2**20


def sdv_cost(name):
    """Fit + sample seconds as sdv_synth.py measured them (imports and CSV I/O left out, as our
    stage walls leave out MPI start-up), peak memory from /usr/bin/time -v."""
    fit, sample = map(float, re.search(r"fit ([\d.]+) s, sample ([\d.]+) s", open(f"{name}.log").read()).groups())
    text = open(f"{name}.time").read()
    parts = [float(p) for p in re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":")]
    process = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    return fit + sample, kib / 1024, process


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--ranks", type=int, default=2)
    parser.add_argument("--dcr-rows", type=int, default=2000)
    args = parser.parse_args()
    os.chdir(args.work)
    real = {"persons": read(f"{args.data}/nafld1.csv.gz", PERSONS),
            **{t: read(f"{args.data}/nafld{2 if t == 'labs' else 3}.csv.gz", c) for t, c in CHILDREN.items()}}
    real_sub = {"persons": read("sub/nafld1.csv.gz", PERSONS),
                **{t: read(f"sub/nafld{2 if t == 'labs' else 3}.csv.gz", c) for t, c in CHILDREN.items()}}
    real_flchain = read(f"{args.data}/flchain.csv.gz", FLCHAIN)
    dcr_metadata = table_metadata(PERSONS)
    results = {}
    for seed in args.seeds:
        training = read(f"split{seed}/training/persons.csv", PERSONS)
        holdout = read(f"split{seed}/holdout/persons.csv", PERSONS)
        generators = {
            "floor": (f"baselines-{seed}/floor", f"baselines-{seed}/floor/flchain.csv", None),
            "ceiling": (f"baselines-{seed}/ceiling", f"baselines-{seed}/ceiling/flchain.csv", None),
            "ours": (f"ours-{seed}/export/sample", f"ours-flchain-{seed}/export/sample/flchain.csv",
                     ours_cost(f"ours-{seed}", f"ours-flchain-{seed}")),
            "ours, epsilon = 1": (f"ours-dp-{seed}/export/sample", None, ours_cost(f"ours-dp-{seed}")),
            "SDV GaussianCopula": (None, f"sdv-gc-{seed}/flchain.csv", None),
        }
        for name, (folder, flchain, cost) in generators.items():
            start = time.perf_counter()
            row = results.setdefault(name, {}).setdefault(seed, {})
            persons = read(f"sdv-gc-{seed}/persons.csv", PERSONS) if name.startswith("SDV") else read(f"{folder}/persons.csv", PERSONS)
            row["persons_quality"] = single_quality(real["persons"], persons, PERSONS)
            np.random.seed(seed)
            row["dcr_overfitting_protection"] = DCROverfittingProtection.compute(
                training, persons, holdout, dcr_metadata, num_rows_subsample=args.dcr_rows)
            if flchain:
                row["flchain_quality"] = single_quality(real_flchain, read(flchain, FLCHAIN), FLCHAIN)
            if folder:
                row.update(multi_quality(real, nafld(folder)))
            if cost:
                row["seconds"], row["peak_mib"] = cost
            print(f"  seed {seed} {name}: {json.dumps({k: round(v, 4) for k, v in row.items()})} "
                  f"(scored in {time.perf_counter() - start:.0f} s)", flush=True)
        gc = results["SDV GaussianCopula"][seed]
        costs = [sdv_cost(f"sdv-gc-persons-{seed}"), sdv_cost(f"sdv-gc-flchain-{seed}")]
        gc["seconds"], gc["peak_mib"] = sum(c[0] for c in costs), max(c[1] for c in costs)
        gc["process_seconds"] = sum(c[2] for c in costs)
        # HMA and ours on the id subset.
        for name, folder, cost in (("ours (subset)", f"ours-sub-{seed}/export/sample", ours_cost(f"ours-sub-{seed}")),
                                   ("SDV HMA (subset)", f"sdv-hma-{seed}", sdv_cost(f"sdv-hma-{seed}"))):
            if not os.path.exists(f"{folder}/persons.csv"):
                print(f"  seed {seed} {name}: no output")
                continue
            row = results.setdefault(name, {}).setdefault(seed, {})
            synthetic = nafld(folder)
            row["persons_quality_subset"] = single_quality(real_sub["persons"], synthetic["persons"], PERSONS)
            row.update(multi_quality(real_sub, synthetic))
            row["seconds"], row["peak_mib"] = cost[:2]
            if len(cost) > 2:
                row["process_seconds"] = cost[2]
            print(f"  seed {seed} {name}: {json.dumps({k: round(v, 4) for k, v in row.items()})}", flush=True)
    json.dump(results, open("scores-" + "-".join(map(str, args.seeds)) + ".json", "w"), indent=1)
    keys = ["persons_quality", "dcr_overfitting_protection", "flchain_quality", "multi_table_quality",
            "labs_cardinality", "events_cardinality", "persons_quality_subset", "seconds", "process_seconds", "peak_mib"]
    print("| generator | " + " | ".join(keys) + " |")
    for name, per_seed in results.items():
        cells = []
        for k in keys:
            values = [v[k] for v in per_seed.values() if k in v]
            cells.append("" if not values else f"{np.mean(values):.4f} ({' / '.join(f'{x:.4f}' for x in values)})"
                         if k not in ("seconds", "process_seconds", "peak_mib") else f"{np.mean(values):.1f}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
