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

# LD decay by plink 1.9 (--r2: unphased genotype r^2) over the same common variants in the training
# reals and in the synthetic individuals: every STEP-th variant with MAF >= 0.05 in the 240
# (TRAIN.afreq, plink2 --freq of the panel's variants in order), pairs closer than 1 cM on the
# genetic map (cM interpolated from $genome_map), mean r^2 per 0.1 cM bin. Writes ld_curves.txt
# (one line per bin: "from_cm to_cm pairs_real r2_real pairs_synthetic r2_synthetic") and prints
# "mean_abs_diff max_abs_diff bins variants".
ld_decay_curves() {  # ld_decay_curves train.txt TRAIN.afreq SYNTHETIC_VCF STEP
  bcftools query -f '%CHROM\t%POS\n' "$genome_panel" > panel_sites.txt
  python3 - "$2" "$4" "$genome_map" <<'PY' > ld_plan.txt
import bisect, gzip, sys
afreq, step, gmap = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sites = [l.split() for l in open('panel_sites.txt')]
freqs = [float(l.split('\t')[4]) for l in open(afreq) if not l.startswith('#')]
assert len(sites) == len(freqs), 'the frequency file lists other variants than the panel'
common = [s for s, f in zip(sites, freqs) if min(f, 1 - f) >= 0.05][::step]
with open('ld_sites.txt', 'w') as out:
    for chrom, pos in common: out.write(f'{chrom}\t{pos}\n')
rows = [l.split() for l in gzip.open(gmap, 'rt') if not l.startswith('pos')]
bp = [int(r[0]) for r in rows]; cm = [float(r[2]) for r in rows]
def to_cm(x):  # linear inside the map, the edge rate outside it
    i = min(max(bisect.bisect_right(bp, x), 1), len(bp) - 1)
    return cm[i - 1] + (cm[i] - cm[i - 1]) * (x - bp[i - 1]) / (bp[i] - bp[i - 1])
positions = [int(p) for _, p in common]
with open('ld_cm.txt', 'w') as out:
    for p in positions: out.write(f'{p} {to_cm(p):.8f}\n')
# The widest span in bp of any pair closer than 1 cM, for plink's window.
cms = [to_cm(p) for p in positions]; widest = 0; j = 0
for i in range(len(positions)):
    while cms[j] < cms[i] - 1.0: j += 1
    widest = max(widest, positions[i] - positions[j])
print(widest // 1000 + 2, len(positions))
PY
  read -r window_kb variants < ld_plan.txt
  bcftools view -Oz -o ld_real.vcf.gz -S "$1" -T ld_sites.txt "$genome_panel"
  bcftools view -Oz -o ld_synthetic.vcf.gz -T ld_sites.txt "$3"
  for side in real synthetic; do
    plink1.9 --vcf ld_$side.vcf.gz --r2 --ld-window 999999 --ld-window-kb "$window_kb" --ld-window-r2 0 \
      --threads 1 --out ld_$side > ld_$side.plink.log 2>&1 || { cat ld_$side.plink.log; return 1; }
  done
  python3 - "$variants" <<'PY'
import math, sys
cm = dict(tuple(map(float, l.split())) for l in open('ld_cm.txt'))
def curve(path):
    sums, counts = [0.0] * 10, [0] * 10
    with open(path) as f:
        f.readline()
        for line in f:
            r = line.split()  # CHR_A BP_A SNP_A CHR_B BP_B SNP_B R2
            d = abs(cm[float(r[4])] - cm[float(r[1])])
            if d < 1.0:
                b = int(d / 0.1); sums[b] += float(r[6]); counts[b] += 1
    return counts, [s / c if c else math.nan for s, c in zip(sums, counts)]
nr, real = curve('ld_real.ld'); ns, syn = curve('ld_synthetic.ld')
assert nr == ns, 'plink listed other pairs for the real and synthetic sets'
diffs = []
with open('ld_curves.txt', 'w') as out:
    for b in range(10):
        out.write('%.1f %.1f %d %.4f %d %.4f\n' % (b / 10, (b + 1) / 10, nr[b], real[b], ns[b], syn[b]))
        if nr[b]: diffs.append(abs(real[b] - syn[b]))
print('%.4f %.4f %d %s' % (sum(diffs) / len(diffs), max(diffs), len(diffs), sys.argv[1]))
PY
}
