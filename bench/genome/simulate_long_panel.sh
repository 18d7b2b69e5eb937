#!/usr/bin/env bash
# Simulates the long-segment panel of the genome benchmark (issue 5): 5,000 haplotypes (2,500
# diploid individuals) x at least 1,000,000 sites, with scrm (Staab et al. 2015), as
# bench/ingest_genomes/run.sh makes its 569,250-site panel but with theta raised from 62,000 to
# 113,000: E[sites] = theta x sum_{i<5000} 1/i = 113,000 x 9.094 = 1.03 M. The locus (50 Mb),
# rho = 10,000 and the 100 kb of linkage scrm keeps (-l) stay as they are, so the genealogy, which
# is what costs scrm its time, costs the same; only the mutations are denser (20 per kb). With
# N0 = 10,000, rho gives r = 0.5 cM/Mb: the genetic map is that constant rate. Prints every command.
# Usage: bench/genome/simulate_long_panel.sh [WORK_DIR] [PYTHON]
#   WORK_DIR defaults to /var/tmp/synthcohort-bench-genomes-1m; PYTHON needs numpy
#   (setup/python-env.sh makes build/pyenv/bin/python).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
work=${1:-/var/tmp/synthcohort-bench-genomes-1m}
python=${2:-$source_dir/build/pyenv/bin/python}
haplotypes=5000 length=50000000 theta=113000 rho=10000 seed=20261204 contig=1
mkdir -p "$work"
cd "$work"

if [ ! -f panel.bcf ]; then
  sim="scrm $haplotypes 1 -t $theta -r $rho $length -l 100000 -p 12 -seed $seed"
  convert="$python $source_dir/bench/ingest_genomes/ms_to_vcf.py --length $length --contig $contig"
  echo "+ $sim | $convert | bcftools view -Ob -o panel.tmp.bcf"
  start=$(date +%s.%N)
  $sim | $convert | bcftools view -Ob -o panel.tmp.bcf
  mv panel.tmp.bcf panel.bcf
  echo "simulated and converted in $(python3 -c "print(f'{$(date +%s.%N) - $start:.0f}')") s"
fi
if [ ! -f panel.map ]; then
  echo "+ awk (shapeit map: one point per Mb at 0.5 cM/Mb) > panel.map"
  awk -v L=$length -v c=$contig 'BEGIN { print "pos chr cM"; for (p = 1; p <= L + 1000000; p += 1000000) printf "%d %s %.6f\n", p, c, p * 0.5e-6 }' > panel.map
fi
echo "+ bcftools index -f panel.bcf"
bcftools index -f panel.bcf
echo "panel.bcf: $(bcftools query -l panel.bcf | wc -l) individuals x $(bcftools index -n panel.bcf) sites, $(stat -c %s panel.bcf) bytes"
