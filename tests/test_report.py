"""The evidence report: every required part, parsed back from HTML and rendered from PDF."""
from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from device_checkup.app.compare import compare, load_earlier
from device_checkup.app.report import build_html, read_scan_data, save_report
from device_checkup.app.session import Session, new_reference, questions
from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import Process, Service
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.fs import FileSystem
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
        "What it is:", "Why it matters:", "What you could do:", "Be careful:", "Finding 1 of 2:",
        r"C:\Program Files (x86)\sysconfig\sysdiag.exe", "program file name: sysdiag.exe", "https://example.org/spyagent",
        "The client says: “I don't recognise it”", "Client first noticed it in March.",
        "Marked as not a concern.", "The client says: “I installed this”",
        "23 August 2022 at 10:23 (the log's own clock, no time zone written)", "with a password", "547911884",
        "programs that start by themselves: Device Checkup itself ran into a fault there",
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


POPPLER = pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"), reason="needs poppler-utils")


def pdf_pages(path) -> list[str]:
    """The text of each page, as poppler (not the library that wrote it) reads it."""
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=600).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def many_findings(result, count):
    """``count`` findings, each its own family and title, built from the real first finding."""
    first = result.findings[0]
    made = list(result.findings)
    for i in range(count - len(made)):
        f = copy.copy(first)
        f.family, f.family_name, f.title = f"family-{i}", f"Product {i}", f"Product {i}, a program sold to watch another person's computer"
        made.append(f)
    result.findings = made
    return result


@POPPLER
def test_the_pdf_report_is_evidence_grade(result, session, tmp_path):
    path = tmp_path / "report.pdf"
    digest = save_report(str(path), result, session)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    pages = pdf_pages(path)
    flat = " ".join(" ".join(pages).split())
    for needed in ("Device Checkup report", "20261123-007", "SpyAgent, a program sold to watch", "547911884",
                   "What a scan cannot see", "The conversation", "answer to physical-access",
                   result.signatures.sha256, "Client first noticed it in March.", "End of the report."):
        assert needed in flat, needed
    # Page one is the summary: reference, time zone, the table by tier, remote sessions, not checked.
    first = " ".join(pages[0].split())
    for needed in ("Reference 20261123-007", "Summary of what was found", "Software sold to watch",
                   "Incoming remote sessions recorded by remote-access tools: 1", "What could not be checked"):
        assert needed in first, needed
    assert re.search(r"Scan started \d+ \w+ \d{4} at \d\d:\d\d \(UTC[+-]\d\d:\d\d\)", first)
    assert "Finding 1 of 2" not in first
    # Length follows the findings; every page has the reference and "page x of y".
    assert 3 <= len(pages) <= 6
    for n, page in enumerate(pages, 1):
        footer = " ".join(page.strip().splitlines()[-1].split())
        assert "reference 20261123-007" in footer and f"Page {n} of {len(pages)}" in footer, footer
    # Sources are listed once, in the appendix; advice is printed once.
    lines = [" ".join(line.split()) for line in " ".join(pages).splitlines()]
    assert sum("https://example.org/spyagent" in line for line in lines) == 1
    assert flat.count("Removing or stopping it may let the person who installed it know") == 1
    assert flat.count("take a photo of this screen") == 1
    # No raw seconds-since-1970 anywhere, and the program's start time is there as a date.
    assert not re.search(r"\b1[5-9]\d{8}(\.\d+)?\b", flat)
    # The scan travels with the PDF: Compare opens it.
    later = result.to_json_data()
    later["findings"] = later["findings"][1:]
    comp = compare(load_earlier(str(path), result.signatures), later)
    assert [f["family"] for f in comp.gone] == ["spyagent"]
    assert [f["family"] for f in comp.unchanged] == ["anydesk"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    from PySide6.QtGui import QImage
    img = QImage(str(next(tmp_path.glob("page-*.png"))))
    dark = sum(1 for y in range(0, img.height(), 2) for x in range(0, img.width(), 2)
               if img.pixelColor(x, y).lightness() < 128)
    assert dark > 200, "the first page is blank"


@POPPLER
def test_process_start_times_are_dates_with_their_zone(tmp_path):
    machine = Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=True)
    res = run_scan(signatures=sigset_from_text(SET), machine=machine, sources=[
        ListSource("processes", [Process(pid=7, name="sysdiag.exe", exe=r"C:\Windows\sysdiag.exe", started=1796078220.58)])])
    path = tmp_path / "r.pdf"
    save_report(str(path), res)
    flat = " ".join(" ".join(pdf_pages(path)).split())
    assert "1796078220" not in flat
    assert re.search(r"started \d+ \w+ 2026 at \d\d:\d\d:\d\d \(UTC[+-]\d\d:\d\d\)", flat), flat


@POPPLER
def test_a_pdf_of_2000_findings_is_whole(result, tmp_path):
    """Qt's writer stopped at 666 pages; every finding and the last section must be there."""
    many_findings(result, 2000)
    path = tmp_path / "big.pdf"
    save_report(str(path), result)
    flat = " ".join(" ".join(pdf_pages(path)).split())
    at = 0
    for n, f in enumerate(result.findings, 1):
        heading = f"Finding {n} of 2000: {f.title}"
        found = flat.find(heading, at)
        assert found >= 0, heading
        at = found
    assert flat.rstrip().endswith("Page " + flat.rsplit("Page ", 1)[1]) and "End of the report." in flat[at:]
    assert "Sources" in flat[at:] and "What a scan cannot see" in flat[at:]


def test_a_pdf_that_is_not_whole_is_not_saved(result, tmp_path, monkeypatch):
    import device_checkup.app.report as report
    real = report._make_pdf
    monkeypatch.setattr(report, "_make_pdf", lambda blocks, ref, att: real(blocks[:-4], ref, att))
    path = tmp_path / "cut.pdf"
    with pytest.raises(report.ReportNotWhole) as caught:
        save_report(str(path), result)
    assert not path.exists()
    words = str(caught.value)
    assert ". " not in words and words.endswith(".") and "web page (.html)" in words


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00garbage", b"%PDF-1.4\n%%EOF", b"<html>no scan</html>",
                                     b"{\"a\": 1", b"[1, 2]",
                                     b"<script type='application/json' id='device-checkup-scan'>{bad</script>"])
@pytest.mark.parametrize("ending", [".html", ".pdf", ".json"])
def test_compare_says_one_plain_sentence_for_a_file_it_cannot_read(result, tmp_path, content, ending):
    path = tmp_path / f"earlier{ending}"
    path.write_bytes(content)
    with pytest.raises(ValueError) as caught:
        load_earlier(str(path), result.signatures)
    words = str(caught.value)
    assert words[0].isupper() and words.endswith(".") and ". " not in words
    assert "Error" not in words and "line " not in words
    assert "codec" not in words and "Expecting" not in words and "\\x" not in words


def test_machine_names_are_inert_and_escaped_in_the_html(tmp_path):
    # A Windows program name (.exe names are matched on Windows only).
    machine = Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=True)
    evil = "sysdiag.exe"
    res = run_scan(signatures=sigset_from_text(SET), machine=machine, sources=[
        ListSource("processes", [Process(pid=7, name=evil, exe="/opt/<script>alert(1)</script>\u202e\x1b[2J/sysdiag.exe")])])
    page = build_html(res)
    body = page.split("<script type='application/json'", 1)[0]
    assert "<script>alert" not in body and "\u202e" not in body and "\x1b" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\u202e\\x1b[2J" in body


def test_the_command_line_writes_a_report_and_refuses_other_endings(tmp_path, capsys):
    from device_checkup.app.cli import main
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


def test_compare_leaves_out_what_is_not_a_finding_in_an_earlier_file(result, tmp_path):
    later = result.to_json_data()
    earlier = {"format": "device-checkup-scan", "scan": {"started_at": 7},
               "findings": [1, "x", {"title": "no id"}, {"id": later["findings"][0]["id"], "title": {"a": 1}}]}
    path = tmp_path / "earlier.json"
    path.write_text(json.dumps(earlier))
    comp = compare(load_earlier(str(path), result.signatures), later)
    assert [f["id"] for f in comp.unchanged] == [later["findings"][0]["id"]]
    assert len(comp.new) == len(later["findings"]) - 1 and comp.gone == [] and comp.earlier_started_at == ""


def test_the_command_line_never_calls_a_cut_pdf_saved(tmp_path, capsys, monkeypatch):
    import device_checkup.app.report as report
    from device_checkup.app.cli import main
    real = report._make_pdf
    monkeypatch.setattr(report, "_make_pdf", lambda blocks, ref, att: real(blocks[:-3], ref, att))
    root = tmp_path / "disk"
    root.mkdir()
    code = main(["scan", "--root", str(root), "--platform", "linux", "--report", str(tmp_path / "r.pdf")])
    err = capsys.readouterr().err
    assert code != 0 and "SHA-256" not in err and "could not be made whole" in err
    assert not (tmp_path / "r.pdf").exists()


@POPPLER
def test_a_pdf_of_hostile_names_is_whole_and_inert(result, tmp_path, capfd):
    spy = result.findings[0]
    spy.title = "程序 \u202eevil\x1b[2J \ud800 sysdiag"
    spy.why = "x" * 2000 + "/" + "y" * 300
    path = tmp_path / "hostile.pdf"
    save_report(str(path), result)
    flat = " ".join(" ".join(pdf_pages(path)).split())
    assert "\\u202eevil\\x1b[2J \\ud800 sysdiag" in flat and "\u202e" not in flat and "\x1b" not in flat
    assert "End of the report." in flat
    assert capfd.readouterr().err == ""
    assert load_earlier(str(path), result.signatures)["findings"][0]["title"] == spy.title
