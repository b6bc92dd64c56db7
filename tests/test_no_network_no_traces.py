"""The promises, proven on real runs: no network traffic, and nothing written but what was asked.

Each run happens in a fresh Python process with an audit hook installed before the app is
imported (tests/tracing/traced.py), HOME, the temp folder and the XDG folders pointed at empty
folders, and a listing of those folders before and after.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

TRACED = Path(__file__).resolve().parent / "tracing" / "traced.py"


def listing(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def traced_run(tmp_path: Path, *args: str, env_extra: dict | None = None):
    home, tmp, cfg, cache, data, state, runtime = (tmp_path / n for n in
                                                   ("home", "tmp", "config", "cache", "data", "state", "runtime"))
    for d in (home, tmp, cfg, cache, data, state, runtime):
        d.mkdir()
    runtime.chmod(0o700)
    log = tmp_path / "trace.json"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))},
           "HOME": str(home), "TMPDIR": str(tmp), "TEMP": str(tmp), "TMP": str(tmp),
           "XDG_CONFIG_HOME": str(cfg), "XDG_CACHE_HOME": str(cache), "XDG_DATA_HOME": str(data),
           "XDG_STATE_HOME": str(state), "XDG_RUNTIME_DIR": str(runtime),
           "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT), **(env_extra or {})}
    before = {d: listing(d) for d in (home, tmp, cfg, cache, data, state)}
    proc = subprocess.run([sys.executable, str(TRACED), str(log), "--", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    trace = json.loads(log.read_text())
    left = {str(d): sorted(listing(d) - before[d]) for d in before if listing(d) - before[d]}
    return trace, left, proc


def planted_tree(platform: str, root: Path) -> Path:
    """The planted disk of each platform's source tests, built outside the traced process."""
    if platform == "windows":
        from tests.windows_tree import build
    elif platform == "macos":
        from tests.test_macos_sources import build
    else:
        from tests.test_linux_sources import build
    return build(root)


SCANS = [pytest.param(p, id=f"offline-{p}") for p in ("windows", "macos", "linux")] + \
    [pytest.param(None, id="live")]


def test_the_tracer_sees_network_use(tmp_path):
    """The hook itself works: a look-up of a name is recorded (nothing leaves the machine)."""
    log = tmp_path / "t.json"
    proc = subprocess.run([sys.executable, "-c",
                           "import sys, socket, json;"
                           f"sys.path.insert(0, {str(ROOT)!r});"
                           "import tests.tracing.traced as t;"
                           f"sys.argv = ['t', {str(log)!r}, '--', 'scan', '--root', {str(tmp_path)!r}, '--platform', 'linux'];"
                           "import device_checkup.app.cli as cli;"
                           "real = cli.main;"
                           "cli.main = lambda a: (socket.getaddrinfo('localhost', 9), real(a))[1];"
                           "t.main()"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert [e[0] for e in json.loads(log.read_text())["network"]] == ["socket.getaddrinfo"]


@pytest.mark.parametrize("platform", SCANS)
def test_a_scan_sends_nothing_and_writes_nothing(tmp_path, platform):
    argv = ["scan", "--json"]
    if platform:
        disk = planted_tree(platform, tmp_path / "disk")
        argv += ["--root", str(disk), "--platform", platform]
    trace, left, proc = traced_run(tmp_path, *argv)
    assert trace["network"] == []
    assert trace["writes"] == []
    assert left == {}
    findings = json.loads(proc.stdout)["findings"]
    if platform:
        assert len([f for f in findings if f["family"]]) >= 3      # the planted software was found


@pytest.mark.parametrize("ending", ["html", "pdf"])
def test_a_report_is_written_only_where_it_was_asked_for(tmp_path, ending):
    out = tmp_path / "chosen" / f"report.{ending}"
    out.parent.mkdir()
    trace, left, _ = traced_run(tmp_path, "scan", "--report", str(out), env_extra={"QT_QPA_PLATFORM": "offscreen"})
    assert trace["network"] == []
    assert {w[1] for w in trace["writes"]} <= {str(out)}, trace["writes"]
    assert out.stat().st_size > 1000
    assert left == {}, left


def test_a_saved_snapshot_is_the_only_file_written(tmp_path):
    out = tmp_path / "snap.json"
    trace, left, _ = traced_run(tmp_path, "scan", "--save-snapshot", str(out))
    assert [w[1] for w in trace["writes"]] == [str(out)]
    assert trace["network"] == [] and left == {}
