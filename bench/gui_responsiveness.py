"""The longest the app's event loop is blocked during a full real scan (offscreen).

A 5 ms timer runs while the scan does; the longest gap between two of its ticks, less the
5 ms it was asked for, is the longest the window could not have answered a click or a key."""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))


def main() -> None:
    from device_checkup import app  # noqa: F401

    import device_checkup.app.gui  # noqa: F401
    ticks: list[float] = []
    result: dict = {}

    def on_start(w):
        # Qt imported only once the app has started, as in the real app (app.gui.main imports
        # the scan's code before Qt: see scan_code_before_qt).
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        timer = QTimer(w)
        timer.setInterval(5)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))

        def finished(res):
            timer.stop()
            result["scan_ms"] = (time.perf_counter() - result["started"]) * 1000
            result["findings"] = len(res.findings)
            QTimer.singleShot(0, QApplication.instance().quit)

        w.runner.finished.connect(finished)
        timer.start()
        result["started"] = time.perf_counter()
        w.start_scan("own")

    app.gui.main(on_start=on_start)
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    print(json.dumps({"max_block_ms": max(0.0, (max(gaps) - 0.005) * 1000) if gaps else None,
                      "ticks": len(ticks), "scan_ms": result.get("scan_ms"), "findings": result.get("findings")}))


if __name__ == "__main__":
    main()
