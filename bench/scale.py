"""Match a synthetic snapshot of N records against a synthetic signature set of M indicators.

    python bench/scale.py RECORDS INDICATORS

Records are a third each processes, connections and autostart entries; indicators are a mix of
process names (exact and globs), executable paths, domains, IPs/CIDRs and autostart names, with
a few that really match so the matching path is exercised. Prints time (median of repeats) and
the peak memory the match added (tracemalloc) and the process's peak RSS (Python, the compiled
set and the snapshot included), as JSON.
"""
from __future__ import annotations

import json
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))


def signature_text(n: int, rng: random.Random) -> str:
    fams = []
    per = 10                                 # indicators per family, as written below
    for f in range(max(1, n // per)):
        ind = {
            "process_names": [f"agent{f}x{i}.exe" for i in range(3)] + [f"mon{f}*.exe"],
            "executable_paths": [f"C:\\ProgramData\\Vendor{f}\\*\\svc{f}.exe"],
            "domains": [f"c2-{f}.example-{f % 97}.net", f"panel{f}.example.org", f"upload{f}.example.com"],
            "ips": [f"10.{(f >> 8) & 255}.{f & 255}.0/24" if f % 2 else f"192.0.{f % 256}.{(f // 256) % 256}"],
            "autostart_names": [f"update{f}"],
        }
        lines = [f"  - id: fam{f}", f"    name: Family {f}", "    tier: stalkerware",
                 "    description: Synthetic.", "    sources: [https://example.org]", "    indicators:"]
        for kind, values in ind.items():
            lines.append(f"      {kind}: {json.dumps(values)}")
        fams.append("\n".join(lines))
    return "schema: 1\nfamilies:\n" + "\n".join(fams) + "\n"


def snapshot(n: int, rng: random.Random, families: int):
    from device_checkup.checks.records import AutostartEntry, Connection, Process
    from device_checkup.checks.snapshot import Snapshot
    snap = Snapshot(platform="windows")
    third = n // 3
    procs, conns, autos = [], [], []
    for i in range(third):
        hit = i % 1000 == 0
        f = rng.randrange(families)
        name = f"agent{f}x1.exe" if hit else f"program{i}.exe"
        procs.append(Process(pid=i + 10, name=name, exe=f"C:\\Program Files\\App{i % 500}\\{name}",
                             cmdline=(name, f"--id={i}")))
        conns.append(Connection(kind="tcp", family="ipv4", local_address="192.168.1.5", local_port=40000 + i % 20000,
                                remote_address=f"10.{(f >> 8) & 255}.{f & 255}.9" if hit else f"172.16.{i % 256}.{(i >> 8) % 256}",
                                remote_port=443, status="ESTABLISHED", pid=i + 10))
        autos.append(AutostartEntry(kind="run-key", name=f"update{f}" if hit else f"Entry{i}",
                                    location="HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run",
                                    command=f"C:\\Program Files\\App{i % 500}\\run{i}.exe --server https://host{i}.example.com/x",
                                    executable=f"C:\\Program Files\\App{i % 500}\\run{i}.exe"))
    snap.add("processes", procs)
    snap.add("connections", conns)
    snap.add("autostart", autos)
    return snap


def main() -> None:
    records, indicators = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(7)
    from device_checkup.checks.engine import all_checks, match
    from device_checkup.signatures.index import compile_set
    from device_checkup.signatures.loader import SignatureSet, load_file
    sf, problems = load_file("synthetic.yaml", text=signature_text(indicators, rng))
    assert not problems, problems[:3]
    sigset = SignatureSet(files=[sf])
    index = compile_set(sigset)
    snap = snapshot(records, rng, len(sf.families))
    checks = [c for c in all_checks() if c.id in ("processes", "connections", "autostart")]
    match(snap, index, checks)                       # warm: lazily compiled globs, caches
    times = []
    repeat = 5 if records <= 10_000 else 3
    findings = 0
    for _ in range(repeat):
        t = time.perf_counter()
        found, _ = match(snap, index, checks)
        times.append(time.perf_counter() - t)
        findings = len(found)
    tracemalloc.start()
    match(snap, index, checks)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n_ind = sum(len(f.indicators) for f in sf.families)
    print(json.dumps({"records": records, "indicators": n_ind, "target_indicators": indicators,
                      "match_ms": statistics.median(times) * 1000, "peak_mb": peak / 2**20,
                      "findings": findings, "process_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "us_per_record": statistics.median(times) * 1e6 / records}))


if __name__ == "__main__":
    main()
