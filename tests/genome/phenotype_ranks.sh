#!/usr/bin/env bash
# Phenotypes are the same bits for any rank count, thread count and window size. nafld persons
# (9 shards of 2,000) and events (18 shards) with 1,000 synthetic genomes on the chr20 panel
# (9 windows of 3,000 variants), a quantitative and a binary trait (genetic correlation 0.4, the
# binary one a `nafld` event, a category the real events have), sampled at 1, 2 and 4 ranks:
# identical sample digests (tables, genomes, sample/phenotypes), every rank committed shards, and
# byte-identical persons, events and effects exports; with one TBB thread, and with windows of
# 2,000 variants (13 windows: other genome shards, the same persons, events and effects); a sample
# killed after some commits resumes to the same store. Evaluate
# runs on the linked store (the added person columns are not scored; the event rows are).
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
write_config() {  # write_config FILE VARIANTS_PER_WINDOW
  {
    phenotype_registry_sections 2000 "$2" 'constraints = days <= parent.futime'
    cat <<INI
[genome]
vcf = $genome_panel
map = $genome_map
holdout_samples = 60
individuals = 1000
ne = 500
[phenotype.bmi_genetic]
heritability = 0.6
causal_fraction = 0.02
genetic_correlation = fatty_liver:0.4
[phenotype.fatty_liver]
heritability = 0.3
causal_fraction = 0.02
prevalence = 0.2
event_table = events
event_column = event
event_code = nafld
INI
  } > "$1"
}
write_config w3000.ini 3000
write_config w2000.ini 2000
run_np 2 ingest --config w3000.ini --run.dir np1 > ingest.log
for n in 2 4; do mkdir -p np$n/store && cp -r np1/store/ingest np$n/store/; done
for n in 1 2 4; do
  for stage in fit sample export; do run_np $n $stage --config w3000.ini --run.dir np$n --export.vcf false --export.plink false > $stage$n.log; done
  every_rank_committed np$n/store/sample/index.json $n
  dataset_digests np$n/store/sample/index.json > digests$n.txt
done
grep -q '^phenotypes/fatty_liver/liability ' digests1.txt || fail "no phenotype digests in the sample index"
grep -q "^\[sample\] phenotype fatty_liver: .* cases" sample1.log || fail "rank 0 printed no phenotype line"
files="persons.csv events.csv phenotype_bmi_genetic.effects.tsv phenotype_fatty_liver.effects.tsv"
for n in 2 4; do
  cmp digests1.txt digests$n.txt || fail "sample digests differ between 1 and $n ranks"
  for f in $files; do cmp np1/export/sample/$f np$n/export/sample/$f || fail "$f differs between 1 and $n ranks"; done
done
mkdir -p threads1/store && cp -r np1/store/ingest threads1/store/
for stage in fit sample; do run_np 2 $stage --config w3000.ini --run.dir threads1 --run.threads 1 > /dev/null; done
dataset_digests threads1/store/sample/index.json | cmp - digests1.txt || fail "sample digests differ with one TBB thread per rank"
# A sample killed after some genome windows were committed: the rerun reads those windows back
# for the genetic values and ends with the same store.
mkdir -p killed/store && cp -r np1/store/ingest np1/store/fit killed/store/
set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=3 run_np 2 sample --config w3000.ini --run.dir killed > killed.log 2>&1
rc=$?
set -e
[ $rc -ne 0 ] && [ -d killed/store/sample.partial ] && [ ! -e killed/store/sample ] || fail "the killed sample left no partial stage (exit $rc)"
run_np 2 sample --config w3000.ini --run.dir killed > resumed.log
grep -q "already committed (resumed)" resumed.log || fail "the rerun did not resume: $(tail -1 resumed.log)"
dataset_digests killed/store/sample/index.json | cmp - digests1.txt || fail "a resumed sample differs from an uninterrupted one"
for stage in ingest fit sample export; do run_np 2 $stage --config w2000.ini --run.dir w2000 --export.vcf false --export.plink false > w2000-$stage.log; done
for f in $files; do cmp np1/export/sample/$f w2000/export/sample/$f || fail "$f differs between windows of 3,000 and 2,000 variants"; done
grep '^phenotypes/\|^tables/' digests1.txt > tables1.txt
dataset_digests w2000/store/sample/index.json | grep '^phenotypes/\|^tables/' | cmp - tables1.txt || fail "table or phenotype digests depend on the window size"
python3 - <<'PY' || fail "the linked store is inconsistent"
import csv, json
index = json.load(open('np1/store/sample/index.json'))
shards = {}
for s in index['shards']:
    parts = s['file'].split('/')
    if parts[0] in ('tables', 'genomes') and 'schema' not in parts and 'samples' not in parts:
        shards[parts[1]] = shards.get(parts[1], 0) + 1
assert shards['persons'] >= 8 and shards['events'] >= 8 and shards['synthetic'] >= 8, shards
persons = list(csv.DictReader(open('np1/export/sample/persons.csv', newline='')))
events = list(csv.DictReader(open('np1/export/sample/events.csv', newline='')))
ids = {p['id'] for p in persons}
assert all(e['id'] in ids for e in events), 'an event points to no person'
linked = [p for p in persons if p['genome_id'] != 'NA']
assert len(linked) == 1000 and all(p['genome_id'] == 'SYN%08d' % int(p['id']) for p in linked)
cases = sum(int(p['fatty_liver']) for p in linked)
t = index['summary']['phenotypes']['traits']['fatty_liver']
assert t['cases'] == cases and t['events'] + t['cases_without_event'] == cases, (t, cases)
print('shards:', shards, 'cases:', cases, 'summary:', json.dumps(index['summary']['phenotypes']))
PY
run_np 2 evaluate --config w3000.ini --run.dir np1 --evaluate.output metrics.json > evaluate.log || { cat evaluate.log; fail "evaluate on the linked store"; }
python3 - <<'PY' || fail "evaluate scored the added person columns or lost the events relation"
import json
m = json.load(open('metrics.json'))['tables']
text = json.dumps(m['persons'])
assert 'genome_id' not in text and 'fatty_liver' not in text and 'bmi_genetic' not in text, 'added columns scored'
assert m['events']['relation']['referential_integrity']['synthetic'] == 1.0, m['events']['relation']
print('evaluate: persons quality', m['persons'].get('quality_score'), 'events referential integrity 1.0')
PY
echo "PASS: phenotypes identical at 1, 2, 4 ranks, 1 thread, two window sizes and after a resume; evaluate runs on the linked store"
