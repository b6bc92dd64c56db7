"""The app imports what a check of this computer runs before it imports Qt (app/gui
scan_code_before_qt): PySide6 reads the source of every module imported after it, and the
scan's own imports used to pay that in the middle of a scan, holding the window up. Run in a
fresh Python, so that nothing was imported before."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.helpers import ROOT

PROBE = """
import json, sys
import device_checkup.app.gui as gui
gui.scan_code_before_qt()
before = set(sys.modules)
qt_before = sorted(m for m in before if m.startswith(("PySide6", "shiboken6")))
from device_checkup.checks.engine import run_scan
from device_checkup.signatures.loader import load_set
run_scan(signatures=load_set())
new = sorted(m for m in set(sys.modules) - before if m.startswith("device_checkup") or m in ("psutil", "netifaces"))
print(json.dumps({"qt_before": qt_before, "new": new}))
"""


def test_a_live_check_imports_nothing_of_its_own_after_the_app_has_started():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["qt_before"] == []           # nothing of Qt yet: what was imported escaped its hook
    assert out["new"] == []                 # the scan found everything it runs already imported
