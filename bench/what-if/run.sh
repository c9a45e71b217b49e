#!/usr/bin/env bash
# What-if end to end against the replay CLI, side by side in one run:
#   1. its own PostgreSQL and Broker API (Hangfire server on), the seed offer catalog, the openb-hybrid on-prem fleet;
#   2. the seed catalog's offers in four US regions; 10,000 jobs over 30 days derived from the Alibaba openb trace (the 30-day window twice, the copy a week later,
#      wrapped), placed by a replay under the history's two policies (global: spot + on-demand, max wait 30 min; team-1
#      override: max wait 60 min) and loaded into jobs/allocations as closed segments of their real runtime;
#   3. what_if_s: POST /v1/policies/global/what-if (proposal: on-demand only) until GET says succeeded;
#   4. replay_cli_s: the same jobs exported from the database as the generic CSV trace, replayed by src/Broker.Replay
#      under the current and the proposed policy (two runs, like the what-if's two replays), with the same offers, nodes,
#      spot trace and timings.
# usage: bench/what-if/run.sh [JOBS]   (default 10000; headline key=value lines last)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
jobs=${1:-10000}
work=$(mktemp -d /tmp/broker-whatif-bench.XXXXXX)
chmod 755 "$work"
# shellcheck source=../lib/broker-bench.sh
source "$root/bench/lib/broker-bench.sh"
cleanup() { bench_stop_all; rm -rf "$work" 2>/dev/null || true; }
trap cleanup EXIT
now() { date +%s.%N; }

data=$(cd "$root" && for d in ../shared/data ../../shared/data /work/shared/data; do [ -d "$d" ] && { cd "$d"; pwd; break; }; done)
spot="$data/spot/can-t-be-late-traces/availability/1-node/aws-02-15-2023/us-east-1a_v100_1.json"
[ -f "$spot" ] || { echo "spot trace not found: $spot" >&2; exit 1; }

bench_build
dotnet build "$root/src/Broker.Replay" -c Release -nologo -v quiet >&2
replay() { dotnet "$root/src/Broker.Replay/bin/Release/net10.0/Broker.Replay.dll" "$@"; }

echo "== PostgreSQL and Broker" >&2
PG_FSYNC=off bench_pg_start "$(free_port)"
db=$pg_admin
psql_() { psql_db postgres "$@"; }
api_port=$(free_port)
bench_api_start api "$api_port" "ConnectionStrings:Broker=$db" Hangfire:ServerEnabled=true Hangfire:WorkerCount=2 \
    Placement:OnPremRatePerGpuHour=0.6 "WhatIf:SpotTracePath=$spot" "Schedules:Inventory=0 0 1 1 *" \
    Logging:LogLevel:Broker.Core.WhatIf.WhatIfExecutor=Information OnPrem:Teams:team-0:User=broker-team-a \
    OnPrem:Teams:team-1:User=broker-team-a OnPrem:Teams:team-2:User=broker-team-a OnPrem:Teams:team-3:User=broker-team-a
api="http://127.0.0.1:$api_port"
ops=$(bench_key "$api" '{"name":"bench ops","role":"ops"}')
auth=(-H "Authorization: Bearer $ops" -H 'Content-Type: application/json')
curl -fs "${auth[@]}" -X PUT -H 'If-Match: "0"' -d '{"markets":["spot","on-demand"],"maxWaitBeforeBurstMinutes":30}' "$api/v1/policies/global" >/dev/null
curl -fs "${auth[@]}" -X PUT -H 'If-Match: "0"' -d '{"maxWaitBeforeBurstMinutes":60}' "$api/v1/policies/team-1" >/dev/null
psql_ <<'SQL'
INSERT INTO onprem_nodes (name, gpu_model, gpu_total, gpu_used, state, cpus, memory_mb, last_seen_at, present)
SELECT name, model, gpus, 0, 'Idle', 64, 512000, now(), true FROM (VALUES
  ('g2-01','G2',8),('g2-02','G2',8),('g3-01','G3',8),('t4-01','T4',2),('t4-02','T4',2),('p100-01','P100',2),('v100m32-01','V100M32',4))
  AS n(name, model, gpus);
SQL
# Like openb-hybrid, a few US regions of the seed catalog (about 2,000 offers in all would make both sides' passes 10x slower).
psql_ -c "UPDATE offers SET available = false WHERE region NOT IN ('us-east-1', 'us-west-2', 'eastus', 'us-central1')"
psql_ -c "SELECT coalesce(json_agg(o ORDER BY o.id), '[]') FROM (SELECT id, provider, region, zone, instance_type, gpu_model, gpu_count,
    gpu_memory_gb, on_demand_per_hour::float AS on_demand_per_hour, spot_per_hour::float AS spot_per_hour FROM offers
    WHERE available AND gpu_count > 0 AND provider IN ('aws','azure','gcp')) o" >"$work/offers.json"
psql_ -c "SELECT json_agg(json_build_object('name', name, 'model', gpu_model, 'gpus', gpu_total) ORDER BY name) FROM onprem_nodes" >"$work/nodes.json"

echo "== history: $jobs jobs over 30 days" >&2
replay --scenario "$root/scenarios/openb-hybrid.json" --strategy onprem-only --export-trace "$work/openb.csv" >/dev/null
t0=$(( ($(date +%s) / 86400 - 40) * 86400 )); t1=$(( t0 + 30 * 86400 ))
python3 "$root/bench/what-if/history.py" derive "$work/openb.csv" "$work/jobs.csv" $t0 "$jobs" 30
for p in current proposed; do
    python3 "$root/bench/what-if/history.py" scenario "$work/offers.json" "$work/nodes.json" "$work/seed-$p.json" "$work/jobs.csv" $p "$spot" $t0 $t1 0.6
done
replay --scenario "$work/seed-current.json" --strategy broker --out "$work/seed" >/dev/null
python3 "$root/bench/what-if/history.py" rows "$work/jobs.csv" "$work/seed/decisions-broker.csv" "$work/job-rows.csv" "$work/allocation-rows.csv"
psql_ <<SQL
CREATE TEMP TABLE j (id uuid, team text, state text, gpus int, models text[], duration bigint, deadline bigint, spot bool, checkpoint bigint, submit bigint);
CREATE TEMP TABLE a (id uuid, job uuid, market text, provider text, region text, itype text, node text, model text, gpus int, price numeric, s bigint, e bigint);
\copy j FROM '$work/job-rows.csv' CSV
\copy a FROM '$work/allocation-rows.csv' CSV
INSERT INTO jobs (id, team, name, state, gpu_count, gpu_models, cpu_cores, memory_gb, image, command, estimated_duration, deadline, priority,
    spot_allowed, checkpoint_interval, submitted_at, updated_at, attempts)
SELECT id, team, 'history', state, gpus, models, 4, 16, 'ghcr.io/acme/train:1', '{python,train.py}', make_interval(secs => duration),
    to_timestamp(deadline), 0, spot, make_interval(secs => checkpoint), to_timestamp(submit), to_timestamp(submit), 1 FROM j;
INSERT INTO allocations (id, job_id, market, provider, region, instance_type, node, gpu_model, gpus, price_per_hour, state, "end", created_at,
    started_at, ended_at)
SELECT id, job, market, provider, nullif(region, ''), nullif(itype, ''), nullif(node, ''), model, gpus, price, 'Closed', 'Completed',
    to_timestamp(s), to_timestamp(s), to_timestamp(e) FROM a;
ANALYZE jobs; ANALYZE allocations;
SQL
# The jobs as Broker holds them, in the generic CSV trace format: runtime from their segment, else their estimate.
{
    echo "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s"
    psql_ -F, -c "SELECT j.id, j.team, extract(epoch FROM j.submitted_at)::bigint,
        coalesce(extract(epoch FROM a.ended_at - a.started_at), extract(epoch FROM j.estimated_duration))::bigint, j.gpu_count,
        array_to_string(j.gpu_models, '|'), coalesce(extract(epoch FROM j.deadline)::bigint::text, ''), j.spot_allowed::text,
        coalesce(extract(epoch FROM j.checkpoint_interval)::bigint::text, '')
        FROM jobs j LEFT JOIN allocations a ON a.job_id = j.id WHERE j.submitted_at >= to_timestamp($t0) AND j.submitted_at < to_timestamp($t1)
        ORDER BY j.submitted_at, j.id"
} >"$work/db-jobs.csv"
for p in current proposed; do
    python3 "$root/bench/what-if/history.py" scenario "$work/offers.json" "$work/nodes.json" "$work/$p.json" "$work/db-jobs.csv" $p "$spot" $t0 $t1 0.6
done

echo "== what-if (POST to succeeded)" >&2
from=$(date -u -d "@$t0" +%Y-%m-%dT%H:%M:%SZ); to=$(date -u -d "@$t1" +%Y-%m-%dT%H:%M:%SZ)
start=$(now)
id=$(curl -fs "${auth[@]}" -d "{\"policy\":{\"markets\":[\"on-demand\"]},\"from\":\"$from\",\"to\":\"$to\"}" "$api/v1/policies/global/what-if" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
    curl -fs "${auth[@]}" "$api/v1/what-if/$id" >"$work/run.json"
    state=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["state"])' "$work/run.json")
    [ "$state" = succeeded ] || [ "$state" = failed ] && break
    sleep 0.1
done
what_if_s=$(python3 -c "print(round($(now) - $start, 2))")
[ "$state" = succeeded ] || { cat "$work/run.json" >&2; tail -50 "$work/api.log" >&2; exit 1; }

echo "== replay CLI (both policies)" >&2
start=$(now)
replay --scenario "$work/current.json" --strategy broker >"$work/cli-current.txt"
replay --scenario "$work/proposed.json" --strategy broker >"$work/cli-proposed.txt"
replay_cli_s=$(python3 -c "print(round($(now) - $start, 2))")

python3 - "$work/run.json" "$work/seed/summary.json" "$what_if_s" "$replay_cli_s" "$work/api.log" <<'PY'
import json, re, sys
from datetime import datetime
run, seed = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
# Where the what-if's time went: waiting for a worker, reading the database, replaying, writing the result.
def at(t): return datetime.fromisoformat(t.replace("Z", "+00:00"))
print(f"queued_s={round((at(run['startedAt']) - at(run['createdAt'])).total_seconds(), 2)}")
phases = re.findall(r"read=([0-9.]+)s replay=([0-9.]+)s write=([0-9.]+)s", open(sys.argv[5], errors="replace").read())
if phases:
    read, replay, write = phases[-1]
    print(f"read_s={read} replay_s={replay} write_s={write}")
seed = seed[0] if isinstance(seed, list) else seed
r = run["result"]; cur, pro = r["current"], r["proposed"]
print(f"jobs={r['jobs']}")
print(f"changed_jobs={r['changedJobs']}")
print(f"matches_history={r['matchesHistory']}")
for name, s in (("current", cur), ("proposed", pro)):
    print(f"{name}_cloud_usd={s['cloudSpend']} {name}_spot_usd={s['costByMarket']['spot']} {name}_preemptions={s['preemptions']} "
          f"{name}_wait_p95_s={s['waitP95Seconds']} {name}_deadline_misses={s['deadlineMisses']}")
same = abs(float(cur["cloudSpend"]) - float(seed["cloudCost"])) < 0.01 and cur["preemptions"] == seed["preemptions"]
print(f"cli_current_cloud_usd={seed['cloudCost']} current_matches_cli={'true' if same else 'false'}")
w, c = float(sys.argv[3]), float(sys.argv[4])
print(f"what_if_s={w}")
print(f"replay_cli_s={c}")
print(f"ratio={round(w / c, 2)}")
PY
