#!/usr/bin/env bash
# Provenance reproduces the genotypes: with the caps on (max_segment_cm, max_donor_cm) and no
# allele flips, every synthetic haplotype rebuilt variant by variant from its stored segment list
# and the reference panel equals the stored bits, segments tile the map, the caps hold and no
# held-out individual is a donor (genome_provenance_check, independent of the kernel). With flips
# on, the same check fails: it sees the flips, so a passing check is not vacuous. A sample stage
# killed after some commits resumes from them and ends with the uninterrupted run's datasets.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
: "${SC_PROVENANCE_CHECK:?}"
write_genome_config g.ini 3000 "holdout_samples = 60" "individuals = 400" "max_segment_cm = 0.05" "max_donor_cm = 0.2" \
  "individuals_per_segment_shard = 50"
for stage in ingest fit sample; do run_np 2 $stage --config g.ini --run.dir caps > caps.$stage.log; done
"$SC_PROVENANCE_CHECK" caps/store 1 60 0.05 0.2 | tee check.txt
grep -q '^rebuilt 800 haplotypes' check.txt || fail "the check did not rebuild all 800 haplotypes"
run_np 2 sample --config g.ini --run.dir caps --genome.mutation_rate 0.01 --run.restart true > flips.log
if "$SC_PROVENANCE_CHECK" caps/store 1 60 0.05 0.2 > flipped.txt 2> flipped.err; then
  fail "the rebuild check passed on genomes with allele flips"
fi
grep -q 'differs from its rebuild' flipped.err || fail "the flipped genomes failed the check for another reason: $(head -3 flipped.err)"

# Killed after two commits on each rank, then rerun: committed shards are skipped, same datasets.
dataset_digests caps/store/sample/index.json > flips_digests.txt
rm -rf caps/store/sample caps/store/sample.partial
set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=2 run_np 2 sample --config g.ini --run.dir caps --genome.mutation_rate 0.01 > killed.log 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the killed sample run exited 0"
[ ! -e caps/store/sample ] || fail "a killed sample stage was published"
committed=$(find caps/store/sample.partial -name 'shard-*.h5' | wc -l)
[ "$committed" -gt 0 ] || fail "the killed run committed nothing"
run_np 2 sample --config g.ini --run.dir caps --genome.mutation_rate 0.01 > resumed.log
grep -q "already committed (resumed)" resumed.log || fail "the rerun did not resume: $(tail -1 resumed.log)"
dataset_digests caps/store/sample/index.json > resumed_digests.txt
cmp flips_digests.txt resumed_digests.txt || fail "the resumed sample stage differs from the uninterrupted one"
echo "PASS: $(cat check.txt); resumed after $committed committed shards"
