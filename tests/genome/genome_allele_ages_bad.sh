#!/usr/bin/env bash
# Bad allele-age files stop fit with exit code 3 (input error) and a message naming the file and,
# for a bad row, its line and column; no fit stage is left behind (the file is read on every rank
# before anything is written).
source "$SC_SOURCE_DIR/tests/cli/common.sh"
source "$SC_SOURCE_DIR/tests/genome/genome_common.sh"
python3 "$SC_SOURCE_DIR/tests/genome/make_allele_ages.py" "$genome_panel" good.csv 1000
write_genome_config g.ini 3000 "holdout_samples = 60" "individuals = 50"
run_np 1 ingest --config g.ini --run.dir r > ingest.log
expect_input_error() {  # expect_input_error RANKS FILE PATTERN...
  local n=$1 file=$2; shift 2
  set +e
  run_np "$n" fit --config g.ini --run.dir r --genome.allele_ages "$file" > out.log 2>&1
  local rc=$?
  set -e
  [ $rc -eq 3 ] || fail "fit with allele ages $file exited $rc, expected 3: $(tail -2 out.log)"
  for pattern in "$file" "$@"; do
    grep -q -- "$pattern" out.log || fail "fit with allele ages $file: the message lacks '$pattern': $(grep -i error out.log | head -2)"
  done
  [ ! -e r/store/fit ] && [ ! -e r/store/fit.partial ] || fail "fit with allele ages $file left a fit stage behind"
}
expect_input_error 1 missing.csv "cannot open"
sed 's/AgeMean_Mut/AgeMedian_Mut/' good.csv > no_age_column.csv
expect_input_error 1 no_age_column.csv "line 4" "AgeMean_Mut"
awk 'NR == 100 { sub(/, [^,]*$/, "") } { print }' good.csv > short_row.csv
expect_input_error 2 short_row.csv "line 100" "7 fields"
awk 'NR == 200 { sub(/[0-9.]+$/, "old") } { print }' good.csv > bad_age.csv
expect_input_error 1 bad_age.csv "line 200, column 8 (AgeMean_Mut)"
awk 'NR == 300 { $3 = "-5," } { print }' good.csv > bad_position.csv
expect_input_error 1 bad_position.csv "line 300, column 3 (Position)"
awk 'NR == 400 { sub(/[0-9.]+$/, "nan") } { print }' good.csv > nan_age.csv
expect_input_error 1 nan_age.csv "line 400, column 8"
echo "PASS: every bad allele-age file exits 3 naming file, line and column; no fit stage left"
