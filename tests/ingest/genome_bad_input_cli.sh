#!/usr/bin/env bash
# Bad panels through the real binary at 2 ranks: exit code 3 (input), a message with the file, the
# line and the column, no published stage, no committed window, and no genotype value in the
# message unless log.show_values is set; skip policies drop and count. Each bad panel is the
# bundled one's first 40 sites with one line made bad (header lines counted in the line number).
source "$SC_SOURCE_DIR/tests/cli/common.sh"
panel=$SC_DATA_DIR/genomes/reference.vcf.gz
map=$SC_DATA_DIR/genomes/chr20.b37.gmap.gz
header_lines=$(bcftools view -h "$panel" | grep -vc '^##bcftools_view')
bcftools view -h "$panel" | grep -v '^##bcftools_view' > header.txt
bcftools view -H "$panel" | awk 'NR <= 40' > body.txt  # awk reads to the end: no SIGPIPE under pipefail

# make_panel NAME AWK_PROGRAM: the 40 sites with the program applied to data line 30, bgzipped.
make_panel() {
  { cat header.txt; awk -v OFS='\t' -F'\t' "NR == 30 { $2 } { print }" body.txt; } | bgzip > $1.vcf.gz
}
bad_line=$((header_lines + 30))

# expect_error NAME PATTERN [options...]; the map is $case_map when set.
expect_error() {
  local name=$1 pattern=$2; shift 2
  set +e
  run_np 2 ingest --run.dir run_$name --genome.vcf $name.vcf.gz --genome.map "${case_map:-$map}" \
    --ingest.variants_per_window 10 "$@" > $name.log 2>&1
  local rc=$?
  set -e
  [ $rc -eq 3 ] || fail "$name: expected exit 3, got $rc: $(cat $name.log)"
  grep -qE -- "$pattern" $name.log || fail "$name: message does not match [$pattern]: $(cat $name.log)"
  [ ! -e run_$name/store/ingest ] || fail "$name: a stage was published"
  [ -z "$(find run_$name/store -name 'shard-*.h5' 2>/dev/null)" ] || fail "$name: windows were committed"
  echo "ok: $name"
}

make_panel unphased '$12 = "1/0"'
expect_error unphased 'unphased.vcf.gz:'$bad_line': column 12 \(sample index 2\): unphased genotype \(value hidden'
grep -q '1/0' unphased.log && fail "the genotype leaked into the message"
make_panel missing '$10 = ".|."'
expect_error missing 'missing.vcf.gz:'$bad_line': column 10 \(sample index 0\): missing genotype'
make_panel multiallelic '$5 = $5 ",C"'
expect_error multiallelic 'multiallelic.vcf.gz:'$bad_line': column 5 \(ALT\): site with 2 ALT alleles'
make_panel unsorted '$2 = 999'
expect_error unsorted 'unsorted.vcf.gz:'$bad_line': column 2 \(POS\): position lower than the previous'
make_panel good ''
bgzip -dc good.vcf.gz > good.vcf
head -c 20000 good.vcf | bgzip > cut_inner.vcf.gz  # complete BGZF, text cut mid-line
expect_error cut_inner 'cut_inner.vcf.gz:[0-9]+: malformed or truncated record'
head -c $(( $(stat -c %s good.vcf.gz) - 100 )) good.vcf.gz > truncated.vcf.gz
expect_error truncated 'truncated.vcf.gz: the file ends without the BGZF end-of-file block'
printf 'pos chr cM\n1 20 0\n70000000 20 100\n1 21 0\n9 21 1\n' > other.map
make_panel other_map ''
case_map=other.map expect_error other_map 'other.map:4: the map is for contig 21, which .*other_map.vcf.gz does not have'

# The value is shown when the operator asks.
set +e
run_np 1 ingest --run.dir shown --genome.vcf unphased.vcf.gz --genome.map "$map" --log.show_values true > shown.log 2>&1
set -e
grep -q "unphased genotype '1/0'" shown.log || fail "log.show_values did not show the genotype: $(cat shown.log)"

# Skip policies: the bad sites are dropped and counted, the rest ingested.
{ cat header.txt; awk -v OFS='\t' -F'\t' 'NR == 5 { $12 = "0/1" } NR == 9 { $10 = ".|0" } NR == 13 { $5 = $5 ",T" } NR == 20 { $2 = 5 } { print }' body.txt; } | bgzip > mixed.vcf.gz
run_np 2 ingest --run.dir skip --genome.vcf mixed.vcf.gz --genome.map "$map" --ingest.variants_per_window 10 \
  --genome.on_unphased skip --genome.on_missing skip --genome.on_multiallelic skip --genome.on_unsorted skip > skip.log
python3 - <<'PY' || fail "skipped sites not counted: $(cat skip.log)"
import json
genomes = json.load(open('skip/store/ingest/index.json'))['summary']['genomes']
assert genomes['skipped_sites'] == {'unphased': 1, 'missing': 1, 'multiallelic': 1, 'unsorted': 1}, genomes['skipped_sites']
assert genomes['variants'] == 36 and genomes['windows'] == 4, genomes
PY
echo "PASS: bad panels rejected with file, line and column; skips counted"
