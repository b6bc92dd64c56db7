"""The app's whole flow with a fake scan made by the real engine: welcome → scan → results →
details → support; cancel; a failing check shown as "could not check"; saving a report."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from device_checkup.app.gui import words
from tests.gui_fixtures import (FailingSource, FakeDialogs, RefusedSource, WaitingSource, every_tier_sources,
                                make_scan, make_window, spy_sources)  # noqa: F401 (fixture)


def labels_text(widget) -> str:
    return "\n".join(l.text() for l in widget.findChildren(QLabel) if l.isVisibleTo(widget))


def start(qtbot, w, mode_button=None):
    if mode_button is not None:
        mode_button.setChecked(True)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    if w.current_page() is w.session_page:          # an advocate first sees the appointment page
        qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)


def test_welcome_says_what_the_check_does_and_cannot_see_and_the_risks(make_window):
    w = make_window()
    assert w.windowTitle() == "Device Checkup"
    assert w.current_page() is w.welcome
    text = labels_text(w.welcome)
    assert "may be able to see that this check was run" in text
    assert "Shift key three times" in text
    assert "can't undo what monitoring software may already have recorded" in text
    assert "Physical trackers" in text            # from device_checkup.checks.texts.cannot_see()
    assert "safe" not in words.WELCOME_INTRO.lower()
    assert w.welcome.own.isChecked() and not w.welcome.advocate.isChecked()
    assert w.welcome.start_button.isDefault()


def test_whole_flow_welcome_scan_results_details_support(qtbot, make_window, monkeypatch):
    from device_checkup import checks  # noqa: F401
    import device_checkup.checks.engine  # noqa: F401
    monkeypatch.setattr(checks.engine, "running_as_administrator", lambda: False)   # an ordinary account
    dialogs = FakeDialogs(answer=False)
    w = make_window(scan=make_scan(every_tier_sources()), dialogs=dialogs)
    seen = []
    w.runner.progress.connect(lambda p: seen.append(p.words))
    start(qtbot, w)
    assert any(s.startswith("Looking at programs that are running now") for s in seen)
    assert w.results.headline.text() == "We found software that can be used to watch this computer."

    # Groups in the engine's order, headed by the tier labels from checks/texts.
    groups = [g.objectName() for g in w.results._dynamic if g.objectName().startswith("tier-")]
    assert groups == ["tier-stalkerware", "tier-monitoring", "tier-remote-access", "tier-watchware",
                      "tier-suspicious", "tier-settings"]
    headings = labels_text(w.results)
    assert "Software sold to watch another person (1)" in headings
    assert "Settings worth checking (1)" in headings

    # A finding opens with the keyboard; its details are folded again inside.
    card = w.results.cards[0]
    assert card.finding.family == "spyagent"
    assert not card.fold.body.isVisible()
    card.fold.button.setFocus()
    qtbot.keyClick(card.fold.button, Qt.Key.Key_Space)
    assert card.fold.body.isVisible()
    body = labels_text(card)
    for part in (card.finding.what, card.finding.why, card.finding.do, card.finding.careful):
        assert part in body
    assert "let the person who installed it know" in body
    assert not card.details.body.isVisible()
    qtbot.keyClick(card.details.button, Qt.Key.Key_Space)
    assert card.details.body.isVisible()
    details = card.details_text
    assert r"C:\Program Files (x86)\sysconfig\sysdiag.exe" in details
    assert "pid: 4242" in details
    assert "Matched: sysdiag.exe  (program file name: process_names)" in details
    assert "signature file: test-signatures.yaml" in details
    assert "source: https://example.org/spyagent" in details

    # What couldn't be checked, with the reason and how to allow it; what a scan can't see.
    nc = [l.text() for l in w.results.findChildren(QLabel, "notChecked")]
    assert ("We couldn't look at programs that start by themselves, because Device Checkup itself ran into a "
            "fault there (a fault in the app, not a sign of anything on this computer). The technical detail is "
            "in the report and in the command line's JSON output, for whoever looks after Device Checkup.") in nc
    assert any("scheduled tasks, because this account isn't allowed to look there. Running Device "
               "Checkup as an administrator" in t for t in nc)
    assert "Your phone and other devices. They need their own check." in labels_text(w.results)

    # Get help from the results; a website is only opened after a warning about history.
    qtbot.mouseClick(w.top.help_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.support
    text = labels_text(w.support)
    for number in ("0808 802 0300", "999", "101", "0800 555 111"):
        assert number in [n.text() for box in w.support.boxes for n in box.numbers] or number in text
    assert "999, then press 55" in text
    site_box = next(b for b in w.support.boxes if b.website_button is not None)
    qtbot.mouseClick(site_box.website_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked and "history" in dialogs.asked[0][1]
    assert dialogs.opened == []
    dialogs.answer = True
    qtbot.mouseClick(site_box.website_button, Qt.MouseButton.LeftButton)
    assert dialogs.opened == [site_box.service.website]

    # Regions from the data file, and back to the results.
    w.support.choose_region("uk-merseyside")
    assert "07802 722703" in [n.text() for b in w.support.boxes for n in b.numbers]
    qtbot.mouseClick(w.support.back_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.results


def test_support_numbers_are_selectable_text(make_window):
    w = make_window()
    w.show_support()
    nums = [n for b in w.support.boxes for n in b.numbers]
    assert nums
    for n in nums:
        assert n.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
        assert n.accessibleName().startswith(("Phone", "Text"))


def test_get_help_and_exit_are_on_every_page(make_window):
    w = make_window()
    for page in (w.welcome, w.scan_page, w.results, w.support, w.signatures, w.about):
        w.show_page(page)
        assert w.top.exit_button.isVisible() and w.top.help_button.isVisible()
    assert w.top.exit_button.accessibleName() == "Emergency exit"
    assert w.top.exit_button.property("style") == "danger"


def test_a_failing_check_is_shown_as_could_not_check(qtbot, make_window):
    w = make_window(scan=make_scan([FailingSource(), *spy_sources()]))
    start(qtbot, w)
    (line,) = [l.text() for l in w.results.findChildren(QLabel, "notChecked")]
    assert line.startswith("We couldn't look at programs that start by themselves, because Device Checkup itself ran into a fault")
    assert any("RuntimeError: the disk fell off" in l.text() for l in w.results.findChildren(QLabel))
    assert [f.family for f in w.results.model._findings] == ["spyagent"]


def test_cancel_stops_the_scan_and_says_so(qtbot, make_window):
    waiting = WaitingSource()
    w = make_window(scan=make_scan([*spy_sources(), waiting]))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.scan_page
    qtbot.waitUntil(lambda: w.scan_page.status.text() == "Looking at installed programs…", timeout=10000)
    assert w.scan_page.bar.maximum() > 0
    assert "Step" in w.scan_page.step.text()
    # The window answers while the scan runs: Get help and back again.
    w.show_support()
    w.go_back()
    assert w.current_page() is w.scan_page
    qtbot.mouseClick(w.scan_page.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.welcome, timeout=10000)
    assert w.notice.text() == words.SCAN_CANCELLED and w.notice.isVisible()
    assert not w.runner.running()
    assert w.result is None
    waiting.release.set()


def test_advocate_mode_shows_the_table_and_own_mode_does_not(qtbot, make_window):
    w = make_window()
    start(qtbot, w)
    assert not w.results.table.isVisible()
    w.check_again()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    w2 = make_window()
    start(qtbot, w2, w2.welcome.advocate)
    assert w2.mode == "advocate"
    assert w2.results.table.isVisible()
    assert w2.results.model.rowCount() == 1


def test_saving_a_report_goes_only_where_the_person_chose(qtbot, make_window, tmp_path):
    out = tmp_path / "report.html"
    w = make_window(dialogs=FakeDialogs(save_to=str(out)))
    start(qtbot, w)
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.save_task is None)     # written off the GUI thread
    assert out.is_file()
    assert "SpyAgent" in out.read_text("utf-8")
    assert str(out) in w.results.when.text()
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_report_that_cannot_be_saved_is_said_calmly(qtbot, make_window, tmp_path):
    w = make_window(dialogs=FakeDialogs(save_to=str(tmp_path / "missing" / "report.html")))
    start(qtbot, w)
    w.save_report()
    qtbot.waitUntil(lambda: w.save_task is None)
    assert w.results.when.text().startswith("We couldn't save the report there")


def test_keyboard_only_every_button_has_a_name_and_takes_focus(make_window):
    w = make_window()
    for page in (w.welcome, w.scan_page, w.results, w.support, w.signatures, w.about):
        for b in page.findChildren(QPushButton):
            assert b.accessibleName() or b.text(), b
            assert b.focusPolicy() & Qt.FocusPolicy.TabFocus, b.text()
    # Mnemonics on the main actions.
    assert "&" in w.top.exit_button.text() and "&" in w.top.help_button.text()
    assert "&" in w.welcome.start_button.text()
    # Tab moves from the start of the window through the top bar's buttons.
    w.top.help_button.setFocus()
    QApplication.processEvents()
    w.focusNextChild()
    assert QApplication.focusWidget() is w.top.exit_button
