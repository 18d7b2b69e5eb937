#!/usr/bin/env bash
# Both reports open in headless Chromium without a script error and draw marks in every chart
# that metrics.json lists for their edition, table charts and genome charts alike; the charts and
# the pages are identical at 1, 2 and 4 ranks, and every rank read shards. The genome charts come
# from a `genomes` section computed by plink on the real chr20 panel (genome_section.py).
source "$(dirname "$0")/report_common.sh"
write_small_nafld data
write_small_config small.ini "$SC_WORK/data"
run_np 2 run --config small.ini --run.dir run > run.log 2>&1 || fail "pipeline (see run.log)"
[ -s run/report/steward.html ] && [ -s run/report/public.html ] || fail "'run' did not write both reports"
mkdir -p genome-work
python3 "$(dirname "$0")/genome_section.py" "$SC_DATA_DIR/genomes/reference.vcf.gz" "$SC_WORK/genome-work" genomes.json \
  || fail "genome section (plink)"
python3 - <<'PY'
import json
metrics = json.load(open('run/report/metrics.json'))
metrics['genomes'] = json.load(open('genomes.json'))
json.dump(metrics, open('with-genomes.json', 'w'))
PY
for n in 1 2 4; do
  mkdir -p ranks$n && cp with-genomes.json ranks$n/metrics.json
  run_np $n report --config small.ini --run.dir run --report.metrics ranks$n/metrics.json > report$n.log 2>&1 \
    || fail "report at $n ranks (see report$n.log)"
  python3 - $n <<'PY' || fail "not every rank read shards at $n ranks"
import json, sys
shards = json.load(open('run/provenance.json'))['stages']['report']['summary']['shards_read_per_rank']
assert len(shards) == int(sys.argv[1]) and min(shards) > 0, shards
PY
done
for f in metrics.json steward.html public.html; do
  cmp ranks1/$f ranks2/$f && cmp ranks1/$f ranks4/$f || fail "$f differs between rank counts"
done
# The pages come from metrics.json alone: made again without the stores, they are the same.
mkdir -p reuse
python3 - <<'PY'
import json
metrics = json.load(open('ranks2/metrics.json'))
for side in ('real', 'synthetic'):
    metrics[side]['store'] = 'no-such-store'
json.dump(metrics, open('reuse/metrics.json', 'w'))
PY
run_np 2 report --config small.ini --run.dir run --report.metrics reuse/metrics.json --report.from_metrics true \
  > reuse.log 2>&1 || fail "report from metrics.json alone (see reuse.log)"
cmp reuse/steward.html ranks2/steward.html && cmp reuse/public.html ranks2/public.html \
  || fail "pages made from metrics.json alone differ from the run's"
python3 - <<'PY' || fail "genome or date charts missing from metrics.json"
import json
ids = {c['id']: c['edition'] for c in json.load(open('ranks2/metrics.json'))['charts']['list']}
for want, edition in [('genomes/ld-decay/real-and-synthetic', 'steward'), ('genomes/ld-decay/synthetic', 'public'),
                      ('genomes/pca/reference-and-synthetic', 'steward'), ('genomes/pca/synthetic', 'public'),
                      ('genomes/kinship', 'steward'), ('persons/column/entry/synthetic', 'public')]:
    assert ids.get(want) == edition, (want, ids.get(want))
dates = [c for c in json.load(open('ranks2/metrics.json'))['charts']['list'] if c['data'].get('edges_are_days')]
assert len(dates) == 2, 'the date column has no calendar-axis charts'
PY
python3 - <<'PY' || fail "real genome values in the public report, or missing from the steward's"
import json
genomes = json.load(open('genomes.json'))
steward, public = open('ranks2/steward.html').read(), open('ranks2/public.html').read()
real = [json.dumps(x) for point in genomes['pca']['reference'][:20] for x in point]
real += [json.dumps(b['real']) for b in genomes['ld_decay']['bins']]
assert all(text in steward for text in real), 'the steward report lacks reference values'
leaked = [text for text in real if text in public]
assert not leaked, f'reference values in the public report: {leaked}'
print(f'{len(real)} reference PCA coordinates and real LD values: in the steward report only')
PY
render_check ranks2/steward.html ranks2/metrics.json steward "$SC_WORK/steward.png"
render_check ranks2/public.html ranks2/metrics.json public "$SC_WORK/public.png"
echo "PASS: both reports render every listed chart; identical at 1, 2 and 4 ranks"
