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
    before = {f["id"]: f for f in earlier.get("findings", [])}
    after = {f["id"]: f for f in later.get("findings", [])}
    return Comparison(
        new=[f for fid, f in after.items() if fid not in before],
        gone=[f for fid, f in before.items() if fid not in after],
        unchanged=[f for fid, f in after.items() if fid in before],
        earlier_started_at=(earlier.get("scan") or {}).get("started_at", ""),
        later_started_at=(later.get("scan") or {}).get("started_at", ""))


def load_earlier(path: str, signatures) -> dict[str, Any]:
    """An earlier scan as a document: from the app's own HTML or PDF report, a saved snapshot or
    a JSON scan. A file it cannot read raises ``app.report.NotAReport``: one plain sentence."""
    from .report import NOT_READABLE, NotAReport, read_scan_data
    try:
        with open(path, "rb") as fh:
            head = fh.read(5)
    except OSError:
        raise NotAReport("We couldn't open that file; you could choose another one.") from None
    if head.startswith(b"%PDF") or path.lower().endswith((".html", ".htm", ".pdf")):
        return read_scan_data(path)["scan"]
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        if isinstance(data, dict) and data.get("format") == "device-checkup-scan":
            if not isinstance(data.get("findings"), list):
                raise NotAReport(NOT_READABLE)
            return data
        if isinstance(data, dict) and isinstance(data.get("scan"), dict) and "findings" in data["scan"]:
            return data["scan"]                     # a report's own scan data, saved as JSON
        from checks.engine import run_scan
        from checks.snapshot import Snapshot
        snapshot = Snapshot.from_json_data(data)
        return run_scan(signatures=signatures, snapshot=snapshot).to_json_data()
    except NotAReport:
        raise
    except Exception:  # noqa: BLE001 - any unreadable file gets the same plain sentence
        raise NotAReport(NOT_READABLE) from None
