#!/usr/bin/env python3
"""CPU seconds (user + system) used so far by a process and, with --tree, its live children and its reaped ones.
   cpu-seconds.py PID [--tree]
For PostgreSQL pass the postmaster with --tree: backends are its children, and an exited backend's time is in the
postmaster's cutime/cstime once reaped."""
import os
import sys

tick = os.sysconf("SC_CLK_TCK")


def fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        raw = f.read()
    # comm may hold spaces or parentheses: split after the last ')'.
    return raw[raw.rindex(")") + 2:].split()


def own(pid):
    f = fields(pid)
    return int(f[11]) + int(f[12])  # utime, stime (fields 14, 15)


def reaped(pid):
    f = fields(pid)
    return int(f[13]) + int(f[14])  # cutime, cstime


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(fields(entry)[1]) == pid:
                    out.append(int(entry))
            except (OSError, ValueError):
                pass
    return out


pid = int(sys.argv[1])
ticks = own(pid)
if "--tree" in sys.argv[2:]:
    ticks += reaped(pid)
    for child in children(pid):
        try:
            ticks += own(child)
        except OSError:
            pass
print(f"{ticks / tick:.2f}")
