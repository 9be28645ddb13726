#!/usr/bin/env bash
# A one-node SLURM cluster on localhost, for testing the job-array path (tests/test_cluster.py) or trying
# cluster/sweep_array.sbatch on one machine. Debian (bookworm: Slurm 22.05), as root, no systemd needed.
#
#   cluster/slurm_one_node.sh up DIR [CPUS]   # install slurm + munge if missing, start the three daemons, wait idle
#   export SLURM_CONF=DIR/slurm.conf          # then sbatch, squeue, scontrol, sinfo talk to this cluster
#   cluster/slurm_one_node.sh down DIR        # cancel its jobs, stop the daemons by their PID files in DIR
#
# Everything lives in DIR (created if missing): slurm.conf, a private munge key and socket, spool and state
# directories, logs and PID files. Nothing under /etc is written and a system munged or Slurm is left alone: the
# cluster uses its own munge socket and ports 16817/16818 (RP_SLURMCTLD_PORT, RP_SLURMD_PORT). The node is
# `hostname -s` at 127.0.0.1 with the CPUs (default: nproc) and memory `slurmd -C` reports; no accounting, so
# finished jobs are read with `scontrol show job` (MinJobAge=3600 keeps them there for an hour).
# Daemons are started by hand (munged, slurmctld -c, slurmd) and stopped only by the PIDs in DIR, never by name.
#
# Exit status of `up`: 0 the node is idle and takes jobs; 3 not root, or the packages are missing and cannot be
# installed; 4 the daemons did not come up (the log tails are printed and whatever was started is stopped again).
set -euo pipefail

say() { echo "slurm_one_node: $*"; }
die() { local code=$1; shift; echo "slurm_one_node: error: $*" >&2; exit "$code"; }

usage() { die 2 "usage: $0 up DIR [CPUS] | down DIR"; }
[ $# -ge 2 ] || usage
verb=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
conf=$dir/slurm.conf
host=$(hostname -s)
ctld_port=${RP_SLURMCTLD_PORT:-16817}
slurmd_port=${RP_SLURMD_PORT:-16818}

# pid_of NAME: the PID in DIR/NAME.pid when that process is alive and is NAME (a stale file or a reused PID is not)
pid_of() {
  local f=$dir/$1.pid p
  [ -s "$f" ] || return 1
  p=$(cat "$f")
  [[ $p =~ ^[0-9]+$ ]] || return 1
  [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] || return 1
  alive "$p" || return 1
  echo "$p"
}

# alive PID: the process exists and is not a zombie (a daemon whose parent is an init that does not reap, as on
# some container and VM inits, stays a zombie after it exits; kill -0 would still succeed on it)
alive() {
  local s
  s=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
  [ -n "$s" ] && [ "$s" != Z ]
}

stop_daemons() {
  local name p
  if pid_of slurmctld >/dev/null; then  # cancel this cluster's jobs first so no job outlives its slurmd
    local jobs
    jobs=$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null | sort -u || true)
    if [ -n "$jobs" ]; then
      say "cancelling jobs: $(echo "$jobs" | tr '\n' ' ')"
      # shellcheck disable=SC2086
      SLURM_CONF=$conf scancel $jobs 2>/dev/null || true
      for _ in $(seq 100); do [ -z "$(SLURM_CONF=$conf squeue -h -o %A 2>/dev/null)" ] && break; sleep 0.1; done
    fi
  fi
  for name in slurmd slurmctld munged; do
    p=$(pid_of "$name") || { rm -f "$dir/$name.pid"; continue; }
    kill "$p" 2>/dev/null || true
    for _ in $(seq 100); do alive "$p" || break; sleep 0.1; done
    if alive "$p"; then
      kill -KILL "$p" 2>/dev/null || true
      say "stopped $name (pid $p) with SIGKILL: it ignored SIGTERM for 10 s"
    else
      say "stopped $name (pid $p)"
    fi
    rm -f "$dir/$name.pid"
  done
}

fail_up() {
  echo "slurm_one_node: error: $*" >&2
  local log
  for log in munged slurmctld slurmd; do
    [ -s "$dir/$log.log" ] && { echo "--- last lines of $dir/$log.log" >&2; tail -n 15 "$dir/$log.log" >&2; }
  done
  stop_daemons >&2
  exit 4
}

# started NAME: wait (10 s at most) for the daemon NAME, which forks into the background, to write its PID file
started() {
  for _ in $(seq 100); do pid_of "$1" >/dev/null && return 0; sleep 0.1; done
  fail_up "$1 did not start: no live process in $dir/$1.pid after 10 s"
}

install_packages() {
  local missing=() p
  for p in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
    command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die 3 "missing ${missing[*]} and no apt-get to install slurm and munge with"
  say "installing slurmctld slurmd slurm-client munge (missing: ${missing[*]})"
  # keep the packages' init scripts from starting system daemons during the install: we start our own
  local policy=/usr/sbin/policy-rc.d made_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy" && made_policy=1
  fi
  local pkgs=(slurmctld slurmd slurm-client munge) ok=""
  export DEBIAN_FRONTEND=noninteractive
  if apt-get install -y -q --no-install-recommends "${pkgs[@]}" > "$dir/apt.log" 2>&1; then
    ok=1
  elif apt-get update -q >> "$dir/apt.log" 2>&1 \
      && apt-get install -y -q --no-install-recommends "${pkgs[@]}" >> "$dir/apt.log" 2>&1; then
    ok=1
  fi
  [ -n "$made_policy" ] && rm -f "$policy"
  [ -n "$ok" ] || { tail -n 5 "$dir/apt.log" >&2; die 3 "apt-get could not install ${pkgs[*]} (log: $dir/apt.log)"; }
}

up() {
  local cpus=${1:-$(nproc)}
  [ "$(id -u)" = 0 ] || die 3 "needs root (to install packages and run slurmd); running as $(id -un)"
  for name in munged slurmctld slurmd; do
    pid_of "$name" >/dev/null && die 4 "$name from $dir is already running (pid $(pid_of "$name")); run: $0 down $dir"
  done
  install_packages
  say "$(/usr/sbin/slurmd -V)"
  local mem extra=""
  mem=$(/usr/sbin/slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  [ -n "$mem" ] || fail_up "slurmd -C reported no RealMemory"
  [ "$cpus" != "$(nproc)" ] && extra="SlurmdParameters=config_overrides"  # more CPUs than the machine has

  chmod 755 "$dir"  # munged requires execute permission for all on its socket's directory
  mkdir -p "$dir/ctld" "$dir/slurmd"
  [ -s "$dir/munge.key" ] || { dd if=/dev/urandom bs=1 count=1024 of="$dir/munge.key" status=none; }
  chmod 400 "$dir/munge.key"
  cat > "$conf" <<CONF
# written by cluster/slurm_one_node.sh: a one-node test cluster, everything under $dir
ClusterName=rp-one-node
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/slurmd
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
$extra
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$conf

  /usr/sbin/munged --socket="$dir/munge.socket" --key-file="$dir/munge.key" --pid-file="$dir/munged.pid" \
    --log-file="$dir/munged.log" --seed-file="$dir/munged.seed" || fail_up "munged did not start"
  for _ in $(seq 50); do munge -n -S "$dir/munge.socket" >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n -S "$dir/munge.socket" >/dev/null 2>&1 || fail_up "munged does not answer on $dir/munge.socket"
  started munged
  /usr/sbin/slurmctld -c -f "$conf" || fail_up "slurmctld did not start"  # -c: no state from an earlier run
  started slurmctld
  /usr/sbin/slurmd -f "$conf" || fail_up "slurmd did not start"
  started slurmd
  local state="" name deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    for name in munged slurmctld slurmd; do
      pid_of "$name" >/dev/null || fail_up "$name exited (see its log below)"
    done
    state=$(timeout 10 sinfo -h -n "$host" -o %T 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  [ "$state" = idle ] || fail_up "node $host is '${state:-not known}' after 60 s, not idle"
  say "node $host idle with $cpus CPUs, ${mem} MB; pids: munged=$(pid_of munged)" \
    "slurmctld=$(pid_of slurmctld) slurmd=$(pid_of slurmd)"
  echo "export SLURM_CONF=$conf"
}

case $verb in
  up) shift 2; up "$@" ;;
  down) stop_daemons ;;
  *) usage ;;
esac
