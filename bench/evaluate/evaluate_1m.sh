#!/usr/bin/env bash
# Evaluate at 1 million synthetic x 1 million real persons (the persons table; child tables are not
# included, so no relation metric is timed). Real: nafld1 repeated to 1,000,000 rows, id and
# case.id shifted by 100,000 per copy (as bench/registry/run.sh repeats nafld). Synthetic:
# 1,000,000 rows drawn column by column (each value from an independently drawn nafld1 row, so rows
# are not copies of real ones and no early exit on exact matches flatters the DCR). Both ingested
# (8 shards each); then evaluate_bench times every metric at 1 and 2 ranks (hold-out: half the real
# persons, so DCR is 1,000,000 x ~500,000 to training and to hold-out, exact, by the pruned
# search of dcr_index.hpp), and sdmetrics 0.27.1's QualityReport and calculate_dcr run on the same
# data at doubling sizes within a time budget. Each timing line gives wall and CPU seconds.
# Usage: bench/evaluate/evaluate_1m.sh [BUILD_DIR] [WORK_DIR] [DCR_SHARDS] [SDMETRICS_BUDGET_S]
#   DCR_SHARDS: synthetic shards (of 8, 125,000 rows each) whose DCR is computed, per rank count
#   (default 8: all, exact 1M x 1M; 0: no DCR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-evaluate-1m}
dcr_shards=${3:-8}
budget=${4:-240}
python=${SC_PYTHON:-$build/pyenv/bin/python}
bin=$build/apps/synthcohort
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
mkdir -p "$work" && cd "$work"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep -m1 CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)"
if [ ! -f synthetic.csv ]; then
  zcat "$source_dir/data/registry/nafld1.csv.gz" | awk -F, -v OFS=, 'NR==1{print; next} {rows[NR]=$0} END{
    n = 0; for (c = 0; n < 1000000; c++) for (i = 2; i <= NR && n < 1000000; i++) { $0 = rows[i];
      $1 = $1 + c * 100000; if ($7 != "NA" && $7 != "") $7 = $7 + c * 100000; print; n++ } }' > real.csv
  python3 - "$source_dir/data/registry/nafld1.csv.gz" <<'PY'
import csv, gzip, random, sys
with gzip.open(sys.argv[1], "rt", newline="") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
draw = random.Random(11)
with open("synthetic.csv", "w", newline="") as f:
    out = csv.writer(f)
    out.writerow(header)
    for i in range(1000000):
        out.writerow([i + 1] + [rows[draw.randrange(len(rows))][c] for c in range(1, len(header))])
PY
fi
for side in real synthetic; do
  cat > $side.ini <<INI
[run]
dir = $side
[ingest]
rows_per_shard = 125000
[table.persons]
file = $work/$side.csv
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
INI
  [ -f $side/store/ingest/index.json ] || mpirun --oversubscribe -np 2 "$bin" ingest --config $side.ini > ingest_$side.log
done
for n in 1 2; do
  cmd="mpirun --oversubscribe -np $n $build/bench/evaluate/evaluate_bench $work/real/store $work/synthetic/store ingest persons 0.5 1 $dcr_shards"
  echo "command: $cmd"
  /usr/bin/time -f "  wall %e s, peak resident (largest process) %M KiB" $cmd
done
"$python" "$here/sdmetrics_quality_bench.py" --real "$work/real.csv" --synthetic "$work/synthetic.csv" --budget "$budget"
