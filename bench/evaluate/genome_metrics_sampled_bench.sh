#!/usr/bin/env bash
# Genome metrics benchmark at sizes where VCF text is impractical (issue 3: 20,000 synthetic x
# 10,000 reference genomes at 1,000,000 sites). Both panels are drawn by our own genome `sample`
# stage from one ingested and fitted panel (SOURCE_STORE, only read: its ingest and fit stages
# are copied into WORK_DIR), with different seeds: REF individuals (seed 101) form the reference
# side and SYN individuals (seed 202) the synthetic side. The reference side is therefore not
# real data but mosaics of the same donors as the synthetic one; the run measures the work of
# evaluate at that size (AF, LD decay, PCA, kinship + AATS), not privacy. Evaluate reads the
# reference from its run's `sample` stage (evaluate.real_stage = sample,
# evaluate.genome_real_group = genomes/synthetic) and the synthetic side from the other run's store
# (evaluate.synthetic_store), HOLDOUT reference individuals held out (genome.holdout_samples).
# Then `synthcohort evaluate` at each rank count in RANKS (default "1 2"), printing the machine,
# commit, build type, each command, the seconds of each metric (provenance.json), wall time, peak
# RSS per rank and load average, and checking that metrics.json is the same at every rank count.
# Usage: bench/evaluate/genome_metrics_sampled_bench.sh BUILD_DIR SOURCE_STORE REF SYN HOLDOUT WORK_DIR [evaluate options...]
#   e.g. ... build /var/tmp/synthcohort-bench-genome/long/run/store 10000 20000 1000 /var/tmp/gkin/big \
#            --evaluate.genome_ld_max_cm 0.1
#   RANKS="1" to run one rank count; samples already in WORK_DIR are reused. Delete WORK_DIR after.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:?BUILD_DIR}" && pwd)
source_store=${2:?SOURCE_STORE} ref=${3:?REF} syn=${4:?SYN} holdout=${5:?HOLDOUT} work=${6:?WORK_DIR}
shift 6
ranks=${RANKS:-1 2}
synthcohort=$build/apps/synthcohort
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
mkdir -p "$work" && cd "$work"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
for side in ref syn; do
  if [ $side = ref ]; then individuals=$ref seed=101; else individuals=$syn seed=202; fi
  if [ -f $side/run/store/sample/index.json ]; then
    echo "reusing the $side sample in $work/$side (delete it to sample again)"
    continue
  fi
  mkdir -p $side/run/store
  cp -r "$source_store/ingest" "$source_store/fit" $side/run/store/
  cp "$source_store/../provenance.json" $side/run/
  cat > $side/bench.ini <<INI
[run]
threads = 2
seed = $seed
[genome]
individuals = $individuals
INI
  echo "command: mpirun -np 1 $synthcohort sample --config $work/$side/bench.ini --run.dir $work/$side/run --store.compression 1"
  mpirun --oversubscribe -np 1 "$synthcohort" sample --config $side/bench.ini --run.dir $side/run --store.compression 1 | tail -1
done
cat > evaluate.ini <<INI
[run]
dir = $work/ref/run
threads = 2
[genome]
holdout_samples = $holdout
[evaluate]
real_stage = sample
genome_real_group = genomes/synthetic
synthetic_store = $work/syn/run/store
synthetic_stage = sample
genome_synthetic_group = genomes/synthetic
INI
first=""
for n in $ranks; do
  echo "command: mpirun -np $n $synthcohort evaluate --config $work/evaluate.ini --evaluate.output $work/metrics$n.json $*"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  /usr/bin/time -f "wall %e s, peak RSS per rank %M kB" -o time$n.txt mpirun --oversubscribe -np $n "$synthcohort" evaluate \
    --config evaluate.ini --evaluate.output "$work/metrics$n.json" "$@" > evaluate$n.log 2>&1
  tail -1 evaluate$n.log
  cat time$n.txt
  echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  python3 -c "
import json
s = json.load(open('ref/run/provenance.json'))['stages']['evaluate']
print('ranks $n:', ', '.join('%s %.2f s' % kv for kv in s['summary']['genomes']['seconds'].items()),
      '| windows per rank', s['summary']['genomes']['windows_per_rank'])"
  # metrics.json holds no timings (they are in provenance.json): compared byte for byte.
  if [ -z "$first" ]; then first=$n
  elif cmp -s metrics$first.json metrics$n.json; then echo "metrics.json identical at $first and $n ranks"
  else echo "metrics.json DIFFERS between $first and $n ranks"; exit 1; fi
done
