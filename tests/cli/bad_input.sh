#!/usr/bin/env bash
# Bad input stops ingest with the file, line and column, exit code 3 (input) or 2 (config), no
# published stage, and no data value in the message unless log.show_values is set.
source "$(dirname "$0")/common.sh"

# expect_error CODE PATTERN CSV_TEXT [extra table keys...]: ingest one table from CSV_TEXT.
expect_error() {
  local code=$1 pattern=$2 text=$3; shift 3
  local dir=case$RANDOM$RANDOM
  mkdir -p $dir
  printf '%b' "$text" > $dir/t.csv
  { echo "[table.t]"; [[ " $* " == *" file="* ]] || echo "file = t.csv"; for kv in "$@"; do echo "$kv"; done; } > $dir/c.ini
  set +e
  run_np 2 ingest --config $dir/c.ini --run.dir $dir/run > $dir/out.log 2>&1
  local rc=$?
  set -e
  [ $rc -eq $code ] || fail "expected exit $code for [$pattern], got $rc: $(cat $dir/out.log)"
  grep -qE -- "$pattern" $dir/out.log || fail "message does not match [$pattern]: $(cat $dir/out.log)"
  [ ! -e $dir/run/store/ingest ] || fail "a stage was published despite the error [$pattern]"
  grep -q "SECRET" $dir/out.log && fail "a data value leaked into the message: $(cat $dir/out.log)"
  echo "ok: $pattern"
}

expect_error 3 't.csv:3: column 2: unterminated quoted field' 'id,x\n1,a\n2,"SECRET\n' primary_key=id
expect_error 3 't.csv:2: column 2: malformed quoting' 'id,x\n1,"SECRET"x\n' primary_key=id
expect_error 3 't.csv:2: column 2: malformed quoting' 'id,x\n1,SEC"RET\n' primary_key=id
expect_error 3 't.csv:3: expected 2 fields \(as in the header\), found 3' 'id,x\n1,a\n2,b,SECRET\n' primary_key=id
expect_error 3 "t.csv:3: column 2 \('x'\): expected an integer, found \(value hidden" 'id,x\n1,5\n2,SECRET\n' \
  primary_key=id columns=x:integer
expect_error 3 "t.csv:2: column 2 \('x'\): expected a finite real number" 'id,x\n1,SECRET\n' primary_key=id columns=x:real
expect_error 3 "t.csv:2: column 2 \('d'\): expected an ISO date yyyy-mm-dd" 'id,d\n1,2001-02-30\n' primary_key=id columns=d:date
expect_error 3 "t.csv:4: column 1 \('id'\): duplicate primary key \(first seen on line 2\)" 'id,x\n1,a\n2,b\n1,c\n' primary_key=id
expect_error 3 "t.csv:2: column 2 \('x'\): expected valid UTF-8" 'id,x\n1,S\xf8ren\n' primary_key=id columns=x:categorical
expect_error 2 "unknown key 'table.t.primary_kee'" 'id,x\n1,a\n' primary_kee=id
expect_error 2 "key 'table.t.on_orphan': expected error or drop" 'id,x\n1,a\n' on_orphan=maybe
expect_error 2 "primary_key names column 'ident'" 'id,x\n1,a\n' primary_key=ident
expect_error 3 "input file /nonexistent/t.csv does not exist" 'id\n1\n' file=/nonexistent/t.csv
expect_error 2 "key 'table.t.file' is set twice" 'id\n1\n' file=t.csv file=u.csv

# The value is shown when the operator asks for it.
mkdir -p shown; printf 'id,x\n1,SECRET\n' > shown/t.csv
printf '[table.t]\nfile = t.csv\ncolumns = x:integer\n' > shown/c.ini
set +e; run_np 1 ingest --config shown/c.ini --run.dir shown/run --log.show_values true > shown/out.log 2>&1; set -e
grep -q "found 'SECRET'" shown/out.log || fail "log.show_values did not show the value"

# Orphans: an error, or dropped and counted.
mkdir -p orphan
printf 'id\n1\n2\n' > orphan/p.csv
printf 'id,v\n1,5\n3,6\n2,7\n' > orphan/c.csv
printf '[table.p]\nfile = p.csv\nprimary_key = id\n[table.c]\nfile = c.csv\nparent = p\nforeign_key = id\n' > orphan/c.ini
set +e; run_np 2 ingest --config orphan/c.ini --run.dir orphan/run > orphan/out.log 2>&1; rc=$?; set -e
[ $rc -eq 3 ] && grep -q "c.csv:3: column 1 ('id'): orphan row" orphan/out.log || fail "orphan not reported: $(cat orphan/out.log)"
run_np 2 ingest --config orphan/c.ini --run.dir orphan/run2 --table.c.on_orphan drop > orphan/drop.log
grep -q '"orphans_dropped": 1' orphan/run2/store/ingest/index.json || fail "dropped orphan not counted"

# A failed rerun leaves the earlier, complete stage untouched.
mkdir -p keep; printf 'id,x\n1,2\n' > keep/t.csv
printf '[table.t]\nfile = t.csv\nprimary_key = id\n' > keep/c.ini
run_np 1 ingest --config keep/c.ini --run.dir keep/run > /dev/null
before=$(sha256sum keep/run/store/ingest/index.json)
printf 'id,x\n1,2\n1,3\n' > keep/t.csv
set +e; run_np 1 ingest --config keep/c.ini --run.dir keep/run > /dev/null 2>&1; rc=$?; set -e
[ $rc -eq 3 ] || fail "duplicate key accepted on rerun"
[ "$(sha256sum keep/run/store/ingest/index.json)" = "$before" ] || fail "the earlier stage was changed by a failed rerun"
echo "PASS: bad input cases"

# A full disk (a 1 MiB tmpfs): an I/O error naming the reason, exit 4, nothing published.
mkdir -p full
if mount -t tmpfs -o size=1m tmpfs full 2>/dev/null; then
  trap 'umount full 2>/dev/null || true' EXIT
  write_nafld_config full.ini
  set +e; run_np 2 ingest --config full.ini --run.dir full/run > full.log 2>&1; rc=$?; set -e
  umount full; trap - EXIT
  [ $rc -eq 4 ] || fail "a full disk gave exit $rc: $(tail -3 full.log)"
  grep -q "No space left on device" full.log || fail "the full disk is not named: $(tail -3 full.log)"
  echo "ok: full disk"
else
  fail "cannot mount a tmpfs to fill (this test runs as root)"
fi
echo "PASS: full disk"
