#!/usr/bin/env bash
# Intertable trends (tables.<child>.relation.intertable_trends) through `synthcohort evaluate`,
# against sdmetrics' own InterTableTrends (pinned in setup/python-requirements.txt). Real data
# split in two: the nafld persons with id <= 2400, odd ids as "real" and even ids as
# "synthetic", each with its own labs and events, ingested in runs of their own (>= 8 shards per
# table). metrics.json is identical at 1, 2 and 4 ranks, and every pair score, correlation and
# association, and the property's score with and without the 0.27 QualityReport's thresholds,
# equal sdmetrics' to 1e-9. The denormalised labs stay under 50,000 rows, so sdmetrics does not
# subsample its contingency pairs.
source "$(dirname "$0")/common.sh"
for side in real synthetic; do
  parity=$([ $side = real ] && echo 1 || echo 0)
  for part in 1:persons 2:labs 3:events; do
    zcat "$SC_DATA_DIR/registry/nafld${part%%:*}.csv.gz" |
      awk -F, -v p=$parity 'NR == 1 || ($1 <= 2400 && $1 % 2 == p)' > ${side}_${part#*:}.csv
  done
  cat > $side.ini <<INI
[run]
dir = run_$side
[ingest]
rows_per_shard = 150
[table.persons]
file = ${side}_persons.csv
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
[table.labs]
file = ${side}_labs.csv
parent = persons
foreign_key = id
columns = days:day_offset, test:categorical, value:real
[table.events]
file = ${side}_events.csv
parent = persons
foreign_key = id
columns = days:day_offset, event:categorical
[evaluate]
synthetic_store = run_synthetic/store
synthetic_stage = ingest
privacy = false
INI
  run_np 2 ingest --config $side.ini > ingest_$side.log
  every_rank_committed run_$side/store/ingest/index.json 2
done
for n in 1 2 4; do
  run_np $n evaluate --config real.ini --evaluate.output metrics$n.json > evaluate$n.log
done
cmp metrics1.json metrics2.json || fail "metrics differ between 1 and 2 ranks"
cmp metrics1.json metrics4.json || fail "metrics differ between 1 and 4 ranks"
grep -q "intertable trends" evaluate4.log || fail "evaluate did not report intertable trends"
"$SC_PYTHON" - <<'PY' || fail "our intertable trends differ from sdmetrics'"
import json, math
import pandas as pd
from sdmetrics.reports.multi_table import QualityReport
from sdmetrics.reports.multi_table._properties import InterTableTrends

ours = json.load(open("metrics1.json"))["tables"]
sdtypes = {
    "persons": {"id": "id", "age": "numerical", "male": "categorical", "weight": "numerical", "height": "numerical",
                "bmi": "numerical", "case.id": "id", "futime": "numerical", "status": "categorical"},
    "labs": {"id": "id", "days": "numerical", "test": "categorical", "value": "numerical"},
    "events": {"id": "id", "days": "numerical", "event": "categorical"},
}
metadata = {
    "tables": {t: {"primary_key": "id", "columns": {c: {"sdtype": s} for c, s in cols.items()}} if t == "persons"
               else {"columns": {c: {"sdtype": s} for c, s in cols.items()}} for t, cols in sdtypes.items()},
    "relationships": [{"parent_table_name": "persons", "parent_primary_key": "id",
                       "child_table_name": child, "child_foreign_key": "id"} for child in ("labs", "events")],
}
# round_trip: decimal strings to the correctly rounded doubles, as our ingest reads them.
load = lambda side: {t: pd.read_csv(f"{side}_{t}.csv", float_precision="round_trip") for t in sdtypes}
real, synthetic = load("real"), load("synthetic")

def close(a, b, what):
    if b is None or (isinstance(b, float) and math.isnan(b)):
        assert a is None, f"{what}: sdmetrics gives none, ours {a}"
        return 0.0
    assert a is not None, f"{what}: ours none, sdmetrics {b}"
    assert abs(a - b) <= 1e-9, f"{what}: ours {a!r} sdmetrics {b!r}"
    return abs(a - b)

worst = 0.0
# The multi-table QualityReport of 0.27 hands its thresholds to this property; alone it has 0.
report = QualityReport()
thresholds = (report.real_correlation_threshold, report.real_association_threshold)
assert thresholds == (0.5, 0.3)
for key, (r, a) in (("score", (0, 0)), ("score_thresholded", thresholds)):
    prop = InterTableTrends()
    prop.real_correlation_threshold, prop.real_association_threshold = r, a
    score_all = prop.get_score({t: f.copy() for t, f in real.items()}, {t: f.copy() for t, f in synthetic.items()}, metadata)
    details = prop.details
    for child in ("labs", "events"):
        mine = ours[child]["relation"]["intertable_trends"]
        theirs = details[details["Child Table"] == child]
        per_child = theirs.loc[theirs["Meets Threshold?"].astype("boolean").fillna(False), "Score"].mean()
        worst = max(worst, close(mine[key], float(per_child), f"{child} {key}"))
        print(f"{child} {key}: ours {mine[key]!r} sdmetrics {float(per_child)!r} ({len(theirs)} pairs)")
        assert [(p["parent_column"], p["child_column"]) for p in mine["pairs"]] == list(zip(theirs["Column 1"], theirs["Column 2"]))
        for p, (_, row) in zip(mine["pairs"], theirs.iterrows()):
            what = f"{child} ({p['parent_column']}, {p['child_column']})"
            assert p["metric"] == row["Metric"], what
            if key == "score":
                worst = max(worst, close(p["score"], float(row["Score"]), what + " score"))
                worst = max(worst, close(p["real_correlation"], float(row["Real Correlation"]), what + " r real"))
                worst = max(worst, close(p["synthetic_correlation"], float(row["Synthetic Correlation"]), what + " r syn"))
            else:
                worst = max(worst, close(p["real_association"], float(row["Real Association"]), what + " V real"))
                meets = bool(pd.notna(row["Meets Threshold?"]) and row["Meets Threshold?"])
                assert p["meets_threshold"] == meets, what
                if meets:  # sdmetrics scores no pair below its threshold
                    worst = max(worst, close(p["score"], float(row["Score"]), what + " score"))
    # The property over both relations: the mean of every counting pair's score.
    counted = [p["score"] for c in ("labs", "events") for p in ours[c]["relation"]["intertable_trends"]["pairs"]
               if p["score"] is not None and (key == "score" or p["meets_threshold"])]
    worst = max(worst, close(sum(counted) / len(counted), float(score_all), f"whole property {key}"))
    print(f"whole property ({key}): ours {sum(counted) / len(counted)!r} sdmetrics {float(score_all)!r}")
print(f"largest |ours - sdmetrics|: {worst:.3g}")
PY
echo "PASS: intertable trends identical at 1, 2, 4 ranks and equal to sdmetrics'"
