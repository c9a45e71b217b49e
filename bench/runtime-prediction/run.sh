#!/usr/bin/env bash
# The empirical-quantile runtime predictor against ML.NET FastTree and LightGBM on the Blue Waters GPU jobs (ADR 0008).
# usage: bench/runtime-prediction/run.sh [--data FILE]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec dotnet run -c Release --project "$root/bench/runtime-prediction/RuntimePredictionBench.csproj" -- "$@"
