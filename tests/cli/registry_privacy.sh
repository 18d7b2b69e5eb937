#!/usr/bin/env bash
# Differential privacy of the registry fit (fit.epsilon): every modelled column needs a declared
# type and domain (an undeclared one is a config error naming the key), the per-person cap on
# child rows holds in what is sampled, the budget split in the manifest sums to epsilon, the
# declared categories (not the real dictionary) reach the synthetic store, and the private fit is
# the same at 1 and 2 ranks (its noise is counter-based).
source "$(dirname "$0")/common.sh"
write_nafld_config nafld.ini
sed -i '/^\[table.events\]/a columns = days:day_offset, event:categorical' nafld.ini
cat >> nafld.ini <<INI
[fit]
epsilon = 1
dp_max_children = 8
bins = 8
max_parents = 1
[evaluate]
holdout_fraction = 0.5
INI
domains() {  # table, domains
  sed -i "/^\[table.$1\]/a domains = $2" nafld.ini
}
run_np 2 ingest --config nafld.ini --run.dir r1 > ingest.log
expect_rc() {
  local rc=$1 pattern=$2; shift 2
  set +e; run_np 1 "$@" > bad.log 2>&1; local got=$?; set -e
  [ $got -eq $rc ] && grep -q -- "$pattern" bad.log || { cat bad.log; fail "expected rc $rc and '$pattern' for: $*"; }
}
# No domains at all: the first table's first column is named.
expect_rc 2 "table.persons.domains.*'age'.*fit.epsilon" fit --config nafld.ini --run.dir r1
domains persons "age:0..110, male:0|1, weight:20..250, height:100..230, bmi:10..80, futime:0..7300, status:0|1"
domains labs "days:-18250..7300, test:alt|chol|dbp|fib4|hdl|sbp|smoke, value:0..1000"
# A domain of the wrong kind, and one that is missing for one column only.
expect_rc 2 "table.events.domains.*'days'" fit --config nafld.ini --run.dir r1
domains events "days:-18250..7300, event:MI|afib|ang/isc|cardiac arrest|diabetes|dyslipidemia|heart failure|htn|nafld|stroke"
expect_rc 2 "table.persons.domains.*range (LO..HI) for integer column 'age'" fit --config nafld.ini --run.dir r1 --table.persons.domains "age:a|b"
expect_rc 2 "fit.epsilon" fit --config nafld.ini --run.dir r1 --fit.epsilon -1
[ ! -e r1/store/fit ] || fail "a refused private fit left a fit stage"

mkdir -p r2/store && cp -r r1/store/ingest r2/store/
for n in 1 2; do
  for stage in fit sample evaluate export; do run_np $n $stage --config nafld.ini --run.dir r$n > $stage$n.log; done
  dataset_digests r$n/store/fit/index.json > fit$n.txt
  dataset_digests r$n/store/sample/index.json > sample$n.txt
done
cmp fit1.txt fit2.txt || fail "the private fit differs between 1 and 2 ranks"
cmp sample1.txt sample2.txt || fail "the sample of a private fit differs between 1 and 2 ranks"
grep -q "under epsilon = 1" fit1.log || fail "the fit's summary does not say it ran under epsilon"
python3 - <<'PY' || fail "the private fit's accounting, cap or categories are wrong"
import csv, json, collections
dp = json.load(open('r1/provenance.json'))
fit = dp['stages']['fit']['summary']['differential_privacy']
index = json.load(open('r1/store/fit/index.json'))['summary']['differential_privacy']
for record in (index, fit):
    spent = sum(q['epsilon'] for q in record['queries'])
    assert abs(spent - 1.0) < 1e-12 and abs(record['epsilon_spent'] - 1.0) < 1e-12, spent
    assert record['rows_per_person'] == {'persons': 1, 'labs': 8, 'events': 8}, record['rows_per_person']
    for q in record['queries']:
        assert abs(q['laplace_scale'] - q['l1_sensitivity'] / q['epsilon']) < 1e-9 * q['laplace_scale'], q
    assert {q['table'] for q in record['queries']} == {'persons', 'labs', 'events'}
# The cap: no synthetic person has more than 8 children of a kind (the model's domain is 0..8).
persons = list(csv.DictReader(open('r1/export/sample/persons.csv', newline='')))
for t in ('labs', 'events'):
    per = collections.Counter(r['id'] for r in csv.DictReader(open(f'r1/export/sample/{t}.csv', newline='')))
    assert per and max(per.values()) <= 8, (t, max(per.values()))
# Categories come from the declared domain: every synthetic test is a declared one.
tests = {r['test'] for r in csv.DictReader(open('r1/export/sample/labs.csv', newline=''))}
assert tests - {'', 'NA'} <= {'alt', 'chol', 'dbp', 'fib4', 'hdl', 'sbp', 'smoke'}, tests
m = json.load(open('r1/report/metrics.json'))['tables']
print('epsilon = 1: persons quality %.4f, labs cardinality %.4f' % (m['persons']['quality_score_sdmetrics_0_27'], m['labs']['relation']['cardinality_shape_similarity']))
PY
echo "PASS: private fit: domains required, cap held, budget sums to epsilon, identical at 1 and 2 ranks"
