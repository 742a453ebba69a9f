#!/usr/bin/env python3
"""A/B wall and CPU time of whole dcs processes, runs interleaved.

usage: [N=400] [ARGS='--version'] spawn_ab.py DCS-A DCS-B ...

Each round spawns every binary once (posix_spawn, output to /dev/null) and
waits for it: the wall time around that and the children's CPU time
(getrusage).  Interleaving keeps a noisy machine's drift out of the
comparison.  Default arguments: the no-change apply of issue 15 on
/tmp/same16-ap (see tools/bench/RESULTS.md, same16), run once before.
"""
import os
import resource
import statistics
import sys
import time

DEFAULT = ("apply --mode manual_proxy --proxy p:1 --bypass <local> --windows /tmp/same16-ap/img "
           "--all-services --backup-dir /tmp/same16-ap/bk")
bins = sys.argv[1:]
args = os.environ.get("ARGS", DEFAULT).split()
n = int(os.environ.get("N", "400"))
wall = {b: [] for b in bins}
cpu = {b: [] for b in bins}
devnull = os.open("/dev/null", os.O_WRONLY)
quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
for _ in range(n):
    for b in bins:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter_ns()
        os.waitpid(os.posix_spawn(b, [b] + args, os.environ, file_actions=quiet), 0)
        t1 = time.perf_counter_ns()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall[b].append((t1 - t0) / 1e6)
        cpu[b].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e3)
for b in bins:
    w = sorted(wall[b])
    print(f"{b}: wall median {statistics.median(w):.3f} ms p10 {w[len(w) // 10]:.3f} "
          f"min {w[0]:.3f}; cpu median {statistics.median(cpu[b]):.3f} ms")
