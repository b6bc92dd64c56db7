"""An advocate's appointment, end to end: the session page, notes on findings, the report
(HTML parsed back, PDF rendered), ending the session, and comparing with an earlier check."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from device_checkup.app.gui import words
from device_checkup.app.report import read_scan_data, save_report
from device_checkup.app.session import questions
from tests.gui_fixtures import (KIDS, MONITOR, SPY, FakeDialogs, ListSource, every_tier_sources, make_scan,
                                make_window, spy_sources)  # noqa: F401 (fixture)
from tests.test_gui_quick_exit import assert_exited, shift


def begin_appointment(qtbot, w, initials="JB", device="her work laptop", answers=None):
    w.welcome.advocate.setChecked(True)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.session_page
    page = w.session_page
    qtbot.keyClicks(page.initials, initials)
    qtbot.keyClicks(page.device, device)
    for qid, text in (answers or {}).items():
        qtbot.keyClicks(page.answers[qid], text)


def run_check(qtbot, w):
    qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)


def card(w, family):
    return next(c for c in w.results.cards if c.finding.family == family)


def test_the_appointment_page_makes_a_reference_and_keeps_answers_in_memory(qtbot, make_window):
    w = make_window()
    begin_appointment(qtbot, w, answers={"passwords": "Her ex knew the old one"})
    ref = w.session.reference
    assert re.fullmatch(r"\d{8}-\d{3}", ref)
    assert ref in w.session_page.reference.text()
    assert not w.session_bar.isVisible()               # the page itself shows the reference
    assert set(w.session_page.answers) == {q["id"] for q in questions()}
    run_check(qtbot, w)
    assert w.session.advocate_initials == "JB" and w.session.device_nickname == "her work laptop"
    assert w.session.answers == {"passwords": "Her ex knew the old one"}
    assert w.session_bar.isVisible()
    assert w.session_bar.text() == f"Appointment {ref} · her work laptop"


def test_notes_on_findings_are_shown_and_kept_in_the_session(qtbot, make_window):
    w = make_window(scan=make_scan(every_tier_sources()))
    begin_appointment(qtbot, w)
    run_check(qtbot, w)
    assert all(c.notes is not None for c in w.results.cards)
    spy = card(w, "spyagent")
    spy.fold.set_open(True)
    spy.notes.says.setCurrentIndex(spy.notes.says.findData("dont-recognise"))
    kids = card(w, "kidlogger")
    kids.fold.set_open(True)
    qtbot.mouseClick(kids.notes.not_a_concern, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(kids.notes.text, "Set up for her son by her")
    assert w.session.notes[spy.finding.id].client_says == "dont-recognise"
    note = w.session.notes[kids.finding.id]
    assert note.not_a_concern and note.note == "Set up for her son by her"
    assert spy.noted.isVisible() and spy.noted.text() == "Noted: “I don't recognise it”"
    assert kids.noted.text() == "Noted: not a concern; Set up for her son by her"
    assert not card(w, "activtrak").noted.isVisible()


def test_a_person_checking_their_own_laptop_has_no_session_parts(qtbot, make_window):
    w = make_window()
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.session is None and not w.session_bar.isVisible()
    assert all(c.notes is None for c in w.results.cards)
    assert not w.results.end_button.isVisible()
    assert w.results.compare_button.isVisible() and w.results.save_button.isVisible()


def test_the_report_holds_the_session_and_its_fingerprint_is_shown(qtbot, make_window, tmp_path):
    html_out, pdf_out = tmp_path / "appointment.html", tmp_path / "appointment.pdf"
    dialogs = FakeDialogs(save_to=str(html_out))
    w = make_window(scan=make_scan(every_tier_sources()), dialogs=dialogs)
    begin_appointment(qtbot, w, answers={"physical-access": "Her ex, until March", "concerns": "He quoted her emails"})
    run_check(qtbot, w)
    spy = card(w, "spyagent")
    spy.notes.says.setCurrentIndex(spy.notes.says.findData("someone-else"))
    qtbot.keyClicks(spy.notes.text, "Appeared after he repaired it")
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.save_task is None)     # reports are written off the GUI thread
    dialogs.save_to = str(pdf_out)
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.save_task is None)

    # The fingerprint shown is the file's own SHA-256.
    assert [(p, d) for p, d in dialogs.saved] == [
        (str(html_out), hashlib.sha256(html_out.read_bytes()).hexdigest()),
        (str(pdf_out), hashlib.sha256(pdf_out.read_bytes()).hexdigest())]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appointment.html", "appointment.pdf"]

    # HTML, parsed back: the session, the answers, the note and the scan itself.
    text = html_out.read_text("utf-8")
    ref = w.session.reference
    assert f"<td>{ref}</td>" in text and "<td>JB</td>" in text and "<td>her work laptop</td>" in text
    assert "Her ex, until March" in text and "He quoted her emails" in text
    assert "Someone else set this up" in text and "Appeared after he repaired it" in text
    data = read_scan_data(str(html_out))
    assert data["session"]["reference"] == ref
    assert data["session"]["notes"][spy.finding.id]["note"] == "Appeared after he repaired it"
    assert {f["family"] for f in data["scan"]["findings"]} >= {"spyagent", "activtrak", "teamviewer", "kidlogger"}

    # PDF: every page renders, with something on it, and the reference is in its text.
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf_out), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    for page in pages:
        img = QImage(str(page))
        inked = sum(1 for y in range(0, img.height(), 4) for x in range(0, img.width(), 4)
                    if img.pixelColor(x, y).lightness() < 200)
        assert inked > 20, page.name
    words_in_pdf = subprocess.run(["pdftotext", str(pdf_out), "-"], capture_output=True, text=True, timeout=120).stdout
    assert ref in words_in_pdf and "Appeared after he repaired it" in words_in_pdf


def test_ending_the_session_forgets_everything_and_leaves_no_file(qtbot, make_window, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    dialogs = FakeDialogs(answer=True)
    w = make_window(scan=make_scan(every_tier_sources()), dialogs=dialogs)
    begin_appointment(qtbot, w, answers={"children": "Two, aged 9 and 12"})
    run_check(qtbot, w)
    session = w.session
    card(w, "spyagent").notes.text.setText("a note")
    assert session.notes and session.result is not None
    qtbot.mouseClick(w.results.end_button, Qt.MouseButton.LeftButton)
    assert dialogs.asked[-1][0] == words.SESSION_END_TITLE
    assert w.current_page() is w.welcome and w.notice.text() == words.SESSION_ENDED
    assert w.session is None and w.result is None and w.results.cards == []
    assert session.reference == "" and session.answers == {} and session.notes == {} and session.result is None
    assert w.session_page.initials.text() == "" and all(not e.toPlainText() for e in w.session_page.answers.values())
    assert not w.session_bar.isVisible() and w.welcome.own.isChecked()
    assert list((tmp_path / "tmp").iterdir()) == []
    # A new appointment gets a new, empty page.
    w.welcome.advocate.setChecked(True)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.session_page.answers["children"].toPlainText() == ""


def test_ending_can_be_declined(qtbot, make_window):
    w = make_window(dialogs=FakeDialogs(answer=False))
    begin_appointment(qtbot, w)
    run_check(qtbot, w)
    qtbot.mouseClick(w.results.end_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.results and w.session is not None and w.results.cards


def _earlier(tmp_path, sources, as_report: bool):
    """An earlier check saved the way an advocate would have: a report, or the JSON document."""
    from device_checkup.checks.sources.base import Machine  # noqa: F401
    result = make_scan(sources)(progress=lambda p: None, cancel=None, user_paths=[])
    if as_report:
        path = tmp_path / "earlier.html"
        save_report(str(path), result)
    else:
        path = tmp_path / "earlier.json"
        path.write_text(json.dumps(result.to_json_data()), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("as_report", [True, False])
def test_compare_with_an_earlier_check(qtbot, make_window, tmp_path, as_report):
    earlier = _earlier(tmp_path, [ListSource("processes", [SPY], "test.processes", "programs"),
                                  ListSource("apps", [KIDS], "test.apps", "installed programs")], as_report)
    now = [ListSource("processes", [SPY, MONITOR], "test.processes", "programs")]
    w = make_window(scan=make_scan(now), dialogs=FakeDialogs(earlier=earlier))
    begin_appointment(qtbot, w)
    run_check(qtbot, w)
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.compare_task is None)      # the earlier file is read off the GUI thread
    assert w.current_page() is w.compare_page
    titles = {f.family: f.title for f in w.result.findings}
    assert w.compare_page.sections["new"] == [titles["activtrak"]]
    assert w.compare_page.sections["same"] == [titles["spyagent"]]
    assert len(w.compare_page.sections["gone"]) == 1 and "KidLogger" in w.compare_page.sections["gone"][0]
    assert w.session_bar.isVisible()
    qtbot.mouseClick(w.compare_page.back_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.results


@pytest.mark.parametrize("name,content", [("notes.json", b"{not json"), ("old.pdf", b"%PDF-1.7\n%%EOF"),
                                          ("old.html", b"\xff\xfe<html>"), ("photo.jpg", b"\xff\xd8\xff\xe0")])
def test_a_file_that_is_not_an_earlier_check_is_said_plainly(qtbot, make_window, tmp_path, name, content):
    junk = tmp_path / name
    junk.write_bytes(content)
    w = make_window(dialogs=FakeDialogs(earlier=str(junk)))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.compare_task is None)
    assert w.current_page() is w.results
    said = w.results.when.text()
    assert said.startswith(("This file isn't a Device Checkup report", "This PDF has no scan data")), said
    assert ". " not in said and "Error" not in said and "codec" not in said and "JSON" not in said


def test_quick_exit_from_the_appointment_page_forgets_the_session(qtbot, make_window):
    w = make_window()
    begin_appointment(qtbot, w, answers={"concerns": "he tracks her"})
    session = w.session
    for _ in range(3):
        shift(qtbot, w)
    assert_exited(w)
    assert w.session is None and session.answers == {} and w.session_page.answers["concerns"].toPlainText() == ""


def test_quick_exit_from_the_results_of_an_appointment(qtbot, make_window):
    w = make_window()
    begin_appointment(qtbot, w)
    run_check(qtbot, w)
    card(w, "spyagent").notes.text.setText("sensitive")
    qtbot.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton)
    assert_exited(w)
    assert w.session is None and w.results.cards == []


def test_a_pdf_that_is_not_whole_is_not_called_saved_and_the_web_page_is_offered(qtbot, make_window, tmp_path,
                                                                                   monkeypatch):
    import device_checkup.app.report as report
    real = report._make_pdf
    monkeypatch.setattr(report, "_make_pdf", lambda blocks, ref, att: real(blocks[:-5], ref, att))
    offered = []

    class Dialogs(FakeDialogs):
        def save_file(self, parent, suggested):
            offered.append(suggested)
            return str(tmp_path / ("cut.pdf" if len(offered) == 1 else "instead.html"))

    dialogs = Dialogs()
    w = make_window(dialogs=dialogs)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(dialogs.saved), timeout=60000)  # both saves run off the GUI thread
    assert not (tmp_path / "cut.pdf").exists()
    assert offered[1].endswith(".html")
    html_path = tmp_path / "instead.html"
    assert dialogs.saved == [(str(html_path), hashlib.sha256(html_path.read_bytes()).hexdigest())]
