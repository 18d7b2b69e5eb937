#!/usr/bin/env bash
# Faults around a served release: a full disk, a read-only (unwritable) directory, a damaged
# extract, a truncated and a corrupted committed shard found on resume, a corrupted shard in a
# completed stage, a config changed between a killed job and its resubmission, and a refresh
# killed partway (resumed by the next one). Each stops
# with a clear error and its exit code, and the release that `latest` names stays as it was,
# byte for byte. (As root, permissions do not stop writes: a read-only mount is the unwritable
# directory.)
source "$(dirname "$0")/common.sh"
write_small_config c.ini
mkdir -p fs
mount -t tmpfs -o size=16m tmpfs fs || fail "cannot mount a tmpfs (this test runs as root)"
trap 'umount "$SC_WORK/fs" 2>/dev/null || true' EXIT
printf '[refresh]\nreleases_dir = %s/fs/releases\nkeep = 3\n' "$SC_WORK" >> c.ini
"$REFRESH" --config c.ini --launcher mpirun > r1.log 2>&1 || fail "first refresh: $(cat r1.log)"
served=$(readlink fs/releases/latest)
snapshot() { (cd fs/releases/$served && find . -type f -exec sha256sum {} + | sort); }
snapshot > served.txt
# expect_refused NAME CODE PATTERN [refresh args...]: the refresh fails as expected, latest and the
# served release are untouched.
expect_refused() {
  local name=$1 code=$2 pattern=$3 rc; shift 3
  set +e; "$REFRESH" --config c.ini --launcher mpirun "$@" > $name.log 2>&1; rc=$?; set -e
  [ $rc -eq $code ] || fail "$name: exit $rc, expected $code: $(cat $name.log)"
  grep -qE -- "$pattern" $name.log || fail "$name: the reason is not given [$pattern]: $(cat $name.log)"
  grep -q "latest still points at $served" $name.log || fail "$name: does not say what is still served"
  [ "$(readlink fs/releases/latest)" = "$served" ] || fail "$name: latest moved"
  snapshot | cmp - served.txt || fail "$name: the served release changed"
  echo "ok: $name: $(tail -1 $name.log | cut -c1-200)"
}

# A full disk: the tmpfs filled up to 300 KiB, room for the logs but not for the store, so the
# binary meets it while writing shards; then every byte taken, so the refresh itself meets it.
dd if=/dev/zero of=fs/filler bs=1K count=$(( $(df --output=avail -B1K fs | tail -1) - 300 )) 2> /dev/null
expect_refused full-store 4 "the pipeline failed with exit code 4: .*No space left on device"
dd if=/dev/zero of=fs/filler2 bs=1K > /dev/null 2>&1 || true
expect_refused full-disk 4 "No space left on device"
rm fs/filler fs/filler2

# An unwritable directory: the releases' file system read-only. The binary alone says the same.
mount -o remount,ro fs
expect_refused read-only 4 "Read-only file system"
set +e; run_np 1 ingest --config c.ini --run.dir fs/direct > direct.log 2>&1; rc=$?; set -e
[ $rc -eq 4 ] && grep -q "cannot create run directory fs/direct/store: Read-only file system" direct.log ||
  fail "the binary on a read-only directory: exit $rc: $(cat direct.log)"
mount -o remount,rw fs

# A damaged extract: the events file cut short inside its gzip stream.
mkdir -p extract
cp "$SC_DATA_DIR"/registry/nafld1.csv.gz extract/
head -c 20000 "$SC_DATA_DIR"/registry/nafld3.csv.gz > extract/nafld3.csv.gz
expect_refused damaged-extract 3 "nafld3.csv.gz" --refresh.extract_dir extract

# Resume over a damaged committed shard: truncated, then with one data byte changed.
# kill_sample DIR: ingest and fit copied from the served release, sample killed after 4 commits a rank.
kill_sample() {
  mkdir -p $1/store
  cp -r fs/releases/latest/run/store/ingest fs/releases/latest/run/store/fit $1/store/
  SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=4 run_np 2 sample --config c.ini --run.dir $1 > $1-killed.log 2>&1 && fail "sample was not killed"
  [ "$(committed_shards $1/store/sample.partial)" -gt 0 ] || fail "no shard committed before the kill"
}
# expect_resume_error DIR PATTERN: resuming sample fails with an I/O error matching PATTERN.
expect_resume_error() {
  set +e; run_np 2 sample --config c.ini --run.dir $1 > $1-resume.log 2>&1; local rc=$?; set -e
  [ $rc -eq 4 ] && grep -qE -- "$2" $1-resume.log || fail "$1: exit $rc, expected 4 and [$2]: $(cat $1-resume.log)"
  [ ! -e $1/store/sample ] || fail "$1: a stage was published over a damaged shard"
  echo "ok: $1: $(grep -o 'I/O error: .*' $1-resume.log | head -1 | cut -c1-200)"
}
# corrupt_values FILE DATASET: changes one byte inside the dataset's raw data (found by content,
# so that HDF5's own metadata stays intact and the file still opens).
corrupt_values() {
  h5dump -d "$2" -b LE -o raw.bin "$1" > /dev/null
  python3 -c "
import sys
data, raw = open(sys.argv[1], 'rb').read(), open('raw.bin', 'rb').read()
at = data.find(raw)
assert at >= 0, 'dataset bytes not found'
data = bytearray(data); data[at + len(raw) // 2] ^= 0xFF
open(sys.argv[1], 'wb').write(data)
" "$1"
}
kill_sample truncated
victim=$(find truncated/store/sample.partial -name 'shard-*.h5' | sort | tail -1)
truncate -s 2000 "$victim"
expect_resume_error truncated "${victim#truncated/} \(2000 bytes\) does not open as HDF5: it was truncated or overwritten after its commit"
kill_sample corrupted
victim=$(find corrupted/store/sample.partial/tables -name 'shard-*.h5' | sort | tail -1)
corrupt_values "$victim" /columns/$(h5ls "$victim/columns" | awk 'NR == 1 {print $1}')/values
expect_resume_error corrupted "${victim#corrupted/}.* is corrupt: dataset /columns/.*/values does not match its digest"
# Discarding the damaged partial work (run.restart) recovers the served release's result.
run_np 2 sample --config c.ini --run.dir corrupted --run.restart true > corrupted-restart.log
dataset_digests fs/releases/latest/run/store/sample/index.json > served-sample.txt
dataset_digests corrupted/store/sample/index.json | cmp - served-sample.txt || fail "the restarted sample differs"
# A corrupted shard in a completed stage: verify names it.
victim=corrupted/store/sample/$(python3 -c "import json; print(json.load(open('corrupted/store/sample/index.json'))['shards'][-1]['file'])")
corrupt_values "$victim" /columns/$(h5ls "$victim/columns" | awk 'NR == 1 {print $1}')/values
set +e; run_np 1 verify --config c.ini --run.dir corrupted --verify.stage sample > verify.log 2>&1; rc=$?; set -e
[ $rc -eq 4 ] && grep -q "1 dataset(s) of stage 'sample' do not match their recorded digests" verify.log ||
  fail "verify missed a corrupted shard: exit $rc: $(cat verify.log)"
echo "ok: verify names the corrupted dataset of a completed stage"

# A config changed between a killed job and its resubmission: the job fails with exit code 6 and
# says why; the interrupted work stays for a resubmission with the original config.
mkdir -p changed/store
cp -r fs/releases/latest/run/store/ingest fs/releases/latest/run/store/fit changed/store/
job=$(SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=3 "$SUBMIT" --config c.ini --run.dir changed --stages sample | awk '{print $2}')
wait_jobs $job
[ "$(job_field $job JobState)" = FAILED ] || fail "the killed job is $(job_field $job JobState)"
before=$(committed_shards changed/store/sample.partial)
job=$("$SUBMIT" --config c.ini --run.dir changed --stages sample --sample.persons 20000 | awk '{print $2}')
wait_jobs $job
expect_job $job FAILED 6:0
grep -q "holds an interrupted 'sample' run with another configuration" changed/slurm/sample-$job.out ||
  fail "the changed config is not explained: $(cat changed/slurm/sample-$job.out)"
[ "$(committed_shards changed/store/sample.partial)" -eq "$before" ] || fail "the refused job touched the partial work"
echo "ok: changed config refused (job $job FAILED 6:0), $before committed shards kept"
snapshot | cmp - served.txt || fail "the served release changed"
# A refresh killed partway (its ranks SIGKILLed after 3 commits each): the release is marked
# interrupted and keeps its committed shards; the next refresh of the same config resumes it and
# publishes the same data as the served release (same config, same inputs).
SYNTHCOHORT_TEST_KILL_AFTER_COMMITS=3 expect_refused interrupted 137 \
  "was interrupted: the pipeline failed with exit code 137: .*signal 9.*\(interrupted: the next refresh of the same config and extract resumes this release\)"
killed=$(ls fs/releases | grep '^[0-9]' | tail -1)
[ -f fs/releases/$killed/INTERRUPTED ] && [ -d fs/releases/$killed/run/store/ingest.partial ] ||
  fail "the interrupted release $killed is not kept for resuming"
"$REFRESH" --config c.ini --launcher mpirun > resumed.log 2>&1 || fail "the resuming refresh: $(cat resumed.log)"
grep -q "release $killed: resuming the pipeline" resumed.log || fail "the next refresh did not resume $killed: $(cat resumed.log)"
[ "$(readlink fs/releases/latest)" = "$killed" ] || fail "the resumed release was not published"
python3 -c "import json, sys; assert json.load(open(sys.argv[1]))['shards_skipped'] > 0" fs/releases/$killed/run/store/ingest/index.json ||
  fail "the resumed ingest skipped no committed shard"
for stage in ingest fit sample; do
  dataset_digests fs/releases/$served/run/store/$stage/index.json > a.txt
  dataset_digests fs/releases/$killed/run/store/$stage/index.json | cmp - a.txt || fail "the resumed release's $stage differs"
done
echo "ok: refresh killed partway, resumed by the next one into the same release $killed"

echo "PASS: full disk, read-only directory, damaged extract, truncated and corrupted shards, changed config, killed refresh resumed"
