"""The registry part of `make bench`: run bench/registry.py's cells and write their section.

Kept apart from run.py and report.py so the registry's numbers and history live in one file.
The real Windows 10 SYSTEM hive is not in the repository (15 MB); put it at the path in
CHECKUP_BENCH_SYSTEM_HIVE (default /tmp/SYSTEM_WIN_10_1709; how to get it: tests/data/real/README.md).
"""
from __future__ import annotations

import os
from pathlib import Path

REAL_HIVE = os.environ.get("CHECKUP_BENCH_SYSTEM_HIVE", "/tmp/SYSTEM_WIN_10_1709")
TARGET_S = 5.0

# Measured once with the code before the change (commit 4046053), same machine, same script.
BEFORE = """\
Before (commit 4046053, same script and machine): regipy's `get_subkey(name)` parsed every
sibling until the name matched and the sources asked `for name in key.subkeys():
key.subkey(name)`; every value look-up parsed all values; and regipy read `size` bytes for
every small value stored in its record — a copy of the rest of the hive for every DWORD.

| services | programs | services source | programs source | whole scan |
|---:|---:|---:|---:|---:|
| 700 | 250 | 16.8 s | 3.2 s | 22.0 s |
| 700 | 500 | 17.1 s | 10.5 s | 37.2 s |
| 700 | 1,000 | 19.2 s | 47.7 s | 53.6 s: programs stopped at the time limit, SYSTEM then read as "damaged" |
| real Windows 10 1709 SYSTEM (290 services) | – | 64.8 s | – | services stopped at the time limit, SYSTEM "damaged" |

After: each key's sub-keys and values are parsed once and indexed by name, paths are walked
from the nearest known key, a small value reads nothing (`checks/sources/registry.py`); each
thread reads a hive through its own stream, and a step that overruns is asked to stop
(`checks/deadline.py`), so a time-out no longer spoils the next step.
"""


def run(child, quick: bool) -> dict:
    cells = [(700, 1250), (700, 5000), (700, 20000), (5600, 5000)] if quick else \
        [(700, 1250), (700, 2500), (700, 5000), (700, 10000), (700, 20000), (1400, 5000), (2800, 5000), (5600, 5000)]
    out = {"cells": [child("registry.py", str(s), str(p)) for s, p in cells]}
    if Path(REAL_HIVE).is_file():
        out["real"] = child("registry.py", "--hive", REAL_HIVE)
    return out


def render(r: dict) -> list[str]:
    lines = ["## The Windows registry (offline disks)", "",
             "`bench/registry.py` writes a SOFTWARE/SYSTEM pair with realistic neighbours (each service with its "
             "Parameters key and the values Windows writes, half as many drivers, 12 values per uninstall entry, "
             "300 Image File Execution Options programs, 3,000 class keys) and measures the CPU time of the process "
             "(all threads) for the whole offline Windows scan (every Windows source and check, shipped signatures), "
             "and for the services and installed-programs sources alone. Each cell is a fresh process.", "",
             "| services | programs | services source | programs source | whole scan | peak RSS |",
             "|---:|---:|---:|---:|---:|---:|"]
    for c in r["cells"]:
        lines.append(f"| {c['services']:,} | {c['programs']:,} | {c['services_cpu_s']:.2f} s | {c['apps_cpu_s']:.2f} s "
                     f"| {c['scan_cpu_s']:.2f} s | {c['peak_rss_mb']:.0f} MB |")
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
                  f"of CPU (target < {TARGET_S:.0f} s)."]
    else:
        lines += [f"Real SYSTEM hive: not measured in this run (put it at {REAL_HIVE}; see tests/data/real/README.md)."]
    return lines + ["", BEFORE]
