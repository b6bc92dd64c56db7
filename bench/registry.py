"""The Windows registry sources on a generated SOFTWARE/SYSTEM pair, or on one real hive.

    python bench/registry.py SERVICES PROGRAMS      # a generated disk: N services, M installed programs
    python bench/registry.py --hive PATH            # a real SYSTEM or SOFTWARE hive put on a disk

The generated hives have realistic neighbours: every service has a Parameters key and the values
Windows writes (Type, Start, ErrorControl, ImagePath, DisplayName, ObjectName, Description);
every uninstall entry has the dozen values an installer writes; Run keys, Image File Execution
Options (a few hundred programs) and a few thousand class keys sit next to them. Hives are
written by tests/hivewriter.py. The scan is the whole offline Windows scan (every Windows source
and every check, shipped signatures), CPU time of the process (all threads), signature loading
left out. Prints one JSON line: cpu_s for the scan and for the services and apps sources alone,
and peak RSS of the process.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(root: Path, services: int, programs: int) -> None:
    from tests.hivewriter import VALUES, write_hive
    config = root / "Windows/System32/config"
    config.mkdir(parents=True)
    svc = {}
    for i in range(services):
        own = i % 3 == 0
        svc[f"Svc{i:05d}"] = {
            VALUES: {"Type": 16 if own else 32, "Start": (2, 3, 4)[i % 3], "ErrorControl": 1,
                     "ImagePath": ("expand", f"C:\\Program Files\\Vendor{i}\\service{i}.exe" if own
                                   else "%SystemRoot%\\System32\\svchost.exe -k netsvcs -p"),
                     "DisplayName": f"Service number {i}", "ObjectName": "LocalSystem",
                     "Description": f"Keeps part {i} of the system running."},
            "Parameters": {VALUES: {"ServiceDll": ("expand", f"%SystemRoot%\\System32\\part{i}.dll")}}}
    for i in range(services // 2):                  # drivers: read and skipped
        svc[f"Drv{i:05d}"] = {VALUES: {"Type": 1, "Start": 3, "ImagePath": f"System32\\drivers\\d{i}.sys"}}
    write_hive(config / "SYSTEM", {"Select": {VALUES: {"Current": 1, "Default": 1}},
                                   "ControlSet001": {"Services": svc,
                                                     "Control": {"Session Manager": {VALUES: {
                                                         "BootExecute": ["autocheck autochk *"]}}}}})
    uninstall = {}
    for i in range(programs):
        uninstall[f"{{{i:08X}-0000-0000-0000-000000000000}}"] = {VALUES: {
            "DisplayName": f"Program {i}", "DisplayVersion": f"{i % 9}.{i % 7}.{i % 5}", "Publisher": f"Publisher {i % 50}",
            "InstallLocation": f"C:\\Program Files\\Program {i}", "InstallDate": "20250101",
            "UninstallString": f"MsiExec.exe /X{{{i:08X}}}", "EstimatedSize": 1000 + i, "NoModify": 1,
            "NoRepair": 1, "Language": 1033, "Version": i, "HelpLink": f"https://example.org/{i}"}}
    software = {"Microsoft": {
        "Windows": {"CurrentVersion": {"Uninstall": uninstall,
                                       "Run": {VALUES: {f"Helper{i}": f"C:\\Program Files\\Program {i}\\h.exe"
                                                        for i in range(20)}}}},
        "Windows NT": {"CurrentVersion": {
            VALUES: {"ProductName": "Windows 10 Pro", "CurrentBuild": "19045", "DisplayVersion": "22H2"},
            "Image File Execution Options": {f"program{i}.exe": {VALUES: {"MitigationOptions": b"\0" * 8}}
                                             for i in range(300)}}}},
        "Classes": {f".ext{i}": {VALUES: {"": f"Type{i}"}} for i in range(3000)}}
    write_hive(config / "SOFTWARE", software)
    (root / "Windows/System32/Tasks").mkdir(parents=True)
    (root / "Users/alex").mkdir(parents=True)


def scan(root: Path) -> dict:
    from device_checkup.checks.engine import collect, run_scan
    from device_checkup.checks.sources.base import Machine, Notes
    from device_checkup.checks.sources.windows import WindowsAppsSource, WindowsServicesSource
    from device_checkup.signatures.loader import load_set
    sigs = load_set()
    out = {}
    for source in (WindowsServicesSource(), WindowsAppsSource()):
        machine = Machine.offline(str(root), "windows")
        t = time.process_time()
        records = list(source.collect(machine, Notes(source.id)))
        out[f"{source.kind}_cpu_s"] = round(time.process_time() - t, 3)
        out[f"{source.kind}_records"] = len(records)
    t = time.process_time()
    result = run_scan(signatures=sigs, machine=Machine.offline(str(root), "windows"))
    out["scan_cpu_s"] = round(time.process_time() - t, 3)
    out["not_read"] = [n.reason for n in result.not_checked] if hasattr(result, "not_checked") else []
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main(argv: list[str]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    try:
        if argv[0] == "--hive":
            hive = Path(argv[1])
            config = tmp / "Windows/System32/config"
            config.mkdir(parents=True)
            with open(hive, "rb") as f:
                name = "SYSTEM" if b"S\0Y\0S\0T\0E\0M" in f.read(4096).upper() else "SOFTWARE"
            shutil.copy(hive, config / name)
            (tmp / "Windows/System32/Tasks").mkdir(parents=True)
            out = {"hive": hive.name, "as": name, "bytes": hive.stat().st_size, **scan(tmp)}
        else:
            services, programs = int(argv[0]), int(argv[1])
            t = time.perf_counter()
            build(tmp, services, programs)
            out = {"services": services, "programs": programs,
                   "build_s": round(time.perf_counter() - t, 2), **scan(tmp)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
