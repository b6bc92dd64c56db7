"""macOS: what starts by itself, and installed apps.

Read from files only, live or offline, following research/persistence-locations.md: launch
agents and daemons (not Apple's own in /System, which the system protects), login items and
background items recorded by the system (``.btm`` files and the older ``loginitems`` list),
login hooks, startup items and cron; apps in the Applications folders and installer receipts.
Property lists are read with ``plistlib`` from at most 1 MB (16 MB for ``.btm`` archives), and
anything malformed becomes a note.

On a Mac ``/etc``, ``/var`` and ``/tmp`` are links into ``/private``, and ``/usr/lib/cron`` is a
link to ``/private/var/at``. The file system resolves links inside the disk, but a copied tree
may have lost them, so the real ``/private/...`` places are read, and a folder reached twice
through a link is read once.
"""
from __future__ import annotations

import os
import plistlib
import re
import struct
from urllib.parse import unquote, urlparse

from msgspec import Struct

from ..i18n import NN_, N_
from ..snapshot import Words
from ..records import AutostartEntry, InstalledApp
from .base import Machine, Notes, Source, listing as _list, text_of
from .commands import program_of
from .fs import Unreadable, parse_plist as fs_parse_plist
from .linux import parse_crontab, readable_homes

MACOS = frozenset({"macos"})
_PLIST_LIMIT = 1024 * 1024
_BTM_LIMIT = 16 * 1024 * 1024
_MAX_APPS = 20_000
_MAX_ARGS = 1000
_MAX_OBJECTS = 200_000


class PlistError(ValueError):
    """A property list that can't be read."""


def parse_plist(data: bytes) -> dict:
    """A property list (XML or binary) whose top level is a dictionary, read by the one reader's
    bounded plist helper. Raises PlistError."""
    try:
        value = fs_parse_plist(data)
    except ValueError as exc:
        raise PlistError(str(exc)) from None
    if not isinstance(value, dict):
        raise PlistError("a property list that is not a dictionary")
    return value


def _read_plist(fs, path: str, notes: Notes, what: str, limit: int = _PLIST_LIMIT) -> dict | None:
    try:
        data = fs.read_bytes(path, limit + 1)
        if len(data) > limit:
            raise PlistError(f"larger than {limit // 1024} KB, not read")
        return parse_plist(data)
    except Unreadable as exc:
        notes.unreadable(exc, what)
    except PlistError as exc:
        notes.could_not_read("error", f"{path}: {exc}", what)
    return None


def _physical(fs, path: str) -> str | None:
    """Where a machine path really is (links followed), to read a folder reached twice once."""
    try:
        return fs.real(path) if not fs.live else os.path.realpath(path)
    except Unreadable:
        return None


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _quoted(arg: str) -> str:
    return f'"{arg}"' if (not arg or any(c.isspace() for c in arg)) and '"' not in arg else arg


def launchd_job(plist: dict) -> tuple[str | None, str, str | None, bool | None]:
    """(label, command, program, enabled) of a launchd job description.

    ``Program`` wins over ``ProgramArguments[0]`` as the program, the way launchd runs it;
    ``BundleProgram`` (a path inside an app, for jobs an app registers itself) is the last
    resort. ``enabled`` is None when ``Disabled`` is not a yes or no (launchd's own default: on).
    """
    label = _text(plist.get("Label"))
    args = plist.get("ProgramArguments")
    args = [str(a) for a in args[:_MAX_ARGS] if isinstance(a, (str, int, float)) and not isinstance(a, bool)] \
        if isinstance(args, list) else []
    program = _text(plist.get("Program")) or (args[0] if args and args[0].strip() else None) \
        or _text(plist.get("BundleProgram"))
    command = " ".join(_quoted(a) for a in args) if args else (program or "")
    disabled = plist.get("Disabled")
    return label, command, program, (not disabled if isinstance(disabled, bool) else None)


# -- login items: keyed archives and bookmarks ---------------------------------------------
_BUNDLE_ID = re.compile(r"(?:\d{1,3}\.)?([A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z0-9_-]+){2,})")
# Names that look like bundle ids but are files or host names.
_NOT_BUNDLE_END = {"plist", "app", "dylib", "framework", "bundle", "plugin", "appex", "kext", "xpc", "sh", "py",
                   "txt", "log", "json", "xml", "html", "js", "png", "jpg", "db", "btm", "pkg", "dmg", "zip",
                   "com", "net", "org", "io", "co", "uk", "de", "fr", "info", "biz"}


def bundle_id_in(text: str) -> str | None:
    """The bundle id ``text`` is (``com.x.y``), also as the archive writes it (``2.com.x.y``)."""
    m = _BUNDLE_ID.fullmatch(text)
    if not m or len(text) > 255:
        return None
    bid = m.group(1)
    if bid.startswith("com.apple.") or bid.rsplit(".", 1)[-1].lower() in _NOT_BUNDLE_END:
        return None
    return bid


def bookmark_path(data: bytes) -> str | None:
    """The path a macOS bookmark (``book`` data, as login items keep them) points at, or None.

    Only the path components are read (table of contents key 0x1004, an array of strings);
    every offset is checked against the data, so junk gives None.
    """
    try:
        if len(data) < 52 or data[:4] != b"book":
            return None
        header = struct.unpack_from("<I", data, 12)[0]
        if not 16 <= header <= len(data) - 4:
            return None
        base = header
        toc = base + struct.unpack_from("<I", data, base)[0]
        for _ in range(16):                                   # TOCs are chained; a loop is cut short
            if toc + 20 > len(data):
                return None
            _, magic, _, next_toc, count = struct.unpack_from("<IIIII", data, toc)
            if magic != 0xFFFFFFFE or count > 4096 or toc + 20 + 12 * count > len(data):
                return None
            for i in range(count):
                key, offset, _ = struct.unpack_from("<III", data, toc + 20 + 12 * i)
                if key & 0x7FFFFFFF == 0x1004:
                    return _bookmark_components(data, base, base + offset)
            if not next_toc:
                return None
            toc = base + next_toc
    except struct.error:
        return None
    return None


def _bookmark_components(data: bytes, base: int, at: int) -> str | None:
    length, kind = struct.unpack_from("<II", data, at)
    if kind != 0x0601 or length % 4 or length > 4096 or at + 8 + length > len(data):
        return None
    parts = []
    for (offset,) in struct.iter_unpack("<I", data[at + 8:at + 8 + length]):
        item = base + offset
        size, ikind = struct.unpack_from("<II", data, item)
        if ikind != 0x0101 or item + 8 + size > len(data):
            return None
        part = data[item + 8:item + 8 + size].decode("utf-8", "replace")
        if not part or "/" in part or part in (".", ".."):
            return None
        parts.append(part)
    return "/" + "/".join(parts) if parts else None


def alias_path(data: bytes) -> str | None:
    """The path a classic Mac OS alias record (version 2 or 3, as ``Alias`` in the old
    loginitems list) points at, from its POSIX-path extra field (tag 18), under the volume's
    mount point (tag 19). Fixed part 150 bytes (version 2) or 58 (version 3), then
    (tag, length, data padded to even) fields, big-endian, ending with tag -1. None for junk."""
    try:
        if len(data) < 8:
            return None
        version = struct.unpack_from(">H", data, 6)[0]
        pos = {2: 150, 3: 58}.get(version)
        if pos is None:
            return None
        path = mount = None
        for _ in range(64):
            if pos + 4 > len(data):
                break
            tag, length = struct.unpack_from(">hH", data, pos)
            if tag == -1:
                break
            value = data[pos + 4:pos + 4 + length]
            if tag == 18:
                path = value.decode("utf-8", "replace")
            elif tag == 19:
                mount = value.decode("utf-8", "replace")
            pos += 4 + length + (length & 1)
        if not path:
            return None
        full = path if path.startswith("/") else "/" + path
        if mount and mount not in ("/", ""):
            full = mount.rstrip("/") + full
        return full if not any(ord(c) < 32 for c in full) and ".." not in full.split("/") else None
    except struct.error:
        return None


def binding_path(data: bytes) -> str | None:
    """The ``file://`` URL inside an LSSharedFileList binding (``dnib`` data), as a path."""
    if not data.startswith(b"dnib"):
        return None
    at = data.find(b"file://")
    if at < 0:
        return None
    end = at
    while end < len(data) and end - at < 2048 and 0x21 <= data[end] < 0x7F:
        end += 1
    text = unquote(urlparse(data[at:end].decode("ascii")).path).rstrip("/")
    return text if text.startswith("/") and ".." not in text.split("/") else None


def _path_in(text: str) -> str | None:
    if text.startswith("file://"):
        text = unquote(urlparse(text).path)
    if not text.startswith("/") or len(text) > 1024 or any(ord(c) < 32 for c in text):
        return None
    path = text.rstrip("/")
    return path if path and not path.startswith("/System/") else None


class BtmItem(Struct, frozen=True):
    """One thing a background-task-management archive says may start by itself."""
    name: str
    path: str | None = None               # the app, program or launchd property list
    bundle_id: str | None = None
    label: str | None = None              # the launchd label, for agents and daemons


# Item types of macOS 13+ archives (the number before the dot in an item's identifier).
_BTM_APP, _BTM_LOGIN_ITEM, _BTM_AGENT, _BTM_DAEMON, _BTM_DEVELOPER = 0x2, 0x4, 0x8, 0x10, 0x20


def _deref(objects: list, value):
    """An archive value with its references followed (NSURL and NSString wrappers unwrapped)."""
    for _ in range(4):
        if isinstance(value, plistlib.UID):
            value = objects[value.data] if 0 < value.data < len(objects) else None    # 0 is "$null"
        elif isinstance(value, dict) and ("NS.relative" in value or "NS.string" in value):
            value = value.get("NS.relative", value.get("NS.string"))
        else:
            break
    return value


def _btm_records(objects: list, limit: int) -> list[BtmItem]:
    """The items of a macOS 13+ archive, read from its item records (dicts with an identifier)."""
    out = []
    for obj in objects[:_MAX_OBJECTS]:
        if not isinstance(obj, dict) or "identifier" not in obj:
            continue
        get = lambda key: _deref(objects, obj.get(key))   # noqa: E731
        ident = get("identifier")
        if not isinstance(ident, str):
            continue
        m = re.fullmatch(r"(\d{1,10})\.(.+)", ident, re.S)
        kind, ident = (int(m.group(1)), m.group(2)) if m else (None, ident)
        if kind is not None and kind & _BTM_DEVELOPER:
            continue                                        # a developer's group of items, not a program
        url, exe = get("url"), get("executablePath")
        url = _path_in(url) if isinstance(url, str) else None
        exe = _path_in(exe) if isinstance(exe, str) else None
        bundle = get("bundleIdentifier")
        bundle = bundle if isinstance(bundle, str) else (ident if kind is not None and kind & (_BTM_APP | _BTM_LOGIN_ITEM) else None)
        label = ident if kind is not None and kind & (_BTM_AGENT | _BTM_DAEMON) else None
        if (bundle or label or "").startswith("com.apple."):
            continue                                        # Apple's own
        path = exe or url
        name = _text(get("name")) or (os.path.basename(path) if path else ident)
        if path or bundle or label:
            out.append(BtmItem(name=name[:255], path=path, bundle_id=bundle_id_in(bundle) if bundle else None,
                               label=label[:255] if label else None))
        if len(out) >= limit:
            break
    return out


def btm_unreadable_bookmarks(plist: dict) -> int:
    """How many bookmarks (``book`` data) in a ``.btm`` archive name no path that can be read."""
    objects = plist.get("$objects")
    count = 0
    for obj in (objects if isinstance(objects, list) else [])[:_MAX_OBJECTS]:
        for value in (obj.values() if isinstance(obj, dict) else (obj,)):
            if isinstance(value, (bytes, bytearray)) and bytes(value[:4]) == b"book" and bookmark_path(bytes(value)) is None:
                count += 1
    return count


def btm_items(plist: dict, limit: int = 5000) -> list[BtmItem]:
    """The items named in a background-task-management archive (``.btm``).

    The archive is an NSKeyedArchiver property list whose layout changes between macOS
    versions. Item records (macOS 13+: identifier, name, url, executablePath, bundleIdentifier)
    are read when there are any. Otherwise only what is unmistakable is taken from the flat list
    of objects: paths and file URLs, paths inside bookmark data (macOS 10.13 to 12), and bundle
    ids. Apple's own (``/System``, ``com.apple.``) is left out; repeats are dropped.
    """
    objects = plist.get("$objects")
    if not isinstance(objects, list):
        return []
    records = _btm_records(objects, limit)
    if records:
        return list(dict.fromkeys(records))
    paths: list[str] = []
    bundle_ids: list[str] = []
    for obj in objects[:_MAX_OBJECTS]:
        values = obj.values() if isinstance(obj, dict) else (obj,)
        for value in values:
            if isinstance(value, str):
                path = _path_in(value)
                if path:
                    paths.append(path)
                else:
                    bid = bundle_id_in(value)
                    if bid:
                        bundle_ids.append(bid)
            elif isinstance(value, (bytes, bytearray)):
                data = bytes(value)
                path = _path_in(data.decode("utf-8", "replace")) if data.startswith(b"file://") else bookmark_path(data)
                if path:
                    paths.append(path)
    out = [BtmItem(name=os.path.basename(p), path=p) for p in dict.fromkeys(paths)]
    out += [BtmItem(name=b, bundle_id=b) for b in dict.fromkeys(bundle_ids)]
    return out[:limit]


def loginitems_list(plist: dict, limit: int = 5000) -> list[tuple[str, str | None]]:
    """(name, path) of the login items in an older ``com.apple.loginitems.plist``."""
    session = plist.get("SessionItems")
    items = session.get("CustomListItems") if isinstance(session, dict) else None
    out = []
    for item in (items if isinstance(items, list) else [])[:limit]:
        if not isinstance(item, dict):
            continue
        path = None
        for key in ("Bookmark", "Alias"):
            if isinstance(item.get(key), bytes):
                path = path or bookmark_path(item[key]) or (alias_path(item[key]) if key == "Alias" else None)
        props = item.get("CustomItemProperties")
        binding = props.get("com.apple.LSSharedFileList.Binding") if isinstance(props, dict) else None
        if not path and isinstance(binding, bytes):
            path = binding_path(binding)
        name = _text(item.get("Name")) or (os.path.basename(path) if path else None)
        if name:
            out.append((name, path))
    return out


class MacAutostartSource(Source):
    id = "autostart.macos"
    kind = "autostart"
    what = "programs that start by themselves when the computer starts or someone logs in"
    platforms = MACOS

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        homes = readable_homes(fs, notes)
        seen: set[str] = set()
        yield from self._launchd(fs, homes, notes, seen)
        yield from self._login_items(fs, homes, notes)
        yield from self._hooks_and_startup_items(fs, homes, notes)
        yield from self._cron(fs, notes, seen)

    def _folders(self, fs, folders, seen):
        """The folders not yet read (one reached through a link is read once)."""
        for folder, *rest in folders:
            real = _physical(fs, folder)
            if real is not None and real in seen:
                continue
            if real is not None:
                seen.add(real)
            yield (folder, *rest)

    def _launchd(self, fs, homes, notes, seen):
        # /System/Library/Launch{Agents,Daemons} are Apple's own, on the sealed read-only system
        # volume: not listed (they would bury what matters under hundreds of Apple's jobs).
        folders = [("/Library/LaunchAgents", "launch-agent", None), ("/Library/LaunchDaemons", "launch-daemon", None)]
        folders += [(fs.join(h, "Library/LaunchAgents"), "launch-agent", u) for u, h in homes]
        for folder, kind, user in self._folders(fs, folders, seen):
            for entry in _list(fs, folder, notes):
                if entry.is_dir or not entry.name.endswith(".plist"):
                    continue
                plist = _read_plist(fs, entry.path, notes, entry.path)
                if plist is None:
                    # Still said: a launchd file that can't be read is itself worth a look.
                    yield AutostartEntry(kind=kind, name=entry.name, location=entry.path, user=user)
                    continue
                label, command, program, enabled = launchd_job(plist)
                yield AutostartEntry(kind=kind, name=entry.name, location=entry.path, command=command,
                                     executable=program, user=user, enabled=enabled, label=label)

    def _login_items(self, fs, homes, notes):
        files = [(fs.join(h, "Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"), u)
                 for u, h in homes]
        files += [(e.path, None) for e in _list(fs, "/private/var/db/com.apple.backgroundtaskmanagement", notes)
                  if e.name.startswith("BackgroundItems") and e.name.endswith(".btm") and not e.is_dir]
        for path, user in files:
            plist = _read_plist(fs, path, notes, "login items", _BTM_LIMIT)
            if plist is None:
                continue
            damaged = btm_unreadable_bookmarks(plist)
            if damaged:
                notes.could_not_read("error", Words.counting(*NN_("{path}: {count} login item recorded in a form that could not be read (a damaged bookmark)",
                                         "{path}: {count} login items recorded in a form that could not be read (a damaged bookmark)"),
                                     damaged, path=path), N_("login items"))
            for item in btm_items(plist):
                program = item.path if item.path and not item.path.endswith(".plist") else None
                yield AutostartEntry(kind="login-item", name=item.name, location=path, command=item.path or "",
                                     executable=program, user=user, label=item.label, bundle_id=item.bundle_id)
        # Before macOS 10.13 login items were a list in the user's preferences.
        for user, home in homes:
            path = fs.join(home, "Library/Preferences/com.apple.loginitems.plist")
            plist = _read_plist(fs, path, notes, "login items")
            for name, item in loginitems_list(plist or {}):
                yield AutostartEntry(kind="login-item", name=name, location=path, command=item or "",
                                     executable=item, user=user)

    def _hooks_and_startup_items(self, fs, homes, notes):
        # "sudo defaults write com.apple.loginwindow LoginHook …" writes root's preferences.
        prefs = [("/Library/Preferences/com.apple.loginwindow.plist", None),
                 ("/private/var/root/Library/Preferences/com.apple.loginwindow.plist", None)]
        prefs += [(fs.join(h, "Library/Preferences/com.apple.loginwindow.plist"), u) for u, h in homes]
        # "defaults write loginwindow AutoLaunchedApplicationDictionary …": Mac OS X 10.4-era login
        # items, still honoured by loginwindow; each {Path, Hide} (plaso reads them the same way).
        prefs += [(fs.join(h, "Library/Preferences/loginwindow.plist"), u) for u, h in homes]
        for path, user in prefs:
            plist = _read_plist(fs, path, notes, "login hooks")
            if plist is None:
                continue
            launched = plist.get("AutoLaunchedApplicationDictionary")
            for item in (launched if isinstance(launched, list) else [])[:5000]:
                app = _text(item.get("Path")) if isinstance(item, dict) else None
                if app is None and isinstance(item, dict) and isinstance(item.get("AliasData"), bytes):
                    app = alias_path(item["AliasData"])
                if app:
                    yield AutostartEntry(kind="login-item", name=os.path.basename(app.rstrip("/")) or app,
                                         location=path, command=app, executable=app, user=user, enabled=True)
            for key in ("LoginHook", "LogoutHook"):
                hook = _text(plist.get(key))
                if hook:
                    # loginwindow runs the hook as a file (the user's name as its argument).
                    yield AutostartEntry(kind="login-hook", name=key, location=path, command=hook,
                                         executable=hook, user=user, enabled=True)
        for entry in _list(fs, "/Library/StartupItems", notes):
            if entry.is_dir:
                program = fs.join(entry.path, entry.name)
                yield AutostartEntry(kind="startup-item", name=entry.name, location=entry.path, command=program,
                                     executable=program, enabled=True)

    def _cron(self, fs, notes, seen):
        # /usr/lib/cron is a link to /private/var/at on a Mac: the same tabs are read once.
        for (folder,) in self._folders(fs, [("/private/var/at/tabs",), ("/usr/lib/cron/tabs",)], seen):
            for entry in _list(fs, folder, notes):
                if entry.is_dir:
                    continue
                text = text_of(fs, entry.path, notes)
                if text is None:
                    continue
                for schedule, _, command in parse_crontab(text, with_user=False):
                    program = program_of(command, "macos")
                    yield AutostartEntry(kind="cron", name=os.path.basename(program or command), location=entry.path,
                                         command=f"{schedule} {command}", executable=program, user=entry.name,
                                         enabled=True)


class MacAppsSource(Source):
    id = "apps.macos"
    kind = "apps"
    what = "installed programs"
    platforms = MACOS

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        places = [("/Applications", None)] + [(fs.join(h, "Applications"), u) for u, h in readable_homes(fs, Notes(""))]
        count = 0
        for folder, user in places:
            for bundle in self._bundles(fs, folder, notes):
                count += 1
                if count > _MAX_APPS:
                    notes.could_not_read("error", Words.of(N_("more than {most} apps"), most=_MAX_APPS), self.what)
                    return
                yield self._app(fs, bundle, user, notes)
        for entry in _list(fs, "/private/var/db/receipts", notes):
            if not entry.name.endswith(".plist") or entry.name.startswith("com.apple."):
                continue
            plist = _read_plist(fs, entry.path, notes, entry.path)
            if plist is None:
                continue
            ident = _text(plist.get("PackageIdentifier"))
            if ident:
                installed = plist.get("InstallDate")
                yield InstalledApp(name=ident, source="pkg-receipt", version=_text(plist.get("PackageVersion")),
                                   location=entry.path, bundle_id=ident,
                                   installed=installed.isoformat() if hasattr(installed, "isoformat") else None)

    def _bundles(self, fs, folder, notes):
        for entry in _list(fs, folder, notes):
            if not entry.is_dir:
                continue
            if entry.name.endswith(".app"):
                yield entry.path
            elif not entry.name.startswith("."):
                for inner in _list(fs, entry.path, notes):          # one level of folders ("Utilities")
                    if inner.is_dir and inner.name.endswith(".app"):
                        yield inner.path

    def _app(self, fs, bundle: str, user, notes) -> InstalledApp:
        name = os.path.basename(bundle)[:-4]
        info = _read_plist(fs, fs.join(bundle, "Contents/Info.plist"), notes, bundle)
        if not info:
            return InstalledApp(name=name, source="app-bundle", location=bundle, user=user)
        shown = _text(info.get("CFBundleDisplayName")) or _text(info.get("CFBundleName")) or name
        return InstalledApp(name=shown, source="app-bundle", version=_text(info.get("CFBundleShortVersionString")),
                            location=bundle, bundle_id=_text(info.get("CFBundleIdentifier")), user=user)


SOURCES = [MacAutostartSource(), MacAppsSource()]
