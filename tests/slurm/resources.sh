#!/usr/bin/env bash
# Resource requests follow the config: `slurm/submit --test-only` runs `sbatch --test-only -v` for
# every stage, and the requests Slurm reads back (ntasks, cpus-per-task, mem-per-cpu, time, gres)
# are checked for a small and a large configuration; a GPU request on this GPU-less cluster is
# refused at once, before any job exists.
source "$(dirname "$0")/common.sh"
# request FILE STAGE OPTION: an option of STAGE's request as sbatch -v printed it.
request() {
  awk -v stage="== $2:" -v option="$3" '
    index($0, "== ") == 1 { inside = index($0, stage) == 1 }
    inside && $1 == "sbatch:" && $2 == option { print $4 }' "$1"
}
minutes() { awk -F: '{print $1 * 60 + $2}' <<< "$1"; }
expect() { [ "$(request "$1" "$2" "$3")" = "$4" ] || fail "$1: $2 $3 is '$(request "$1" "$2" "$3")', expected '$4'"; }

# Small: the persons table alone, 17,549 rows in 10,000-row shards: 2 shards.
cat > small.ini <<INI
[ingest]
rows_per_shard = 10000
[table.persons]
file = $SC_DATA_DIR/registry/nafld1.csv.gz
primary_key = id
INI
"$SUBMIT" --config small.ini --test-only > small.txt 2>&1 || fail "small: $(cat small.txt)"
for stage in ingest fit sample evaluate export; do
  expect small.txt $stage ntasks 2
  expect small.txt $stage cpus-per-task 1
  mem=$(request small.txt $stage mem-per-cpu)
  [ "$mem" -ge 256 ] && [ "$mem" -le 512 ] || fail "small: $stage asks for $mem MiB per rank, expected the floor of 256 to 512"
  expect small.txt $stage time 00:10:00
  [ -z "$(request small.txt $stage gpus-per-task)" ] || fail "small: $stage asks for a GPU"
done
grep -q "Job .* to start at .* using 2 processors" small.txt || fail "Slurm did not accept the small requests"
echo "ok: small: 2 ranks x 1 CPU, 256-512 MiB, 10 min, no GPU for every stage"

# Large: all of nafld (the labs table has 201 shards of 2000 rows) and 10 million synthetic
# persons (about 250 million rows): as many ranks as the 8 CPUs of the partition, memory and time
# from the models of slurm/sizing.py.
write_nafld_config large.ini
printf '[sample]\npersons = 10000000\nrows_per_shard = 100000\n[slurm]\nmin_time_minutes = 1\n' >> large.ini
"$SUBMIT" --config large.ini --test-only > large.txt 2>&1 || fail "large: $(cat large.txt)"
for stage in ingest fit sample evaluate export; do expect large.txt $stage ntasks 8; done
[ "$(request large.txt sample mem-per-cpu)" -gt 1000 ] || fail "sample memory does not grow with sample.persons"
[ "$(request large.txt fit mem-per-cpu)" -gt 256 ] || fail "fit memory does not grow with the real rows"
[ "$(minutes "$(request large.txt sample time)")" -gt 1 ] && [ "$(minutes "$(request large.txt evaluate time)")" -gt 1 ] ||
  fail "the time limits do not grow with the synthetic rows"
grep -q "Job .* to start at .* using 8 processors" large.txt || fail "Slurm did not accept the large requests"
echo "ok: large: 8 ranks; sample $(request large.txt sample mem-per-cpu) MiB and $(request large.txt sample time), evaluate $(request large.txt evaluate time)"
# Twice the persons: more memory and time for sample.
"$SUBMIT" --config large.ini --test-only --sample.persons 20000000 > larger.txt 2>&1 || fail "larger: $(cat larger.txt)"
[ "$(request larger.txt sample mem-per-cpu)" -gt "$(request large.txt sample mem-per-cpu)" ] &&
  [ "$(minutes "$(request larger.txt sample time)")" -gt "$(minutes "$(request large.txt sample time)")" ] ||
  fail "sample's request does not grow with sample.persons"
# Ten times the persons: 18 GiB per rank on 8 ranks exceed the node's 64 GiB; Slurm refuses the
# request and submit stops before the first job.
set +e; "$SUBMIT" --config large.ini --run.dir huge-run --sample.persons 100000000 > huge.txt 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "Slurm refuses the sample job (--ntasks=8 --cpus-per-task=1 --mem-per-cpu=.*): .*Requested node configuration is not available" huge.txt ||
  fail "an impossible request was not refused: exit $rc: $(cat huge.txt)"
[ ! -e huge-run/slurm/jobs.json ] && [ -z "$(squeue -h -n sc-ingest)" ] || fail "jobs were submitted before the refusal"
echo "ok: 100 million persons refused before any job: $(cat huge.txt)"
# CPUs per rank and a rank cap from the config.
"$SUBMIT" --config large.ini --test-only --slurm.cpus_per_rank 4 > threads.txt 2>&1 || fail "threads: $(cat threads.txt)"
expect threads.txt ingest ntasks 2
expect threads.txt ingest cpus-per-task 4
"$SUBMIT" --config large.ini --test-only --slurm.max_ranks 3 > capped.txt 2>&1 || fail "capped: $(cat capped.txt)"
expect capped.txt sample ntasks 3
echo "ok: slurm.cpus_per_rank = 4 gives 2 ranks x 4 CPUs; slurm.max_ranks = 3 gives 3 ranks"

# GPUs: auto on a cluster without them asks for none; cuda is refused at once, nothing submitted.
"$SUBMIT" --config small.ini --test-only --sample.backend auto > auto.txt 2>&1
[ -z "$(request auto.txt sample gpus-per-task)" ] || fail "sample.backend = auto asked for a GPU on a GPU-less cluster"
set +e; "$SUBMIT" --config small.ini --run.dir gpu-run --sample.backend cuda > gpu.txt 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "key 'sample.backend' = cuda asks for a GPU per rank, but the partition offers no GPU" gpu.txt ||
  fail "a GPU request on a GPU-less cluster was not refused: exit $rc: $(cat gpu.txt)"
[ ! -e gpu-run/slurm/jobs.json ] && [ -z "$(squeue -h -n sc-ingest)" ] || fail "jobs were submitted despite the refusal"
set +e; sbatch --test-only --gpus-per-task=1 -n 1 --wrap true > raw-gpu.txt 2>&1; rc=$?; set -e
[ $rc -ne 0 ] && grep -q "Invalid generic resource" raw-gpu.txt || fail "Slurm accepted a GPU request: $(cat raw-gpu.txt)"
echo "ok: sample.backend = cuda refused at once: $(cat gpu.txt)"
echo "PASS: requests follow the config"
