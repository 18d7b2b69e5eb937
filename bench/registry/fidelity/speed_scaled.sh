#!/usr/bin/env bash
# Speed of ours against SDV's GaussianCopulaSynthesizer as the table grows (issue 4's 50x aim at
# more than the real tables' 8,000 rows, where both sides' fixed costs no longer decide): flchain
# repeated REPEATS times (every row REPEATS times, so the distribution is the real one), fitted on
# all rows and sampled at the same count, one seed, timed as speed.sh times them (ours: the fit and
# sample stages' wall_seconds and cpu_seconds from provenance.json, and the two whole processes;
# SDV: the fit() and sample() calls inside Python, and the whole process). Ingest is not timed.
# Usage: bench/registry/fidelity/speed_scaled.sh [BUILD_DIR] [WORK_DIR]   (REPEATS="10 100", SEED=1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-speed-scaled}
repeats=${REPEATS:-10 100}
seed=${SEED:-1}
source "$here/bench_env.sh"
machine_line "seed $seed"
for k in $repeats; do
  csv=flchain-x$k.csv
  [ -f $csv ] || python3 -c "
import gzip, sys
lines = gzip.open(sys.argv[1], 'rt').read().splitlines()
with open(sys.argv[2], 'w') as out:
    out.write(lines[0] + '\n')
    for _ in range(int(sys.argv[3])):
        out.write('\n'.join(lines[1:]) + '\n')
" "$data/flchain.csv.gz" $csv $k
  rows=$(($(wc -l < $csv) - 1))
  cat > x$k.ini <<INI
[table.flchain]
file = $PWD/$csv
columns = age:integer, sex:categorical, sample.yr:integer, kappa:real, lambda:real, flc.grp:categorical, creatinine:real, mgus:categorical, futime:day_offset, death:categorical, chapter:categorical
INI
  dir=ours-x$k
  rm -rf $dir && mpirun --oversubscribe -np 1 "$bin" ingest --config x$k.ini --run.dir $dir > $dir-ingest.log
  for stage in fit sample; do
    /usr/bin/time -f "%e %M" -o $dir-$stage.process mpirun --oversubscribe -np 1 --map-by slot:PE=$(nproc) "$bin" $stage \
        --config x$k.ini --run.dir $dir --run.seed $seed > $dir-$stage.log
  done
  echo "  ours x$k ($rows rows): mpirun --oversubscribe -np 1 --map-by slot:PE=$(nproc) $bin {fit,sample} --config x$k.ini --run.dir $dir --run.seed $seed"
  name=sdv-x$k
  /usr/bin/time -f "%e %M" -o $name.process "$py" "$here/sdv_synth.py" gaussian_copula --table flchain --train $csv \
      --rows $rows --seed $seed --out $name --timings $name.json > $name.log
  echo "  sdv x$k: $py $here/sdv_synth.py gaussian_copula --table flchain --train $csv --rows $rows --seed $seed --out $name --timings $name.json"
done

python3 - $repeats <<'PY'
import json, sys
print("| flchain x | rows | ours: stages, wall s | ours: CPU s | ours: processes, wall s | ours: peak RSS MiB | SDV: fit() + sample(), wall s | SDV: CPU s | SDV: process, wall s | SDV: peak RSS MiB | SDV / ours, stages' wall | SDV / ours, CPU | SDV / ours, processes |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
for k in sys.argv[1:]:
    stages = json.load(open(f"ours-x{k}/provenance.json"))["stages"]
    wall = stages["fit"]["wall_seconds"] + stages["sample"]["wall_seconds"]
    cpu = stages["fit"]["cpu_seconds"] + stages["sample"]["cpu_seconds"]
    procs = [open(f"ours-x{k}-{s}.process").read().split()[-2:] for s in ("fit", "sample")]
    process = sum(float(p[0]) for p in procs)
    rss = max(int(p[1]) for p in procs) / 1024
    rows = sum(1 for _ in open(f"flchain-x{k}.csv")) - 1
    t = json.load(open(f"sdv-x{k}.json"))
    s_wall = t["fit_seconds"] + t["sample_seconds"]
    s_proc, s_kib = open(f"sdv-x{k}.process").read().split()[-2:]
    print(f"| {k} | {rows:,} | {wall:.3f} | {cpu:.3f} | {process:.2f} | {rss:.0f} | {s_wall:.2f} | {t['cpu_seconds']:.2f} | "
          f"{float(s_proc):.1f} | {int(s_kib) / 1024:.0f} | **{s_wall / wall:.0f}x** | {t['cpu_seconds'] / cpu:.0f}x | {float(s_proc) / process:.1f}x |")
PY
