"""Screenshots of every screen of the app, for the README and for looking at with fresh eyes.

Runs the real app (the real window, pages, style and engine) on a fixture scan: fake sources
that yield a few records, including software of every tier, one check that fails and one that
is refused. Needs a display: run it under Xvfb.

    xvfb-run -a -s "-screen 0 1280x1024x24" .venv/bin/python tools/screenshots.py

PNG files go to docs/screenshots/. Nothing else is written.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.dont_write_bytecode = True

OUT = ROOT / "docs" / "screenshots"


def settle(app, seconds: float = 0.15) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for(app, condition, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--height", type=int, default=760)
    parser.add_argument("--fit", action="store_true",
                        help="let the app size its window to the screen (as it does for a person)")
    parser.add_argument("--prefix", default="", help="put before every file name (e.g. 1024x600-150-)")
    parser.add_argument("--few", action="store_true", help="only the screens that show whether a page fits")
    parser.add_argument("--large-font", action="store_true", help="with --few: a large system font")
    parser.add_argument("--phone", action="store_true",
                        help="only the phone check: the guide, an Android phone replayed from real recordings, "
                             "a real iPhone backup, a comparison (docs/screenshots/phone)")
    parser.add_argument("--lang", default="en", help="the app's language: en, pl, or the pseudo-locales "
                        "xx (every message in ⟦…⟧) and yy (right to left)")
    args = parser.parse_args(argv)
    from device_checkup.checks import i18n
    i18n.set_language(args.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import tempfile

    from device_checkup.app.gui import no_settings
    no_settings()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QFont, QIcon
    from PySide6.QtWidgets import QApplication

    from device_checkup.app.gui import words as gui_words
    from device_checkup.app.gui.style import STYLE
    from device_checkup.app.gui.window import MainWindow, icon_path
    from tests.gui_fixtures import (SIGNATURES, FakeDialogs, WaitingSource, every_tier_sources, make_scan)

    app = QApplication(sys.argv[:1])
    app.setApplicationName("Device Checkup")
    app.setWindowIcon(QIcon(icon_path()))
    app.setStyleSheet(STYLE)
    base_font = QFont(app.font())

    machine = tempfile.mkdtemp(prefix="checkup-shots-machine-")
    sigdir = tempfile.mkdtemp(prefix="checkup-shots-sigs-")
    good = Path(sigdir) / "from-my-advocate.yaml"
    good.write_text(SIGNATURES.replace("id: ", "id: extra-").replace("schema: 1\nname: Test signatures",
                                                                     "schema: 1\nname: Extra list"), "utf-8")
    broken = Path(sigdir) / "old-list.yaml"
    broken.write_text("schema: 1\nfamilies:\n  - id: acme\n    name: Acme\n    tier: stalkerware\n"
                      "    description: A spy program.\n    sources: [https://example.org]\n"
                      "    indicators:\n      proces_names: [acme.exe]\n", "utf-8")

    shots: list[str] = []

    def shoot(window, name: str) -> None:
        settle(app)
        path = out / f"{name}.png"
        window.grab().save(str(path))
        shots.append(path.name)

    def shoot_first_finding(w, name: str):
        """The first finding opened with its technical details, its title at the top; its card."""
        card = w.results.cards[0]
        card.fold.set_open(True)
        card.details.set_open(True)
        settle(app)
        w.results.scroll.ensureWidgetVisible(card.details, 0, 0)
        w.results.scroll.ensureWidgetVisible(card.fold.button, 0, 40)
        shoot(w, name)
        card.fold.set_open(False)
        return card

    def run(prefix: str = "", point_size: float | None = None, every: bool = True) -> None:
        if point_size:
            f = QFont(base_font)
            f.setPointSizeF(point_size)
            app.setFont(f)
        else:
            app.setFont(base_font)
        waiting = WaitingSource()
        dialogs = FakeDialogs(files=[str(good), str(broken)])
        w = MainWindow(scan=make_scan([*every_tier_sources(), waiting], root=machine), dialogs=dialogs,
                       quit=lambda: None, hard_exit=lambda code: None)
        if not args.fit:
            w.resize(args.width, args.height)
        w.show()
        settle(app, 0.4)
        if args.few:
            few(w, waiting, prefix)
            return
        if args.phone:
            phone(w, prefix)
            return
        shoot(w, prefix + "welcome")
        if not every:
            w.start_scan("own")
            wait_for(app, waiting.started.is_set)
            waiting.release.set()
            wait_for(app, lambda: w.current_page() is w.results)
            shoot(w, prefix + "results")
            card = w.results.cards[0]
            card.fold.set_open(True)
            card.details.set_open(True)
            settle(app)
            w.results.scroll.ensureWidgetVisible(card, 0, 0)
            shoot(w, prefix + "finding-details")
            w.close()
            return

        # An advocate's appointment: the session page, filled in as an advocate would.
        w.welcome.advocate.setChecked(True)
        w.begin("advocate")
        w.session_page.initials.setText("JB")
        w.session_page.device.setText("her work laptop")
        w.session_page.answers["physical-access"].setPlainText("Her ex had it for a weekend in March.")
        w.session_page.answers["concerns"].setPlainText("He knew what she had written in her emails.")
        shoot(w, prefix + "session")
        w.start_session_scan()
        wait_for(app, lambda: waiting.started.is_set() and i18n._("installed programs") in w.scan_page.status.text())
        shoot(w, prefix + "scan")
        waiting.release.set()
        wait_for(app, lambda: w.current_page() is w.results)
        shoot(w, prefix + "results")

        card = shoot_first_finding(w, prefix + "finding-details")

        notes = card.notes
        if notes is not None:
            card.fold.set_open(True)
            card.details.set_open(False)
            notes.says.setCurrentIndex(notes.says.findData("dont-recognise"))
            notes.text.setText("Appeared after he repaired the laptop")
            settle(app)
            w.results.scroll.ensureWidgetVisible(notes, 0, 0)
            shoot(w, prefix + "finding-notes")
            card.fold.set_open(False)

        remote = w.results.cards[2]
        remote.fold.set_open(True)
        settle(app)
        w.results.scroll.ensureWidgetVisible(remote.fold.button, 0, 20)
        shoot(w, prefix + "finding-remote-access")
        remote.fold.set_open(False)

        heading = next(x for x in w.results._dynamic if getattr(x, "text", lambda: "")() == gui_words.RESULTS_NOT_CHECKED)
        settle(app)
        bar = w.results.scroll.verticalScrollBar()
        bar.setValue(heading.mapTo(w.results.scroll.widget(), heading.rect().topLeft()).y() - 10)
        shoot(w, prefix + "could-not-check")

        w.show_support()
        shoot(w, prefix + "support")
        w.support.choose_region("uk-merseyside")
        shoot(w, prefix + "support-merseyside")

        # The question before a website opens (a real message box, closed by a timer).
        from device_checkup.app.gui.dialogs import Dialogs

        def grab_modal():
            m = QApplication.activeModalWidget()
            if m is None:
                QTimer.singleShot(30, grab_modal)
                return
            settle(app, 0.2)
            m.grab().save(str(out / f"{prefix}website-question.png"))
            shots.append(f"{prefix}website-question.png")
            m.reject()
        QTimer.singleShot(0, grab_modal)
        from device_checkup.app.gui import words
        real = Dialogs(lambda: None, w.shift.progress)
        real.ask(w, words.SUPPORT_HISTORY_TITLE, words.SUPPORT_HISTORY.format(url="https://www.suzylamplugh.org"),
                 words.SUPPORT_HISTORY_OPEN, words.SUPPORT_HISTORY_CANCEL)

        w.go_back()
        w.show_about()
        shoot(w, prefix + "about")
        w.go_back()
        w.show_signatures()
        w.add_signatures()
        shoot(w, prefix + "signature-options")
        w.go_back()

        # Comparing with an earlier appointment's check (saved as JSON here).
        import json as _json
        from tests.gui_fixtures import SPY, KIDS, ListSource
        earlier_scan = make_scan([ListSource("processes", [SPY], "x.processes", "programs"),
                                  ListSource("apps", [KIDS], "x.apps", "installed programs")], root=machine)
        earlier = Path(sigdir) / "earlier.json"
        earlier.write_text(_json.dumps(earlier_scan(progress=lambda p: None, cancel=None,
                                                    user_paths=[]).to_json_data()), "utf-8")
        dialogs.earlier = str(earlier)
        w.show_page(w.results)
        w.compare_earlier()
        shoot(w, prefix + "compare")
        w.show_page(w.results)

        # The quick-exit count, after one Shift press.
        w.top.shift_status.show_remaining(2)
        w.show_page(w.welcome)
        shoot(w, prefix + "shift-count")
        w.close()

    def few(w, waiting, prefix):
        """Does each page fit? The buttons at the bottom, the quick-exit count at the top."""
        w.top.shift_status.show_remaining(2)
        shoot(w, prefix + "welcome")
        w.welcome.advocate.setChecked(True)
        w.begin("advocate")
        w.session_page.initials.setText("JB")
        w.session_page.device.setText("her work laptop")
        shoot(w, prefix + "session")
        w.start_session_scan()
        wait_for(app, waiting.started.is_set)
        waiting.release.set()
        wait_for(app, lambda: w.current_page() is w.results)
        w.top.shift_status.show_remaining(3)
        shoot(w, prefix + "results")
        card = w.results.cards[0]
        card.fold.set_open(True)
        card.details.set_open(True)
        settle(app)
        w.activateWindow()
        card.notes.text.setFocus()       # focus moved down the page is scrolled into view
        settle(app)
        w.results.scroll.ensureWidgetVisible(card.notes, 16, 48)   # (no window manager: no focus change)
        shoot(w, prefix + "finding-notes")
        w.show_support()
        w.support.choose_region("uk-merseyside")
        settle(app, 1.0)                 # the new boxes are shown by queued events
        shoot(w, prefix + "support-merseyside")
        w.close()

    def scroll_to(page, widget, margin: int = 10) -> None:
        settle(app)
        bar = page.scroll.verticalScrollBar()
        bar.setValue(widget.mapTo(page.scroll.widget(), widget.rect().topLeft()).y() - margin)

    def phone(w, prefix):
        """The phone check in an advocate's appointment: the guide (USB debugging on, and off
        again afterwards), an Android phone replayed from MVT's real recordings with findings,
        a phone that is not ready, a comparison with an earlier check of the same phone, and
        MVT's real iPhone test backup."""
        import gzip
        import shutil
        import threading

        from PySide6.QtWidgets import QLabel

        from device_checkup.app.gui.pages import phone as phone_page
        from device_checkup.checks.phone.adb import Phone, Recorded
        from device_checkup.checks.phone.scan import scan_android
        from device_checkup.signatures.loader import load_set
        from tests.test_phone_snapshot import unknown_app_phone
        from tests.test_android import stalkerware_phone
        sigset = load_set()
        release = threading.Event()

        class SlowPhone(Recorded):      # answers the device-policy question when released
            def shell(self, argv):
                if argv == ("dumpsys", "device_policy"):
                    release.wait(30)
                return super().shell(argv)

        def replayed(outputs, slow=False):
            def scan(*, progress, cancel, user_paths):
                transport = SlowPhone(outputs) if slow else Recorded(outputs)
                return scan_android(Phone(transport), sigset, progress=progress, cancel=cancel)
            return scan

        def compare_phones(w, earlier_outputs, later_outputs, name: str) -> None:
            """A phone checked now (``later_outputs`` replayed) compared with a saved earlier check."""
            earlier = Path(sigdir) / f"{name}-earlier.json"
            with open(earlier, "w", encoding="utf-8") as fh:
                scan_android(Phone(Recorded(earlier_outputs)), sigset).snapshot.dump(fh)
            phone_page.android_scan = replayed(later_outputs)
            w.show_page(w.phone_page)
            w.phone_page.android_button.click()
            wait_for(app, lambda: w.current_page() is w.results)
            w.dialogs.earlier = str(earlier)
            w.compare_earlier()
            wait_for(app, lambda: w.current_page() is w.compare_page)
            shoot(w, name)

        w.welcome.advocate.setChecked(True)
        w.begin("advocate")
        w.session_page.initials.setText("JB")
        w.session_page.device.setText("her phone")
        w.session_page.store(w.session)
        w.show_page(w.welcome)
        w.phone_button.click()
        shoot(w, prefix + "phone-guide")
        labels = [x for x in w.phone_page.findChildren(QLabel) if x.isVisibleTo(w.phone_page)]
        after = next(x for x in labels if x.text() == phone_page.guide("after_title"))
        scroll_to(w.phone_page, after)
        shoot(w, prefix + "phone-guide-after")
        backup_title = next(x for x in labels if x.text() == phone_page.guide("backup_title"))
        scroll_to(w.phone_page, backup_title)
        shoot(w, prefix + "phone-guide-iphone")

        def not_ready(**_):
            raise phone_page.PhoneNotReady(phone_page.guide("not_allowed"))
        phone_page.android_scan = not_ready
        w.phone_page.android_button.click()
        wait_for(app, lambda: w.current_page() is w.phone_page and w.phone_page.problem.isVisible())
        shoot(w, prefix + "phone-not-ready")

        phone_page.android_scan = replayed(stalkerware_phone(), slow=True)
        w.phone_page.android_button.click()
        wait_for(app, lambda: w.current_page() is w.scan_page and "device" in w.scan_page.status.text())
        shoot(w, prefix + "phone-checking")
        release.set()
        wait_for(app, lambda: w.current_page() is w.results)
        shoot(w, prefix + "phone-results")
        shoot_first_finding(w, prefix + "phone-finding")

        # The same phone at an earlier appointment, before the app was made device administrator.
        compare_phones(w, unknown_app_phone(admin=False), unknown_app_phone(admin=True), prefix + "phone-compare")
        # TheTruthSpy found both times, now also allowed accessibility: a change, said in words.
        before = stalkerware_phone()
        before["settings list secure"] = "accessibility_enabled=0\n"
        compare_phones(w, before, stalkerware_phone(), prefix + "phone-compare-changed")

        # MVT's real iPhone test backup (tests/data/ios/README.md).
        data = ROOT / "tests" / "data" / "ios" / "mvt_ios_backup"
        folder = Path(tempfile.mkdtemp(prefix="checkup-shots-backup-")) / "00008030-001A"
        folder.mkdir()
        shutil.copy(data / "Info.plist", folder / "Info.plist")
        with gzip.open(data / "Manifest.db.gz") as src, open(folder / "Manifest.db", "wb") as dst:
            shutil.copyfileobj(src, dst)
        w.show_page(w.phone_page)
        w._pending_scan = phone_page.backup_scan(str(folder))
        w.start_scan("advocate")
        wait_for(app, lambda: w.current_page() is w.results)
        shoot(w, prefix + "iphone-results")
        w.close()

    if args.phone:
        run(args.prefix)
        print("\n".join(shots))
        return 0
    if args.few:
        run(args.prefix, point_size=max(18.0, base_font.pointSizeF() * 1.8) if args.large_font else None)
        print("\n".join(shots))
        return 0
    run(args.prefix)
    run(args.prefix + "large-font-", point_size=max(18.0, base_font.pointSizeF() * 1.8), every=False)
    print("\n".join(shots))
    return 0


if __name__ == "__main__":
    sys.exit(main())
