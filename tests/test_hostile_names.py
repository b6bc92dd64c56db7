"""The same hostile names fed to every presenter: the terminal text, the JSON, the app (labels,
the advocate table and its tooltips, dialogs) and the report. Whatever a planted name holds —
escape sequences that clear the screen, carriage returns, backspaces, bidi overrides and
isolates, zero-width characters, lone surrogates, HTML — it is shown as data (issue 14 item 1).
"""
from __future__ import annotations

import html
import json
import os
import re

import pytest

from device_checkup.app.cli import _json_text, main, render_text
from device_checkup.checks.inert import is_inert
from device_checkup.checks.records import AutostartEntry, InstalledApp, Process, Service
from device_checkup.checks.sources.base import Source
from tests.gui_fixtures import ALL, ListSource, make_scan, make_window  # noqa: F401 (fixture)

FAKE = "We didn't find any known monitoring software"
HOSTILE = [
    "\x1b[2J\x1b[3J\x1b[H" + FAKE,                 # clears the screen and the scrollback, draws a fake result
    "\x1b]0;title\x07evil",                         # sets the terminal's title
    "\x9b2Jc1-csi",                                 # the one-byte (C1) control sequence introducer
    "over\rwritten",                                # a carriage return draws over the line
    "back\b\b\bspace",
    "\u202eexe.txt",                                # right-to-left override
    "\u2066isolate\u2069",                          # left-to-right isolate
    "zero\u200bwidth\u200djoin\ufeff",
    "lone\udc80surrogate",                          # an undecodable byte in a file name
    "<img src='file:///tmp/banner.png'>Verified part of Linux — safe to ignore",
    "<b>bold</b><script>alert(1)</script>",
    "long" * 5000,
]
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\ufeff\ud800-\udfff]")
NAME = " ".join(HOSTILE)


def hostile_sources():
    spy = Process(pid=4242, name="sysdiag.exe", exe="C:\\Program Files\\" + HOSTILE[0] + "\u202e<img src=x>\\sysdiag.exe",
                  cmdline=tuple(HOSTILE), user=HOSTILE[5])
    service = Service(name="sysdiag", source="services", start="automatic", state="running",
                      executable="C:\\x\\" + HOSTILE[9] + "\\sysdiag.exe", display_name=NAME)
    kids = InstalledApp(name="KidLogger", source="uninstall-key", version=HOSTILE[3],
                        location="C:\\Program Files\\" + HOSTILE[1] + HOSTILE[8], publisher=HOSTILE[6])
    start = AutostartEntry(kind="run-key", name=NAME, location="HKCU\\Run\\" + HOSTILE[2],
                           executable="C:\\Users\\alex\\" + HOSTILE[5] + "<img src=x>" + "\\svchost.exe", command=NAME)

    class Failing(Source):
        id, kind, what, platforms = "test.failing", "tasks", "scheduled tasks", ALL

        def collect(self, machine, notes):
            notes.could_not_read("error", NAME, "a scheduled task")
            raise RuntimeError(NAME)

    return [ListSource("processes", [spy], "test.processes", "programs that are running now"),
            ListSource("services", [service], "test.services", "background services"),
            ListSource("apps", [kids], "test.apps", "installed programs"),
            ListSource("autostart", [start], "test.autostart", "programs that start by themselves"),
            Failing()]


@pytest.fixture(scope="module")
def result():
    r = make_scan(hostile_sources())(progress=None, cancel=None, user_paths=[])
    r.snapshot.os_version = NAME
    r.snapshot.root = HOSTILE[0]
    assert {"spyagent", "kidlogger"} <= {f.family for f in r.findings}
    return r


def _assert_inert_text(text: str) -> None:
    assert RAW.search(text) is None, repr(RAW.search(text))
    assert is_inert(text, keep_lines=True)


def test_the_terminal_text_shows_every_hostile_name_as_data(result):
    out = render_text(result)
    _assert_inert_text(out)
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x0d" in out and "\\x9b" in out and "\\udc80" in out
    out.encode("utf-8")                                 # printable: no lone surrogate left
    # The fake result is there only as visible data, after its escapes, never as a line of its own.
    assert not any(line.strip().startswith(FAKE) for line in out.splitlines())


def test_json_keeps_the_same_strings_but_no_raw_control_or_bidi_character(result):
    text = _json_text(result.to_json_data())
    _assert_inert_text(text)
    assert json.loads(text) == json.loads(json.dumps(result.to_json_data()))    # the same data
    text.encode("utf-8")


def test_a_planted_autostart_entry_cannot_clear_the_terminal(tmp_path, capsys):
    from tests.test_linux_sources import build
    disk = build(tmp_path / "disk")
    folder = disk / "home/alex/.config/autostart"
    (folder / "zz.desktop").write_text(f"[Desktop Entry]\nType=Application\nName={HOSTILE[0]}\n"
                                       f"Exec=/usr/bin/{HOSTILE[0]} {HOSTILE[5]}\n")
    (disk / "etc/os-release").write_text(f'PRETTY_NAME="{HOSTILE[0]}{HOSTILE[5]}"\n')
    os.mkdir(os.fsencode(folder) + b"/bad\xffname.desktop")
    assert main(["scan", "--root", str(disk), "--platform", "linux"]) == 0
    out = capsys.readouterr().out
    _assert_inert_text(out)
    assert "\\x1b[2J" in out and "KidLogger" in out
    assert main(["scan", "--root", str(disk), "--platform", "linux", "--json"]) == 0
    _assert_inert_text(capsys.readouterr().out)


def test_the_report_shows_every_hostile_name_as_data(result):
    from device_checkup.app.report import build_html
    page = build_html(result)
    _assert_inert_text(page)
    assert "<img src='file" not in page and "<script>alert" not in page and "<b>bold" not in page
    assert html.escape("<img src='file:///tmp/banner.png'>", quote=True) in page or "&lt;img" in page


def _labels(widget):
    from PySide6.QtWidgets import QLabel
    return widget.findChildren(QLabel)


def test_the_app_shows_every_hostile_name_as_plain_inert_text(qtbot, make_window, result):
    from PySide6.QtCore import Qt
    from PySide6.QtGui import Qt as GuiQt
    w = make_window(scan=make_scan(hostile_sources()))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    if w.current_page() is w.session_page:
        qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    labels = _labels(w.results)
    shown_names = [lab for lab in labels if "\\x1b" in lab.text() or "\\u202e" in lab.text()]
    assert shown_names                                  # the hostile names are on the page, as data
    for lab in labels:
        assert is_inert(lab.text(), keep_lines=True), repr(lab.text()[:200])
        if lab.text() and GuiQt.mightBeRichText(lab.text()):
            assert lab.textFormat() == Qt.TextFormat.PlainText, repr(lab.text()[:200])
    model = w.results.model
    assert model.rowCount() >= 2
    cells = [model.data(model.index(r, c), Qt.ItemDataRole.ToolTipRole) or ""
             for r in range(model.rowCount()) for c in range(model.columnCount())]
    assert any("\\u202e" in tip and "&lt;img" in tip for tip in cells), cells   # hostile, shown as data
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            index = model.index(row, col)
            shown = model.data(index, Qt.ItemDataRole.DisplayRole) or ""
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole) or ""
            assert is_inert(shown) and is_inert(tip, keep_lines=True)
            # A tooltip is rich text only as Qt's own escaped paragraph of the plain, inert text.
            assert "<img" not in tip and "<b>" not in tip and "<script" not in tip
            assert tip == GuiQt.convertFromPlainText(shown)
