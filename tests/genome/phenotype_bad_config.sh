#!/usr/bin/env bash
# Bad phenotype configuration stops `sample` with exit code 2 (config error) and a message naming
# the key, before anything is written (no sample stage, no partial one): an unknown key, values out
# of range, unknown or unsuitable tables and columns, correlations that cannot hold, and more
# genomes than synthetic persons.
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
{
  phenotype_registry_sections 5000 25000
  cat <<INI
[genome]
vcf = $genome_panel
map = $genome_map
holdout_samples = 60
individuals = 200
[sample]
persons = 1000
[phenotype.liver]
heritability = 0.3
prevalence = 0.1
event_table = events
event_column = event
INI
} > p.ini
run_np 1 ingest --config p.ini --run.dir r > ingest.log
run_np 1 fit --config p.ini --run.dir r > fit.log
expect_config_error() {  # expect_config_error KEY_IN_MESSAGE ARGS...
  local key=$1; shift
  set +e
  run_np 1 sample --config p.ini --run.dir r "$@" > out.log 2>&1
  local rc=$?
  set -e
  [ $rc -eq 2 ] || fail "sample $* exited $rc, expected 2: $(tail -2 out.log)"
  grep -q -- "$key" out.log || fail "sample $*: the message does not name $key: $(tail -2 out.log)"
  [ ! -e r/store/sample ] && [ ! -e r/store/sample.partial ] || fail "sample $* left a sample stage behind"
  echo "ok: $* -> $(grep -o "key '[^']*'.*\|unknown key.*\|\[phenotype[^]]*\].*" out.log | head -1 | cut -c1-150)"
}
expect_config_error "phenotype.liver.heritabilty" --phenotype.liver.heritabilty 0.3
expect_config_error "phenotype.liver.heritability" --phenotype.liver.heritability 1.5
expect_config_error "phenotype.liver.prevalence" --phenotype.liver.prevalence 1
expect_config_error "phenotype.liver.causal_fraction" --phenotype.liver.causal_fraction 1e-9
expect_config_error "phenotype.liver.maf_alpha" --phenotype.liver.maf_alpha abc
expect_config_error "phenotype.liver.event_table" --phenotype.liver.event_table nosuch
expect_config_error "phenotype.liver.event_table" --phenotype.liver.event_table persons
expect_config_error "phenotype.liver.event_column" --phenotype.liver.event_column days
expect_config_error "phenotype.liver.onset_age_sd" --phenotype.liver.onset_age_sd 0
expect_config_error "phenotype.liver.genetic_correlation" --phenotype.liver.genetic_correlation "height:0.5"
expect_config_error "phenotype.b.genetic_correlation" --phenotype.a.heritability 0.5 --phenotype.a.genetic_correlation "b:0.9, c:0.9" \
  --phenotype.b.heritability 0.5 --phenotype.b.genetic_correlation "c:-0.9" --phenotype.c.heritability 0.5
expect_config_error "phenotype.q.event_table" --phenotype.q.heritability 0.5 --phenotype.q.event_table events
expect_config_error "phenotype.q.heritability" --phenotype.q.causal_fraction 0.1
expect_config_error "phenotype.age.heritability" --phenotype.age.heritability 0.5
expect_config_error "phenotype.person_table" --phenotype.person_table events
expect_config_error "phenotype.followup_column" --phenotype.followup_column status
expect_config_error "genome.individuals" --sample.persons 150
echo "PASS: every bad phenotype key exits 2 naming the key, with nothing written"
