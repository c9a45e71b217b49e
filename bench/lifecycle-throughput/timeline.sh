#!/usr/bin/env bash
# Timeline of a run kept with run.sh --keep: per placement pass (start, end, jobs placed), the provisioning chunks, and per
# second how many of the measured jobs were queued, placed, provisioning, running, closing and closed.
#   bench/lifecycle-throughput/timeline.sh KEPT_DIR [PORT]     (PORT: any free port to start the kept PostgreSQL on)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:?kept run directory}; port=${2:-35562}
"$root/scripts/pg.sh" start "$dir/pg" "$port" >/dev/null
trap '"$root/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1 || true' EXIT
psql -h 127.0.0.1 -p "$port" -U postgres -d broker -v prefix=lt -f "$root/bench/lifecycle-throughput/timeline.sql"
