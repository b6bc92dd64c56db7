"""The app's whole flow, driven as a person would, for tests/tracing/traced.py.

    python tests/tracing/traced.py LOG.json -- gui-flow [--save REPORT] [--advocate]

The REAL app and the REAL scan of this computer: welcome → check → results → a finding opened →
Get help → back → (a report saved through Qt's own file dialog, when --save is given) → quick
exit by pressing Shift three times. Prints what it went through; returns 0 when every step
happened and the app quit through quick exit.
"""
from __future__ import annotations

import os
import sys


def run(args: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    save_to = args[args.index("--save") + 1] if "--save" in args else None
    advocate = "--advocate" in args

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QFileDialog

    from device_checkup import app  # noqa: F401

    import device_checkup.app.gui  # noqa: F401
    steps: list[str] = []

    def fill_file_dialog():
        dlg = QApplication.activeModalWidget()
        if not isinstance(dlg, QFileDialog):
            QTimer.singleShot(20, fill_file_dialog)
            return
        dlg.selectFile(save_to)
        steps.append("file dialog")
        dlg.accept()

    def close_message():
        box = QApplication.activeModalWidget()
        if box is None or isinstance(box, QFileDialog):
            QTimer.singleShot(20, close_message)
            return
        steps.append("fingerprint shown")
        box.accept()

    def on_start(w):
        steps.append("welcome")

        def finished(result):
            steps.append(f"results {len(result.findings)}")
            if w.results.cards:
                w.results.cards[0].fold.set_open(True)
                steps.append("finding opened")
            w.show_support()
            steps.append("support")
            w.go_back()
            if save_to:
                QTimer.singleShot(0, fill_file_dialog)
                QTimer.singleShot(0, close_message)
                w.save_report()
                task = w.save_task      # the report is written off the GUI thread

                def saved(*_):
                    steps.append("saved" if os.path.exists(save_to) else "not saved")
                    QTimer.singleShot(0, quick_exit)
                if task is not None:
                    task.done.connect(saved)
                    task.failed.connect(saved)
                    return
                saved()
                return
            QTimer.singleShot(0, quick_exit)

        def quick_exit():
            target = QApplication.focusWidget() or w
            for _ in range(3):
                QTest.keyClick(target, Qt.Key.Key_Shift)
            steps.append("shift x3")

        w.runner.finished.connect(finished)
        if advocate:
            w.welcome.advocate.setChecked(True)
            w.begin("advocate")
            w.session_page.device.setText("test laptop")
            w.start_session_scan()
        else:
            w.start_scan("own")

    code = app.gui.main(on_start=on_start)
    print(" → ".join(steps), flush=True)
    expected = {"welcome", "support", "shift x3"} | ({"saved", "file dialog", "fingerprint shown"} if save_to else set())
    ok = code == 0 and expected <= set(steps) and any(s.startswith("results") for s in steps)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
