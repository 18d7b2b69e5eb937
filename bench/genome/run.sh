#!/usr/bin/env bash
# The genome generator's benchmark (issue 5): segments and genotypes per second per core in memory
# (the kernel bench), through `synthcohort sample` to the store (uncompressed and compressed,
# reported apart) at 1 and 2 ranks, and through `export` to bgzipped VCF; in the same run the
# disk's sequential write bandwidth by dd and msprime simulating the same numbers of samples and
# sites. Two panels:
#   short: SHORT_INDIVIDUALS (100,000) synthetic individuals from the bundled chr20 panel
#          (300 individuals x 24,990 sites; short segments: drawing them is the hot path);
#   long:  LONG_INDIVIDUALS (20,000) from the scrm panel that simulate_long_panel.sh makes
#          (2,500 individuals x >= 1,000,000 sites; long segments: copying is the hot path).
# Prints every command it runs (lines starting "+") and every number.
# Usage: bench/genome/run.sh BUILD_DIR [short|long|all] [WORK_DIR]
# Environment: SHORT_INDIVIDUALS, LONG_INDIVIDUALS, LONG_PANEL (directory with panel.bcf and
#   panel.map), COMPRESSION (store.compression of the compressed runs, default 1),
#   MSPRIME_ENV (a venv with msprime, made when missing; default /var/tmp/msprime-env),
#   VCF_EXPORT (1: export the 1-rank uncompressed sample at each of EXPORT_RANKS, default "1 2";
#   0: skip), DD_MB (MiB written by dd at the start and the end, default 2000),
#   LEVELS (store.compression levels of the sample runs, default "0 COMPRESSION"), RANKS (rank
#   counts of the sample runs, default "1 2"). dd runs before and after (the disk is shared and
#   its bandwidth moves from minute to minute), and after every uncompressed sample run it writes
#   as many bytes as that store holds (conv=fdatasync): a few GB fit in the dirty page cache, more
#   meet the kernel's writeback throttling, so only the same byte count compares fairly.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [short|long|all] [WORK_DIR]}" && pwd)
which=${2:-all}
work=${3:-/var/tmp/synthcohort-bench-genome}
bin=$build/apps/synthcohort
kernel_bench=$build/bench/genome/genome_mosaic_bench
short_individuals=${SHORT_INDIVIDUALS:-100000}
long_individuals=${LONG_INDIVIDUALS:-20000}
long_panel=${LONG_PANEL:-/var/tmp/synthcohort-bench-genomes-1m}
compression=${COMPRESSION:-1}
msprime_env=${MSPRIME_ENV:-/var/tmp/msprime-env}
vcf_export=${VCF_EXPORT:-1}
export_ranks=${EXPORT_RANKS:-1 2}
dd_mb=${DD_MB:-2000}
levels=${LEVELS:-0 $compression}
rank_counts=${RANKS:-1 2}
cores=$(nproc)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
mkdir -p "$work"
cd "$work"

say() { echo "+ $*"; }
run() { say "$@"; "$@"; }
seconds_since() { python3 -c "import sys, time; print(f'{time.time() - float(sys.argv[1]):.2f}')" "$1"; }

echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB," \
     "load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$source_dir" rev-parse --short HEAD)$(git -C "$source_dir" diff --quiet HEAD -- . || echo '+changes'), $($bin --version)"

# Sequential write bandwidth of the disk under WORK_DIR, two ways: O_DIRECT (no page cache) and
# through the page cache with one fdatasync at the end (what a store write followed by the
# commit's fsync does). Prints MB/s (10^6 bytes) of each.
disk_bandwidth() {  # disk_bandwidth [MIB [FLAGS]]
  local mb=${1:-$dd_mb}
  for flag in ${2:-oflag=direct conv=fdatasync}; do
    sync
    say "dd if=/dev/zero of=$work/ddtest bs=1M count=$mb $flag"
    dd if=/dev/zero of="$work/ddtest" bs=1M count="$mb" $flag 2> dd.log
    python3 - "$flag" dd.log <<'PY'
import re, sys
line = [l for l in open(sys.argv[2]) if 'copied' in l][0]
size, secs = int(line.split()[0]), float(re.search(r'copied, ([0-9.e+-]+) s', line).group(1))
print(f"dd {sys.argv[1]}: {size} bytes in {secs:.2f} s = {size / secs / 1e6:.0f} MB/s")
PY
    rm -f "$work/ddtest"
  done
}

# msprime (Baumdicker et al. 2022) simulating INDIVIDUALS diploid samples with about SITES
# segregating sites: Hudson coalescent, Ne = 10^4, r = 10^-8 per bp over LENGTH bp, mutation rate
# set so that E[sites] = 4 Ne mu L x sum_{i<2n} 1/i is SITES (infinite sites, binary alleles).
msprime_run() {  # msprime_run INDIVIDUALS SITES LENGTH
  if [ ! -x "$msprime_env/bin/python" ] || ! "$msprime_env/bin/python" -c 'import msprime' 2> /dev/null; then
    run python3 -m venv "$msprime_env"
    run "$msprime_env/bin/pip" install --quiet msprime
  fi
  say "$msprime_env/bin/python (sim_ancestry + sim_mutations) individuals=$1 sites~$2 length=$3"
  "$msprime_env/bin/python" - "$1" "$2" "$3" <<'PY'
import sys, time
import msprime
individuals, sites, length = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
ne, r = 1e4, 1e-8
harmonic = sum(1.0 / i for i in range(1, 2 * individuals))
mu = sites / (4 * ne * length * harmonic)
start = time.time(); cpu0 = time.process_time()
ts = msprime.sim_ancestry(samples=individuals, ploidy=2, population_size=ne, sequence_length=length,
                          recombination_rate=r, random_seed=12)
ancestry = time.time() - start
ts = msprime.sim_mutations(ts, rate=mu, model=msprime.BinaryMutationModel(), discrete_genome=False, random_seed=13)
wall = time.time() - start; cpu = time.process_time() - cpu0
haplotypes = 2 * individuals
print(f"msprime {msprime.__version__}: {individuals} individuals x {ts.num_sites} sites (mu = {mu:.3g}, "
      f"{ts.num_trees} trees) in {wall:.1f} s wall ({ancestry:.1f} s ancestry), {cpu:.1f} s CPU: "
      f"{haplotypes * ts.num_sites / cpu:.3g} haplotype alleles per CPU second (tree sequence, no genotype matrix)")
PY
}

# The sample stage's numbers from provenance.json: wall, peak RSS per rank, phase seconds and
# bytes; store bandwidth = bytes (all ranks) / the slowest rank's write seconds. Every run uses all
# cores (ranks x threads per rank = cores), so per core = per second / cores.
report_sample() {  # report_sample RUN_DIR RANKS INDIVIDUALS SITES LABEL CORES
  python3 - "$@" <<'PY'
import json, sys
run, ranks, individuals, sites, label, cores = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
stage = json.load(open(run + '/provenance.json'))['stages']['sample']
g = stage['summary']['genomes']; p = g['phases']
wall = stage['wall_seconds']; alleles = 2 * individuals * sites
peaks = [r['peak_resident_bytes'] / 2**20 for r in stage['per_rank']]
write = p['write_windows_seconds_max']
print(f"sample {label}, {ranks} rank(s): wall {wall:.1f} s; {g['segments']} segments, {alleles:.3g} haplotype alleles; "
      f"per core (wall x {cores} cores): {g['segments'] / wall / cores:.3g} segments/s, {alleles / wall / cores:.3g} alleles/s; "
      f"peak RSS per rank {', '.join(f'{x:.0f}' for x in peaks)} MiB")
print(f"  phases (slowest rank, s): draw {p['draw_seconds_max']:.2f}, read reference {p['read_reference_seconds_max']:.2f}, "
      f"copy {p['copy_seconds_max']:.2f}, write windows {write:.2f} ({p['window_bytes'] / 1e6:.0f} MB), "
      f"write segments {p['write_segments_seconds_max']:.2f} ({p['segment_bytes'] / 1e6:.0f} MB)")
total = p['window_bytes'] + p['segment_bytes']
if 'windows_seconds_max' in p:
    # Commits overlap the next window's copy: the window loop, first read to last window on disk.
    loop = p['windows_seconds_max']
    print(f"  window loop (read, copy, write, commits; slowest rank) {loop:.2f} s: commit wait at the end {p['commit_wait_seconds_max']:.2f} s")
    print(f"  store: genotype windows {p['window_bytes'] / loop / 1e6:.0f} MB/s over the window loop (all ranks' bytes); "
          f"segments {p['segment_bytes'] / max(p['write_segments_seconds_max'], 1e-9) / 1e6:.0f} MB/s; "
          f"both {total / (loop + p['write_segments_seconds_max']) / 1e6:.0f} MB/s")
else:
    total_s = write + p['write_segments_seconds_max']
    print(f"  store: genotype windows {p['window_bytes'] / write / 1e6:.0f} MB/s over the slowest rank's write time "
          f"(all ranks' bytes); segments {p['segment_bytes'] / max(p['write_segments_seconds_max'], 1e-9) / 1e6:.0f} MB/s; "
          f"both {total / total_s / 1e6:.0f} MB/s")
PY
}

# One panel: ingest and fit once (2 ranks), then sample at 1 and 2 ranks, uncompressed and
# compressed, then export the 1-rank uncompressed sample to VCF.
panel_run() {  # panel_run NAME VCF MAP INDIVIDUALS WINDOW_VARIANTS
  local name=$1 vcf=$2 map=$3 individuals=$4 window=$5
  local dir=$work/$name
  mkdir -p "$dir"
  cat > "$dir/bench.ini" <<INI
[run]
threads = $cores
[ingest]
variants_per_window = $window
[genome]
vcf = $vcf
map = $map
individuals = $individuals
INI
  say "cat $dir/bench.ini"; cat "$dir/bench.ini"
  if [ ! -f "$dir/run/store/fit/index.json" ]; then
    rm -rf "$dir/run"
    for stage in ingest fit; do
      local start; start=$(date +%s.%N)
      run mpirun --oversubscribe -np 2 "$bin" $stage --config "$dir/bench.ini" --run.dir "$dir/run" --run.threads 1 > "$dir/$stage.log"
      echo "$stage ($name panel, 2 ranks): $(seconds_since "$start") s; $(tail -n 1 "$dir/$stage.log")"
    done
  fi
  local sites; sites=$(python3 -c "import json; s = json.load(open('$dir/run/provenance.json'))['stages']['ingest']['summary']; print(s['genomes']['variants'] if 'genomes' in s else '')" 2> /dev/null || true)
  [ -n "$sites" ] || sites=$(bcftools index -n "$vcf" 2> /dev/null || bcftools view -H "$vcf" | wc -l)
  echo "$name panel: $vcf, $sites sites"
  for level in $levels; do
    for n in $rank_counts; do
      rm -rf "$dir/run/store/sample" "$dir/run/store/sample.partial" "$dir/run/export"
      sync
      run mpirun --oversubscribe -np $n "$bin" sample --config "$dir/bench.ini" --run.dir "$dir/run" \
        --run.threads $((cores / n)) --store.compression $level > "$dir/sample_np${n}_z$level.log"
      tail -n 1 "$dir/sample_np${n}_z$level.log"
      report_sample "$dir/run" $n "$individuals" "$sites" "$name, store.compression = $level" "$cores"
      echo "  store size: $(du -sb "$dir/run/store/sample" | cut -f1) bytes"
      if [ "$level" = 0 ]; then
        # The disk with as many bytes as this store holds, right after it.
        disk_bandwidth $(( $(du -sb "$dir/run/store/sample" | cut -f1) / 1048576 )) conv=fdatasync
      fi
      if [ "$n" = 1 ] && [ "$level" = 0 ] && [ "$vcf_export" = 1 ]; then
        for e in $export_ranks; do
          rm -rf "$dir/run/export"
          local start; start=$(date +%s.%N)
          run mpirun --oversubscribe -np $e "$bin" export --config "$dir/bench.ini" --run.dir "$dir/run" \
            --run.threads $((cores / e > 0 ? cores / e : 1)) --export.plink false > "$dir/export_np$e.log"
          local wall; wall=$(seconds_since "$start")
          local bytes; bytes=$(stat -c %s "$dir/run/export/sample/synthetic.vcf.gz")
          python3 -c "
w, b, a = $wall, $bytes, 2 * $individuals * $sites
print(f'export to bgzipped VCF ($name, $e rank(s)): {w:.1f} s wall, {a / w:.3g} haplotype alleles/s, {b} bytes ({b / w / 1e6:.1f} MB/s)')"
          echo "  md5 $(md5sum < "$dir/run/export/sample/synthetic.vcf.gz" | cut -c1-32) (.vcf.gz), $(md5sum < "$dir/run/export/sample/synthetic.vcf.gz.csi" | cut -c1-32) (.csi)"
        done
      fi
    done
  done
}

disk_bandwidth
if [ "$which" = short ] || [ "$which" = all ]; then
  echo "== short segments: $short_individuals individuals from the bundled chr20 panel"
  run "$kernel_bench" short "$short_individuals" 1
  msprime_run "$short_individuals" 24990 3000000
  panel_run short "$source_dir/data/genomes/reference.vcf.gz" "$source_dir/data/genomes/chr20.b37.gmap.gz" "$short_individuals" 3000
fi
if [ "$which" = long ] || [ "$which" = all ]; then
  echo "== long segments: $long_individuals individuals from $long_panel/panel.bcf"
  run "$kernel_bench" long "$long_individuals" 1
  long_sites=$(bcftools index -n "$long_panel/panel.bcf")
  msprime_run "$long_individuals" "$long_sites" 50000000
  panel_run long "$long_panel/panel.bcf" "$long_panel/panel.map" "$long_individuals" 10000
fi
disk_bandwidth
