#!/usr/bin/env bash
# One placement pass at 10,000 jobs x 1,000 nodes x 2,000 offers and at a quarter of that; prints pass_ms_* and scaling_ratio last.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/bench/placement-scaling"
exec dotnet run -c Release --project PlacementScaling.csproj -- "$@"
