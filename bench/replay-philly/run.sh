#!/usr/bin/env bash
# Replays the two Philly scenarios (scenarios/philly-ee9e8c.json, scenarios/philly-11cb48.json) under all four strategies,
# with Blue Waters user estimates and with oracle estimates side by side, plus a sensitivity table over hash seeds.
# Same program and headline keys as bench/replay-openb (pooled over both virtual clusters; per-VC keys are printed too).
# Jobs larger than a node run as gangs in all three; the multi-node scenario scenarios/philly-ee9e8c-gangs.json (the ee9e8c VC
# with the fleet sized for every job, gangs included) is reported on its own: gangs placed, where, their waits (gangs.* keys).
# usage: bench/replay-philly/run.sh [--seeds N] [--out DIR]   (default out: bench/replay-philly/out)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
args=("$@")
if [[ " ${args[*]-} " != *" --out "* ]]; then args+=(--out "$root/bench/replay-philly/out"); fi
exec dotnet run -c Release --project "$root/bench/replay-openb/ReplayOpenb.csproj" -- \
  --scenario "$root/scenarios/philly-ee9e8c.json" --scenario "$root/scenarios/philly-11cb48.json" \
  --gangs "$root/scenarios/philly-ee9e8c-gangs.json" "${args[@]}"
