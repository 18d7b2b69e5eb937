#!/usr/bin/env bash
# Ingest killed with SIGKILL after some shards were committed: only complete shards stand under
# their final names, the rerun skips exactly those, and the result equals an uninterrupted run's.
source "$(dirname "$0")/common.sh"
write_nafld_config nafld.ini
run_np 2 ingest --config nafld.ini --run.dir clean > clean.log
dataset_digests clean/store/ingest/index.json > clean.txt
total=$(python3 -c "import json; print(len(json.load(open('clean/store/ingest/index.json'))['shards']))")

set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=4 run_np 2 ingest --config nafld.ini --run.dir killed > killed.log 2>&1
rc=$?
set -e
[ $rc -ne 0 ] || fail "the killed run exited 0"
[ ! -e killed/store/ingest ] || fail "a killed stage was published"
partial=killed/store/ingest.partial
[ -d "$partial" ] || fail "no partial stage left by the killed run"
committed=$(find "$partial" -name 'shard-*.h5' | wc -l)
[ "$committed" -gt 0 ] && [ "$committed" -lt "$total" ] || fail "expected some but not all shards committed, found $committed of $total"
# Every file under a final name is complete: it opens, and each dataset matches its stored digest.
for f in $(find "$partial" -name 'shard-*.h5'); do
  for d in $(h5ls -r "$f" | awk '$2 == "Dataset" {print $1}'); do
    want=$(h5dump -a "$d/sha256" "$f" | sed -n 's/.*(0): "\(.*\)".*/\1/p')
    h5dump -d "$d" -b LE -o dump.bin "$f" > /dev/null; [ -f dump.bin ] || : > dump.bin
    [ "$(sha256sum dump.bin | cut -d' ' -f1)" = "$want" ] || fail "$f:$d is not complete"
    rm -f dump.bin
  done
done
run_np 2 ingest --config nafld.ini --run.dir killed > resumed.log
grep -q "$committed already committed (resumed)" resumed.log || fail "the rerun did not skip the $committed committed shards: $(tail -1 resumed.log)"
dataset_digests killed/store/ingest/index.json > resumed.txt
cmp clean.txt resumed.txt || fail "resumed store differs from the uninterrupted one"
# A resume under another config is refused, and leaves the partial work alone.
set +e
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=2 run_np 1 ingest --config nafld.ini --run.dir again > /dev/null 2>&1
run_np 1 ingest --config nafld.ini --run.dir again --ingest.rows_per_shard 3000 > changed.log 2>&1
rc=$?
set -e
[ $rc -eq 6 ] || fail "a changed config was resumed (exit $rc)"
grep -q "another configuration" changed.log || fail "no clear message for a changed config"
# A fresh stage digests its inputs beside the ingest (ingest_stage.cpp): the killed run marked its
# partial stage at its first commit, so the same config resumes it, and the fingerprint and the
# datasets are those of the two-rank run, whose digests came first.
run_np 1 ingest --config nafld.ini --run.dir again > again.log
grep -q "2 already committed (resumed)" again.log || fail "the one-rank rerun did not resume: $(tail -1 again.log)"
dataset_digests again/store/ingest/index.json > again.txt
cmp clean.txt again.txt || fail "the resumed one-rank store differs from the uninterrupted one"
fingerprint() { python3 -c "import json, sys; print(json.load(open(sys.argv[1]))['fingerprint'])" "$1"; }
[ "$(fingerprint again/store/ingest/index.json)" = "$(fingerprint clean/store/ingest/index.json)" ] ||
  fail "the one-rank run's fingerprint (inputs digested beside the ingest) differs from the two-rank run's"
echo "PASS: killed after $committed of $total shards; rerun skipped them; digests equal"
