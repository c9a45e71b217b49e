#!/usr/bin/env bash
# Installs Redocly CLI (pinned by package-lock.json) into tools/openapi-lint/node_modules for the OpenAPI lint test
# (tests/Broker.Api.Tests/OpenApi/OpenApiLintTests.cs). Does nothing when the installed tree matches the lockfile.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
stamp="$dir/node_modules/.broker-lock-hash"
hash=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ -x "$dir/node_modules/.bin/redocly" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$hash" ]; then
    exit 0
fi
command -v npm >/dev/null || { echo "npm is needed to install Redocly CLI (scripts/install-deps.sh installs it)" >&2; exit 1; }
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
echo "$hash" > "$stamp"
