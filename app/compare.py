"""Comparing two scans: what is new, what is gone, what is unchanged.

Advocates follow a case over weeks. An earlier scan can be a saved snapshot (matched again with
today's signatures, so the comparison is like for like), a saved HTML report, or a
`checkup scan --json` document. Findings are compared by their stable id: the family for a
signature finding, the record for a heuristic.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Comparison:
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    earlier_started_at: str = ""
    later_started_at: str = ""


def compare(earlier: dict[str, Any], later: dict[str, Any]) -> Comparison:
    """Compare two scan documents (the shape of ScanResult.to_json_data())."""
    before = _by_id(earlier)
    after = _by_id(later)
    return Comparison(
        new=[f for fid, f in after.items() if fid not in before],
        gone=[f for fid, f in before.items() if fid not in after],
        unchanged=[f for fid, f in after.items() if fid in before],
        earlier_started_at=_started(earlier), later_started_at=_started(later))


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
        return read_scan_data(path)["scan"]
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict) and data.get("format") == "device-checkup-scan":
            if not isinstance(data.get("findings"), list):
                raise NotAReport(_(NOT_READABLE))
            return data
        if isinstance(data, dict) and isinstance(data.get("scan"), dict) and "findings" in data["scan"]:
            return data["scan"]                     # a report's own scan data, saved as JSON
        from device_checkup.checks.engine import run_scan
        from device_checkup.checks.snapshot import Snapshot
        snapshot = Snapshot.from_json_data(data)
        return run_scan(signatures=signatures, snapshot=snapshot).to_json_data()
    except NotAReport:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file gets the same plain sentence
        raise NotAReport(_(NOT_READABLE)) from None
