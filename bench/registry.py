"""The Windows registry sources on a generated SOFTWARE/SYSTEM pair, or on one real hive.

    python bench/registry.py SERVICES PROGRAMS      # a generated disk: N services, M installed programs
    python bench/registry.py 700 5000 --classes 300000   # ... and a SOFTWARE hive of real size
    python bench/registry.py --hive PATH            # a real SYSTEM or SOFTWARE hive put on a disk

The generated hives have realistic neighbours: every service has a Parameters key and the values
Windows writes (Type, Start, ErrorControl, ImagePath, DisplayName, ObjectName, Description);
every uninstall entry has the dozen values an installer writes; Run keys, Image File Execution
Options (a few hundred programs) and a few thousand class keys sit next to them. Hives are
written by tests/hivewriter.py. The scan is the whole offline Windows scan (every Windows source
and every check, shipped signatures), CPU time of the process (all threads), signature loading
left out. Prints one JSON line: cpu_s for the scan and for the services and apps sources alone,
the hives' sizes, and the memory of the process that scans (a fresh one, so the hives written
here are not counted): its RSS with the signature set loaded, before any hive is read, and its
peak RSS; the difference is what reading the registry added.
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


def build(root: Path, services: int, programs: int, classes: int = 3000) -> None:
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
        "Classes": _classes(classes)}
    write_hive(config / "SOFTWARE", software)
    (root / "Windows/System32/Tasks").mkdir(parents=True)
    (root / "Users/alex").mkdir(parents=True)


def _classes(n: int) -> dict:
    """Class keys: the first 3,000 a file type each; beyond that COM classes as Windows writes
    them ({CLSID} with InprocServer32 and its ThreadingModel), which is what makes a real
    SOFTWARE hive 50–200 MB."""
    from tests.hivewriter import VALUES as V
    out = {f".ext{i}": {V: {"": f"Type{i}"}} for i in range(min(n, 3000))}
    groups = ("CLSID", "Interface", "TypeLib", "AppID", "Record", "Licenses")   # ≤ 60,000 each
    for g in range(0, max(0, n - 3000), 60_000):
        out[groups[g // 60_000 % len(groups)] + ("" if g < 60_000 * len(groups) else str(g))] = {
            f"{{{i:08X}-1111-2222-3333-444444444444}}": {
                V: {"": f"Component {i} of some program"},
                "InprocServer32": {V: {"": ("expand", f"%SystemRoot%\\System32\\component{i}.dll"),
                                       "ThreadingModel": "Both"}}}
            for i in range(g, min(g + 60_000, n - 3000))}
    return out


def _rss_now(field: str = "VmRSS") -> int:
    """The process's resident memory now (VmRSS) or at its peak (VmHWM), in kB (Linux)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _peak_mb() -> float:
    """This process's peak resident memory. Not getrusage's ru_maxrss: Linux carries that over
    from the process that forked this one (the parent that wrote the hives, hundreds of MB);
    VmHWM belongs to this program's own memory."""
    peak = _rss_now("VmHWM")
    return round((peak or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024, 1)


def _hive_sizes(root: Path) -> dict:
    config = root / "Windows/System32/config"
    return {f"{p.name.lower()}_mb": round(p.stat().st_size / (1 << 20), 1) for p in sorted(config.iterdir())}


def scan_in_child(root: Path) -> dict:
    """scan(root) in a fresh process: its peak memory is the scan's, not the hive writer's."""
    import subprocess
    done = subprocess.run([sys.executable, __file__, "--scan-root", str(root)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def scan(root: Path) -> dict:
    from device_checkup.checks.engine import collect, run_scan
    from device_checkup.checks.sources.base import Machine, Notes
    from device_checkup.checks.sources.windows import WindowsAppsSource, WindowsServicesSource
    from device_checkup.signatures.loader import load_set
    sigs = load_set()
    out = {"rss_before_mb": round(_rss_now() / 1024, 1)}
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
    out["peak_rss_mb"] = _peak_mb()
    return out


def main(argv: list[str]) -> None:
    if argv[0] == "--scan-root":
        print(json.dumps(scan(Path(argv[1]))))
        return
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
            out = {"hive": hive.name, "as": name, "bytes": hive.stat().st_size, **scan_in_child(tmp)}
        else:
            services, programs = int(argv[0]), int(argv[1])
            classes = int(argv[3]) if len(argv) > 3 and argv[2] == "--classes" else 3000
            t = time.perf_counter()
            build(tmp, services, programs, classes)
            out = {"services": services, "programs": programs,
                   "build_s": round(time.perf_counter() - t, 2), **_hive_sizes(tmp), **scan_in_child(tmp)}
    finally:
        if os.environ.get("KEEP_HIVES"):
            print(tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
