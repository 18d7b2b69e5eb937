#!/usr/bin/env bash
# The report stage refuses bad input with the exit code of pipeline/error.hpp and a message that
# names the file or key, and leaves the metrics file it did not finish untouched.
source "$(dirname "$0")/report_common.sh"
expect() {  # expect RC PATTERN ARGS...: runs report, checks the exit code and the message
  local rc=$1 pattern=$2; shift 2
  set +e; "$SYNTHCOHORT" report "$@" > out.txt 2>&1; local got=$?; set -e
  [ $got -eq $rc ] && grep -qF -- "$pattern" out.txt || { cat out.txt; fail "expected exit $rc and '$pattern', got $got"; }
}
printf '[run]\ndir = run\n' > c.ini
expect 3 "cannot read run/report/metrics.json" --config c.ini
mkdir -p run/report
echo '{"tables": {' > run/report/metrics.json
expect 3 "run/report/metrics.json: not JSON" --config c.ini
echo '{"real": {"store": "s", "stage": "ingest"}, "synthetic": {"store": "s", "stage": "sample"}}' > run/report/metrics.json
expect 3 "no 'tables' object" --config c.ini
echo '{"real": {"store": "s", "stage": 1}, "synthetic": {"store": "s", "stage": "sample"}, "tables": {}}' > run/report/metrics.json
expect 3 "'real.stage' is not a string" --config c.ini
expect 2 "report.histogram_bins" --config c.ini --report.histogram_bins 0
expect 2 "report.public_min_count" --config c.ini --report.public_min_count 0
expect 2 "report.caution_score" --config c.ini --report.caution_score 0.95
expect 2 "report.trust_score" --config c.ini --report.trust_score 1.5
echo '{"real": {"store": "s", "stage": "ingest"}, "synthetic": {"store": "s", "stage": "sample"}, "tables": {}}' > run/report/metrics.json
expect 3 "no 'charts.list' to make the pages from" --config c.ini --report.from_metrics true --report.dir pages
[ ! -e pages ] || fail "a refused report wrote pages"
before=$(sha256sum run/report/metrics.json)
expect 3 "cannot read $SC_WORK/no-vega/vega-util.min.js" --config c.ini --report.vega_dir "$SC_WORK/no-vega"
[ "$(sha256sum run/report/metrics.json)" = "$before" ] || fail "a failed report changed metrics.json"
[ ! -e run/report/public.html ] && [ ! -e run/report/steward.html ] || fail "a failed report wrote a page"
echo "PASS: bad metrics files and report.* values refused with their names"
