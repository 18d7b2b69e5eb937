#!/usr/bin/env bash
# The registry generator (fit, sample, export) on the nafld tables at 1, 2 and 4 ranks: identical
# model and synthetic-store digests, byte-identical CSV exports, every rank committed synthetic
# shards (>= 8 per table), the same bits at another thread count; synthetic rows keep the schema
# (keys valid, categories from the real dictionaries, missingness rates close), any sample size
# works, `fit.min_cell` suppresses rare categories, bad options fail with the key named, and
# evaluate (parent/child relations included) gives the same metrics at 1, 2 and 4 ranks.
source "$(dirname "$0")/common.sh"
write_nafld_config nafld.ini
cat >> nafld.ini <<INI
[sample]
persons = 20000
rows_per_shard = 2000
INI
run_np 1 ingest --config nafld.ini --run.dir r1 > ingest.log
for n in 2 4; do mkdir -p r$n/store && cp -r r1/store/ingest r$n/store/; done
for n in 1 2 4; do
  for stage in fit sample export; do run_np $n $stage --config nafld.ini --run.dir r$n > $stage$n.log; done
  every_rank_committed r$n/store/sample/index.json $n
  dataset_digests r$n/store/fit/index.json > fit$n.txt
  dataset_digests r$n/store/sample/index.json > sample$n.txt
done
grep -q "^\[sample\] done: sampled persons 20" sample1.log || fail "sample printed no one-line summary"
for n in 2 4; do
  cmp fit1.txt fit$n.txt || fail "model digests differ between 1 and $n ranks"
  cmp sample1.txt sample$n.txt || fail "synthetic store digests differ between 1 and $n ranks"
  for t in persons labs events; do cmp r1/export/sample/$t.csv r$n/export/sample/$t.csv || fail "$t export differs between 1 and $n ranks"; done
done
# The evaluation of the synthetic registry (relations included): the same metrics at 1, 2, 4 ranks.
# Machine-learning utility (status: logistic/AUC, bmi: ridge/R^2) rides along: a hold-out split of
# the real persons for testing (the fit saw them all, so only the identity is tested here; the
# scores of a proper split are in docs/benchmarks.md).
for n in 1 2 4; do
  run_np $n evaluate --config nafld.ini --run.dir r1 --evaluate.output metrics$n.json \
    --evaluate.holdout_fraction 0.5 --evaluate.ml_targets "persons:status, persons:bmi" \
    --evaluate.known_columns "persons:age, persons:male, persons:bmi" --evaluate.sensitive_columns persons:status > evaluate$n.log
done
python3 - <<'PY' || fail "machine-learning utility missing or implausible"
import json
(status, bmi) = json.load(open('metrics1.json'))['tables']['persons']['ml_utility']
assert status['metric'] == 'AUC' and bmi['metric'] == 'R^2', (status, bmi)
assert status['trained_on_real'] > 0.7 and status['trained_on_synthetic'] > 0.7, status
assert bmi['trained_on_real'] > 0.9 and bmi['trained_on_synthetic'] > 0.5, bmi
assert status['rows']['synthetic_training'] == 20000, status['rows']
d = json.load(open('metrics1.json'))['tables']['persons']['privacy_disclosure']
for k in ('disclosure_protection', 'disclosure_protection_holdout'):
    assert 0 <= d[k]['score'] <= 1 and d[k]['baseline_protection'] == 0.5, d
for k in ('singling_out', 'singling_out_holdout'):
    s = d[k]
    assert s['persons'] > 0 and 0 <= s['unique_shown_by_synthetic'] <= s['unique_combinations'] <= s['persons'], s
    assert abs(s['rate'] - s['unique_shown_by_synthetic'] / s['persons']) < 1e-15, s
print('utility:', {u['target']: (round(u['trained_on_synthetic'], 4), round(u['trained_on_real'], 4)) for u in (status, bmi)})
PY
expect_rc_early() {
  set +e; run_np 1 evaluate --config nafld.ini --run.dir r1 --evaluate.output bad.json "$@" > bad.log 2>&1; local got=$?; set -e
  [ $got -eq 2 ] && grep -q "evaluate.ml_targets" bad.log || { cat bad.log; fail "bad evaluate.ml_targets accepted: $*"; }
}
expect_rc_early --evaluate.ml_targets "persons:status"
expect_rc_early --evaluate.holdout_fraction 0.5 --evaluate.ml_targets "persons"
expect_rc_early --evaluate.holdout_fraction 0.5 --evaluate.ml_targets "nosuch:status"
expect_rc_early --evaluate.holdout_fraction 0.5 --evaluate.ml_targets "labs:value"
set +e; run_np 1 evaluate --config nafld.ini --run.dir r1 --evaluate.output bad.json --evaluate.known_columns persons:age > bad.log 2>&1; got=$?; set -e
[ $got -eq 2 ] && grep -q "evaluate.known_columns" bad.log || { cat bad.log; fail "known columns without sensitive ones accepted"; }
set +e; run_np 1 evaluate --config nafld.ini --run.dir r1 --evaluate.output bad.json --evaluate.known_columns persons:nosuch --evaluate.sensitive_columns persons:status > bad.log 2>&1; got=$?; set -e
[ $got -eq 2 ] && grep -q "evaluate.known_columns.*nosuch" bad.log || { cat bad.log; fail "an unknown known column accepted"; }
[ ! -e bad.json ] || fail "a refused evaluation wrote metrics"
grep -q '"cardinality_shape_similarity"' metrics1.json || fail "no relation metrics in metrics.json"
cmp metrics1.json metrics2.json || fail "metrics differ between 1 and 2 ranks"
cmp metrics1.json metrics4.json || fail "metrics differ between 1 and 4 ranks"
# Another thread count, the same bits.
mkdir -p t1/store && cp -r r1/store/ingest t1/store/
for stage in fit sample; do run_np 1 $stage --config nafld.ini --run.dir t1 --run.threads 1 > t1-$stage.log; done
dataset_digests t1/store/sample/index.json > threads1.txt
cmp sample1.txt threads1.txt || fail "synthetic store differs with run.threads = 1"

python3 - "$SC_DATA_DIR" <<'PY' || fail "synthetic tables do not keep the schema"
import csv, gzip, json, sys, collections
data = sys.argv[1]
index = json.load(open('r1/store/sample/index.json'))
shards = collections.Counter(s['file'].split('/')[1] for s in index['shards'] if '/schema/' not in s['file'])
assert len(shards) == 3 and all(c >= 8 for c in shards.values()), shards
def rows(path, opener=open):
    with opener(path, 'rt', newline='') as f:
        return list(csv.DictReader(f))
real = {t: rows(f'{data}/registry/{f}.csv.gz', gzip.open) for t, f in [('persons', 'nafld1'), ('labs', 'nafld2'), ('events', 'nafld3')]}
syn = {t: rows(f'r1/export/sample/{t}.csv') for t in real}
assert len(syn['persons']) == 20000, len(syn['persons'])
ids = {r['id'] for r in syn['persons']}
assert len(ids) == 20000, 'primary keys not unique'
for t in ('labs', 'events'):
    assert all(r['id'] in ids for r in syn[t]), f'{t}: a child row points to no synthetic person'
    assert len(syn[t]) > 0
cases = [r['case.id'] for r in syn['persons'] if r['case.id'] not in ('', 'NA')]
assert cases and all(c in ids for c in cases), 'case.id points outside the synthetic persons'
for t in real:
    for col in real[t][0]:
        if col in ('id', 'case.id'):
            continue
        rv = [r[col] for r in real[t]]; sv = [r[col] for r in syn[t]]
        rm = sum(v in ('', 'NA') for v in rv) / len(rv); sm = sum(v in ('', 'NA') for v in sv) / len(sv)
        assert abs(rm - sm) < 0.02 + 0.1 * rm, f'{t}.{col}: missing share {sm:.3f}, real {rm:.3f}'
        if col in ('male', 'status', 'test', 'event'):
            assert set(sv) - {'', 'NA'} <= set(rv), f'{t}.{col}: categories not in the real data'
# Children per person: the synthetic mean within 10% of the real one.
for t in ('labs', 'events'):
    r_mean = len(real[t]) / len(real['persons']); s_mean = len(syn[t]) / 20000
    assert abs(s_mean - r_mean) < 0.1 * r_mean, f'{t}: {s_mean:.2f} children per person, real {r_mean:.2f}'
# Siblings are ordered by their day offset.
last = {}
for r in syn['labs']:
    d = int(r['days']) if r['days'] not in ('', 'NA') else None
    if d is not None and r['id'] in last:
        assert d >= last[r['id']], 'labs of one person not ordered by days'
    if d is not None: last[r['id']] = d
# Declared constraints (common.sh: days <= parent.futime for labs and events) hold for every row.
futime = {r['id']: int(r['futime']) for r in syn['persons'] if r['futime'] not in ('', 'NA')}
for t in ('labs', 'events'):
    late = [r for r in syn[t] if r['days'] not in ('', 'NA') and r['id'] in futime and int(r['days']) > futime[r['id']]]
    assert not late, f'{t}: {len(late)} synthetic rows after the end of follow-up'
print('schema kept:', {t: len(v) for t, v in syn.items()})
PY
python3 - <<'PY' || fail "metrics.json does not report the constraints as expected"
import json
m = json.load(open('metrics1.json'))['tables']
for t in ('labs', 'events'):
    (c,) = m[t]['constraints']
    assert c['constraint'] == 'days <= parent.futime', c
    assert c['synthetic']['violations'] == 0 and c['synthetic']['share_satisfied'] == 1.0, c
    assert c['real']['rows_compared'] > 0 and c['synthetic']['rows_compared'] > 0, c
# nafld has events after the end of follow-up: the real share is reported below 1.
assert m['events']['constraints'][0]['real']['violations'] > 0, m['events']['constraints']
print('constraints:', {t: m[t]['constraints'][0]['real'] for t in ('labs', 'events')})
PY
grep -q '"constraint_repairs"' r1/provenance.json || fail "the sample summary does not count constraint repairs"

# min_cell: flchain's rarest chapters (3, 4 and 4 persons) never appear when k = 10.
cat > flchain.ini <<INI
[ingest]
rows_per_shard = 1000
[table.flchain]
file = $SC_DATA_DIR/registry/flchain.csv.gz
columns = age:integer, sex:categorical, sample.yr:integer, kappa:real, lambda:real, flc.grp:categorical, creatinine:real, mgus:categorical, futime:day_offset, death:categorical, chapter:categorical
[sample]
persons = 50000
INI
for stage in ingest fit sample export; do run_np 2 $stage --config flchain.ini --run.dir f --fit.min_cell 10 > f-$stage.log; done
python3 - <<'PY' || fail "min_cell did not suppress the rare categories"
import csv, collections, json
rows = list(csv.DictReader(open('f/export/sample/flchain.csv', newline='')))
chapters = collections.Counter(r['chapter'] for r in rows)
assert len(rows) == 50000
assert not {'Congenital', 'Blood', 'Skin'} & set(chapters), chapters
assert chapters['Circulatory'] > 0 and chapters['Neoplasms'] > 0
report = json.load(open('f/store/fit/index.json'))['summary']['tables']['flchain']['suppressed_by_min_cell']
assert report.get('chapter') == 3, report
print('suppressed:', report)
PY

# Bad options and a missing fit: the key or the stage named, the documented exit code.
expect_rc() {
  local rc=$1 pattern=$2; shift 2
  set +e; run_np 1 "$@" > bad.log 2>&1; local got=$?; set -e
  [ $got -eq $rc ] && grep -q -- "$pattern" bad.log || { cat bad.log; fail "expected rc $rc and '$pattern' for: $*"; }
}
expect_rc 2 "fit.bins" fit --config nafld.ini --run.dir r1 --fit.bins 1
expect_rc 2 "fit.max_parents" fit --config nafld.ini --run.dir r1 --fit.max_parents 9
expect_rc 2 "sample.persons" sample --config nafld.ini --run.dir r1 --sample.persons -3
expect_rc 2 "sample.backend" sample --config nafld.ini --run.dir r1 --sample.backend fpga
if ! nvidia-smi -L > /dev/null 2>&1; then
  expect_rc 2 "no CUDA device answers" sample --config nafld.ini --run.dir r1 --sample.backend cuda
fi
expect_rc 2 "fit.nonsense" fit --config nafld.ini --run.dir r1 --fit.nonsense 3
# Constraints that cannot hold on this schema: the key named, nothing drawn.
expect_rc 2 "table.labs.constraints.*column OP operand" ingest --config nafld.ini --run.dir bad1 --table.labs.constraints "days == 3"
expect_rc 2 "table.labs.constraints.*'test' of table labs is categorical" sample --config nafld.ini --run.dir r1 --run.restart true --table.labs.constraints "test <= parent.futime"
expect_rc 2 "table.labs.constraints.*'nosuch' is not one" sample --config nafld.ini --run.dir r1 --run.restart true --table.labs.constraints "days <= parent.nosuch"
expect_rc 2 "table.persons.constraints.*parent.COLUMN only in a table with a parent" sample --config nafld.ini --run.dir r1 --run.restart true --table.persons.constraints "age <= parent.futime"
mkdir -p nofit/store && cp -r r1/store/ingest nofit/store/
set +e; run_np 1 sample --config nafld.ini --run.dir nofit > bad.log 2>&1; got=$?; set -e
[ $got -ne 0 ] && grep -q "fit" bad.log || { cat bad.log; fail "sample without a fit did not fail naming the fit stage"; }
[ ! -e nofit/store/sample ] || fail "a failed sample left a sample stage"
echo "PASS: fit/sample identical at 1, 2, 4 ranks and 1 thread; schema kept; constraints hold; min_cell; bad options"
