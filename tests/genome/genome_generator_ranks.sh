#!/usr/bin/env bash
# The genome generator through the real binary on the bundled chr20 panel (300 individuals x
# 24,990 sites), 60 individuals held out, 300 synthetic individuals with allele flips and a
# segment cap, at 1, 2 and 4 ranks and with windows of 3,000 and 2,000 variants (9 and 13
# windows): the sample stage's dataset digests are identical at every rank count (and with one
# TBB thread, and with genome.split_segment_draw at 2 and 4 ranks), every rank committed shards,
# and the exported VCF and PLINK files are byte-identical across all rank counts and both window
# sizes, with every rank writing a share of the VCF; plink1.9 reads from the .bed the genotypes
# that bcftools reads from the VCF.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
keys=("holdout_samples = 60" "individuals = 300" "mutation_rate = 0.001" "max_segment_cm = 1.5"
      "individuals_per_segment_shard = 32")
runs=()
for window in 3000 2000; do
  write_genome_config w$window.ini $window "${keys[@]}"
  for n in 1 2 4; do
    d=w${window}_np$n
    for stage in ingest fit sample export; do run_np $n $stage --config w$window.ini --run.dir $d > $d.$stage.log; done
    every_rank_committed $d/store/sample/index.json $n
    dataset_digests $d/store/sample/index.json > digests_$d.txt
    runs+=($d)
  done
  grep -q 'genomes/synthetic/haplotypes' digests_w${window}_np1.txt || fail "no synthetic haplotype digest"
  grep -q 'genomes/segments/donor' digests_w${window}_np1.txt || fail "no segment provenance digest"
  for n in 2 4; do
    cmp digests_w${window}_np1.txt digests_w${window}_np$n.txt || fail "sample digests differ between 1 and $n ranks (windows of $window)"
  done
done
run_np 2 ingest --config w3000.ini --run.dir threads1 --run.threads 1 > /dev/null
for stage in fit sample; do run_np 2 $stage --config w3000.ini --run.dir threads1 --run.threads 1 > /dev/null; done
dataset_digests threads1/store/sample/index.json > digests_threads1.txt
cmp digests_w3000_np1.txt digests_threads1.txt || fail "sample digests differ with one TBB thread per rank"
# genome.split_segment_draw: each rank draws a share of the lists, all-gathered; same digests.
for n in 2 4; do
  d=split_np$n
  for stage in ingest fit sample; do run_np $n $stage --config w3000.ini --run.dir $d --genome.split_segment_draw true > $d.$stage.log; done
  every_rank_committed $d/store/sample/index.json $n
  dataset_digests $d/store/sample/index.json > digests_$d.txt
  cmp digests_w3000_np1.txt digests_$d.txt || fail "sample digests differ with genome.split_segment_draw at $n ranks"
done

windows=$(python3 -c "
import json
index = json.load(open('w2000_np1/store/sample/index.json'))
print(sum(1 for s in index['shards'] if s['file'].startswith('genomes/synthetic/shard-')))")
[ "$windows" -ge 8 ] || fail "only $windows synthetic windows"
for d in "${runs[@]}"; do
  for f in synthetic.vcf.gz synthetic.bed synthetic.bim synthetic.fam; do
    cmp w3000_np1/export/sample/$f $d/export/sample/$f || fail "$f of $d differs from that of w3000_np1"
  done
done
# The ranks share the VCF export: each formats and compresses a run of chunks of sites.
for d in w3000_np4 w2000_np4 w3000_np2; do
  python3 - $d <<'PY' || fail "not every rank of $d wrote a share of the VCF"
import json, sys
parts = json.load(open(sys.argv[1] + '/provenance.json'))['stages']['export']['summary']['vcf_parts']['synthetic']
ranks = int(sys.argv[1][-1])
assert len(parts['sites_per_rank']) == ranks and min(parts['sites_per_rank']) > 0, parts
assert sum(parts['sites_per_rank']) == parts['sites'] == 24990 and min(parts['bytes_per_rank']) > 0, parts
PY
done
plink_matches_vcf w3000_np1/export/sample/synthetic w3000_np1/export/sample/synthetic.vcf.gz ||
  fail "plink1.9 reads other genotypes from the .bed than bcftools from the VCF"
python3 - <<'PY' || fail "the sample summary in provenance.json lacks the genome provenance summary or breaks the cap"
import json
stages = json.load(open('w3000_np2/provenance.json'))['stages']
sample = stages['sample']
g = sample['summary']['genomes']
assert g['individuals'] == 300 and g['haplotypes'] == 600
assert 0 < g['longest_segment_cm'] <= 1.5 + 1e-9, g
assert g['max_uses_per_donor'] >= g['mean_uses_per_donor'] > 0, g
print('genomes summary:', json.dumps(g))
PY
echo "PASS: identical sample digests at 1, 2, 4 ranks, 1 thread and split draws; identical exports at both window sizes ($windows windows)"
