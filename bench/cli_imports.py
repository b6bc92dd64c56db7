"""Run `checkup scan --json` in this process and list any Qt module it imported (must be none)."""
from __future__ import annotations

import contextlib
import io
import json
import os
import sys

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))
from device_checkup.app.cli import main  # noqa: E402

with contextlib.redirect_stdout(io.StringIO()):
    code = main(["scan", "--json"])
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
print(json.dumps({"code": code, "qt_modules": qt}))
