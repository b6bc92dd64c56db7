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
    """An earlier scan as a document: from a snapshot, an HTML report or a JSON scan."""
    lower = path.lower()
    if lower.endswith((".html", ".htm")):
        from .report import read_scan_data
        return read_scan_data(path)["scan"]
    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg}, line {exc.lineno})") from None
    if isinstance(data, dict) and data.get("format") == "device-checkup-scan":
        return data
    from checks.engine import run_scan
    from checks.snapshot import Snapshot
    snapshot = Snapshot.from_json_data(data)
    return run_scan(signatures=signatures, snapshot=snapshot).to_json_data()
