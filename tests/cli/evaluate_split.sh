#!/usr/bin/env bash
# `synthcohort evaluate` on real data split in two (nafld1 even lines as "real", odd lines as
# "synthetic", each ingested in its own run): metrics.json is identical at 1, 2 and 4 ranks, and
# the quality scores equal sdmetrics' own QualityReport (pinned in setup/python-requirements.txt)
# to 1e-9.
source "$(dirname "$0")/common.sh"
zcat "$SC_DATA_DIR/registry/nafld1.csv.gz" | awk 'NR == 1 || NR % 2 == 0' > real.csv
zcat "$SC_DATA_DIR/registry/nafld1.csv.gz" | awk 'NR == 1 || NR % 2 == 1' > synthetic.csv
for side in real synthetic; do
  cat > $side.ini <<INI
[run]
dir = run_$side
[ingest]
rows_per_shard = 1000
[table.persons]
file = $side.csv
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
[evaluate]
synthetic_store = run_synthetic/store
synthetic_stage = ingest
holdout_fraction = 0.5
INI
  run_np 2 ingest --config $side.ini > ingest_$side.log
done
for n in 1 2 4; do
  run_np $n evaluate --config real.ini --evaluate.output metrics$n.json > evaluate$n.log
done
cmp metrics1.json metrics2.json || fail "metrics differ between 1 and 2 ranks"
cmp metrics1.json metrics4.json || fail "metrics differ between 1 and 4 ranks"
"$SC_PYTHON" - <<'PY' || fail "our scores differ from sdmetrics'"
import json, pandas as pd
from sdmetrics.reports.single_table import QualityReport
ours = json.load(open("metrics1.json"))["tables"]["persons"]
meta = {"columns": {"id": {"sdtype": "id"}, "case.id": {"sdtype": "id"}, "age": {"sdtype": "numerical"},
        "male": {"sdtype": "categorical"}, "weight": {"sdtype": "numerical"}, "height": {"sdtype": "numerical"},
        "bmi": {"sdtype": "numerical"}, "futime": {"sdtype": "numerical"}, "status": {"sdtype": "categorical"}}}
report = QualityReport()
report.generate(pd.read_csv("real.csv"), pd.read_csv("synthetic.csv"), meta, verbose=False)
properties = dict(zip(report.get_properties()["Property"], report.get_properties()["Score"]))
checks = [("quality_score_sdmetrics_0_27", report.get_score()), ("column_shapes", properties["Column Shapes"]),
          ("column_pair_trends_thresholded", properties["Column Pair Trends"])]
for key, theirs in checks:
    print(f"{key}: ours {ours[key]!r} sdmetrics {float(theirs)!r}")
    assert abs(ours[key] - float(theirs)) <= 1e-9, key
privacy = ours["privacy"]
assert 0.0 <= privacy["dcr_overfitting_protection"]["score"] <= 1.0
assert privacy["reference_rows_training"] + privacy["reference_rows_holdout"] == len(pd.read_csv("real.csv"))
PY
echo "PASS: metrics identical at 1, 2, 4 ranks and equal to sdmetrics"
