"""Launch the app (offscreen) and print when its first window is shown, then quit.

The parent notes the time just before starting this process; the difference is the time from
launch to the first window (Python start, imports, signature-free window set-up)."""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))
START = time.time()


def on_start(window):
    from PySide6.QtWidgets import QApplication
    shown = time.time()
    assert window.isVisible()
    print(json.dumps({"shown_at": shown, "in_process_ms": (shown - START) * 1000}), flush=True)
    QApplication.instance().quit()


if __name__ == "__main__":
    from device_checkup import app  # noqa: F401
    import device_checkup.app.gui  # noqa: F401
    app.gui.main(on_start=on_start)
