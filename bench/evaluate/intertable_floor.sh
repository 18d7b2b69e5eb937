#!/usr/bin/env bash
# Intertable trends of our generator against a floor: children drawn independently of their
# parents. Both are scored against the real nafld tables (persons, labs, events) by `evaluate`:
#  - ours: ingest, fit, sample (seed SEED, as many persons as the real table), the nafld schema of
#    tests/cli/common.sh (child days bounded by the parent's follow-up: days <= parent.futime);
#  - floor: the real tables with every child row given a random parent (the foreign-key column of
#    labs and of events permuted across rows with a fixed seed), so child values and the number
#    of children per parent are real, and nothing ties a child to its parent.
# Prints, per child table, the intertable trends score (SDMetrics' property, every pair), the
# 0.27-thresholded score and our shared-bin score for both, and the commands.
# Usage: bench/evaluate/intertable_floor.sh [BUILD_DIR] [WORK_DIR] [SEED]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-intertable}
seed=${3:-1}
bin=$build/apps/synthcohort
data=$source_dir/data/registry
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
rm -rf "$work" && mkdir -p "$work" && cd "$work"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep -m1 CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)"
# The floor's child tables: the id column permuted across rows (Python's Mersenne Twister, seed 7).
python3 - "$data" <<'PY'
import csv, gzip, random, sys
for number, name in ((2, "labs"), (3, "events")):
    with gzip.open(f"{sys.argv[1]}/nafld{number}.csv.gz", "rt", newline="") as f:
        rows = list(csv.reader(f))
    ids = [r[0] for r in rows[1:]]
    random.Random(7).shuffle(ids)
    with open(f"{name}_shuffled.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(rows[0])
        for row, parent in zip(rows[1:], ids):
            out.writerow([parent] + row[1:])
PY
config() {  # config FILE PERSONS LABS EVENTS
  cat > "$1" <<INI
[ingest]
rows_per_shard = 50000
[table.persons]
file = $2
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
[table.labs]
file = $3
parent = persons
foreign_key = id
columns = days:day_offset, test:categorical, value:real
constraints = days <= parent.futime
[table.events]
file = $4
parent = persons
foreign_key = id
columns = days:day_offset, event:categorical
constraints = days <= parent.futime
[evaluate]
privacy = false
INI
}
config real.ini "$data/nafld1.csv.gz" "$data/nafld2.csv.gz" "$data/nafld3.csv.gz"
config floor.ini "$data/nafld1.csv.gz" "$work/labs_shuffled.csv" "$work/events_shuffled.csv"
step=0
run() { step=$((step + 1)); echo "  $*"; "$@" > step$step.log; }
echo "commands:"
run mpirun --oversubscribe -np 2 "$bin" ingest --config real.ini --run.dir ours --run.seed "$seed"
run mpirun --oversubscribe -np 2 "$bin" fit --config real.ini --run.dir ours --run.seed "$seed"
run mpirun --oversubscribe -np 2 "$bin" sample --config real.ini --run.dir ours --run.seed "$seed"
run mpirun --oversubscribe -np 2 "$bin" evaluate --config real.ini --run.dir ours --run.seed "$seed"
run mpirun --oversubscribe -np 2 "$bin" ingest --config floor.ini --run.dir floor
run mpirun --oversubscribe -np 2 "$bin" evaluate --config real.ini --run.dir ours --evaluate.synthetic_store floor/store \
  --evaluate.synthetic_stage ingest --evaluate.output floor-metrics.json
python3 - <<'PY'
import json
ours = json.load(open("ours/report/metrics.json"))["tables"]
floor = json.load(open("floor-metrics.json"))["tables"]
print(f"{'child':8} {'':7} {'score':>8} {'0.27 thr':>9} {'shared':>8}")
fmt = lambda x: "   -    " if x is None else f"{x:8.4f}"
for child in ("labs", "events"):
    for name, m in (("ours", ours), ("floor", floor)):
        t = m[child]["relation"]["intertable_trends"]
        print(f"{child:8} {name:7} {fmt(t['score'])} {fmt(t['score_thresholded'])} {fmt(t['score_shared_bins'])}"
              f"  ({t['pairs_meeting_threshold']} of {len(t['pairs'])} pairs meet the thresholds)")
PY
