# Shared setup for benches that run Broker as a real process: sourced, not run.
#   source bench/lib/broker-bench.sh
# Expects $root (the checkout) and $work (a temp folder the caller removes). Gives:
#   free_port                       a free loopback port
#   bench_pg_start PORT             a private PostgreSQL under $work/pg (PG_FSYNC as the caller exports it); sets $pg_port, $pg_admin
#   psql_db DB ARGS...              psql against it, unaligned, errors fatal
#   bench_build                     Broker.Api in Release; sets $api_dll
#   bench_api_start NAME PORT [ENV=VALUE...]  Broker.Api on 127.0.0.1:PORT, its log in $work/NAME.log, the product's
#                                   configuration plus the benches' common settings and the given ones (names may hold
#                                   '-' or ':'; ':' becomes '__'); waits for /health/ready; appends its pid to $api_pids
#   bench_key URL JSON              a key created with the admin key, e.g. '{"name":"b","role":"submitter","team":"t"}'
#   bench_stop_all                  stops the APIs it started and the PostgreSQL (call it from the caller's EXIT trap)
# shellcheck shell=bash
bench_admin_key="brk_bench-admin-key-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
bench_callback_secret="bench-callback-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
api_pids=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

bench_pg_start() {
    pg_port=$1
    pg_admin=$("$root/scripts/pg.sh" start "$work/pg" "$pg_port")
}

psql_db() { local db=$1; shift; psql -X -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db" -v ON_ERROR_STOP=1 -qAt "$@"; }

bench_build() {
    echo "== build Broker.Api (Release)" >&2
    dotnet build "$root/src/Broker.Api/Broker.Api.csproj" -c Release -nologo -v quiet >&2
    api_dll="$root/src/Broker.Api/bin/Release/net10.0/Broker.Api.dll"
}

bench_api_start() {
    local name=$1 port=$2 pid
    shift 2
    local settings=() kv key
    for kv in "$@"; do key=${kv%%=*}; settings+=("${key//:/__}=${kv#*=}"); done
    (
        cd "$(dirname "$api_dll")"
        # env, not export: team names hold '-', which bash cannot export.
        exec env ASPNETCORE_URLS="http://127.0.0.1:$port" ASPNETCORE_ENVIRONMENT=Production DOTNET_ENVIRONMENT=Production \
            Database__MigrateOnStartup=true Bootstrap__AdminKey="$bench_admin_key" Callbacks__Secret="$bench_callback_secret" \
            Lifecycle__CallbackBaseUrl="http://127.0.0.1:$port/" RateLimiting__PermitsPerSecond=100000000 \
            RateLimiting__Burst=100000000 Logging__LogLevel__Default=Warning \
            "${settings[@]}" dotnet "$api_dll"
    ) >"$work/$name.log" 2>&1 &
    pid=$!
    api_pids+=("$pid")
    for _ in $(seq 1 360); do
        curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$pid" 2>/dev/null || { tail -40 "$work/$name.log" >&2; echo "$name exited before it was ready" >&2; exit 1; }
        sleep 0.5
    done
    tail -40 "$work/$name.log" >&2
    echo "$name did not become ready" >&2
    exit 1
}

bench_key() {
    curl -sf -X POST "$1/v1/api-keys" -H "Authorization: Bearer $bench_admin_key" -H 'Content-Type: application/json' -d "$2" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])'
}

bench_stop_all() {
    local pid
    for pid in "${api_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${api_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    api_pids=()
    "$root/scripts/pg.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
