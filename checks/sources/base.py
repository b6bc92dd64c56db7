"""What a source is, and the machine it reads.

A source reads one kind of record from a :class:`Machine` and yields records
(``checks.records``). When part of what it wanted to read can't be read, it tells the
:class:`Notes` it was given and carries on; when all of it fails it raises, and the collector
turns that into a "could not check" entry. Sources never import Qt and never know signatures:
the few that look for known places are handed a plain list of locations.
"""
from __future__ import annotations

import os
import sys
from typing import Any, ClassVar, Iterable

from msgspec import Struct, field

from ..i18n import N_
from ..snapshot import NotRead, Words
from .fs import FileSystem, Unreadable


def this_platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "linux"


class Locations(Struct):
    """Known places to look at, handed to the probing sources (taken from signatures)."""
    paths: list[str] = field(default_factory=list)          # globs, machine form
    registry_keys: list[str] = field(default_factory=list)  # HKLM\…, HKCU\… (may hold * ?)
    registry_values: list[tuple[str, str]] = field(default_factory=list)  # (key, value name)


class Machine(Struct):
    """Everything a source may read: the file system, the registry, the live system."""
    platform: str
    fs: FileSystem
    live: bool
    registry: object | None = None        # checks.sources.registry.Registry (Windows only)
    locations: Locations = field(default_factory=Locations)
    # What one scan reads once for several sources (the live socket table, for connections and
    # listeners); emptied when a scan starts collecting (checks/engine.py collect).
    read_once: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def live_machine(cls, locations: Locations | None = None) -> "Machine":
        plat = this_platform()
        registry = None
        if plat == "windows":
            from .registry import LiveRegistry
            registry = LiveRegistry()
        return cls(plat, FileSystem(plat), True, registry, locations or Locations())

    @classmethod
    def offline(cls, root: str, platform: str, locations: Locations | None = None) -> "Machine":
        if not os.path.isdir(root):
            raise Unreadable("absent", Words.of(N_("{path} is not a folder"), path=root))
        fs = FileSystem(platform, root)
        registry = None
        if platform == "windows":
            from .registry import HiveRegistry
            registry = HiveRegistry(fs)
        return cls(platform, fs, False, registry, locations or Locations())

    def os_version(self) -> str:
        if self.live:
            import platform as _platform    # here: a live Linux scan reads /etc/os-release instead
            if self.platform == "macos":
                return f"macOS {_platform.mac_ver()[0]}".strip()
            if self.platform == "windows":
                return f"Windows {_platform.release()} ({_platform.version()})"
            return _linux_version(self.fs) or f"Linux {_platform.release()}"
        if self.platform == "linux":
            return _linux_version(self.fs) or "Linux"
        if self.platform == "macos":
            return _macos_version(self.fs) or "macOS"
        if self.registry is not None:
            try:
                return self.registry.windows_version() or "Windows"
            except Exception:
                return "Windows"
        return "Windows"


def _linux_version(fs: FileSystem) -> str:
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            text = fs.read_text(path, 64 * 1024)
        except Unreadable as exc:
            if exc.reason != "absent":      # a FIFO or a locked file is said, not skipped silently
                fs.note(exc.reason, exc.said, N_("the name of the system"))
            continue
        for line in text.splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    return ""


def _macos_version(fs: FileSystem) -> str:
    from .fs import parse_plist
    try:
        data = parse_plist(fs.read_bytes("/System/Library/CoreServices/SystemVersion.plist", 1 << 20))
        return f"macOS {data.get('ProductVersion', '')}".strip()
    except Unreadable as exc:
        if exc.reason != "absent":
            fs.note(exc.reason, exc.said, N_("the name of the system"))
        return ""
    except Exception:  # noqa: BLE001 - plistlib raises many kinds on junk
        return ""


class Notes:
    """Collects what a source could not read, while the source goes on."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[NotRead] = []

    def could_not_read(self, reason: str, detail: str | Words, what: str | Words = "") -> None:
        """``what``: plain words (a catalogue message), or ``Words`` when values fill it;
        ``detail``: a path or the system's own error text, or ``Words`` for our own sentence."""
        self.items.append(NotRead.about(self.source, reason, detail, what))

    def unreadable(self, exc: Unreadable, what: str | Words = "") -> None:
        """Note an Unreadable, except a missing place: absence is normal for most locations."""
        if exc.reason != "absent":
            self.could_not_read(exc.reason, exc.said, what)


class Source:
    """A reader of one kind of record. Subclasses set the class attributes and ``collect``."""

    id: ClassVar[str]                       # "processes", "autostart.windows", …
    kind: ClassVar[str]                     # record kind, a key of records.RECORD_TYPES
    what: ClassVar[str]                     # plain words: "programs that are running"
    platforms: ClassVar[frozenset[str]] = frozenset({"windows", "macos", "linux"})
    live_only: ClassVar[bool] = False       # processes and connections exist only live

    def applies_to(self, machine: Machine) -> bool:
        return machine.platform in self.platforms and (machine.live or not self.live_only)

    def collect(self, machine: Machine, notes: Notes) -> Iterable[object]:
        raise NotImplementedError


def listing(fs: FileSystem, path: str, notes: Notes) -> list:
    """A folder's entries, or none when it can't be listed (said in ``notes`` unless absent)."""
    try:
        return fs.list(path)
    except Unreadable as exc:
        notes.unreadable(exc, path)
        return []


def text_of(fs: FileSystem, path: str, notes: Notes, what: str = "", limit: int = 1024 * 1024) -> str | None:
    """A file's text, or None when it can't be read (said in ``notes`` unless absent)."""
    try:
        return fs.read_text(path, limit)
    except Unreadable as exc:
        notes.unreadable(exc, what or path)
        return None


def running_as_administrator() -> bool:
    """True when this process runs as root (or, on Windows, an elevated administrator)."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None:
        return geteuid() == 0
    try:
        import ctypes
        return bool(ctypes.windll.shell32.IsUserAnAdmin())   # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - no way to ask: assume not, and give the ordinary advice
        return False
