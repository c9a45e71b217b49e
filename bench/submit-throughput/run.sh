#!/usr/bin/env bash
# Submit throughput of POST /v1/jobs against its ceiling: pgbench issuing the same SQL on the same database.
#   bench/submit-throughput/run.sh [--seconds N] [--warmup N] [--max-warmup N] [--clients N] [--keep]
#                                  [--conn-options 'No Reset On Close=true;…'] [--pgbench-mode extended|prepared]
# Starts its own PostgreSQL and Broker API (Release) on free loopback ports and stops both at the end. The figures
# come last as key=value lines: api_submits_per_s, api_p50_ms, api_p99_ms, api_errors, pgbench_tps, ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=20 warmup=15 max_warmup=120 clients=16 captures=3 keep=0 conn_options="" pgbench_mode=extended
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?}; shift 2 ;;
        --warmup) warmup=${2:?}; shift 2 ;;
        --max-warmup) max_warmup=${2:?}; shift 2 ;;
        --conn-options) conn_options=${2:?}; shift 2 ;;
        --pgbench-mode) pgbench_mode=${2:?}; shift 2 ;;
        --clients) clients=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/broker-bench.XXXXXX)
chmod 755 "$work"
api_pid=""
stop_api() {
    if [ -n "$api_pid" ]; then
        kill "$api_pid" 2>/dev/null || true
        wait "$api_pid" 2>/dev/null || true
        api_pid=""
    fi
}
cleanup() {
    stop_api
    "$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "== $*" >&2; }
# CPU time in clock ticks from /proc: a process's own, and the whole cluster's (postmaster, its live children, and the
# children it has reaped, such as backends of closed connections). On a shared machine CPU per operation is steadier
# than operations per second.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
pg_cpu_ticks() {
    local postmaster total child
    postmaster=$(head -1 "$work/pg/data/postmaster.pid")
    total=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$postmaster/stat")
    for child in $(pgrep -P "$postmaster"); do
        total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}
# From a file written by `times` (in this shell, not a subshell): its finished children's user+system CPU in ms.
children_cpu_ms() {
    python3 -c 'import re,sys; print(round(sum(int(m) * 60000 + float(s) * 1000 for m, s in re.findall(r"(\d+)m([\d.]+)s", open(sys.argv[1]).readlines()[-1]))))' "$1"
}
per_op_ms() { python3 -c "print(f'{$1 * 1000 / $(getconf CLK_TCK) / max($2, 1):.3f}')"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

say "PostgreSQL"
pg_port=$(free_port)
"$root/scripts/pg.sh" start "$work/pg" "$pg_port" >/dev/null
pgbench=$PGBIN/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
if [ -z "$pgbench" ]; then
    ${SUDO:-$( [ "$(id -u)" = 0 ] || echo sudo )} apt-get install -y -qq postgresql-15 >&2
    pgbench=$PGBIN/pgbench
fi
psql_broker() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d "${db:-broker}" "$@"; }
db=postgres psql_broker -c "CREATE DATABASE broker"
echo "PostgreSQL 15 on 127.0.0.1:$pg_port, $("$PGBIN/psql" -X -tA -h 127.0.0.1 -p "$pg_port" -U postgres -d broker \
    -c "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' || current_setting('synchronous_commit')")" >&2

say "build (Release)"
dotnet build "$root/src/Broker.Api/Broker.Api.csproj" -c Release -nologo -v quiet >&2
dotnet build "$here/Broker.Bench.SubmitThroughput/Broker.Bench.SubmitThroughput.csproj" -c Release -nologo -v quiet >&2
api_dir="$root/src/Broker.Api/bin/Release/net10.0"
tool() { dotnet "$here/Broker.Bench.SubmitThroughput/bin/Release/net10.0/Broker.Bench.SubmitThroughput.dll" "$@"; }

api_port=$(free_port)
api_url="http://127.0.0.1:$api_port"
admin_key="brk_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# Starts the API as its own process, in its output folder (its content root, where appsettings.json is), with the
# product's configuration except: rate limits out of the way and no Hangfire server. Extra arguments go to the API.
start_api() {
    local log=$1; shift
    (
        cd "$api_dir"
        export ASPNETCORE_ENVIRONMENT=Production
        export ConnectionStrings__Broker="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=broker${conn_options:+;$conn_options}"
        export Bootstrap__AdminKey="$admin_key" Callbacks__Secret="bench-callback-secret-0123456789abcdef" Database__MigrateOnStartup=true Hangfire__ServerEnabled=false
        export RateLimiting__PermitsPerSecond=100000000 RateLimiting__Burst=100000000
        exec dotnet Broker.Api.dll --urls "$api_url" "$@"
    ) >"$log" 2>&1 &
    api_pid=$!
    for _ in $(seq 1 240); do
        curl -sf "$api_url/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$api_pid" 2>/dev/null || { cat "$log" >&2; echo "the API did not start" >&2; exit 1; }
        sleep 0.5
    done
    echo "the API did not become ready" >&2; exit 1
}

say "capture run: $captures submits with EF Core command logging (JSON log) and log_statement=all for their values"
psql_broker -c "ALTER DATABASE broker SET log_statement = 'all'"
start_api "$work/api-capture.log" --Logging:Format=json \
    --Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command=Information \
    --Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Transaction=Debug
submitter_key=$(curl -sf -X POST "$api_url/v1/api-keys" -H "Authorization: Bearer $admin_key" \
    -H 'Content-Type: application/json' -d '{"name":"bench","role":"submitter","team":"bench"}' \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
pg_log_offset=$(stat -c %s "$work/pg/log")
tool capture --url "$api_url" --key "$submitter_key" --count "$captures"
stop_api
psql_broker -c "ALTER DATABASE broker RESET log_statement"

say "API: $clients clients, warm-up (≥ ${warmup} s) until steady, ${seconds} s measured"
start_api "$work/api.log"
load() { tool load --url "$api_url" --key "$submitter_key" --concurrency "$clients" --seconds "$1"; }
value() { sed -n "s/^$1=//p" "$2" | tail -1; }
# The JIT needs thousands of submits (and, on a busy machine, time) to reach its optimized code: API CPU per submit
# falls several-fold over the first minute. Warm up in 5 s slices, at least --warmup seconds, until two slices in a row
# no longer cut it by 10 % (at most --max-warmup seconds).
warmed=0 best="" flat=0
while :; do
    before=$(cpu_ticks "$api_pid")
    load 5 >"$work/warmup.txt"
    spent=$(( $(cpu_ticks "$api_pid") - before )) warmed=$((warmed + 5))
    per=$(per_op_ms "$spent" "$(value submits "$work/warmup.txt")")
    echo "warm-up ${warmed} s: $(value submits_per_s "$work/warmup.txt") submits/s, $per ms API CPU per submit, $(value errors "$work/warmup.txt") errors" >&2
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $per < 0.9 * $best else 1)"; then flat=0; else flat=$((flat + 1)); fi
    best=$(python3 -c "print(min(float('${best:-inf}'), $per))")
    if { [ "$warmed" -ge "$warmup" ] && [ "$flat" -ge 2 ]; } || [ "$warmed" -ge "$max_warmup" ]; then break; fi
done
api_cpu_before=$(cpu_ticks "$api_pid") pg_cpu_before=$(pg_cpu_ticks)
load "$seconds" | tee "$work/load.txt"
api_cpu=$(( $(cpu_ticks "$api_pid") - api_cpu_before )) pg_cpu_api=$(( $(pg_cpu_ticks) - pg_cpu_before ))
stop_api

say "pgbench script derived from the capture run"
tool script --ef-log "$work/api-capture.log" --pg-log "$work/pg/log" --pg-log-offset "$pg_log_offset" \
    --out "$work/submit.sql" --defines "$work/defines"
cat "$work/submit.sql"
mapfile -d '' defines < "$work/defines"
pgbench_args=(-n -M "$pgbench_mode" -c "$clients" -j 2 -f "$work/submit.sql" -h 127.0.0.1 -p "$pg_port" -U postgres)
for define in "${defines[@]}"; do
    pgbench_args+=(-D "$define")
    echo "-D $define"
done

say "pgbench: $clients clients, ${warmup} s warm-up, ${seconds} s measured"
echo "$pgbench -n -M $pgbench_mode -c $clients -j 2 -T $seconds -f submit.sql -D name=value… broker" >&2
if [ "$warmup" -gt 0 ]; then "$pgbench" "${pgbench_args[@]}" -T "$warmup" broker >/dev/null 2>&1 || true; fi
sleep 1  # let the postmaster reap the warm-up's backends, so their CPU is not counted below
pg_cpu_before=$(pg_cpu_ticks)
times >"$work/times.before"
set +e
"$pgbench" "${pgbench_args[@]}" -T "$seconds" broker 2>&1 | tee "$work/pgbench.txt"
pgbench_status=${PIPESTATUS[0]}
times >"$work/times.after"
set -e
sleep 1
pg_cpu_pgbench=$(( $(pg_cpu_ticks) - pg_cpu_before ))
pgbench_tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/pgbench.txt")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/pgbench.txt")
if [ "$pgbench_status" != 0 ] || [ -z "$pgbench_tps" ] || [ "${failed:-0}" != 0 ]; then
    echo "pgbench failed (status $pgbench_status, ${failed:-?} failed transactions)" >&2
    exit 1
fi

api_submits=$(value submits "$work/load.txt")
pgbench_txs=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/pgbench.txt")
say "CPU per operation (ms), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "api_process_cpu_ms_per_submit=$(per_op_ms "$api_cpu" "$api_submits")"
echo "load_generator_cpu_ms_per_submit=$(python3 -c "print(f'{$(value client_cpu_ms "$work/load.txt") / max($api_submits, 1):.3f}')")"
echo "postgres_cpu_ms_per_submit=$(per_op_ms "$pg_cpu_api" "$api_submits")"
echo "postgres_cpu_ms_per_pgbench_tx=$(per_op_ms "$pg_cpu_pgbench" "$pgbench_txs")"
pgbench_cpu=$(( $(children_cpu_ms "$work/times.after") - $(children_cpu_ms "$work/times.before") ))
echo "pgbench_client_cpu_ms_per_tx=$(python3 -c "print(f'{$pgbench_cpu / max($pgbench_txs, 1):.3f}')")"
# What the ratio would be if both phases got the same CPU: all CPU per pgbench transaction over all CPU per submit.
python3 - "$api_cpu" "$pg_cpu_api" "$(value client_cpu_ms "$work/load.txt")" "$api_submits" "$pg_cpu_pgbench" "$pgbench_cpu" "$pgbench_txs" \
    "$(getconf CLK_TCK)" <<'PY'
import sys
api, pg_api, client_ms, submits, pg_bench, bench_ms, txs, hz = map(float, sys.argv[1:])
per_submit = (api + pg_api) * 1000 / hz / submits + client_ms / submits
per_tx = pg_bench * 1000 / hz / txs + bench_ms / txs
print(f"cpu_ms_per_submit_all={per_submit:.3f}\ncpu_ms_per_pgbench_tx_all={per_tx:.3f}\ncpu_ratio_estimate={per_tx / per_submit:.3f}")
PY

say "result"
api_rate=$(value submits_per_s "$work/load.txt")
echo "api_submits_per_s=$api_rate"
echo "api_p50_ms=$(value p50_ms "$work/load.txt")"
echo "api_p99_ms=$(value p99_ms "$work/load.txt")"
echo "api_errors=$(value errors "$work/load.txt")"
echo "pgbench_tps=$(printf '%.1f' "$pgbench_tps")"
echo "ratio=$(python3 -c "print(f'{$api_rate / $pgbench_tps:.3f}')")"
