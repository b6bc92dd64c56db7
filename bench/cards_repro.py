"""Make and destroy thousands of findings cards in the real results page (offscreen).

    python bench/cards_repro.py 3000

PySide6 6.12.0 on Python 3.11 loses a reference to None or a bool on some void Qt calls;
after a few thousand widgets the interpreter aborts ("none_dealloc: deallocating None",
SIGABRT) — issue 14/19. This script makes N cards (in rounds of 300, each round's cards
destroyed the way "Check again" does) and prints the PySide6 version and 'ok' if it lives.
"""
from __future__ import annotations

import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 3000
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6
    from PySide6.QtWidgets import QApplication

    import stress_app
    from device_checkup.app.gui.pages.results import FindingCard
    from device_checkup.app.gui.style import STYLE
    app = QApplication.instance() or QApplication([])
    app.setStyleSheet(STYLE)
    result = stress_app.many_findings_scan(300)(progress=None, cancel=threading.Event(), user_paths=[])
    made = 0
    while made < n:
        cards = [FindingCard(f) for f in result.findings]
        for c in cards:
            c.fold.set_open(True)
            c.fold.set_open(False)
        made += len(cards)
        for c in cards:
            c.deleteLater()
        app.processEvents()
        del cards
    print(PySide6.__version__, "ok", made, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
