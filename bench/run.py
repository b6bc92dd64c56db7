"""Device Checkup's benchmarks. Run with `make bench`; results go to docs/performance.md.

Each part runs in fresh processes where a cold start matters, and compares numbers measured in
the same run (ratios), because the machines this runs on are shared and noisy:

  whole     the whole `checkup scan --json` process (installed from the wheel) against a bare
            process that reads the same folders and files, CPU compared; and the same from source
  scan      the full live scan against a baseline that only enumerates the same data
  scale     matching synthetic snapshots of 1k–100k records against 1k–100k indicators
  load      validating and compiling the shipped signature set
  startup   launch → first window; `checkup scan --json` start → exit; bare Python; Qt import
  gui       the longest the event loop is blocked during a real scan; Shift×3 → hidden → gone
  registry  the offline Windows scan on generated hives of 1k–20k entries, and a real SYSTEM hive
  disks     offline scans of generated Linux and macOS disks, 1–10 times a laptop's, against bare reads

    python bench/run.py [--quick] [--only scan,scale,...] [--out docs/performance.md]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
PY = sys.executable
# The installed `checkup` command when there is one (make bench installs it), else the module.
CHECKUP = [str(Path(PY).parent / "checkup")] if (Path(PY).parent / "checkup").exists() else [PY, "-m", "device_checkup.app.cli"]
# This tree first on the path (after whatever the caller put there), for every child process.
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
       "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)]))}


def child(script: str, *args: str, env: dict | None = None, timeout: float = 900) -> dict:
    """Run bench/<script> in a fresh Python; it prints one JSON line last."""
    proc = subprocess.run([PY, str(BENCH / script), *args], cwd=ROOT, env={**ENV, **(env or {})},
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wall(argv: list[str], env: dict | None = None, repeat: int = 5) -> float:
    """Median wall time of a command, from start to exit, in ms."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run(argv, cwd=ROOT, env={**ENV, **(env or {})}, capture_output=True, timeout=300)
        if proc.returncode not in (0, 1):       # 1: `checkup` ran but something could not be checked
            raise RuntimeError(f"{argv} exited {proc.returncode}:\n{proc.stderr[-2000:]!r}")
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def machine_line() -> str:
    cpus = os.cpu_count()
    try:
        import psutil
        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GB RAM"
        load = f", load average {os.getloadavg()[0]:.1f}"
    except Exception:  # noqa: BLE001
        mem, load = "", ""
    return (f"{platform.system()} {platform.release()}, {platform.machine()}, {cpus} CPUs, {mem}{load}; "
            f"Python {platform.python_version()}")


def bench_whole(quick: bool) -> dict:
    out = child("scan_vs_baseline.py", "--whole-process", "--repeat", "5" if quick else "11")
    out["all_deps"] = child("scan_vs_baseline.py", "--whole-process", "--deps", "all",
                            "--repeat", "3" if quick else "7")
    out["source"] = child("scan_vs_baseline.py", "--whole-process", "--form", "source",
                          "--repeat", "3" if quick else "7")
    return out


def bench_scan(quick: bool) -> dict:
    return child("scan_vs_baseline.py", "--repeat", "5" if quick else "21")


def bench_scale(quick: bool) -> dict:
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    cells = []
    for records in sizes:
        for indicators in sizes:
            cells.append(child("scale.py", str(records), str(indicators)))
    return {"cells": cells}


def bench_load(quick: bool) -> dict:
    runs = [child("load.py") for _ in range(3 if quick else 7)]
    return {"load_ms": statistics.median(r["load_ms"] for r in runs),
            "compile_ms": statistics.median(r["compile_ms"] for r in runs),
            "total_ms": statistics.median(r["total_ms"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "families": runs[0]["families"],
            "indicators": runs[0]["indicators"]}


def bench_startup(quick: bool) -> dict:
    n = 3 if quick else 7
    offscreen = {"QT_QPA_PLATFORM": "offscreen"}
    shown = []
    for _ in range(n):
        launched = time.time()
        shown.append((child("first_window.py", env=offscreen)["shown_at"] - launched) * 1000)
    qt_free = child("cli_imports.py")
    # The command line must work where Qt is missing or broken: it may not import any of it.
    # Asked twice: sys.modules after a scan run in-process, and `-X importtime` of the real command.
    assert not qt_free["qt_modules"], f"`checkup scan --json` imported Qt: {qt_free['qt_modules']}"
    traced = subprocess.run(CHECKUP + ["scan", "--json"], cwd=ROOT, env={**ENV, "PYTHONPROFILEIMPORTTIME": "1"},
                            capture_output=True, text=True, timeout=300)
    imported = [ln.rsplit("|", 1)[-1].strip() for ln in traced.stderr.splitlines() if ln.startswith("import time:")]
    qt_traced = sorted({m for m in imported if m.startswith(("PySide6", "shiboken6"))})
    assert imported and not qt_traced, f"`checkup scan --json` imported Qt: {qt_traced}"
    return {
        "python_pass_ms": wall([PY, "-c", "pass"], repeat=n),
        "import_qtwidgets_ms": wall([PY, "-c", "import PySide6.QtWidgets"], repeat=n),
        "first_window_ms": statistics.median(shown),
        "cli_scan_json_ms": wall(CHECKUP + ["scan", "--json"], repeat=n),
        "cli_imports_qt": qt_free["qt_modules"] + qt_traced,
        "cli_modules_imported": len(imported),
    }


def bench_gui(quick: bool) -> dict:
    offscreen = {"QT_QPA_PLATFORM": "offscreen"}
    runs = [child("gui_responsiveness.py", env=offscreen) for _ in range(3 if quick else 5)]
    out = {"max_block_ms": max(r["max_block_ms"] for r in runs),
           "median_max_block_ms": statistics.median(r["max_block_ms"] for r in runs),
           "scan_ms": statistics.median(r["scan_ms"] for r in runs)}
    exits = []
    for _ in range(3 if quick else 7):
        proc = subprocess.Popen([PY, str(BENCH / "quick_exit.py")], cwd=ROOT, env={**ENV, **offscreen},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        while line and not line.startswith("{"):
            line = proc.stdout.readline()
        data = json.loads(line)
        proc.wait(timeout=60)
        gone = time.time()
        exits.append({"hidden_ms": data["hidden_ms"], "gone_ms": (gone - data["press_at"]) * 1000,
                      "still_visible": data["still_visible"]})
    assert all(e["still_visible"] == 0 for e in exits), "a window was still visible after quick exit"
    out["shift_to_hidden_ms"] = statistics.median(e["hidden_ms"] for e in exits)
    out["shift_to_gone_ms"] = statistics.median(e["gone_ms"] for e in exits)
    out["shift_to_gone_max_ms"] = max(e["gone_ms"] for e in exits)
    return out


def bench_registry(quick: bool) -> dict:
    from registry_report import run
    return run(child, quick)


def bench_disks(quick: bool) -> dict:
    from disks import run
    return run(child, quick)


PARTS = {"whole": bench_whole, "scan": bench_scan, "scale": bench_scale, "load": bench_load, "startup": bench_startup, "gui": bench_gui,
         "registry": bench_registry, "disks": bench_disks}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats and no 100k cells (a smoke run)")
    p.add_argument("--only", default=",".join(PARTS))
    p.add_argument("--out", default=str(ROOT / "docs" / "performance.md"),
                   help="the document whose generated blocks are filled in (the rest is kept)")
    p.add_argument("--json", help="also write the raw numbers here")
    args = p.parse_args(argv)
    results: dict = {"machine": machine_line(), "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                     "quick": args.quick}
    for name in args.only.split(","):
        t = time.perf_counter()
        print(f"-- {name} …", file=sys.stderr, flush=True)
        results[name] = PARTS[name](args.quick)
        print(f"   {name} done in {time.perf_counter() - t:.0f} s: {json.dumps(results[name])[:300]}", file=sys.stderr)
    from report import write_report
    write_report(results, Path(args.out))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(BENCH))
    sys.exit(main())
