"""Comparing two scans: what is new, what is gone, what changed, what is unchanged.

Advocates follow a case over weeks. An earlier scan can be a saved snapshot (matched again with
today's signatures, so the comparison is like for like), a saved HTML report, or a
`checkup scan --json` document. Findings are compared by their stable id: the family for a
signature finding, the record for a heuristic. For a phone, a finding found both times
whose evidence differs (an app that became a device administrator, was installed again) is
"changed", with each difference in words; so is a finding about one thing (the same app, the
same setting) whose id changed because its evidence did. (A computer's checks are compared by
id alone: their records hold what differs at every check, like a program's process id.)

A check of a phone is compared only with a check of the same kind of phone (an Android phone
with an Android phone, an iPhone with an iPhone), and a computer's only with a computer's:
anything else is refused in one plain sentence (:class:`NotComparable`).
"""
from __future__ import annotations

import json
from typing import Any

from msgspec import Struct, field

from device_checkup.checks.i18n import N_, _

from .report import NotAReport

# What kind of device a check was of, by the platform its scan names.
DEVICE_WORDS = {"computer": N_("a computer"), "android": N_("an Android phone"), "ios": N_("an iPhone")}


class NotComparable(NotAReport):
    """Two checks of different kinds of device; the message is one plain sentence."""


class Comparison(Struct):
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    earlier_started_at: str = ""
    later_started_at: str = ""
    # Found both times, but not the same: (the later finding, what differs in words).
    changed: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)


def device_kind(doc: dict[str, Any]) -> str:
    """"android", "ios" or "computer" (anything else a scan document names, or none)."""
    scan = doc.get("scan") if isinstance(doc, dict) else None
    platform = scan.get("platform") if isinstance(scan, dict) else None
    return platform if platform in ("android", "ios") else "computer"


def compare(earlier: dict[str, Any], later: dict[str, Any]) -> Comparison:
    """Compare two scan documents (the shape of ScanResult.to_json_data()). Two kinds of device
    are refused with :class:`NotComparable`."""
    # A report of an appointment where several devices were checked holds each ("also"):
    # the one of the same kind as the later check is compared.
    also = earlier.get("also") if isinstance(earlier, dict) else None
    candidates = [earlier] + [a for a in (also if isinstance(also, list) else []) if isinstance(a, dict)]
    earlier = next((c for c in candidates if device_kind(c) == device_kind(later)), earlier)
    kinds = device_kind(earlier), device_kind(later)
    if kinds[0] != kinds[1]:
        raise NotComparable(_("That file is a check of {earlier}, and this is a check of {later}, so the two can't "
                              "be compared. You could choose an earlier check of the same device.").format(
            earlier=_(DEVICE_WORDS[kinds[0]]), later=_(DEVICE_WORDS[kinds[1]])))
    before = _by_id(earlier)
    after = _by_id(later)
    new = {fid: f for fid, f in after.items() if fid not in before}
    gone = {fid: f for fid, f in before.items() if fid not in after}
    out = Comparison(earlier_started_at=_started(earlier), later_started_at=_started(later))
    # What changed is told for phones, whose records hold what the phone says of each app. A
    # computer's records also hold what differs at every check (a program's process id and start
    # time, a connection's local port), which would make every finding look changed.
    phone = kinds[1] != "computer"
    for fid, f in after.items():
        if fid in before:
            differences = _differences(before[fid], f) if phone else []
            (out.changed.append((f, differences)) if differences else out.unchanged.append(f))
    # One thing whose id changed with its evidence: paired when it is the only one on each side.
    subjects_new, subjects_gone = _subjects(new), _subjects(gone)
    for key, fids in subjects_new.items():
        if len(fids) == 1 and len(subjects_gone.get(key, ())) == 1:
            later_f, earlier_f = new.pop(fids[0]), gone.pop(subjects_gone[key][0])
            out.changed.append((later_f, _differences(earlier_f, later_f) or [_("The details differ.")]))
    out.new, out.gone = list(new.values()), list(gone.values())
    return out


def _subject(f: dict[str, Any]) -> tuple | None:
    """What a finding is about, beyond its evidence: its family, or its check and kind of sign
    and, for a phone app, the app. None when nothing but the evidence says it."""
    if f.get("family"):
        return ("family", str(f["family"]))
    detail = f.get("detail") if isinstance(f.get("detail"), dict) else {}
    check, heuristic = f.get("check"), f.get("heuristic")
    if not isinstance(check, str) or not isinstance(heuristic, str):
        return None
    app = detail.get("phone_app")
    if isinstance(app, dict) and isinstance(app.get("package"), str):
        return (check, heuristic, app["package"])
    if check in ("android", "ios-backup") and heuristic in _ONE_PER_PHONE:
        return (check, heuristic)
    return None


# Phone signs that are one finding per phone whatever they list (checks/phone/judge.py).
_ONE_PER_PHONE = {"phone-apps-not-from-a-store", "phone-play-protect-off", "phone-unknown-sources",
                  "phone-adb-network", "phone-rooted", "phone-unlocked", "phone-managed", "phone-ios-supervised"}


def _subjects(found: dict[str, dict[str, Any]]) -> dict[tuple, list[str]]:
    out: dict[tuple, list[str]] = {}
    for fid, f in found.items():
        key = _subject(f)
        if key is not None:
            out.setdefault(key, []).append(fid)
    return out


def _evidence_lines(f: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each piece of evidence by what it names ("an app on the phone (com.x)") → its fields as
    words; evidence an earlier file holds in another shape is left out."""
    from device_checkup.checks import records, texts
    from device_checkup.checks.base import shown_value
    out: dict[str, dict[str, str]] = {}
    for ev in f.get("evidence") if isinstance(f.get("evidence"), list) else []:
        if not isinstance(ev, dict) or not isinstance(ev.get("record"), dict):
            continue
        kind = ev.get("record_kind")
        try:
            record = records.from_dict(kind, ev["record"])
            place = texts.text("places", kind, value=shown_value(kind, record))
        except (KeyError, ValueError, TypeError):
            continue
        fields = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True)
                  for k, v in ev["record"].items()}
        out[place] = fields
    return out


def _differences(earlier: dict[str, Any], later: dict[str, Any]) -> list[str]:
    """What differs between two findings about the same thing, in words (empty: nothing)."""
    from device_checkup.checks.inert import shown
    if not (isinstance(earlier.get("evidence"), list) and isinstance(later.get("evidence"), list)):
        return []                   # a file that does not say its evidence: nothing to compare it by
    before, after = _evidence_lines(earlier), _evidence_lines(later)
    out = []
    for place in after:
        if place not in before:
            out.append(_("Now also: {place}").format(place=shown(place, limit=300)))
    for place in before:
        if place not in after:
            out.append(_("No longer: {place}").format(place=shown(place, limit=300)))
    for place, fields in after.items():
        if place in before and fields != before[place]:
            changed = [k for k in fields if before[place].get(k) != fields[k]]
            out.append(_("{place}: {fields} changed, from {earlier} to {later}").format(
                place=shown(place, limit=300), fields=", ".join(k.replace("_", " ") for k in changed),
                earlier=shown("; ".join(before[place].get(k, "—") for k in changed), limit=300),
                later=shown("; ".join(fields[k] for k in changed), limit=300)))
    return out


def _started(doc: dict[str, Any]) -> str:
    scan = doc.get("scan") if isinstance(doc, dict) else None
    value = scan.get("started_at") if isinstance(scan, dict) else None
    return value if isinstance(value, str) else ""


def _by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Findings by id; anything in a file that is not a finding with an id is left out."""
    found = doc.get("findings") if isinstance(doc, dict) else None
    return {str(f["id"]): f for f in (found if isinstance(found, list) else [])
            if isinstance(f, dict) and isinstance(f.get("id"), (str, int))}


def load_earlier(path: str, signatures) -> dict[str, Any]:
    """An earlier scan as a document: from the app's own HTML or PDF report, a saved snapshot or
    a JSON scan. A file it cannot read raises ``app.report.NotAReport``: one plain sentence."""
    from device_checkup.checks.i18n import _
    from .report import NOT_READABLE, NotAReport, read_scan_data
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
    except OSError:
        raise NotAReport(_("We couldn't open that file; you could choose another one.")) from None
    if head.startswith(b"%PDF") or path.lower().endswith((".html", ".htm", ".pdf")):
        data = read_scan_data(path)
        doc = _from_report(data, signatures)
        also = [_from_report(a, signatures) for a in (data.get("also") if isinstance(data.get("also"), list) else [])
                if isinstance(a, dict) and isinstance(a.get("scan"), dict)]
        return dict(doc, also=also) if also else doc
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict) and data.get("format") == "device-checkup-scan":
            if not isinstance(data.get("findings"), list):
                raise NotAReport(_(NOT_READABLE))
            return data
        if isinstance(data, dict) and isinstance(data.get("scan"), dict) and "findings" in data["scan"]:
            return data["scan"]                     # a report's own scan data, saved as JSON
        return _matched(data, signatures)
    except NotAReport:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file gets the same plain sentence
        raise NotAReport(_(NOT_READABLE)) from None


def _from_report(data: dict[str, Any], signatures) -> dict[str, Any]:
    """One device's check from a report: a phone's matched again from the snapshot it keeps
    (what the phone said), else the report's own findings."""
    if isinstance(data.get("snapshot"), dict):
        try:
            return _matched(data["snapshot"], signatures)
        except Exception:  # noqa: BLE001 - an unusable copy: the report's own findings
            pass
    return data["scan"]


def _matched(data: Any, signatures) -> dict[str, Any]:
    """A saved snapshot matched again with today's signatures: a phone's by the phone check's
    own judge (checks/phone/saved.py), a computer's by the engine."""
    from device_checkup.checks.snapshot import PHONES, Snapshot
    snapshot = Snapshot.from_json_data(data)
    if snapshot.platform in PHONES:
        from device_checkup.checks.phone.saved import rematch
        return rematch(snapshot, signatures).to_json_data()
    from device_checkup.checks.engine import run_scan
    return run_scan(signatures=signatures, snapshot=snapshot).to_json_data()
