#!/usr/bin/env bash
# Scale of the registry generator: nafld repeated 58 times (1,017,842 persons, 23.2 M lab rows,
# 2.0 M events: 25.2 M child rows; ids shifted per copy so keys stay unique), ingested once, then
# fit and sample of the same size at 1 and 2 ranks. Prints, per run, wall time, rows per second
# per core, rows per CPU second and peak memory per rank (from the provenance manifest), and the command.
# Usage: bench/registry/run.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-registry}
bin=$build/apps/synthcohort
copies=${COPIES:-58}  # COPIES=N: a smaller registry for quick comparisons
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
mkdir -p "$work"
cd "$work"
repeat() {  # repeat FILE.csv.gz OUT: copies of the rows, id (and case.id) shifted by 100000 per copy
  local in=$1 out=$2 ref=$3
  [ -f "$out" ] && return
  zcat "$in" | awk -F, -v OFS=, -v copies=$copies -v ref=$ref 'NR==1{print; next} {rows[NR]=$0} END{
    for (c = 0; c < copies; c++) for (i = 2; i <= NR; i++) { $0 = rows[i]; $1 = $1 + c * 100000;
      if (ref > 0 && $ref != "NA" && $ref != "") $ref = $ref + c * 100000; print } }' > "$out.tmp"
  mv "$out.tmp" "$out"
}
repeat "$source_dir/data/registry/nafld1.csv.gz" persons.csv 7
repeat "$source_dir/data/registry/nafld2.csv.gz" labs.csv 0
repeat "$source_dir/data/registry/nafld3.csv.gz" events.csv 0
cat > bench.ini <<INI
[ingest]
rows_per_shard = 250000
[table.persons]
file = $work/persons.csv
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
[table.labs]
file = $work/labs.csv
parent = persons
foreign_key = id
columns = days:day_offset, test:categorical, value:real
[table.events]
file = $work/events.csv
parent = persons
foreign_key = id
columns = days:day_offset, event:categorical
INI
cores=$(nproc)
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep -m1 CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)"
if [ ! -f base/store/ingest/index.json ]; then
  mpirun --oversubscribe -np 2 "$bin" ingest --config bench.ini --run.dir base --run.threads $((cores / 2)) > ingest.log
fi
for n in 1 2; do
  rm -rf run$n && mkdir -p run$n/store && cp -r base/store/ingest run$n/store/
  for stage in fit sample; do
    # --map-by slot:PE=T binds each rank to T cores: mpirun's default binds a rank to one core, so
    # that 1 rank x 2 threads ran both threads on one core (0.57 of its 2 cores used, bfa2f93).
    cmd="mpirun --oversubscribe -np $n --map-by slot:PE=$((cores / n)) $bin $stage --config bench.ini --run.dir run$n --run.threads $((cores / n))"
    # CPU seconds of all ranks (user + system, mpirun's children included): the per-core rate that a
    # shared machine does not distort.
    /usr/bin/time -f "%U %S" -o $stage$n.cpu $cmd > $stage$n.log
    python3 - "$stage" "$n" "$cores" "$cmd" run$n/provenance.json run$n/store/$stage/index.json $stage$n.cpu <<'PY'
import json, sys
stage, n, cores, cmd, prov, index = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
cpu = sum(float(x) for x in open(sys.argv[7]).read().split()[-2:])
p = json.load(open(prov))["stages"][stage]
seconds = p["wall_seconds"]
if stage == "sample":
    rows = sum(t["rows"] for t in json.load(open(index))["summary"]["tables"].values())
else:
    rows = sum(t["rows_fit"] for t in json.load(open(index))["summary"]["tables"].values())
peak = round(p["peak_resident_bytes_max"] / 2**20)
print(f"{stage} ranks={n}: {rows} rows in {seconds:.2f} s = {rows / seconds / 1e6:.2f} M rows/s, "
      f"{rows / seconds / cores / 1e6:.2f} M rows/s per core; {cpu:.2f} CPU s = {rows / cpu / 1e6:.2f} M rows per CPU s; "
      f"peak memory per rank {peak} MiB\n  command: {cmd}")
PY
  done
done
