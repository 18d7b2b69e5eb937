#!/usr/bin/env bash
# A throw-away single-node Slurm cluster (munge, slurmctld, slurmd) for the slurm tests, without
# systemd and without touching /etc/slurm: everything lives under $SC_SLURM_ROOT and every client
# finds it through SLURM_CONF. `start` is idempotent (a running cluster is reused), `stop` ends
# only the daemons whose pid files it wrote, `env` prints the variables a client needs.
#
# The node declares 8 CPUs and 64 GiB (SlurmdParameters=config_overrides lets it claim more than
# the 2-core CI machine has; memory is not enforced here) so that 4-rank jobs and the large
# --test-only requests fit the same way on any machine; scrontab is enabled.
set -euo pipefail
R=${SC_SLURM_ROOT:-/tmp/synthcohort-slurm}
CONF=$R/etc/slurm.conf
SOCKET=$R/munge/run/munge.socket.2

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  cat > "$CONF" <<CONF
ClusterName=ci
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET
StateSaveLocation=$R/state
SlurmdSpoolDir=$R/spool
SlurmctldPidFile=$R/run/slurmctld.pid
SlurmdPidFile=$R/run/slurmd.pid
SlurmctldLogFile=$R/log/slurmctld.log
SlurmdLogFile=$R/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$R/log/jobcomp.txt
MpiDefault=pmix
ReturnToService=2
MinJobAge=600
MailProg=/bin/true
EnforcePartLimits=ALL
SlurmdParameters=config_overrides
ScronParameters=enable
KillWait=5
NodeName=localhost NodeAddr=127.0.0.1 CPUs=8 Boards=1 SocketsPerBoard=1 CoresPerSocket=8 ThreadsPerCore=1 RealMemory=65536 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
  export SLURM_CONF=$CONF
  if alive "$R/run/munged.pid" && alive "$R/run/slurmctld.pid" && alive "$R/run/slurmd.pid" &&
     sinfo -h -o %T 2>/dev/null | grep -qE 'idle|mix|alloc'; then
    return 0
  fi
  stop >/dev/null 2>&1 || true
  rm -rf "$R"
  mkdir -p "$R"/{etc,state,spool,run,log} "$R"/munge/{etc,log,lib,run}
  chmod 0755 "$R" "$R/munge" "$R/munge/run"
  mungekey -c -k "$R/munge/etc/munge.key"
  chown -R munge:munge "$R/munge"
  chmod 0700 "$R/munge/etc" "$R/munge/log" "$R/munge/lib"
  runuser -u munge -- /usr/sbin/munged --key-file="$R/munge/etc/munge.key" --socket="$SOCKET" \
    --pid-file="$R/munge/run/munged.pid" --log-file="$R/munge/log/munged.log" --seed-file="$R/munge/lib/munged.seed"
  cp "$R/munge/run/munged.pid" "$R/run/munged.pid"
  write_conf
  slurmctld -i -f "$CONF"
  slurmd -N localhost -f "$CONF"
  for _ in $(seq 1 100); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && return 0
    sleep 0.2
  done
  echo "cluster.sh: the test cluster did not come up; logs in $R/log" >&2
  tail -n 5 "$R/log/slurmctld.log" "$R/log/slurmd.log" >&2 || true
  return 1
}

stop() {
  export SLURM_CONF=$CONF
  if alive "$R/run/slurmctld.pid"; then scontrol shutdown >/dev/null 2>&1 || true; fi
  for daemon in slurmd slurmctld munged; do
    local pidfile=$R/run/$daemon.pid
    alive "$pidfile" || continue
    local pid; pid=$(cat "$pidfile")
    [ "$daemon" = munged ] && kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) echo "export SLURM_CONF=$CONF" ;;
  *) echo "usage: cluster.sh start|stop|env" >&2; exit 2 ;;
esac
