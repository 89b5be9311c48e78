#!/usr/bin/env bash
# Stop the local test cluster started by tests/slurm/start_cluster.sh (slurmd, slurmctld,
# munged). Leaves the packages and /etc/slurm/slurm.conf in place.
set -uo pipefail
for pidfile in /run/slurm/slurmd.pid /run/slurm/slurmctld.pid /run/munge/munged.pid; do
    if [[ -s $pidfile ]]; then
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null && echo "stop_cluster.sh: stopped $(basename "$pidfile" .pid) ($pid)"
        for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    fi
done
exit 0
