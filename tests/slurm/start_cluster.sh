#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine, for tests/test_slurm.py.
#
# Debian/Ubuntu, as root, no systemd needed: installs slurm-wlm and munge with apt-get
# when missing, writes /etc/slurm/slurm.conf for one node (this host, all its CPUs and
# ~95 % of its memory) in one partition `debug`, starts munged, slurmctld and slurmd as
# background daemons and waits until `sinfo` shows the node idle.
#
# Idempotent: a cluster that already answers is left alone. Exit 0 when the node is idle,
# non-zero with a one-line reason otherwise. Stop it with tests/slurm/stop_cluster.sh.
# Logs: /var/log/slurm/{slurmctld,slurmd}.log.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARK="# newslens local test cluster (tests/slurm/start_cluster.sh)"
TIMEOUT=${SLURM_START_TIMEOUT:-60}

die() { echo "start_cluster.sh: $*" >&2; exit 1; }

[[ $(id -u) -eq 0 ]] || die "needs root (installs packages, starts daemons)"

node_idle() {
    timeout 10 sinfo --noheader --partition=debug --format=%t 2>/dev/null | grep -qx "idle"
}

if command -v sinfo >/dev/null && node_idle; then
    echo "start_cluster.sh: cluster already up"; sinfo; exit 0
fi

# 1. Packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    command -v apt-get >/dev/null || die "slurm-wlm is missing and apt-get is not available"
    echo "start_cluster.sh: installing slurm-wlm munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends slurm-wlm munge >/tmp/newslens-slurm-apt.log 2>&1 \
        || { apt-get update -q >>/tmp/newslens-slurm-apt.log 2>&1 \
             && apt-get install -y -q --no-install-recommends slurm-wlm munge \
                >>/tmp/newslens-slurm-apt.log 2>&1; } \
        || die "apt-get install slurm-wlm munge failed (see /tmp/newslens-slurm-apt.log)"
fi

# 2. Configuration: one node = this host.
NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(awk '/^MemTotal:/ {printf "%d", $2 / 1024 * 0.95}' /proc/meminfo)
if [[ -f $CONF ]] && ! head -1 "$CONF" | grep -qF "$MARK"; then
    die "$CONF exists and was not written by this script; not overwriting a real cluster's config"
fi
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm
cat >"$CONF" <<CONFEOF
$MARK
# One node, one partition, no accounting database (job state comes from slurmctld, which
# keeps finished jobs for MinJobAge seconds; the Snakemake plugin then polls with squeue).
ClusterName=newslens
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
MinJobAge=600
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONFEOF

# 3. munge: a key (the package usually makes one) and the daemon.
if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then mungekey --create --force
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
fi
chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 0755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged || die "munged did not start (see /var/log/munge/munged.log)"
    sleep 0.5
    munge -n | unmunge >/dev/null 2>&1 || die "munge does not work: 'munge -n | unmunge' fails"
fi

# 4. SLURM daemons (-c: clear old state, so a restart does not resume stale jobs).
pgrep -x slurmctld >/dev/null || slurmctld -c || die "slurmctld did not start (see /var/log/slurm/slurmctld.log)"
pgrep -x slurmd >/dev/null || slurmd -N "$NODE" || die "slurmd did not start (see /var/log/slurm/slurmd.log)"

# 5. Wait for the node.
for ((i = 0; i < TIMEOUT * 2; i++)); do
    if node_idle; then
        echo "start_cluster.sh: node $NODE idle ($CPUS CPUs, $MEM_MB MB) in partition debug"
        sinfo
        exit 0
    fi
    # A node left down/drained by an earlier run: bring it back.
    if ((i == 10)); then scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true; fi
    sleep 0.5
done
sinfo >&2 || true
tail -5 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
die "node $NODE not idle after ${TIMEOUT}s (logs above, in /var/log/slurm/)"
