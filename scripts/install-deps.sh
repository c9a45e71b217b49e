#!/usr/bin/env bash
# Installs what Broker's run and test commands need on a fresh Debian machine: PostgreSQL 15, Slurm with slurmrestd and
# munge, docker-compose (to validate docker-compose.yml), Prometheus (the metrics test scrapes Broker with it), Node.js and
# npm (the console's build), Chromium (its browser tests), runc, umoci, skopeo and busybox-static (on-prem
# containers and their test image) and the pinned dotnet tools. Does nothing that is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql-15)
command -v psql >/dev/null || need+=(postgresql-client-15)
command -v slurmctld >/dev/null || need+=(slurm-wlm)
command -v slurmrestd >/dev/null || need+=(slurmrestd)
command -v munged >/dev/null || need+=(munge)
command -v docker-compose >/dev/null || need+=(docker-compose)
command -v curl >/dev/null || need+=(curl)
command -v prometheus >/dev/null || need+=(prometheus)
command -v python3 >/dev/null || need+=(python3)
# The console's build (scripts/console.sh) and its browser tests (tests/Broker.Console.Tests drive Debian's Chromium).
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)
# On-prem jobs run their image from the site OCI image store under rootless runc (ADR 0014); the tests build a busybox image.
command -v runc >/dev/null || need+=(runc)
command -v umoci >/dev/null || need+=(umoci)
command -v skopeo >/dev/null || need+=(skopeo)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)

if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -qq "${need[@]}" >&2 || { $SUDO apt-get update -qq >&2 && $SUDO apt-get install -y -qq "${need[@]}" >&2; }
fi
(cd "$root" && dotnet tool restore >/dev/null)
"$root/tools/openapi-lint/install.sh"   # Redocly CLI for the OpenAPI lint test
