#!/usr/bin/env bash
# One broker placement pass at 2,500 jobs x 250 nodes x 500 offers (small), 4x that (large) and 40x (xlarge: 100,000 x
# 10,000 x 20,000), and 500 / 4,000 quarter-GPU jobs queued on 16 busy shardable nodes (shares-small, shares-large), timed
# side by side in one process (warm passes, Stopwatch, median of --rounds N, default 5); prints pass_ms_small,
# pass_ms_large, pass_ms_xlarge, decisions_per_s_large, scaling_ratio, xlarge_ratio, pass_ms_shares_small,
# pass_ms_shares_large, share_scaling_ratio last.
# "run.sh --bdn" runs the BenchmarkDotNet suite (small and large, broker and cheapest-first, allocations) instead.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root/bench/placement-scaling"
exec dotnet run -c Release --project PlacementScaling.csproj -- "$@"
