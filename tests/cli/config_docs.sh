#!/usr/bin/env bash
# Every key that `synthcohort --help` lists is documented in docs/config.md, and --version works.
source "$(dirname "$0")/common.sh"
"$SYNTHCOHORT" --version | grep -q '^synthcohort ' || fail "--version"
"$SYNTHCOHORT" --help > help.txt
keys=$(grep -oE '^  --[a-z_]+\.[a-z_.]+' help.txt | sed 's/^  --//')
table_keys=$(sed -n '/^User-named sections \[table.NAME\]/,/^$/p' help.txt | grep -oE '^  [a-z_]+:' | tr -d ' :')
[ -n "$keys" ] && [ -n "$table_keys" ] || fail "could not read keys from --help"
missing=""
for k in $keys; do grep -q "\`$k\`" "$SC_SOURCE_DIR/docs/config.md" || missing="$missing $k"; done
for k in $table_keys; do grep -q "\`table.NAME.$k\`" "$SC_SOURCE_DIR/docs/config.md" || missing="$missing table.NAME.$k"; done
[ -z "$missing" ] || fail "keys missing from docs/config.md:$missing"
set +e; "$SYNTHCOHORT" nonsense --config /dev/null > out.txt 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "unknown stage 'nonsense'" out.txt || fail "unknown stage not rejected (rc $rc)"
echo "PASS: $(echo $keys $table_keys | wc -w) keys documented"
