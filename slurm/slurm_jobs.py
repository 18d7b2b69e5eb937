"""What the cluster offers (sinfo) and the jobs we submit (sbatch, scontrol), for submit and
refresh. Without an accounting database, `scontrol show job` keeps a finished job for MinJobAge
seconds, and `sacct` is the fallback after that."""
import os
import subprocess
import time

FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
                "BOOT_FAIL", "DEADLINE"}


class SlurmError(Exception):
    """Slurm refused or failed a request."""


def clean_environment():
    """The environment for sbatch: ours, less the job variables of an enclosing allocation (a
    refresh run from scrontab is itself a job). sbatch would pass them on, and srun in the new
    job would take the outer job's memory request as its own."""
    return {key: value for key, value in os.environ.items()
            if key == "SLURM_CONF" or not key.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_"))}


def run(args):
    done = subprocess.run(args, capture_output=True, text=True, env=clean_environment())
    if done.returncode != 0:
        raise SlurmError(f"{' '.join(args[:2])} failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def partition_args(partition):
    return ["-p", partition] if partition else []


def cluster_cpus(partition):
    """Total CPUs of the partition's nodes (sinfo %C: allocated/idle/other/total)."""
    out = run(["sinfo", "-h", "-o", "%C"] + partition_args(partition)).split()
    if not out:
        raise SlurmError(f"partition {partition or '(default)'} has no nodes")
    return sum(int(line.split("/")[3]) for line in out)


def cluster_has_gpu(partition):
    return any("gpu" in line for line in run(["sinfo", "-h", "-o", "%G"] + partition_args(partition)).splitlines())


def job_state(job_id):
    """(state, exit code "rc:signal") of a job, from scontrol, else from sacct."""
    done = subprocess.run(["scontrol", "show", "job", "-o", str(job_id)], capture_output=True, text=True)
    if done.returncode == 0 and "JobState=" in done.stdout:
        fields = dict(word.split("=", 1) for word in done.stdout.split() if "=" in word)
        return fields.get("JobState", "UNKNOWN"), fields.get("ExitCode", "")
    out = run(["sacct", "-n", "-X", "-P", "-j", str(job_id), "-o", "State,ExitCode"]).strip().splitlines()
    if not out:
        return "UNKNOWN", ""
    state, code = out[-1].split("|")
    return state.split()[0], code


def wait_for(job_ids, poll_seconds=0.3, on_final=None):
    """Waits until every job is in a final state; returns {job: (state, exit code)}. A job that
    can never start (its dependency failed) is cancelled by --kill-on-invalid-dep."""
    states = {}
    pending = list(job_ids)
    while pending:
        for job in list(pending):
            state, code = job_state(job)
            if state in FINAL_STATES:
                states[job] = (state, code)
                pending.remove(job)
                if on_final:
                    on_final(job, state, code)
        if pending:
            time.sleep(poll_seconds)
    return states
