#!/usr/bin/env python3
"""SDMetrics' numbers for the cross-check, printed as JSON.

Reads tables.json (the tables, their column typing and the row split), the CSV files it names
under --data, and the random baseline rows our DCRBaselineProtection draws (written by
write_dcr_baseline under --baseline-dir), and writes what sdmetrics computes on them:
QualityReport (the 0.27 thresholded report and its details), the ColumnPairTrends property
without thresholds, ContingencySimilarity with continuous_column_names (the shared-bin variant we
report as ours), calculate_dcr per synthetic row, DCROverfittingProtection,
DCRBaselineProtection (fed our random rows), and DisclosureProtection. NaN becomes null.
"""

import argparse
import itertools
import json
import math
import sys
from importlib.metadata import version

import numpy as np
import pandas as pd
from sdmetrics.column_pairs.statistical import ContingencySimilarity, CorrelationSimilarity
from sdmetrics.reports.single_table import QualityReport
from sdmetrics.reports.single_table._properties import ColumnPairTrends
from sdmetrics.single_table.privacy import (
    DCRBaselineProtection,
    DCROverfittingProtection,
    DisclosureProtection,
)
from sdmetrics.single_table.privacy.dcr_utils import calculate_dcr


def number(x):
    """A JSON number, or null for NaN and missing."""
    if x is None or x is pd.NA:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def flag(x):
    return None if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)) else bool(x)


def read_table(path):
    # round_trip: the decimal strings become the correctly rounded doubles, as in our C++ reader.
    return pd.read_csv(path, float_precision="round_trip")


def mean_present(values):
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def shared_bin_pairs(real, synthetic, columns):
    """Our pair trends variant: SDMetrics' own ContingencySimilarity with continuous columns cut
    by sdmetrics.utils.discretize_column (real edges, outer edges open, missing in its own bin)."""
    details = []
    for first, second in itertools.combinations(columns, 2):
        sdtypes = (columns[first], columns[second])
        pair = [first, second]
        entry = {"column_1": first, "column_2": second}
        try:
            if sdtypes == ("numerical", "numerical"):
                result = CorrelationSimilarity.compute_breakdown(real[pair], synthetic[pair])
                entry["score"] = number(result["score"])
                entry["real_association"] = None
                real_r = result["real"]
                entry["meets_threshold"] = bool(not np.isnan(real_r) and abs(real_r) > 0.5)
            else:
                continuous = [c for c in pair if columns[c] == "numerical"] or None
                entry["score"] = number(ContingencySimilarity.compute(
                    real[pair], synthetic[pair], continuous_column_names=continuous))
                thresholded = ContingencySimilarity.compute_breakdown(
                    real[pair], synthetic[pair], continuous_column_names=continuous,
                    real_association_threshold=0.3)
                entry["real_association"] = number(thresholded["real_association"])
                entry["meets_threshold"] = bool(
                    entry["real_association"] is not None and entry["real_association"] > 0.3)
        except Exception as error:  # SDMetrics gives such a pair no score
            entry.update(score=None, real_association=None, meets_threshold=False,
                         error=f"{type(error).__name__}: {error}")
        details.append(entry)
    return {
        "details": details,
        "score": mean_present([d["score"] for d in details]),
        "score_thresholded": mean_present([d["score"] for d in details if d["meets_threshold"]]),
    }


def pair_details(frame):
    return [{
        "column_1": row["Column 1"],
        "column_2": row["Column 2"],
        "metric": row["Metric"],
        "score": number(row["Score"]),
        "real_correlation": number(row["Real Correlation"]),
        "synthetic_correlation": number(row["Synthetic Correlation"]),
        "real_association": number(row["Real Association"]),
        "meets_threshold": flag(row["Meets Threshold?"]),
    } for _, row in frame.iterrows()]


def evaluate(table, data_dir, baseline_dir):
    frame = read_table(f"{data_dir}/{table['file']}")
    sdtypes = dict(table["columns"])
    assert list(frame.columns) == list(sdtypes), f"{table['name']}: columns differ from tables.json"
    metadata = {"columns": {name: {"sdtype": sdtype} for name, sdtype in table["columns"]}}
    scored = {name: sdtype for name, sdtype in table["columns"] if sdtype != "id"}
    index = np.arange(len(frame))
    real = frame[index % 2 == 0].reset_index(drop=True)
    synthetic = frame[index % 2 == 1].reset_index(drop=True)
    training = frame[index % 4 == 0].reset_index(drop=True)
    holdout = frame[index % 4 == 2].reset_index(drop=True)
    out = {"rows": {"real": len(real), "synthetic": len(synthetic), "training": len(training),
                    "holdout": len(holdout)}}

    # The 0.27 QualityReport: thresholds 0.5 (|r|) and 0.3 (Cramer's V) are its defaults.
    report = QualityReport()
    assert (report.real_correlation_threshold, report.real_association_threshold) == (0.5, 0.3)
    report.generate(real.copy(), synthetic.copy(), metadata, verbose=False)
    properties = report.get_properties().set_index("Property")["Score"]
    shapes = report.get_details("Column Shapes")
    out["quality_report"] = {
        "overall": number(report.get_score()),
        "column_shapes": number(properties["Column Shapes"]),
        "column_pair_trends": number(properties["Column Pair Trends"]),
        "column_shape_details": [{"column": r["Column"], "metric": r["Metric"], "score": number(r["Score"])}
                                 for _, r in shapes.iterrows()],
        "pair_details": pair_details(report.get_details("Column Pair Trends")),
    }

    # Without thresholds: the ColumnPairTrends property as it stands (its thresholds default to 0),
    # which is also the QualityReport score of SDMetrics up to 0.26.
    trends = ColumnPairTrends()
    unthresholded = trends.get_score(real.copy(), synthetic.copy(), metadata)
    out["unthresholded"] = {
        "column_pair_trends": number(unthresholded),
        "overall": number(np.nanmean([properties["Column Shapes"], unthresholded])),
        "pair_details": pair_details(trends.details),
    }
    out["shared_bins"] = shared_bin_pairs(real, synthetic, scored)

    # DCR: per synthetic row to training and to hold-out, then SDMetrics' two metrics. The
    # baseline metric draws random rows with numpy's unseeded generator; it is given ours instead.
    to_training = calculate_dcr(synthetic, training, metadata)
    to_holdout = calculate_dcr(synthetic, holdout, metadata)
    overfitting = DCROverfittingProtection.compute_breakdown(training, synthetic, holdout, metadata)
    random_rows = read_table(f"{baseline_dir}/{table['name']}_dcr_baseline.csv")
    assert len(random_rows) == len(synthetic)
    DCRBaselineProtection._generate_random_data = classmethod(lambda cls, real_data, n=None: random_rows)
    baseline = DCRBaselineProtection.compute_breakdown(training, synthetic, metadata)
    out["dcr"] = {
        "to_training": [number(x) for x in to_training],
        "to_holdout": [number(x) for x in to_holdout],
        "exact_match_share": number((to_training == 0).mean()),
        "overfitting": {
            "score": number(overfitting["score"]),
            "closer_to_training": number(overfitting["synthetic_data_percentages"]["closer_to_training"]),
        },
        "baseline": {
            "score": number(baseline["score"]),
            "median_synthetic": number(baseline["median_DCR_to_real_data"]["synthetic_data"]),
            "median_random": number(baseline["median_DCR_to_real_data"]["random_data_baseline"]),
        },
    }

    disclosure = table["disclosure"]
    continuous = [c for c in disclosure["known"] + disclosure["sensitive"] if scored[c] == "numerical"]
    result = DisclosureProtection.compute_breakdown(
        real, synthetic, disclosure["known"], disclosure["sensitive"],
        continuous_column_names=continuous or None)
    out["disclosure"] = {key: number(result[key]) for key in ("score", "cap_protection", "baseline_protection")}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", required=True, help="tables.json")
    parser.add_argument("--data", required=True, help="folder the table files are relative to")
    parser.add_argument("--baseline-dir", required=True, help="folder of <table>_dcr_baseline.csv")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()
    with open(args.tables) as f:
        spec = json.load(f)
    installed = version("sdmetrics")
    if installed != spec["sdmetrics_version"]:
        sys.exit(f"sdmetrics {installed} is installed; the cross-check is pinned to {spec['sdmetrics_version']}")
    results = {"sdmetrics_version": installed, "pandas_version": pd.__version__, "numpy_version": np.__version__,
               "tables": {t["name"]: evaluate(t, args.data, args.baseline_dir) for t in spec["tables"]}}
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1, allow_nan=False)


if __name__ == "__main__":
    main()
