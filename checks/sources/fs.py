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

This is the one reader every source uses (a test fails if a source opens or lists files another
way). The scanned machine may be hostile, so:

* only regular files are ever opened: a FIFO, socket or device is refused before it is opened
  (``lstat``/``stat``) and again after (``fstat``), and files are opened ``O_NONBLOCK`` (and
  ``O_NOFOLLOW`` offline, where links are resolved by :meth:`FileSystem.real`), so no read can
  wait for a writer that never comes;
* every read is bounded in size, every listing in entries, every walk in depth and entries, and
  a walk never enters the same folder twice (no circles) or leaves the root;
* hashing reads regular files only, each file (device and inode) once, within a byte and time
  budget for the whole scan; what is skipped is noted;
* what the reader leaves out is noted in :attr:`FileSystem.problems` (the engine hands the notes
  to the source that was running), never dropped silently;
* :meth:`FileSystem.busy_with` tells which path a thread is reading, so a time-out can name
  what hung;
* one policy for text encodings: :func:`decode_text`.
"""
from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import re
import stat
import threading
import time
from typing import Iterator

from msgspec import Struct

from ..i18n import N_
from ..snapshot import Words

MAX_LINK_HOPS = 40
HASH_LIMIT = 64 * 1024 * 1024          # files larger than this are not hashed
READ_LIMIT = 65 * 1024 * 1024          # the most any one read returns (dpkg status: 64 MB)
MAX_LISTING = 1_000_000                # entries one folder listing returns at most
HASH_BYTES_BUDGET = 2 * 1024 ** 3      # bytes hashed in a whole scan at most
HASH_TIME_BUDGET = 30.0                # seconds spent hashing in a whole scan at most
MAX_PROBLEMS = 200                     # notes kept between two drains
_FOLDER_CACHE = 20_000                 # resolved folders kept (offline)

_O_READ = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
           | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def refused(path: str, mode: int) -> Words:
    """Why the reader refuses something that is not a file, in words (one sentence per kind)."""
    if stat.S_ISFIFO(mode):
        message = N_("{path} is a FIFO (a pipe that could make the check wait for ever), not read")
    elif stat.S_ISSOCK(mode):
        message = N_("{path} is a socket, not read")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        message = N_("{path} is a device, not read")
    elif stat.S_ISDIR(mode):
        message = N_("{path} is a folder, not read")
    else:
        message = N_("{path} is not a regular file, not read")
    return Words.of(message, path=path)


def decode_text(data: bytes) -> str:
    """The one encoding policy: a BOM (UTF-8, UTF-16, UTF-32) wins; UTF-16 without a BOM is
    recognised by its zero bytes; otherwise UTF-8. Undecodable bytes become U+FFFD."""
    for bom, enc in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                     (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    head = data[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        if head[1::2].count(0) > head[0::2].count(0):
            return data.decode("utf-16-le", errors="replace")
        return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


class Unreadable(Exception):
    """A path could not be read; ``reason`` is one of checks.snapshot.REASONS. ``detail`` is a
    path or the system's own error text, or ``Words`` for a sentence of ours: then ``detail``
    holds its English and ``words`` the words to say in the person's language."""

    def __init__(self, reason: str, detail: str | Words):
        self.words = detail if isinstance(detail, Words) else None
        detail = self.words.said() if self.words is not None else detail
        super().__init__(detail)
        self.reason = reason
        self.detail = detail

    @property
    def said(self) -> str | Words:
        """What to hand on to be said: the words when there are some, else the text."""
        return self.words if self.words is not None else self.detail


def reason_of(exc: OSError) -> str:
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return "permission"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError)) or exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "absent"
    return "error"


_DRIVE = re.compile(r"^[A-Za-z]:")


class PagedFile:
    """A regular file read in bounded pieces (issue 15): pages of ``PAGE`` bytes are read with
    ``os.pread`` the first time they are needed, and at most ``max_pages`` are kept (the least
    recently used is dropped), so a 200 MB registry hive costs a few dozen MB of memory, not
    its size. Not memory-mapped on purpose: a mapped file that shrinks while it is read (another
    program, a network or FUSE disk) kills the process with SIGBUS; a short read here is only
    bytes missing, which the parser reports as damage. Thread-safe; ``size`` is fixed at open.
    Use ``data[a:b]`` (a slice, as of bytes) or ``read_at``; ``close()`` when done."""

    PAGE = 1 << 20

    def __init__(self, fd: int, size: int, max_pages: int = 32):
        import collections
        import weakref
        self._fd = fd
        self.size = size
        self._max = max(2, max_pages)
        self._pages: "collections.OrderedDict[int, bytes]" = collections.OrderedDict()
        self._lock = threading.Lock()
        self._closer = weakref.finalize(self, os.close, fd)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, item: slice) -> bytes:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("a PagedFile is read by slices")
        start, stop, _ = item.indices(self.size)
        return self.read_at(start, stop - start)

    def _page(self, n: int) -> bytes:
        with self._lock:
            page = self._pages.get(n)
            if page is not None:
                self._pages.move_to_end(n)
                return page
            page = os.pread(self._fd, self.PAGE, n * self.PAGE)
            self._pages[n] = page
            if len(self._pages) > self._max:
                self._pages.popitem(last=False)
            return page

    def read_at(self, start: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``start`` (fewer at the end of the file)."""
        end = min(self.size, start + max(0, length))
        if start < 0 or start >= end:
            return b""
        size = self.PAGE
        first, last = start // size, (end - 1) // size
        if first == last:
            off = start - first * size
            return self._page(first)[off:off + end - start]
        parts = [self._page(first)[start - first * size:]]
        parts += [self._page(n) for n in range(first + 1, last)]
        parts.append(self._page(last)[:end - last * size])
        return b"".join(parts)

    def close(self) -> None:
        with self._lock:
            self._pages.clear()
        self._closer()


class Entry(Struct, frozen=True):
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
        self.problems: list[tuple[str, str, str]] = []      # (reason, detail, what), drained by the engine
        self._dropped = 0
        self._lock = threading.Lock()
        self._busy: dict[int, str] = {}
        self._folders: dict[tuple[str, ...], str] = {}      # resolved folders (offline)
        self._hashes: dict[tuple[int, int, int, int], str] = {}
        self._hash_bytes = 0
        self._hash_seconds = 0.0

    @property
    def live(self) -> bool:
        return self.root is None

    # -- what the reader left out, and what it is doing -----------------------------------
    def note(self, reason: str, detail: str, what: str = "") -> None:
        """Something the reader refused or cut short; the engine gives it to the running source."""
        with self._lock:
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.append((reason, detail, what))
            else:
                self._dropped += 1

    def drain(self) -> list[tuple[str, str, str]]:
        """The notes since the last drain (one summary note for those beyond the cap)."""
        with self._lock:
            out, self.problems = self.problems, []
            if self._dropped:
                out.append(("error", f"and {self._dropped:,} more things the reader refused or cut short", ""))
                self._dropped = 0
        return out

    def _mark(self, path: str) -> None:
        self._busy[threading.get_ident()] = path

    def idle(self) -> None:
        """The calling thread starts a new step: it is reading nothing yet."""
        self._busy.pop(threading.get_ident(), None)

    def busy_with(self, thread_id: int | None) -> str | None:
        """The last path the thread ``thread_id`` opened or listed (to name what hung)."""
        return self._busy.get(thread_id) if thread_id is not None else None

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

        Raises Unreadable("absent") when a component is missing. Offline, the folder part of a
        path is resolved once and remembered, so the files of one folder cost one ``lstat`` each.
        """
        if self.live:
            if self.platform == "windows" and os.name != "nt":
                raise Unreadable("unsupported", Words(N_("a live Windows path on another OS")))
            return path
        parts = self.parts(path)
        if not parts:
            return self.root
        key = tuple(parts[:-1])
        folder = self._folders.get(key)
        if folder is None:
            folder = self._resolve(self.root, list(key), path)
            if len(self._folders) >= _FOLDER_CACHE:
                self._folders.clear()
            self._folders[key] = folder
        return self._resolve(folder, parts[-1:], path)

    def _resolve(self, current: str, todo: list[str], path: str) -> str:
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
                try:
                    st = os.lstat(candidate)
                except OSError as exc:
                    raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
            except OSError as exc:
                raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
            if stat.S_ISLNK(st.st_mode):
                hops += 1
                if hops > MAX_LINK_HOPS:
                    raise Unreadable("error", Words.of(N_("{path}: too many links (a link loop)"), path=path))
                try:
                    target = os.readlink(candidate)
                except OSError as exc:
                    raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
                if target.startswith("/") or (self.platform == "windows" and (_DRIVE.match(target) or target.startswith("\\"))):
                    current = self.root
                todo[:0] = self.parts(target)
                continue
            current = candidate
        return current

    def _case_match(self, folder: str, name: str) -> str | None:
        if not self.case_insensitive:
            return None
        try:
            wanted = name.casefold()
            with os.scandir(folder) as it:
                for n, de in enumerate(it):
                    if de.name.casefold() == wanted:
                        return de.name
                    if n >= MAX_LISTING:
                        return None
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

    def list(self, path: str, limit: int = MAX_LISTING) -> list[Entry]:
        """The entries of a folder, sorted by name; at most ``limit`` (the cut is noted). Raises Unreadable."""
        real = self.real(path)
        self._mark(path)
        # self.join(path, name), worked out once per folder: a name that neither starts nor ends
        # with a separator join would strip is simply appended (thousands of entries a scan).
        base = path.rstrip("\\/") + self.sep
        strip = "\\/" if self.platform == "windows" else "/"
        try:
            with os.scandir(real) as it:
                items = []
                for de in it:
                    if len(items) >= limit:
                        self.note("error", Words.of(N_("{path}: more than {most} entries; only the first were read"), path=path, most=f"{limit:,}"), path)
                        break
                    is_link = de.is_symlink()
                    if is_link:
                        try:
                            is_dir = os.path.isdir(self.real(self.join(path, de.name))) if not self.live \
                                else de.is_dir(follow_symlinks=True)
                        except (Unreadable, OSError):
                            is_dir = False
                    else:
                        is_dir = de.is_dir(follow_symlinks=False)
                    name = de.name
                    full = base + name if name and name[0] not in strip and name[-1] not in strip \
                        else self.join(path, name)
                    items.append(Entry(name, full, is_dir, is_link))
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
        items.sort(key=lambda e: e.name)
        return items

    def walk(self, path: str, *, max_depth: int = 16, max_entries: int = 100_000,
             what: str = "") -> Iterator[Entry]:
        """Every file below ``path`` (folders first listed, then entered, breadth first).

        Never enters a folder twice (links in circles, a folder linked into itself), never
        leaves the root, goes at most ``max_depth`` folders deep and yields at most
        ``max_entries`` files; what it leaves out is noted. Raises Unreadable only for ``path``.
        """
        top = self.stat(path)
        seen = {(top.st_dev, top.st_ino)}
        queue = [(path, 0)]
        count = 0
        first = True
        while queue:
            folder, depth = queue.pop(0)
            try:
                entries = self.list(folder)
            except Unreadable as exc:
                if first:
                    raise
                if exc.reason != "absent":
                    self.note(exc.reason, exc.said, what or folder)
                continue
            first = False
            for entry in entries:
                if entry.is_dir:
                    try:
                        st = self.stat(entry.path)
                    except Unreadable:
                        continue
                    ident = (st.st_dev, st.st_ino)
                    if ident in seen:
                        continue                          # a circle, or a folder reached twice
                    if depth + 1 > max_depth:
                        self.note("error", Words.of(N_("{path}: more than {most} folders deep; not read"), path=entry.path, most=max_depth), what or path)
                        continue
                    seen.add(ident)
                    queue.append((entry.path, depth + 1))
                    continue
                count += 1
                if count > max_entries:
                    self.note("error", Words.of(N_("more than {most} files under {path}; only the first were read"), most=f"{max_entries:,}", path=path),
                              what or path)
                    return
                yield entry

    # -- reading ------------------------------------------------------------------------
    def open_fd(self, real: str, path: str | None = None) -> int:
        """A read-only descriptor for a regular file at the real path ``real``.

        Refuses FIFOs, sockets and devices before opening (``stat``) and after (``fstat``);
        opens ``O_NONBLOCK`` (and ``O_NOFOLLOW`` offline, where :meth:`real` resolved every
        link already). Raises OSError, or Unreadable for something that is not a file.
        """
        shown_path = path or real
        self._mark(shown_path)
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("error", refused(shown_path, st.st_mode))
        fd = os.open(real, _O_READ | (0 if self.live else _O_NOFOLLOW))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Unreadable("error", refused(shown_path, st.st_mode))
        except BaseException:
            os.close(fd)
            raise
        return fd

    def open_regular(self, path: str):
        """A binary file object for the regular file at the machine path ``path``. Raises Unreadable."""
        real = self.real(path)
        try:
            return os.fdopen(self.open_fd(real, path), "rb")
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None

    def open_paged(self, real: str, path: str | None = None, max_pages: int = 32) -> PagedFile:
        """The regular file at the real path ``real``, read in bounded pieces (:class:`PagedFile`),
        through :meth:`open_fd` (never a FIFO or a device; no last link followed offline). Raises
        OSError or Unreadable."""
        fd = self.open_fd(real, path)
        try:
            size = os.fstat(fd).st_size
        except BaseException:
            os.close(fd)
            raise
        return PagedFile(fd, size, max_pages)

    def read_bytes(self, path: str, limit: int = 16 * 1024 * 1024) -> bytes:
        """The first ``limit`` bytes of a regular file (at most READ_LIMIT). Raises Unreadable."""
        limit = min(limit, READ_LIMIT)
        with self.open_regular(path) as fh:
            try:
                return fh.read(limit)
            except OSError as exc:
                raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None

    def read_text(self, path: str, limit: int = 16 * 1024 * 1024) -> str:
        return decode_text(self.read_bytes(path, limit))

    def sqlite(self, path: str):
        """A read-only, immutable SQLite connection to the regular file at ``path`` (nothing
        written, not even a journal). Raises Unreadable."""
        import sqlite3
        from urllib.parse import quote
        real = self.real(path)
        try:
            os.close(self.open_fd(real, path))       # a FIFO or device is refused before SQLite opens it
            return sqlite3.connect(f"file:{quote(real)}?mode=ro&immutable=1", uri=True)
        except OSError as exc:
            raise Unreadable(reason_of(exc), f"{path}: {exc.strerror}") from None
        except sqlite3.Error as exc:
            raise Unreadable("error", f"{path}: {exc}") from None

    def sha256(self, path: str, limit: int = HASH_LIMIT) -> str | None:
        """SHA-256 of a regular file no larger than ``limit``; None if not hashed.

        Each file (device, inode, size, time) is hashed once however many names it has; the
        whole scan hashes at most HASH_BYTES_BUDGET bytes in HASH_TIME_BUDGET seconds. A file
        skipped for the budget or its size is noted.
        """
        try:
            real = self.real(path)
            st = os.stat(real)
        except (Unreadable, OSError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        key = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            done = self._hashes.get(key)
        if done is not None:
            return done
        if st.st_size > limit:
            self.note("error", Words.of(N_("{path}: larger than {size} MB, not hashed"), path=path, size=limit // (1024 * 1024)), N_("a file's fingerprint"))
            return None
        if self._hash_bytes + st.st_size > HASH_BYTES_BUDGET or self._hash_seconds > HASH_TIME_BUDGET:
            self.note("error", Words.of(N_("{path}: not hashed (the check's hashing budget is spent)"), path=path), N_("a file's fingerprint"))
            return None
        start = time.monotonic()
        digest = hashlib.sha256()
        read = 0
        try:
            with os.fdopen(self.open_fd(real, path), "rb") as fh:
                while read <= limit:
                    chunk = fh.read(1 << 20)
                    if not chunk:
                        break
                    read += len(chunk)
                    digest.update(chunk)
        except (Unreadable, OSError):
            return None
        finally:
            self._hash_bytes += read
            self._hash_seconds += time.monotonic() - start
        if read > limit:
            return None
        value = digest.hexdigest()
        with self._lock:
            self._hashes[key] = value
        return value

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


# -- structured files, bounded ------------------------------------------------------------------
MAX_ELEMENTS = 200_000                 # values a parsed plist or JSON document may hold, counted expanded


def bounded(value, limit: int = MAX_ELEMENTS):
    """``value`` itself, if it holds at most ``limit`` values counted as a reader would walk them
    (a shared array counts each time it is referred to: a small binary plist can refer to one
    array millions of times). Raises ValueError otherwise."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            raise ValueError(f"more than {limit:,} values")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return value


def parse_plist(data: bytes, limit: int = MAX_ELEMENTS):
    """A property list (XML or binary), bounded. Raises ValueError with plain words.

    Entity declarations are refused (no expansion); nesting too deep and documents holding more
    than ``limit`` values are refused."""
    import plistlib
    if not data.startswith(b"bplist") and b"<!entity" in data[:65536].lower():
        raise ValueError("a property list with entity declarations is not read")
    try:
        value = plistlib.loads(data)
    except RecursionError:
        raise ValueError("a property list nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - plistlib raises many kinds on junk
        raise ValueError(f"not a readable property list ({type(exc).__name__})") from None
    return bounded(value, limit)


# -- the live kernel's own files (/proc) -----------------------------------------------------------
def _kernel_path(path: str) -> str:
    if not (path == "/proc" or path.startswith("/proc/")):
        raise ValueError(f"{path} is not a /proc path; the machine's files are read through FileSystem")
    return path


def proc_text(path: str, limit: int = 65536) -> str | None:
    """A small file of the live kernel's /proc, read without blocking and bounded (no link
    followed at its last part); None if it can't be read. Only /proc paths are accepted."""
    fd = None
    try:
        fd = os.open(_kernel_path(path), _O_READ | _O_NOFOLLOW)
        return os.read(fd, limit).decode("utf-8", "surrogateescape")
    except OSError:
        return None
    finally:
        if fd is not None:
            os.close(fd)


def proc_list(path: str, limit: int = MAX_LISTING) -> list[str]:
    """The names in a /proc folder (at most ``limit``). Raises OSError like ``os.listdir``."""
    out = []
    with os.scandir(_kernel_path(path)) as it:
        for de in it:
            if len(out) >= limit:
                break
            out.append(de.name)
    return out
