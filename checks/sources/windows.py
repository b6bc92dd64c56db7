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

from ..i18n import N_
from ..snapshot import Words
from ..records import AutostartEntry, InstalledApp, RegistryItem, ScheduledTask, Service
from .base import Machine, Notes, Source
from .commands import expand_windows, program_of
from .fs import Unreadable, decode_text

WINDOWS = frozenset({"windows"})
_SMALL = 1024 * 1024              # shortcuts and task files are a few KB

# Run-style keys: (key under HKLM or HKCU, kind). Each value is one entry.
# The third part names the StartupApproved list where Task Manager keeps it switched on or off.
RUN_KEYS = [
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", "run-key", "Run"),
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnce", "run-once-key", None),
    ("SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run", "policy-run-key", None),
    ("SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", "run-key", "Run32"),
    ("SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce", "run-once-key", None),
]
RUN_ONCE_EX = ["SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\RunOnceEx",
               "SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnceEx"]
APPROVED = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved"
ACTIVE_SETUP = ["HKLM\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components",
                "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Active Setup\\Installed Components"]
USER_WINDOWS = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows"          # Load, Run
USER_WINLOGON = "Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"        # Shell
COMMAND_PROCESSOR = "SOFTWARE\\Microsoft\\Command Processor"                          # AutoRun
SILENT_EXIT = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\SilentProcessExit"
SESSION_MANAGER = "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager"
BOOT_EXECUTE_DEFAULT = {"autocheck autochk *", "autocheck autochk /q /v *"}
MAX_ENTRIES = 5_000               # values or sub-keys read from one autostart key
WINLOGON = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"
WINLOGON_DEFAULTS = {"shell": {"explorer.exe"},
                     "userinit": {"c:\\windows\\system32\\userinit.exe,", "c:\\windows\\system32\\userinit.exe"}}
IFEO = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options"
IFEO_32 = "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows NT\\CurrentVersion\\Image File Execution Options"
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
        raise Unreadable("unsupported", Words(N_("the Windows registry can't be read here")))
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
        raise Unreadable(reason, Words.of(N_("no part of the Windows registry could be read for {what}"),
                                          what=Words(what)))


# -- shortcuts (.lnk, MS-SHLLINK) ------------------------------------------------------------
_LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")
_ENV_BLOCK = 0xA0000001


def parse_lnk(data: bytes) -> tuple[str, str]:
    """(target path, arguments) of a Windows shortcut. Raises ValueError if it isn't one.

    Reads the header, skips the ID list, and takes the target from LinkInfo's local base path
    (Unicode or ANSI, plus the common suffix), else from the environment-variable block
    (``%ProgramFiles%\\…``), else from the target ID list (the shell items Explorer writes:
    computer, drive, then one item per folder with its long name), else the relative path in
    the string data (relative to the shortcut's own folder: the caller resolves it). Every
    length is checked against the data, so a damaged or hostile file ends in ValueError.
    """
    if len(data) < 76 or struct.unpack_from("<I", data, 0)[0] != 0x4C or data[4:20] != _LNK_CLSID:
        raise ValueError("not a Windows shortcut")
    flags = struct.unpack_from("<I", data, 20)[0]
    unicode = bool(flags & 0x80)
    pos = 76
    id_list_path = ""
    if flags & 0x01:                                   # HasLinkTargetIDList
        if pos + 2 > len(data):
            raise ValueError("shortcut ends inside its ID list")
        end = pos + 2 + struct.unpack_from("<H", data, pos)[0]
        if end > len(data):
            raise ValueError("shortcut ID list runs past the end")
        id_list_path = _id_list_path(data, pos + 2, end)
        pos = end
    target = ""
    if flags & 0x02 and not flags & 0x100:             # HasLinkInfo, not ForceNoLinkInfo
        if pos + 28 > len(data):
            raise ValueError("shortcut ends inside its link info")
        size, header = struct.unpack_from("<II", data, pos)
        if size < 28 or pos + size > len(data):
            raise ValueError("shortcut link info has a bad size")
        info_flags = struct.unpack_from("<I", data, pos + 8)[0]
        base_off = struct.unpack_from("<I", data, pos + 16)[0]
        suffix_off = struct.unpack_from("<I", data, pos + 24)[0]
        if info_flags & 0x01:                          # VolumeIDAndLocalBasePath
            suffix = ""
            if header >= 0x24 and size >= 36:
                ubase, usuffix = struct.unpack_from("<II", data, pos + 28)
                if 0 < ubase < size:
                    target = _utf16z(data, pos + ubase, pos + size)
                if target and 0 < usuffix < size:
                    suffix = _utf16z(data, pos + usuffix, pos + size)
            if not target and 0 < base_off < size:
                target = _ansiz(data, pos + base_off, pos + size)
                if 0 < suffix_off < size:
                    suffix = _ansiz(data, pos + suffix_off, pos + size)
            if target and suffix:
                target = target.rstrip("\\") + "\\" + suffix
        pos += size
    strings = {}
    for bit in (0x04, 0x08, 0x10, 0x20, 0x40):        # name, relative path, working dir, args, icon
        if flags & bit:
            if pos + 2 > len(data):
                raise ValueError("shortcut ends inside its strings")
            count = struct.unpack_from("<H", data, pos)[0]
            end = pos + 2 + count * (2 if unicode else 1)
            if end > len(data):
                raise ValueError("shortcut string runs past the end")
            strings[bit] = data[pos + 2:end].decode("utf-16-le" if unicode else "cp1252", errors="replace")
            pos = end
    if not target and flags & 0x200:                   # HasExpString: the environment-variable block
        target = _env_target(data, pos)
    if not target:
        target = id_list_path                          # the shell's own list of folders
    if not target:
        target = strings.get(0x08, "")
    return target.strip("\0 "), strings.get(0x20, "").strip("\0")


# Shell items (Joachim Metz, "Windows Shell Item format", libfwsi documentation):
_MY_COMPUTER = bytes.fromhex("e04fd020ea3a6910a2d808002b30309d")       # {20D04FE0-3AEA-1069-A2D8-08002B30309D}
_USERS_FILES = bytes.fromhex("471a0359723fa74489c55595fe6b30ee")       # {59031A47-3F72-44A7-89C5-5595FE6B30EE}
_FILE_ENTRY_EXTENSION = 0xBEEF0004


def _id_list_path(data: bytes, pos: int, end: int) -> str:
    """The file-system path an ID list names, or "" when it names something else (a control
    panel, a library, a network place) or an item can't be read. Never raises."""
    parts: list[str] = []
    for _ in range(64):                                # a path of 64 folders is already absurd
        if pos + 2 > end:
            return ""
        size = struct.unpack_from("<H", data, pos)[0]
        if size == 0:
            break                                      # the terminal item
        if size < 3 or pos + size > end:
            return ""
        item = data[pos:pos + size]
        kind = item[2]
        if kind == 0x1F and size >= 20:                # a root folder, by its class id
            guid = item[4:20]
            if guid == _USERS_FILES:
                parts = ["%USERPROFILE%"]
            elif guid != _MY_COMPUTER:
                return ""
        elif 0x20 <= kind <= 0x2F:                     # a volume: "C:\\"
            name = item[3:].split(b"\0", 1)[0].decode("ascii", errors="replace")
            if not re.fullmatch(r"[A-Za-z]:\\?", name):
                return ""
            parts = [name.rstrip("\\")]
        elif 0x30 <= kind <= 0x3F:                     # a file or folder entry
            name = _file_entry_name(item, kind)
            if not name or not parts:
                return ""
            parts.append(name)
        else:
            return ""
        pos += size
    return "\\".join(parts) if len(parts) > 1 else ""


def _file_entry_name(item: bytes, kind: int) -> str:
    """The long name of a file entry shell item (from its 0xBEEF0004 extension), else its
    primary (often 8.3) name."""
    unicode = bool(kind & 0x04)
    start = 14
    if unicode:
        primary = _utf16z(item, start, len(item))
        after = start + (len(primary) + 1) * 2
    else:
        primary = _ansiz(item, start, len(item))
        after = start + len(primary.encode("cp1252", errors="replace")) + 1
        after += after % 2                             # padded to an even offset
    pos = after
    while pos + 8 <= len(item):                        # extension blocks follow the primary name
        ext_size, version, signature = struct.unpack_from("<HHI", item, pos)
        if ext_size < 8 or pos + ext_size > len(item):
            break
        if signature == _FILE_ENTRY_EXTENSION and version >= 3:
            offset = 18 + (18 if version >= 7 else 0) + 2 + (4 if version >= 8 else 0) + (4 if version >= 9 else 0)
            if offset < ext_size:
                long_name = _utf16z(item, pos + offset, pos + ext_size)
                if long_name and "\0" not in long_name:
                    return long_name
        pos += ext_size
    return primary


def _env_target(data: bytes, pos: int) -> str:
    """The target in an EnvironmentVariableDataBlock among the extra data, or ""."""
    for _ in range(64):                                # a real shortcut has a handful of blocks
        if pos + 8 > len(data):
            return ""
        size, signature = struct.unpack_from("<II", data, pos)
        if size < 8 or pos + size > len(data):
            return ""
        if signature == _ENV_BLOCK and size >= 0x314:
            wide = _utf16z(data, pos + 268, pos + 268 + 520)
            return wide or _ansiz(data, pos + 8, pos + 8 + 260)
        pos += size
    return ""


def _utf16z(data: bytes, start: int, limit: int) -> str:
    limit = min(limit, len(data))
    end = start
    while end + 1 < limit and data[end:end + 2] != b"\0\0":
        end += 2
    return data[start:end].decode("utf-16-le", errors="replace")


def _ansiz(data: bytes, start: int, limit: int) -> str:
    limit = min(limit, len(data))
    end = data.find(b"\0", start, limit)
    return data[start:end if end >= 0 else limit].decode("cp1252", errors="replace")


def resolve_relative(target: str, folder: str) -> str:
    """A shortcut's relative target made absolute from the folder the shortcut is in."""
    if not target or re.match(r"^([A-Za-z]:|\\\\|%)", target):
        return target
    parts = [p for p in re.split(r"[\\/]+", folder) if p]
    drive = parts.pop(0) if parts and re.match(r"^[A-Za-z]:$", parts[0]) else "C:"
    for part in re.split(r"[\\/]+", target):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
        else:
            parts.append(part)
    return "\\".join([drive] + parts)


# -- scheduled tasks (Task Scheduler XML) ---------------------------------------------------
_NS = re.compile(r"^\{[^}]*\}")
TRIGGER_WORDS = {"LogonTrigger": "when someone logs in", "BootTrigger": "when the computer starts",
                 "CalendarTrigger": "on a schedule", "TimeTrigger": "once, at a set time",
                 "IdleTrigger": "when the computer is idle", "EventTrigger": "when something happens",
                 "RegistrationTrigger": "when the task is created",
                 "SessionStateChangeTrigger": "when someone connects, locks or unlocks",
                 "WnfStateChangeTrigger": "when Windows' state changes"}
SCHEDULE_WORDS = {"ScheduleByDay": "every day", "ScheduleByWeek": "every week",
                  "ScheduleByMonth": "every month", "ScheduleByMonthDayOfWeek": "every month"}
_MAX_TASK_XML = 1024 * 1024


def parse_task(data: bytes) -> dict:
    """The parts of a task file a check needs. Raises ValueError for anything malformed.

    Documents with a DTD or entities are refused (no entity expansion, no external look-up).
    Returns commands [(command, arguments)], triggers (plain words), enabled, user, hidden.
    """
    if len(data) > _MAX_TASK_XML:
        raise ValueError("a task file larger than 1 MB is not read")
    text = decode_text(data)                  # the reader's one encoding policy (BOM, UTF-16 without it)
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise ValueError("a task file with a DTD is not read")
    text = re.sub(r"^<\?xml[^>]*\?>", "", text.lstrip("\ufeff").lstrip())
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"not readable XML ({exc})") from None
    except RecursionError:
        raise ValueError("XML nested too deeply") from None

    def local(el):
        return _NS.sub("", el.tag) if isinstance(el.tag, str) else ""

    def find(parent, *names):
        node = parent
        for name in names:
            node = next((c for c in node if local(c) == name), None) if node is not None else None
        return node

    def text_of(parent, *names) -> str:
        node = find(parent, *names)
        return (node.text or "").strip() if node is not None else ""

    if local(root) != "Task":
        raise ValueError("not a scheduled task")
    commands = []
    actions = find(root, "Actions")
    for action in list(actions if actions is not None else [])[:32]:
        if local(action) == "Exec":
            cmd, args = text_of(action, "Command"), text_of(action, "Arguments")
            if cmd:
                commands.append((cmd, args))
        elif local(action) == "ComHandler":
            clsid = text_of(action, "ClassId")
            commands.append((f"COM {clsid}" if clsid else "COM handler", ""))
    triggers = find(root, "Triggers")
    words: list[str] = []
    for trig in list(triggers if triggers is not None else [])[:64]:
        if text_of(trig, "Enabled").lower() == "false":
            continue
        kind = local(trig)
        word = TRIGGER_WORDS.get(kind)
        if kind == "CalendarTrigger":
            word = next((SCHEDULE_WORDS[local(c)] for c in trig if local(c) in SCHEDULE_WORDS), word)
        if word and find(trig, "Repetition", "Interval") is not None and kind in ("TimeTrigger", "CalendarTrigger"):
            word = "repeatedly" if kind == "TimeTrigger" else f"{word}, repeatedly"
        if word and word not in words:
            words.append(word)
    enabled_text = text_of(root, "Settings", "Enabled").lower()
    hidden_text = text_of(root, "Settings", "Hidden").lower()
    principal = find(root, "Principals", "Principal")
    user = text_of(principal, "UserId") or text_of(principal, "GroupId") if principal is not None else ""
    return {"commands": commands, "triggers": ", ".join(words),
            "enabled": None if not enabled_text else enabled_text != "false",
            "hidden": hidden_text == "true", "user": user or None}


# Accounts Windows itself runs tasks and services as.
WELL_KNOWN_SIDS = {"s-1-5-18": "SYSTEM", "s-1-5-19": "LOCAL SERVICE", "s-1-5-20": "NETWORK SERVICE",
                   "s-1-5-32-544": "Administrators", "s-1-5-32-545": "Users", "s-1-5-4": "INTERACTIVE",
                   "s-1-1-0": "Everyone"}
PROFILE_LIST = "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"


def account_names(machine: Machine) -> dict[str, str]:
    """{SID (lower case): name} for the built-in accounts and each profile on the machine."""
    names = dict(WELL_KNOWN_SIDS)
    reg = machine.registry
    profiles = reg.key(PROFILE_LIST) if reg is not None else None
    if profiles is not None:
        for sid in profiles.subkeys()[:MAX_ENTRIES]:
            sub = profiles.subkey(sid)
            path = _text(sub.value("ProfileImagePath")) if sub is not None else ""
            if sid.lower().startswith("s-1-5-21-") and path:
                names[sid.lower()] = re.split(r"[\\/]", path.rstrip("\\/"))[-1]
    return names


def _startup_approved(reg, root: str, user: str | None) -> dict[str, dict[str, bool]]:
    """{list name: {entry name (casefolded): switched on?}} from Task Manager's StartupApproved."""
    out: dict[str, dict[str, bool]] = {}
    for which in ("Run", "Run32", "StartupFolder"):
        key = reg.key(f"{root}\\{APPROVED}\\{which}", user=user)
        if key is None:
            continue
        states = {}
        for name, value in key.values()[:MAX_ENTRIES]:
            if isinstance(value, (bytes, bytearray)) and value:
                states[name.casefold()] = not value[0] & 1      # 02/06 on, 03/07 switched off
        out[which] = states
    return out


# -- sources ----------------------------------------------------------------------------------

def _read_task(fs, path: str, parse, notes):
    """One task file parsed (``parse_task`` or ``parse_job``), or None with a note."""
    try:
        return parse(fs.read_bytes(path, _SMALL + 1))
    except Unreadable as exc:
        notes.unreadable(exc, path)
    except ValueError as exc:
        notes.could_not_read("error", f"{path}: {exc}", "a scheduled task")
    return None

class WindowsAutostartSource(Source):
    id = "autostart.windows"
    kind = "autostart"
    what = "programs that start by themselves when the computer starts or someone logs in"
    platforms = WINDOWS

    def collect(self, machine: Machine, notes: Notes):
        reg = machine.registry
        approved: dict = {}
        if reg is not None:
            places = [("HKLM", None)] + [("HKCU", user) for user in reg.users()]
            approved = {user: _startup_approved(reg, root, user) for root, user in places}
            yield from self._run_keys(reg, places, approved)
            yield from self._hijacks(reg, places)
            if reg.key("HKLM\\SOFTWARE") is None and not reg.users():
                notes.could_not_read("absent", Words(N_("no part of the Windows registry could be read")),
                                     N_("programs that start by themselves from the registry"))
        else:
            notes.could_not_read("unsupported", Words(N_("the registry can't be read here")), N_("start-up entries in the registry"))
        yield from self._startup_folders(machine, notes, approved)

    def _run_keys(self, reg, places, approved):
        for root, user in places:
            for sub, kind, approval in RUN_KEYS:
                key = reg.key(f"{root}\\{sub if root == 'HKLM' else 'Software' + sub[8:]}", user=user)
                if key is None:
                    continue
                states = approved.get(user, {}).get(approval, {}) if approval else {}
                for name, value in key.values()[:MAX_ENTRIES]:
                    command = _text(value)
                    if not command:
                        continue
                    yield self._entry(kind, name or "(default)", key.path, command, user,
                                      states.get((name or "").casefold(), True))
            for sub in RUN_ONCE_EX:
                key = reg.key(f"{root}\\{sub}", user=user)
                for child in (key.subkeys()[:MAX_ENTRIES] if key is not None else []):
                    step = key.subkey(child)
                    for name, value in (step.values()[:MAX_ENTRIES] if step is not None else []):
                        command = _text(value)
                        if command and name.casefold() not in ("", "flags", "title"):
                            yield self._entry("run-once-key", f"{child}\\{name}", step.path, command, user, True)

    @staticmethod
    def _entry(kind, name, location, command, user, enabled, first_of=None):
        program = program_of(command.split(",")[0] if first_of == "," else command, "windows", user)
        return AutostartEntry(kind=kind, name=name, location=location, command=command,
                              executable=program, user=user, enabled=enabled)

    def _hijacks(self, reg, places):
        """Winlogon, image hijacks, DLLs loaded into every program, Active Setup and the like."""
        winlogon = reg.key(WINLOGON)
        if winlogon is not None:
            for name in ("Shell", "Userinit"):
                value = _text(winlogon.value(name))
                if value and value.casefold() not in WINLOGON_DEFAULTS[name.casefold()]:
                    yield self._entry("winlogon", name, WINLOGON, value, None, True, ",")
        for root, user in places[1:]:
            key = reg.key(f"HKCU\\{USER_WINLOGON}", user=user)
            value = _text(key.value("Shell")) if key is not None else ""
            if value:
                yield self._entry("winlogon", "Shell", key.path, value, user, True, ",")
            key = reg.key(f"HKCU\\{USER_WINDOWS}", user=user)
            for name in ("Load", "Run"):
                value = _text(key.value(name)) if key is not None else ""
                if value:
                    yield self._entry("windows-load", name, key.path, value, user, True, ",")
        for root, user in places:
            key = reg.key(f"{root}\\{COMMAND_PROCESSOR}", user=user)
            value = _text(key.value("AutoRun")) if key is not None else ""
            if value:
                yield self._entry("command-autorun", "AutoRun", key.path, value, user, True)
        for base in (IFEO, IFEO_32):
            ifeo = reg.key(base)
            for program in (ifeo.subkeys()[:MAX_ENTRIES] if ifeo is not None else []):
                sub = ifeo.subkey(program)
                debugger = _text(sub.value("Debugger")) if sub is not None else ""
                if debugger:
                    yield self._entry("image-hijack", program, sub.path, debugger, None, True)
        silent = reg.key(SILENT_EXIT)
        for program in (silent.subkeys()[:MAX_ENTRIES] if silent is not None else []):
            sub = silent.subkey(program)
            monitor = _text(sub.value("MonitorProcess")) if sub is not None else ""
            if monitor:
                yield self._entry("image-hijack", program, sub.path, monitor, None, True)
        appinit = reg.key(APPINIT)
        if appinit is not None:
            dlls = _text(appinit.value("AppInit_DLLs"))
            if dlls:
                program = program_of(re.split(r"[,\s]", dlls)[0], "windows")
                yield AutostartEntry(kind="appinit-dll", name="AppInit_DLLs", location=APPINIT, command=dlls,
                                     executable=program, enabled=appinit.value("LoadAppInit_DLLs") == 1)
        session = reg.key(SESSION_MANAGER)
        if session is not None:
            boot = session.value("BootExecute")
            items = boot if isinstance(boot, (list, tuple)) else [boot] if boot else []
            for item in items[:MAX_ENTRIES]:
                text = _text(item)
                if text and text.casefold() not in BOOT_EXECUTE_DEFAULT:
                    yield AutostartEntry(kind="boot-execute", name="BootExecute", location=session.path,
                                         command=text, executable=None, enabled=True)
            certs = session.subkey("AppCertDlls")
            for name, value in (certs.values()[:MAX_ENTRIES] if certs is not None else []):
                dll = _text(value)
                if dll:
                    yield self._entry("appcert-dll", name or "(default)", certs.path, dll, None, True)
        for base in ACTIVE_SETUP:
            components = reg.key(base)
            for guid in (components.subkeys()[:MAX_ENTRIES] if components is not None else []):
                sub = components.subkey(guid)
                stub = _text(sub.value("StubPath")) if sub is not None else ""
                if stub:
                    installed = sub.value("IsInstalled")
                    yield self._entry("active-setup", _text(sub.value("")) or guid, sub.path, stub, None,
                                      installed != 0)

    def _startup_folders(self, machine, notes, approved):
        fs = machine.fs
        folders = [(STARTUP_ALL, None)] + [(fs.join(home, STARTUP_USER), name) for name, home in fs.user_homes()]
        for folder, user in folders:
            try:
                entries = fs.list(folder)
            except Unreadable as exc:
                notes.unreadable(exc, folder)
                continue
            states = approved.get(user, {}).get("StartupFolder", {})
            for entry in entries[:MAX_ENTRIES]:
                if entry.is_dir or entry.name.lower() == "desktop.ini":
                    continue
                command = entry.path
                if entry.name.lower().endswith(".lnk"):
                    try:
                        target, args = parse_lnk(fs.read_bytes(entry.path, _SMALL))
                        target = resolve_relative(target, folder)
                        if target:
                            command = f'"{target}" {args}'.strip() if " " in target else f"{target} {args}".strip()
                    except Unreadable as exc:
                        notes.unreadable(exc, entry.path)
                    except ValueError as exc:
                        notes.could_not_read("error", f"{entry.path}: {exc}", N_("a start-up shortcut"))
                yield AutostartEntry(kind="startup-folder", name=entry.name, location=folder, command=command,
                                     executable=program_of(command, "windows", user), user=user,
                                     enabled=states.get(entry.name.casefold(), True))


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
            if reg.key("HKLM\\SYSTEM") is None:
                reason = next((r for r, d in getattr(reg, "problems", []) if "SYSTEM" in d), "absent")
                raise Unreadable(reason, Words(N_("the SYSTEM part of the registry, which lists the services, "
                                                  "could not be read")))
            raise Unreadable("absent", Words(N_("the list of services is not in the registry")))
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
    MAX_FILES = 20_000
    MAX_DEPTH = 16

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        try:
            fs.list(TASKS)
        except Unreadable as exc:
            raise Unreadable(exc.reason, Words.of(N_("the scheduled tasks folder could not be read: {why}"),
                                                  why=exc.said)) from None
        try:
            accounts = account_names(machine)
        except Exception:  # noqa: BLE001 - names are a nicety; the tasks are what matters
            accounts = dict(WELL_KNOWN_SIDS)
        homes = {name.casefold(): name for name, _ in fs.user_homes()}
        # The shared walker: never a folder twice (links in circles), never out of the disk,
        # bounded in depth and files, and what it leaves out is noted.
        for entry in fs.walk(TASKS, max_depth=self.MAX_DEPTH, max_entries=self.MAX_FILES,
                             what="scheduled tasks"):
            name = entry.path[len(TASKS):]
            task = _read_task(fs, entry.path, parse_task, notes)
            if task is None:
                continue
            user = task["user"]
            if user:
                user = accounts.get(user.lower(), user)
            owner = homes.get(user.rsplit("\\", 1)[-1].casefold()) if user else None
            for cmd, args in task["commands"] or [("", "")]:
                command = f"{cmd} {args}".strip()
                exe = None
                if cmd and not cmd.startswith("COM "):
                    quoted = f'"{cmd}"' if " " in cmd and not cmd.startswith('"') else cmd
                    exe = program_of(quoted, "windows", owner)
                yield ScheduledTask(name=name, source=entry.path, command=command, executable=exe,
                                    triggers=task["triggers"], enabled=task["enabled"], user=user)



# -- legacy scheduled tasks (C:\\Windows\\Tasks\\*.job, MS-TSCH .JOB file format) -----------------
LEGACY_TASKS = "C:\\Windows\\Tasks"
_JOB_TRIGGERS = {0: "once, at a set time", 1: "every day", 2: "every week", 3: "every month", 4: "every month",
                 5: "when the computer is idle", 6: "when the computer starts", 7: "when someone logs in"}


def parse_job(data: bytes) -> dict:
    """The parts of a legacy ``.job`` task a check needs, as :func:`parse_task` returns them
    (plus ``author``). Raises ValueError for anything that is not a whole .job file.

    Layout ([MS-TSCH] 2.4.1–2.4.2): a 68-byte fixed section (flags at 48; 0x4 = disabled), then
    the running-instance count, five length-prefixed UTF-16 strings (application, parameters,
    working folder, author, comment), user data, reserved data and the triggers (48 bytes each:
    flags at 28, 0x4 = disabled; type at 32; interval at 24).
    """
    if len(data) < 70 or len(data) > _SMALL:
        raise ValueError("not a whole .job task file")
    flags = struct.unpack_from("<I", data, 48)[0]
    pos = 70
    strings = []
    for _ in range(5):
        if pos + 2 > len(data):
            raise ValueError(".job task ends inside its strings")
        count = struct.unpack_from("<H", data, pos)[0]
        end = pos + 2 + count * 2
        if end > len(data):
            raise ValueError(".job task string runs past the end")
        strings.append(data[pos + 2:end].decode("utf-16-le", errors="replace").split("\0", 1)[0])
        pos = end
    for _ in range(2):                                  # user data, reserved data
        if pos + 2 > len(data):
            raise ValueError(".job task ends inside its data")
        pos += 2 + struct.unpack_from("<H", data, pos)[0]
    words: list[str] = []
    if pos + 2 <= len(data):
        count = struct.unpack_from("<H", data, pos)[0]
        pos += 2
        for i in range(min(count, 64)):
            at = pos + i * 48
            if at + 48 > len(data):
                raise ValueError(".job task ends inside its triggers")
            interval, trigger_flags, kind = struct.unpack_from("<III", data, at + 24)
            if trigger_flags & 0x4:
                continue
            word = _JOB_TRIGGERS.get(kind)
            if word and interval and kind <= 4:
                word = "repeatedly" if kind == 0 else f"{word}, repeatedly"
            if word and word not in words:
                words.append(word)
    app, params, _folder, author, _comment = strings
    if not app:
        raise ValueError("a .job task without a program")
    return {"commands": [(app, params)], "triggers": ", ".join(words), "enabled": not flags & 0x4,
            "hidden": False, "user": None, "author": author or None}


class WindowsLegacyTasksSource(Source):
    """Tasks in the format of Windows XP and 2003 (``C:\\Windows\\Tasks\\*.job``). Later Windows
    still runs them (``at.exe`` and old installers write them), next to the XML tasks."""
    id = "tasks.windows.job"
    kind = "tasks"
    what = "scheduled tasks in the old format"
    platforms = WINDOWS
    MAX_FILES = 5_000

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        try:
            entries = fs.list(LEGACY_TASKS)
        except Unreadable as exc:
            if exc.reason != "absent":
                notes.unreadable(exc, LEGACY_TASKS)
            return
        jobs = [e for e in entries if not e.is_dir and e.name.lower().endswith(".job")]
        if len(jobs) > self.MAX_FILES:
            notes.could_not_read("error", Words.of(N_("more than {most} .job files in {folder}"), most=f"{self.MAX_FILES:,}", folder=LEGACY_TASKS), self.what)
            jobs = jobs[:self.MAX_FILES]
        for entry in jobs:
            job = _read_task(fs, entry.path, parse_job, notes)
            if job is None:
                continue
            for cmd, args in job["commands"]:
                quoted = f'"{cmd}"' if " " in cmd and not cmd.startswith('"') else cmd
                yield ScheduledTask(name="\\" + entry.name, source=entry.path, command=f"{cmd} {args}".strip(),
                                    executable=program_of(quoted, "windows"), triggers=job["triggers"],
                                    enabled=job["enabled"], user=job["user"])


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


SOURCES = [WindowsAutostartSource(), WindowsServicesSource(), WindowsTasksSource(), WindowsLegacyTasksSource(),
           WindowsAppsSource(), RegistryProbeSource()]
