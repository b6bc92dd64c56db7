"""The registry part of `make bench`: run bench/registry.py's cells and write their block.

Kept apart from run.py and report.py so the registry's numbers live in one file; their history
(before/after tables measured once) is written by hand in docs/performance.md, around the block.
The real Windows 10 SYSTEM hive is not in the repository (15 MB); put it at the path in
CHECKUP_BENCH_SYSTEM_HIVE (default /tmp/SYSTEM_WIN_10_1709; how to get it: tests/data/real/README.md).
"""
from __future__ import annotations

import os
from pathlib import Path

REAL_HIVE = os.environ.get("CHECKUP_BENCH_SYSTEM_HIVE", "/tmp/SYSTEM_WIN_10_1709")
TARGET_S = 5.0

def run(child, quick: bool) -> dict:
    cells = [(700, 1250), (700, 5000), (700, 20000), (5600, 5000)] if quick else \
        [(700, 1250), (700, 2500), (700, 5000), (700, 10000), (700, 20000), (1400, 5000), (2800, 5000), (5600, 5000)]
    out = {"cells": [child("registry.py", str(s), str(p)) for s, p in cells]}
    if not quick:       # a SOFTWARE hive of real size (~100 MB): read in pieces, not held whole
        out["cells"].append(child("registry.py", "700", "5000", "--classes", "200000"))
    if Path(REAL_HIVE).is_file():
        out["real"] = child("registry.py", "--hive", REAL_HIVE)
    return out


def render(r: dict) -> list[str]:
    lines = ["`bench/registry.py` writes a SOFTWARE/SYSTEM pair with realistic neighbours (each service with its "
             "Parameters key and the values Windows writes, half as many drivers, 12 values per uninstall entry, "
             "300 Image File Execution Options programs, 3,000 class keys, and in the last row 200,000 COM class keys, "
             "which make SOFTWARE as large as a real one) and measures, in a fresh process, the CPU time (all "
             "threads) of the whole offline Windows scan (every Windows source and check, shipped signatures) and "
             "of the services and installed-programs sources alone, and the process's memory: with the signature "
             "set loaded, before any hive is read, and at its peak.", "",
             "| services | programs | SOFTWARE | services source | programs source | whole scan | memory before → peak |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for c in r["cells"]:
        before = f"{c['rss_before_mb']:.0f} → " if "rss_before_mb" in c else ""
        size = f"{c['software_mb']:.0f} MB" if "software_mb" in c else ""
        lines.append(f"| {c['services']:,} | {c['programs']:,} | {size} | {c['services_cpu_s']:.2f} s | "
                     f"{c['apps_cpu_s']:.2f} s | {c['scan_cpu_s']:.2f} s | {before}{c['peak_rss_mb']:.0f} MB |")
    target = next((c for c in r["cells"] if (c["services"], c["programs"]) == (700, 5000)), None)
    if target:
        ok = "meets the target" if target["scan_cpu_s"] < TARGET_S else "**misses the target**"
        lines += ["", f"700 services and 5,000 programs: **{target['scan_cpu_s']:.1f} s** of CPU for the whole scan "
                      f"(target < {TARGET_S:.0f} s) — {ok}."]
    real = r.get("real")
    lines += [""]
    if real:
        lines += [f"Real SYSTEM hive `{real['hive']}` ({real['bytes'] / 2**20:.0f} MB, {real['services_records']} "
                  f"services): services source **{real['services_cpu_s']:.2f} s**, whole scan {real['scan_cpu_s']:.2f} s "
                  f"of CPU (target < {TARGET_S:.0f} s), peak memory {real['peak_rss_mb']:.0f} MB."]
    else:
        lines += [f"Real SYSTEM hive: not measured in this run (put it at {REAL_HIVE}; see tests/data/real/README.md)."]
    return lines
