#!/usr/bin/env bash
# Ingest throughput of a phased BCF panel at 1 and 2 ranks, against `bcftools view` decoding the
# same file in the same run. The panel is simulated once with scrm (Staab et al. 2015):
# 5,000 haplotypes (2,500 diploid individuals), one 50 Mb locus, theta = 4N0*mu*L = 62,000 and
# rho = 4N0*r*L = 10,000 (scrm's -t and -r R L), SMC' with 100 kb of linkage kept (-l 100000):
# about 62,000 x sum_{i<5000} 1/i = 560,000 biallelic (infinite-sites) sites. With N0 = 10,000
# that is r = 0.5 cM/Mb, so the genetic map is that constant rate. Prints one line per
# measurement with the command that reproduces it.
# Usage: bench/ingest_genomes/run.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=$(cd "${1:-$source_dir/build}" && pwd)
work=${2:-/var/tmp/synthcohort-bench-genomes}
bin=$build/apps/synthcohort
python=$build/pyenv/bin/python  # numpy for the converter: setup/python-env.sh makes it
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
haplotypes=5000 length=50000000 theta=62000 rho=10000 seed=20261203 contig=1
mkdir -p "$work"
cd "$work"

if [ ! -f panel.bcf ]; then
  [ -x "$python" ] || "$source_dir/setup/python-env.sh"
  sim="scrm $haplotypes 1 -t $theta -r $rho $length -l 100000 -p 12 -seed $seed"
  echo "simulating: $sim | ms_to_vcf.py --length $length | bcftools view -Ob"
  start=$(date +%s.%N)
  $sim | "$python" "$here/ms_to_vcf.py" --length $length --contig $contig | bcftools view -Ob -o panel.tmp.bcf
  mv panel.tmp.bcf panel.bcf
  echo "simulated and converted in $(python3 -c "print(f'{$(date +%s.%N) - $start:.0f}')") s"
fi
if [ ! -f panel.map ]; then
  # shapeit format, one point per Mb at 0.5 cM/Mb (rho above with N0 = 10,000).
  awk -v L=$length -v c=$contig 'BEGIN { print "pos chr cM"; for (p = 1; p <= L + 1000000; p += 1000000) printf "%d %s %.6f\n", p, c, p * 0.5e-6 }' > panel.map
fi

# The index gives the site count, and with more than one rank ingest decodes the panel by its
# regions, every rank its own (stages/ingest/genome_regions.hpp).
[ -f panel.bcf.csi ] || bcftools index panel.bcf
sites=$(bcftools index -n panel.bcf 2>/dev/null)
samples=$(bcftools query -l panel.bcf | wc -l)
bytes=$(stat -c %s panel.bcf)
cores=$(nproc)
echo "machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), binary $($bin --version)"
echo "panel.bcf: $samples samples ($((2 * samples)) haplotypes) x $sites sites, $bytes bytes"
cat panel.bcf > /dev/null  # warm the page cache: we measure decoding, not the disk's first read

# One line per measurement: rates over the wall time, CPU seconds (user + system, the whole
# process tree: the machine may be shared, so CPU time says what the work costs whatever the
# load), peak RSS from GNU time or provenance.json.
report() {  # what seconds ranks peak_kib cpu_seconds command
  python3 - "$1" "$2" "$3" "$4" "$5" "$6" "$sites" "$samples" "$bytes" <<'PY'
import sys
what, wall, n, peak, cpu, cmd = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6]
sites, samples, size = int(sys.argv[7]), int(sys.argv[8]), int(sys.argv[9])
print(f"{what}: {wall:.2f} s, {sites/wall/n/1e3:.1f} k sites/s per rank, "
      f"{sites*samples/wall/n/1e6:.1f} M genotypes/s per rank, {size/1e6/wall/n:.1f} MB/s of BCF per rank, "
      f"{cpu:.2f} CPU s ({size/1e6/cpu:.1f} MB of BCF per CPU s), "
      f"peak RSS {peak/1024:.0f} MiB{'/rank' if n > 1 else ''}, load {open('/proc/loadavg').read().split()[0]}  [{cmd}]")
PY
}

for mode in u v; do
  cmd="bcftools view -O$mode panel.bcf"
  /usr/bin/time -f '%e %M %U %S' -o bcftools.time $cmd > /dev/null
  read -r wall peak user sys < bcftools.time
  report "bcftools view -O$mode" "$wall" 1 "$peak" "$(python3 -c "print($user + $sys)")" "$cmd > /dev/null"
done

cat > bench.ini <<INI
[genome]
vcf = $work/panel.bcf
map = $work/panel.map
INI
for n in 1 2; do
  rm -rf run$n
  # Each rank gets its share of the cores as threads (htslib's BGZF decompression on rank 0).
  # --bind-to none: Open MPI binds each rank to one core when there are at most 2 ranks, so
  # without it "1 rank x 2 threads" ran all its threads on one core (docs/benchmarks.md).
  cmd="mpirun --oversubscribe --bind-to none -np $n $bin ingest --config bench.ini --run.dir run$n --run.threads $((cores / n))"
  /usr/bin/time -f '%U %S' -o ingest$n.time $cmd > ingest$n.log
  read -r user sys < ingest$n.time
  read -r wall peak < <(python3 - run$n/provenance.json <<'PY'
import json, sys
stage = json.load(open(sys.argv[1]))["stages"]["ingest"]
print(stage["wall_seconds"], stage["peak_resident_bytes_max"] // 1024)
PY
)
  report "synthcohort ingest, $n rank(s) x $((cores / n)) thread(s)" "$wall" "$n" "$peak" "$(python3 -c "print($user + $sys)")" "$cmd"
done
# bcftools once more after the runs: the load of a shared machine changes within minutes.
cmd="bcftools view -Ou panel.bcf"
/usr/bin/time -f '%e %M %U %S' -o bcftools.time $cmd > /dev/null
read -r wall peak user sys < bcftools.time
report "bcftools view -Ou (again)" "$wall" 1 "$peak" "$(python3 -c "print($user + $sys)")" "$cmd > /dev/null"
echo "store: $(du -sm run1/store 2>/dev/null | cut -f1) MB for 1 rank (ingest.variants_per_window default)"
