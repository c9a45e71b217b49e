#!/usr/bin/env python3
"""Broker's CPU samples by area, from `perf script -F comm,tid,time,ip,sym,dso` of a `perf record -g -p <Broker pid>`
   (run Broker with DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 so /tmp/perf-PID.map names JIT frames).
   perf-areas.py SCRIPT.txt
A sample goes to the JIT or GC by its thread's name, else to the area of the outermost (closest to the root) Broker or
Hangfire frame of its stack, so EF Core and Npgsql time is charged to the Broker code that called it; the cross-cutting
shares (EF, Npgsql, logging, JSON: inclusive; CoreCLR and kernel: leaf) overlap the areas."""
import sys, re, collections
# Classify perf samples of Broker by area: the outermost (closest to the root) Broker/Hangfire frame decides.
rules = [
    ('placement pass', r'Broker\.Core\.(Placement|Scheduling)\.|PlacementRound|PlacementSnapshot'),
    ('provisioning chunk', r'AllocationWorker[^ ]*ProvisionChunk|AllocationWorker[^ ]*LaunchWithView|GuardedComputeProvider[^ ]*Create'),
    ('ledger close / costs', r'Broker\.Core\.Costs'),
    ('instance-event path (recorder, worker, release)', r'InstanceEventRecorder|AllocationWorker|GuardedComputeProvider'),
    ('simulated bridge: log shipping', r'ShipOutput|Broker\.Core\.Logs'),
    ('simulated bridge / cloud (other)', r'SimulatedInstanceBridge|Broker\.Providers\.Simulated'),
    ('submit endpoint', r'JobsEndpoints|JobService|Broker\.Api\.Input|Broker\.Api\.Hosting\.(SecurityHeaders|BodySizeLimit)|Broker\.Api\.Auth|Kestrel|AspNetCore'),
    ('Hangfire', r'Hangfire'),
    ('other Broker', r'Broker\.'),
]
cross = [('EF Core (inclusive)', r'EntityFrameworkCore'), ('Npgsql (inclusive)', r'\[Npgsql\]'),
         ('logging (inclusive)', r'Microsoft\.Extensions\.Logging'), ('System.Text.Json (inclusive)', r'System\.Text\.Json'),
         ('kernel (exclusive leaf)', None)]
samples = []
cur = None
for line in open(sys.argv[1], errors='replace'):
    if not line.strip():
        if cur: samples.append(cur); cur = None
        continue
    if not line.startswith((' ', '\t')):
        m = re.match(r'\s*(.+?)\s+(\d+)\s+([\d.]+):', line)
        cur = [m.group(1) if m else line.strip(), []]
    else:
        cur[1].append(line.strip())
if cur: samples.append(cur)
tot = len(samples)
area = collections.Counter(); crossc = collections.Counter()
t0 = None
for comm, frames in samples:
    if 'Tiered' in comm: a = 'JIT: tiered compilation thread'
    elif 'GC' in comm: a = 'GC threads (server GC, background GC)'
    else:
        a = None
        for f in reversed(frames):  # root first
            for name, rx in rules:
                if re.search(rx, f): a = name; break
            if a: break
        if not a:
            a = 'no Broker/Hangfire frame: ' + ('kernel/other thread' if 'TP Worker' not in comm else 'thread pool (runtime, sockets, unresolved)')
    area[a] += 1
    for name, rx in cross:
        if rx and any(re.search(rx, f) for f in frames): crossc[name] += 1
    if frames and '[kernel' in frames[0]: crossc['kernel (exclusive leaf)'] += 1
    if frames and ('libclrjit' in frames[0]) and 'Tiered' not in comm: crossc['JIT on other threads (leaf in libclrjit)'] += 1
    if frames and ('libcoreclr' in frames[0]): crossc['CoreCLR leaf (GC, alloc, stubs, type checks)'] += 1
print(f'samples {tot}')
for k, v in area.most_common(): print(f'{100*v/tot:5.1f}%  {k}')
print('-- cross-cutting')
for k, v in crossc.most_common(): print(f'{100*v/tot:5.1f}%  {k}')
