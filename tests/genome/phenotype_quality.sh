#!/usr/bin/env bash
# Phenotypes at N = 10,000 synthetic genomes on the bundled chr20 panel (Ne = 500, as the genome
# quality test), linked to 17,549 synthetic nafld persons (persons and events tables), with two
# traits: a quantitative one (h2 0.5) and a binary one (h2 0.4, prevalence 0.1, a diagnosis event
# `liver_disease`, a category the real events lack), genetic correlation 0.5, causal fraction 0.1,
# alpha -0.25. Genetic values are recomputed independently with plink2 --score on the PLINK export
# and the exported effects; tests/genome/phenotype_check.py then checks, each within 3 standard
# errors (formulas printed beside each number): heritability of both traits, prevalence, genetic
# correlation of the genetic values and of the effects, the MAF dependence of effect sizes; and
# exactly: every genome belongs to one person, one event per case inside follow-up and lifetime.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
h2_q=0.5 h2_b=0.4 prevalence=0.1 rg=0.5 alpha=-0.25 blocks=20
{
  phenotype_registry_sections 5000 3000 'constraints = days <= parent.futime'
  cat <<INI
[genome]
vcf = $genome_panel
map = $genome_map
holdout_samples = 60
individuals = 10000
ne = 500
[phenotype.stature]
heritability = $h2_q
causal_fraction = 0.1
maf_alpha = $alpha
genetic_correlation = liver:$rg
[phenotype.liver]
heritability = $h2_b
causal_fraction = 0.1
maf_alpha = $alpha
prevalence = $prevalence
event_table = events
event_column = event
event_code = liver_disease
onset_age_mean = 60
onset_age_sd = 10
INI
} > p.ini
for stage in ingest fit sample export; do run_np 2 $stage --config p.ini --run.dir q --export.vcf false > $stage.log; done
grep '^\[sample\] phenotype' sample.log
e=q/export/sample
python3 "$SC_SOURCE_DIR/tests/genome/phenotype_check.py" blocks $e/phenotype_stature.effects.tsv $e/phenotype_liver.effects.tsv $blocks blocks.tsv
ids=(--set-all-var-ids '@:#:$r:$a' --new-id-max-allele-len 1000)
plink2 --bfile $e/synthetic "${ids[@]}" --freq --out syn > freq.log 2>&1 || { cat freq.log; fail "plink2 --freq"; }
plink2 --bfile $e/synthetic "${ids[@]}" --score blocks.tsv 1 2 header cols=+scoresums --score-col-nums 3-$((2 + 2 * blocks)) \
  --out score > score.log 2>&1 || { cat score.log; fail "plink2 --score"; }
zcat "$SC_DATA_DIR/registry/nafld3.csv.gz" > real_events.csv
python3 "$SC_SOURCE_DIR/tests/genome/phenotype_check.py" check $e/persons.csv $e/events.csv real_events.csv $e/synthetic.fam \
  syn.afreq score.sscore $e/phenotype_stature.effects.tsv $e/phenotype_liver.effects.tsv stature liver \
  $h2_q $h2_b $prevalence $rg $alpha liver_disease $blocks || fail "a phenotype property is off"
python3 - <<'PY' || fail "the sample summary lacks the phenotypes entry"
import json
p = json.load(open('q/provenance.json'))['stages']['sample']['summary']['phenotypes']
assert p['person_table'] == 'persons' and p['persons_with_genome'] == 10000, p
liver = p['traits']['liver']
assert liver['events'] + liver['cases_without_event'] == liver['cases'] > 0, liver
assert p['traits']['stature']['causal_variants'] > 0, p
print('summary:', json.dumps(p))
PY
echo "PASS: phenotypes at N = 10,000 within 3 standard errors; genomes and persons linked; onsets inside follow-up"
