#!/usr/bin/env bash
# Speed of ours against SDV's GaussianCopulaSynthesizer on single tables, like for like (issue 4's
# 50x aim): nafld persons alone (a single-table config, fitted on the training half of
# evaluate.holdout_fraction = 0.5, as SDV is) and flchain (all rows), each sampled at its real row
# count, for seeds 1, 2, 3, one job at a time.
#   ours: the fit and sample stages' own wall_seconds and cpu_seconds from provenance.json (the
#         stage alone: process and MPI start-up, config reading and exit excluded), and beside them
#         the wall of the two whole `mpirun ... fit` and `mpirun ... sample` processes;
#   SDV:  the fit() and sample() calls timed inside Python by sdv_synth.py (imports, CSV reading
#         and writing excluded), their CPU seconds (all threads), and the whole process's wall.
# Ingest is run once per table and not timed (SDV's CSV reading is not timed either).
# Usage: bench/registry/fidelity/speed.sh [BUILD_DIR] [WORK_DIR]   (SEEDS="1 2 3", RANKS=1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-speed}
seeds=${SEEDS:-1 2 3}
ranks=${RANKS:-1}
source "$here/bench_env.sh"
machine_line "$ranks rank(s)"
"$py" -c "from importlib.metadata import version as v; print('sdv', v('sdv'))"

# Default shard size (ingest.rows_per_shard = 100000: one shard per table here, as a user would run
# it; the fidelity run cuts the tables into 1,000-2,000-row shards to exercise several ranks).
cat > persons.ini <<INI
[table.persons]
file = $data/nafld1.csv.gz
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
[evaluate]
holdout_fraction = 0.5
INI
cat > flchain.ini <<INI
[table.flchain]
file = $data/flchain.csv.gz
columns = age:integer, sex:categorical, sample.yr:integer, kappa:real, lambda:real, flc.grp:categorical, creatinine:real, mgus:categorical, futime:day_offset, death:categorical, chapter:categorical
INI
for table in persons flchain; do
  [ -f $table-base/store/ingest/index.json ] && cmp -s $table.ini $table-base.ini && continue
  rm -rf $table-base && cp $table.ini $table-base.ini
  [ -f $table-base/store/ingest/index.json ] || mpirun --oversubscribe -np 1 "$bin" ingest --config $table.ini --run.dir $table-base > $table-ingest.log
done

ours() {  # table seed: fit and sample, each process under /usr/bin/time
  local table=$1 seed=$2 dir=ours-$1-$2
  rm -rf $dir && mkdir -p $dir/store && cp -r $table-base/store/ingest $dir/store/
  for stage in fit sample; do
    /usr/bin/time -f "%e" -o $dir-$stage.process mpirun --oversubscribe -np $ranks --map-by slot:PE=$(($(nproc) / ranks)) "$bin" $stage --config $table.ini \
        --run.dir $dir --run.seed $seed > $dir-$stage.log
  done
  echo "  ours $table seed $seed: mpirun --oversubscribe -np $ranks --map-by slot:PE=$(($(nproc) / ranks)) $bin {fit,sample} --config $table.ini --run.dir $dir --run.seed $seed"
}
sdv() {  # table train rows seed
  local table=$1 train=$2 rows=$3 seed=$4 name=sdv-$1-$4
  /usr/bin/time -f "%e %M" -o $name.process "$py" "$here/sdv_synth.py" gaussian_copula --table $table --train "$train" \
      --rows "$rows" --seed $seed --out $name --timings $name.json > $name.log
  echo "  sdv $table seed $seed: $py $here/sdv_synth.py gaussian_copula --table $table --train $train --rows $rows --seed $seed --out $name --timings $name.json"
}
for seed in $seeds; do
  "$py" "$here/holdout_split.py" --data "$data" --seed "$seed" --out split$seed > /dev/null
  ours persons $seed
  ours flchain $seed
  sdv persons split$seed/training/persons.csv 17549 $seed
  sdv flchain "$data/flchain.csv.gz" 7874 $seed
done

python3 - $seeds <<'PY'
import json, sys
seeds = sys.argv[1:]
def ours(table, seed):
    d = f"ours-{table}-{seed}"
    stages = json.load(open(f"{d}/provenance.json"))["stages"]
    process = sum(float(open(f"{d}-{s}.process").read().split()[-1]) for s in ("fit", "sample"))
    return (stages["fit"]["wall_seconds"] + stages["sample"]["wall_seconds"],
            stages["fit"]["cpu_seconds"] + stages["sample"]["cpu_seconds"], process)
def sdv(table, seed):
    t = json.load(open(f"sdv-{table}-{seed}.json"))
    wall, kib = open(f"sdv-{table}-{seed}.process").read().split()[-2:]
    return t["fit_seconds"] + t["sample_seconds"], t["cpu_seconds"], float(wall)
def fmt(values):
    return f"{sum(values) / len(values):.3f} ({' / '.join(f'{v:.3f}' for v in values)})"
print("| table | ours: fit + sample stages, wall s | ours: CPU s | ours: 2 processes, wall s | SDV: fit() + sample(), wall s | SDV: CPU s | SDV: process, wall s | SDV / ours, stages' wall | SDV / ours, CPU | SDV / ours, processes |")
print("|---|---|---|---|---|---|---|---|---|---|")
for table in ("persons", "flchain"):
    o = [ours(table, s) for s in seeds]
    v = [sdv(table, s) for s in seeds]
    ratio = lambda i: [b[i] / a[i] for a, b in zip(o, v)]
    print(f"| {table} | {fmt([x[0] for x in o])} | {fmt([x[1] for x in o])} | {fmt([x[2] for x in o])} | "
          f"{fmt([x[0] for x in v])} | {fmt([x[1] for x in v])} | {fmt([x[2] for x in v])} | "
          f"{fmt(ratio(0))} | {fmt(ratio(1))} | {fmt(ratio(2))} |")
PY
