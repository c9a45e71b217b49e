#!/usr/bin/env python3
"""Helpers for bench/what-if/run.sh: derive 10,000 jobs from the openb 30-day window, write replay scenarios that match
Broker's database (offers, nodes, policies), and turn a replay's decisions into history rows (jobs, allocations) to load."""
import csv, json, sys, uuid

NS = uuid.UUID("6f1c1d2e-0000-4000-8000-000000000001")
HEADER = "job_id,team,submit_s,duration_s,gpus,gpu_models,deadline_s,spot_ok,checkpoint_s"


def derive(src, out, t0, count, days):
    """The openb window twice (the copy a week later, wrapped inside the window), first `count` by submit; times on the
    unix clock from t0; ids become stable UUIDs (the database's job ids)."""
    rows = list(csv.DictReader(open(src)))
    start = min(int(r["submit_s"]) for r in rows)
    span = days * 86400
    jobs = []
    for copy in (0, 1):
        for r in rows:
            rel = (int(r["submit_s"]) - start + copy * 7 * 86400) % span
            shift = t0 + rel - int(r["submit_s"])
            jid = str(uuid.uuid5(NS, f"{r['job_id']}#{copy}"))
            dl = r["deadline_s"]
            jobs.append({**r, "job_id": jid, "submit_s": t0 + rel, "deadline_s": str(int(dl) + shift) if dl else ""})
    jobs.sort(key=lambda j: (j["submit_s"], j["job_id"]))
    jobs = jobs[:count]
    with open(out, "w") as f:
        f.write(HEADER + "\n")
        for j in jobs:
            f.write(",".join(str(j[k]) for k in HEADER.split(",")) + "\n")


def scenario(offers_json, nodes_json, out, jobs_csv, policy, spot_trace, start_s, end_s, rate):
    offers = json.load(open(offers_json))
    nodes = json.load(open(nodes_json))
    spot_ok = policy == "current"
    s = {
        "name": f"what-if bench ({policy})",
        "notes": ["offers, nodes and policies exported from the bench's Broker database"],
        "trace": {"path": jobs_csv, "format": "csv"},
        "window": {"startS": start_s, "endS": end_s},
        "onPrem": {"ratePerGpuHour": rate, "nodes": [
            {"prefix": n["name"], "count": 1, "gpusPerNode": n["gpus"], "gpuModel": n["model"], "gpuMemoryGb": 12, "names": [n["name"]]}
            for n in nodes]},
        "cloud": {"startupS": 120, "minimumBilledS": 60, "blockTtlS": 300, "spotRateWindowS": 604800, "offers": [
            {"provider": o["provider"], "region": o["region"], "zone": o["zone"], "instanceType": o["instance_type"],
             "gpuModel": o["gpu_model"], "gpus": o["gpu_count"], "gpuMemoryGb": int(o["gpu_memory_gb"] or 12),
             "onDemandPerHour": o["on_demand_per_hour"], "spotPerHour": o["spot_per_hour"] if (o["spot_per_hour"] or 0) > 0 else None,
             "spotTrace": "spot-trace" if (o["spot_per_hour"] or 0) > 0 else None, "source": f"offers row {o['id']}"}
            for o in offers]},
        "spotTraces": {"spot-trace": spot_trace},
        "policy": {"default": {"allowBurst": True, "allowSpot": spot_ok, "maxWaitMinutes": 30, "maxPricePerGpuHour": None},
                   "teams": {"team-1": {"allowBurst": True, "allowSpot": spot_ok, "maxWaitMinutes": 60, "maxPricePerGpuHour": None}}},
        "simulation": {"passIntervalS": 15, "drainDays": 60, "sampleIntervalS": 3600},
    }
    json.dump(s, open(out, "w"), indent=1)


def rows(jobs_csv, decisions_csv, jobs_out, allocations_out):
    """One row per job and one closed allocation per job: where the replay first placed it, for as long as it really ran."""
    first = {}
    for d in csv.DictReader(open(decisions_csv)):
        if d["job_id"] not in first or int(d["start_s"]) < int(first[d["job_id"]]["start_s"]):
            first[d["job_id"]] = d
    iso = lambda s: f"{int(s)}"
    with open(jobs_out, "w") as jf, open(allocations_out, "w") as af:
        jw, aw = csv.writer(jf), csv.writer(af)
        for j in csv.DictReader(open(jobs_csv)):
            d = first.get(j["job_id"])
            ran = d is not None
            models = "{" + ",".join(m for m in j["gpu_models"].split("|") if m) + "}"
            jw.writerow([j["job_id"], j["team"], "Succeeded" if ran else "Pending", j["gpus"], models, j["duration_s"], j["deadline_s"],
                         j["spot_ok"], j["checkpoint_s"], j["submit_s"]])
            if ran:
                onprem = d["location"] == "onprem"
                market = {"onprem": "OnPrem", "spot": "Spot", "ondemand": "OnDemand"}[d["market"]]
                aw.writerow([str(uuid.uuid5(NS, j["job_id"] + "#a")), j["job_id"], market, "slurm" if onprem else d["provider"],
                             "" if onprem else d["region"], "" if onprem else d["instance_type"], d["node"] if onprem else "",
                             d["gpu_model"], d["gpus"], d["price_per_hour"], d["start_s"], int(d["start_s"]) + int(j["duration_s"])])


if __name__ == "__main__":
    cmd, *a = sys.argv[1:]
    if cmd == "derive":
        derive(a[0], a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "scenario":
        scenario(a[0], a[1], a[2], a[3], a[4], a[5], int(a[6]), int(a[7]), float(a[8]))
    elif cmd == "rows":
        rows(a[0], a[1], a[2], a[3])
    else:
        sys.exit(f"unknown command {cmd}")
