"""Windows: what starts by itself, services, scheduled tasks, installed programs, known keys.

Everything comes from the registry (live through winreg, offline from the hive files) and from
files (Startup folders, ``C:\\Windows\\System32\\Tasks``), following
research/persistence-locations.md. Nothing here writes, and every parser is bounded and
tolerant: a damaged shortcut or task file becomes a note, never a stopped scan.
"""
from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET

from ..records import AutostartEntry, InstalledApp, RegistryItem, ScheduledTask, Service
from .base import Machine, Notes, Source
from .commands import expand_windows, program_of
from .fs import Unreadable

WINDOWS = frozenset({"windows"})
_SMALL = 1024 * 1024              # shortcuts and task files are a few KB

# Run-style keys: (key under HKLM or HKCU, kind). Each value is one entry.
RUN_KEYS = [
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", "run-key"),
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce", "run-once-key"),
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run", "policy-run-key"),
    ("SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", "run-key"),
    ("SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce", "run-once-key"),
]
WINLOGON = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
WINLOGON_DEFAULTS = {"shell": {"explorer.exe"},
                     "userinit": {"c:\\windows\\system32\\userinit.exe,", "c:\\windows\\system32\\userinit.exe"}}
IFEO = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options"
APPINIT = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Windows"
STARTUP_ALL = "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Startup"
STARTUP_USER = "AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup"
UNINSTALL = ["HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
             "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"]
USER_UNINSTALL = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall"
SERVICES = "HKLM\\SYSTEM\\CurrentControlSet\\Services"
TASKS = "C:\\Windows\\System32\\Tasks"
START_TYPES = {0: "boot", 1: "system", 2: "automatic", 3: "manual", 4: "disabled"}


def _registry(machine: Machine):
    reg = machine.registry
    if reg is None:
        raise Unreadable("unsupported", "the Windows registry can't be read here")
    return reg


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, bytes):
        return ""
    return str(value).strip()


def _require_a_hive(reg, what: str) -> None:
    """Raise when no hive can be read at all, so the engine says "could not check"."""
    if reg.key("HKLM\\SOFTWARE") is None and reg.key("HKLM\\SYSTEM") is None and not reg.users():
        reasons = {r for r, _ in getattr(reg, "problems", [])} or {"absent"}
        reason = "permission" if "permission" in reasons else ("error" if "error" in reasons else "absent")
        raise Unreadable(reason, f"no part of the Windows registry could be read for {what}")


# -- shortcuts (.lnk, MS-SHLLINK) ------------------------------------------------------------
_LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")


def parse_lnk(data: bytes) -> tuple[str, str]:
    """(target path, arguments) of a Windows shortcut. Raises ValueError if it isn't one.

    Reads the header, skips the ID list, takes LinkInfo's local base path (ANSI or Unicode)
    and the string data (relative path, working folder, arguments). Every length is checked
    against the data, so a damaged or hostile file ends in ValueError.
    """
    if len(data) < 76 or struct.unpack_from("<I", data, 0)[0] != 0x4C or data[4:20] != _LNK_CLSID:
        raise ValueError("not a Windows shortcut")
    flags = struct.unpack_from("<I", data, 20)[0]
    unicode = bool(flags & 0x80)
    pos = 76
    if flags & 0x01:                                   # HasLinkTargetIDList
        if pos + 2 > len(data):
            raise ValueError("shortcut ends inside its ID list")
        pos += 2 + struct.unpack_from("<H", data, pos)[0]
    target = ""
    if flags & 0x02:                                   # HasLinkInfo
        if pos + 28 > len(data):
            raise ValueError("shortcut ends inside its link info")
        size, header = struct.unpack_from("<II", data, pos)
        if size < 28 or pos + size > len(data):
            raise ValueError("shortcut link info has a bad size")
        info_flags = struct.unpack_from("<I", data, pos + 8)[0]
        base_off = struct.unpack_from("<I", data, pos + 16)[0]
        suffix_off = struct.unpack_from("<I", data, pos + 24)[0]
        if info_flags & 0x01:
            if header >= 0x24 and pos + 32 <= len(data):
                uoff = struct.unpack_from("<I", data, pos + 28)[0]
                if 0 < uoff < size:
                    target = _utf16z(data, pos + uoff, pos + size)
            if not target and 0 < base_off < size:
                target = _ansiz(data, pos + base_off, pos + size)
            if target and 0 < suffix_off < size:
                target += _ansiz(data, pos + suffix_off, pos + size)
        pos += size
    strings = []
    for bit in (0x04, 0x08, 0x10, 0x20, 0x40):        # name, relative path, working dir, args, icon
        if flags & bit:
            if pos + 2 > len(data):
                raise ValueError("shortcut ends inside its strings")
            count = struct.unpack_from("<H", data, pos)[0]
            width = 2 if unicode else 1
            end = pos + 2 + count * width
            if end > len(data):
                raise ValueError("shortcut string runs past the end")
            raw = data[pos + 2:end]
            strings.append((bit, raw.decode("utf-16-le" if unicode else "cp1252", errors="replace")))
            pos = end
    found = dict(strings)
    if not target:
        target = found.get(0x08, "")
    return target, found.get(0x20, "")


def _utf16z(data: bytes, start: int, limit: int) -> str:
    end = start
    while end + 1 < limit and data[end:end + 2] != b"\0\0":
        end += 2
    return data[start:end].decode("utf-16-le", errors="replace")


def _ansiz(data: bytes, start: int, limit: int) -> str:
    end = data.find(b"\0", start, limit)
    return data[start:end if end >= 0 else limit].decode("cp1252", errors="replace")


# -- scheduled tasks (Task Scheduler XML) ---------------------------------------------------
_NS = re.compile(r"^\{[^}]*\}")
TRIGGER_WORDS = {"LogonTrigger": "when someone logs in", "BootTrigger": "when the computer starts",
                 "CalendarTrigger": "on a schedule", "TimeTrigger": "at a set time",
                 "IdleTrigger": "when the computer is idle", "EventTrigger": "when something happens",
                 "RegistrationTrigger": "when the task is created",
                 "SessionStateChangeTrigger": "when someone connects, locks or unlocks"}


def parse_task(data: bytes) -> dict:
    """The parts of a task file a check needs. Raises ValueError for anything malformed.

    Documents with a DTD or entities are refused (no entity expansion, no external look-up).
    """
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        text = data.decode("utf-16", errors="replace")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    else:
        text = data.decode("utf-8", errors="replace")
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise ValueError("a task file with a DTD is not read")
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff").lstrip())
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"not readable XML ({exc})") from None

    def local(el):
        return _NS.sub("", el.tag)

    def find(parent, *names):
        node = parent
        for name in names:
            node = next((c for c in node if local(c) == name), None) if node is not None else None
        return node

    if local(root) != "Task":
        raise ValueError("not a scheduled task")
    commands = []
    actions = find(root, "Actions")
    for action in (actions if actions is not None else []):
        if local(action) == "Exec":
            cmd = (find(action, "Command").text or "").strip() if find(action, "Command") is not None else ""
            args = (find(action, "Arguments").text or "").strip() if find(action, "Arguments") is not None else ""
            if cmd:
                commands.append((cmd, args))
        elif local(action) == "ComHandler":
            clsid = find(action, "ClassId")
            commands.append((f"COM {clsid.text.strip()}" if clsid is not None and clsid.text else "COM handler", ""))
    triggers = find(root, "Triggers")
    words = []
    for trig in (triggers if triggers is not None else []):
        word = TRIGGER_WORDS.get(local(trig))
        if word and word not in words:
            words.append(word)
    enabled_el = find(root, "Settings", "Enabled")
    enabled = None if enabled_el is None else (enabled_el.text or "").strip().lower() != "false"
    user_el = find(root, "Principals", "Principal", "UserId")
    return {"commands": commands, "triggers": ", ".join(words), "enabled": enabled,
            "user": (user_el.text or "").strip() if user_el is not None else None}


# -- sources ----------------------------------------------------------------------------------
class WindowsAutostartSource(Source):
    id = "autostart.windows"
    kind = "autostart"
    what = "programs that start by themselves when the computer starts or someone logs in"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        reg = machine.registry
        if reg is not None:
            yield from self._registry_entries(machine, reg)
        else:
            notes.could_not_read("unsupported", "the registry can't be read here", "start-up entries in the registry")
        yield from self._startup_folders(machine, notes)

    def _registry_entries(self, machine, reg):
        places = [("HKLM", None)] + [("HKCU", user) for user in reg.users()]
        for root, user in places:
            for sub, kind in RUN_KEYS:
                key = reg.key(f"{root}\\{sub}", user=user)
                if key is None:
                    continue
                for name, value in key.values():
                    command = _text(value)
                    if not command:
                        continue
                    yield AutostartEntry(kind=kind, name=name or "(default)", location=f"{root}\\{sub}",
                                         command=command, executable=program_of(command, "windows", user),
                                         user=user, enabled=True)
        winlogon = reg.key(WINLOGON)
        if winlogon is not None:
            for name in ("Shell", "Userinit"):
                value = _text(winlogon.value(name))
                if value and value.casefold() not in WINLOGON_DEFAULTS[name.casefold()]:
                    yield AutostartEntry(kind="winlogon", name=name, location=WINLOGON, command=value,
                                         executable=program_of(value.split(",")[0], "windows"), enabled=True)
        ifeo = reg.key(IFEO)
        if ifeo is not None:
            for program in ifeo.subkeys():
                sub = ifeo.subkey(program)
                debugger = _text(sub.value("Debugger")) if sub is not None else ""
                if debugger:
                    yield AutostartEntry(kind="image-hijack", name=program, location=f"{IFEO}\\{program}",
                                         command=debugger, executable=program_of(debugger, "windows"), enabled=True)
        appinit = reg.key(APPINIT)
        if appinit is not None:
            dlls = _text(appinit.value("AppInit_DLLs"))
            if dlls:
                yield AutostartEntry(kind="appinit-dll", name="AppInit_DLLs", location=APPINIT, command=dlls,
                                     executable=program_of(dlls.split(",")[0], "windows"),
                                     enabled=appinit.value("LoadAppInit_DLLs") == 1)

    def _startup_folders(self, machine, notes):
        fs = machine.fs
        folders = [(STARTUP_ALL, None)] + [(fs.join(home, STARTUP_USER), name) for name, home in fs.user_homes()]
        for folder, user in folders:
            try:
                entries = fs.list(folder)
            except Unreadable as exc:
                if exc.reason != "absent":
                    notes.unreadable(exc, folder)
                continue
            for entry in entries:
                if entry.is_dir or entry.name.lower() == "desktop.ini":
                    continue
                command = entry.path
                if entry.name.lower().endswith(".lnk"):
                    try:
                        target, args = parse_lnk(fs.read_bytes(entry.path, _SMALL))
                        if target:
                            command = f'"{target}" {args}'.strip() if " " in target else f"{target} {args}".strip()
                    except Unreadable as exc:
                        notes.unreadable(exc, entry.path)
                    except ValueError as exc:
                        notes.could_not_read("error", f"{entry.path}: {exc}", "a start-up shortcut")
                yield AutostartEntry(kind="startup-folder", name=entry.name, location=folder, command=command,
                                     executable=program_of(command, "windows", user), user=user, enabled=True)


class WindowsServicesSource(Source):
    id = "services.windows"
    kind = "services"
    what = "background services"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        reg = _registry(machine)
        services = reg.key(SERVICES)
        if services is None:
            _require_a_hive(reg, self.what)
            raise Unreadable("absent", "the list of services is not in the registry")
        for name in services.subkeys():
            key = services.subkey(name)
            if key is None:
                continue
            kind = key.value("Type")
            if not isinstance(kind, int) or not kind & 0x30:      # Win32 services only, not drivers
                continue
            image = _text(key.value("ImagePath"))
            command = expand_windows(image) if image else ""
            start = key.value("Start")
            display = _text(key.value("DisplayName")) or None
            if display and display.startswith("@"):
                display = None                                    # a resource reference, not a name
            yield Service(name=name, source="registry", display_name=display, command=command,
                          executable=program_of(command, "windows") if command else None,
                          start=START_TYPES.get(start) if isinstance(start, int) else None,
                          user=_text(key.value("ObjectName")) or None)


class WindowsTasksSource(Source):
    id = "tasks.windows"
    kind = "tasks"
    what = "scheduled tasks"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        try:
            fs.list(TASKS)
        except Unreadable as exc:
            raise Unreadable(exc.reason, f"the scheduled tasks folder could not be read: {exc.detail}") from None
        stack, seen = [TASKS], 0
        while stack:
            folder = stack.pop()
            try:
                entries = fs.list(folder)
            except Unreadable as exc:
                notes.unreadable(exc, folder)
                continue
            for entry in entries:
                if entry.is_dir:
                    stack.append(entry.path)
                    continue
                seen += 1
                if seen > 20_000:
                    notes.could_not_read("error", f"more than 20,000 task files under {TASKS}", "scheduled tasks")
                    return
                name = entry.path[len(TASKS):] or "\\" + entry.name
                try:
                    task = parse_task(fs.read_bytes(entry.path, _SMALL))
                except Unreadable as exc:
                    notes.unreadable(exc, entry.path)
                    continue
                except ValueError as exc:
                    notes.could_not_read("error", f"{entry.path}: {exc}", "a scheduled task")
                    continue
                commands = task["commands"] or [("", "")]
                for cmd, args in commands:
                    command = f"{cmd} {args}".strip()
                    exe = program_of(f'"{cmd}"' if " " in cmd and not cmd.startswith('"') else cmd, "windows") if cmd and not cmd.startswith("COM ") else None
                    yield ScheduledTask(name=name, source=entry.path, command=command, executable=exe,
                                        triggers=task["triggers"], enabled=task["enabled"], user=task["user"])


class WindowsAppsSource(Source):
    id = "apps.windows"
    kind = "apps"
    what = "installed programs"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        reg = _registry(machine)
        places = [(path, None) for path in UNINSTALL] + [(USER_UNINSTALL, u) for u in reg.users()]
        found_any = False
        seen = set()
        for path, user in places:
            key = reg.key(path, user=user)
            if key is None:
                continue
            found_any = True
            for sub_name in key.subkeys():
                sub = key.subkey(sub_name)
                if sub is None:
                    continue
                name = _text(sub.value("DisplayName"))
                if not name:
                    continue                                   # updates and components without a name
                if sub.value("SystemComponent") == 1 and sub.value("ParentKeyName"):
                    continue
                ident = (name.casefold(), _text(sub.value("DisplayVersion")), user)
                if ident in seen:
                    continue
                seen.add(ident)
                yield InstalledApp(name=name, source="uninstall-key", version=_text(sub.value("DisplayVersion")) or None,
                                   publisher=_text(sub.value("Publisher")) or None,
                                   location=_text(sub.value("InstallLocation")) or None, user=user,
                                   installed=_text(sub.value("InstallDate")) or None)
        if not found_any:
            _require_a_hive(reg, self.what)


class RegistryProbeSource(Source):
    id = "registry"
    kind = "registry"
    what = "places in the Windows registry that monitoring software is known to use"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        reg = _registry(machine)
        users = reg.users()
        for pattern in machine.locations.registry_keys:
            for key, user in _expand(reg, pattern, users):
                yield RegistryItem(key=key.path, pattern=pattern, user=user, modified=key.modified)
        for pattern, value_name in machine.locations.registry_values:
            for key, user in _expand(reg, pattern, users):
                value = key.value(value_name)
                if value is not None:
                    yield RegistryItem(key=key.path, pattern=pattern, user=user, value_name=value_name,
                                       value=_text(value)[:500] or None, modified=key.modified)


def _expand(reg, pattern: str, users: list[str], limit: int = 1000):
    """Keys that exist for a pattern (``*``/``?`` within one part); HKCU for every user."""
    parts = [p for p in pattern.split("\\") if p]
    if len(parts) < 2:
        return
    root = parts[0].upper()
    owners = users if root in ("HKCU", "HKEY_CURRENT_USER") else [None]
    for user in owners:
        fixed = [parts[0]]
        rest = parts[1:]
        while rest and not any(c in rest[0] for c in "*?["):
            fixed.append(rest.pop(0))
        start = reg.key("\\".join(fixed), user=user)
        if start is None:
            continue
        frontier = [start]
        for part in rest:
            rx = re.compile(re.escape(part).replace(r"\*", ".*").replace(r"\?", "."), re.I)
            nxt = []
            for key in frontier:
                for name in key.subkeys():
                    if rx.fullmatch(name):
                        sub = key.subkey(name)
                        if sub is not None:
                            nxt.append(sub)
                            if len(nxt) >= limit:
                                break
            frontier = nxt
        for key in frontier:
            yield key, user


SOURCES = [WindowsAutostartSource(), WindowsServicesSource(), WindowsTasksSource(), WindowsAppsSource(),
           RegistryProbeSource()]
