#!/usr/bin/env python3
"""Writes scenarios/philly-ee9e8c.json, scenarios/philly-11cb48.json and scenarios/philly-ee9e8c-gangs.json from rules, not
from results.

Usage (from the repo root): python3 scenarios/tools/philly_scenarios.py
Rules (the same as openb-hybrid's, stated in each file's notes):
- on-prem: 8-GPU V100 nodes, as many as give about 2/3 of the peak concurrent GPU demand if every job that fits a node
  started at its submit (openb-hybrid's ~2/3-of-peak rule); durations from Gavel's V100 throughputs (SOURCE.txt).
- cloud: the V100 offers of openb-hybrid.json (copied with their sources and spot traces, prices unchanged).
- policy, checkpointing, deadlines, boot/billing and pass interval: openb-hybrid's.
- philly-ee9e8c-gangs: the same VC and rules, but the 2/3-of-peak rule counts every job (gangs of 16-32 GPUs included),
  since the replay now runs jobs larger than a node as gangs over whole nodes of one model.
Nothing here looks at a replay's outcome.
"""
import json, math, os, re, sys

from shared_data import ROOT, shared
DATA = "../shared/data/traces/gavel-philly"


def strip_comments(text):
    return re.sub(r"^\s*//.*$", "", text, flags=re.M)


def peak_demand(trace, rates, node_gpus=None):
    events = []
    for line in open(trace):
        f = line.rstrip("\n").split("\t")
        job_type, steps, arrival, scale = f[0], int(f[4]), float(f[5]), int(f[6])
        if node_gpus is not None and scale > node_gpus:
            continue
        rate = rates.get("('%s', %d)" % (job_type, scale)) or rates["('%s', 1)" % job_type]
        duration = math.ceil(steps / rate["null"])
        events += [(round(arrival), scale), (round(arrival) + duration, -scale)]
    level = peak = 0
    for _, delta in sorted(events, key=lambda e: (e[0], e[1])):
        level += delta
        peak = max(peak, level)
    return peak


def main():
    openb = json.loads(strip_comments(open(os.path.join(ROOT, "scenarios", "openb-hybrid.json")).read()))
    rates = json.load(open(shared(DATA + "/simulation_throughputs.json")))["v100"]
    v100 = [o for o in openb["cloud"]["offers"] if o["gpuModel"].startswith("V100")]
    traces = {o["spotTrace"] for o in v100 if o.get("spotTrace")}
    node_gpus = 8
    for vc, gangs in (("ee9e8c", False), ("11cb48", False), ("ee9e8c", True)):
        peak = peak_demand(shared(f"{DATA}/{vc}.trace"), rates, None if gangs else node_gpus)
        nodes = max(1, round(peak * 2 / 3 / node_gpus))
        name = f"philly-{vc}" + ("-gangs" if gangs else "")
        counted = "every job (gangs included)" if gangs else "every job that fits a node"
        scenario = {
            "name": name,
            "notes": (([f"Differs from philly-{vc}.json only in the fleet: the 2/3-of-peak rule below counts every job, the gang-sized ones (16-32 GPUs) included, since they now run as gangs; {nodes} nodes of {node_gpus} GPUs hold a 16-GPU gang on 2 nodes and a 32-GPU gang on 4. The multi-node scenario of bench/replay-philly."] if gangs else []) + [
                f"Trace: Gavel's conversion of Microsoft Philly virtual cluster {vc} ({DATA}/{vc}.trace, read in place): arrivals and GPU counts are Philly's; job types and so durations come from Gavel's throughput model (duration = total_steps / the type's V100 steps/s at its scale, the 1-GPU figure where the scale is absent; SOURCE.txt).",
                "Window: the whole file (2,000 jobs; its own zero-based clock). Jobs of more GPUs than any node (16-64) run as gangs (ADR 0012): on-prem over whole 8-GPU nodes of one model (16 GPUs on 2 nodes, 32 on 4), in the cloud over equal instances of one type in one zone, all or nothing; only a job no node set or instance gang could ever hold would be reported as unplaceable.",
                "Jobs accept V100-16GB or V100-32GB (Gavel's durations are V100 figures); durations do not depend on the model.",
                "Teams: team-0..team-3 by hash of the job id (Philly has no user column here); equal weights; no budgets.",
                "Spot tolerance: half of the jobs by hash (Philly has no QoS); checkpointing, deadlines, policy, boot, billing and pass interval as openb-hybrid (half of the spot-tolerant jobs of >= 1 h checkpoint every 30 min; 20% of jobs get deadline = submit + 3 x duration + 30 min; max wait 30 min, $4/GPU-h cap).",
                f"On-prem: {nodes} nodes of {node_gpus} V100-32GB at $0.60/GPU-h = about 2/3 of the peak concurrent demand ({peak} GPUs) if {counted} started at its submit (openb-hybrid's rule); not tuned to any replay.",
                f"Cloud: the {len(v100)} V100 offers of openb-hybrid.json with their price sources and spot traces, unchanged.",
                "User estimates: limits drawn per team from the Blue Waters GPU jobs' actual/requested ratios (see docs/replay.md, Estimates); the engine plans with runtimes learned from jobs finished so far.",
            ]),
            "trace": {"path": f"{DATA}/{vc}.trace", "format": "gavel-philly"},
            "window": {},
            "philly": {
                "throughputs": f"{DATA}/simulation_throughputs.json",
                "teams": 4,
                "gpuModels": ["V100-16GB", "V100-32GB"],
                "spotOkFraction": 0.5,
                "checkpointFraction": openb["alibaba"]["checkpointFraction"],
                "checkpointIntervalS": openb["alibaba"]["checkpointIntervalS"],
                "checkpointMinDurationS": openb["alibaba"]["checkpointMinDurationS"],
            },
            "deadlines": openb["deadlines"],
            "estimates": openb.get("estimates", {"mode": "bluewaters",
                                                 "path": "../shared/data/estimates/bluewaters-gpu/blue_waters_data_training.csv"}),
            "onPrem": {"ratePerGpuHour": openb["onPrem"]["ratePerGpuHour"],
                       "nodes": [{"prefix": "v100", "count": nodes, "gpusPerNode": node_gpus, "gpuModel": "V100-32GB", "gpuMemoryGb": 32}]},
            "cloud": {**{k: v for k, v in openb["cloud"].items() if k != "offers"}, "offers": v100},
            "spotTraces": {k: v for k, v in openb["spotTraces"].items() if k in traces},
            # The policy the Philly scenarios were first written with: openb-hybrid's before it gained maxSlowdown (kept so
            # that re-running this tool reproduces the committed files).
            "policy": {"default": {k: openb["policy"]["default"][k] for k in ("allowBurst", "allowSpot", "maxWaitMinutes", "maxPricePerGpuHour")}},
            "simulation": openb["simulation"],
        }
        with open(os.path.join(ROOT, "scenarios", f"{name}.json"), "w") as out:
            json.dump(scenario, out, indent=2)
            out.write("\n")
        print(f"{name}: peak {peak} GPUs -> {nodes} x {node_gpus}-GPU nodes")


main()
