"""Remote sessions a remote-access tool recorded: evidence for the tool's family.

A session's log is a file the signature set may list (LOLRMM names AnyDesk's
``connection_trace.txt`` and TeamViewer's ``Connections_incoming.txt``), so the session becomes
evidence of that family and the engine merges it with the family's other evidence; the
family's words then list the sessions (``checks.session_words``). Where no family names the log
or the tool, the sessions still become one ``remote-sessions`` finding per tool.
"""
from __future__ import annotations

import datetime as _dt

from .i18n import _
from . import session_words, texts
from .base import Check, Context, Probe, ask, family_finding, signature_findings
from .findings import Evidence, Match
from .heuristics import finding


def family_named(ctx: Context, tool: str):
    """The family (after ``same_as``) whose name or alias is the tool's own name, if any."""
    families = ctx.index.sigset.families
    reported = {}
    for fam in families:
        for other in fam.same_as:
            reported.setdefault(other, fam)
    wanted = tool.casefold()
    found = [reported.get(f.id, f) for f in families
             if f.name.casefold() == wanted or any(a.casefold() == wanted for a in f.aliases)]
    found.sort(key=lambda f: f.tier != "remote-access")
    return found[0] if found else None


class RemoteSessionsCheck(Check):
    id = "remote-sessions"
    what = "records of connections from other computers"

    def run(self, ctx: Context):
        out = []
        unexplained: dict[str, list] = {}
        for session in ctx.snapshot.of("sessions"):
            hits = ask(ctx, [Probe("file_paths", "log", session.log)])
            if not hits:
                hits = ask(ctx, [Probe("program_names", "tool", session.tool)])
            if hits:
                out += signature_findings(self.id, "sessions", session, hits)
                continue
            fam = family_named(ctx, session.tool)
            if fam is not None:
                # No indicator names this log, but a family is this very tool: its evidence.
                match = Match("session", _("{tool}'s own record of connections").format(tool=session.tool), session.log, "log",
                              file=fam.file, user_file=fam.user_file, sources=fam.source_urls)
                out.append(family_finding(fam, [Evidence(self.id, "sessions", session, [match])], self.id))
            else:
                unexplained.setdefault(session.tool, []).append(session)
        for tool, sessions in unexplained.items():
            words = session_words.describe(sessions)
            logs = list(dict.fromkeys(s.log for s in sessions))
            f = finding("remote-sessions", self.id, "sessions", sessions[0], tier="remote-access",
                        tool=tool, value="; ".join(logs[:3]) + ("; …" if len(logs) > 3 else ""),
                        sessions=words.why, sessions_do=words.do)
            f.evidence = [Evidence(self.id, "sessions", s,
                                   [Match("session", _("{tool}'s own record of connections").format(tool=tool), s.log, "log")])
                          for s in sessions]
            f.extra["sessions"] = words.items
            out.append(f)
        return out


NIGHT = (22, 6)     # from 22:00 to 05:59, by the clock the log wrote


def _at_night(time: str) -> bool:
    try:
        hour = _dt.datetime.fromisoformat(time).hour
    except (TypeError, ValueError):
        return False
    return hour >= NIGHT[0] or hour < NIGHT[1]


def raise_if_used(f) -> None:
    """A remote-access finding whose own records show someone came in (not refused) is more than
    "worth checking": its tier becomes ``remote-used`` (serious) and its headline says so —
    at night, or let in without anyone accepting it (unattended), when the records say that."""
    if f.tier != "remote-access":
        return
    came_in = [s for s in (f.extra.get("sessions") or [])
               if s.get("direction") == "incoming" and s.get("approval") != "rejected"]
    if not came_in:
        return
    night = any(_at_night(s.get("time")) for s in came_in)
    unattended = any(s.get("approval") == "password" for s in came_in)
    detail = texts.text("sessions", "raised", "both" if night and unattended else
                        "night" if night else "unattended" if unattended else "plain")
    name = f.family_name or (came_in[0].get("tool") or "A remote-access tool")
    f.tier = "remote-used"
    f.title = texts.text("tiers", "remote-used", "title", name=name, detail=detail)
    lead = texts.text("sessions", "raised_why")
    if lead not in f.why:
        f.why = f"{lead} {f.why}"
