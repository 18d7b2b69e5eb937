# Shared by the genome shell tests (sourced after tests/cli/common.sh): configs on the bundled
# chr20 panel and readers of the genome stages' datasets.
genome_panel=$SC_DATA_DIR/genomes/reference.vcf.gz
genome_map=$SC_DATA_DIR/genomes/chr20.b37.gmap.gz

# write_genome_config FILE VARIANTS_PER_WINDOW [KEY = VALUE lines for [genome] ...]
write_genome_config() {
  local file=$1 window=$2; shift 2
  {
    printf '[ingest]\nvariants_per_window = %s\n[genome]\nvcf = %s\nmap = %s\n' "$window" "$genome_panel" "$genome_map"
    for line in "$@"; do printf '%s\n' "$line"; done
  } > "$file"
}

# Reference sample names whose haplotypes the fit made donors (one per line), from fit/genome/model.
donor_individuals() {  # donor_individuals RUN_DIR
  h5dump -b LE -d /donors -o donors.bin "$1/store/fit/genome/model/shard-00000.h5" > /dev/null
  bcftools query -l "$genome_panel" > all_samples.txt
  python3 -c "
import struct, sys
data = open('donors.bin', 'rb').read()
rows = struct.unpack('<%di' % (len(data) // 4), data)
names = open('all_samples.txt').read().split()
for i in sorted(set(r // 2 for r in rows)): print(names[i])
"
}

# r^2 of ALT frequencies between two plink2 .afreq files of the same variants (in the same order),
# over variants whose minor allele frequency in the first is at least MIN_MAF.
afreq_r2() {  # afreq_r2 A.afreq B.afreq MIN_MAF
  python3 -c "
import sys
def read(path):
    rows = [l.split('\t') for l in open(path) if not l.startswith('#')]
    return [(r[1], r[2], r[3]) for r in rows], [float(r[4]) for r in rows]
ka, a = read(sys.argv[1]); kb, b = read(sys.argv[2])
assert ka == kb, 'the two frequency files list other variants'
pairs = [(x, y) for x, y in zip(a, b) if min(x, 1 - x) >= float(sys.argv[3])]
n = len(pairs); mx = sum(p[0] for p in pairs) / n; my = sum(p[1] for p in pairs) / n
sxy = sum((x - mx) * (y - my) for x, y in pairs); sxx = sum((x - mx) ** 2 for x, _ in pairs); syy = sum((y - my) ** 2 for _, y in pairs)
print('%.6f %d' % (sxy * sxy / (sxx * syy), n))
" "$@"
}

# KING-robust kinship (plink2 --make-king-table) of the first SYNTHETIC_COUNT synthetic individuals
# and the held-out reals, each against the training reals; prints "median_syn median_held p95_syn
# p95_held" of every individual's highest kinship to any training individual.
king_closest() {  # king_closest SYNTHETIC_VCF SYNTHETIC_COUNT train.txt held.txt
  bcftools query -l "$1" | head -n "$2" > syn_subset.txt
  bcftools view -Oz -o syn_subset.vcf.gz -S syn_subset.txt "$1"
  bcftools index -f syn_subset.vcf.gz
  bcftools merge -Oz -o king_input.vcf.gz syn_subset.vcf.gz "$genome_panel"
  plink2 --vcf king_input.vcf.gz --make-king-table --out king > king.log 2>&1 || { cat king.log; return 1; }
  python3 -c "
import sys
train = set(open(sys.argv[1]).read().split()); held = set(open(sys.argv[2]).read().split()); syn = set(open(sys.argv[3]).read().split())
best = {}
with open('king.kin0') as f:
    head = f.readline().lstrip('#').split(); i1 = head.index('IID1'); i2 = head.index('IID2'); k = head.index('KINSHIP')
    for line in f:
        r = line.split(); a, b, v = r[i1], r[i2], float(r[k])
        for x, y in ((a, b), (b, a)):
            if y in train and (x in syn or x in held): best[x] = max(best.get(x, -9), v)
def q(values, p):
    v = sorted(values); return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]
s = [best[x] for x in syn]; h = [best[x] for x in held]
print('%.4f %.4f %.4f %.4f' % (q(s, 0.5), q(h, 0.5), q(s, 0.95), q(h, 0.95)))
" "$3" "$4" syn_subset.txt
}

# Fails unless the PLINK set PREFIX (read by plink1.9) holds the same genotypes (ALT counts),
# sites and samples as the VCF (read by bcftools).
plink_matches_vcf() {  # plink_matches_vcf PREFIX VCF
  plink1.9 --bfile "$1" --keep-allele-order --recode vcf --out from_plink > plink_recode.log 2>&1 || { cat plink_recode.log; return 1; }
  bcftools query -l "$2" > vcf_samples.txt
  bcftools query -l from_plink.vcf | sed 's/^\([^_]*\)_\1$/\1/' > plink_samples.txt
  cmp vcf_samples.txt plink_samples.txt || { echo "sample lists differ"; return 1; }
  bcftools query -f '%CHROM %POS %REF %ALT [%GT ]\n' "$2" | python3 -c "
import sys
m = {'0|0': '0', '0|1': '1', '1|0': '1', '1|1': '2', '0/0': '0', '0/1': '1', '1/0': '1', '1/1': '2'}
for line in sys.stdin:
    f = line.split(); print(' '.join(f[:4] + [m[g] for g in f[4:]]))
" > vcf_dosage.txt
  bcftools query -f '%CHROM %POS %REF %ALT [%GT ]\n' from_plink.vcf | python3 -c "
import sys
m = {'0/0': '0', '0/1': '1', '1/0': '1', '1/1': '2'}
for line in sys.stdin:
    f = line.split(); print(' '.join(f[:4] + [m[g] for g in f[4:]]))
" > plink_dosage.txt
  cmp vcf_dosage.txt plink_dosage.txt || { echo "genotypes differ between the VCF and the .bed"; return 1; }
}

# The nafld persons and events tables that phenotype tests link genomes to, with the [ingest]
# section; extra lines go into [table.events]. Prints INI text; the caller adds [genome] and traits.
phenotype_registry_sections() {  # phenotype_registry_sections ROWS_PER_SHARD VARIANTS_PER_WINDOW [EVENTS LINE ...]
  cat <<INI
[ingest]
rows_per_shard = $1
variants_per_window = $2
$(nafld_persons_section)
[table.events]
file = $SC_DATA_DIR/registry/nafld3.csv.gz
parent = persons
foreign_key = id
columns = days:day_offset, event:categorical
INI
  local line
  for line in "${@:3}"; do printf '%s\n' "$line"; done
}
