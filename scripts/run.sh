#!/usr/bin/env bash
# Runs Broker locally:  scripts/run.sh        (scripts/run.sh stop  stops the PostgreSQL and Slurm it started)
# Starts a private PostgreSQL under .local/ unless ConnectionStrings__Broker is set, the local Slurm cluster when the
# project has it, applies migrations, seeds demo teams, keys and jobs, and serves the API on http://127.0.0.1:${BROKER_PORT:-5080}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state="$root/.local"
port=${BROKER_PORT:-5080}
pg_port=${BROKER_PG_PORT:-55432}
url="http://127.0.0.1:$port"

if [ "${1:-}" = stop ]; then
    scripts/pg.sh stop "$state/pg" || true
    [ -x scripts/slurm.sh ] && scripts/slurm.sh stop "$state/slurm" || true
    exit 0
fi

scripts/install-deps.sh
mkdir -p "$state"
chmod 755 "$state"

if [ -z "${ConnectionStrings__Broker:-}" ]; then
    base=$(scripts/pg.sh start "$state/pg" "$pg_port")
    psql "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='broker'" | grep -q 1 \
        || psql "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -qc "CREATE DATABASE broker"
    export ConnectionStrings__Broker="${base/Database=postgres/Database=broker}"
fi

if [ -x scripts/slurm.sh ] && [ -z "${Slurm__BaseUrl:-}" ]; then
    while IFS='=' read -r key value; do
        case "$key" in
            SLURM_URL) export Slurm__BaseUrl="$value" ;;
            SLURM_TOKEN) export Slurm__Token="$value" ;;
            SLURM_USER) export Slurm__UserName="$value" ;;
        esac
    done < <(scripts/slurm.sh start "$state/slurm")
fi

[ -f "$state/callback.secret" ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$state/callback.secret"; chmod 600 "$state/callback.secret"; }
export Callbacks__Secret
Callbacks__Secret=$(cat "$state/callback.secret")
export Lifecycle__CallbackBaseUrl="$url/"
# The demo's simulated clouds run a minute of job time per real second, so cloud jobs finish while you watch.
export Providers__Simulated__TimeScale=${Providers__Simulated__TimeScale:-60}
[ -f "$state/admin.key" ] || { echo "brk_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$state/admin.key"; chmod 600 "$state/admin.key"; }
export Bootstrap__AdminKey
Bootstrap__AdminKey=$(cat "$state/admin.key")
export Database__MigrateOnStartup=true Hangfire__ServerEnabled=true ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}

dotnet build src/Broker.Api -c Release -nologo -v quiet
dotnet run --project src/Broker.Api -c Release --no-build --urls "$url" &
api=$!
trap 'kill $api 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 120); do
    curl -sf "$url/health/ready" >/dev/null && break
    kill -0 $api 2>/dev/null || { echo "Broker did not start" >&2; exit 1; }
    sleep 0.5
done

python3 scripts/seed_demo.py "$url" "$state"
wait $api
