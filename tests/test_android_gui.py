"""The app's phone page: the advocate's guide, a replayed Android phone through the ordinary
scan runner and results page, a phone that is not there, quick exit on the page."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from device_checkup.app.gui.pages import phone as phone_page
from device_checkup.checks.phone.adb import Phone, Recorded
from device_checkup.checks.phone.scan import scan_android
from device_checkup.signatures.loader import load_set
from tests.gui_fixtures import make_window  # noqa: F401 (fixture)
from tests.test_android import stalkerware_phone


def labels_text(widget) -> str:
    return "\n".join(l.text() for l in widget.findChildren(QLabel) if l.isVisibleTo(widget))


def test_the_guide_says_how_to_turn_debugging_on_and_off_and_the_risk(qtbot, make_window):
    w = make_window()
    qtbot.mouseClick(w.phone_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.phone_page
    text = labels_text(w.phone_page)
    assert "Some monitoring apps notice when USB debugging is turned on" in text
    assert "Tap “Build number” seven times" in text
    assert "Revoke USB debugging authorisations" in text
    assert "If the backup is encrypted, you will be asked for its password" in text
    assert w.top.exit_button.isVisible()
    qtbot.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton)
    assert w.quits or w.hard_exits


def test_a_replayed_phone_goes_to_the_ordinary_results_page(qtbot, make_window, monkeypatch):
    sigset = load_set()
    sent = []

    def replayed(*, progress, cancel, user_paths):
        phone = Phone(Recorded(stalkerware_phone()))
        result = scan_android(phone, sigset, progress=progress, cancel=cancel)
        sent.extend(phone.sent)
        return result

    monkeypatch.setattr(phone_page, "android_scan", replayed)
    w = make_window()
    w.show_page(w.phone_page)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert "TheTruthSpy" in labels_text(w.results)
    assert "USB debugging is itself a change" in labels_text(w.results)      # what a phone check can't see
    assert w.result.snapshot.platform == "android" and sent and sent[0] == ("getprop",)


def test_no_phone_is_said_in_words_on_the_phone_page(qtbot, make_window, monkeypatch, tmp_path):
    import sys
    fake = tmp_path / "adb"
    fake.write_text(f"#!{sys.executable}\nprint('List of devices attached')\nprint()\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ.get("PATH", ""))
    w = make_window()
    w.show_page(w.phone_page)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.phone_page and w.phone_page.problem.isVisible(), timeout=15000)
    assert "No phone answered" in w.phone_page.problem.text()
    # The laptop's own check is unchanged afterwards.
    assert w._pending_scan is None


def test_the_phone_page_tabs_top_to_bottom_with_distinct_shortcuts(qtbot, make_window):
    from tests.test_gui_keyboard import check_page
    w = make_window()
    check_page(w, w.welcome)
    w.show_page(w.phone_page)
    check_page(w, w.phone_page)


def test_the_compare_page_shows_a_phone_change_and_refuses_another_kind_of_device(qtbot, make_window, monkeypatch,
                                                                                  tmp_path):
    from tests.gui_fixtures import FakeDialogs
    from tests.test_phone_snapshot import HIDDEN, unknown_app_phone
    sigset = load_set()
    earlier = tmp_path / "earlier.json"
    with open(earlier, "w", encoding="utf-8") as fh:
        scan_android(Phone(Recorded(unknown_app_phone(admin=False))), sigset).snapshot.dump(fh)
    monkeypatch.setattr(phone_page, "android_scan", lambda **kw: scan_android(
        Phone(Recorded(unknown_app_phone(admin=True))), sigset, progress=kw["progress"], cancel=kw["cancel"]))
    w = make_window(dialogs=FakeDialogs(earlier=str(earlier)))
    w.show_page(w.phone_page)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.compare_page, timeout=15000)
    (new,) = w.compare_page.sections["new"]
    assert HIDDEN in new and "allowed to watch" in new
    assert w.compare_page.sections["changed"] == []
    text = labels_text(w.compare_page)
    assert "Found both times, but changed (0)" in text and "New since the earlier check (1)" in text
    # A laptop's saved check is not compared with a phone's: one plain sentence on the results page.
    laptop = tmp_path / "laptop.json"
    import json
    data = json.loads(earlier.read_text("utf-8"))
    data.update(platform="windows", records={})
    laptop.write_text(json.dumps(data))
    w.dialogs.earlier = str(laptop)
    w.show_page(w.results)
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "can't be compared" in w.results.when.text(), timeout=15000)
    assert w.results.when.text() == ("That file is a check of a computer, and this is a check of an Android phone, "
                                     "so the two can't be compared. You could choose an earlier check of the same device.")
    assert w.current_page() is w.results


def test_a_phone_check_says_phone_while_it_runs_and_when_it_is_stopped(qtbot, make_window, monkeypatch):
    from tests.test_phone_quick_exit import SlowPhone
    sigset = load_set()
    phones = []

    def slow(*, progress, cancel, user_paths):
        phones.append(SlowPhone(stalkerware_phone(), cancel))
        return scan_android(Phone(phones[-1]), sigset, progress=progress, cancel=cancel)

    monkeypatch.setattr(phone_page, "android_scan", slow)
    w = make_window()
    w.show_page(w.phone_page)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(phones) and phones[0].asked.is_set(), timeout=15000)
    text = labels_text(w.scan_page)
    assert "Checking the phone" in text and "Nothing on the phone is changed" in text and "laptop" not in text
    qtbot.mouseClick(w.scan_page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.phone_page, timeout=15000)
    assert w.phone_page.problem.text() == "The check was stopped. Nothing was changed on the phone."
    assert w.phone_page.retry_button.isVisible() and w._pending_scan is None
    # Try again checks the phone again; the laptop's own check has the laptop's words again.
    qtbot.mouseClick(w.phone_page.retry_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(phones) == 2 and phones[1].asked.is_set(), timeout=15000)
    phones[1].release.set()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert "this phone" in w.results.when.text()
    # "Check again" checks the phone again, and says so.
    qtbot.mouseClick(w.results.again_button, Qt.MouseButton.LeftButton)
    assert "Checking the phone" in labels_text(w.scan_page)
    qtbot.waitUntil(lambda: len(phones) == 3 and phones[2].asked.is_set(), timeout=15000)
    phones[2].release.set()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    # The laptop's own check, from the welcome page, has the laptop's words again.
    w.show_page(w.welcome)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert "Checking this laptop" in labels_text(w.scan_page)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.result.snapshot.platform != "android"


def test_an_appointment_checks_the_laptop_then_the_phone_and_one_report_has_both(qtbot, make_window, monkeypatch,
                                                                                 tmp_path):
    from tests.gui_fixtures import FakeDialogs
    sigset = load_set()
    monkeypatch.setattr(phone_page, "android_scan", lambda **kw: scan_android(
        Phone(Recorded(stalkerware_phone())), sigset, progress=kw["progress"], cancel=kw["cancel"]))
    report = tmp_path / "appointment.html"
    w = make_window(dialogs=FakeDialogs(save_to=str(report), answer=True))
    w.welcome.advocate.setChecked(True)
    w.begin("advocate")
    w.start_session_scan()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    laptop = w.result
    w.session.note_for(laptop.findings[0].id).note = "Seen on the laptop first."
    qtbot.mouseClick(w.phone_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results and w.result is not laptop, timeout=15000)
    assert w.session is not None and w.results.end_button.isVisible()      # still the same appointment
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(w.dialogs.saved), timeout=15000)
    page = " ".join(report.read_text("utf-8").replace("&#x27;", "'").split())
    assert "TheTruthSpy" in page and "This phone" in page
    assert "Also checked in this appointment: this computer" in page and "Seen on the laptop first." in page
    qtbot.mouseClick(w.results.end_button, Qt.MouseButton.LeftButton)
    assert w.session is None


def test_the_phone_page_buttons_are_named_in_the_chosen_language(qtbot, make_window):
    w = make_window()
    w.choose_language("pl")
    try:
        page = w.phone_page
        names = [page.android_button.accessibleName(), page.backup_button.accessibleName(),
                 page.back_button.accessibleName()]
        assert names == ["Sprawdź telefon z systemem Android", "Wybierz kopię zapasową telefonu iPhone", "Wstecz"]
    finally:
        w.choose_language("en")
    assert w.phone_page.android_button.accessibleName() == "Check the Android phone"
