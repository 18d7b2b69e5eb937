#!/usr/bin/env bash
# A sampling job killed partway, twice: once with scancel (the whole job), once by SIGKILL of one
# rank (srun --kill-on-bad-exit ends the others). At the kill some but not all shards are
# committed; the resubmitted job skips exactly those (index.json marks them resumed) and the store's
# digests and the exports equal an uninterrupted run's. 100,000 persons in 200-row shards (about
# 1,500 shards) give a window of a few seconds to kill in.
source "$(dirname "$0")/common.sh"
write_small_config c.ini
size=(--sample.persons 100000 --sample.rows_per_shard 200)
for stage in ingest fit sample export; do run_np 2 $stage --config c.ini --run.dir clean "${size[@]}" > clean-$stage.log; done
total=$(python3 -c "import json; print(len(json.load(open('clean/store/sample/index.json'))['shards']))")

# kill_partway NAME HOW: submits sample into run directory NAME (ingest and fit copied from the
# clean run), waits until some shards are committed, kills (HOW: scancel or rank), waits for the
# job to end, and lists the shards committed at that moment in NAME-committed.txt.
kill_partway() {
  local name=$1 how=$2 job
  mkdir -p $name/store
  cp -r clean/store/ingest clean/store/fit $name/store/
  "$SUBMIT" --config c.ini --run.dir $name --stages sample "${size[@]}" > $name-jobs.txt
  job=$(submitted_jobs $name-jobs.txt)
  for _ in $(seq 1 600); do
    [ "$(committed_shards $name/store/sample.partial)" -ge 40 ] && break
    [ "$(job_field $job JobState)" = COMPLETED ] && fail "the sampling job finished before it could be killed"
    sleep 0.05
  done
  if [ "$how" = scancel ]; then
    scancel $job
    wait_jobs $job
    [ "$(job_field $job JobState)" = CANCELLED ] || fail "job $job is $(job_field $job JobState) after scancel"
  else
    # `scontrol listpids`: PID JOBID STEPID LOCALID GLOBALID; the global id is the MPI rank.
    local pid
    pid=$(scontrol listpids $job | awk '$3 == "0" && $5 == "1" {print $1}' | head -1)
    [ -n "$pid" ] || fail "no process of rank 1 in job $job: $(scontrol listpids $job)"
    kill -9 "$pid"
    wait_jobs $job
    [ "$(job_field $job JobState)" = FAILED ] || fail "job $job is $(job_field $job JobState) after rank 1 was killed"
  fi
  [ ! -e $name/store/sample ] || fail "a killed sample stage was published"
  (cd $name/store/sample.partial && find . -name 'shard-*.h5' | sed 's|^\./||' | sort) > $name-committed.txt
  local committed
  committed=$(wc -l < $name-committed.txt)
  [ "$committed" -gt 0 ] && [ "$committed" -lt "$total" ] || fail "$how: expected some but not all of $total shards committed, found $committed"
  echo "ok: $how killed job $job with $committed of $total shards committed"
}

# resume_and_compare NAME: resubmits sample and export, checks the skips and the results.
resume_and_compare() {
  local name=$1
  "$SUBMIT" --config c.ini --run.dir $name --stages sample,export "${size[@]}" > $name-rerun.txt
  mapfile -t jobs < <(submitted_jobs $name-rerun.txt)
  wait_jobs "${jobs[@]}"
  for job in "${jobs[@]}"; do expect_job $job COMPLETED 0:0; done
  python3 -c "
import json, sys
index = json.load(open('$name/store/sample/index.json'))
resumed = sorted(s['file'] for s in index['shards'] if s['resumed'])
committed = open('$name-committed.txt').read().split()
assert resumed == committed, 'resumed %d shards, %d were committed at the kill' % (len(resumed), len(committed))
assert index['shards_skipped'] == len(committed), index['shards_skipped']
" || fail "$name: the rerun did not skip exactly the committed shards"
  dataset_digests clean/store/sample/index.json > clean.txt
  dataset_digests $name/store/sample/index.json > $name.txt
  cmp clean.txt $name.txt || fail "$name: resumed store differs from the uninterrupted one"
  for table in persons events; do
    cmp clean/export/sample/$table.csv $name/export/sample/$table.csv || fail "$name: export $table.csv differs"
  done
  echo "ok: $name resumed $(wc -l < $name-committed.txt) shards; $(wc -l < clean.txt) digests and 2 exports equal"
}

kill_partway cancelled scancel
resume_and_compare cancelled
kill_partway rank-killed rank
resume_and_compare rank-killed
echo "PASS: scancel and SIGKILL of one rank, resumed to the uninterrupted result"
