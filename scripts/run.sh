#!/usr/bin/env bash
# Runs Broker locally:  scripts/run.sh        (scripts/run.sh stop  stops the PostgreSQL and Slurm it started)
# Starts a private PostgreSQL unless ConnectionStrings__Broker is set, the local Slurm cluster when the project has it,
# applies migrations, seeds demo teams, keys and jobs, and serves the API on http://127.0.0.1:${BROKER_PORT:-5080}.
# Broker's secrets (admin key, callback secret, database password, demo keys) are in .local/ (mode 700, files 600): only
# the user running this script can read them. PostgreSQL's and Slurm's own directories are in .local-services/, because
# their daemons and the team users' Slurm jobs must reach them; the demo teams vision and nlp run on-prem jobs as the
# Unix users broker-vision and broker-nlp that scripts/slurm.sh creates.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
state="$root/.local"
services="$root/.local-services"
port=${BROKER_PORT:-5080}
pg_port=${BROKER_PG_PORT:-55432}
url="http://127.0.0.1:$port"

if [ "${1:-}" = stop ]; then
    for dir in "$services" "$state"; do
        scripts/pg.sh stop "$dir/pg" || true
        [ -x scripts/slurm.sh ] && scripts/slurm.sh stop "$dir/slurm" || true
    done
    exit 0
fi

scripts/install-deps.sh
scripts/console.sh
install -d -m 755 "$services"
# An older layout kept the databases and the cluster inside .local, where neither postgres nor the team users may enter.
if [ -d "$state/pg" ] && [ ! -e "$services/pg" ]; then
    scripts/pg.sh stop "$state/pg" || true
    mv "$state/pg" "$services/pg"
fi
if [ -d "$state/slurm" ]; then
    scripts/slurm.sh stop "$state/slurm" >/dev/null 2>&1 || true
    rm -rf "$state/slurm"
fi

scripts/secrets.sh "$state"

if [ -z "${ConnectionStrings__Broker:-}" ]; then
    base=$(PG_PASSWORD_FILE="$state/pg.password" scripts/pg.sh start "$services/pg" "$pg_port")
    export PGPASSWORD
    PGPASSWORD=$(cat "$state/pg.password")
    psql "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='broker'" | grep -q 1 \
        || psql "host=127.0.0.1 port=$pg_port user=postgres dbname=postgres" -qc "CREATE DATABASE broker"
    unset PGPASSWORD
    export ConnectionStrings__Broker="${base/Database=postgres/Database=broker}"
fi

if [ -x scripts/slurm.sh ] && [ -z "${Slurm__BaseUrl:-}" ]; then
    while IFS='=' read -r key value; do
        case "$key" in
            SLURM_URL) export Slurm__BaseUrl="$value" ;;
            SLURM_TOKEN) export Slurm__Token="$value" ;;
            SLURM_USER) export Slurm__UserName="$value" ;;
            SLURM_OUTPUT_ROOT) export Slurm__OutputRoot="$value" ;;
        esac
    done < <(scripts/slurm.sh start "$services/slurm")
fi
# The demo teams' on-prem identities (scripts/slurm.sh creates these users and their output directories).
export OnPrem__Teams__vision__User=${OnPrem__Teams__vision__User:-broker-vision}
export OnPrem__Teams__nlp__User=${OnPrem__Teams__nlp__User:-broker-nlp}

export Callbacks__Secret
Callbacks__Secret=$(cat "$state/callback.secret")
export Secrets__Key
Secrets__Key=$(cat "$state/secrets.key")
export Lifecycle__CallbackBaseUrl="$url/"
# The demo's simulated clouds run a minute of job time per real second, so cloud jobs finish while you watch.
export Providers__Simulated__TimeScale=${Providers__Simulated__TimeScale:-60}
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
echo "console: $url/console/ (sign in with one of the keys above; the API reference is at $url/docs)"
wait $api
