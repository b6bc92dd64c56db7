"""'Check again', many times over, in the REAL app (offscreen unless a display is given).

    python bench/stress_app.py --rounds 100                 # real scans of this computer
    python bench/stress_app.py --rounds 20 --findings 3000  # the real engine, 3,000 findings

Each round presses the results page's "Check again" button (a real click), waits for the
results and for every finding card to be made, and records the process's resident memory.
A 5 ms timer runs all along; the longest gap between two of its ticks (less 5 ms) is the
longest the window could not have answered a key or the Exit button. The GUI thread's own CPU time
within each gap is recorded too (max_block_cpu_ms): on a loaded machine most of a long gap
is waiting for a CPU, not work the app does. One JSON line is printed at the end; the exit code is 0 only if every round finished. A crash (issue 19:
SIGSEGV/SIGABRT after a few rounds) ends the process with a signal instead.

With --findings N the scan is the real engine over N running programs, each matched by a
family of its own in a signature file made here (the real loader validates it), so every
round makes N findings and N cards.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def many_findings_scan(n: int):
    """A scan function for MainWindow: the real engine and loader, N findings."""
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.records import Process
    from device_checkup.checks.sources.base import Machine, Source
    from device_checkup.checks.sources.fs import FileSystem
    from device_checkup.signatures.loader import SignatureSet, load_file

    lines = ["schema: 1", "name: Stress test", 'version: "1"', "license: CC0-1.0", "attribution: none",
             "families:"]
    for i in range(n):
        lines += [f"  - id: stress-{i:05d}", f"    name: Stress {i}", "    tier: monitoring",
                  "    description: A made-up program for a stress test of the app.",
                  "    sources: [https://example.org/stress]",
                  "    indicators:", f"      process_names: [stress{i:05d}.exe]"]
    sf, problems = load_file("stress.yaml", text="\n".join(lines) + "\n")
    assert not problems, problems[:3]
    sigset = SignatureSet(files=[sf])
    root = tempfile.mkdtemp(prefix="checkup-stress-")

    class Programs(Source):
        id, kind, what = "stress.processes", "processes", "running programs"
        platforms = frozenset({"windows", "macos", "linux"})

        def collect(self, machine, notes):
            for i in range(n):
                yield Process(pid=1000 + i, name=f"stress{i:05d}.exe", exe=f"C:\\stress\\stress{i:05d}.exe")

    def scan(*, progress, cancel, user_paths):
        machine = Machine(platform="windows", fs=FileSystem("windows", root), live=True)
        return run_scan(signatures=sigset, machine=machine, sources=[Programs()], checks=None,
                        progress=progress, cancel=cancel)
    return scan


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--findings", type=int, default=0, help="0: real scans of this computer")
    ap.add_argument("--gap-ms", type=int, default=0, help="wait this long between rounds")
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QTimer, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from device_checkup import app  # noqa: F401

    import device_checkup.app.gui  # noqa: F401
    scan = many_findings_scan(args.findings) if args.findings else None
    out: dict = {"rounds_asked": args.rounds, "findings_asked": args.findings, "rss_mb": [], "findings": [],
                 "round_ms": [], "round_block_ms": [], "ticks": 0, "max_block_ms": 0.0, "max_block_cpu_ms": 0.0, "blocks_over_50ms": 0}
    last = [time.perf_counter()]
    round_block = [0.0]
    last_cpu = [time.thread_time()]

    def tick():
        now = time.perf_counter()
        cpu = time.thread_time()
        gap = (now - last[0] - 0.005) * 1000
        # How much of the gap the GUI thread itself spent computing (the rest it waited: for
        # the CPU on a loaded machine, or for the interpreter lock held by the scan thread).
        gap_cpu = (cpu - last_cpu[0]) * 1000
        last[0], last_cpu[0] = now, cpu
        if gap_cpu > out["max_block_cpu_ms"]:
            out["max_block_cpu_ms"] = gap_cpu
        out["ticks"] += 1
        if gap > round_block[0]:
            round_block[0] = gap
        if gap > out["max_block_ms"]:
            out["max_block_ms"] = gap
        if gap > 50:
            out["blocks_over_50ms"] += 1

    def on_start(w):
        timer = QTimer(w)
        timer.setInterval(5)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(tick)
        started = [time.perf_counter()]

        def next_round():
            if w.results.filling():
                QTimer.singleShot(5, next_round)
                return
            out["round_ms"].append((time.perf_counter() - started[0]) * 1000)
            out["rss_mb"].append(round(rss_mb(), 1))
            out["round_block_ms"].append(round(round_block[0], 1))
            round_block[0] = 0.0
            out["findings"].append(len(w.result.findings) if w.result else 0)
            out.setdefault("cards", []).append(len(w.results.cards))
            out.setdefault("table_rows", []).append(w.results.model.rowCount())
            if len(out["rss_mb"]) >= args.rounds:
                timer.stop()
                QTimer.singleShot(0, QApplication.instance().quit)
                return
            started[0] = time.perf_counter()
            QTest.mouseClick(w.results.again_button, Qt.MouseButton.LeftButton)

        w.runner.finished.connect(lambda _result: QTimer.singleShot(args.gap_ms, next_round))
        w.runner.failed.connect(lambda words: (out.setdefault("failed", words), QApplication.instance().quit()))
        last[0], last_cpu[0] = time.perf_counter(), time.thread_time()
        timer.start()
        w.start_scan("own")

    kwargs = {"scan": scan} if scan else {}
    code = app.gui.main(on_start=on_start, **kwargs)
    out["rounds"] = len(out["rss_mb"])
    out["max_block_ms"] = round(out["max_block_ms"], 1)
    out["max_block_cpu_ms"] = round(out["max_block_cpu_ms"], 1)
    out["load_average"] = os.getloadavg()
    out["round_ms"] = [round(x) for x in out["round_ms"]]
    print(json.dumps(out), flush=True)
    return 0 if code == 0 and out["rounds"] == args.rounds and "failed" not in out else 1


if __name__ == "__main__":
    sys.exit(main())
