# Shared by the slurm tests: the CLI tests' helpers (tests/cli/common.sh: a fresh $SC_WORK, fail,
# run_np, dataset_digests, every_rank_committed), a running single-node test cluster
# (cluster.sh, started if it is not up), and helpers to submit, wait and compare.
source "$(dirname "${BASH_SOURCE[0]}")/../cli/common.sh"
: "${SC_SOURCE_DIR:?}"
SLURM_TESTS=$SC_SOURCE_DIR/tests/slurm
SUBMIT=$SC_SOURCE_DIR/slurm/submit
REFRESH=$SC_SOURCE_DIR/slurm/refresh
bash "$SLURM_TESTS/cluster.sh" start
eval "$(bash "$SLURM_TESTS/cluster.sh" env)"
# Jobs inherit this environment: root may run mpirun, and idle ranks yield (2 cores, up to 4 ranks).
export OMPI_MCA_mpi_yield_when_idle=1 SYNTHCOHORT

# The CLI tests' nafld config less its lab table (400,123 rows): persons and events (17,549 and
# 34,340 rows) in 2000-row shards, 9 and 18 shards; half the persons held out; at most 4 ranks.
write_small_config() {
  write_nafld_config "$1.full"
  sed '/^\[table.labs\]/,/^\[table.events\]/{/^\[table.events\]/!d}' "$1.full" > "$1"
  rm "$1.full"
  printf '[evaluate]\nholdout_fraction = 0.5\n[slurm]\nmax_ranks = 4\n' >> "$1"
}

# job_field JOB FIELD: a field of `scontrol show job` (JobState, ExitCode, ...).
job_field() {
  scontrol show job -o "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# wait_jobs JOB...: until every job is in a final state (scontrol keeps them MinJobAge=600 s).
wait_jobs() {
  local job state
  for job in "$@"; do
    for _ in $(seq 1 1500); do
      state=$(job_field "$job" JobState)
      case $state in
        PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|RESIZING|SUSPENDED) sleep 0.2 ;;
        *) break ;;
      esac
    done
  done
}

# expect_job JOB STATE EXIT: the job ended in STATE with exit code EXIT ("0:0"), by scontrol and
# by the job completion log (sacct -c).
expect_job() {
  local state exit_code
  state=$(job_field "$1" JobState)
  exit_code=$(job_field "$1" ExitCode)
  [ "$state" = "$2" ] && [ "$exit_code" = "$3" ] || fail "job $1: expected $2 $3, scontrol says $state $exit_code"
  sacct -c -n -j "$1" -o JobID,State,ExitCode 2>/dev/null | grep -q "^ *$1 *$2 *$3" ||
    fail "job $1: the completion log does not say $2 $3: $(sacct -c -n -j "$1" -o JobID,State,ExitCode 2>&1)"
}

# submitted_jobs FILE: the job ids of a submit's output, in order.
submitted_jobs() { awk '{print $2}' "$1"; }

# Dataset digests of every completed stage of a run directory, one "stage dataset sha256" a line.
run_digests() {
  local stage
  for stage in ingest fit sample; do
    dataset_digests "$1/store/$stage/index.json" | sed "s/^/$stage /"
  done
}

# committed_shards DIR: shard files under their final names in a (partial) stage directory.
committed_shards() { find "$1" -name 'shard-*.h5' 2>/dev/null | wc -l; }
