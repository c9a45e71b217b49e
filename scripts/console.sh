#!/usr/bin/env bash
# Builds the web console (src/Broker.Console: TypeScript, Vite, Chart.js from the committed package-lock.json) into
# src/Broker.Api/wwwroot/console, which Broker.Api serves at /console (dotnet run, the tests and dotnet publish alike).
# Skips the build when nothing under src/Broker.Console changed since the last one. Needs node and npm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
console="$root/src/Broker.Console"
out="$root/src/Broker.Api/wwwroot/console"
stamp="$out/.source-hash"
hash=$(cd "$console" && find index.html package.json package-lock.json tsconfig.json vite.config.ts src public -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
if [ -f "$out/index.html" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ] && [ "${1:-}" != --force ]; then
    echo "console is up to date ($out)" >&2
    exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to build the console (scripts/install-deps.sh installs it)" >&2; exit 1; }
cd "$console"
npm ci --no-audit --no-fund --loglevel=error >&2
npm run build --silent >&2
echo "$hash" > "$stamp"
echo "console built into $out" >&2
