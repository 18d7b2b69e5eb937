#!/usr/bin/env bash
# Fit streams shards in bounded memory (fit.memory_budget_mb): the nafld registry and nafld
# repeated 8 times (ids shifted per copy) fitted with a 4 MiB budget. The model equals the one fitted
# with the whole table in one partition (a budget far above the data), at 1, 2 and 4 ranks; the
# fit's peak resident memory per rank (provenance manifest) grows by less than a fixed bound from
# 1 to 8 copies, while in one partition (and in the fit before the scratch area, which kept per-row
# arrays on every rank: 73 -> 330 MiB) it grows by more; the scratch area is gone afterwards; a
# bad budget fails with the key named, an unusable scratch area with an I/O error naming it.
source "$(dirname "$0")/common.sh"
copies=8
repeat() {  # repeat IN.csv.gz OUT.csv [REF_COLUMN]: copies of the rows, ids (and case.id) shifted per copy
  zcat "$1" | awk -F, -v OFS=, -v copies=$copies -v ref="${3:-0}" 'NR==1{print; next} {rows[NR]=$0} END{
    for (c = 0; c < copies; c++) for (i = 2; i <= NR; i++) { $0 = rows[i]; $1 = $1 + c * 100000;
      if (ref > 0 && $ref != "NA" && $ref != "") $ref = $ref + c * 100000; print } }' > "$2"
}
repeat "$SC_DATA_DIR/registry/nafld1.csv.gz" persons8.csv 7
repeat "$SC_DATA_DIR/registry/nafld2.csv.gz" labs8.csv
repeat "$SC_DATA_DIR/registry/nafld3.csv.gz" events8.csv
write_nafld_config small.ini
sed -e "s#file = .*nafld1.csv.gz#file = $PWD/persons8.csv#" -e "s#file = .*nafld2.csv.gz#file = $PWD/labs8.csv#" \
    -e "s#file = .*nafld3.csv.gz#file = $PWD/events8.csv#" -e "s#rows_per_shard = 2000#rows_per_shard = 10000#" small.ini > large.ini
grep -q persons8.csv large.ini && grep -q labs8.csv large.ini && grep -q events8.csv large.ini || fail "large.ini does not name the repeated tables"
run_np 2 ingest --config small.ini --run.dir small > ingest-small.log
run_np 2 ingest --config large.ini --run.dir large > ingest-large.log
model_digests() {
  python3 -c "
import json, sys
index = json.load(open(sys.argv[1]))
for name, info in sorted(index['datasets'].items()):
    if name.startswith('models/'): print(name, info['sha256'])
" "$1"
}
peak_mib() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['stages']['fit']['peak_resident_bytes_max'] // 2**20)" "$1"; }
# fit SIZE RUN RANKS BUDGET: a fit of the SIZE store's ingest in run directory RUN.
fit() {
  rm -rf "$2" && mkdir -p "$2/store" && cp -r "$1/store/ingest" "$2/store/"
  run_np "$3" fit --config "$1.ini" --run.dir "$2" --fit.memory_budget_mb "$4" > "$2.log"
  [ ! -e "$2/tmp/fit" ] || fail "$2: the fit's scratch area was left behind"
  model_digests "$2/store/fit/index.json" > "$2.models"
  [ "$(wc -l < "$2.models")" -eq 15 ] || fail "$2: expected 3 table models of 5 datasets each"
}
# nafld (>= 8 shards per table) at 1, 2 and 4 ranks; the repeated registry at 1 and 2.
for run in small:1 small:2 small:4 large:1 large:2; do
  size=${run%:*} n=${run#*:}
  [ -f $size-whole.models ] || fit $size $size-whole 1 65536
  fit $size $size-$n $n 4
  cmp $size-whole.models $size-$n.models || fail "$size at $n ranks with a 4 MiB budget: the model differs from the one-partition fit"
done
small=$(peak_mib small-1/provenance.json) large=$(peak_mib large-1/provenance.json)
# The registries differ enough in size for the bound to tell: in one partition, memory grows.
whole_small=$(peak_mib small-whole/provenance.json) whole_large=$(peak_mib large-whole/provenance.json)
echo "peak memory per rank in one partition: $whole_small MiB at 1 copy, $whole_large MiB at $copies copies"
[ $((whole_large - whole_small)) -gt 80 ] || fail "one-partition fits grew only from $whole_small to $whole_large MiB: the sizes do not test the bound"
python3 -c "
import json
m = json.load(open('large-2/provenance.json'))['stages']['fit']['summary']['memory']
assert m['budget_mb'] == 4 and m['family_partitions']['labs'] > 8, m
" || fail "the manifest does not record the budget and the partitions"
child_rows=$(python3 -c "import json; t = json.load(open('large-1/store/fit/index.json'))['summary']['tables']; print(t['labs']['rows_fit'] + t['events']['rows_fit'])")
echo "peak memory per rank with a 4 MiB budget: $small MiB at 1 copy, $large MiB at $copies copies ($child_rows child rows)"
[ "$child_rows" -gt 3000000 ] || fail "the large registry has only $child_rows child rows"
[ $((large - small)) -le 40 ] || fail "peak memory grew from $small to $large MiB with the rows (bound: 40 MiB more)"
[ "$large" -le 160 ] || fail "peak memory $large MiB at $copies copies (bound: 160 MiB)"
set +e; run_np 1 fit --config small.ini --run.dir small-1 --fit.memory_budget_mb 0 > bad.log 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "fit.memory_budget_mb" bad.log || { cat bad.log; fail "a zero memory budget was accepted (rc $rc)"; }
# A scratch area that cannot be made (a file where its directory goes): an I/O error (exit 4) that
# names it, on every rank, and no fit stage in the store.
rm -rf noscratch && mkdir -p noscratch/store && cp -r small/store/ingest noscratch/store/ && touch noscratch/tmp
set +e; run_np 2 fit --config small.ini --run.dir noscratch > bad.log 2>&1; rc=$?; set -e
[ $rc -eq 4 ] && grep -q "fit scratch: cannot create .*noscratch/tmp/fit" bad.log || { cat bad.log; fail "an unusable scratch area: expected exit 4 naming it (rc $rc)"; }
[ ! -e noscratch/store/fit ] || fail "a failed fit left a fit stage in the store"
echo "PASS: bounded-memory fit: models identical to the one-partition fit at 1, 2 and 4 ranks; peak memory $small -> $large MiB for 1 -> $copies copies"
