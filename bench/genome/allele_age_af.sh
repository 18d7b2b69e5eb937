#!/usr/bin/env bash
# What HAPNEST's allele-age rule does to allele frequencies on the bundled chr20 panel
# (docs/genome-generator.md, "Allele ages"): ages from tests/genome/make_allele_ages.py
# (Kimura-Ohta expected ages at Ne 10,000, in generations; and the same divided by 25, as HAPNEST's
# preprocessing treats the Atlas' generations as years), 60 individuals held out, 10,000 synthetic
# individuals, at HAPNEST's EUR Ne (11,700) and at the quality test's Ne (500), each without the
# rule and with either age file; plink2 --freq against the 240 donors: r^2 over variants with MAF >= 1% and
# over all variants polymorphic in the 240, the mean ALT frequency, and the donors' polymorphic
# variants the synthetic genomes lost.
# Usage: bench/genome/allele_age_af.sh BUILD_DIR WORK_DIR [RANKS=2]
set -euo pipefail
build=$(realpath "$1"); work=$2; ranks=${3:-2}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
panel=$source_dir/data/genomes/reference.vcf.gz
mkdir -p "$work" && cd "$work"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
# Open MPI binds each rank to one core when ranks <= cores, which would put all of a rank's
# run.threads threads on that core: no binding, the binary sizes its own threads.
export OMPI_MCA_hwloc_base_binding_policy=none
run() { mpirun --oversubscribe -np "$ranks" "$build/apps/synthcohort" "$@"; }
python3 "$source_dir/tests/genome/make_allele_ages.py" "$panel" ages.csv 10000
python3 "$source_dir/tests/genome/make_allele_ages.py" "$panel" ages_div25.csv 400   # ages / 25: linear in Ne
printf '[ingest]\nvariants_per_window = 3000\n[genome]\nvcf = %s\nmap = %s\nholdout_samples = 60\nindividuals = 10000\n' \
  "$panel" "$source_dir/data/genomes/chr20.b37.gmap.gz" > a.ini
for ne in 11700 500; do
  for ages in "" ages.csv ages_div25.csv; do
    d=ne${ne}_${ages:-no_ages.csv}
    d=${d%.csv}
    rm -rf "$d"
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
    python3 "$source_dir/bench/genome/afreq_compare.py" train.afreq "$d.afreq" "$d"
  done
done
