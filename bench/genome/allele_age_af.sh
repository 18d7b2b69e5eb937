#!/usr/bin/env bash
# What HAPNEST's allele-age rule does to allele frequencies on the bundled chr20 panel
# (docs/genome-generator.md, "Allele ages"): ages from tests/genome/make_allele_ages.py
# (Kimura-Ohta expected ages at Ne 10,000), 60 individuals held out, 10,000 synthetic
# individuals, at HAPNEST's EUR Ne (11,700) and at the quality test's Ne (500), each with and
# without the rule; plink2 --freq against the 240 donors: r^2 over variants with MAF >= 1% and
# over all variants polymorphic in the 240, the mean ALT frequency, and the donors' polymorphic
# variants the synthetic genomes lost.
# Usage: bench/genome/allele_age_af.sh BUILD_DIR WORK_DIR [RANKS=2]
set -euo pipefail
build=$(realpath "$1"); work=$2; ranks=${3:-2}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
panel=$source_dir/data/genomes/reference.vcf.gz
mkdir -p "$work" && cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
run() { mpirun --oversubscribe -np "$ranks" "$build/apps/synthcohort" "$@"; }
python3 "$source_dir/tests/genome/make_allele_ages.py" "$panel" ages.csv 10000
printf '[ingest]\nvariants_per_window = 3000\n[genome]\nvcf = %s\nmap = %s\nholdout_samples = 60\nindividuals = 10000\n' \
  "$panel" "$source_dir/data/genomes/chr20.b37.gmap.gz" > a.ini
run ingest --config a.ini --run.dir base > /dev/null
plink2 --vcf "$panel" --freq --out all > /dev/null
for ne in 11700 500; do
  for ages in "" ages.csv; do
    d=ne${ne}_${ages:+ages}${ages:-plain}
    rm -rf "$d" && mkdir -p "$d/store" && cp -r base/store/ingest "$d/store/" && cp base/provenance.json "$d/" 2>/dev/null || true
    run ingest --config a.ini --run.dir "$d" > /dev/null
    run fit --config a.ini --run.dir "$d" --genome.ne "$ne" --genome.allele_ages "$ages" > /dev/null
    run sample --config a.ini --run.dir "$d" > "$d.sample.log"
    run export --config a.ini --run.dir "$d" --export.plink false > /dev/null
    if [ ! -f train.txt ]; then
      bcftools query -l "$d/export/sample/synthetic.vcf.gz" > /dev/null
      h5dump -b LE -d /donors -o donors.bin "$d/store/fit/genome/model/shard-00000.h5" > /dev/null
      bcftools query -l "$panel" > all_samples.txt
      python3 -c "
import struct
data = open('donors.bin', 'rb').read(); rows = struct.unpack('<%di' % (len(data) // 4), data)
names = open('all_samples.txt').read().split()
print('\n'.join(names[i] for i in sorted(set(r // 2 for r in rows))))" > train.txt
      plink2 --vcf "$panel" --keep train.txt --freq --out train > /dev/null
    fi
    plink2 --vcf "$d/export/sample/synthetic.vcf.gz" --freq --out "$d" > /dev/null
    python3 - "$d" <<'PY'
import sys
def read(path):
    return [float(l.split('\t')[4]) for l in open(path) if not l.startswith('#')]
a, b = read('train.afreq'), read(sys.argv[1] + '.afreq')
def r2(pairs):
    n = len(pairs); mx = sum(p[0] for p in pairs) / n; my = sum(p[1] for p in pairs) / n
    sxy = sum((x - mx) * (y - my) for x, y in pairs); sxx = sum((x - mx) ** 2 for x, _ in pairs); syy = sum((y - my) ** 2 for _, y in pairs)
    return sxy * sxy / (sxx * syy)
common = [(x, y) for x, y in zip(a, b) if min(x, 1 - x) >= 0.01]
poly = [(x, y) for x, y in zip(a, b) if 0 < x < 1]
lost = sum(1 for x, y in poly if y == 0 or y == 1)
print('%-18s r2(MAF>=1%%, %d) %.5f  r2(polymorphic, %d) %.5f  mean ALT freq 240 %.5f synthetic %.5f  lost %d' % (
    sys.argv[1], len(common), r2(common), len(poly), r2(poly), sum(a) / len(a), sum(b) / len(b), lost))
PY
  done
done
