#!/usr/bin/env bash
# The genome metric kernels against plink on the bundled chr20 panel split in two, each to the
# precision the tool prints (half a unit in its last printed digit): ALT frequencies of both
# halves against plink2 --freq, KING-robust kinship (and the HETHET, IBS0 shares) of every pair
# of the 300 individuals, across and within the halves, against plink2 --make-king-table, and
# genotype r^2 of every pair plink 1.9 --r2 lists (30 variants, 300 kb) against it.
# Argument: the genome_metrics_probe binary (tests/evaluate), which runs the stage's kernels.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/genome_metrics_common.sh"
PROBE=${1:?genome_metrics_probe binary}
split_panel 3000 0
for side in real synthetic; do
  plink2 --vcf $side.vcf.gz --freq --threads 1 --out $side > plink2_freq_$side.log
  "$PROBE" freq run_$side/store ingest genomes/reference > ours_freq_$side.txt
done
plink2 --vcf "$SC_DATA_DIR/genomes/reference.vcf.gz" --make-king-table --threads 1 --out all > plink2_king.log
"$PROBE" king run_real/store ingest genomes/reference run_synthetic/store ingest genomes/reference > ours_king.txt
plink1.9 --vcf real.vcf.gz --r2 --ld-window 30 --ld-window-kb 300 --ld-window-r2 0 --threads 1 --out real > plink_r2.log
awk 'NR > 1 {print $2, $5}' real.ld > r2_pairs.txt
"$PROBE" r2 run_real/store ingest genomes/reference r2_pairs.txt > ours_r2.txt
python3 - <<'PY' || fail "our genome metrics differ from plink's"
def tolerance(text):
    """Half a unit in the last digit printed (plink prints %g-style significant digits)."""
    mantissa, _, exponent = text.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10 ** (int(exponent or 0) - decimals) * (1 + 1e-9)

def check(name, ours, theirs_text):
    assert abs(ours - float(theirs_text)) <= tolerance(theirs_text), f"{name}: ours {ours!r}, plink {theirs_text}"

for side in ("real", "synthetic"):
    ours = [line.split() for line in open(f"ours_freq_{side}.txt")]
    theirs = [line.split() for line in open(f"{side}.afreq") if not line.startswith("#")]
    assert len(ours) == len(theirs) == 24990, (len(ours), len(theirs))
    for o, t in zip(ours, theirs):
        check(f"frequency at {o[0]}", float(o[1]), t[4])
    print(f"freq {side}: {len(ours)} variants equal plink2's")

ours = {}
for line in open("ours_king.txt"):
    a, b, hethet, ibs0, kinship = line.split()
    ours[frozenset((a, b))] = (int(hethet), int(ibs0), float(kinship))
pairs = across = 0
real = set(open("real.samples").read().split())
for line in open("all.kin0"):
    if line.startswith("#"):
        continue
    a, b, nsnp, hethet, ibs0, kinship = line.split()
    o = ours.pop(frozenset((a, b)))
    check(f"kinship {a} {b}", o[2], kinship)
    check(f"HETHET {a} {b}", o[0] / int(nsnp), hethet)
    check(f"IBS0 {a} {b}", o[1] / int(nsnp), ibs0)
    pairs += 1
    across += (a in real) != (b in real)
assert not ours and pairs == 300 * 299 // 2, (len(ours), pairs)
print(f"kinship: {pairs} pairs ({across} across the halves) equal plink2's")

ours = {}
for line in open("ours_r2.txt"):
    a, b, r2 = line.split()
    ours[(a, b)] = float(r2)
checked = 0
for line in list(open("real.ld"))[1:]:
    f = line.split()
    if (f[1], f[4]) in ours:  # pairs at a position the panel holds twice are left out
        check(f"r2 {f[1]} {f[4]}", ours[(f[1], f[4])], f[6])
        checked += 1
assert checked > 300000, checked
print(f"r2: {checked} pairs equal plink 1.9's")
PY
echo "PASS: frequencies, kinship and r2 equal plink's to the printed precision"
