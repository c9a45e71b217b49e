#!/usr/bin/env bash
# Seeded, bounded fuzz run of the public API (issue 9):  bench/hostile-input/run.sh [--seconds N] [--seed S] [--keep]
# Starts its own PostgreSQL and Broker API (Release) on free loopback ports, creates keys and targets, sends random
# mutations of valid requests across every route for N seconds (default 60; the same seed gives the same requests), then
# checks the database. Prints last, as key=value lines: requests, status_5xx, rows_changed_by_rejected. Exits non-zero
# when any request got a 5xx, a rejected request changed a row, or the database check finds an inconsistency.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=60 seed=1 keep=0
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?}; shift 2 ;;
        --seed) seed=${2:?}; shift 2 ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
done

work=$(mktemp -d /tmp/broker-hostile.XXXXXX)
chmod 755 "$work"
api_pid=""
cleanup() {
    if [ -n "$api_pid" ]; then
        kill "$api_pid" 2>/dev/null || true
        wait "$api_pid" 2>/dev/null || true
    fi
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
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE broker"
connection="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=broker"

say "build (Release)"
dotnet build "$root/src/Broker.Api/Broker.Api.csproj" -c Release -nologo -v quiet >&2
dotnet build "$here/Broker.Bench.HostileInput/Broker.Bench.HostileInput.csproj" -c Release -nologo -v quiet >&2
api_dir="$root/src/Broker.Api/bin/Release/net10.0"

say "Broker API"
api_port=$(free_port)
api_url="http://127.0.0.1:$api_port"
admin_key="brk_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
callback_secret="hostile-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# The product's configuration except: rate limits out of the way (the fuzz is one client) and no Hangfire server, so
# every row change comes from a request and can be attributed to it.
(
    cd "$api_dir"
    export ASPNETCORE_ENVIRONMENT=Production
    export ConnectionStrings__Broker="$connection" Bootstrap__AdminKey="$admin_key" Callbacks__Secret="$callback_secret"
    export Database__MigrateOnStartup=true Hangfire__ServerEnabled=false
    export RateLimiting__PermitsPerSecond=100000000 RateLimiting__Burst=100000000
    exec dotnet Broker.Api.dll --urls "$api_url"
) >"$work/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 240); do
    curl -sf "$api_url/health/ready" >/dev/null 2>&1 && break
    kill -0 "$api_pid" 2>/dev/null || { cat "$work/api.log" >&2; echo "the API did not start" >&2; exit 1; }
    sleep 0.5
done
curl -sf "$api_url/health/ready" >/dev/null || { echo "the API did not become ready" >&2; exit 1; }

say "fuzz: seed $seed, $seconds s"
set +e
dotnet "$here/Broker.Bench.HostileInput/bin/Release/net10.0/Broker.Bench.HostileInput.dll" --url "$api_url" --admin-key "$admin_key" \
    --connection "$connection" --callback-secret "$callback_secret" --seconds "$seconds" --seed "$seed" >"$work/result.txt"
status=$?
set -e
echo "api_logged_errors=$(grep -c '^fail:' "$work/api.log" || true)" >&2
cat "$work/result.txt"
exit "$status"
