#!/usr/bin/env python3
"""Seeds demo keys (two teams, ops, finance) and a few jobs through Broker's own API, once, and prints how to use them."""
import json
import pathlib
import sys
import urllib.request

url, state = sys.argv[1], pathlib.Path(sys.argv[2])
admin = (state / "admin.key").read_text().strip()
keys_file = state / "demo-keys.json"


def call(method, path, key, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


if keys_file.exists():
    keys = json.loads(keys_file.read_text())
else:
    keys = {}
    for name, role, team in [("vision", "submitter", "vision"), ("nlp", "submitter", "nlp"), ("ops", "ops", None), ("finance", "finance", None)]:
        keys[name] = call("POST", "/v1/api-keys", admin, {"name": f"demo {name}", "role": role, "team": team})["key"]
    keys_file.write_text(json.dumps(keys, indent=2))
    keys_file.chmod(0o600)

# On-prem jobs run their command on the local Slurm nodes (short sleeps); cloud jobs run on the simulated clouds for their
# estimated duration. The A10G and T4 jobs have no on-prem GPU model, so they burst.
demo_jobs = [
    ("vision", "resnet50-train", 2, ["H100-80GB", "A100-80GB"], 90, True, ["sleep", "60"]),
    ("vision", "vit-finetune", 8, ["H100-80GB"], 240, True, ["sleep", "120"]),
    ("nlp", "llama-eval", 1, ["A10G"], 30, False, ["python", "eval.py"]),
    ("nlp", "bert-sweep-7", 4, ["T4"], 60, True, ["python", "sweep.py", "--trial", "7"]),
]
for team, name, gpus, models, minutes, spot, command in demo_jobs:
    call("POST", "/v1/jobs", keys[team], {
        "name": name, "gpu": {"count": gpus, "models": models}, "cpuCores": 8 * gpus, "memoryGb": 32 * gpus,
        "image": "ghcr.io/acme/trainer:1.0", "command": command, "estimatedDurationMinutes": minutes,
        "priority": 10, "spot": {"allowed": spot, "checkpointIntervalMinutes": 15 if spot else None},
        "labels": {"demo": "true"},
    }, {"Idempotency-Key": f"demo-{name}"})
    # the same key and body on a later run returns the first job: the demo is seeded once

print(f"""
Broker is running at {url}   (API reference: {url}/docs, background jobs: {url}/hangfire with an ops key)

Keys (also in {keys_file}; the admin key is in {state / 'admin.key'}):
  admin     {admin}
  vision    {keys['vision']}   (submitter, team vision)
  nlp       {keys['nlp']}   (submitter, team nlp)
  ops       {keys['ops']}
  finance   {keys['finance']}

Try:
  curl -s -H "Authorization: Bearer {keys['vision']}" {url}/v1/jobs | python3 -m json.tool
Ctrl-C stops the API; `scripts/run.sh stop` also stops the local PostgreSQL and Slurm.
""", flush=True)
