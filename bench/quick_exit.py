"""Shift pressed three times during a real scan: when is every window hidden, when is it gone?

Prints (at once, before the app ends) the time of the third press and how long hiding every
window took; the parent measures when the process has ended."""
from __future__ import annotations

import json
import os
import sys
import time

sys.path.insert(0, os.environ.get("PYTHONPATH", "."))


def main() -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from device_checkup import app  # noqa: F401

    import device_checkup.app.gui  # noqa: F401
    mark: dict = {}

    def on_start(w):
        real_hide = w.quick_exit.hide_windows

        def hide_and_tell():
            real_hide()
            hidden = time.time()
            visible = [t for t in QApplication.topLevelWidgets() if t.isVisible()]
            print(json.dumps({"press_at": mark["press"], "hidden_ms": (hidden - mark["press"]) * 1000,
                              "still_visible": len(visible)}), flush=True)
        w.quick_exit.hide_windows = hide_and_tell

        def press():
            target = QApplication.focusWidget() or w
            QTest.keyClick(target, Qt.Key.Key_Shift)
            QTest.keyClick(target, Qt.Key.Key_Shift)
            mark["press"] = time.time()
            QTest.keyClick(target, Qt.Key.Key_Shift)

        w.start_scan("own")
        QTimer.singleShot(60, press)        # in the middle of the scan

    app.gui.main(on_start=on_start)


if __name__ == "__main__":
    main()
