#!/usr/bin/env bash
# Fidelity and privacy of the registry generator, asserted (scores, not timings). One fit on the
# training half of the persons (evaluate.holdout_fraction = 0.5: the other half is unseen real
# data), the same number of synthetic persons, scored by evaluate (SDMetrics 0.27 definitions,
# equal to sdmetrics to 1e-9 by the cross-check tests), mean over seeds 1-3 (one seed swings by
# up to 0.05). Thresholds: nafld persons quality >= 0.96 and DCROverfittingProtection >= 0.9
# (issue #4's aims); flchain quality >= 0.975 (issue #4's aim; 0.978 since the states at both ends
# of a numeric column are single fine bins: docs/benchmarks.md); child tables: cardinality shape >= 0.95, lab values
# within each test >= 0.95, lab days within each test and event days within each event type
# >= 0.95, gaps between successive labs and between successive events >= 0.90 (issue #4's aims),
# the category after the previous sibling's (labs 0.97 and events 0.90 at seed 1, against 0.44 and
# 0.73 for siblings independent of each other): >= 0.93 and 0.87, and 0.3 and 0.1 above
# independent siblings, referential integrity 1.
source "$(dirname "$0")/common.sh"
write_nafld_config nafld.ini
# Events with their day offsets declared (the shared config leaves them to inference: integer).
sed -i '/^\[table.events\]/a columns = days:day_offset, event:categorical' nafld.ini
# Both child tables keep their constraint (days <= parent.futime): under the visit model a row
# that starts a visit past the bound is redrawn alone, which leaves the gaps as they are.
cat >> nafld.ini <<INI
[evaluate]
holdout_fraction = 0.5
INI
cat > flchain.ini <<INI
[ingest]
rows_per_shard = 1000
[evaluate]
holdout_fraction = 0.5
[table.flchain]
file = $SC_DATA_DIR/registry/flchain.csv.gz
columns = age:integer, sex:categorical, sample.yr:integer, kappa:real, lambda:real, flc.grp:categorical, creatinine:real, mgus:categorical, futime:day_offset, death:categorical, chapter:categorical
INI
for cfg in nafld flchain; do
  run_np 2 ingest --config $cfg.ini --run.dir $cfg-base > $cfg-ingest.log
  for seed in 1 2 3; do
    mkdir -p $cfg-$seed/store && cp -r $cfg-base/store/ingest $cfg-$seed/store/
    for stage in fit sample evaluate; do run_np 2 $stage --config $cfg.ini --run.dir $cfg-$seed --run.seed $seed > $cfg-$seed-$stage.log; done
  done
done
python3 - <<'PY' || fail "quality or privacy below its threshold"
import json
def mean(cfg, table, get):
    values = [get(json.load(open(f'{cfg}-{s}/report/metrics.json'))['tables'][table]) for s in (1, 2, 3)]
    return sum(values) / 3, values
def within(column):  # the shape of `column` within each category of the table (frequency-weighted KS)
    return lambda t: next(w['score'] for w in t['relation']['shapes_within_categories'] if w['value_column'] == column)
def transitions(column):
    return lambda t: next(x['score'] for x in t['relation']['sibling_transitions'] if x['column'] == column)
def over_independent(column):  # our score minus that of siblings independent of each other
    return lambda t: next(x['score'] - x['independent_siblings'] for x in t['relation']['sibling_transitions'] if x['column'] == column)
checks = [
    ('nafld persons quality', mean('nafld', 'persons', lambda t: t['quality_score_sdmetrics_0_27']), 0.96),
    ('nafld persons DCROverfittingProtection', mean('nafld', 'persons', lambda t: t['privacy']['dcr_overfitting_protection']['score']), 0.90),
    ('flchain quality', mean('flchain', 'flchain', lambda t: t['quality_score_sdmetrics_0_27']), 0.975),
    # Child tables, judged by what sees their structure (issue #4's aims where they are met).
    ('nafld labs cardinality shape', mean('nafld', 'labs', lambda t: t['relation']['cardinality_shape_similarity']), 0.95),
    ('nafld events cardinality shape', mean('nafld', 'events', lambda t: t['relation']['cardinality_shape_similarity']), 0.95),
    ('nafld labs value within each test', mean('nafld', 'labs', within('value')), 0.95),
    ('nafld events gaps between successive events', mean('nafld', 'events', lambda t: t['relation']['gap_shape']['score']), 0.90),
    ('nafld labs gaps between successive labs', mean('nafld', 'labs', lambda t: t['relation']['gap_shape']['score']), 0.90),
    ('nafld events days within each event type', mean('nafld', 'events', within('days')), 0.95),
    ('nafld labs days within each test', mean('nafld', 'labs', within('days')), 0.95),
    # The previous sibling (fit.previous_sibling): the test that follows a test, the event type
    # that follows an event type (1 - total variation distance of the (previous, current) pairs).
    ('nafld labs test after the previous test', mean('nafld', 'labs', transitions('test')), 0.93),
    ('nafld events event after the previous event', mean('nafld', 'events', transitions('event')), 0.87),
    ('nafld labs test transitions above independent siblings', mean('nafld', 'labs', over_independent('test')), 0.3),
    ('nafld events event transitions above independent siblings', mean('nafld', 'events', over_independent('event')), 0.1),
    ('nafld labs referential integrity', mean('nafld', 'labs', lambda t: t['relation']['referential_integrity']['synthetic']), 1.0),
]
bad = False
for name, (m, values), floor in checks:
    print(f'{name}: mean {m:.4f} over seeds {[round(v, 4) for v in values]} (threshold {floor})')
    bad |= m < floor
assert not bad
PY
echo "PASS: registry quality and privacy thresholds"
