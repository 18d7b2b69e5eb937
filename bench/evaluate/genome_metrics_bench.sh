#!/usr/bin/env bash
# Genome metrics benchmark: a coalescent panel from scrm (REF + SYN individuals, about SITES
# segregating sites on LENGTH bp, 1 cM/Mb, theta = rho), split into a reference panel (with
# HOLDOUT individuals held out) and a "synthetic" one, both ingested; then `synthcohort evaluate`
# at 1 and 2 ranks, printing the seconds of each metric (from provenance.json) and checking that
# metrics.json is the same at both rank counts.
# Usage: bench/evaluate/genome_metrics_bench.sh BUILD_DIR REF SYN SITES LENGTH HOLDOUT WORK_DIR
#   Python with numpy: $SC_PYTHON, else BUILD_DIR/pyenv/bin/python (setup/python-env.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:?BUILD_DIR}" && pwd)
ref=${2:?REF} syn=${3:?SYN} sites=${4:?SITES} length=${5:?LENGTH} holdout=${6:?HOLDOUT} work=${7:?WORK_DIR}
python=${SC_PYTHON:-$build/pyenv/bin/python}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
mkdir -p "$work" && cd "$work"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
haplotypes=$((2 * (ref + syn)))
# Expected segregating sites = theta * sum_{i<n} 1/i.
theta=$("$python" -c "print(round($sites / sum(1.0 / i for i in range(1, $haplotypes)), 3))")
if [ -s panel_synthetic.vcf ] && [ -s panel.map ] && [ -s panel.ms ]; then
  echo "reusing the simulated panel in $work (delete panel.ms to simulate again)"
else
  start=$(date +%s.%N)
  scrm $haplotypes 1 -t "$theta" -r "$theta" "$length" -l 100000 -seed 1 2 3 -p 12 > panel.ms
  "$python" "$here/genome_ms_to_vcf.py" panel.ms "$ref" "$length" panel
  echo "simulated (scrm -t $theta -r $theta $length -l 100000) and converted in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
rm -rf run_reference run_synthetic
for side in reference synthetic; do
  cat > $side.ini <<INI
[run]
dir = run_$side
[ingest]
variants_per_window = 10000
[genome]
vcf = panel_$side.vcf
map = panel.map
holdout_samples = $holdout
[evaluate]
synthetic_store = run_synthetic/store
synthetic_stage = ingest
genome_synthetic_group = genomes/reference
INI
  mpirun --oversubscribe -np 2 "$build/apps/synthcohort" ingest --config $side.ini | tail -1
done
for n in 1 2; do
  echo "command: mpirun -np $n $build/apps/synthcohort evaluate --config $work/reference.ini --evaluate.output metrics$n.json"
  /usr/bin/time -f "wall %e s, peak RSS per rank %M kB" mpirun --oversubscribe -np $n "$build/apps/synthcohort" evaluate \
    --config reference.ini --evaluate.output metrics$n.json 2>&1 | tail -2
  "$python" -c "
import json
s = json.load(open('run_reference/provenance.json'))['stages']['evaluate']
print('ranks $n:', ', '.join('%s %.2f s' % kv for kv in s['summary']['genomes']['seconds'].items()),
      '| windows per rank', s['summary']['genomes']['windows_per_rank'])"
done
cmp metrics1.json metrics2.json && echo "metrics.json identical at 1 and 2 ranks"
