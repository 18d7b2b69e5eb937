#!/usr/bin/env bash
# Where the time of genome ingest goes, against bcftools: perf's cpu-clock sampling (this VM has no
# hardware counters) of `bcftools view -Ou` and of `synthcohort ingest` at 1 rank x 2 threads and
# 2 ranks x 1 thread, on the panel that run.sh made; flat profiles by library and by function.
# Samples / 499 = CPU seconds. Usage: bench/ingest_genomes/profile.sh [BUILD_DIR] [WORK_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-genomes}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
cd "$work"
[ -f panel.bcf ] && [ -f bench.ini ] || { echo "run bench/ingest_genomes/run.sh first" >&2; exit 1; }
flat() {  # data file, sort keys, lines
  echo "$(perf script -i "$1" -F period 2>/dev/null | wc -l) samples"
  perf report -i "$1" --no-children --sort "$2" --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -"$3" || true
}
perf record -q -e cpu-clock -F 499 -o perf-bcftools.data -- bcftools view -Ou panel.bcf > /dev/null
echo "== bcftools view -Ou"; flat perf-bcftools.data dso 6
for n in 1 2; do
  rm -rf runperf$n
  perf record -q -e cpu-clock -F 499 -o perf-ingest$n.data -- \
    mpirun --oversubscribe -np $n "$build/apps/synthcohort" ingest --config bench.ini --run.dir runperf$n \
    --run.threads $((2 / n)) > /dev/null
  echo "== synthcohort ingest, $n rank(s)"; flat perf-ingest$n.data dso 8; flat perf-ingest$n.data pid,dso,symbol 16
done
