#!/usr/bin/env bash
# How the control plane's cost grows with its work: N short jobs submitted at once to capacity that never runs out (the
# simulated clouds: no provisioning delay, a million instances per offer, one-minute jobs at time scale 60, so each runs a
# second), through placement, provisioning, started, finished and teardown; then, on the same database in the same run,
# Hangfire's own no-op enqueue->execute rate with Broker's storage options and worker count.
#   bench/lifecycle-throughput/run.sh [--jobs N] [--warmup N] [--noop N] [--clients C] [--pg-port P] [--top T] [--api-env K=V]... [--keep]
# Defaults: 10,000 jobs (after 200 warm-up jobs), 2,000 no-ops, 16 submitting clients, PostgreSQL on 34562 (fsync on;
# PG_FSYNC=off to change); --top: how many of the most-called statements to list (12); --api-env: an environment variable
# for the Broker process only (a runtime setting such as DOTNET_gcServer=0), repeatable. Prints progress and where the statements and Hangfire executions go, then key=value figures:
# lifecycle_jobs_per_s, commits_per_job, hangfire_executions_per_job, hangfire_noop_per_s last.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/bench/lifecycle-throughput"
jobs=10000 warmup=200 noop=2000 clients=16 pg_port=34562 keep=0 workers=4 top=12 api_env=()
while [ $# -gt 0 ]; do
    case "$1" in
        --jobs) jobs=${2:?}; shift 2 ;;
        --warmup) warmup=${2:?}; shift 2 ;;
        --noop) noop=${2:?}; shift 2 ;;
        --clients) clients=${2:?}; shift 2 ;;
        --pg-port) pg_port=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        --top) top=${2:?}; shift 2 ;;
        --api-env) api_env+=("${2:?}"); shift 2 ;;
        -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d /tmp/broker-lifecycle.XXXXXX)
chmod 755 "$work"
# shellcheck source=../lib/broker-bench.sh
source "$root/bench/lib/broker-bench.sh"
cleanup() {
    bench_stop_all
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work" 2>/dev/null || true; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now() { date +%s.%N; }

echo "== PostgreSQL on $pg_port (pg_stat_statements)" >&2
bench_pg_start "$pg_port"
psql_db postgres -c "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'"
"$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1
bench_pg_start "$pg_port"
psql_db postgres -c "CREATE DATABASE broker"
psql_db broker -c "CREATE EXTENSION pg_stat_statements"
db="${pg_admin/Database=postgres/Database=broker}"
bench_build
dotnet build "$here/Broker.Bench.Lifecycle/Broker.Bench.Lifecycle.csproj" -c Release -nologo -v quiet >&2
tool() { dotnet "$here/Broker.Bench.Lifecycle/bin/Release/net10.0/Broker.Bench.Lifecycle.dll" "$@"; }

echo "== Broker (Hangfire on, $workers workers, simulated clouds only)" >&2
api_port=$(free_port)
api="http://127.0.0.1:$api_port"
bench_api_start broker "$api_port" "ConnectionStrings:Broker=$db" Hangfire:ServerEnabled=true Hangfire:WorkerCount=$workers \
    Providers:Simulated:ProvisioningDelay=00:00:00 Providers:Simulated:CapacityPerOffer=1000000 \
    Providers:Simulated:SpotInterruptionsPerHour=0 Providers:Simulated:TimeScale=60 Placement:MaxWaitBeforeBurst=00:00:00 ${api_env[@]+"${api_env[@]}"}
key=$(bench_key "$api" '{"name":"lifecycle","role":"submitter","team":"lifecycle"}')

# The bench's own queries carry this marker, so they are left out of the statement counts; their commits are counted
# and subtracted.
polls=0
poll() { psql_db broker -c "/* bench-poll */ $1"; }
# Seconds until every job of the prefix is terminal and every allocation closed (or 30 minutes).
wait_closed() {
    local prefix=$1 count=$2 started open
    started=$(now)
    while :; do
        polls=$((polls + 1))
        open=$(poll "SELECT (SELECT count(*) FROM jobs WHERE name LIKE '$prefix-%' AND state NOT IN ('Succeeded','Failed','Cancelled'))
            + (SELECT count(*) FROM allocations WHERE state <> 'Closed')")
        [ "$open" = 0 ] && break
        python3 -c "import sys; sys.exit(0 if $(now) - $started < 1800 else 1)" || { echo "still $open open after 30 min" >&2; return 1; }
        sleep 0.5
    done
}

echo "== warm-up: $warmup jobs" >&2
tool submit --url "$api" --key "$key" --count "$warmup" --concurrency "$clients" --prefix warm >&2
wait_closed warm "$warmup"

echo "== $jobs jobs at once, $clients clients (load before: $(uptime))" >&2
sleep 2
psql_db broker -c "/* bench-poll */ SELECT pg_stat_statements_reset()" >/dev/null
commits0=$(psql_db broker -c "/* bench-poll */ SELECT xact_commit FROM pg_stat_database WHERE datname = 'broker'")
state0=$(psql_db broker -c "/* bench-poll */ SELECT coalesce(max(id), 0) FROM hangfire.state")
hfjob0=$(psql_db broker -c "/* bench-poll */ SELECT coalesce(max(id), 0) FROM hangfire.job")
polls=0
# CPU seconds of Broker, of PostgreSQL (postmaster and backends) and of the whole machine (every core: other sessions and
# the submitting client included), so the figures say where the time per job goes.
cpu_of() { python3 "$root/bench/lib/cpu-seconds.py" "$@"; }
machine_busy() { awk -v t="$(getconf CLK_TCK)" '/^cpu /{printf "%.2f\n", ($2+$3+$4+$7+$8+$9)/t}' /proc/stat; }
postmaster=$(head -1 "$work/pg/data/postmaster.pid")
broker_cpu0=$(cpu_of "${api_pids[0]}") pg_cpu0=$(cpu_of "$postmaster" --tree) machine_cpu0=$(machine_busy)
# Broker's CPU by thread group (the tiered JIT's background thread, the GC's threads, the rest): how much of a run's
# Broker CPU is the runtime still compiling after the warm-up rather than the lifecycle's own work.
python3 "$root/bench/lib/thread-cpu.py" "${api_pids[0]}" "$work/threads.stop" >"$work/threads.txt" &
threads_pid=$!
t0=$(now)
tool submit --url "$api" --key "$key" --count "$jobs" --concurrency "$clients" --prefix lt | tee "$work/submit.txt" >&2
wait_closed lt "$jobs"
t1=$(now)
broker_cpu=$(python3 -c "print(round($(cpu_of "${api_pids[0]}") - $broker_cpu0, 2))")
pg_cpu=$(python3 -c "print(round($(cpu_of "$postmaster" --tree) - $pg_cpu0, 2))")
machine_cpu=$(python3 -c "print(round($(machine_busy) - $machine_cpu0, 2))")
touch "$work/threads.stop"; wait "$threads_pid"
read -r broker_jit broker_gc _ < <(sed 's/[a-z]*=//g' "$work/threads.txt")
queued_left=$(psql_db broker -c "/* bench-poll */ SELECT count(*) FROM hangfire.jobqueue WHERE fetchedat IS NULL")
sleep 2
# Less the bench's own: the polls and the four single reads after commits0 (commits0's, state0's, hfjob0's, queued_left's).
commits=$(( $(psql_db broker -c "/* bench-poll */ SELECT xact_commit FROM pg_stat_database WHERE datname = 'broker'") - commits0 - polls - 4 ))
echo "== load after: $(uptime)" >&2

echo "== where it goes" >&2
psql_db broker -F ' ' >"$work/phases.txt" <<SQL
SELECT round(extract(epoch FROM max(s.at) - min(j.submitted_at))::numeric, 3),
       round(extract(epoch FROM max(f.at) - min(s.at))::numeric, 3),
       round(extract(epoch FROM max(f.at) - min(j.submitted_at))::numeric, 3),
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY s.at - j.submitted_at))::numeric, 3),
       round(extract(epoch FROM percentile_cont(0.5) WITHIN GROUP (ORDER BY f.at - s.at))::numeric, 3),
       count(*) FILTER (WHERE j.state = 'Succeeded')
FROM jobs j
JOIN LATERAL (SELECT min(at) AS at FROM job_events WHERE job_id = j.id AND kind = 'Started') s ON true
JOIN LATERAL (SELECT max(at) AS at FROM job_events WHERE job_id = j.id AND kind IN ('Finished','Failed','Cancelled')) f ON true
WHERE j.name LIKE 'lt-%';
SQL
read -r to_running running_to_closed submit_to_closed wait_p50 run_p50 succeeded <"$work/phases.txt"
statements=$(psql_db broker -c "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT LIKE '%bench-poll%'
    AND dbid = (SELECT oid FROM pg_database WHERE datname = 'broker')")
echo "statements by calls per job (top $top):" >&2
psql_db broker -F ' | ' -c "SELECT round(calls::numeric / $jobs, 2), left(regexp_replace(query, '\s+', ' ', 'g'), 140)
    FROM pg_stat_statements WHERE query NOT LIKE '%bench-poll%' AND dbid = (SELECT oid FROM pg_database WHERE datname = 'broker')
    ORDER BY calls DESC LIMIT $top" | sed 's/^/  /' >&2
executions=$(psql_db broker -c "SELECT count(*) FROM hangfire.state WHERE id > $state0 AND name = 'Processing'")
echo "Hangfire executions per job by kind:" >&2
psql_db broker -F ' | ' -c "SELECT round(count(*)::numeric / $jobs, 3), split_part(j.invocationdata->>'Type', ',', 1) || '.' || (j.invocationdata->>'Method')
    FROM hangfire.state s JOIN hangfire.job j ON j.id = s.jobid WHERE s.id > $state0 AND s.name = 'Processing'
    GROUP BY 2 ORDER BY 1 DESC" | sed 's/^/  /' >&2
hangfire_jobs=$(psql_db broker -c "SELECT count(*) FROM hangfire.job WHERE id > $hfjob0")

echo "== Hangfire no-op baseline: $noop jobs, $workers workers, same database (Broker stopped)" >&2
bench_stop_api() { local pid; for pid in "${api_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done; api_pids=(); }
bench_stop_api
tool noop --connection "$db" --count "$noop" --workers "$workers" | tee "$work/noop.txt" >&2

value() { sed -n "s/^$1=//p" "$2" | tail -1; }
wall=$(python3 -c "print(round($t1 - $t0, 3))")
python3 - "$jobs" "$wall" "$to_running" "$running_to_closed" "$submit_to_closed" "$commits" "$statements" "$executions" \
    "$hangfire_jobs" "$succeeded" "$wait_p50" "$run_p50" "$(value submit_per_s "$work/submit.txt")" \
    "$(value hangfire_noop_per_s "$work/noop.txt")" "$(value hangfire_noop_commits_per_job "$work/noop.txt")" "$(uptime | sed 's/.*load average: //')" \
    "$queued_left" "$broker_cpu" "$pg_cpu" "$machine_cpu" "$broker_jit" "$broker_gc" <<'PY'
import sys
(n, wall, to_running, to_closed, submit_to_closed, commits, statements, executions, hf_jobs, succeeded, wait_p50, run_p50,
 submit_rate, noop_rate, noop_commits, load, queued_left, broker_cpu, pg_cpu, machine_cpu, broker_jit, broker_gc) = sys.argv[1:]
n = int(n)
def rate(seconds): return f"{n / float(seconds):.1f}" if float(seconds) > 0 else "nan"
print(f'load_after="{load}"')
print(f"jobs={n}")
print(f"jobs_succeeded={succeeded}")
print(f"submit_per_s={submit_rate}")
print(f"submit_to_running_jobs_per_s={rate(to_running)}")
print(f"running_to_closed_jobs_per_s={rate(to_closed)}")
print(f"submit_to_running_p50_s={wait_p50}")
print(f"running_to_finished_p50_s={run_p50}")
print(f"statements_per_job={int(statements) / n:.2f}")
print(f"hangfire_jobs_per_job={int(hf_jobs) / n:.3f}")
print(f"hangfire_queued_at_close={queued_left}")
print(f"hangfire_noop_commits_per_job={noop_commits}")
print(f"wall_s={wall}")
print(f"broker_cpu_ms_per_job={float(broker_cpu) * 1000 / n:.2f}")
print(f"broker_jit_thread_cpu_ms_per_job={float(broker_jit) * 1000 / n:.2f}")
print(f"broker_gc_threads_cpu_ms_per_job={float(broker_gc) * 1000 / n:.2f}")
print(f"postgres_cpu_ms_per_job={float(pg_cpu) * 1000 / n:.2f}")
print(f"machine_busy_cores={float(machine_cpu) / float(wall):.2f}")
print(f"other_cpu_ms_per_job={(float(machine_cpu) - float(broker_cpu) - float(pg_cpu)) * 1000 / n:.2f}")
print(f"lifecycle_db_jobs_per_s={rate(submit_to_closed)}")
print(f"lifecycle_jobs_per_s={rate(wall)}")
print(f"commits_per_job={int(commits) / n:.2f}")
print(f"hangfire_executions_per_job={int(executions) / n:.3f}")
print(f"hangfire_noop_per_s={noop_rate}")
PY
