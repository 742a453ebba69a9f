#!/usr/bin/env python3
"""A/B wall time of a `dcs apply` that changes all three hives, runs interleaved.

usage: [N=100] [CLEAN=1] change_ab.py DCS-A DCS-B ...

Each binary gets its own copy of the three-hive sample image (the hives of
tests/data/hives as LocalSystem's DEFAULT and the NTUSER.DAT of LocalService
and NetworkService) in $TMPDIR or /tmp; each round runs every binary once
with the proxy the hives do not have yet (two proxies in turn), so every run
commits three hives and writes their backups.  Interleaving keeps a noisy
machine's drift out of the comparison.  CLEAN=1 empties the backup
directories every 20 rounds.

On an ext4 without a journal (this VM's), the inode allocator skips inodes
freed in the last minutes, one lookup each: every file a run deletes makes
later creations in that block group slower, so a long loop slows itself
down (creation measured at 110 us at rest, 650 us after 400 runs).  Compare
binaries in one run; absolute times drift.
"""
import os
import shutil
import statistics
import sys
import tempfile
import time

src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "data", "hives")
layout = (("hivex-minimal", "img/Windows/System32/config/DEFAULT"),
          ("yarp-EmptyHive", "img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"),
          ("ez-NTUSER1.DAT", "img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"))
bins = sys.argv[1:]
if not bins:
    sys.exit(__doc__)
n = int(os.environ.get("N", "100"))
work = tempfile.mkdtemp(prefix="dcs-change-ab.")
imgs = []
for i, _ in enumerate(bins):
    root = os.path.join(work, str(i))
    for s, d in layout:
        os.makedirs(os.path.dirname(os.path.join(root, d)), exist_ok=True)
        shutil.copy(os.path.join(src, s), os.path.join(root, d))
    imgs.append(root)
devnull = os.open("/dev/null", os.O_WRONLY)
quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
wall = {b: [] for b in bins}
try:
    for r in range(n + 2):  # two untimed rounds: first backups, warm caches
        for i, b in enumerate(bins):
            args = [b, "apply", "--mode", "manual_proxy", "--proxy", f"p{r % 2}.example:3128",
                    "--bypass", "<local>", "--windows", f"{imgs[i]}/img", "--all-services",
                    "--backup-dir", f"{imgs[i]}/bk"]
            t0 = time.perf_counter_ns()
            _, st = os.waitpid(os.posix_spawn(b, args, os.environ, file_actions=quiet), 0)
            t1 = time.perf_counter_ns()
            if st != 0:
                sys.exit(f"{b}: exit status {st}")
            if r >= 2:
                wall[b].append((t1 - t0) / 1e6)
        if os.environ.get("CLEAN") and r % 20 == 19:
            for im in imgs:
                shutil.rmtree(f"{im}/bk", ignore_errors=True)
finally:
    shutil.rmtree(work, ignore_errors=True)
for b in bins:
    w = sorted(wall[b])
    print(f"{b}: changing apply wall median {statistics.median(w):.3f} ms "
          f"p10 {w[len(w) // 10]:.3f} min {w[0]:.3f}")
