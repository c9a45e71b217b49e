#!/usr/bin/env bash
# Cost reports against the plainest SQL GROUP BY over the raw ledger, side by side on one database.
#   bench/report-costs/run.sh [--entries N] [--tail N] [--iterations N] [--keep]
# Starts its own PostgreSQL and Broker API (Release) on free loopback ports, loads a synthetic month of a 2,000-GPU hybrid
# fleet (default 1,000,000 entries; the last --tail of them after the rollup, so reports read a raw tail too), and times a
# month's GET /v1/reports/costs grouped by team x market and by day, as JSON and as CSV, interleaved with the same
# groupings as plain GROUP BY over cost_entries. Prints report_ms_p50, raw_sql_ms_p50 and ratio last.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
entries=1000000 tail=10000 iterations=15 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --entries) entries=${2:?}; shift 2 ;;
        --tail) tail=${2:?}; shift 2 ;;
        --iterations) iterations=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d /tmp/broker-bench-costs.XXXXXX)
chmod 755 "$work"
api_pid=""
cleanup() {
    if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; fi
    "$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
    if [ "$keep" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
say() { echo "== $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

say "PostgreSQL"
pg_port=$(free_port)
"$root/scripts/pg.sh" start "$work/pg" "$pg_port" >/dev/null
/usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE broker"
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=broker"

say "build (Release)"
dotnet build "$root/src/Broker.Api/Broker.Api.csproj" -c Release -nologo -v quiet >&2
dotnet build "$here/ReportCosts.csproj" -c Release -nologo -v quiet >&2

say "Broker API (migrates the database; no Hangfire server, so the bench decides when the rollup runs)"
api_port=$(free_port)
api_url="http://127.0.0.1:$api_port"
admin_key="brk_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
(
    cd "$root/src/Broker.Api/bin/Release/net10.0"
    export ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Broker="$connection" Bootstrap__AdminKey="$admin_key"
    export Callbacks__Secret="bench-callback-secret-0123456789abcdef" Database__MigrateOnStartup=true Hangfire__ServerEnabled=false
    export RateLimiting__PermitsPerSecond=100000000 RateLimiting__Burst=100000000
    exec dotnet Broker.Api.dll --urls "$api_url"
) >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 240); do
    curl -sf "$api_url/health/ready" >/dev/null 2>&1 && break
    kill -0 "$api_pid" 2>/dev/null || { cat "$work/api.log" >&2; echo "the API did not start" >&2; exit 1; }
    sleep 0.5
done
finance_key=$(curl -sf -X POST "$api_url/v1/api-keys" -H "Authorization: Bearer $admin_key" -H 'Content-Type: application/json' \
    -d '{"name":"bench finance","role":"finance"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

say "load, roll up, time (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet "$here/bin/Release/net10.0/report-costs.dll" --connection "$connection" --url "$api_url" --key "$finance_key" \
    --entries "$entries" --tail "$tail" --iterations "$iterations"
