#!/usr/bin/env python3
"""Fills cloud.offers and spotTraces of scenarios/openb-hybrid.json from the price catalogs in ../shared/data/prices.

Usage (from the repo root): python3 scenarios/tools/openb_offers.py scenarios/openb-hybrid.json
Every offer cites its catalog file and line (line 1 is the CSV header). Prices are copied, never changed.
"""
import csv, json, os, sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def shared_prices():
    """../shared/data/prices next to the repo root, or next to one of its ancestors (git worktrees sit deeper)."""
    here = ROOT
    while True:
        candidate = os.path.join(here, "..", "shared", "data", "prices")
        if os.path.isdir(candidate):
            return os.path.normpath(candidate)
        parent = os.path.dirname(here)
        if parent == here:
            sys.exit("../shared/data/prices not found above " + ROOT)
        here = parent


PRICES = shared_prices()
SPOT = "../shared/data/spot/can-t-be-late-traces/availability/1-node/aws-02-15-2023"

AWS_ZONES = {"us-east-1": ["a", "c", "d", "f"], "us-east-2": ["a", "b"], "us-west-2": ["a", "b", "c"]}
AWS_TYPES = {"g4dn.xlarge": ("T4", 16), "g4dn.12xlarge": ("T4", 16), "g4dn.metal": ("T4", 16),
             "g5.xlarge": ("A10G", 24), "g5.12xlarge": ("A10G", 24), "g5.48xlarge": ("A10G", 24),
             "p3.2xlarge": ("V100-16GB", 16), "p3.8xlarge": ("V100-16GB", 16), "p3.16xlarge": ("V100-16GB", 16)}
# Azure and GCP have no public spot availability trace: each region borrows one AWS V100 zone trace (stated in notes).
AZURE_REGIONS = {"eastus": "aws-us-east-1c", "eastus2": "aws-us-east-2b", "westus2": "aws-us-west-2b", "southcentralus": "aws-us-east-1d"}
AZURE_TYPES = {"Standard_NC4as_T4_v3": ("T4", 16), "Standard_NC64as_T4_v3": ("T4", 16), "Standard_NC6s_v3": ("V100-16GB", 16),
               "Standard_NC12s_v3": ("V100-16GB", 16), "Standard_NC24s_v3": ("V100-16GB", 16),
               "Standard_ND40rs_v2": ("V100-32GB", 32), "Standard_NV36ads_A10_v5": ("A10", 24)}
GCP_REGIONS = {"us-central1": "aws-us-east-2a", "us-east1": "aws-us-east-1f", "us-west1": "aws-us-west-2a"}
GCP_TYPES = {"g2-standard-4": ("L4", 24), "g2-standard-48": ("L4", 24), "g2-standard-96": ("L4", 24),
             "a2-highgpu-1g": ("A100-40GB", 40), "a2-highgpu-8g": ("A100-40GB", 40)}


def rows(rel):
    with open(os.path.join(PRICES, rel), newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            yield line, row


def offer(provider, region, zone, itype, model, mem, gpus, od, spot, trace, source):
    return {"provider": provider, "region": region, "zone": zone, "instanceType": itype, "gpuModel": model,
            "gpus": gpus, "gpuMemoryGb": mem, "onDemandPerHour": od, "spotPerHour": spot,
            "spotTrace": trace if spot is not None else None, "source": source}


def build():
    offers, traces = [], {}
    for line, r in rows("aws/aws_gpu_prices_by_region.csv"):
        if r["instance_type"] in AWS_TYPES and r["region"] in AWS_ZONES:
            model, mem = AWS_TYPES[r["instance_type"]]
            for z in AWS_ZONES[r["region"]]:
                zone = r["region"] + z
                key = "aws-" + zone
                traces[key] = f"{SPOT}/{zone}_v100_1.json"
                offers.append(offer("aws", r["region"], zone, r["instance_type"], model, mem, int(r["gpu_count"]),
                                    float(r["ondemand_usd_hr"]), float(r["spot_avg_usd_hr"]), key,
                                    f"prices/aws/aws_gpu_prices_by_region.csv line {line} (spot = spot_avg_usd_hr)"))
    for line, r in rows("azure/azure_gpu_vms.csv"):
        if r["InstanceType"] in AZURE_TYPES and r["Region"] in AZURE_REGIONS:
            model, mem = AZURE_TYPES[r["InstanceType"]]
            spot = float(r["SpotPrice"]) if r["SpotPrice"] else None
            offers.append(offer("azure", r["Region"], None, r["InstanceType"], model, mem, int(r["AcceleratorCount"]),
                                float(r["Price"]), spot, AZURE_REGIONS[r["Region"]],
                                f"prices/azure/azure_gpu_vms.csv line {line}"))
    for line, r in rows("gcp/gcp_gpu_instances_latest.csv"):
        if r["machine_type"] in GCP_TYPES and r["region"] in GCP_REGIONS:
            model, mem = GCP_TYPES[r["machine_type"]]
            offers.append(offer("gcp", r["region"], None, r["machine_type"], model, mem, int(r["gpu_count"]),
                                float(r["hour_ondemand_usd"]), float(r["hour_spot_usd"]), GCP_REGIONS[r["region"]],
                                f"prices/gcp/gcp_gpu_instances_latest.csv line {line}"))
    offers.sort(key=lambda o: (o["provider"], o["region"], o["zone"] or "", o["instanceType"]))
    return offers, dict(sorted(traces.items()))


if __name__ == "__main__":
    path = sys.argv[1]
    with open(path) as f:
        scenario = json.load(f)
    scenario["cloud"]["offers"], scenario["spotTraces"] = build()
    with open(path, "w") as f:
        json.dump(scenario, f, indent=2)
        f.write("\n")
    print(f"{len(scenario['cloud']['offers'])} offers, {len(scenario['spotTraces'])} spot traces")
