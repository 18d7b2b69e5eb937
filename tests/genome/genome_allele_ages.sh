#!/usr/bin/env bash
# HAPNEST's allele-age rule through the real binary on the bundled chr20 panel (9 windows of
# 3,000 variants): an Atlas-layout age file made by make_allele_ages.py (Kimura-Ohta ages, Ne
# 1,000, so that many derived alleles are younger than segments' T), ingest/fit/sample at 1, 2
# and 4 ranks (and with one TBB thread) give identical fit and sample digests with every rank
# committing shards; the
# provenance checker rebuilds every haplotype from its segments, applying the rule from the
# stored ages, and finds the stored bits; and the rule changed the genomes (another digest than
# the same run without ages).
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
: "${SC_PROVENANCE_CHECK:?}"
python3 "$SC_SOURCE_DIR/tests/genome/make_allele_ages.py" "$genome_panel" ages.csv 1000
write_genome_config g.ini 3000 "holdout_samples = 60" "individuals = 200" "allele_ages = ages.csv"
for n in 1 2 4; do
  for stage in ingest fit sample; do run_np $n $stage --config g.ini --run.dir np$n > np$n.$stage.log; done
  every_rank_committed np$n/store/fit/index.json $n
  every_rank_committed np$n/store/sample/index.json $n
  { dataset_digests np$n/store/fit/index.json; dataset_digests np$n/store/sample/index.json; } > digests_np$n.txt
done
grep -q 'genome/allele_ages/allele_age' digests_np1.txt || fail "no allele age dataset in the fit store: $(cut -d' ' -f1 digests_np1.txt | tr '\n' ' ')"
for n in 2 4; do cmp digests_np1.txt digests_np$n.txt || fail "fit/sample digests differ between 1 and $n ranks"; done
for stage in ingest fit sample; do run_np 2 $stage --config g.ini --run.dir threads1 --run.threads 1 > threads1.$stage.log; done
{ dataset_digests threads1/store/fit/index.json; dataset_digests threads1/store/sample/index.json; } > digests_threads1.txt
cmp digests_np1.txt digests_threads1.txt || fail "fit/sample digests differ with one TBB thread per rank"
python3 - <<'PY' || fail "the fit summary does not count the dated variants"
import json
g = json.load(open('np2/provenance.json'))['stages']['fit']['summary']['genomes']
dated = g['allele_ages']['variants_with_age']
rows = [l.split(', ') for l in open('ages.csv') if not l.startswith('#')][1:]
sites = len(set((r[2], r[3], r[4]) for r in rows))   # every row names a panel site
assert dated == sites, (dated, sites)
print('dated variants:', dated, 'of 24990')
PY
# The stored ages of the first window are the file's Combined rows (a TGP row of the same site,
# written before it with another age, must lose), +inf where the file has no row.
h5dump -b LE -d /allele_age -o ages_w0.bin np2/store/fit/genome/allele_ages/shard-00000.h5 > /dev/null
bcftools query -f '%POS %REF %ALT\n' "$genome_panel" | awk 'NR <= 3000' > sites_w0.txt
python3 - <<'PY' || fail "the stored allele ages of window 0 are not the file's Combined rows"
import math, struct
data = open('ages_w0.bin', 'rb').read()
stored = struct.unpack('<%dd' % (len(data) // 8), data)
rows = [l.strip().split(', ') for l in open('ages.csv') if not l.startswith('#')][1:]
combined = {(r[2], r[3], r[4]): float(r[7]) for r in rows if r[6] == 'Combined'}
expected = [combined.get(tuple(l.split()), math.inf) for l in open('sites_w0.txt')]
assert len(stored) == len(expected) == 3000, (len(stored), len(expected))
bad = [i for i, (a, b) in enumerate(zip(stored, expected)) if a != b]
assert not bad, 'first differing variant %d: stored %r, file %r' % (bad[0], stored[bad[0]], expected[bad[0]])
print('window 0: 3000 stored ages equal the file (%d dated)' % sum(1 for a in stored if a != math.inf))
PY
"$SC_PROVENANCE_CHECK" np2/store 1 60 0 0 | tee check.txt
python3 -c "
import re, sys
n = int(re.search(r'(\d+) alleles ancestral by the allele-age rule', open('check.txt').read()).group(1))
sys.exit(0 if n > 10000 else 1)" || fail "the rule gave too few alleles the ancestral allele to be a test"
# The same run without ages: other synthetic haplotypes (the rule did something).
run_np 2 ingest --config g.ini --run.dir off > off.ingest.log
run_np 2 fit --config g.ini --run.dir off --genome.allele_ages "" > off.fit.log
run_np 2 sample --config g.ini --run.dir off > off.sample.log
on=$(grep 'genomes/synthetic/haplotypes' digests_np2.txt)
off=$(dataset_digests off/store/sample/index.json | grep 'genomes/synthetic/haplotypes')
[ "$on" != "$off" ] || fail "the allele-age rule left the synthetic haplotypes unchanged"
echo "PASS: identical digests at 1, 2, 4 ranks with allele ages; $(cat check.txt)"
