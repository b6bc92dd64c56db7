"""Remote sessions in words: "We found 2 incoming connections in its own records: …".

Shared by the family findings (``checks.base.family_finding``) and the ``remote-sessions``
heuristic, so a session reads the same wherever it is shown. Words live in texts/en.yaml
(section ``sessions``).
"""
from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable

from msgspec import Struct

from . import i18n, texts
from .i18n import and_list

MAX_TIMES = 5


class SessionWords(Struct, frozen=True):
    items: list[dict[str, Any]]     # for Finding.extra["sessions"], sorted by time
    why: str                        # one sentence: how many, when, how they were let in
    do: str                         # one sentence: these records are evidence


def _sort_key(session) -> tuple:
    return (session.time, session.log, session.line)


def when_words(iso: str) -> str:
    """``2022-11-02T21:14`` → ``2 November 2022 at 21:14`` (``(UTC)`` when the log says UTC)."""
    try:
        moment = _dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso
    words = texts.text("sessions", "at", date=i18n.date_words(moment),
                       time=f"{moment.hour:02d}:{moment.minute:02d}")
    if moment.tzinfo is not None and moment.utcoffset() == _dt.timedelta(0):
        words += " " + texts.text("sessions", "utc")
    return words


def zone_words(sessions: list[Any]) -> str:
    """" (time zone unknown)" when the log doesn't say which zone its times are in; the zone the
    tool wrote otherwise (UTC is already said by :func:`when_words`)."""
    zones = {getattr(s, "time_zone", None) for s in sessions}
    if None in zones:
        return " " + texts.text("sessions", "zone_unknown")
    other = sorted(z for z in zones if z and z.upper() != "UTC")
    return " " + texts.text("sessions", "zone", zone=", ".join(other)) if other else ""


def _details(ordered: list[Any]) -> str:
    """Where they came from, who, how long and what was transferred, when the logs say."""
    parts = []
    addresses = list(dict.fromkeys(s.remote_address for s in ordered if getattr(s, "remote_address", None)))
    if addresses:
        parts.append(texts.text("sessions", "from_address", addresses=and_list(addresses[:MAX_TIMES])))
    names = list(dict.fromkeys(s.remote_name for s in ordered if getattr(s, "remote_name", None)))
    if names:
        parts.append(texts.text("sessions", "from_name", names=and_list([f"“{n}”" for n in names[:MAX_TIMES]])))
    ends = [s for s in ordered if getattr(s, "end", None)]
    if ends:
        s = ends[0]
        parts.append(texts.text("sessions", "ended", start=when_words(s.time), end=when_words(s.end)))
    with_files = sum(1 for s in ordered if getattr(s, "files", ()))
    if with_files:
        parts.append(texts.text("sessions", "files", count=with_files))
    return "".join(" " + p for p in parts)


def approval_words(code: str | None) -> str | None:
    if not code:
        return None
    known = texts.load()["sessions"]["approval"]
    return texts.text("sessions", "approval", code) if code in known else \
        texts.text("sessions", "approval_other", how=code)


def describe(sessions: Iterable[Any]) -> SessionWords | None:
    """The words and details for some remote sessions; None when there are none."""
    ordered = sorted(sessions, key=_sort_key)
    if not ordered:
        return None
    count = len(ordered)
    times = [when_words(s.time) for s in ordered[:MAX_TIMES]]
    if count > MAX_TIMES:
        times.append(texts.text("sessions", "more", count=count - MAX_TIMES))
    incoming = all(s.direction == "incoming" for s in ordered)
    noun = texts.text("sessions", "noun", "incoming" if incoming else "any", "one" if count == 1 else "many")
    approvals = [s.approval for s in ordered]
    how = ""
    if all(approvals) and len(set(approvals)) == 1:
        words = approval_words(approvals[0])
        key = "one" if count == 1 else ("both" if count == 2 else "all")
        how = texts.text("sessions", "same", key, approval=words)
    elif any(approvals):
        groups: dict[str, int] = {}
        for code in approvals:
            if code:
                groups[code] = groups.get(code, 0) + 1
        how = texts.text("sessions", "mixed", list=and_list([f"{n} {approval_words(code)}" for code, n in groups.items()]))
    why = texts.text("sessions", "why", count=count, noun=noun, times=and_list(times) + zone_words(ordered), how=how)
    why += _details(ordered)
    items = [{"time": s.time, "end": getattr(s, "end", None), "time_zone": getattr(s, "time_zone", None),
              "direction": s.direction, "approval": s.approval,
              "approval_words": approval_words(s.approval), "remote_id": s.remote_id,
              "remote_address": s.remote_address, "remote_name": getattr(s, "remote_name", None),
              "kind": getattr(s, "kind", None), "files": list(getattr(s, "files", ())),
              "tool": s.tool, "log": s.log, "line": s.line}
             for s in ordered]
    return SessionWords(items=items, why=why.replace(" ,", ",").replace(" .", "."), do=texts.text("sessions", "do"))


def from_evidence(evidence: Iterable[Any]) -> SessionWords | None:
    """Session words for the session records among a finding's evidence (one per record)."""
    seen, sessions = set(), []
    for ev in evidence:
        if ev.record_kind == "sessions" and id(ev.record) not in seen:
            seen.add(id(ev.record))
            sessions.append(ev.record)
    return describe(sessions)
