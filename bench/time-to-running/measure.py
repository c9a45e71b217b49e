"""Submit -> running through Broker against sbatch -> RUNNING on the same Slurm cluster, trial by trial, alternating.

usage: measure.py run --api URL --key KEY --user UNIX_USER --out DIR --jobs N [--sleep S] [--gap S] [--poll S]
       measure.py headline RESULTS.jsonl      (prints the figures from recorded trials; used by the tests)

Each trial is one job, alone in flight on its side: Broker's is submitted with POST /v1/jobs and GET /v1/jobs/{id} is
polled until the state is running; the plain one is `sbatch --uid USER` of the same shape and `squeue -j` is polled until
RUNNING. Both sides poll at the same period. One JSON line per trial goes to stdout as it completes.
"""
import argparse
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from datetime import datetime

TERMINAL = {"succeeded", "failed", "cancelled"}


def at(text):
    """An RFC 3339 time from the API (up to 7 fractional digits, Z) or Slurm (ISO without zone: the machine's local time)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text).replace("Z", "+00:00")
    value = datetime.fromisoformat(text)
    return value.timestamp() if value.tzinfo else time.mktime(value.timetuple())


def request(method, url, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.load(response)


def broker_trial(args, index):
    body = {
        "name": f"ttr-{index}", "gpu": {"count": 1, "models": ["H100-80GB"]}, "cpuCores": 4, "memoryGb": 16,
        "image": "ghcr.io/acme/train:1.4", "command": ["sleep", str(args.sleep)], "estimatedDurationMinutes": 1,
        "priority": 10, "spot": {"allowed": False},
    }
    start = time.time()
    job = request("POST", f"{args.api}/v1/jobs", args.key, body)
    accepted = time.time()
    while True:
        job = request("GET", f"{args.api}/v1/jobs/{job['id']}", args.key)
        if job["state"] == "running" or job["state"] in TERMINAL or time.time() - start > args.timeout:
            break
        time.sleep(args.poll)
    seen = time.time()
    segment = (job.get("segments") or [{}])[-1]
    submitted = at(job["submittedAt"])
    timeline = {e["kind"]: round(at(e["at"]) - submitted, 3) for e in job.get("timeline") or []}
    return {
        "side": "broker", "trial": index, "state": job["state"], "observed_s": round(seen - start, 3),
        "post_s": round(accepted - start, 3),
        "started_minus_submitted_s": round(at(segment["startedAt"]) - submitted, 3) if segment.get("startedAt") else None,
        "segment_created_minus_submitted_s": round(at(segment["createdAt"]) - submitted, 3) if segment.get("createdAt") else None,
        "node": segment.get("node"), "timeline": timeline,
    }


def slurm(*command):
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def plain_trial(args, index):
    start = time.time()
    job_id = slurm("sbatch", "--parsable", f"--uid={args.user}", "-p", "gpu", "--gres=gpu:h100:1", "--cpus-per-task=4",
                   "--mem=16G", "-t", "2", "-J", f"plain-ttr-{index}", "-D", args.out, "-o", f"{args.out}/plain-%j.log",
                   "--wrap", f"sleep {args.sleep}").strip().split(";")[0]
    accepted = time.time()
    state = ""
    while time.time() - start < args.timeout:
        state = slurm("squeue", "-h", "-j", job_id, "-o", "%T").strip()
        if state != "PENDING":
            break
        time.sleep(args.poll)
    seen = time.time()
    record = dict(re.findall(r"(\w+)=(\S+)", slurm("scontrol", "-o", "show", "job", job_id)))
    own = at(record["StartTime"]) - at(record["SubmitTime"]) if record.get("StartTime", "Unknown") != "Unknown" else None
    return {
        "side": "sbatch", "trial": index, "state": state.lower(), "observed_s": round(seen - start, 3),
        "post_s": round(accepted - start, 3), "started_minus_submitted_s": own, "node": record.get("NodeList"),
        "user": record.get("UserId"),
    }


def quantile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    rank = q * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def headline(trials):
    """The figures, the issue's last: p50/p95 of both sides, what the job records, then overhead_p50_s."""
    lines = []
    sides = {s: [t for t in trials if t["side"] == s] for s in ("broker", "sbatch")}
    for side, rows in sides.items():
        ran = [t["observed_s"] for t in rows if t["state"] == "running"]
        lines.append(f"{side}_trials={len(rows)}")
        lines.append(f"{side}_not_running={len(rows) - len(ran)}")
        lines.append(f"{side}_p50_s={quantile(ran, 0.5):.3f}")
        lines.append(f"{side}_p95_s={quantile(ran, 0.95):.3f}")
        own = [t["started_minus_submitted_s"] for t in rows if t["started_minus_submitted_s"] is not None]
        lines.append(f"{side}_recorded_start_p50_s={quantile(own, 0.5):.3f}")
    broker = [t["observed_s"] for t in sides["broker"] if t["state"] == "running"]
    plain = [t["observed_s"] for t in sides["sbatch"] if t["state"] == "running"]
    lines.append(f"overhead_p95_s={quantile(broker, 0.95) - quantile(plain, 0.95):.3f}")
    lines.append(f"overhead_p50_s={quantile(broker, 0.5) - quantile(plain, 0.5):.3f}")
    return lines


def breakdown(trials):
    """Median seconds from submit to each timeline event of Broker's jobs (where the time goes)."""
    kinds = {}
    for t in trials:
        for kind, offset in (t.get("timeline") or {}).items():
            kinds.setdefault(kind, []).append(offset)
    return [f"  {kind}: p50 {statistics.median(v):.3f} s, max {max(v):.3f} s ({len(v)} jobs)"
            for kind, v in sorted(kinds.items(), key=lambda kv: statistics.median(kv[1]))]


def run(args):
    trials = []
    for index in range(args.jobs):
        # Alternate which side goes first, so a slow moment of the machine falls on both.
        order = (broker_trial, plain_trial) if index % 2 == 0 else (plain_trial, broker_trial)
        for trial in order:
            result = trial(args, index)
            trials.append(result)
            print(json.dumps(result), flush=True)
            time.sleep(args.gap)
    return trials


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--api", required=True)
    r.add_argument("--key", required=True)
    r.add_argument("--user", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--jobs", type=int, default=50)
    r.add_argument("--sleep", type=int, default=3)
    r.add_argument("--gap", type=float, default=0.5)
    r.add_argument("--poll", type=float, default=0.02)
    r.add_argument("--timeout", type=float, default=60)
    h = sub.add_parser("headline")
    h.add_argument("results")
    args = parser.parse_args()
    if args.command == "run":
        run(args)
    else:
        trials = [json.loads(line) for line in open(args.results) if line.strip()]
        print("broker timeline, from submit:", file=sys.stderr)
        for line in breakdown([t for t in trials if t["side"] == "broker"]):
            print(line, file=sys.stderr)
        for line in headline(trials):
            print(line)


if __name__ == "__main__":
    main()
