#!/usr/bin/env bash
# Time from submit to running: Broker (POST /v1/jobs -> GET says running) against plain Slurm (sbatch -> squeue says
# RUNNING) on the same local cluster with idle GPUs, in the same run, trial by trial, alternating which goes first.
#   bench/time-to-running/run.sh [--jobs N] [--sleep S] [--pg-port P] [--keep]
# Defaults: 50 jobs per side, each `sleep 3` on 1 H100 as the team user broker-team-a (never root), PostgreSQL on 34561.
# Starts its own PostgreSQL, Slurm cluster (ports BROKER_SLURMCTLD_PORT / BROKER_SLURMD_PORT_BASE / BROKER_SLURMREST_PORT,
# defaults 28817/28901/28820) and Broker.Api (Release, Hangfire on, the product's schedules); stops them at the end.
# Prints the per-trial JSON lines, where Broker's time goes, then key=value figures, overhead_p50_s last.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/time-to-running"
jobs=50 sleep_s=3 pg_port=34561 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --jobs) jobs=${2:?}; shift 2 ;;
        --sleep) sleep_s=${2:?}; shift 2 ;;
        --pg-port) pg_port=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /tmp/broker-ttr.XXXXXX)
chmod 755 "$work"
# shellcheck source=../lib/broker-bench.sh
source "$root/bench/lib/broker-bench.sh"
cleanup() {
    bench_stop_all
    "$root/scripts/slurm.sh" stop "$work/slurm" >/dev/null 2>&1 || true
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== Slurm" >&2
export BROKER_SLURMCTLD_PORT=${BROKER_SLURMCTLD_PORT:-28817} BROKER_SLURMD_PORT_BASE=${BROKER_SLURMD_PORT_BASE:-28901}
export BROKER_SLURMREST_PORT=${BROKER_SLURMREST_PORT:-28820}
eval "$("$root/scripts/slurm.sh" start "$work/slurm" | sed 's/^/export /')"
user=broker-team-a team=ttr
out="$SLURM_OUTPUT_ROOT/$user"

echo "== PostgreSQL on $pg_port" >&2
PG_FSYNC=${PG_FSYNC:-on} bench_pg_start "$pg_port"
psql_db postgres -c "CREATE DATABASE broker"
bench_build

echo "== Broker" >&2
api_port=$(free_port)
api="http://127.0.0.1:$api_port"
# The product's schedules (placement every 15 s, reconcile every 10 s, passes on submit), except the inventory every
# 10 s instead of every minute, so the first one does not hold the start; on-prem only (no burst to the simulated clouds).
bench_api_start broker "$api_port" "ConnectionStrings:Broker=${pg_admin/Database=postgres/Database=broker}" \
    Hangfire:ServerEnabled=true Slurm:BaseUrl="$SLURM_URL" Slurm:Token="$SLURM_TOKEN" Slurm:UserName="$SLURM_USER" \
    Slurm:OutputRoot="$SLURM_OUTPUT_ROOT" "OnPrem:Teams:$team:User=$user" Placement:AllowBurst=false \
    Schedules:Inventory="*/10 * * * * *"
key=$(bench_key "$api" "{\"name\":\"ttr\",\"role\":\"submitter\",\"team\":\"$team\"}")
for _ in $(seq 1 60); do
    [ "$(psql_db broker -c "SELECT count(*) FROM onprem_nodes WHERE present AND gpu_total > gpu_used")" -gt 0 ] && break
    sleep 1
done

echo "== $jobs trials per side (load before: $(uptime))" >&2
set +e
python3 "$here/measure.py" run --api "$api" --key "$key" --user "$user" --out "$out" --jobs "$jobs" --sleep "$sleep_s" \
    | tee "$work/trials.jsonl"
status=${PIPESTATUS[0]}
set -e
echo "== load after: $(uptime)" >&2
[ "$status" = 0 ] || { tail -40 "$work/broker.log" >&2; exit "$status"; }
echo "load_after=\"$(uptime | sed 's/.*load average: //')\""
python3 "$here/measure.py" headline "$work/trials.jsonl"
