#!/usr/bin/env bash
# fit's Ne search (genome.estimate_ne) on the chr20 panel: it recovers the Ne our own sampler made
# genomes with (genome_ne_recovery), it matches the panel's relatedness and LD decay within the
# quality aims, and at 2 ranks it writes the same model as at 1 rank.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
: "${SC_NE_RECOVERY:?}"
write_genome_config g.ini 3000 "holdout_samples = 60" "estimate_ne = true" "estimate_individuals = 100"
for n in 1 2; do
  run_np $n ingest --config g.ini --run.dir r$n > ingest$n.log
  run_np $n fit --config g.ini --run.dir r$n > fit$n.log
  dataset_digests r$n/store/fit/index.json > fit_digests$n.txt
done
cmp fit_digests1.txt fit_digests2.txt || fail "the Ne search gives another model at 2 ranks"
python3 -c "
import json
p = json.load(open('r1/store/fit/index.json'))['summary']['genomes']['populations'][0]
s = p['ne_search']
print('Ne search on the panel: Ne %.0f, panel median highest kinship %.4f, synthetic %.4f (excess %+.4f); '
      'LD shortfall %+.4f over %d bins of %.2f cM' % (p['ne'], s['panel_median_kinship'], s['synthetic_median_kinship'],
      s['kinship_excess'], s['ld_shortfall'], len(s['panel_ld']), s['ld_bin_cm']))
# Both errors within the quality checks' aims (0.02), and balanced: the search's root is where the
# kinship excess equals the LD shortfall.
assert abs(s['kinship_excess']) < 0.01 and abs(s['ld_shortfall']) < 0.01, s
assert len(s['panel_ld']) == len(s['synthetic_ld']) > 0
"
"$SC_NE_RECOVERY" r1/store | tee recovery.txt
echo "PASS: Ne search recovers the sampler's Ne and is the same at 1 and 2 ranks"
