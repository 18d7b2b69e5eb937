#!/usr/bin/env bash
# Bad options and configs of slurm/submit and slurm/refresh: each stops with a message naming the
# file and line, or the key, and what was expected (exit 2), before any job or release exists; a
# threshold on a metric that metrics.json lacks refuses the release instead of passing it.
source "$(dirname "$0")/common.sh"
# expect_error CODE PATTERN COMMAND...: the command fails with CODE and a message matching PATTERN.
expect_error() {
  local code=$1 pattern=$2 rc; shift 2
  set +e; "$@" > out.log 2>&1; rc=$?; set -e
  [ $rc -eq $code ] || fail "expected exit $code for [$pattern], got $rc: $(cat out.log)"
  grep -qE -- "$pattern" out.log || fail "message does not match [$pattern]: $(cat out.log)"
  echo "ok: $(tail -1 out.log)"
}
write_small_config c.ini
printf '[ingest]\nrows_per_shard = 10\nnot a key line\n' > broken.ini
expect_error 2 "command line: --config FILE is required" "$SUBMIT"
expect_error 2 "broken.ini:3: expected key = value" "$SUBMIT" --config broken.ini
expect_error 2 "unknown stage 'sampel' \(pipeline stages: ingest, fit, sample" "$SUBMIT" --config c.ini --stages sampel
expect_error 2 "command line: key 'slurm.cpus_per_rank': expected a positive number of CPUs" "$SUBMIT" --config c.ini --slurm.cpus_per_rank 0
expect_error 2 "command line: key 'slurm.max_ranks': expected an integer, found 'many'" "$SUBMIT" --config c.ini --slurm.max_ranks many
expect_error 2 "command line: expected --section.key value, found 'oops'" "$SUBMIT" --config c.ini oops
expect_error 2 "input file /nonexistent/x.csv does not exist" "$SUBMIT" --config c.ini --table.persons.file /nonexistent/x.csv
[ -z "$(squeue -h)" ] || fail "a job was submitted despite the errors"

printf '[refresh]\nreleases_dir = %s/releases\n' "$SC_WORK" >> c.ini
expect_error 2 "key 'refresh.thresholds': expected 'metric >= value' items separated by commas, found 'quality ~ 0.9'" \
  "$REFRESH" --config c.ini --refresh.thresholds "quality ~ 0.9"
expect_error 2 "--launcher: expected slurm, srun or mpirun, found 'ssh'" "$REFRESH" --config c.ini --launcher ssh
expect_error 2 "key 'refresh.keep': expected at least 1" "$REFRESH" --config c.ini --refresh.keep 0
[ ! -e releases ] || fail "a release directory was made despite a bad option"
mkdir -p extract && cp "$SC_DATA_DIR"/registry/nafld1.csv.gz extract/
expect_error 3 "the extract extract has no nafld3.csv.gz \(for table.events.file\); no release made" \
  "$REFRESH" --config c.ini --launcher mpirun --refresh.extract_dir extract
[ ! -e releases ] || fail "a release directory was made for an incomplete extract"
expect_error 7 "thresholds not met: tables.persons.quality_scor = absent from metrics.json \(needs >= 0.5\)" \
  "$REFRESH" --config c.ini --launcher mpirun --refresh.thresholds "tables.persons.quality_scor >= 0.5"
[ ! -e releases/latest ] || fail "a release was published despite a threshold on an absent metric"
echo "PASS: bad submit and refresh options"
