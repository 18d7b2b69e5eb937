#!/usr/bin/env bash
# Every key that `synthcohort --help` lists is documented in docs/config.md, and --version works.
source "$(dirname "$0")/common.sh"
"$SYNTHCOHORT" --version | grep -q '^synthcohort ' || fail "--version"
"$SYNTHCOHORT" --help > help.txt
keys=$(grep -oE '^  --[a-z_]+\.[a-z_.]+' help.txt | sed 's/^  --//')
# Keys of the user-named sections, as FAMILY.NAME.key ([table.NAME], [phenotype.NAME], ...).
table_keys=$(awk '/^User-named sections \[/ { family = $3; sub(/^\[/, "", family); sub(/\]:$/, "", family); next }
                  /^$/ { family = "" }
                  family != "" && /^  [a-z_]+:/ { key = $1; sub(/:$/, "", key); print family "." key }' help.txt)
[ -n "$keys" ] && [ -n "$table_keys" ] || fail "could not read keys from --help"
echo "$table_keys" | grep -q '^phenotype.NAME.heritability$' || fail "the [phenotype.NAME] keys are not in --help"
missing=""
for k in $keys; do grep -q "\`$k\`" "$SC_SOURCE_DIR/docs/config.md" || missing="$missing $k"; done
for k in $table_keys; do grep -q "\`$k\`" "$SC_SOURCE_DIR/docs/config.md" || missing="$missing $k"; done
[ -z "$missing" ] || fail "keys missing from docs/config.md:$missing"
set +e; "$SYNTHCOHORT" nonsense --config /dev/null > out.txt 2>&1; rc=$?; set -e
[ $rc -eq 2 ] && grep -q "unknown stage 'nonsense'" out.txt || fail "unknown stage not rejected (rc $rc)"
echo "PASS: $(echo $keys $table_keys | wc -w) keys documented"
