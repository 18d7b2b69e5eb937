#!/usr/bin/env bash
# Genome evaluation refuses what it cannot compare, with the key or window it concerns and the
# documented exit code, and writes no metrics file: panels cut into different windows (input, 3),
# a hold-out as large as the panel, a bad LD bin width and an unknown genome metric (config, 2).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/genome_metrics_common.sh"
split_panel 5000 10
# expect CODE PATTERN ARGS...: evaluate fails with CODE, says PATTERN, leaves no metrics file.
expect() {
  local code=$1 pattern=$2; shift 2
  set +e
  run_np 2 evaluate --config real.ini --evaluate.output bad.json "$@" > bad.log 2>&1
  local rc=$?
  set -e
  [ "$rc" -eq "$code" ] || { cat bad.log; fail "exit code $rc, expected $code ($*)"; }
  grep -q -- "$pattern" bad.log || { cat bad.log; fail "message lacks '$pattern' ($*)"; }
  [ ! -e bad.json ] || fail "a metrics file was written despite the error ($*)"
}
expect 2 "genome.holdout_samples" --genome.holdout_samples 150
expect 2 "evaluate.genome_ld_bin_cm" --evaluate.genome_ld_bin_cm 0
expect 2 "evaluate.genome_pca_components" --evaluate.genome_pca_components 0
expect 2 "evaluate.genome_metrics.*af, ld, pca, kinship, aats.*found .ldd" --evaluate.genome_metrics af,ldd
expect 2 "evaluate.genome_metrics" --evaluate.genome_metrics "af,,pca"
# The synthetic panel re-ingested with other windows.
run_np 1 ingest --config synthetic.ini --ingest.variants_per_window 4000 --run.dir run_other > ingest_other.log
expect 3 "same variant windows" --evaluate.synthetic_store run_other/store
echo "PASS: mismatched panels and bad genome keys are refused"
