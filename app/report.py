"""The evidence report: HTML (plain Python) and PDF (Qt's text document, imported only for PDF).

The report says, in plain words, what a scan found and when, with its evidence, the advocate's
notes and what could not be checked. The scan itself is embedded as JSON in the HTML so a later
appointment can load the report and compare (``checks.compare``). Nothing is written anywhere
but the path the advocate chose.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import os
from typing import Any

from checks import __version__, texts
from checks.base import shown_value
from checks.inert import shown
from checks.records import to_dict

from .safe_write import write_new
from .session import CLIENT_SAYS, Session, questions

SCAN_DATA_ID = "device-checkup-scan"
_CSS = """
body { font-family: sans-serif; font-size: 11pt; color: #111; line-height: 1.4; }
h1 { font-size: 18pt; margin-bottom: 4pt; }
h2 { font-size: 14pt; margin-top: 18pt; border-bottom: 1px solid #888; }
h3 { font-size: 12pt; margin-top: 12pt; margin-bottom: 2pt; }
table { border-collapse: collapse; margin: 4pt 0; }
th, td { border: 1px solid #999; padding: 3pt 6pt; text-align: left; vertical-align: top; }
th { background: #eee; }
.tier { font-weight: bold; }
.note { background: #f4f4f4; border-left: 3px solid #555; padding: 4pt 8pt; }
.small { font-size: 9pt; color: #333; }
"""


def when(iso: str) -> str:
    """'23 November 2026 at 21:14 (UTC+01:00)' from an ISO 8601 time with its zone."""
    try:
        t = _dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or "unknown"
    zone = t.strftime("%z")
    zone = f"UTC{zone[:3]}:{zone[3:]}" if zone else "time zone unknown"
    return f"{t.day} {t:%B %Y} at {t:%H:%M} ({zone})"


def _e(value: Any) -> str:
    return html.escape(shown("" if value is None else str(value), keep_lines=True))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs) + "</table>"


def build_html(result, session: Session | None = None, *, made_at: str | None = None) -> str:
    """The whole report as one self-contained HTML page (no scripts run, nothing fetched)."""
    snap = result.snapshot
    sigs = result.signatures
    made_at = made_at or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    session = session or Session(reference="")
    out: list[str] = []
    add = out.append
    add("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>Device Checkup report {_e(session.reference)}</title><style>{_CSS}</style></head><body>")
    add("<h1>Device Checkup report</h1>")
    add(f"<p>{_e(result.headline)}</p>")

    add("<h2>About this check</h2>")
    where = f"A disk or copied folder ({snap.root})" if snap.mode == "offline" else "This computer, while it was running"
    versions = ", ".join(f"{f.label} {f.version}".strip() for f in sigs.files if not f.user_file) or "none"
    added = ", ".join(f.path for f in sigs.files if f.user_file) or "none"
    add(_rows([
        ("Session reference", session.reference or "—"),
        ("Advocate", session.advocate_initials or "—"),
        ("Device", session.device_nickname or "—"),
        ("Scan started", when(snap.started_at)),
        ("Scan finished", when(snap.finished_at)),
        ("What was checked", where),
        ("System", snap.os_version or snap.platform),
        ("Device Checkup version", __version__),
        ("Signature set", versions),
        ("Signature set SHA-256", sigs.sha256),
        ("Signature files added for this check", added),
        ("Report made", when(made_at)),
    ]))

    add("<h2>What we found</h2>")
    if not result.findings:
        add("<p>Nothing that we know about, in the places we looked. This does not prove nobody is "
            "watching: see what could not be checked, and what a scan cannot see, below.</p>")
    for tier, findings in result.by_tier():
        add(f"<h3 class='tier'>{_e(texts.text('tiers', tier, 'label'))} ({len(findings)})</h3>")
        for f in findings:
            add(_finding_html(f, session))

    sessions = [s for f in result.findings for s in (f.extra.get("sessions") or [])]
    add("<h2>Remote connections recorded on this computer</h2>")
    if sessions:
        add("<p>Remote-access tools keep their own records of connections. These can be useful "
            "evidence: note them down or keep this report.</p><table><tr><th>When</th><th>Direction</th>"
            "<th>How it was let in</th><th>From</th><th>Record</th></tr>")
        for s in sessions:
            src = " ".join(x for x in (s.get("remote_id"), s.get("remote_address")) if x)
            add(f"<tr><td>{_e(s.get('time'))}</td><td>{_e(s.get('direction'))}</td><td>{_e(s.get('approval'))}</td>"
                f"<td>{_e(src)}</td><td class='small'>{_e(s.get('log'))}, line {_e(s.get('line'))}</td></tr>")
        add("</table>")
    else:
        add("<p>None found in the records we know how to read.</p>")

    add("<h2>What we looked at</h2>")
    add("<ul>" + "".join(f"<li>{_e(w)}</li>" for w in result.checked) + "</ul>" if result.checked
        else "<p>Nothing could be looked at.</p>")

    add("<h2>What could not be checked</h2>")
    if result.not_checked:
        add("<ul>")
        for n in result.not_checked:
            add(f"<li>{_e(n.what)}: {_e(n.reason_words)}. {_e(n.how)}"
                + (f"<br><span class='small'>{_e(n.detail)}</span>" if n.detail else "") + "</li>")
        add("</ul>")
    else:
        add("<p>Everything we tried to look at could be read.</p>")

    add("<h2>What a scan cannot see</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in texts.cannot_see()) + "</ul>")

    add("<h2>The conversation</h2>")
    answered = [(q["ask"], session.answers.get(q["id"], "").strip()) for q in questions()]
    if any(a for _, a in answered):
        add("<table>" + "".join(f"<tr><th>{_e(q)}</th><td>{_e(a) or '—'}</td></tr>" for q, a in answered) + "</table>")
    else:
        add("<p>No answers were recorded.</p>")

    add(f"<p class='small'>Made by Device Checkup {_e(__version__)}. This report records what one scan found "
        "at one time. It is not proof that nothing else is there. Signature data: Echap stalkerware "
        "indicators (CC BY 4.0) and LOLRMM (Apache-2.0).</p>")
    data = {"scan": result.to_json_data(), "session": {
        "reference": session.reference,
        "notes": {fid: vars(n) for fid, n in session.notes.items() if not n.empty}}}
    payload = json.dumps(data, ensure_ascii=True).replace("<", "\\u003c")
    add(f"<script type='application/json' id='{SCAN_DATA_ID}'>{payload}</script>")
    add("</body></html>")
    return "\n".join(out)


def _finding_html(f, session: Session) -> str:
    parts = [f"<h3>{_e(f.title)}</h3>"]
    for heading, body in (("What it is", f.what), ("Why it matters", f.why),
                          ("What you could do", f.do), ("Be careful", f.careful)):
        parts.append(f"<p><b>{heading}:</b> {_e(body)}</p>")
    note = session.notes.get(f.id)
    if note and not note.empty:
        lines = []
        if note.client_says:
            lines.append(f"The client says: “{_e(CLIENT_SAYS.get(note.client_says, note.client_says))}”.")
        if note.not_a_concern:
            lines.append("Marked as not a concern.")
        if note.note.strip():
            lines.append(f"Advocate's note: {_e(note.note.strip())}")
        parts.append("<p class='note'>" + "<br>".join(lines) + "</p>")
    parts.append("<table><tr><th>Where</th><th>What matched</th><th>Source</th></tr>")
    for ev in f.evidence:
        matched = "<br>".join(f"{_e(texts.text('kinds', m.kind))}: {_e(m.indicator)}" for m in ev.matches) or "—"
        source = "<br>".join(_e(s) for m in ev.matches for s in ((m.file + (" (added for this check)" if m.user_file else "")),
                                                                   *m.sources) if s)
        parts.append(f"<tr><td>{_e(texts.text('places', ev.record_kind, value=shown_value(ev.record_kind, ev.record)))}"
                     f"<br><span class='small'>{_e(_record_line(ev.record))}</span></td>"
                     f"<td>{matched}</td><td class='small'>{source or '—'}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


def _record_line(record) -> str:
    data = to_dict(record)
    return "; ".join(f"{k}: {v}" for k, v in data.items() if v not in (None, "", [], ()))[:600]


def read_scan_data(path: str) -> dict[str, Any]:
    """The scan embedded in a saved HTML report (for comparing appointments)."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read(64 * 1024 * 1024)
    marker = f"id='{SCAN_DATA_ID}'>"
    start = text.find(marker)
    if start < 0:
        raise ValueError("this file is not a Device Checkup report (no scan data in it)")
    end = text.find("</script>", start)
    if end < 0:
        raise ValueError("the report's scan data is cut short")
    return json.loads(text[start + len(marker):end].replace("<\\/", "</"))


def write_pdf(html_text: str, path: str | None = None) -> bytes:
    """Render the report to PDF with Qt's own text layout (no browser, no network)."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        write_pdf._app = QGuiApplication([])  # type: ignore[attr-defined]  # kept alive while rendering
    from PySide6.QtCore import QBuffer, QIODevice
    buffer = QBuffer()                      # rendered in memory, written by app.safe_write
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("Device Checkup report")
    writer.setCreator("Device Checkup")
    doc = QTextDocument()
    doc.setHtml(html_text)
    doc.print_(writer)      # paginates to the writer's page size and margins
    del writer
    buffer.close()
    data = bytes(buffer.data())
    if path is not None:
        write_new(path, data)
    return data


def save_report(path: str, result, session: Session | None = None, *, replace: bool = False) -> str:
    """Write the report as HTML or PDF (by the file's ending); return the file's SHA-256.

    A new file only, never through a link (``app.safe_write``); ``replace=True`` only after the
    person was asked whether to replace the file at that name."""
    html_text = build_html(result, session)
    if path.lower().endswith(".pdf"):
        data = write_pdf(html_text)
    elif path.lower().endswith((".html", ".htm")):
        data = html_text.encode("utf-8")
    else:
        raise ValueError("a report is saved as .html or .pdf")
    write_new(path, data, replace=replace)
    return hashlib.sha256(data).hexdigest()
