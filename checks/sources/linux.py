"""Linux: what starts by itself, services, and installed programs.

Read from files only, live or offline, following research/persistence-locations.md and the way
the OS itself reads them (systemd.unit(5) load paths, drop-ins, template instances, linked and
masked units; the XDG autostart spec and GLib's key-file rules): XDG autostart entries, systemd
units (system and per user) and the links that enable them, cron, shell start files, rc.local,
ld.so.preload and LD_PRELOAD, udev RUN+=, update-motd.d, systemd generators, NetworkManager
dispatcher scripts, APT hooks and KDE's start scripts; dpkg, rpm, flatpak, snap, ``.desktop``
files and ``/opt``. Wrappers (env, sh -c, nohup, setsid…) are taken off, so the program judged
is the one that runs. Every parser is small, reads a bounded amount and turns junk into a note.
"""
from __future__ import annotations

import itertools
import os
import re

from ..i18n import N_
from ..snapshot import Words
from ..records import AutostartEntry, InstalledApp, Service
from .base import Machine, Notes, Source, listing as _list, text_of as _read
from .commands import real_program
from .fs import Unreadable

LINUX = frozenset({"linux"})
_SMALL = 1024 * 1024
_DPKG_LIMIT = 64 * 1024 * 1024

SHELL_FILES = [".bashrc", ".profile", ".bash_profile", ".bash_login", ".zshrc", ".zprofile", ".zlogin", ".xprofile",
               ".xsessionrc", ".xinitrc", ".xsession", ".config/fish/config.fish"]


# -- parsers ----------------------------------------------------------------------------------
def parse_desktop(text: str) -> dict[str, str]:
    """The keys of a .desktop file's [Desktop Entry] group, as GLib reads them.

    Only that group is read (translations and action groups after it are skipped, not parsed);
    a key given twice keeps its last value, as GLib's key-file parser does; localised keys
    (``Name[fr]``) are left out; GLib's escapes (``\\s``, ``\\n``, ``\\t``, ``\\\\``) are read."""
    start = text.find("[Desktop Entry]")
    while start > 0 and text[start - 1] not in "\r\n":
        start = text.find("[Desktop Entry]", start + 1)
    if start < 0:
        return {}
    start += len("[Desktop Entry]")
    end = text.find("\n[", start)
    out: dict[str, str] = {}
    # One pass of one expression over the group: the many translated lines (``Name[fr]=``)
    # fail at their "[" in C instead of being split and stripped one by one in Python.
    for n, m in enumerate(_DESKTOP_KEY.finditer(text, start, end if end >= 0 else len(text))):
        if n == 5000:
            break
        key = m.group(1).strip()
        if key:
            out[key] = _unescape(m.group(2).strip())
    return out


# A line "key=value" of a key-file group: the key neither a comment nor localised ("Name[fr]").
# Written from the line's "\n" rather than with "^": the engine then jumps from one "\n" to the
# next instead of trying every character (half the time on a file with 90 translations).
_DESKTOP_KEY = re.compile(r"\n[ \t]*([^#=\[\n \t][^=\[\n]*)=([^\n]*)")


_ESCAPES = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), value)


_FIELD_CODES = re.compile(r"%(.)")


def desktop_command(exec_line: str) -> str:
    """A desktop file's Exec= line as the command it runs: field codes (%U, %f…) taken out, %% → %."""
    return _FIELD_CODES.sub(lambda m: "%" if m.group(1) == "%" else
                            ("" if m.group(1) in "fFuUdDnNickvm" else m.group(0)), exec_line).strip()


def desktop_runs(d: dict[str, str]) -> bool:
    """Whether a session would start an autostart entry (Hidden, X-GNOME-Autostart-enabled);
    OnlyShowIn/NotShowIn depend on the desktop in use and are shown in the command instead."""
    return not (d.get("Hidden", "").strip().lower() == "true"
                or d.get("X-GNOME-Autostart-enabled", "").strip().lower() == "false")


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit file: section → key → values (in order; ``Key=`` resets, as systemd does)."""
    out: dict[str, dict[str, list[str]]] = {}
    keys: dict[str, list[str]] | None = None          # the current section's
    lines = [line.strip() for line in text.splitlines()[:5000]]
    if "\\" in text:                                    # continuation lines (rare): joined first
        lines = _joined(lines)
    for line in lines:
        if not line or line[0] in "#;":
            continue
        if line[0] == "[" and line[-1] == "]":
            keys = out.setdefault(line[1:-1], {})
            continue
        if keys is not None:
            key, eq, value = line.partition("=")
            if eq:
                values = keys.setdefault(key.strip(), [])
                value = value.strip()
                if value:
                    values.append(value)
                else:
                    values.clear()
    return out


def _joined(lines: list[str]) -> list[str]:
    """Stripped lines, each ending in a backslash joined with the next (one space between)."""
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1].rstrip() + " " + lines[i]
            i += 1
        out.append(line)
    return out


_SCHEDULE = re.compile(r"^(@\w+|(\S+\s+){4}\S+)\s+")


def parse_crontab(text: str, with_user: bool) -> list[tuple[str, str | None, str]]:
    """(schedule, user or None, command) for each job in a crontab; variables and junk skipped."""
    jobs = []
    for line in text.splitlines()[:10_000]:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"^[A-Za-z_][A-Za-z0-9_]*\s*=", line):
            continue                                          # SHELL=/bin/sh, MAILTO=…
        m = _SCHEDULE.match(line)
        if not m:
            continue
        schedule = m.group(1)
        rest = line[m.end():].strip()
        user = None
        if with_user:
            user, _, rest = rest.partition(" ")
            rest = rest.strip()
        if rest:
            jobs.append((schedule, user, rest))
    return jobs


_DPKG_FIELD = re.compile(rb"\n(Package|Status|Version|Maintainer):([^\n]*)")
_DPKG_FIRST = re.compile(rb"(Package|Status|Version|Maintainer):([^\n]*)")


def parse_dpkg_status(data: bytes | str) -> list[dict[str, str]]:
    """Installed packages in a dpkg status file (Status ending in "installed").

    Every stanza starts with its Package field, so one pass of one regular expression over the
    file finds the few fields a check uses and skips the long descriptions in C. The file is
    read as bytes and walked match by match: only the fields kept are decoded, so a 13 MB status
    file costs its bytes and the packages, not a decoded copy and a list of every match."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    out: list[dict[str, str]] = []
    current: dict[bytes, bytes] | None = None

    def done(stanza: dict[bytes, bytes]) -> None:
        if stanza.get(b"Status", b"").rstrip().endswith(b" installed"):
            out.append({k.decode("ascii"): v.strip().decode("utf-8", "replace") for k, v in stanza.items()})

    first = _DPKG_FIRST.match(data)
    for m in itertools.chain([first] if first else [], _DPKG_FIELD.finditer(data)):
        key, value = m.groups()
        if key == b"Package":
            if current:
                done(current)
            current = {b"Package": value}
        elif current is not None and key not in current:
            current[key] = value
    if current:
        done(current)
    return out


_BACKGROUND = re.compile(r"^\s*(nohup|setsid|exec\s+nohup)\b|[^&|]&\s*\)?\s*(disown\b.*)?(#.*)?$")


def background_commands(text: str) -> list[tuple[int, str]]:
    """Lines of a shell start file that start a program in the background."""
    out = []
    for n, line in enumerate(text.splitlines()[:5000], 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if _BACKGROUND.search(stripped):
            out.append((n, stripped))
    return out


_PRELOAD = re.compile(r"""^\s*(?:export\s+|declare\s+-x\s+)?LD_PRELOAD\s*=\s*(["']?)([^"'\n#]*)\1""", re.M)


def preload_libraries(text: str) -> list[str]:
    """The libraries an ``LD_PRELOAD=`` assignment in /etc/environment or a shell file names."""
    out = []
    for m in _PRELOAD.finditer(text):
        out += [lib for lib in re.split(r"[\s:]+", m.group(2)) if lib and not lib.startswith("$")]
    return out


def _shell_program(command: str) -> str | None:
    """The program a shell line starts: the part that runs in the background, wrappers taken off
    (``[ -x /opt/a ] && nohup /opt/a/agent >/dev/null 2>&1 &`` → ``/opt/a/agent``)."""
    command = re.sub(r"&\s*\)?\s*(disown\b.*)?(#.*)?$", "", command.strip()).strip()
    command = command.strip("()").strip()
    parts = [p for p in re.split(r"\s*(?:&&|\|\||;|\bthen\b|\bdo\b)\s*", command) if p.strip()]
    for part in reversed(parts):
        program = real_program(part)
        if program and program not in ("[", "test", "if", "fi", "done", "true", "false", "echo", "cd", "export"):
            return program.strip("\"'();")
    return None


def readable_homes(fs, notes: Notes) -> list[tuple[str, str]]:
    """The user folders this check may look into. A folder it may not read is said once (not
    once for every file the check would have looked for in it) and left out."""
    out = []
    for user, home in fs.user_homes():
        try:
            fs.list(home)
        except Unreadable as exc:
            if exc.reason != "absent":
                notes.could_not_read(exc.reason, exc.said,
                                     Words.of(N_("{user}'s home folder ({home})"), user=user, home=home))
            continue
        out.append((user, home))
    return out


# -- systemd, as it reads its units -------------------------------------------------------------
# Folders in systemd's order of precedence (systemd.unit(5), "Unit File Load Path").
SYSTEM_UNIT_DIRS = ["/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
                    "/run/systemd/generator.early", "/etc/systemd/system", "/etc/systemd/system.attached",
                    "/run/systemd/system", "/run/systemd/system.attached", "/run/systemd/generator",
                    "/usr/local/lib/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system",
                    "/run/systemd/generator.late"]
# Per user: ~/.config/systemd/user (XDG_CONFIG_HOME), the admin's, ~/.local/share/systemd/user
# (XDG_DATA_HOME), XDG_DATA_DIRS and the distribution's.
USER_UNIT_DIRS = ["/etc/systemd/user", "/run/systemd/user", "/usr/local/share/systemd/user",
                  "/usr/share/systemd/user", "/usr/local/lib/systemd/user", "/usr/lib/systemd/user",
                  "/lib/systemd/user"]
USER_OWN_DIRS = [".config/systemd/user", ".local/share/systemd/user"]
# Where enabling leaves its links (systemctl enable; for users: --user, --global).
SYSTEM_ENABLE_DIRS = ["/etc/systemd/system", "/run/systemd/system", "/etc/systemd/system.attached"]
USER_ENABLE_DIRS = ["/etc/systemd/user"]
_KINDS = (".service", ".timer", ".socket", ".path")


_INSTANCE = re.compile(r"^(.+@)([^.@]+)(\.[a-z]+)$")


def template_of(name: str) -> str | None:
    """``x@alex.service`` → ``x@.service`` (None for a name that is not an instance)."""
    m = _INSTANCE.match(name) if "@" in name else None      # most units are no instance: no "@"
    return m.group(1) + m.group(3) if m and m.group(2) else None


_INSTANCE_NAME = re.compile(r"^.+@([^.@]+)\.")


def instance_of(name: str) -> str:
    """``x@alex.service`` → ``alex`` ("" for a name that is not an instance)."""
    m = _INSTANCE_NAME.match(name) if "@" in name else None
    return m.group(1) if m else ""


def _target_of(fs, path: str) -> str | None:
    """Where a link inside the scanned system points, as that system's own path, read from the
    link itself (never followed: /dev/null or a file off the disk are answers too)."""
    folder, name = os.path.split(path)
    try:
        where = os.path.join(fs.real(folder), name)
        target = os.readlink(where)
    except (Unreadable, OSError):
        return None
    if not target.startswith("/"):
        target = os.path.join(folder, target)
    return os.path.normpath(target)


def _specifiers(text: str, instance: str) -> str:
    """The few unit specifiers that name a program: %i/%I (instance), %% (a percent sign)."""
    if "%" not in text:
        return text
    return re.sub(r"%(.)", lambda m: {"i": instance, "I": instance, "%": "%"}.get(m.group(1), m.group(0)), text)


def _exec_of(unit: dict, instance: str = "") -> str:
    """The command a unit runs: its last ``ExecStart=`` (after resets and drop-ins), else its
    pre/post commands; the prefixes ``@-:+!`` that change how it is run are taken off."""
    service = unit.get("Service", {})
    for key in ("ExecStart", "ExecStartPre", "ExecStartPost"):
        if service.get(key):
            command = service[key][-1].lstrip("@-:+!").strip()
            return _specifiers(command, instance)
    return ""


class _Units:
    """systemd's view of one set of unit folders: unit files by name (the first folder that has
    a name wins), drop-ins, links that enable units (template instances included), linked units
    (a link to a file outside the unit folders) and masked ones (a link to /dev/null)."""

    def __init__(self, fs, folders: list[str], notes: Notes, enable_dirs: list[str] | None = None):
        self.fs, self.notes, self.folders = fs, notes, folders
        self.paths: dict[str, str] = {}
        self.enabled: dict[str, str] = {}        # unit name → the link that enables it
        self.aliases: set[str] = set()           # another name for a unit listed under its own
        self.masked: set[str] = set()
        self.linked: set[str] = set()            # `systemctl link`: the unit file lives elsewhere
        self.dropins: dict[str, list[str]] = {}  # "x.service.d" → its folders, in precedence order
        enable_dirs = folders if enable_dirs is None else enable_dirs
        for folder in folders:
            for entry in _list(fs, folder, notes):
                if entry.is_dir and entry.name.endswith((".wants", ".requires", ".upholds")):
                    if folder in enable_dirs:
                        for link in _list(fs, entry.path, notes):
                            self.enabled.setdefault(link.name, link.path)
                elif entry.is_dir and entry.name.endswith(".d"):
                    self.dropins.setdefault(entry.name, []).append(entry.path)
                elif not entry.is_dir and "." in entry.name and entry.name not in self.paths:
                    if entry.is_link:
                        target = _target_of(fs, entry.path) or ""
                        if target == "/dev/null":
                            self.masked.add(entry.name)
                            self.paths[entry.name] = entry.path
                            continue
                        if os.path.basename(target) != entry.name and template_of(entry.name) is None:
                            self.aliases.add(entry.name)
                        elif os.path.dirname(target) not in folders:
                            self.linked.add(entry.name)
                    self.paths[entry.name] = entry.path
        self._parsed: dict[str, dict] = {}

    def path_of(self, name: str) -> str | None:
        template = template_of(name)
        path = self.paths.get(name) or (self.paths.get(template) if template else None)
        if path is None and name in self.enabled:
            path = self.enabled[name]                # enabled by a link to a file kept elsewhere
        return path

    def dropin_files(self, name: str) -> list[str]:
        """The drop-in files that apply to ``name``, in the order systemd applies them: sorted by
        file name across all folders, a name in a more important folder hiding the same name in
        a less important one. Type-wide (``service.d``), template and instance folders count."""
        suffix = name.rsplit(".", 1)[-1]
        keys = [f"{suffix}.d"]
        template = template_of(name)
        if template:
            keys.append(f"{template}.d")
        keys.append(f"{name}.d")
        chosen: dict[str, str] = {}
        for key in keys:
            for folder in self.dropins.get(key, ()):
                for entry in _list(self.fs, folder, self.notes):
                    if entry.name.endswith(".conf") and not entry.is_dir:
                        chosen.setdefault(entry.name, entry.path)
        return [chosen[k] for k in sorted(chosen)]

    def unit(self, name: str) -> dict:
        if name not in self._parsed:
            parsed: dict = {}
            path = self.path_of(name)
            if name not in self.masked and path:
                texts = [_read(self.fs, path, self.notes, path) or ""]
                texts += [_read(self.fs, p, self.notes, p) or "" for p in self.dropin_files(name)]
                parsed = parse_unit("\n".join(texts))
            self._parsed[name] = parsed
        return self._parsed[name]

    def command(self, name: str) -> str:
        unit = self.unit(name)
        instance = instance_of(name)
        if name.endswith((".timer", ".path", ".socket")):
            section = {"timer": "Timer", "path": "Path", "socket": "Socket"}[name.rsplit(".", 1)[1]]
            target = (unit.get(section, {}).get("Service") or unit.get(section, {}).get("Unit")
                      or [name.rsplit(".", 1)[0] + ".service"])[-1]
            return _exec_of(self.unit(target), instance)
        return _exec_of(unit, instance)

    def state(self, name: str) -> str:
        if name in self.masked:
            return "masked"
        if name in self.enabled:
            return "enabled"
        return "static" if not self.unit(name).get("Install") else "disabled"

    def listed(self, kinds=(".service",)) -> list[str]:
        """The units worth listing: every unit file (not aliases, not templates that no enabled
        instance uses) and every enabled template instance."""
        names = {n for n in self.paths if n.endswith(kinds) and n not in self.aliases
                 and not (template_of(n) is None and "@." in n)}
        names |= {n for n in self.enabled if n.endswith(kinds) and self.path_of(n)}
        return sorted(names)


def enabled_units(fs, notes: Notes) -> list[tuple[str, str, str | None]]:
    """(unit name, the link that enables it, whose: None for the system) for every unit enabled
    for the system, for every user (--global) and by each person (template instances included)."""
    out = [(n, p, None) for n, p in sorted(_Units(fs, SYSTEM_UNIT_DIRS, notes, SYSTEM_ENABLE_DIRS).enabled.items())]
    out += [(n, p, "every user") for n, p in sorted(_Units(fs, USER_UNIT_DIRS, notes, USER_ENABLE_DIRS).enabled.items())]
    for user, home in readable_homes(fs, Notes("")):
        own = [fs.join(home, d) for d in USER_OWN_DIRS]
        out += [(n, p, user) for n, p in sorted(_Units(fs, own, notes, own[:1]).enabled.items())]
    return out


# -- sources ----------------------------------------------------------------------------------
class LinuxAutostartSource(Source):
    id = "autostart.linux"
    kind = "autostart"
    what = "programs that start by themselves when the computer starts or someone logs in"
    platforms = LINUX

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        homes = readable_homes(fs, notes)
        yield from self._xdg(fs, homes, notes)
        yield from self._user_units(fs, homes, notes)
        yield from self._cron(fs, notes)
        yield from self._shell(fs, homes, notes)
        yield from self._rc_local_and_preload(fs, homes, notes)
        yield from self._hooks(fs, notes)
        yield from self._kde(fs, homes, notes)

    def _kde(self, fs, homes, notes):
        """KDE Plasma's own start places: scripts in ~/.config/autostart-scripts (Plasma 5 runs
        each at login) and ~/.config/plasma-workspace/env/*.sh (sourced before the session)."""
        places = [(fs.join(h, ".config/autostart-scripts"), u) for u, h in homes]
        places += [(fs.join(h, ".config/plasma-workspace/env"), u) for u, h in homes]
        places += [("/etc/xdg/plasma-workspace/env", None)]
        for folder, user in places:
            for entry in _list(fs, folder, notes):
                if entry.is_dir or entry.name.startswith("."):
                    continue
                yield AutostartEntry(kind="kde-autostart", name=entry.name, location=folder, command=entry.path,
                                     executable=entry.path, user=user, enabled=True)

    def _xdg_dirs(self, fs, notes) -> list[str]:
        """XDG_CONFIG_DIRS as sessions set it: /etc/xdg, and the /etc/xdg/xdg-SESSION folders
        that Ubuntu, Xubuntu and others put before it (an offline disk has no environment)."""
        extra = [e.path for e in _list(fs, "/etc/xdg", Notes("")) if e.is_dir and e.name.startswith("xdg-")]
        return [fs.join(d, "autostart") for d in extra + ["/etc/xdg"]]

    def _xdg(self, fs, homes, notes):
        """The autostart spec: a file name in a more important folder (the person's own, then
        each XDG_CONFIG_DIRS folder in order) hides the same name in the others."""
        system = self._xdg_dirs(fs, notes)
        people = [(u, [fs.join(h, ".config/autostart")]) for u, h in homes] or [(None, [])]
        shown: set[str] = set()
        for user, own in people:
            seen: set[str] = set()
            for folder in own + system:
                personal = folder in own
                for entry in _list(fs, folder, notes):
                    if entry.is_dir or not entry.name.endswith(".desktop") or entry.name in seen:
                        continue
                    seen.add(entry.name)
                    if not personal and entry.path in shown:
                        continue                           # the same system entry, already listed
                    text = _read(fs, entry.path, notes, entry.path)
                    if text is None:
                        continue
                    d = parse_desktop(text)
                    command = desktop_command(d.get("Exec", ""))
                    shown_command = command
                    for key in ("OnlyShowIn", "NotShowIn"):
                        if d.get(key):
                            shown_command += f"  ({key}={d[key]})"
                    if not personal:
                        shown.add(entry.path)
                    yield AutostartEntry(kind="xdg-autostart", name=entry.name, location=entry.path,
                                         command=shown_command, executable=real_program(command) if command else None,
                                         user=user if personal else None, enabled=desktop_runs(d))

    def _user_units(self, fs, homes, notes):
        """User units as systemd --user reads them: a person's own (~/.config/systemd/user,
        ~/.local/share/systemd/user) and what they enabled; units the administrator enabled for
        everyone (/etc/systemd/user). The distribution's defaults are not listed."""
        for user, home in homes:
            own = [fs.join(home, d) for d in USER_OWN_DIRS]
            if not any(fs.is_dir(d) for d in own):
                continue
            mine = _Units(fs, own, notes, own[:1])
            units = _Units(fs, own[:1] + USER_UNIT_DIRS[:2] + own[1:] + USER_UNIT_DIRS[2:], notes, own[:1])
            names = {n for n in mine.paths if n.endswith(_KINDS) and n not in mine.aliases and "@." not in n}
            names |= {n for n in mine.enabled if n.endswith(_KINDS)}
            for name in sorted(names):
                command = units.command(name)
                yield AutostartEntry(kind="systemd-user", name=name,
                                     location=units.path_of(name) or fs.join(own[0], name), command=command,
                                     executable=real_program(command) if command else None, user=user,
                                     enabled=name in units.enabled and name not in units.masked)
        units = _Units(fs, USER_UNIT_DIRS, notes, USER_ENABLE_DIRS)
        for name in sorted(n for n in units.enabled if n.endswith(_KINDS)):
            command = units.command(name)
            yield AutostartEntry(kind="systemd-user", name=name, location=units.path_of(name) or "/etc/systemd/user",
                                 command=command, executable=real_program(command) if command else None,
                                 enabled=name not in units.masked)

    def _cron(self, fs, notes):
        tabs = [("/etc/crontab", True, None)]
        tabs += [(e.path, True, None) for e in _list(fs, "/etc/cron.d", notes) if not e.is_dir]
        for spool in ("/var/spool/cron/crontabs", "/var/spool/cron"):
            tabs += [(e.path, False, e.name) for e in _list(fs, spool, notes) if not e.is_dir]
        for path, with_user, owner in tabs:
            text = _read(fs, path, notes, path)
            if text is None:
                continue
            for schedule, user, command in parse_crontab(text, with_user):
                exe = _shell_program(command)
                yield AutostartEntry(kind="cron", name=os.path.basename(exe or command.split()[0]), location=path,
                                     command=f"{schedule} {command}", executable=exe, user=user or owner,
                                     enabled=True)
        for period in ("hourly", "daily", "weekly", "monthly"):
            folder = f"/etc/cron.{period}"
            for entry in _list(fs, folder, notes):
                if entry.is_dir or entry.name.startswith(".") or entry.name == "0anacron":
                    continue
                yield AutostartEntry(kind="cron-script", name=entry.name, location=folder, command=entry.path,
                                     executable=entry.path, enabled=True)


    def _shell(self, fs, homes, notes):
        files = [(fs.join(h, name), u) for u, h in homes for name in SHELL_FILES]
        files += [("/etc/profile", None), ("/etc/bash.bashrc", None), ("/etc/zsh/zshrc", None),
                  ("/etc/zsh/zprofile", None)]
        files += [(e.path, None) for e in _list(fs, "/etc/profile.d", notes) if e.name.endswith(".sh")]
        files += [(e.path, None) for e in _list(fs, "/etc/X11/Xsession.d", Notes("")) if not e.is_dir]
        for path, user in files:
            text = _read(fs, path, notes)
            if text is None:
                continue
            for line, command in background_commands(text):
                program = _shell_program(command)
                if not program:
                    continue
                yield AutostartEntry(kind="shell-startup", name=os.path.basename(program),
                                     location=f"{path}:{line}", command=command,
                                     executable=program, user=user, enabled=True)
            for lib in preload_libraries(text):
                yield AutostartEntry(kind="preload", name=os.path.basename(lib), location=path,
                                     command=f"LD_PRELOAD={lib}", executable=lib, user=user, enabled=True)

    def _rc_local_and_preload(self, fs, homes, notes):
        text = _read(fs, "/etc/rc.local", notes) or ""
        for n, line in enumerate(text.splitlines()[:5000], 1):
            line = line.strip()
            if not line or line.startswith("#") or line in ("exit 0", "exit") or line.startswith(("if ", "fi", "then")):
                continue
            program = _shell_program(line)
            if program:
                yield AutostartEntry(kind="rc-local", name=os.path.basename(program), location=f"/etc/rc.local:{n}",
                                     command=line, executable=program, enabled=True)
        text = _read(fs, "/etc/ld.so.preload", notes) or ""
        for item in re.split(r"[\s:]+", text):
            if item and not item.startswith("#"):
                yield AutostartEntry(kind="preload", name=os.path.basename(item), location="/etc/ld.so.preload",
                                     command=item, executable=item, enabled=True)
        environment = [("/etc/environment", None)] + [(fs.join(h, ".pam_environment"), u) for u, h in homes]
        for path, user in environment:
            text = _read(fs, path, notes) or ""
            for lib in preload_libraries(text):
                yield AutostartEntry(kind="preload", name=os.path.basename(lib), location=path,
                                     command=f"LD_PRELOAD={lib}", executable=lib, user=user, enabled=True)

    def _hooks(self, fs, notes):
        """Other places Linux runs programs by itself: udev rules' RUN+= (a device is plugged in),
        update-motd.d (someone logs in), systemd generators (every boot and reload),
        NetworkManager dispatcher scripts (a network comes or goes) and APT hooks (updates).
        /lib is /usr/lib on most systems now: a folder met twice is read once."""
        met: set[str] = set()

        def once(folder: str) -> bool:
            try:
                real = os.path.realpath(folder) if fs.live else fs.real(folder)
            except Unreadable:
                return False
            if real in met:
                return False
            met.add(real)
            return True

        for folder in ("/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d",
                       "/usr/lib/udev/rules.d", "/lib/udev/rules.d"):
            if not once(folder):
                continue
            for entry in _list(fs, folder, notes):
                if entry.is_dir or not entry.name.endswith(".rules"):
                    continue
                text = _read(fs, entry.path, notes) or ""
                for n, command in udev_runs(text):
                    program = real_program(command)
                    if program and not program.startswith("/"):
                        program = "/usr/lib/udev/" + program        # udev's own folder, as udev(7) says
                    yield AutostartEntry(kind="udev-rule", name=os.path.basename(program or entry.name),
                                         location=f"{entry.path}:{n}", command=command, executable=program,
                                         enabled=True)
        scripts = ["/etc/update-motd.d", "/etc/systemd/system-generators", "/run/systemd/system-generators",
                   "/usr/local/lib/systemd/system-generators", "/usr/lib/systemd/system-generators",
                   "/lib/systemd/system-generators", "/etc/systemd/user-generators",
                   "/usr/local/lib/systemd/user-generators", "/usr/lib/systemd/user-generators",
                   "/etc/NetworkManager/dispatcher.d", "/etc/NetworkManager/dispatcher.d/pre-up.d",
                   "/etc/NetworkManager/dispatcher.d/pre-down.d", "/etc/NetworkManager/dispatcher.d/no-wait.d",
                   "/usr/lib/NetworkManager/dispatcher.d"]
        kinds = {"update-motd.d": "motd", "generators": "systemd-generator", "dispatcher.d": "network-dispatcher"}
        for folder in scripts:
            kind = next(k for part, k in kinds.items() if part in folder)
            if not once(folder):
                continue
            for entry in _list(fs, folder, notes):
                if entry.is_dir or entry.name.startswith(".") or entry.name.endswith((".dpkg-old", ".dpkg-dist")):
                    continue
                yield AutostartEntry(kind=kind, name=entry.name, location=folder, command=entry.path,
                                     executable=entry.path, enabled=True)
        for entry in _list(fs, "/etc/apt/apt.conf.d", notes):
            if entry.is_dir:
                continue
            text = _read(fs, entry.path, notes) or ""
            for key, command in apt_hooks(text):
                program = real_program(command)
                yield AutostartEntry(kind="apt-hook", name=os.path.basename(program or key), location=entry.path,
                                     command=f"{key}: {command}", executable=program, enabled=True)


_UDEV_RUN = re.compile(r"""\bRUN(?:\{program\})?\s*\+?=\s*"([^"]*)\"""")


def udev_runs(text: str) -> list[tuple[int, str]]:
    """(line, command) for each program a udev rules file runs (RUN+=, RUN{program}+=);
    RUN{builtin} runs no program."""
    out = []
    for n, line in enumerate(text.splitlines()[:20_000], 1):
        if "RUN" not in line or line.lstrip().startswith("#"):
            continue
        out += [(n, m.group(1).strip()) for m in _UDEV_RUN.finditer(line) if m.group(1).strip()]
    return out


_APT_HOOK = re.compile(r"""((?:APT|DPkg|Dpkg|dpkg|apt)::[A-Za-z:-]*(?:Invoke(?:-Success)?|Pre-Install-Pkgs))\s*
                           (?:"((?:[^"\\]|\\.)*)"|\{([^}]*)\})""", re.X)


def apt_hooks(text: str) -> list[tuple[str, str]]:
    """(option, command) for each command an apt.conf file runs around updates and installs
    (APT::Update::Pre-Invoke, DPkg::Post-Invoke, DPkg::Pre-Install-Pkgs…), as apt.conf(5) writes them."""
    text = re.sub(r"(?m)^\s*(//|#).*$", "", text[:1024 * 1024])
    out = []
    for m in _APT_HOOK.finditer(text):
        if m.group(2) is not None:
            out.append((m.group(1), m.group(2)))
        else:
            out += [(m.group(1), c) for c in re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(3)) if c.strip()]
    return out


class LinuxServicesSource(Source):
    id = "services.linux"
    kind = "services"
    what = "background services"
    platforms = LINUX

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        units = _Units(fs, SYSTEM_UNIT_DIRS, notes, SYSTEM_ENABLE_DIRS)
        if not units.paths and not fs.is_dir("/etc/init.d"):
            raise Unreadable("absent", Words(N_("no systemd unit folders or /etc/init.d on this system")))
        for name in units.listed():
            unit = units.unit(name)
            instance = instance_of(name)
            command = _exec_of(unit, instance)
            description = (unit.get("Unit", {}).get("Description") or [None])[-1]
            user = (unit.get("Service", {}).get("User") or [None])[-1]
            description, user = (_specifiers(v, instance) if v else v for v in (description, user))
            yield Service(name=name, source=units.path_of(name) or "", display_name=description, command=command,
                          executable=real_program(command) if command else None, start=units.state(name),
                          user=user)
        for entry in _list(fs, "/etc/init.d", notes):
            if entry.is_dir or entry.name in ("README", "skeleton", "rc", "rcS", "functions") or entry.name.startswith("."):
                continue
            if f"{entry.name}.service" in units.paths:
                continue                                       # the same service, already listed
            yield Service(name=entry.name, source="init.d", command=entry.path, executable=entry.path)


class LinuxAppsSource(Source):
    id = "apps.linux"
    kind = "apps"
    what = "installed programs"
    platforms = LINUX

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        yield from self._dpkg(fs, notes)
        yield from self._rpm(fs, notes)
        yield from self._flatpak(fs, notes)
        yield from self._snap(fs, notes)
        yield from self._desktop_files(fs, notes)
        for entry in _list(fs, "/opt", notes):
            if entry.is_dir:
                yield InstalledApp(name=entry.name, source="opt", location=entry.path)

    def _dpkg(self, fs, notes):
        try:
            data = fs.read_bytes("/var/lib/dpkg/status", _DPKG_LIMIT)
        except Unreadable as exc:
            notes.unreadable(exc, "/var/lib/dpkg/status")
            return
        for pkg in parse_dpkg_status(data):
            yield InstalledApp(name=pkg["Package"], source="dpkg", version=pkg.get("Version"),
                               publisher=pkg.get("Maintainer"))

    def _rpm(self, fs, notes):
        path = "/var/lib/rpm/rpmdb.sqlite"
        if not fs.exists(path):
            if fs.exists("/var/lib/rpm/Packages"):
                notes.could_not_read("unsupported", Words(N_("the older rpm database format (/var/lib/rpm/Packages) is not read")), N_("programs installed with rpm"))
            return
        import sqlite3                              # only where an rpm database exists
        try:
            db = fs.sqlite(path)                    # the one reader: read-only, immutable, a regular file
            try:
                rows = db.execute("SELECT blob FROM Packages").fetchall()
            finally:
                db.close()
        except (Unreadable, sqlite3.Error) as exc:
            notes.could_not_read("error", f"{path}: {exc}", N_("programs installed with rpm"))
            return
        for (blob,) in rows[:100_000]:
            name = _rpm_name(blob)
            if name:
                yield InstalledApp(name=name, source="rpm")

    def _flatpak(self, fs, notes):
        folders = ["/var/lib/flatpak/app"] + [fs.join(h, ".local/share/flatpak/app") for _, h in readable_homes(fs, Notes(""))]
        for folder in folders:
            for entry in _list(fs, folder, notes):
                if entry.is_dir:
                    yield InstalledApp(name=entry.name, source="flatpak", bundle_id=entry.name, location=entry.path)

    def _snap(self, fs, notes):
        for entry in _list(fs, "/var/lib/snapd/snaps", notes):
            m = re.match(r"^(.+?)_(\d+)\.snap$", entry.name)
            if m:
                yield InstalledApp(name=m.group(1), source="snap", version=m.group(2), location=entry.path)

    def _desktop_files(self, fs, notes):
        folders = ["/usr/share/applications", "/usr/local/share/applications",
                   "/var/lib/snapd/desktop/applications", "/var/lib/flatpak/exports/share/applications"]
        folders += [fs.join(h, ".local/share/applications") for _, h in readable_homes(fs, Notes(""))]
        for folder in folders:
            for entry in _list(fs, folder, notes):
                if entry.is_dir or not entry.name.endswith(".desktop"):
                    continue
                text = _read(fs, entry.path, notes, entry.path)
                if text is None:
                    continue
                d = parse_desktop(text)
                if d.get("Type", "Application") != "Application" or not d.get("Name"):
                    continue
                user = None
                if not folder.startswith(("/usr", "/var")):
                    user = fs.parts(folder)[1] if len(fs.parts(folder)) > 1 else None
                yield InstalledApp(name=d["Name"], source="desktop-file", location=entry.path, user=user)


def _rpm_name(blob) -> str | None:
    """The package name from an rpm header blob (the RPMTAG_NAME string, tag 1000)."""
    if not isinstance(blob, (bytes, bytearray)) or len(blob) < 8:
        return None
    try:
        count, size = int.from_bytes(blob[0:4], "big"), int.from_bytes(blob[4:8], "big")
        if count > 10_000 or 8 + count * 16 + size > len(blob):
            return None
        data = 8 + count * 16
        for i in range(count):
            tag = int.from_bytes(blob[8 + i * 16:12 + i * 16], "big")
            if tag == 1000:
                offset = int.from_bytes(blob[16 + i * 16:20 + i * 16], "big")
                end = blob.index(b"\0", data + offset)
                return blob[data + offset:end].decode("utf-8", "replace") or None
    except (ValueError, IndexError):
        return None
    return None


SOURCES = [LinuxAutostartSource(), LinuxServicesSource(), LinuxAppsSource()]

