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
    by WiredPulse/TeamViewer_Forensics (README: "Time is in UTC") and seen in public incident
    write-ups. LOLRMM's TeamViewer entry lists ``C:\\Program Files\\TeamViewer\\
    Connections_incoming.txt`` and ``C:\\Program Files*\\TeamViewer\\connections*.txt``.
    macOS ``~/Library/Logs/TeamViewer/`` is reported by public notes (not confirmed).

RustDesk: no documented log of incoming sessions was found, so it is not read.
"""
from __future__ import annotations

import datetime as _dt
import re

from ..records import RemoteSession
from .base import Machine, Notes, Source
from .fs import FileSystem, Unreadable

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
        notes.could_not_read("error", f"{path}: {skipped} line(s) were not in the expected form and were skipped", what)


def _lines(fs: FileSystem, path: str, notes: Notes, what: str) -> list[str] | None:
    try:
        data = fs.read_bytes(path, LOG_LIMIT + 1)
    except Unreadable as exc:
        notes.unreadable(exc, what)
        return None
    if len(data) > LOG_LIMIT:
        notes.could_not_read("error", f"{path}: larger than {LOG_LIMIT // (1024 * 1024)} MB; only the start was read", what)
        data = data[:LOG_LIMIT]
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            text = data[len(bom):].decode(enc, errors="replace")
            break
    else:
        text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if len(lines) > MAX_LINES:
        notes.could_not_read("error", f"{path}: more than {MAX_LINES} lines; only the first were read", what)
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
        out.append(RemoteSession(tool="TeamViewer", log=path, line=number, direction="incoming", time=when,
                                 approval=None, remote_id=remote_id[:100], user=local_user[:100] if local_user else None,
                                 raw=line.strip()[:MAX_RAW]))
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
        what_ad = "AnyDesk's record of connections"
        seen: set[str] = set()
        for path, user in anydesk_logs(fs, machine.platform):
            if path.casefold() in seen or not fs.exists(path):
                continue
            seen.add(path.casefold())
            lines = _lines(fs, path, notes, what_ad)
            if lines is None:
                continue
            sessions, skipped = parse_anydesk(lines, path, user)
            _note_skipped(notes, path, skipped, what_ad)
            yield from sessions
        what_tv = "TeamViewer's record of connections"
        for path, _user in teamviewer_logs(fs, machine.platform):
            if path.casefold() in seen or not fs.exists(path):
                continue
            seen.add(path.casefold())
            lines = _lines(fs, path, notes, what_tv)
            if lines is None:
                continue
            sessions, skipped = parse_teamviewer(lines, path)
            _note_skipped(notes, path, skipped, what_tv)
            yield from sessions


SOURCES = [RemoteSessionsSource()]
