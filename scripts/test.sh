#!/usr/bin/env bash
# The whole test suite on a throwaway PostgreSQL (and Slurm cluster), exactly as CI runs it:  scripts/test.sh
# Extra arguments go to `dotnet test` (for example: scripts/test.sh --filter FullyQualifiedName~Jobs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh

work=$(mktemp -d /tmp/broker-test.XXXXXX)
chmod 755 "$work"
cleanup() {
    scripts/slurm.sh stop "$work/slurm" >/dev/null 2>&1 || true
    scripts/pg.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

echo "== docker-compose.yml"
BROKER_ADMIN_KEY=brk_compose-config-validation-only-0000 BROKER_CALLBACK_SECRET=compose-config-validation-only-000000000 BROKER_SECRETS_KEY=Y29tcG9zZS1jb25maWctdmFsaWRhdGlvbi1vbmx5LTA= docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"

echo "== PostgreSQL"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BROKER_TEST_PG=$(PG_FSYNC=off scripts/pg.sh start "$work/pg" "$port")
export BROKER_TEST_PG
echo "throwaway PostgreSQL on 127.0.0.1:$port"

echo "== Slurm"
export BROKER_SLURM_DIR="$work/slurm"
# Ports of its own, so a cluster left running by scripts/run.sh (default ports) does not clash with this one.
export BROKER_SLURMCTLD_PORT=${BROKER_SLURMCTLD_PORT:-26817} BROKER_SLURMD_PORT_BASE=${BROKER_SLURMD_PORT_BASE:-26901}
export BROKER_SLURMREST_PORT=${BROKER_SLURMREST_PORT:-26820}
eval "$(scripts/slurm.sh start "$BROKER_SLURM_DIR" | sed 's/^/export /')"
echo "local Slurm cluster at $SLURM_URL"

echo "== console"
scripts/console.sh

echo "== build"
dotnet build Broker.sln -c Release -warnaserror -nologo -v quiet

echo "== tests"
set +e
# One test assembly at a time: Slurm tests drain nodes and stop slurmrestd, which the lifecycle tests share.
dotnet test Broker.sln -c Release --no-build --nologo -m:1 "$@" 2>&1 | tee "$work/test.log"
status=${PIPESTATUS[0]}
if [ -s "$BROKER_SLURM_DIR/log/test-heal.log" ]; then
    echo "== slurmctld stopped answering during the run and was restarted"
    cat "$BROKER_SLURM_DIR/log/test-heal.log"
fi
if [ "$status" != 0 ]; then
    echo "== Slurm after the failed run"
    timeout 20 scripts/slurm.sh scontrol ping 2>&1 || true
    pgrep -a -f '/usr/sbin/slurm' 2>&1 | cut -c1-200 || true
    for f in slurmctld.log slurmctld.out slurmrestd.log; do
        echo "--- $f (last lines)"; tail -n 25 "$BROKER_SLURM_DIR/log/$f" 2>&1 || true
    done
    free -m 2>&1 || true; df -h /tmp 2>&1 | tail -1 || true
fi
set -e
python3 - "$work/test.log" <<'PY'
import re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r"(Passed|Failed)!\s+-\s+Failed:\s+(\d+),\s+Passed:\s+(\d+),\s+Skipped:\s+(\d+)", line)
    if m:
        failed += int(m.group(2)); passed += int(m.group(3)); skipped += int(m.group(4))
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
