#!/usr/bin/env bash
# Seeded chaos soak (issue 15): three Broker processes (Hangfire on) on one PostgreSQL, the local Slurm cluster and one
# shared EC2 loopback fake, jobs of mixed shapes over N minutes under a fault schedule drawn from the seed, then the
# invariant checker.   bench/chaos-soak/run.sh [--minutes N] [--seed S] [--jobs J]
# Defaults: 15 minutes, seed 21, 1000 jobs per 15 minutes. The soak is the xUnit test Broker.Api.Tests.Chaos.ChaosSoakTests
# (the suite runs it with a one-minute window); this script gives it a cluster of its own and prints its figures LAST as
# key=value lines: jobs, faults_injected_<kind>, leaked_instances, double_allocations, lost_jobs, time_mismatches, gangs_run,
# gang_members_billed, gang_violations, shares_run, shard_overcommits,
# takeover_p95_s. Slurm ports: BROKER_SLURMCTLD_PORT / BROKER_SLURMD_PORT_BASE / BROKER_SLURMREST_PORT (defaults 27817/27901/27820).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
minutes=15 seed=21 jobs=""
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes=${2:?}; shift 2 ;;
        --seed) seed=${2:?}; shift 2 ;;
        --jobs) jobs=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
cd "$root"
work=$(mktemp -d /tmp/broker-chaos.XXXXXX)
chmod 755 "$work"
cleanup() { scripts/slurm.sh stop "$work/slurm" >/dev/null 2>&1 || true; rm -rf "$work" 2>/dev/null || true; }
trap cleanup EXIT
export BROKER_SLURM_DIR="$work/slurm"
export BROKER_SLURMCTLD_PORT=${BROKER_SLURMCTLD_PORT:-27817} BROKER_SLURMD_PORT_BASE=${BROKER_SLURMD_PORT_BASE:-27901}
export BROKER_SLURMREST_PORT=${BROKER_SLURMREST_PORT:-27820}
eval "$(scripts/slurm.sh start "$BROKER_SLURM_DIR" | sed 's/^/export /')"
echo "== build" >&2
dotnet build tests/Broker.Api.Tests/Broker.Api.Tests.csproj -c Release -warnaserror -nologo -v quiet -m:1 >&2
echo "== soak: $minutes min, seed $seed (load before: $(uptime))" >&2
export BROKER_CHAOS_MINUTES=$minutes BROKER_CHAOS_SEED=$seed BROKER_CHAOS_REPORT="$work/report.txt"
[ -n "$jobs" ] && export BROKER_CHAOS_JOBS=$jobs
# The soak's own PostgreSQL is started (and restarted) by the test; the shared one is not used.
set +e
dotnet test tests/Broker.Api.Tests/Broker.Api.Tests.csproj -c Release --no-build --nologo \
    --filter "FullyQualifiedName~Chaos.ChaosSoakTests" >"$work/test.log" 2>&1
status=$?
set -e
echo "== load after: $(uptime)" >&2
grep -E "Passed!|Failed!" "$work/test.log" >&2 || tail -30 "$work/test.log" >&2
cp "$work/report.txt.replicas.log" "/tmp/chaos-soak-seed$seed.replicas.log" 2>/dev/null && echo "replica logs: /tmp/chaos-soak-seed$seed.replicas.log" >&2
# Timeline and evidence first, the figures last.
cat "$work/report.txt"
echo
exit "$status"
