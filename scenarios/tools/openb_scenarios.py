#!/usr/bin/env python3
"""Writes the held-out openb scenarios from openb-hybrid.json by openb-hybrid's own rules, not from results.

Usage (from the repo root): python3 scenarios/tools/openb_scenarios.py [--check]
  --check  only prints each window's figures (openb-hybrid's included) and writes nothing.
Scenarios written (everything but the trace, the window, the fleet and the notes on them is openb-hybrid's, unchanged):
- openb-default: openb_pod_list_default.csv, the last 30 days. The same 8,152 pods as gpuspec33 (same times, phases and
  sizes; the two files differ only in gpu_spec, which is empty on every row here), so no job is bound to a GPU model.
- openb-first30: gpuspec33, the first 30 days of the trace's clock (from its first replayed submit).
- openb-early: gpuspec33, every pod submitted before openb-hybrid's window (disjoint arrivals from it).
Rules, the same as openb-hybrid's (its notes):
- jobs: GPU pods that were scheduled (Pending ones have no duration); a fractional GPU counts as one whole GPU;
  duration = deletion_time - scheduled_time; submit = creation_time; the window is [start, end) of submit times and
  "the last N days" ends one second after the last submit (TraceWindow.For).
- peak = the most GPUs in use at once if every job of the window started at its submit (ends before starts at a tie).
- fleet: about 2/3 of that peak, on openb-hybrid's node shapes (node shapes of the openb cluster) in openb-hybrid's
  proportions: one node of every shape first (as openb-hybrid has: a job bound to one model must find a node), then one
  node at a time to the group furthest below its share of the target (ties: file order) until the fleet holds at least
  round(2/3 x peak) GPUs. At openb-hybrid's peak (51) this gives
  exactly openb-hybrid's fleet (34 GPUs), which the script checks.
Nothing here looks at a replay's outcome.
"""
import copy, csv, json, os, sys

from shared_data import ROOT, shared
DATA = "../shared/data/traces/alibaba-gpu-v2023-openb"
DAY = 86400


def jobs(trace):
    """(submit, duration, gpus, gpu_spec) of every replayed job, as AlibabaOpenbTrace reads them."""
    out = []
    with open(shared(trace), newline="") as f:
        for r in csv.DictReader(f):
            if int(r["num_gpu"]) < 1 or r["scheduled_time"] == "":
                continue
            out.append((int(r["creation_time"]), int(r["deletion_time"]) - int(r["scheduled_time"]), int(r["num_gpu"]), r["gpu_spec"]))
    return out


def window_bounds(window, all_jobs):
    last = max(j[0] for j in all_jobs) + 1
    if window.get("lastDays") is not None:
        return last - round(window["lastDays"] * DAY), last
    return window.get("startS", min(j[0] for j in all_jobs)), window.get("endS", last)


def figures(trace, window):
    all_jobs = jobs(trace)
    start, end = window_bounds(window, all_jobs)
    sel = [j for j in all_jobs if start <= j[0] < end]
    events = sorted([(s, g) for s, _, g, _ in sel] + [(s + d, -g) for s, d, g, _ in sel])
    level = peak = 0
    for _, delta in events:
        level += delta
        peak = max(peak, level)
    return {"start": start, "end": end, "jobs": len(sel), "gpu_hours": round(sum(d * g for _, d, g, _ in sel) / 3600, 1),
            "constrained": sum(1 for j in sel if j[3]), "peak": peak, "target": round(peak * 2 / 3)}


def fleet(groups, target):
    total = sum(g["count"] * g["gpusPerNode"] for g in groups)
    counts = [1] * len(groups)
    while sum(c * g["gpusPerNode"] for c, g in zip(counts, groups)) < target:
        deficit = [g["count"] * g["gpusPerNode"] / total * target - c * g["gpusPerNode"] for c, g in zip(counts, groups)]
        counts[deficit.index(max(deficit))] += 1
    return [dict(g, count=c) for g, c in zip(groups, counts) if c > 0]


def describe(nodes):
    return ", ".join(f"{n['count']}x {n['gpuModel']} {n['gpusPerNode']}-GPU" for n in nodes)


def main():
    base = json.load(open(os.path.join(ROOT, "scenarios", "openb-hybrid.json")))
    groups = base["onPrem"]["nodes"]
    ref = figures(base["trace"]["path"], base["window"])
    check = fleet(groups, ref["target"])
    if check != groups:
        sys.exit(f"the fleet rule does not reproduce openb-hybrid's fleet at its own peak: {describe(check)}")
    print(f"openb-hybrid: {ref} -> {describe(groups)} (reproduced)")
    gpuspec = base["trace"]["path"]
    default = DATA + "/openb_pod_list_default.csv"
    first = min(j[0] for j in jobs(gpuspec))
    specs = [
        ("openb-default", default, {"lastDays": 30},
         "Trace: Alibaba cluster-trace-gpu-v2023 openb_pod_list_default.csv, read in place from ../shared/data. It holds the same 8,152 pods as openb_pod_list_gpuspec33.csv (same names, sizes, phases and times; only gpu_spec differs, and it is empty on every row here), so no job is bound to a GPU model: every job may run on any on-prem node or cloud offer. The held-out scenario of issue 13: no scenario was tuned on this file, but its arrivals and durations are openb-hybrid's.",
         "Window: the last 30 days of pod creation times, as openb-hybrid."),
        ("openb-first30", gpuspec, {"startS": first, "endS": first + 30 * DAY},
         "Trace: openb_pod_list_gpuspec33.csv, as openb-hybrid, read in place from ../shared/data.",
         f"Window: the FIRST 30 days of the trace's clock, [{first}, {first + 30 * DAY}) s from the first replayed submit; openb-hybrid replays the last 30. Almost every pod of the trace arrives in its last 35 days, so this window is nearly empty."),
        ("openb-early", gpuspec, {"startS": first, "endS": ref["start"]},
         "Trace: openb_pod_list_gpuspec33.csv, as openb-hybrid, read in place from ../shared/data.",
         f"Window: every pod submitted before openb-hybrid's window, [{first}, {ref['start']}) s: arrivals disjoint from openb-hybrid's (pods still running when openb-hybrid's window opens are replayed here, not there)."),
    ]
    for name, trace, window, trace_note, window_note in specs:
        fig = figures(trace, window)
        nodes = fleet(groups, fig["target"])
        gpus = sum(n["count"] * n["gpusPerNode"] for n in nodes)
        print(f"{name}: {fig} -> {describe(nodes)} = {gpus} GPUs")
        if "--check" in sys.argv:
            continue
        scenario = copy.deepcopy(base)
        scenario["name"] = name
        scenario["trace"]["path"] = trace
        scenario["window"] = window
        scenario["onPrem"]["nodes"] = nodes
        notes = [n for n in base["notes"] if not n.startswith(("Trace:", "Window:", "On-prem fleet:"))]
        constrained = "no job has a GPU-model constraint" if fig["constrained"] == 0 else f"{fig['constrained']} carry a GPU-model constraint"
        scenario["notes"] = [
            f"Written by scenarios/tools/openb_scenarios.py from openb-hybrid.json: everything but the trace, the window and the fleet is openb-hybrid's (offers, spot traces, estimates, teams, priorities, checkpointing, deadlines, policy, simulation), unchanged; no engine parameter differs.",
            trace_note, window_note,
            f"Window figures (the script's): {fig['jobs']} GPU jobs, {fig['gpu_hours']} GPU-hours, {constrained}; peak {fig['peak']} concurrent GPUs if every job started at its submit (openb-hybrid's window: {ref['jobs']} jobs, peak {ref['peak']}).",
            f"On-prem fleet: {gpus} GPUs ({describe(nodes)}): at least round(2/3 x {fig['peak']}) = {fig['target']} GPUs on openb-hybrid's node shapes (node shapes of the openb cluster) in openb-hybrid's proportions, one node of every shape, then one node at a time to the group furthest below its share (the rule reproduces openb-hybrid's 34 GPUs at its peak of {ref['peak']}). GPU memory for G2/G3 is unknown (0); no pod requests GPU memory.",
        ] + notes
        with open(os.path.join(ROOT, "scenarios", f"{name}.json"), "w") as out:
            json.dump(scenario, out, indent=2)
            out.write("\n")


main()
