#!/usr/bin/env bash
# `synthcohort evaluate` with the reference side read from a `sample` stage (evaluate.real_stage
# = sample, evaluate.genome_real_group = genomes/synthetic), as the issue-size genome benchmark
# (bench/evaluate/genome_metrics_sampled_bench.sh) does: two runs sample the chr20 panel with
# different seeds (120 and 90 individuals, 9 windows); evaluating one against the other counts
# the reference's 120 individuals as 100 training + 20 held out, every rank evaluates windows, and
# metrics.json is byte-identical at 1, 2 and 4 ranks.
source "$(dirname "$0")/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
for side in reference synthetic; do
  if [ $side = reference ]; then individuals=120 seed=101; else individuals=90 seed=202; fi
  write_genome_config $side.ini 3000 "individuals = $individuals"
  printf '[run]\nseed = %s\n' $seed >> $side.ini
  for stage in ingest fit sample; do run_np 2 $stage --config $side.ini --run.dir run_$side > $side.$stage.log; done
done
cat > evaluate.ini <<INI
[run]
dir = run_reference
[genome]
holdout_samples = 20
[evaluate]
real_stage = sample
genome_real_group = genomes/synthetic
synthetic_store = run_synthetic/store
synthetic_stage = sample
genome_synthetic_group = genomes/synthetic
genome_ld_max_cm = 0.2
INI
for n in 1 2 4; do
  run_np $n evaluate --config evaluate.ini --evaluate.output metrics$n.json > evaluate$n.log
  python3 - "$n" <<'PY' || fail "sampled reference not evaluated as expected at $n ranks"
import json, sys
g = json.load(open("metrics%s.json" % sys.argv[1]))["genomes"]
assert g["individuals"] == {"synthetic": 90, "training": 100, "holdout": 20}, g["individuals"]
assert g["kinship"]["synthetic_max"]["individuals"] == 90
per_rank = json.load(open("run_reference/provenance.json"))["stages"]["evaluate"]["summary"]["genomes"]["windows_per_rank"]
assert len(per_rank) == int(sys.argv[1]) and min(per_rank) > 0 and sum(per_rank) >= 8, per_rank
PY
done
cmp metrics1.json metrics2.json || fail "metrics differ between 1 and 2 ranks"
cmp metrics1.json metrics4.json || fail "metrics differ between 1 and 4 ranks"
echo "PASS: reference read from a sample stage; metrics identical at 1, 2, 4 ranks"
