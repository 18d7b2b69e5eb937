#!/usr/bin/env bash
# Ingest throughput of plain CSV at 1 and 2 ranks: nafld2.csv (400,123 lab rows) and a CSV of
# 10,002,075 rows made by repeating its rows 25 times. Prints one line per run with MB/s per rank
# and the command that reproduces it. Usage: bench/ingest_tables/run.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-ingest}
bin=$build/apps/synthcohort
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
mkdir -p "$work"
cd "$work"
if [ ! -f nafld2.csv ]; then zcat "$source_dir/data/registry/nafld2.csv.gz" > nafld2.csv; fi
if [ ! -f labs10m.csv ]; then
  { head -1 nafld2.csv; for i in $(seq 25); do tail -n +2 nafld2.csv; done; } > labs10m.csv
fi
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), binary $($bin --version)"
for input in nafld2.csv labs10m.csv; do
  cat > bench.ini <<INI
[ingest]
rows_per_shard = 250000
[table.labs]
file = $work/$input
columns = id:integer, days:day_offset, test:categorical, value:real
INI
  bytes=$(stat -c %s "$input")
  cat "$input" > /dev/null  # warm the page cache: we measure parsing and the store, not the disk's first read
  cores=$(nproc)
  for n in 1 2; do
    rm -rf run$n
    # Each rank gets its share of the cores as TBB threads, so both runs use the whole machine.
    # --bind-to none: Open MPI binds each rank to one core when there are at most 2 ranks, so
    # without it "1 rank x 2 threads" ran all its threads on one core (docs/benchmarks.md).
    cmd="mpirun --oversubscribe --bind-to none -np $n $bin ingest --config bench.ini --run.dir run$n --run.threads $((cores / n))"
    # GNU time: the wall time of the whole job and the CPU seconds (user + system) of all its
    # processes; on a shared machine CPU time says what the work costs whatever the load.
    /usr/bin/time -f '%e %U %S' -o ingest$n.time $cmd > ingest$n.log
    read -r process user sys < ingest$n.time
    python3 - "$input" "$bytes" "$n" "$process" "$user" "$sys" "$cmd" run$n/provenance.json <<'PY'
import json, sys
name, size, n, process, user, sys_, cmd, prov = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7], sys.argv[8]
stage = json.load(open(prov))["stages"]["ingest"]
wall = stage["wall_seconds"]
rows = stage["summary"]["tables"]["labs"]["rows"]
phases = stage["summary"]["seconds_rank0"]
phase_text = ", ".join(f"{k} {v:.2f}" for k, v in phases.items() if not isinstance(v, dict))
for table, v in phases.items():
    if isinstance(v, dict): phase_text += ", " + ", ".join(f"{k} {t:.2f}" for k, t in v.items())
print(f"{name}: {size/1e6:.1f} MB, {rows} rows, {n} rank(s): stage {wall:.2f} s, "
      f"{size/1e6/wall/n:.1f} MB/s per rank ({size/1e6/wall/2:.1f} per core), {rows/wall/n/1e6:.2f} M rows/s per rank, "
      f"process {process:.2f} s, {user + sys_:.2f} CPU s ({size/1e6/(user + sys_):.1f} MB per CPU s), "
      f"rank 0 phases [{phase_text}] s, peak RSS {stage['peak_resident_bytes_max']/2**20:.0f} MiB/rank, "
      f"load {open('/proc/loadavg').read().split()[0]}  [{cmd}]")
PY
  done
done
