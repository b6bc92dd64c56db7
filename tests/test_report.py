"""The evidence report: every required part, parsed back from HTML and rendered from PDF."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from app.compare import compare, load_earlier
from app.report import build_html, read_scan_data, save_report
from app.session import Session, new_reference, questions
from checks.engine import run_scan
from checks.records import Process, Service
from checks.sources.base import Machine
from checks.sources.fs import FileSystem
from tests.helpers import FailingSource, ListSource, family_yaml, sigset_from_text

SET = ("schema: 1\nfamilies:\n"
       + family_yaml("spyagent", "stalkerware", "process_names: [sysdiag.exe]", name="SpyAgent")
       + family_yaml("anydesk", "remote-access", "service_names: [AnyDesk]", name="AnyDesk"))


class Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], False

    def handle_starttag(self, tag, attrs):
        self.skip = tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html_text: str) -> str:
    p = Text()
    p.feed(html_text)
    return " ".join(" ".join(p.parts).split())


@pytest.fixture
def result(tmp_path):
    machine = Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=True)
    res = run_scan(signatures=sigset_from_text(SET), machine=machine, sources=[
        ListSource("processes", [Process(pid=4242, name="sysdiag.exe", exe=r"C:\Program Files (x86)\sysconfig\sysdiag.exe")]),
        ListSource("services", [Service(name="AnyDesk", source="test", executable=r"C:\Program Files (x86)\AnyDesk\AnyDesk.exe")]),
        FailingSource()])
    anydesk = next(f for f in res.findings if f.family == "anydesk")
    anydesk.extra["sessions"] = [{"time": "2022-08-23 10:23", "direction": "incoming", "approval": "with a password",
                                  "remote_id": "547911884", "remote_address": None, "log": r"C:\ProgramData\AnyDesk\connection_trace.txt", "line": 1}]
    return res


@pytest.fixture
def session(result):
    s = Session(reference="20261123-007", advocate_initials="JB", device_nickname="her work laptop", result=result)
    s.answers = {q["id"]: f"answer to {q['id']}" for q in questions()}
    spy = result.findings[0]
    note = s.note_for(spy.id)
    note.client_says, note.note = "dont-recognise", "Client first noticed it in March."
    any_note = s.note_for(result.findings[1].id)
    any_note.not_a_concern, any_note.client_says = True, "installed"
    return s


def test_the_html_report_has_every_required_part(result, session):
    page = build_html(result, session, made_at="2026-11-23T21:14:00+01:00")
    text = text_of(page)
    started = result.snapshot.started_at
    for needed in [
        "20261123-007", "JB", "her work laptop",
        "SpyAgent, a program sold to watch another person's computer",
        "AnyDesk, a tool that lets another computer see or control this one",
        "What it is:", "Why it matters:", "What you could do:", "Be careful:",
        r"C:\Program Files (x86)\sysconfig\sysdiag.exe", "program file name: sysdiag.exe", "https://example.org/spyagent",
        "The client says: “I don't recognise it”", "Client first noticed it in March.",
        "Marked as not a concern.", "The client says: “I installed this”",
        "2022-08-23 10:23", "with a password", "547911884",
        "programs that start by themselves: something went wrong while reading it",
        "What a scan cannot see", "Physical trackers",
        "answer to physical-access", questions()[0]["ask"],
        result.signatures.sha256, "Device Checkup version", "23 November 2026 at 21:14 (UTC+01:00)",
    ]:
        assert needed in text, needed
    assert re.search(r"\(UTC[+-]\d\d:\d\d\)", text_of(page).split("Scan started", 1)[1])
    assert "serial" not in page.lower()
    assert started


def test_the_report_carries_its_scan_and_compares_with_a_later_one(result, session, tmp_path):
    path = tmp_path / "report.html"
    digest = save_report(str(path), result, session)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    data = read_scan_data(str(path))
    assert data["session"]["reference"] == "20261123-007"
    assert [f["family"] for f in data["scan"]["findings"]] == ["spyagent", "anydesk"]
    later = result.to_json_data()
    later["findings"] = later["findings"][1:]  # SpyAgent gone
    comp = compare(load_earlier(str(path), result.signatures), later)
    assert [f["family"] for f in comp.gone] == ["spyagent"]
    assert [f["family"] for f in comp.unchanged] == ["anydesk"] and comp.new == []


def test_compare_from_a_saved_snapshot_rematches_it(result, tmp_path):
    snap = tmp_path / "snap.json"
    with open(snap, "w") as fh:
        result.snapshot.dump(fh)
    earlier = load_earlier(str(snap), result.signatures)
    comp = compare(earlier, result.to_json_data())
    assert {f["family"] for f in comp.unchanged} == {"spyagent", "anydesk"} and not comp.new and not comp.gone


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_pdf_report_renders_pages_with_the_findings(result, session, tmp_path):
    path = tmp_path / "report.pdf"
    save_report(str(path), result, session)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for needed in ("Device Checkup report", "20261123-007", "SpyAgent, a program sold to watch", "547911884",
                   "What a scan cannot see"):
        assert needed in flat, needed
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    from PySide6.QtGui import QImage
    img = QImage(str(pages[0]))
    dark = sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
               if img.pixelColor(x, y).lightness() < 128)
    assert dark > 200, "the first page is blank"


def test_the_command_line_writes_a_report_and_refuses_other_endings(tmp_path, capsys):
    from app.cli import main
    root = tmp_path / "disk"
    root.mkdir()
    assert main(["scan", "--root", str(root), "--platform", "linux", "--report", str(tmp_path / "r.html")]) == 0
    assert "Its SHA-256 is" in capsys.readouterr().err
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["scan", "--report", str(tmp_path / "r.doc")]) == 2


def test_references_are_a_date_and_a_number_and_end_forgets_everything(result, session):
    import datetime, random
    assert new_reference(datetime.date(2026, 11, 23), random.Random(1)) == "20261123-138"
    session.end()
    assert (session.reference, session.answers, session.notes, session.result) == ("", {}, {}, None)
