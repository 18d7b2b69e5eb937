# Shared by the shell tests: they drive the real binary ($SYNTHCOHORT) through the MPI launcher
# ($MPIEXEC) in a fresh work directory ($SC_WORK), on the bundled data ($SC_DATA_DIR).
set -euo pipefail
: "${SYNTHCOHORT:?}" "${MPIEXEC:?}" "${SC_DATA_DIR:?}" "${SC_WORK:?}"
rm -rf "$SC_WORK"
mkdir -p "$SC_WORK"
cd "$SC_WORK"

fail() { echo "FAIL: $*" >&2; exit 1; }

# run_np N ARGS...: synthcohort on N ranks.
run_np() {
  local n=$1; shift
  "$MPIEXEC" --oversubscribe -np "$n" "$SYNTHCOHORT" "$@"
}

# The nafld persons table as a config section (one schema for every test that reads nafld1).
nafld_persons_section() {
  cat <<INI
[table.persons]
file = $SC_DATA_DIR/registry/nafld1.csv.gz
primary_key = id
references = case.id:persons
columns = age:integer, male:categorical, weight:real, height:real, bmi:real, futime:day_offset, status:categorical
INI
}

# The nafld schema (persons with labs and events) cut into >= 8 shards per table.
write_nafld_config() {
  cat > "$1" <<INI
[ingest]
rows_per_shard = 2000
$(nafld_persons_section)
[table.labs]
file = $SC_DATA_DIR/registry/nafld2.csv.gz
parent = persons
foreign_key = id
columns = days:day_offset, test:categorical, value:real
constraints = days <= parent.futime
[table.events]
file = $SC_DATA_DIR/registry/nafld3.csv.gz
parent = persons
foreign_key = id
constraints = days <= parent.futime
INI
}

# Prints "dataset sha256" for every dataset of a stage's index, sorted.
dataset_digests() {
  python3 -c "
import json, sys
index = json.load(open(sys.argv[1]))
for name, info in sorted(index['datasets'].items()):
    print(name, info['sha256'])
" "$1"
}

# Fails unless every rank of the index committed at least one shard.
every_rank_committed() {
  python3 -c "
import json, sys
index = json.load(open(sys.argv[1]))
idle = [r['rank'] for r in index['ranks'] if r['shards_committed'] + r['shards_skipped'] == 0]
assert len(index['ranks']) == int(sys.argv[2]), 'wrong rank count in index'
assert not idle, 'ranks without shards: %s' % idle
" "$1" "$2" || fail "not every rank committed shards ($1)"
}
