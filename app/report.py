"""The evidence report an advocate can hand on: HTML (plain Python) and PDF (fpdf2).

Both formats are drawn from one list of blocks (:func:`report_blocks`), so they say the same
thing in the same order:

* page one is a summary — reference, when (with the time zone), device, a table of what was
  found by tier, incoming remote sessions, what could not be checked, the signature set;
* one section per finding, its evidence in readable form (dates with their time zone, never a
  raw number of seconds; paths wrapped at their separators in the PDF);
* advice that many findings share is printed once, and the findings point to it;
* every source is listed once, in an appendix, and the evidence points to it by number;
* the PDF has the reference and "page x of y" in every page's footer.

The scan itself travels with the report so a later appointment can compare: a JSON block in
the HTML, an attached file in the PDF. Every machine-supplied string passes through
``checks.inert.shown`` and the HTML escapes everything. Nothing is written anywhere but the
path the advocate chose.

Why fpdf2 and not Qt: Qt's ``QTextDocument`` → ``QPdfWriter`` stops at 666 pages and says
nothing, and it cannot put a footer on every page or attach a file. fpdf2 is pure Python, keeps
no page limit, attaches files, fills in the page total, and embeds a Unicode font. A PDF is
only called saved after it has been read back (pypdf) and every finding and every closing
section was found in its text.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import html
import io
import json
import os
import re
from typing import Any

from msgspec import Struct, field
from msgspec.structs import asdict

from device_checkup.checks import __version__, i18n, texts
from device_checkup.checks.base import shown_value
from device_checkup.checks.inert import shown
from device_checkup.checks.i18n import N_, _, and_list, ngettext, say
from device_checkup.signatures.loader import file_words
from device_checkup.checks.records import to_dict

from .safe_write import write_new
from .session import Session, client_says, questions

SCAN_DATA_ID = "device-checkup-scan"
ATTACHMENT_NAME = "device-checkup-scan.json"
END_OF_REPORT = N_("End of the report.")
# The closing sections, in order: the read-back looks for each of them (in the words the
# report was written in: _() of each, in the same run).
CLOSING = (N_("Advice"), N_("Remote connections recorded on this computer"), N_("What we looked at"),
           N_("What could not be checked"), N_("What a scan cannot see"), N_("The conversation"), N_("Sources"))
_FONT_DIR = os.path.join(os.path.dirname(__file__), "data", "fonts")
# Record fields that hold a moment as seconds since 1970 (shown as a date, never as the number).
_EPOCH_FIELDS = {"started", "modified", "created", "accessed", "changed", "mtime", "ctime", "atime",
                 "birthtime", "last_run", "next_run", "install_time"}


class ReportNotWhole(ValueError):
    """The PDF could not be written whole: it is removed and the person is told in one sentence."""

    def __init__(self, html_name: str):
        super().__init__(_("The PDF report could not be made whole, so it was not saved; "
                           "you could save it as a web page (.html) instead."))
        self.html_name = html_name


# -- words for times ----------------------------------------------------------------------------
def _zone(t: _dt.datetime) -> str:
    z = t.strftime("%z")
    return f"UTC{z[:3]}:{z[3:]}" if z else ""


def when(iso: str) -> str:
    """'23 November 2026 at 21:14 (UTC+01:00)' from an ISO 8601 time with its zone."""
    try:
        t = _dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return shown(iso) or _("unknown")
    zone = _zone(t) or _("time zone not recorded")
    return _("{date} at {time} ({zone})").format(date=i18n.date_words(t), time=f"{t:%H:%M}", zone=zone)


def when_epoch(seconds: float) -> str:
    """A moment given as seconds since 1970, in this computer's time zone, with the zone."""
    try:
        t = _dt.datetime.fromtimestamp(float(seconds), _dt.timezone.utc).astimezone()
    except (OverflowError, OSError, ValueError):
        return _("a date that could not be read")
    return _("{date} at {time} ({zone})").format(date=i18n.date_words(t), time=f"{t:%H:%M:%S}", zone=_zone(t))


def when_logged(text: str) -> str:
    """A time as a tool's log wrote it: the zone when the log gave one, else said plainly."""
    try:
        t = _dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return shown(text) or _("unknown")
    zone = _zone(t) if t.tzinfo else _("the log's own clock, no time zone written")
    return _("{date} at {time} ({zone})").format(date=i18n.date_words(t), time=f"{t:%H:%M}", zone=zone)


# -- the blocks both formats draw -----------------------------------------------------------------
class Block(Struct):
    kind: str                         # h1 h2 h3 p small note kv table list end
    text: str = ""
    rows: list = field(default_factory=list)    # kv: [(k, v)]; table: [[cells]]; list: [items]
    head: list = field(default_factory=list)    # table headers
    widths: list = field(default_factory=list)  # table column shares (PDF)
    page_break: bool = False                    # PDF: start on a new page
    marker: str = ""                            # a finding's title, checked on read-back


class _Sources(Struct):
    numbers: dict[str, int] = field(default_factory=dict)

    def ref(self, source: str) -> int:
        return self.numbers.setdefault(source, len(self.numbers) + 1)


def _value_words(name: str, value: Any) -> str:
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) and len(v) == 2 for v in value):
        return "; ".join(f"{shown(k)}: {shown(v)}" for k, v in value)     # (label, value) pairs
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value)
    if name in _EPOCH_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return when_epoch(value)
    if name == "time" and isinstance(value, str):
        return when_logged(value)
    return shown(value, limit=600)


def _record_rows(record) -> list[tuple[str, str]]:
    return [(name.replace("_", " "), _value_words(name, v)) for name, v in to_dict(record).items()
            if v not in (None, "", [], ())]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\W\d_]|[“„\"(])")


def _advice(findings) -> tuple[list[tuple[str, str, list[int]]], dict[tuple[int, str], str]]:
    """Advice sentences each printed once: [(label, sentence, finding numbers)], and for each
    finding and part the words it keeps (its own sentences, then "see advice A1 and A2")."""
    parts = ("do", "careful")
    uses: dict[str, list[int]] = {}
    split: dict[tuple[int, str], list[str]] = {}
    for n, f in enumerate(findings, 1):
        for part, text in zip(parts, (f.do, f.careful)):
            sentences = [x.strip() for x in _sentences(shown(text or "")) if x.strip()]
            split[(n, part)] = sentences
            for x in dict.fromkeys(sentences):
                nums = uses.setdefault(x, [])
                if not nums or nums[-1] != n:
                    nums.append(n)
    labels = {x: f"A{i}" for i, x in enumerate((x for x, nums in uses.items() if len(nums) > 1), 1)}
    advice = [(labels[x], x, uses[x]) for x in labels]
    kept: dict[tuple[int, str], str] = {}
    for key, sentences in split.items():
        own = [x for x in sentences if x not in labels]
        shared = sorted(dict.fromkeys(labels[x] for x in sentences if x in labels), key=lambda a: int(a[1:]))
        if shared:
            own.append((ngettext("See advice {labels} in the “Advice” section.",
                                 "See advice {labels} in the “Advice” section.", len(shared))).format(
                labels=and_list(shared)))
        kept[key] = " ".join(own)
    return advice, kept


def _numbers(nums: list[int]) -> str:
    shown_nums = ", ".join(str(n) for n in nums[:30])
    if len(nums) > 30:
        return _("{numbers} and {count} more").format(numbers=shown_nums, count=len(nums) - 30)
    return shown_nums


def _sentences(text: str) -> list[str]:
    """Split after . ! ? where the next sentence starts with a capital letter (any alphabet) or a quote."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if out and piece and piece[0].isalpha() and not piece[0].isupper():
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def report_blocks(result, session: Session | None = None, *, made_at: str | None = None) -> list[Block]:
    snap = result.snapshot
    sigs = result.signatures
    made_at = made_at or _dt.datetime.now().astimezone().isoformat(timespec="seconds")
    session = session or Session(reference="")
    findings = list(result.findings)
    sessions = [s for f in findings for s in (f.extra.get("sessions") or [])]
    phone = snap.platform in ("android", "ios")
    incoming = [s for s in sessions if s.get("direction") == "incoming"]
    sources = _Sources()
    b: list[Block] = []
    add = b.append

    # Page one: the summary.
    add(Block("h1", _("Device Checkup report")))
    add(Block("p", result.headline))
    where = (shown(result.device_words[:1].upper() + result.device_words[1:]) if hasattr(result, "device_words")
             else _("A disk or copied folder ({root})").format(root=shown(snap.root)) if snap.mode == "offline"
             else _("This computer, while it was running"))
    versions = ", ".join(f"{shown(f.label)} {shown(f.version)}".strip() for f in sigs.files if not f.user_file) or _("none")
    added = ", ".join(shown(f.path) for f in sigs.files if f.user_file) or _("none")
    add(Block("kv", rows=[
        (_("Reference"), shown(session.reference) or "—"),
        (_("Report made"), when(made_at)),
        (_("Scan started"), when(snap.started_at)),
        (_("Scan finished"), when(snap.finished_at)),
        (_("Device"), shown(session.device_nickname) or "—"),
        (_("Advocate"), shown(session.advocate_initials) or "—"),
        (_("What was checked"), where),
        (_("System"), shown(snap.os_version or snap.platform)),
        (_("Device Checkup version"), __version__),
        (_("Signature set"), versions),
        (_("Signature set SHA-256"), sigs.sha256),
        (_("Signature files added for this check"), added),
    ]))
    add(Block("h2", _("Summary of what was found")))
    if findings:
        rows = []
        number = 0
        for tier, group in result.by_tier():
            first = number + 1
            number += len(group)
            names = "; ".join(shown(f.family_name or f.title) for f in group[:8])
            if len(group) > 8:
                names = _("{names}; and {count} more").format(names=names, count=len(group) - 8)
            rows.append([texts.text("tiers", tier, "label"), str(len(group)),
                         _("{names} (findings {first}–{last})").format(names=names, first=first, last=number)
                         if len(group) > 1 else _("{names} (finding {first})").format(names=names, first=first)])
        add(Block("table", head=[_("Kind"), _("How many"), _("What")], rows=rows, widths=[0.34, 0.12, 0.54]))
    else:
        add(Block("p", _("Nothing that we know about, in the places we looked. This does not prove nobody "
                         "is watching: see what could not be checked, and what a scan cannot see.")))
    if incoming:
        add(Block("p", _("Incoming remote sessions recorded by remote-access tools: {count}. The first ones "
                         "are listed here; all of them are in “Remote connections recorded on this "
                         "computer”.").format(count=len(incoming))))
        add(Block("table", head=[_("When"), _("How it was let in"), _("From")], widths=[0.4, 0.3, 0.3], rows=[
            [when_logged(s.get("time")), shown(s.get("approval")) or _("not recorded"),
             shown(" ".join(x for x in (s.get("remote_id"), s.get("remote_address")) if x)) or _("not recorded")]
            for s in incoming[:5]]))
    elif not phone:             # a phone check reads no remote-access logs: nothing to say about them
        add(Block("p", _("Incoming remote sessions: none found in the records we know how to read.")))
    if result.not_checked:
        items = [_("{what}: {reason}").format(what=shown(n.what), reason=shown(n.reason_words))
                 for n in result.not_checked[:6]]
        if len(result.not_checked) > 6:
            items.append(_("and {count} more, listed in “What could not be checked”").format(
                count=len(result.not_checked) - 6))
        add(Block("p", _("What could not be checked:")))
        add(Block("list", rows=items))
    else:
        add(Block("p", _("What could not be checked: everything we tried to look at could be read.")))

    first = len(findings)
    for other in (session.others(result) if session.checks else []):
        count = len(other.findings)
        add(Block("p", (_("Also checked in this appointment: {device}. {headline} Its findings are numbers {first} to "
                          "{last}, after this device's.") if count > 1 else
                        _("Also checked in this appointment: {device}. {headline} Its finding is number {first}, "
                          "after this device's.") if count else
                        _("Also checked in this appointment: {device}. {headline}")).format(
            device=_device_words(other), headline=other.headline, first=first + 1, last=first + count)))
        first += count

    # One section per finding: this device's, then each other device checked in the appointment
    # (numbered on, and sharing the "Advice" section).
    others = session.others(result) if session.checks else []
    everything = findings + [f for other in others for f in other.findings]
    advice, advice_label = _advice(everything)

    def finding_blocks(n: int, f, page_break: bool) -> None:
        title = shown(f.title)
        add(Block("h2", _("Finding {number} of {count}: {title}").format(number=n, count=len(everything), title=title),
                  page_break=page_break, marker=title))
        add(Block("small", texts.text("tiers", f.tier, "label")))
        for part, label, text in (("what", _("What it is: {text}"), f.what), ("why", _("Why it matters: {text}"), f.why),
                                  ("do", _("What you could do: {text}"), f.do),
                                  ("careful", _("Be careful: {text}"), f.careful)):
            if text:
                add(Block("p", label.format(text=advice_label[(n, part)] if (n, part) in advice_label else shown(text))))
        note = session.notes.get(f.id)
        if note and not note.empty:
            lines = []
            if note.client_says:
                lines.append(_("The client says: “{says}”.").format(says=shown(client_says(note.client_says))))
            if note.not_a_concern:
                lines.append(_("Marked as not a concern."))
            if note.note.strip():
                lines.append(_("Advocate's note: {note}").format(note=shown(note.note.strip(), keep_lines=True)))
            add(Block("note", "\n".join(lines)))
        for i, ev in enumerate(f.evidence, 1):
            place = texts.text("places", ev.record_kind, value=shown(shown_value(ev.record_kind, ev.record)))
            add(Block("h3", _("Evidence {number}: {place}").format(number=f"{n}.{i}", place=place)))
            rows = _record_rows(ev.record)
            for m in ev.matches:
                refs = [sources.ref(_("{file} (added for this check)").format(file=shown(m.file)) if m.user_file
                                    else shown(say(file_words(m.file))))] if m.file else []
                refs += [sources.ref(shown(s)) for s in m.sources if s]
                matched = _("{kind}: {indicator}").format(kind=texts.text('kinds', m.kind), indicator=shown(m.indicator))
                if refs:
                    matched = _("{matched} (sources {refs})").format(
                        matched=matched, refs=", ".join(f"[{r}]" for r in dict.fromkeys(refs)))
                rows.append((_("matched"), matched))
            add(Block("kv", rows=list(dict.fromkeys(rows))))

    for n, f in enumerate(findings, 1):
        finding_blocks(n, f, page_break=(n == 1))
    number = len(findings)
    for other in others:
        title = _("Also checked in this appointment: {device}").format(device=_device_words(other))
        add(Block("h2", title, page_break=True, marker=title))
        add(Block("p", other.headline))
        add(Block("kv", rows=[(_("Scan started"), when(other.snapshot.started_at)),
                              (_("System"), shown(other.snapshot.os_version or other.snapshot.platform))]))
        for f in other.findings:
            number += 1
            finding_blocks(number, f, page_break=False)
        add(Block("h3", _(CLOSING[2])))
        add(Block("list", rows=[shown(w) for w in other.checked]) if other.checked
            else Block("p", _("Nothing could be looked at.")))
        add(Block("h3", _(CLOSING[3])))
        add(Block("list", rows=[_("{what}: {reason}").format(what=shown(n.what), reason=shown(n.reason_words))
                                for n in other.not_checked]) if other.not_checked
            else Block("p", _("Everything we tried to look at could be read.")))
        add(Block("h3", _(CLOSING[4])))
        add(Block("list", rows=list(other.cannot_see_words() if hasattr(other, "cannot_see_words")
                                    else texts.cannot_see())))

    # The closing sections.
    add(Block("h2", _(CLOSING[0])))
    if advice:
        add(Block("p", _("Advice that applies to more than one finding is written here once.")))
        for label, text, nums in advice:
            add(Block("p", _("{label} (findings {numbers}): {text}").format(label=label, numbers=_numbers(nums),
                                                                             text=text)))
    else:
        add(Block("p", _("Each finding above has its own advice.")))

    if not phone:               # "Remote connections recorded on this computer": a computer's only
        add(Block("h2", _(CLOSING[1])))
        if sessions:
            add(Block("p", _("Remote-access tools keep their own records of connections. These can be useful "
                             "evidence: note them down or keep this report. Times are as each tool's log wrote them.")))
            add(Block("table", head=[_("When"), _("Direction"), _("How it was let in"), _("From"), _("Record")],
                      widths=[0.24, 0.14, 0.17, 0.17, 0.28], rows=[
                          [when_logged(s.get("time")), shown(s.get("direction")), shown(s.get("approval")) or "—",
                           shown(" ".join(x for x in (s.get("remote_id"), s.get("remote_address")) if x)) or "—",
                           _("{log}, line {line}").format(log=shown(s.get('log')), line=shown(s.get('line')))]
                          for s in sessions]))
        else:
            add(Block("p", _("None found in the records we know how to read.")))

    add(Block("h2", _(CLOSING[2])))
    add(Block("list", rows=[shown(w) for w in result.checked]) if result.checked
        else Block("p", _("Nothing could be looked at.")))

    add(Block("h2", _(CLOSING[3])))
    if result.not_checked:
        add(Block("list", rows=[(_("{what}: {reason}. {how} ({detail})") if n.detail else _("{what}: {reason}. {how}"))
                                .format(what=shown(n.what), reason=shown(n.reason_words), how=shown(n.how),
                                        detail=shown(n.detail))
                                for n in result.not_checked]))
    else:
        add(Block("p", _("Everything we tried to look at could be read.")))

    add(Block("h2", _(CLOSING[4])))
    add(Block("list", rows=list(result.cannot_see_words() if hasattr(result, "cannot_see_words") else texts.cannot_see())))

    add(Block("h2", _(CLOSING[5])))
    answered = [(q["ask"], shown(session.answers.get(q["id"], "").strip(), keep_lines=True)) for q in questions()]
    if any(a for _, a in answered):
        add(Block("kv", rows=[(q, a or "—") for q, a in answered]))
    else:
        add(Block("p", _("No answers were recorded.")))

    add(Block("h2", _(CLOSING[6])))
    if sources.numbers:
        add(Block("p", _("Where each indicator comes from. The evidence above points here by number.")))
        add(Block("list", rows=[f"[{n}] {s}" for s, n in sources.numbers.items()]))
    else:
        add(Block("p", _("No indicator was matched, so no source is cited.")))
    add(Block("small", _("Made by Device Checkup {version}. This report records what one scan found at one "
                         "time. It is not proof that nothing else is there. Signature data: Echap stalkerware "
                         "indicators (CC BY 4.0) and LOLRMM (Apache-2.0).").format(version=__version__)))
    add(Block("end", _(END_OF_REPORT)))
    return b


def _device_words(result) -> str:
    """"this phone (Android 14, Google Pixel 8)", "this computer (Windows 11)": a device checked."""
    device = getattr(result, "device_words", None) or _("this computer")
    system = result.snapshot.os_version
    return shown(f"{device} ({system})" if system else device)


def _scan_data(result, session: Session | None) -> dict[str, Any]:
    """What travels with the report for Compare: the scan, the session's reference and notes,
    and for a phone what the phone said (its snapshot: small, and only the values the phone
    check reads), so a later appointment compares like for like with that day's signatures."""
    from device_checkup.checks.snapshot import PHONES
    session = session or Session(reference="")
    data = {"scan": result.to_json_data(), "session": {
        "reference": session.reference,
        "notes": {fid: asdict(n) for fid, n in session.notes.items() if not n.empty}}}
    if result.snapshot.platform in PHONES:
        data["snapshot"] = result.snapshot.to_json_data()
    also = []
    for other in (session.others(result) if session.checks else []):     # the appointment's other devices
        also.append({"scan": other.to_json_data()})
        if other.snapshot.platform in PHONES:
            also[-1]["snapshot"] = other.snapshot.to_json_data()
    if also:
        data["also"] = also
    return data


# -- HTML ---------------------------------------------------------------------------------------
_CSS = """
body { font-family: sans-serif; font-size: 11pt; color: #111; line-height: 1.4; max-width: 60em; }
h1 { font-size: 18pt; margin-bottom: 4pt; }
h2 { font-size: 14pt; margin-top: 18pt; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; margin: 10pt 0 2pt 0; }
table { border-collapse: collapse; margin: 4pt 0; }
th, td { border: 1px solid #999; padding: 3pt 6pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; }
.note { background: #f4f4f4; border-left: 3px solid #555; padding: 4pt 8pt; white-space: pre-wrap; }
.small { font-size: 9pt; color: #333; }
"""


def _e(value: Any) -> str:
    return html.escape(shown("" if value is None else str(value), keep_lines=True))


def build_html(result, session: Session | None = None, *, made_at: str | None = None) -> str:
    """The whole report as one self-contained HTML page (no scripts run, nothing fetched)."""
    ref = shown((session or Session(reference="")).reference)
    out = [f"<!DOCTYPE html><html lang='{_e(_lang_tag())}' dir='{'rtl' if i18n.is_rtl() else 'ltr'}'><head><meta charset='utf-8'>"
           "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
           f"<title>{_e(_('Device Checkup report {reference}').format(reference=ref).strip())}</title><style>{_CSS}</style></head><body>"]
    add = out.append
    for blk in report_blocks(result, session, made_at=made_at):
        if blk.kind in ("h1", "h2", "h3"):
            add(f"<{blk.kind}>{_e(blk.text)}</{blk.kind}>")
        elif blk.kind in ("p", "end"):
            add(f"<p>{_e(blk.text)}</p>")
        elif blk.kind == "small":
            add(f"<p class='small'>{_e(blk.text)}</p>")
        elif blk.kind == "note":
            add(f"<p class='note'>{_e(blk.text)}</p>")
        elif blk.kind == "kv":
            add("<table>" + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in blk.rows) + "</table>")
        elif blk.kind == "table":
            add("<table><tr>" + "".join(f"<th>{_e(h)}</th>" for h in blk.head) + "</tr>"
                + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in blk.rows)
                + "</table>")
        elif blk.kind == "list":
            add("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in blk.rows) + "</ul>")
    payload = json.dumps(_scan_data(result, session), ensure_ascii=True).replace("<", "\\u003c")
    add(f"<script type='application/json' id='{SCAN_DATA_ID}'>{payload}</script>")
    add("</body></html>")
    return "\n".join(out)


# -- PDF ----------------------------------------------------------------------------------------
_BREAK_AFTER = re.compile(r"(?<=[\s/\\,;])")


class _Widths:
    """Text widths from a per-character table: fpdf2's own measuring is made for short texts,
    and a report of thousands of findings measures every word many times."""

    def __init__(self, pdf):
        self.pdf = pdf
        self.tables: dict[tuple[str, float], dict[str, float]] = {}

    def __call__(self, text: str) -> float:
        pdf = self.pdf
        table = self.tables.setdefault((pdf.font_style, pdf.font_size_pt), {})
        total = 0.0
        for c in text:
            w = table.get(c)
            if w is None:
                w = table[c] = pdf.get_string_width(c)
            total += w
        return total


def _wrap(width_of, text: str, width: float) -> list[str]:
    """Lines that fit ``width``, broken after spaces and path separators (never inside a name
    unless one name alone is wider than the line)."""
    lines = []
    for para in text.split("\n"):
        line, line_w = "", 0.0
        for token in _BREAK_AFTER.split(para):
            if not token:
                continue
            token_w = width_of(token)
            if line_w + token_w - (width_of(token[-1]) if token[-1] == " " else 0) <= width:
                line, line_w = line + token, line_w + token_w
                continue
            if line:
                lines.append(line.rstrip())
                line, line_w = "", 0.0
            while token_w > width:     # one name wider than the line: cut it where it fills the line
                used, cut = 0.0, 0
                while cut < len(token) and used + width_of(token[cut]) <= width:
                    used += width_of(token[cut])
                    cut += 1
                cut = max(cut, 1)
                lines.append(token[:cut])
                token = token[cut:]
                token_w = width_of(token)
            line, line_w = token, token_w
        lines.append(line.rstrip())
    return lines


def _make_pdf(blocks: list[Block], reference: str, attachment: bytes) -> bytes:
    import logging

    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    # A name in a script the font lacks prints as a blank, not as a warning on the terminal.
    logging.getLogger("fpdf").setLevel(logging.ERROR)

    class Report(FPDF):
        def footer(self):
            self.set_y(-12)
            self.set_font("body", "", 8)
            left = _("Device Checkup report · reference {reference}").format(reference=reference or _("none"))
            self.cell(0, 5, left, new_x=XPos.LMARGIN, new_y=YPos.TOP, align="L")
            self.cell(0, 5, _("Page {page} of {pages}").format(page=self.page_no(), pages="{nb}"), align="R")

    pdf = Report(format="A4", unit="mm")
    pdf.set_margins(16, 15, 16)
    pdf.set_auto_page_break(True, margin=18)
    pdf.c_margin = 0
    pdf.add_font("body", "", os.path.join(_FONT_DIR, "DejaVuSans.ttf"))
    pdf.add_font("body", "B", os.path.join(_FONT_DIR, "DejaVuSans-Bold.ttf"))
    pdf.set_title(_("Device Checkup report {reference}").format(reference=reference).strip())
    pdf.set_creator(f"Device Checkup {__version__}")
    pdf.set_lang(_lang_tag())
    pdf.alias_nb_pages()
    pdf.add_page()
    full = pdf.epw
    width_of = _Widths(pdf)

    def put(x, y, w, h, line, fill=False):
        """One line of text in a box of height h (as fpdf2's cell places it, five times faster)."""
        if fill:
            pdf.rect(x, y, w, h, style="F")
        if line:
            pdf.text(x, y + 0.5 * h + 0.3 * pdf.font_size, line)

    def para(text, size=10, style="", h=5.0, indent=0.0, hang=0.0, fill=False):
        pdf.set_font("body", style, size)
        for i, line in enumerate(_wrap(width_of, text, full - indent - hang - 0.3)):
            if pdf.get_y() + h > pdf.page_break_trigger:
                pdf.add_page()
            x = pdf.l_margin + indent + (hang if i else 0)
            y = pdf.get_y()
            put(x, y, full - indent - (hang if i else 0), h, line, fill)
            pdf.set_xy(pdf.l_margin, y + h)

    def rows_table(head, rows, shares, bold_first=False):
        widths = [full * s for s in shares]
        line_h, pad = 4.4, 1.5
        for r, row in enumerate(([head] if head else []) + rows):
            is_head = bool(head) and r == 0
            cells = []
            for c, cell in enumerate(row):
                pdf.set_font("body", "B" if is_head or (bold_first and c == 0) else "", 9)
                cells.append(_wrap(width_of, str(cell), widths[c] - 2 * pad - 0.3))
            height = max(len(c) for c in cells) * line_h + 1.5
            if pdf.get_y() + height > pdf.page_break_trigger:
                if height > pdf.page_break_trigger - pdf.t_margin - 10:   # taller than a page: plain lines
                    for c, cell in enumerate(cells):
                        para("\n".join(cell), 9, "B" if bold_first and c == 0 else "", line_h)
                    continue
                pdf.add_page()
            top = pdf.get_y()
            x = pdf.l_margin
            pdf.set_fill_color(235, 235, 235)
            for c, cell in enumerate(cells):
                shade = is_head or (bold_first and c == 0)
                pdf.set_font("body", "B" if shade else "", 9)
                pdf.rect(x, top, widths[c], height, style="DF" if shade else "D")
                for i, line in enumerate(cell):
                    put(x + pad, top + 0.75 + i * line_h, widths[c] - 2 * pad, line_h, line)
                x += widths[c]
            pdf.set_xy(pdf.l_margin, top + height)
        pdf.ln(2)

    for blk in blocks:
        if blk.page_break and pdf.get_y() > pdf.t_margin + 1:
            pdf.add_page()
        if blk.kind == "h1":
            para(blk.text, 18, "B", 9)
        elif blk.kind == "h2":
            if pdf.get_y() > pdf.page_break_trigger - 30:
                pdf.add_page()
            pdf.ln(3)
            para(blk.text, 13, "B", 6.5)
            pdf.set_draw_color(140, 140, 140)
            pdf.line(pdf.l_margin, pdf.get_y() + 0.5, pdf.l_margin + full, pdf.get_y() + 0.5)
            pdf.set_draw_color(0, 0, 0)
            pdf.ln(2)
        elif blk.kind == "h3":
            if pdf.get_y() > pdf.page_break_trigger - 20:
                pdf.add_page()
            pdf.ln(1)
            para(blk.text, 10, "B", 5)
        elif blk.kind == "p":
            para(blk.text)
            pdf.ln(1)
        elif blk.kind in ("small", "end"):
            para(blk.text, 8.5, "", 4.2)
            pdf.ln(1)
        elif blk.kind == "note":
            pdf.set_fill_color(240, 240, 240)
            para(blk.text, 10, "", 5, indent=2, fill=True)
            pdf.ln(1)
        elif blk.kind == "kv":
            rows_table(None, [list(r) for r in blk.rows], [0.27, 0.73], bold_first=True)
        elif blk.kind == "table":
            rows_table(blk.head, blk.rows, blk.widths)
        elif blk.kind == "list":
            for item in blk.rows:
                para(f"• {item}", indent=2, hang=3.5)
            pdf.ln(1)
    pdf.embed_file(basename=ATTACHMENT_NAME, bytes=attachment, desc="The scan this report was made from (JSON)",
                   compress=True)
    return bytes(pdf.output())


def _letters(text: str) -> str:
    """Only letters and digits, lower case: what a read-back compares (line breaks, wrapping and
    a font's missing glyphs cannot make a whole report look cut)."""
    return _NOT_LETTERS.sub("", text.casefold())


_NOT_LETTERS = re.compile(r"[^a-z0-9]+")


def pdf_text(data: bytes) -> str:
    """The PDF's text as a reader sees it: poppler's pdftotext when this computer has it (fast,
    and not the library that wrote the file), else pypdf. Nothing is written to disk."""
    import shutil
    import subprocess
    tool = shutil.which("pdftotext")
    if tool:
        try:
            done = subprocess.run([tool, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                                  timeout=600, check=True)
            return done.stdout.decode("utf-8", "replace")
        except (OSError, subprocess.SubprocessError):
            pass
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def missing_from_pdf(data: bytes, blocks: list[Block]) -> list[str]:
    """Every finding and every closing section the PDF's own text does not hold, in order."""
    text = _letters(pdf_text(data))
    headings = {b.text for b in blocks if b.kind == "h2"}
    wanted = [b.text for b in blocks if b.kind == "h2" and b.marker] + \
        [_(c) for c in CLOSING if _(c) in headings] + [_(END_OF_REPORT)]
    missing, at = [], 0
    for w in wanted:
        key = _letters(w)
        found = text.find(key, at)
        if found < 0:
            missing.append(w)
        else:
            at = found + len(key)
    return missing


def build_pdf(result, session: Session | None = None, *, made_at: str | None = None) -> bytes:
    """The report as PDF bytes, read back and checked whole; ReportNotWhole if it is not."""
    blocks = report_blocks(result, session, made_at=made_at)
    attachment = json.dumps(_scan_data(result, session), ensure_ascii=True).encode("ascii")   # lone surrogates escaped
    reference = shown((session or Session(reference="")).reference)
    data = _make_pdf(blocks, reference, attachment)
    if missing_from_pdf(data, blocks):
        raise ReportNotWhole(_html_name(reference))
    return data


def _lang_tag() -> str:
    """The report's language tag (``en``, ``pl``; the pseudo-locales say ``en``)."""
    return i18n.language() if i18n.language() in i18n.LANGUAGES else "en"


def _html_name(reference: str) -> str:
    return f"device-checkup-{reference}.html" if reference else "device-checkup-report.html"


# -- reading a report back (compare) ------------------------------------------------------------
class NotAReport(ValueError):
    """A file Compare cannot read; its message is one plain sentence."""


NOT_READABLE = N_("This file isn't a Device Checkup report or saved check that we can read; you could "
                  "choose a report saved by Device Checkup (.html or .pdf) or a saved check (.json).")


def read_scan_data(path: str) -> dict[str, Any]:
    """The scan embedded in a saved HTML or PDF report (for comparing appointments)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(256 * 1024 * 1024)
    except OSError:
        raise NotAReport(_("We couldn't open that file; you could choose another one.")) from None
    try:
        if raw.startswith(b"%PDF"):
            return _scan_from_pdf(raw)
        text = raw.decode("utf-8")
        marker = f"id='{SCAN_DATA_ID}'>"
        start = text.find(marker)
        end = text.find("</script>", start)
        if start < 0 or end < 0:
            raise NotAReport(_(NOT_READABLE))
        data = json.loads(text[start + len(marker):end].replace("<\\/", "</"))
    except NotAReport:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file gets the same plain sentence
        raise NotAReport(_(NOT_READABLE)) from None
    if not isinstance(data, dict) or not isinstance(data.get("scan"), dict):
        raise NotAReport(_(NOT_READABLE))
    return data


def _scan_from_pdf(raw: bytes) -> dict[str, Any]:
    from pypdf import PdfReader
    reader = PdfReader(io.BytesIO(raw))
    found = reader.attachments.get(ATTACHMENT_NAME)
    if not found:
        raise NotAReport(_("This PDF has no scan data in it, so it can't be compared; you could choose "
                           "a report saved by Device Checkup."))
    data = json.loads(found[0].decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("scan"), dict):
        raise NotAReport(_(NOT_READABLE))
    return data


# -- saving --------------------------------------------------------------------------------------
def save_report(path: str, result, session: Session | None = None, *, replace: bool = False) -> str:
    """Write the report as HTML or PDF (by the file's ending); return the file's SHA-256.

    A PDF is written only once it has been read back whole; otherwise nothing is left at
    ``path`` and :class:`ReportNotWhole` says so in one sentence. A new file only, never through
    a link (``app.safe_write``); ``replace=True`` only after the person was asked whether to
    replace the file at that name.
    """
    lower = path.lower()
    if lower.endswith(".pdf"):
        data = build_pdf(result, session)
    elif lower.endswith((".html", ".htm")):
        data = build_html(result, session).encode("utf-8")
    else:
        raise ValueError("a report is saved as .html or .pdf")
    write_new(path, data, replace=replace)
    return hashlib.sha256(data).hexdigest()
