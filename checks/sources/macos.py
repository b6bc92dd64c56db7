"""macOS: what starts by itself, and installed apps.

Read from files only, live or offline, following research/persistence-locations.md: launch
agents and daemons (not Apple's own in /System, which the system protects), login items and
background items recorded by the system (``.btm`` files), login hooks, startup items and cron;
apps in the Applications folders and installer receipts. Property lists are read with
``plistlib`` from at most 1 MB, and anything malformed becomes a note.
"""
from __future__ import annotations

import os
import plistlib
import re
from urllib.parse import unquote, urlparse

from ..records import AutostartEntry, InstalledApp
from .base import Machine, Notes, Source, listing as _list, text_of
from .fs import Unreadable
from .linux import parse_crontab, readable_homes

MACOS = frozenset({"macos"})
_PLIST_LIMIT = 1024 * 1024
_BTM_LIMIT = 16 * 1024 * 1024
_MAX_APPS = 20_000


class PlistError(ValueError):
    """A property list that can't be read."""


def parse_plist(data: bytes) -> dict:
    """A property list (XML or binary) whose top level is a dictionary. Raises PlistError."""
    if not data.startswith(b"bplist") and b"<!entity" in data.lower():
        raise PlistError("a property list with entity declarations is not read")
    try:
        value = plistlib.loads(data)
    except RecursionError:
        raise PlistError("a property list nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - plistlib raises many kinds on junk
        raise PlistError(f"not a readable property list ({type(exc).__name__})") from None
    if not isinstance(value, dict):
        raise PlistError("a property list that is not a dictionary")
    return value


def _read_plist(fs, path: str, notes: Notes, what: str, limit: int = _PLIST_LIMIT) -> dict | None:
    try:
        return parse_plist(fs.read_bytes(path, limit))
    except Unreadable as exc:
        notes.unreadable(exc, what)
    except PlistError as exc:
        notes.could_not_read("error", f"{path}: {exc}", what)
    return None


def launchd_job(plist: dict) -> tuple[str | None, str, str | None, bool | None]:
    """(label, command, program, enabled) of a launchd job description."""
    label = plist.get("Label") if isinstance(plist.get("Label"), str) else None
    args = plist.get("ProgramArguments")
    args = [str(a) for a in args if isinstance(a, (str, int, float))] if isinstance(args, list) else []
    program = plist.get("Program") if isinstance(plist.get("Program"), str) else None
    command = " ".join(args) if args else (program or "")
    disabled = plist.get("Disabled")
    return label, command, program or (args[0] if args else None), (None if disabled is None else not bool(disabled))


def btm_items(plist: dict, limit: int = 5000) -> list[tuple[str, str | None]]:
    """(app path or bundle id, bundle id) items named in a background-task-management archive.

    The archive is an NSKeyedArchiver property list whose layout changes between macOS versions,
    so this only takes what is unmistakable: file URLs and paths of apps and programs, and
    bundle ids stored beside them. Order is kept; repeats are dropped.
    """
    objects = plist.get("$objects")
    if not isinstance(objects, list):
        return []
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    bundle_ids = [o for o in objects if isinstance(o, str) and re.fullmatch(r"[A-Za-z0-9-]+(\.[A-Za-z0-9_-]+){2,}", o)
                  and not o.startswith(("com.apple.", "NS"))]
    for obj in objects[:200_000]:
        text = None
        if isinstance(obj, str):
            text = obj
        elif isinstance(obj, bytes) and obj.startswith(b"file://"):
            text = obj.decode("utf-8", "replace")
        if not text:
            continue
        if text.startswith("file://"):
            text = unquote(urlparse(text).path)
        if text.startswith("/") and (".app" in text or "/Contents/" in text or text.startswith(("/usr/", "/opt/", "/Users/", "/Library/"))):
            path = text.rstrip("/")
            if path not in seen:
                seen.add(path)
                out.append((path, None))
        if len(out) >= limit:
            break
    for bid in bundle_ids:
        if bid not in seen and len(out) < limit:
            seen.add(bid)
            out.append((bid, bid))
    return out


class MacAutostartSource(Source):
    id = "autostart.macos"
    kind = "autostart"
    what = "programs that start by themselves when the computer starts or someone logs in"
    platforms = MACOS

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        homes = readable_homes(fs, notes)
        folders = [("/Library/LaunchAgents", "launch-agent", None), ("/Library/LaunchDaemons", "launch-daemon", None)]
        folders += [(fs.join(h, "Library/LaunchAgents"), "launch-agent", u) for u, h in homes]
        # /System/Library/Launch* are Apple's own, on a read-only system volume: not listed.
        for folder, kind, user in folders:
            for entry in _list(fs, folder, notes):
                if entry.is_dir or not entry.name.endswith(".plist"):
                    continue
                plist = _read_plist(fs, entry.path, notes, entry.path)
                if plist is None:
                    yield AutostartEntry(kind=kind, name=entry.name, location=entry.path, user=user)
                    continue
                label, command, program, enabled = launchd_job(plist)
                yield AutostartEntry(kind=kind, name=entry.name, location=entry.path, command=command,
                                     executable=program, user=user, enabled=enabled, label=label)
        yield from self._login_items(fs, homes, notes)
        yield from self._hooks_and_startup_items(fs, homes, notes)
        yield from self._cron(fs, notes)

    def _login_items(self, fs, homes, notes):
        files = [(fs.join(h, "Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"), u)
                 for u, h in homes]
        files += [(e.path, None) for e in _list(fs, "/private/var/db/com.apple.backgroundtaskmanagement", notes)
                  if e.name.startswith("BackgroundItems") and e.name.endswith(".btm")]
        for path, user in files:
            plist = _read_plist(fs, path, notes, "login items", _BTM_LIMIT)
            if plist is None:
                continue
            for item, bundle_id in btm_items(plist):
                name = os.path.basename(item) if item.startswith("/") else item
                yield AutostartEntry(kind="login-item", name=name, location=path,
                                     command=item if item.startswith("/") else "",
                                     executable=item if item.startswith("/") else None, user=user,
                                     bundle_id=bundle_id)

    def _hooks_and_startup_items(self, fs, homes, notes):
        prefs = [("/Library/Preferences/com.apple.loginwindow.plist", None)]
        prefs += [(fs.join(h, "Library/Preferences/com.apple.loginwindow.plist"), u) for u, h in homes]
        for path, user in prefs:
            plist = _read_plist(fs, path, notes, "login hooks")
            if plist is None:
                continue
            for key in ("LoginHook", "LogoutHook"):
                hook = plist.get(key)
                if isinstance(hook, str) and hook.strip():
                    yield AutostartEntry(kind="login-hook", name=key, location=path, command=hook.strip(),
                                         executable=hook.strip().split()[0], user=user, enabled=True)
        for entry in _list(fs, "/Library/StartupItems", notes):
            if entry.is_dir:
                program = fs.join(entry.path, entry.name)
                yield AutostartEntry(kind="startup-item", name=entry.name, location=entry.path, command=program,
                                     executable=program, enabled=True)

    def _cron(self, fs, notes):
        for folder in ("/usr/lib/cron/tabs", "/private/var/at/tabs"):
            for entry in _list(fs, folder, notes):
                if entry.is_dir:
                    continue
                text = text_of(fs, entry.path, notes)
                if text is None:
                    continue
                for schedule, _, command in parse_crontab(text, with_user=False):
                    program = command.split()[0] if command.split() else None
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
                    notes.could_not_read("error", f"more than {_MAX_APPS} apps", self.what)
                    return
                yield self._app(fs, bundle, user, notes)
        for entry in _list(fs, "/private/var/db/receipts", notes):
            if not entry.name.endswith(".plist") or entry.name.startswith("com.apple."):
                continue
            plist = _read_plist(fs, entry.path, notes, entry.path)
            if plist is None:
                continue
            ident = plist.get("PackageIdentifier")
            if isinstance(ident, str) and ident:
                installed = plist.get("InstallDate")
                yield InstalledApp(name=ident, source="pkg-receipt", version=str(plist.get("PackageVersion") or "") or None,
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
        shown = info.get("CFBundleDisplayName") or info.get("CFBundleName") or name

        def text(key):
            value = info.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return InstalledApp(name=str(shown), source="app-bundle", version=text("CFBundleShortVersionString"),
                            location=bundle, bundle_id=text("CFBundleIdentifier"), user=user)


SOURCES = [MacAutostartSource(), MacAppsSource()]
