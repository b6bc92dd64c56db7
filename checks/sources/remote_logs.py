"""Remote sessions that remote-access tools wrote in their own logs: evidence a person can show.

Read from files only, so the same code reads a live machine and an offline disk.

AnyDesk ``connection_trace.txt``
    One line per incoming connection: direction, date and time (``YYYY-MM-DD, HH:MM``), how it
    was let in, the other side's alias and AnyDesk ID, separated by spaces or tabs::

        Incoming    2022-08-23, 10:23    Passwd    547911884    547911884

    AnyDesk's own help page "Connection Log" (support.anydesk.com/knowledgebase/articles/
    467186-connection-log) defines the methods: ``User`` — allowed by the person at this
    computer in the accept window; ``Passwd`` — the other side typed the unattended-access
    password; ``Token`` — let in automatically with a token saved by an earlier password login
    ("Connections without password" / "save login information"); ``REJECTED`` — refused at this
    computer. LOLRMM's AnyDesk entry (``yaml/anydesk.yaml``, Artifacts → Disk) gives the examples
    above and says the file is written only on the side that is connected to, and how the
    connection was approved.
    Where: Windows ``%ProgramData%\\AnyDesk\\`` (installed service) and ``%AppData%\\AnyDesk\\``
    (each user; LOLRMM), the service's own profile under ``…\\config\\systemprofile\\AppData\\
    Roaming\\AnyDesk\\`` (LOLRMM lists that folder); Linux ``~/.anydesk/`` (user files listed by
    public Linux clean-up scripts) and ``/etc/anydesk/`` (the service's folder, next to
    ``system.conf``/``service.conf``); macOS ``~/.anydesk/``, ``~/Library/Application Support/
    AnyDesk/`` and ``/Library/Application Support/AnyDesk/`` (reported by public notes, not
    confirmed on a Mac: absent places cost nothing).

TeamViewer ``Connections_incoming.txt``
    One line per finished incoming session, tab-separated: the other side's TeamViewer ID, its
    name, start and end (``DD-MM-YYYY HH:MM:SS``, UTC), the account logged in here, the kind of
    session (``RemoteControl``, ``FileTransfer``, …) and a session id in braces — as documented
    by WiredPulse/TeamViewer_Forensics (README: "Time is in UTC"), read the same way by plaso's
    ``teamviewer_connections_incoming`` parser (start and end "in UTC"), and seen in public
    incident write-ups. LOLRMM's TeamViewer entry lists ``C:\\Program Files\\TeamViewer\\
    Connections_incoming.txt`` and ``C:\\Program Files*\\TeamViewer\\connections*.txt``.
    macOS ``~/Library/Logs/TeamViewer/`` is reported by public notes (not confirmed).

AnyDesk ``ad.trace`` / ``ad_svc.trace``
    AnyDesk's own logs (the window's, in ``%AppData%\\AnyDesk``, and the service's, in
    ``%ProgramData%\\AnyDesk``): ``level date time process pid tid [fiber] component - message``.
    An incoming connection is ``anynet.any_socket - Client-ID: <id> (FPR: …)`` followed by
    ``anynet.any_socket - Logged in from <address>:<port> on relay …``; file transfers are the
    lines of ``app.prepare_task`` and ``app.*file_transfer`` components. LOLRMM's AnyDesk entry
    gives these examples and says both files name "the IP address of the other participant and
    its AnyDesk ID". A login is joined to the ``connection_trace.txt`` line of the same AnyDesk
    ID on the same day within ten minutes (both are written by the same clock; the real
    DFIRArtifactMuseum files differ by 3 minutes); a login with no such line is a session of
    its own. Neither file says which time zone its times are in.

Splashtop: LOLRMM lists its log files (``SPLog.txt``, ``agent_log.txt``) but no public sample of
their session lines was found, so they are not read (a parser for an unseen format would guess).

RustDesk: no documented log of incoming sessions was found, so it is not read.
"""
from __future__ import annotations

import datetime as _dt
import re

from msgspec.structs import replace

from ..i18n import NN_, N_
from ..snapshot import Words
from ..records import RemoteSession
from .base import Machine, Notes, Source
from .fs import FileSystem, Unreadable, decode_text

LOG_LIMIT = 8 * 1024 * 1024        # a connection log of years is well under 1 MB
MAX_LINES = 200_000
MAX_RAW = 500                      # characters of a line kept as evidence

_ANYDESK = re.compile(
    r"^\s*(?P<direction>incoming|outgoing)\s+(?P<date>\d{4}-\d{2}-\d{2}),?\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s+(?P<method>[A-Za-z_-]+)(?P<rest>(?:\s+\S+)*)\s*$", re.IGNORECASE)
_ANYDESK_HEADER = re.compile(r"^\s*(direction\b|connection trace\b|=+\s*$)", re.IGNORECASE)
_ANYDESK_METHODS = {"user": "user", "passwd": "password", "password": "password", "token": "token",
                    "rejected": "rejected"}
_TV_TIME = re.compile(r"^\s*(\d{1,2})-(\d{1,2})-(\d{4}) (\d{1,2}):(\d{2}):(\d{2})\s*$")


def _note_skipped(notes: Notes, path: str, skipped: int, what: str) -> None:
    if skipped:
        notes.could_not_read("error", Words.counting(*NN_("{path}: {count} line was not in the expected form and was skipped",
                                     "{path}: {count} lines were not in the expected form and were skipped"), skipped, path=path), what)


def _lines(fs: FileSystem, path: str, notes: Notes, what: str) -> list[str] | None:
    try:
        data = fs.read_bytes(path, LOG_LIMIT + 1)
    except Unreadable as exc:
        notes.unreadable(exc, what)
        return None
    if len(data) > LOG_LIMIT:
        notes.could_not_read("error", Words.of(N_("{path}: larger than {size} MB; only the start was read"), path=path, size=LOG_LIMIT // (1024 * 1024)), what)
        data = data[:LOG_LIMIT]
    lines = decode_text(data).splitlines()
    if len(lines) > MAX_LINES:
        notes.could_not_read("error", Words.of(N_("{path}: more than {most} lines; only the first were read"), path=path, most=MAX_LINES), what)
        lines = lines[:MAX_LINES]
    return lines


# -- AnyDesk ---------------------------------------------------------------------------------
def parse_anydesk(lines: list[str], path: str, user: str | None) -> tuple[list[RemoteSession], int]:
    """Sessions in an AnyDesk ``connection_trace.txt`` and the number of lines skipped."""
    out: list[RemoteSession] = []
    skipped = 0
    for number, line in enumerate(lines, 1):
        if not line.strip() or _ANYDESK_HEADER.match(line):
            continue
        m = _ANYDESK.match(line) if len(line) < 4096 else None
        if not m:
            skipped += 1
            continue
        written = f"{m['date']}, {m['time']}"
        when = _iso_anydesk(m["date"], m["time"])
        if when is None:
            skipped += 1
            continue
        method = m["method"].lower()
        approval = _ANYDESK_METHODS.get(method, method[:40])
        others = m["rest"].split()
        ids = [t for t in others if t.isdigit()]
        remote_id = ids[-1] if ids else (others[-1] if others else None)
        out.append(RemoteSession(tool="AnyDesk", log=path, line=number, direction=m["direction"].lower(),
                                 time=when or written, approval=approval, remote_id=remote_id,
                                 user=user, raw=line.strip()[:MAX_RAW]))
    return out, skipped


def _iso_anydesk(date: str, time: str) -> str | None:
    try:
        fmt = "%Y-%m-%d %H:%M:%S" if time.count(":") == 2 else "%Y-%m-%d %H:%M"
        return _dt.datetime.strptime(f"{date} {time}", fmt).isoformat(timespec="seconds" if time.count(":") == 2 else "minutes")
    except ValueError:
        return None


def anydesk_logs(fs: FileSystem, platform: str) -> list[tuple[str, str | None]]:
    """(log path, whose) of every place AnyDesk may keep its connection trace."""
    name = "connection_trace.txt"
    places: list[tuple[str, str | None]] = []
    homes = fs.user_homes()
    if platform == "windows":
        places.append(("C:\\ProgramData\\AnyDesk\\" + name, None))
        for sysdir in ("System32", "SysWOW64"):
            places.append((f"C:\\Windows\\{sysdir}\\config\\systemprofile\\AppData\\Roaming\\AnyDesk\\{name}", None))
        places += [(fs.join(home, "AppData\\Roaming\\AnyDesk", name), user) for user, home in homes]
    elif platform == "macos":
        places.append(("/Library/Application Support/AnyDesk/" + name, None))
        for user, home in homes:
            places.append((fs.join(home, "Library/Application Support/AnyDesk", name), user))
            places.append((fs.join(home, ".anydesk", name), user))
    else:
        places.append(("/etc/anydesk/" + name, None))
        places += [(fs.join(home, ".anydesk", name), user) for user, home in homes]
    return places


# -- AnyDesk's own logs (ad.trace, ad_svc.trace) ---------------------------------------------
_TRACE = re.compile(
    r"^\s*(?P<level>[a-z]+)\s+(?P<date>\d{4}-\d{2}-\d{2})\s+(?P<time>\d{2}:\d{2}:\d{2})(?:\.\d+)?\s+"
    r"(?P<proc>\S+)\s+(?P<pid>\d+)\s+\d+\s+(?:\d+\s+)?(?P<component>[\w.]+)\s+-\s+(?P<message>.*?)\s*$")
_CLIENT_ID = re.compile(r"^Client-ID:\s*(?P<id>\d{6,12})\b")
_LOGGED_IN = re.compile(r"^Logged in from\s+(?P<address>\[?[0-9A-Fa-fx.:]+\]?)(?::(?P<port>\d+))?\s+on relay\b")
MAX_FILES = 20                      # file-transfer lines kept per session


def parse_anydesk_trace(lines: list[str], path: str, user: str | None) -> list[RemoteSession]:
    """Incoming logins (remote AnyDesk ID and address) and the file transfers after each."""
    out: list[RemoteSession] = []
    pending: dict[str, str] = {}                     # process id -> the Client-ID just announced
    for number, line in enumerate(lines, 1):
        m = _TRACE.match(line) if len(line) < 4096 else None
        if not m:
            continue                                 # a trace has many other kinds of line
        message, component = m["message"], m["component"]
        if component == "anynet.any_socket":
            cid = _CLIENT_ID.match(message)
            if cid:
                pending[m["pid"]] = cid["id"]
                continue
            login = _LOGGED_IN.match(message)
            if login and m["pid"] in pending:
                out.append(RemoteSession(
                    tool="AnyDesk", log=path, line=number, direction="incoming",
                    time=f"{m['date']}T{m['time']}", remote_id=pending.pop(m["pid"]),
                    remote_address=login["address"].strip("[]")[:100], user=user, raw=line.strip()[:MAX_RAW]))
        elif (component == "app.prepare_task" or component.endswith("file_transfer")) and out:
            if len(out[-1].files) < MAX_FILES:       # during (or after) the latest login
                out[-1] = _replace(out[-1], files=out[-1].files + (f"{m['date']} {m['time']}: {message}"[:MAX_RAW],))
    return out


def _replace(session: RemoteSession, **changes) -> RemoteSession:
    return replace(session, **changes)


def join_trace(sessions: list[RemoteSession], logins: list[RemoteSession]) -> list[RemoteSession]:
    """connection_trace.txt sessions given the address and files of the trace login of the same
    AnyDesk ID on the same day within ten minutes; the other logins as sessions of their own."""
    out = list(sessions)
    for login in logins:
        try:
            at = _dt.datetime.fromisoformat(login.time)
        except ValueError:
            out.append(login)
            continue
        best, gap = None, None
        for i, s in enumerate(out):
            if s.tool != "AnyDesk" or s.remote_id != login.remote_id or s.remote_address or s.log == login.log:
                continue
            try:
                diff = abs((_dt.datetime.fromisoformat(s.time) - at).total_seconds())
            except ValueError:
                continue
            if diff <= 600 and (gap is None or diff < gap):
                best, gap = i, diff
        if best is None:
            out.append(login)
        else:
            out[best] = _replace(out[best], remote_address=login.remote_address,
                                 files=out[best].files + login.files)
    return out


def anydesk_traces(fs: FileSystem, platform: str) -> list[tuple[str, str | None]]:
    """(trace path, whose): the service's ad_svc.trace and each user's ad.trace (LOLRMM, Windows)."""
    if platform != "windows":
        return []
    places: list[tuple[str, str | None]] = [("C:\\ProgramData\\AnyDesk\\ad_svc.trace", None)]
    for sysdir in ("System32", "SysWOW64"):
        places.append((f"C:\\Windows\\{sysdir}\\config\\systemprofile\\AppData\\Roaming\\AnyDesk\\ad_svc.trace", None))
    places += [(fs.join(home, "AppData\\Roaming\\AnyDesk", "ad.trace"), user) for user, home in fs.user_homes()]
    return places


# -- TeamViewer ------------------------------------------------------------------------------
def parse_teamviewer(lines: list[str], path: str) -> tuple[list[RemoteSession], int]:
    """Sessions in a TeamViewer ``Connections_incoming.txt`` and the number of lines skipped."""
    out: list[RemoteSession] = []
    skipped = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split("\t")] if len(line) < 4096 else []
        while fields and not fields[-1]:
            fields.pop()
        if len(fields) < 3:
            skipped += 1
            continue
        remote_id, _name, start = fields[0], fields[1], fields[2]
        when = _iso_teamviewer(start)
        if when is None or not remote_id:
            skipped += 1
            continue
        local_user = fields[4] if len(fields) > 4 and fields[4] else None
        end = _iso_teamviewer(fields[3]) if len(fields) > 3 else None
        kind = fields[5][:60] if len(fields) > 5 and fields[5] else None
        out.append(RemoteSession(tool="TeamViewer", log=path, line=number, direction="incoming", time=when,
                                 approval=None, remote_id=remote_id[:100], user=local_user[:100] if local_user else None,
                                 raw=line.strip()[:MAX_RAW], end=end, remote_name=_name[:100] or None,
                                 time_zone="UTC", kind=kind))
    return out, skipped


def _iso_teamviewer(value: str) -> str | None:
    m = _TV_TIME.match(value)
    if not m:
        return None
    day, month, year, hour, minute, second = map(int, m.groups())
    try:
        return _dt.datetime(year, month, day, hour, minute, second, tzinfo=_dt.timezone.utc).isoformat()
    except ValueError:
        return None


def teamviewer_logs(fs: FileSystem, platform: str) -> list[tuple[str, str | None]]:
    places: list[tuple[str, str | None]] = []
    homes = fs.user_homes()
    if platform == "windows":
        for pf in ("C:\\Program Files", "C:\\Program Files (x86)"):
            places.append((pf + "\\TeamViewer\\Connections_incoming.txt", None))
        places += [(fs.join(home, "AppData\\Roaming\\TeamViewer\\Connections_incoming.txt"), user)
                   for user, home in homes]
    elif platform == "macos":
        places.append(("/Library/Logs/TeamViewer/Connections_incoming.txt", None))
        places += [(fs.join(home, "Library/Logs/TeamViewer/Connections_incoming.txt"), user) for user, home in homes]
    return places


# -- the source ------------------------------------------------------------------------------
class RemoteSessionsSource(Source):
    id = "sessions"
    kind = "sessions"
    what = "the records remote-access tools keep of connections to this computer"

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        seen: set[str] = set()

        def logs(places, what):
            """(path, user, lines) of each log there once, however many ways it was reached."""
            for path, user in places:
                if path.casefold() in seen or not fs.exists(path):
                    continue
                seen.add(path.casefold())
                lines = _lines(fs, path, notes, what)
                if lines is not None:
                    yield path, user, lines

        what_ad = "AnyDesk's record of connections"
        found: list[RemoteSession] = []
        for path, user, lines in logs(anydesk_logs(fs, machine.platform), what_ad):
            sessions, skipped = parse_anydesk(lines, path, user)
            _note_skipped(notes, path, skipped, what_ad)
            found.extend(sessions)
        for path, user, lines in logs(anydesk_traces(fs, machine.platform), what_ad):
            found = join_trace(found, parse_anydesk_trace(lines, path, user))
        yield from found
        what_tv = "TeamViewer's record of connections"
        for path, _user, lines in logs(teamviewer_logs(fs, machine.platform), what_tv):
            sessions, skipped = parse_teamviewer(lines, path)
            _note_skipped(notes, path, skipped, what_tv)
            yield from sessions

SOURCES = [RemoteSessionsSource()]
