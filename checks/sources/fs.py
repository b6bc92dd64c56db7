"""The machine's file system as sources see it: the live one, or a folder holding a disk.

Sources ask for paths the way the scanned machine's OS writes them (``C:\\Users``,
``/Library/LaunchAgents``, ``~`` is not expanded here). :class:`FileSystem` maps them:

* live: the path is used as it is;
* offline (``--root DIR``): ``C:\\`` (any drive letter) and ``/`` map to ``DIR``. Links are
  resolved the way a chroot would: an absolute link target starts again at ``DIR`` and ``..``
  never climbs above ``DIR``, so nothing outside ``DIR`` is ever read. Windows and macOS
  names are matched case-insensitively when the exact name is not there (copied trees and
  mounted NTFS keep case, the OS itself ignores it).

Every method that fails for a reason a person should hear about raises :class:`Unreadable`
with a reason from :data:`checks.snapshot.REASONS`.
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from typing import Iterator

MAX_LINK_HOPS = 40
HASH_LIMIT = 64 * 1024 * 1024          # files larger than this are not hashed


class Unreadable(Exception):
    """A path could not be read; ``reason`` is one of checks.snapshot.REASONS."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def reason_of(exc: OSError) -> str:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "permission"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)) or exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "absent"
    return "error"


_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Entry:
    """One name in a folder listing."""
    name: str
    path: str            # the machine's own path (as sources and findings show it)
    is_dir: bool
    is_link: bool


class FileSystem:
    """A view of a machine's files. ``root=None`` is the live machine."""

    def __init__(self, platform: str, root: str | None = None):
        self.platform = platform
        self.root = os.path.abspath(root) if root is not None else None
        self.sep = "\\" if platform == "windows" else "/"
        self.case_insensitive = platform in ("windows", "macos")

    @property
    def live(self) -> bool:
        return self.root is None

    # -- path arithmetic on the machine's own paths -------------------------------------
    def join(self, *parts: str) -> str:
        out = parts[0]
        for part in parts[1:]:
            part = part.strip("\\/") if self.platform == "windows" else part.strip("/")
            if not part:
                continue
            out = out.rstrip("\\/") + self.sep + part
        return out

    def parts(self, path: str) -> list[str]:
        """The components of a machine path, without the drive or the leading slash."""
        if self.platform == "windows":
            path = _DRIVE.sub("", path)
            return [p for p in re.split(r"[\\/]+", path) if p]
        return [p for p in path.split("/") if p]

    def basename(self, path: str) -> str:
        parts = self.parts(path)
        return parts[-1] if parts else ""

    def dirname(self, path: str) -> str:
        cut = max(path.rfind("/"), path.rfind("\\") if self.platform == "windows" else -1)
        return path[:cut] if cut > 0 else path[:cut + 1]

    # -- resolving to a real path on this computer --------------------------------------
    def real(self, path: str) -> str:
        """The path on this computer that holds ``path``; never outside the root.

        Raises Unreadable("absent") when a component is missing.
        """
        if self.live:
            if self.platform == "windows" and os.name != "nt":
                raise Unreadable("unsupported", "a live Windows path on another OS")
            return path
        current = self.root
        todo = self.parts(path)
        hops = 0
        while todo:
            name = todo.pop(0)
            if name == ".":
                continue
            if name == "..":
                if current != self.root:
                    current = os.path.dirname(current)
                continue
            candidate = os.path.join(current, name)
            try:
                st = os.lstat(candidate)
            except FileNotFoundError:
                found = self._case_match(current, name)
                if found is None:
                    raise Unreadable("absent", path) from None
                candidate = os.path.join(current, found)
                st = os.lstat(candidate)
            except OSError as exc:
                raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > MAX_LINK_HOPS:
                    raise Unreadable("error", f"{path}: too many links (a link loop)")
                target = os.readlink(candidate)
                if target.startswith("/") or (self.platform == "windows" and (_DRIVE.match(target) or target.startswith("\\"))):
                    current = self.root
                todo = self.parts(target) + todo
                continue
            current = candidate
        return current

    def _case_match(self, folder: str, name: str) -> str | None:
        if not self.case_insensitive:
            return None
        try:
            wanted = name.casefold()
            for other in os.listdir(folder):
                if other.casefold() == wanted:
                    return other
        except OSError:
            return None
        return None

    # -- questions ------------------------------------------------------------------------
    def exists(self, path: str) -> bool:
        try:
            os.stat(self.real(path))
            return True
        except (Unreadable, OSError):
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return os.path.isdir(self.real(path))
        except Unreadable:
            return False

    def stat(self, path: str) -> os.stat_result:
        real = self.real(path)
        try:
            return os.stat(real)
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None

    def list(self, path: str) -> list[Entry]:
        """The entries of a folder, sorted by name. Raises Unreadable."""
        real = self.real(path)
        try:
            with os.scandir(real) as it:
                items = []
                for de in it:
                    is_link = de.is_symlink()
                    if is_link:
                        try:
                            is_dir = os.path.isdir(self.real(self.join(path, de.name)))
                        except Unreadable:
                            is_dir = False
                    else:
                        is_dir = de.is_dir(follow_symlinks=False)
                    items.append(Entry(de.name, self.join(path, de.name), is_dir, is_link))
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
        items.sort(key=lambda e: e.name)
        return items

    def read_bytes(self, path: str, limit: int = 16 * 1024 * 1024) -> bytes:
        """The first ``limit`` bytes of a file. Raises Unreadable."""
        real = self.real(path)
        try:
            with open(real, "rb") as fh:
                return fh.read(limit)
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None

    def read_text(self, path: str, limit: int = 16 * 1024 * 1024) -> str:
        data = self.read_bytes(path, limit)
        for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
            if data.startswith(bom):
                return data[len(bom):].decode(enc, errors="replace")
        return data.decode("utf-8", errors="replace")

    def sha256(self, path: str, limit: int = HASH_LIMIT) -> str | None:
        """SHA-256 of a regular file no larger than ``limit``; None if not hashable."""
        try:
            real = self.real(path)
            st = os.stat(real)
            if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
                return None
            digest = hashlib.sha256()
            with open(real, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()
        except (Unreadable, OSError):
            return None

    # -- patterns -------------------------------------------------------------------------
    def glob(self, pattern: str, max_results: int = 10_000) -> Iterator[Entry]:
        """Paths matching ``pattern`` (``*``, ``?``, ``[...]`` within one component).

        Folders that can't be listed are skipped silently: a pattern is a question, not a
        promise that the place exists.
        """
        parts = self.parts(pattern)
        if not parts:
            return
        if self.platform == "windows":
            m = _DRIVE.match(pattern)
            start = (m.group(0) if m else "C:") + "\\"
        else:
            start = "/"
        count = 0
        frontier = [start]
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            wild = any(c in part for c in "*?[")
            nxt = []
            for folder in frontier:
                if not wild:
                    path = self.join(folder, part)
                    try:
                        real = self.real(path)
                    except Unreadable:
                        continue
                    if not os.path.lexists(real):
                        continue
                    is_dir = os.path.isdir(real)
                    if last:
                        yield Entry(self.basename(path), path, is_dir, os.path.islink(real))
                        count += 1
                        if count >= max_results:
                            return
                    elif is_dir:
                        nxt.append(path)
                    continue
                try:
                    entries = self.list(folder)
                except Unreadable:
                    continue
                rx = re.compile(fnmatch.translate(part), re.IGNORECASE if self.case_insensitive else 0)
                for entry in entries:
                    if not rx.match(entry.name):
                        continue
                    if last:
                        yield entry
                        count += 1
                        if count >= max_results:
                            return
                    elif entry.is_dir:
                        nxt.append(entry.path)
            frontier = nxt
            if not frontier:
                return

    def user_homes(self) -> list[tuple[str, str]]:
        """(user name, home folder) for every user folder on the machine."""
        if self.platform == "windows":
            base, skip = "C:\\Users", {"public", "default", "default user", "all users", "defaultapppool"}
        elif self.platform == "macos":
            base, skip = "/Users", {"shared", "guest"}
        else:
            base, skip = "/home", set()
        homes = []
        try:
            for entry in self.list(base):
                if entry.is_dir and entry.name.casefold() not in skip and not entry.name.startswith("."):
                    homes.append((entry.name, entry.path))
        except Unreadable:
            pass
        if self.platform == "linux" and self.is_dir("/root"):
            homes.append(("root", "/root"))
        if self.live and self.platform != "windows":
            home = os.path.expanduser("~")
            if home and all(h != home for _, h in homes) and os.path.isdir(home):
                homes.append((os.path.basename(home) or home, home))
        return homes
