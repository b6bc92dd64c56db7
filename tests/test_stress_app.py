"""The app stays up and memory stays bounded under "Check again", over and over (issue 19, issue
14 item 7). Each run is the REAL app in a child process (offscreen), driven by real clicks
on "Check again" (bench/stress_app.py): a crash (the SIGSEGV/SIGABRT of issue 19) ends the
child with a signal and fails the test instead of killing the test run.

Round counts are what fits in about a minute here; `bench/stress_app.py --rounds 100` runs
the full hundred (see docs/performance.md). Event-loop stalls are measured and recorded
there, not asserted (they depend on the machine's load)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "bench", "stress_app.py")

pytestmark = pytest.mark.gui

# Growth allowed from the end of round 2 to the end of the last round. Before the fix a real
# scan kept +7-12 MB per round (107 -> 197 MB over 12 rounds); after it the bench machine
# shows +2 MB over 100 rounds.
RSS_BOUND_MB = 25.0


def stress(*args: str, timeout: float = 600) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=ROOT, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-X", "faulthandler", SCRIPT, *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)
    assert proc.returncode == 0, f"the app ended with {proc.returncode}:\n{proc.stderr[-3000:]}"
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    assert lines, proc.stdout + proc.stderr[-2000:]
    return json.loads(lines[-1])


def test_check_again_many_times_on_a_real_scan_of_this_computer():
    rounds = 30
    out = stress("--rounds", str(rounds))
    assert out["rounds"] == rounds
    rss = out["rss_mb"]
    assert max(rss[2:]) - rss[1] <= RSS_BOUND_MB, rss
    # Every round showed a whole result: each finding of each round is listed. (Not "the same
    # number each round": a live machine starts and ends programs between rounds.)
    assert out["table_rows"] == out["findings"], out


def test_check_again_with_two_thousand_findings():
    rounds = 4
    out = stress("--rounds", str(rounds), "--findings", "2000")
    assert out["rounds"] == rounds
    assert out["findings"] == [2000] * rounds
    # Every finding is listed (the table), the first ones as cards; nothing is lost.
    assert out["table_rows"] == [2000] * rounds
    assert all(0 < c <= 2000 for c in out["cards"])
    rss = out["rss_mb"]
    assert max(rss[2:]) - rss[1] <= RSS_BOUND_MB, rss
