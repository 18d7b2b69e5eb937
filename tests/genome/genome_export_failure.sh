#!/usr/bin/env bash
# The VCF export's failures leave nothing half-written: with a synthetic window in the second
# rank's share of the sites damaged after sample committed it, `export` at 2 ranks exits with an
# I/O error (code 4) naming the window's file, leaves no part, temporary or new file behind, and
# keeps the VCF and index of an earlier complete export as they were; a bad
# export.vcf_chunk_sites or export.vcf_compression_level is a config error (code 2) naming the key;
# another compression level gives other bytes of the same text.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
write_genome_config g.ini 2000 "holdout_samples = 60" "individuals = 40"
for stage in ingest fit sample; do run_np 2 $stage --config g.ini --run.dir r > $stage.log; done
run_np 2 export --config g.ini --run.dir r --export.plink false > export.log
out=r/export/sample
md5sum $out/synthetic.vcf.gz $out/synthetic.vcf.gz.csi > before.md5

set +e
run_np 2 export --config g.ini --run.dir r --export.plink false --export.vcf_chunk_sites 0 > chunk.log 2>&1
rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'export.vcf_chunk_sites' chunk.log || fail "export.vcf_chunk_sites = 0: exit $rc, $(tail -1 chunk.log)"
for level in 10 -1; do
  set +e
  run_np 2 export --config g.ini --run.dir r --export.plink false --export.dir bad --export.vcf_compression_level $level > level.log 2>&1
  rc=$?
  set -e
  [ $rc -eq 2 ] && grep -q 'export.vcf_compression_level' level.log || fail "export.vcf_compression_level = $level: exit $rc, $(tail -1 level.log)"
  [ ! -e bad ] || [ -z "$(ls bad)" ] || fail "a rejected compression level left files in bad/: $(ls bad)"
done
run_np 2 export --config g.ini --run.dir r --export.plink false --export.dir fast --export.vcf_compression_level 1 > fast.log
cmp -s fast/synthetic.vcf.gz $out/synthetic.vcf.gz && fail "export.vcf_compression_level = 1 wrote the default level's bytes"
cmp <(bcftools view -H fast/synthetic.vcf.gz) <(bcftools view -H $out/synthetic.vcf.gz) || fail "level 1 and the default level differ in text"

# The last window lies in rank 1's share (the sites are dealt as two contiguous halves).
last=$(ls r/store/sample/genomes/synthetic/shard-*.h5 | sort | tail -n 1)
size=$(stat -c %s "$last")
truncate -s $((size / 2)) "$last"
set +e
run_np 2 export --config g.ini --run.dir r --export.plink false > broken.log 2>&1
rc=$?
set -e
[ $rc -eq 4 ] || fail "export with a truncated window exited $rc, expected 4 (I/O error): $(tail -2 broken.log)"
grep -q "$(basename "$last")" broken.log || fail "the error does not name the damaged window: $(tail -2 broken.log)"
left=$(ls $out | grep -v -x -e synthetic.vcf.gz -e synthetic.vcf.gz.csi || true)
[ -z "$left" ] || fail "the failed export left files behind: $left"
md5sum -c --quiet before.md5 || fail "the failed export changed the earlier complete export"
echo "PASS: a failed VCF export exits 4 naming the damaged window and leaves no partial file"
