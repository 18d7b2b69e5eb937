#!/usr/bin/env bash
# The whole pipeline as chained Slurm jobs (slurm/submit: one job per stage, afterok), up to 4
# ranks each: every job completes with exit 0, every stage is published with work on every rank,
# and stores, metrics and exports equal those of a plain `mpirun -np 2 synthcohort run`.
source "$(dirname "$0")/common.sh"
write_small_config c.ini
"$SUBMIT" --config c.ini --run.dir slurm-run > jobs.txt
cat jobs.txt
mapfile -t jobs < <(submitted_jobs jobs.txt)
[ ${#jobs[@]} -eq "$("$SYNTHCOHORT" --pipeline-stages | wc -l)" ] || fail "not one job per pipeline stage"
# Each job after the first waits for its predecessor.
for i in $(seq 1 $((${#jobs[@]} - 1))); do
  dependency=$(job_field "${jobs[$i]}" Dependency)
  [[ "$dependency" == "afterok:${jobs[$((i - 1))]}"* ]] || fail "job ${jobs[$i]} does not wait for ${jobs[$((i - 1))]}: $dependency"
done
wait_jobs "${jobs[@]}"
for job in "${jobs[@]}"; do expect_job "$job" COMPLETED 0:0; done
echo "ok: ${#jobs[@]} jobs COMPLETED 0:0"

for stage in ingest fit sample; do
  [ -f slurm-run/store/$stage/index.json ] || fail "stage $stage not published"
  [ ! -e slurm-run/store/$stage.partial ] || fail "stage $stage left a partial directory"
done
ranks=$(python3 -c "import json; print(json.load(open('slurm-run/slurm/jobs.json'))['jobs'][2]['ranks'])")
[ "$ranks" -eq 4 ] || fail "sample ran on $ranks ranks, the plan for 18 shards capped at slurm.max_ranks = 4 is 4"
every_rank_committed slurm-run/store/ingest/index.json 4
every_rank_committed slurm-run/store/sample/index.json 4
[ -s slurm-run/report/metrics.json ] && [ -s slurm-run/export/sample/persons.csv ] && [ -s slurm-run/export/sample/events.csv ] ||
  fail "metrics or exports missing"

run_np 2 run --config c.ini --run.dir mpirun-run > mpirun.log
run_digests slurm-run > slurm.txt
run_digests mpirun-run > mpirun.txt
cmp slurm.txt mpirun.txt || fail "the Slurm run's store differs from the mpirun run's"
for table in persons events; do
  cmp slurm-run/export/sample/$table.csv mpirun-run/export/sample/$table.csv || fail "export $table.csv differs"
done
# metrics.json names the stores it read; everything else must be equal.
strip_paths='import json,sys; m=json.load(open(sys.argv[1])); [d.pop("store", None) for d in (m.get("real", {}), m.get("synthetic", {}))]; print(json.dumps(m, sort_keys=True))'
[ "$(python3 -c "$strip_paths" slurm-run/report/metrics.json)" = "$(python3 -c "$strip_paths" mpirun-run/report/metrics.json)" ] ||
  fail "metrics differ between the Slurm and the mpirun run"
echo "PASS: $(wc -l < slurm.txt) dataset digests, 2 exports and metrics equal (Slurm 4 ranks, mpirun 2 ranks)"
