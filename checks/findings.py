"""Findings: what a check concluded, with the evidence and the words to explain it."""
from __future__ import annotations

import hashlib
import json
from typing import Any

from msgspec import Struct, field

from . import records as _records

# One place maps tier → severity and order. Words live in texts/en.yaml.
TIERS: dict[str, dict[str, Any]] = {
    "stalkerware":   {"severity": "high",   "order": 0},
    "monitoring":    {"severity": "high",   "order": 1},
    # A remote-access tool whose own records show someone came in (checks.remote_sessions.raise_if_used).
    "remote-used":   {"severity": "high",   "order": 1.5},
    "remote-access": {"severity": "medium", "order": 2},
    "watchware":     {"severity": "medium", "order": 3},
    "suspicious":    {"severity": "medium", "order": 4},
    "settings":      {"severity": "low",    "order": 5},
}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


class Match(Struct, frozen=True):
    """One indicator that matched a value in a record."""
    kind: str                       # indicator kind: "process_names", "domains", …
    indicator: str                  # the indicator as written in the signature file
    value: str                      # what in the record matched
    field: str                      # which field of the record ("name", "exe", …)
    file: str = ""                  # signature file the indicator came from
    user_file: bool = False         # a file the person added, not the built-in set
    sources: tuple[str, ...] = ()   # the family's cited sources


class Evidence(Struct):
    """One record a finding rests on, and what in it matched."""
    check: str                      # id of the check that looked at the record
    record_kind: str                # key of records.RECORD_TYPES
    record: Any
    matches: list[Match] = field(default_factory=list)

    def to_json_data(self) -> dict[str, Any]:
        return {"check": self.check, "record_kind": self.record_kind,
                "record": _records.to_dict(self.record),
                "matches": [{"kind": m.kind, "indicator": m.indicator, "value": m.value,
                             "field": m.field, "file": m.file, "user_file": m.user_file,
                             "sources": list(m.sources)} for m in self.matches]}


class Finding(Struct):
    """What a check concluded. A family found in several places is one finding with
    several pieces of evidence (a running program, its service, its files…)."""
    check: str                      # id of the check that found it first
    tier: str
    title: str
    what: str                       # what it is
    why: str                        # why it matters
    do: str                         # what the person could do
    careful: str                    # what to be careful of
    evidence: list[Evidence] = field(default_factory=list)
    family: str | None = None       # family id; None for a heuristic or a setting
    family_name: str | None = None
    heuristic: str | None = None    # heuristic or setting id when no signature named it
    extra: dict[str, Any] = field(default_factory=dict)   # check-specific detail (sessions…)

    @property
    def severity(self) -> str:
        return TIERS[self.tier]["severity"]

    @property
    def matches(self) -> list[Match]:
        return [m for e in self.evidence for m in e.matches]

    @property
    def checks(self) -> list[str]:
        return list(dict.fromkeys(e.check for e in self.evidence)) or [self.check]

    @property
    def user_signatures(self) -> bool:
        """True when only files the person added (not the built-in set) named it."""
        ms = self.matches
        return bool(ms) and all(m.user_file for m in ms)

    @property
    def id(self) -> str:
        """Stable across runs for the same thing found: used to compare scans."""
        if self.family:
            key = ["family", self.family]
        else:
            key = [self.check, self.heuristic,
                   [[e.record_kind, _records.to_dict(e.record)] for e in self.evidence]]
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (TIERS[self.tier]["order"], (self.family_name or "~").casefold(), self.title)

    def to_json_data(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "checks": self.checks,
            "tier": self.tier,
            "severity": self.severity,
            "family": self.family,
            "family_name": self.family_name,
            "heuristic": self.heuristic,
            "title": self.title,
            "explanation": {"what": self.what, "why": self.why, "do": self.do, "careful": self.careful},
            "evidence": [e.to_json_data() for e in self.evidence],
            "detail": self.extra,
            "user_signatures": self.user_signatures,
        }
