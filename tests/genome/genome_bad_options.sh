#!/usr/bin/env bash
# Bad genome generator options stop fit or sample with exit code 2 (config error) and a message
# naming the key, and leave no sample stage behind.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
write_genome_config g.ini 3000 "holdout_samples = 60" "individuals = 50"
run_np 1 ingest --config g.ini --run.dir r > ingest.log
run_np 1 fit --config g.ini --run.dir r > fit.log
expect_config_error() {  # expect_config_error STAGE KEY VALUE
  set +e
  run_np 1 "$1" --config g.ini --run.dir r "--$2" "$3" > out.log 2>&1
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "$1 with $2 = '$3' exited $rc, expected 2: $(tail -2 out.log)"
  grep -q "$2" out.log || fail "$1 with $2 = '$3': the message does not name the key: $(tail -2 out.log)"
  [ ! -e r/store/sample ] || fail "$1 with $2 = '$3' left a sample stage"
}
expect_config_error fit genome.rho -1
expect_config_error fit genome.rho "XYZ:0.5"
expect_config_error fit genome.ne "unlabelled:0"
expect_config_error fit genome.ne "abc"
expect_config_error fit genome.holdout_samples 300
expect_config_error sample genome.individuals -5
expect_config_error sample genome.mutation_rate 0.7
expect_config_error sample genome.max_segment_cm -1
expect_config_error sample genome.max_donor_cm 0.001
expect_config_error sample genome.population_weights "EUR:1"
expect_config_error sample genome.population_weights "unlabelled:0"
expect_config_error sample genome.backend gpu
expect_config_error sample genome.individuals_per_segment_shard 0
set +e
run_np 1 sample --config g.ini --run.dir r --genome.no_such_key 1 > out.log 2>&1
rc=$?
set -e
[ $rc -eq 2 ] && grep -q 'genome.no_such_key' out.log || fail "an unknown genome key: exit $rc, $(tail -1 out.log)"
echo "PASS: every bad genome option exits 2 naming its key"
