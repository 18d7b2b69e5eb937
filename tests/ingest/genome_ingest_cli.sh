#!/usr/bin/env bash
# Genome ingest and export through the real binary. The bundled 1000 Genomes panel (300 samples x
# 24,990 sites) in windows of 3,000 variants (9 windows) at 1, 2 and 4 ranks: identical dataset
# digests, every rank committed windows, and the exported VCF gives back every site and phased
# genotype of the input (bcftools query of both, compared whole) with a usable CSI index. The
# same panel as BCF gives the same datasets. A run killed after some commits resumes from them.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
panel=$SC_DATA_DIR/genomes/reference.vcf.gz
write_genome_config() {  # write_genome_config FILE VCF
  printf '[ingest]\nvariants_per_window = 3000\n[genome]\nvcf = %s\nmap = %s\n' "$2" "$SC_DATA_DIR/genomes/chr20.b37.gmap.gz" > "$1"
}
write_genome_config g.ini "$panel"
format='%CHROM %POS %ID %REF %ALT [%GT ]\n'
bcftools query -f "$format" "$panel" > input.txt
sites=$(wc -l < input.txt)
[ "$sites" -eq 24990 ] || fail "bundled panel has $sites sites, expected 24990"
region_sites=$(bcftools view -H -r 20:2000000-2100000 "$panel" | wc -l)

for n in 1 2 4; do
  run_np $n ingest --config g.ini --run.dir r$n > ingest$n.log
  run_np $n export --config g.ini --run.dir r$n > export$n.log
  every_rank_committed r$n/store/ingest/index.json $n
  dataset_digests r$n/store/ingest/index.json > digests$n.txt
  out=r$n/export/ingest/reference.vcf.gz
  [ -s $out.csi ] || fail "no CSI index beside $out"
  bcftools query -f "$format" $out > output$n.txt
  cmp input.txt output$n.txt || fail "export at $n ranks does not give back the input's sites and phased genotypes"
  [ "$(bcftools view -H -r 20:2000000-2100000 $out | wc -l)" -eq "$region_sites" ] || fail "index region query at $n ranks"
done
windows=$(python3 -c "
import json
index = json.load(open('r1/store/ingest/index.json'))
print(sum(1 for s in index['shards'] if s['file'].startswith('genomes/reference/shard-')))")
[ "$windows" -ge 8 ] || fail "only $windows windows"
grep -q 'genomes/reference/haplotypes' digests1.txt || fail "no haplotype digest in the index"
cmp digests1.txt digests2.txt || fail "digests differ between 1 and 2 ranks"
cmp digests1.txt digests4.txt || fail "digests differ between 1 and 4 ranks"
cmp r1/export/ingest/reference.vcf.gz r2/export/ingest/reference.vcf.gz || fail "VCF export differs between 1 and 2 ranks"
cmp r1/export/ingest/reference.vcf.gz r4/export/ingest/reference.vcf.gz || fail "VCF export differs between 1 and 4 ranks"

# BCF input: the same datasets.
bcftools view -Ob -o panel.bcf "$panel"
write_genome_config b.ini panel.bcf
run_np 2 ingest --config b.ini --run.dir bcf > bcf.log
dataset_digests bcf/store/ingest/index.json > digests_bcf.txt
cmp digests1.txt digests_bcf.txt || fail "BCF input gives other datasets than VCF.gz input"

# The BCF with its CSI index: every rank decodes regions of it (genome_regions.hpp), and the
# store is the same at 2 and 4 ranks; every rank committed windows.
bcftools index panel.bcf
for n in 2 4; do
  run_np $n ingest --config b.ini --run.dir bcfidx$n > bcfidx$n.log
  grep -q '"decoded_by_regions"' bcfidx$n/store/ingest/index.json || fail "the indexed BCF was not decoded by regions at $n ranks"
  every_rank_committed bcfidx$n/store/ingest/index.json $n
  dataset_digests bcfidx$n/store/ingest/index.json > digests_bcfidx$n.txt
  cmp digests1.txt digests_bcfidx$n.txt || fail "the indexed BCF decoded by regions at $n ranks gives other datasets"
done
# Two contigs, in the file in another order than in the header (sites after the 14,000th renamed
# 21 and put first): regions follow the file's order, so the windows and contigs are the stream's.
{ zcat "$SC_DATA_DIR/genomes/chr20.b37.gmap.gz"; zcat "$SC_DATA_DIR/genomes/chr20.b37.gmap.gz" | tail -n +2 | awk -v OFS='\t' '{ $2 = "21"; print }'; } > map2.txt
bcftools view -h "$panel" | sed 's/^##contig=<ID=20[,>].*$/&\n##contig=<ID=21>/' > two.vcf
bcftools view -H "$panel" | awk -F'\t' -v OFS='\t' 'NR > 14000 { $1 = "21"; print }' >> two.vcf
bcftools view -H "$panel" | awk 'NR <= 14000' >> two.vcf
bcftools view -Ob -o two.bcf two.vcf
printf '[ingest]\nvariants_per_window = 3000\n[genome]\nvcf = two.bcf\nmap = map2.txt\n' > two.ini
run_np 1 ingest --config two.ini --run.dir two1 > two1.log
bcftools index two.bcf
run_np 4 ingest --config two.ini --run.dir two4 > two4.log
grep -q '"decoded_by_regions"' two4/store/ingest/index.json || fail "the two-contig BCF was not decoded by regions"
every_rank_committed two4/store/ingest/index.json 4
cmp <(dataset_digests two1/store/ingest/index.json) <(dataset_digests two4/store/ingest/index.json) ||
  fail "two contigs: regions at 4 ranks give other datasets than the stream"

# A bad site deep in the panel (an unphased genotype at record 20,001, in a later region): the
# same message, naming the record counted from the start of the file, with and without the index.
bcftools view -h "$panel" > bad.vcf
bcftools view -H "$panel" | awk -F'\t' -v OFS='\t' 'NR == 20001 { sub(/\|/, "/", $10) } { print }' >> bad.vcf
bcftools view -Ob -o bad.bcf bad.vcf
write_genome_config bad.ini bad.bcf
for kind in stream regions; do
  [ $kind = regions ] && bcftools index bad.bcf
  set +e
  run_np 2 ingest --config bad.ini --run.dir bad_$kind > bad_$kind.log 2> bad_$kind.err
  rc=$?
  set -e
  [ $rc -eq 3 ] || fail "bad panel ($kind) exited $rc, expected 3 (input error)"
  grep -q 'bad.bcf: record 20001: column .*unphased genotype' bad_$kind.err || fail "bad panel ($kind): $(cat bad_$kind.err)"
done
cmp <(grep -o 'bad.bcf: record.*' bad_stream.err | sort -u) <(grep -o 'bad.bcf: record.*' bad_regions.err | sort -u) ||
  fail "regions and stream name the bad site differently"
# With genome.on_unphased = skip the regions drop and count the same site as the stream.
cp bad.bcf bad_unindexed.bcf
for f in bad bad_unindexed; do write_genome_config skip_$f.ini $f.bcf; echo 'on_unphased = skip' >> skip_$f.ini; done
run_np 1 ingest --config skip_bad_unindexed.ini --run.dir skip_stream > skip_stream.log
run_np 2 ingest --config skip_bad.ini --run.dir skip_regions > skip_regions.log
cmp <(dataset_digests skip_stream/store/ingest/index.json) <(dataset_digests skip_regions/store/ingest/index.json) ||
  fail "skipping the unphased site: regions give other datasets than the stream"
python3 -c "
import json, sys
s = [json.load(open(d + '/store/ingest/index.json'))['summary']['genomes'] for d in ('skip_stream', 'skip_regions')]
assert s[0]['skipped_sites'] == s[1]['skipped_sites'] and s[1]['skipped_sites']['unphased'] == 1, s
assert 'decoded_by_regions' in s[1] and s[0]['variants'] == s[1]['variants'] == 24989, s
" || fail "skipping the unphased site: counts differ between regions and stream"

# Killed after two commits on each rank, then rerun: the committed windows are skipped.
set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=2 run_np 2 ingest --config g.ini --run.dir killed > killed.log 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the killed run exited 0"
[ ! -e killed/store/ingest ] || fail "a killed stage was published"
committed=$(find killed/store/ingest.partial -name 'shard-*.h5' | wc -l)
[ "$committed" -gt 0 ] && [ "$committed" -lt 10 ] || fail "expected some but not all of 10 shards committed, found $committed"
run_np 2 ingest --config g.ini --run.dir killed > resumed.log
grep -q "$committed already committed (resumed)" resumed.log || fail "the rerun did not skip the $committed committed shards: $(tail -1 resumed.log)"
dataset_digests killed/store/ingest/index.json > resumed.txt
cmp digests1.txt resumed.txt || fail "resumed store differs from the uninterrupted one"
# The same on the region path (the indexed BCF): windows are committed once the panel is checked,
# so the kill comes during those commits, and the rerun decodes again but skips them.
set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=2 run_np 2 ingest --config b.ini --run.dir killed_regions > killed_regions.log 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the killed region run exited 0"
committed=$(find killed_regions/store/ingest.partial -name 'shard-*.h5' | wc -l)
[ "$committed" -gt 0 ] && [ "$committed" -lt 10 ] || fail "regions: expected some but not all of 10 shards committed, found $committed"
run_np 2 ingest --config b.ini --run.dir killed_regions > resumed_regions.log
grep -q "$committed already committed (resumed)" resumed_regions.log || fail "regions: the rerun did not skip the $committed committed shards: $(tail -1 resumed_regions.log)"
dataset_digests killed_regions/store/ingest/index.json > resumed_regions.txt
cmp digests1.txt resumed_regions.txt || fail "regions: resumed store differs from the uninterrupted one"
echo "PASS: $windows windows, identical digests at 1, 2, 4 ranks and from BCF (indexed: by regions at 2 and 4 ranks), exports equal to the input, resume after $committed commits"
