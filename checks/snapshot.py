"""A snapshot: every record one scan collected, plus what could not be read and why.

It serialises to JSON (``checkup scan --save-snapshot``) so that a snapshot taken on one
machine can be matched on another, compared later, and kept as evidence.
"""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Iterable

from msgspec import Struct, field

from device_checkup.signatures import kinds
from device_checkup.signatures.words import N_, Words, WordsError

from . import records as _records

SNAPSHOT_FORMAT = 1
COMPUTERS = ("windows", "macos", "linux")
PHONES = ("android", "ios")          # a phone check's records are the phone kinds (checks/phone/saved.py)

# Why something could not be read. Each reason has plain words in checks/texts/en.yaml.
# "error": what was read could not be understood (a damaged file); "fault": Device Checkup's own
# code failed on it (an exception), which says nothing about the computer.
REASONS = ("permission", "absent", "unsupported", "offline", "error", "fault", "timeout", "cancelled")


class NotRead(Struct, frozen=True):
    """Something a source (or a check) could not look at."""
    source: str                 # id of the source or check
    reason: str                 # one of REASONS
    detail: str = ""            # technical detail for the advocate (path, exception text)
    what: str = ""              # plain words: what could not be looked at (a catalogue message)
    # What fills the placeholders of ``what`` ("the extensions of {browser} for {user}"): a source
    # keeps the message and its values apart (signatures/words.py), the explain step says them.
    values: tuple[tuple[str, str], ...] = ()
    # The detail as words to say later (Words): ``detail`` then holds their English, for logs
    # and for whoever reads a snapshot without the catalogue.
    detail_words: Words | None = None

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")

    @classmethod
    def about(cls, source: str, reason: str, detail: "str | Words", what: "str | Words" = "") -> "NotRead":
        """``what`` and ``detail`` as plain words or as ``Words`` (a message and its values)."""
        words = detail if isinstance(detail, Words) else None
        if words is not None:
            detail = words.said()
        if isinstance(what, Words):
            return cls(source, reason, detail, what.message, tuple((k, str(v)) for k, v in what.values), words)
        return cls(source, reason, detail, what, detail_words=words)

    def to_json_data(self) -> dict[str, Any]:
        data = {"source": self.source, "reason": self.reason, "detail": self.detail, "what": self.what}
        if self.values:
            data["values"] = dict(self.values)
        if self.detail_words is not None:
            data["detail_words"] = self.detail_words.to_json()
        return data


class Snapshot(Struct):
    """Everything one scan read: records by kind, what could not be read, and when."""
    platform: str                                   # "windows", "macos", "linux"; a phone: "android", "ios"
    mode: str = "live"                              # "live" or "offline"
    root: str | None = None                         # the folder an offline scan read
    os_version: str = ""
    tool_version: str = ""
    started_at: str = ""                            # ISO 8601 with time zone
    finished_at: str = ""
    records: dict[str, list[Any]] = field(default_factory=dict)
    not_read: list[NotRead] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)   # source id → records it gave

    def of(self, kind: str) -> list[Any]:
        """Records of one kind ("processes", "autostart", …); empty if none were read."""
        return self.records.get(kind, [])

    def add(self, kind: str, items: Iterable[Any]) -> int:
        bucket = self.records.setdefault(kind, [])
        before = len(bucket)
        bucket.extend(items)
        return len(bucket) - before

    # -- JSON ---------------------------------------------------------------------------
    def to_json_data(self) -> dict[str, Any]:
        return {
            "format": SNAPSHOT_FORMAT,
            "platform": self.platform,
            "mode": self.mode,
            "root": self.root,
            "os_version": self.os_version,
            "tool_version": self.tool_version,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "sources": dict(self.sources),
            "not_read": [n.to_json_data() for n in self.not_read],
            "records": {kind: [_records.to_dict(r) for r in items]
                        for kind, items in sorted(self.records.items())},
        }

    def dump(self, fp) -> None:
        json.dump(self.to_json_data(), fp, indent=1, ensure_ascii=False)
        fp.write("\n")

    @classmethod
    def from_json_data(cls, data: Any) -> "Snapshot":
        if not isinstance(data, dict):
            raise WordsError(Words(N_("not a Device Checkup snapshot (expected a JSON object)")))
        if data.get("format") != SNAPSHOT_FORMAT:
            raise WordsError(Words.of(N_("not a Device Checkup snapshot of format {format}"), format=SNAPSHOT_FORMAT))
        platform = data.get("platform")
        if platform not in COMPUTERS + PHONES:
            raise WordsError(Words(N_("snapshot names no known platform")))
        snap = cls(platform=platform,
                   mode=str(data.get("mode") or "live"),
                   root=data.get("root"),
                   os_version=str(data.get("os_version") or ""),
                   tool_version=str(data.get("tool_version") or ""),
                   started_at=str(data.get("started_at") or ""),
                   finished_at=str(data.get("finished_at") or ""))
        sources = data.get("sources") or {}
        if not isinstance(sources, dict):
            raise WordsError(Words.of(N_("snapshot '{key}' is not an object"), key="sources"))
        snap.sources = {str(k): int(v) for k, v in sources.items()}
        for item in data.get("not_read") or []:
            if not isinstance(item, dict):
                raise WordsError(Words.of(N_("snapshot '{key}' holds a non-object"), key="not_read"))
            values = item.get("values") or {}
            if not isinstance(values, dict):
                raise WordsError(Words.of(N_("snapshot '{key}' holds values that are not an object"),
                                          key="not_read"))
            words = Words.from_json(item["detail_words"]) if item.get("detail_words") is not None else None
            snap.not_read.append(NotRead(**{k: str(v) for k, v in item.items() if k not in ("values", "detail_words")},
                                         values=tuple((str(k), str(v)) for k, v in values.items()),
                                         detail_words=words))
        recs = data.get("records") or {}
        if not isinstance(recs, dict):
            raise WordsError(Words.of(N_("snapshot '{key}' is not an object"), key="records"))
        for kind, items in recs.items():
            if kind not in _records.RECORD_TYPES:
                raise WordsError(Words.of(N_("snapshot holds unknown record kind '{kind}'"), kind=kind))
            if (kinds.RECORD[kind].device == "phone") != (platform in PHONES):
                raise WordsError(Words.of(N_("a {platform} snapshot can't hold '{kind}' records"),
                                          platform=platform, kind=kind))
            if not isinstance(items, list):
                raise WordsError(Words.of(N_("snapshot records '{kind}' is not a list"), kind=kind))
            try:
                snap.records[kind] = [_records.from_dict(kind, d) for d in items]
            except TypeError as exc:
                raise WordsError(Words.of(N_("snapshot records '{kind}': {why}"), kind=kind, why=exc)) from None
        return snap

    @classmethod
    def load(cls, fp) -> "Snapshot":
        try:
            data = json.load(fp)
        except json.JSONDecodeError as exc:
            raise WordsError(Words.of(N_("not valid JSON ({why}, line {line})"), why=exc.msg, line=exc.lineno)) from None
        return cls.from_json_data(data)


def now_iso() -> str:
    """The current local time with its time zone, to the second."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")
