#!/usr/bin/env python3
"""CPU seconds a process's threads use from now until STOP_FILE appears (or the process exits), by thread group:
   the runtime's tiered JIT compiler thread (".NET Tiered Com..."), its GC threads (".NET Server GC", ".NET BGC"), and
   the rest. Samples /proc/PID/task every 0.5 s, so a thread that exits loses at most its last 0.5 s (the tiered
   compiler's thread exits when idle and comes back when there is work: each instance is counted).
   thread-cpu.py PID STOP_FILE   prints: jit=S gc=S rest=S"""
import collections
import os
import sys
import time

pid, stop = int(sys.argv[1]), sys.argv[2]
tick = os.sysconf("SC_CLK_TCK")


def snapshot():
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                raw = f.read()
        except OSError:
            continue
        rest = raw[raw.rindex(")") + 2:].split()
        threads[tid] = (raw[raw.index("(") + 1:raw.rindex(")")], int(rest[11]) + int(rest[12]))
    return threads


def group(comm):
    return "jit" if "Tiered" in comm else "gc" if "GC" in comm else "rest"


first = snapshot()
last = dict(first)
while not os.path.exists(stop) and os.path.exists(f"/proc/{pid}"):
    time.sleep(0.5)
    try:
        last.update(snapshot())
    except OSError:
        break
used = collections.Counter()
for tid, (comm, ticks) in last.items():
    used[group(comm)] += ticks - first.get(tid, (comm, 0))[1]
print(" ".join(f"{g}={used[g] / tick:.2f}" for g in ("jit", "gc", "rest")))
