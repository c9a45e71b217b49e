#!/usr/bin/env bash
# Replays the reference scenario (scenarios/openb-hybrid.json) under all four strategies, and the broker with whole GPUs
# (openb-hybrid) and with GPU shares (scenarios/openb-shared.json) side by side in the same run (sharing_* keys).
# usage: bench/replay-openb/run.sh [--scenario FILE [--shared FILE]] [--seeds N] [--out DIR]   (default out: bench/replay-openb/out)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
args=("$@")
if [[ " ${args[*]-} " != *" --out "* ]]; then args+=(--out "$root/bench/replay-openb/out"); fi
exec dotnet run -c Release --project "$root/bench/replay-openb/ReplayOpenb.csproj" -- "${args[@]}"
