"""The Windows registry, live (winreg) or from hive files on a disk (regipy).

Keys are named the way people write them: ``HKLM\\SOFTWARE\\…``, ``HKLM\\SYSTEM\\CurrentControlSet\\…``,
``HKCU\\Software\\…``. HKCU means "each user": :meth:`Registry.users` lists the users whose
hives can be read, and :meth:`Registry.key` takes the user for an HKCU path.

INTERFACE (implemented by LiveRegistry and HiveRegistry):
    users() -> list[str]                      user names whose HKCU can be read
    key(path, user=None) -> Key | None        None when the key does not exist
    windows_version() -> str                  "Windows 10 Pro 22H2 (build 19045)" or ""
    problems -> list[NotRead-like tuples]     (reason, detail) of hives that could not be read
Key:
    path: str                                 as asked, normalised (HKLM\\SOFTWARE\\X)
    name: str                                 last component
    modified: float | None                    last write time, seconds since the epoch
    values() -> list[tuple[str, object]]      (name, data); default value named ""
    value(name) -> object | None
    subkeys() -> list[str]                    names of sub-keys
    subkey(name) -> Key | None
"""
from __future__ import annotations

import io
import itertools
import logging
import os
import stat
import threading

from ..deadline import check_deadline
from .fs import PagedFile, Unreadable

# regipy reports damaged cells through logging; with no handler configured Python prints them
# to stderr. A damaged hive becomes a note in the scan, never text on the terminal.
logging.getLogger("regipy").addHandler(logging.NullHandler())
logging.getLogger("regipy").propagate = False

# Hives larger than this are not opened (a real SOFTWARE hive is 50–200 MB; regipy holds the
# whole file in memory).
MAX_HIVE_BYTES = 512 * 1024 * 1024
# Hives up to this size are read whole, in one read (a user's NTUSER.DAT, most SYSTEM hives);
# larger ones (SOFTWARE: 50–200 MB) in bounded pieces, at most HIVE_PAGES MiB of them in memory
# at once (checks/sources/fs.py PagedFile). docs/performance.md has the measurements.
WHOLE_HIVE_BYTES = 32 * 1024 * 1024
HIVE_PAGES = 32
# A damaged or hostile hive can claim billions of sub-keys or values (an index of indexes all
# naming the same list); no real key holds this many, and reading stops there.
MAX_SUBKEYS = 100_000
MAX_VALUES = 20_000
_EPOCH_AS_FILETIME = 116_444_736_000_000_000


class Key:
    path: str
    name: str
    modified: float | None = None

    def values(self) -> list[tuple[str, object]]:
        raise NotImplementedError

    def value(self, name: str) -> object | None:
        for n, v in self.values():
            if n.casefold() == name.casefold():
                return v
        return None

    def subkeys(self) -> list[str]:
        raise NotImplementedError

    def subkey(self, name: str) -> "Key | None":
        raise NotImplementedError


class Registry:
    problems: list[tuple[str, str]]

    def users(self) -> list[str]:
        raise NotImplementedError

    def key(self, path: str, user: str | None = None) -> Key | None:
        raise NotImplementedError

    def windows_version(self) -> str:
        return ""


def split_path(path: str) -> tuple[str, list[str]]:
    """("HKLM", ["SOFTWARE", "X"]) for ``HKLM\\SOFTWARE\\X``; long root names are shortened."""
    parts = [p for p in path.replace("/", "\\").split("\\") if p]
    if not parts:
        return "", []
    root = {"hkey_local_machine": "HKLM", "hkey_current_user": "HKCU", "hkey_users": "HKU",
            "hkey_classes_root": "HKCR"}.get(parts[0].lower(), parts[0].upper())
    if root == "HKCR":
        return "HKLM", ["SOFTWARE", "Classes"] + parts[1:]
    return root, parts[1:]


def filetime_to_epoch(value) -> float | None:
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    if value <= _EPOCH_AS_FILETIME:
        return None
    return (value - _EPOCH_AS_FILETIME) / 10_000_000


class LiveRegistry(Registry):
    """winreg on a running Windows: HKLM, and HKCU for each user whose hive is loaded.

    The person running the check is HKEY_CURRENT_USER. Other people's hives are loaded under
    HKEY_USERS\\<SID> only while they are logged in (or a service runs as them); those that
    are, and can be opened, are read too, named by their profile folder. Keys are opened in
    the 64-bit view, so a 32-bit Python sees what Windows' own tools show.
    """

    PROFILES = "SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList"

    def __init__(self):
        import winreg  # noqa: F401 - only on Windows
        self.problems = []
        self._user = os.environ.get("USERNAME") or ""
        self._sids: dict[str, tuple[str, str]] | None = None

    def _access(self) -> int:
        import winreg
        return winreg.KEY_READ | getattr(winreg, "KEY_WOW64_64KEY", 0)

    def _loaded_users(self) -> dict[str, tuple[str, str]]:
        """{user name (casefolded): (user name, SID)} of the other people whose hives are loaded."""
        if self._sids is None:
            import winreg
            self._sids = {}
            try:
                with winreg.OpenKey(winreg.HKEY_USERS, "", 0, self._access()) as users:
                    for i in range(10_000):
                        try:
                            sid = winreg.EnumKey(users, i)
                        except OSError:
                            break
                        if not sid.startswith("S-1-5-21-") or sid.endswith("_Classes"):
                            continue                  # built-in accounts and class hives
                        name = self._profile_name(sid)
                        if name and name.casefold() != self._user.casefold():
                            self._sids.setdefault(name.casefold(), (name, sid))
            except OSError:
                pass
        return self._sids

    def _profile_name(self, sid: str) -> str:
        import winreg
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, f"{self.PROFILES}\\{sid}", 0, self._access()) as key:
                path, _ = winreg.QueryValueEx(key, "ProfileImagePath")
        except OSError:
            return ""
        return str(path).replace("/", "\\").rstrip("\\").rsplit("\\", 1)[-1]

    def users(self) -> list[str]:
        others = sorted(name for name, _ in self._loaded_users().values())
        return ([self._user] if self._user else []) + others

    def key(self, path: str, user: str | None = None) -> Key | None:
        import winreg
        root, parts = split_path(path)
        sub = "\\".join(parts)
        if root == "HKCU":
            if user is None or user.casefold() == self._user.casefold():
                base = winreg.HKEY_CURRENT_USER
            else:
                found = self._loaded_users().get(user.casefold())
                if found is None:
                    return None               # their hive is not loaded on a live machine
                sid = found[1]
                base, sub = winreg.HKEY_USERS, f"{sid}\\{sub}" if sub else sid
        elif root == "HKLM":
            base = winreg.HKEY_LOCAL_MACHINE
        else:
            return None
        try:
            handle = winreg.OpenKey(base, sub, 0, self._access())
        except OSError:
            return None
        return _LiveKey(handle, "\\".join([root] + parts), self._access())

    def windows_version(self) -> str:
        return _version_from(self.key("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"))


class _LiveKey(Key):
    def __init__(self, handle, path: str, access: int):
        import winreg
        self._handle = handle
        self._access = access
        self.path = path
        self.name = path.rsplit("\\", 1)[-1]
        try:
            _, _, modified = winreg.QueryInfoKey(handle)
            self.modified = filetime_to_epoch(modified)
        except OSError:
            self.modified = None

    def __del__(self):
        try:
            self._handle.Close()
        except Exception:  # noqa: BLE001 - closing a handle never matters to a scan
            pass

    def values(self) -> list[tuple[str, object]]:
        import winreg
        out = []
        for i in range(MAX_VALUES):
            try:
                name, data, _ = winreg.EnumValue(self._handle, i)
            except OSError:
                break
            out.append((name, data))
        return out

    def subkeys(self) -> list[str]:
        import winreg
        out = []
        for i in range(MAX_SUBKEYS):
            try:
                out.append(winreg.EnumKey(self._handle, i))
            except OSError:
                break
        return out

    def subkey(self, name: str) -> Key | None:
        import winreg
        try:
            handle = winreg.OpenKey(self._handle, name, 0, self._access)
        except OSError:
            return None
        return _LiveKey(handle, f"{self.path}\\{name}", self._access)


class HiveRegistry(Registry):
    """Hive files under an offline Windows root, read with regipy.

    SOFTWARE and SYSTEM come from ``C:\\Windows\\System32\\config``, each user's HKCU from
    ``C:\\Users\\<name>\\NTUSER.DAT``. A hive is opened the first time a key in it is asked for;
    one that is missing or damaged is named once in ``problems`` and its keys read as absent.

    Linear time: each key's sub-keys and values are parsed once, the first time they are asked
    for, and kept indexed by name (:class:`_Node`), so ``for name in key.subkeys():
    key.subkey(name)`` costs one parse of the list, not one per name, and a path is walked by
    dictionary look-ups from the nearest key already known. (regipy's own ``get_subkey`` parses
    every sibling until the name matches, and ``get_value`` every value.)

    No shared stream: the hive's bytes are read once and never change; every thread reads
    them through its own stream, so a check that overran its time and is still unwinding can
    never move another check's read position (which once made a whole hive read as damaged).
    """

    SYSTEM_HIVES = {"SOFTWARE": "C:\\Windows\\System32\\config\\SOFTWARE",
                    "SYSTEM": "C:\\Windows\\System32\\config\\SYSTEM"}

    def __init__(self, fs):
        self.fs = fs
        self.problems: list[tuple[str, str]] = []
        self._hives: dict[str, _Hive | None] = {}
        self._homes = None
        self._control_set = None
        self._lock = threading.Lock()

    # -- hives ---------------------------------------------------------------------------
    def _homes_by_name(self) -> dict[str, str]:
        if self._homes is None:
            try:
                self._homes = {name.casefold(): home for name, home in self.fs.user_homes()}
            except Unreadable:
                self._homes = {}
        return self._homes

    def _hive_path(self, which: str) -> str | None:
        if which in self.SYSTEM_HIVES:
            return self.SYSTEM_HIVES[which]
        home = self._homes_by_name().get(which.split(":", 1)[1].casefold())
        return self.fs.join(home, "NTUSER.DAT") if home else None

    def _hive(self, which: str) -> "_Hive | None":
        with self._lock:
            if which in self._hives:
                return self._hives[which]
            hive = None
            path = self._hive_path(which)
            if path is not None:
                hive = self._open(which, path)
            self._hives[which] = hive
            return hive

    def _open(self, which: str, path: str) -> "_Hive | None":
        """Read one hive file, or name it in ``problems`` and return None.

        The path is resolved by the FileSystem (links re-rooted, never outside the disk) and
        the file is opened without following a last link, so what is parsed is the file the
        FileSystem named. A hive up to WHOLE_HIVE_BYTES is read whole, once (a hive is a web of
        offsets into itself); a larger one is read in bounded pieces as its keys are asked for.
        """
        try:
            real = self.fs.real(path)
        except Unreadable as exc:
            if exc.reason != "absent" or which in self.SYSTEM_HIVES:
                self.problems.append((exc.reason, exc.detail if path in exc.detail else f"{path}: {exc.detail}"))
            return None
        try:
            fd = self.fs.open_fd(real, path)        # the one reader: never a FIFO or a device
        except Unreadable as exc:
            self.problems.append((exc.reason, exc.detail))
            return None
        except OSError as exc:
            reason = "permission" if isinstance(exc, PermissionError) else (
                "absent" if isinstance(exc, FileNotFoundError) else "error")
            if reason != "absent" or which in self.SYSTEM_HIVES:
                self.problems.append((reason, f"{path}: {exc.strerror or exc}"))
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self.problems.append(("error", f"{path} is not a file"))
                return None
            if st.st_size > MAX_HIVE_BYTES:
                self.problems.append(("error", f"{path} is larger than {MAX_HIVE_BYTES // (1 << 20)} MB"))
                return None
            if st.st_size > WHOLE_HIVE_BYTES:
                data: bytes | PagedFile = PagedFile(fd, st.st_size, HIVE_PAGES)
                fd = -1                                 # the pages own it now, and close it
            else:
                data = _read_whole(fd, st.st_size)
            hive = _Hive(data, lambda: self.problems.append((
                "error", f"{path} is damaged in places: some keys or values could not be read; everything "
                         "else in it was read")))
            hive.node(hive.root_offset)               # parsing the root proves the file is a hive
            return hive
        except PermissionError:
            self.problems.append(("permission", f"{path}: permission denied"))
        except Exception as exc:  # noqa: BLE001 - any damage in a hive file ends here
            self.problems.append(("error", f"{path} is not a readable registry hive ({type(exc).__name__})"))
        finally:
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass
        return None

    def _damaged(self, which: str, exc: Exception) -> None:
        with self._lock:
            if self._hives.get(which) is not None:
                self.problems.append(("error", f"{self._hive_path(which)} is damaged ({type(exc).__name__})"))
            self._hives[which] = None

    # -- the interface -------------------------------------------------------------------
    def users(self) -> list[str]:
        out = []
        for name, home in (self.fs.user_homes() if self._homes_by_name() else []):
            if self._hive(f"USER:{name}") is not None:
                out.append(name)
        return out

    def _current_control_set(self) -> str:
        if self._control_set is None:
            control_set = "ControlSet001"
            select = self._lookup("SYSTEM", ["Select"], "HKLM\\SYSTEM\\Select")
            current = select.value("Current") if select is not None else None
            if isinstance(current, int) and 0 < current < 1000:
                control_set = f"ControlSet{current:03d}"
            self._control_set = control_set
        return self._control_set

    def key(self, path: str, user: str | None = None) -> Key | None:
        root, parts = split_path(path)
        if root == "HKLM":
            if not parts or parts[0].upper() not in self.SYSTEM_HIVES:
                return None
            which, inside = parts[0].upper(), parts[1:]
            if which == "SYSTEM" and inside and inside[0].lower() == "currentcontrolset":
                inside = [self._current_control_set()] + inside[1:]
        elif root == "HKCU" and user:
            which, inside = f"USER:{user}", parts
        else:
            return None
        return self._lookup(which, inside, "\\".join([root] + parts))

    def _lookup(self, which: str, inside: list[str], shown: str) -> Key | None:
        hive = self._hive(which)
        if hive is None:
            return None
        check_deadline()
        try:
            node = hive.find(inside)
        except Exception as exc:  # noqa: BLE001
            self._damaged(which, exc)
            return None
        return _HiveKey(self, which, hive, node, shown) if node is not None else None

    def windows_version(self) -> str:
        return _version_from(self.key("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"))


class _Node:
    """One key of a hive, parsed once: name, time, and (when first asked) sub-keys and values."""

    __slots__ = ("name", "modified", "subkey_count", "values_count", "list_offset", "values_offset",
                 "children", "child_names", "values", "value_index")

    def __init__(self, record):
        header = record.header
        self.name = record.name
        self.modified = filetime_to_epoch(getattr(header, "last_modified", None))
        self.subkey_count = record.subkey_count
        self.values_count = record.values_count
        self.children: dict[str, int] | None = None     # casefolded name -> offset of its nk cell
        self.child_names: list[str] | None = None
        self.values: list[tuple[str, object]] | None = None
        self.value_index: dict[str, object] | None = None


def _read_whole(fd: int, size: int) -> bytes:
    """The file's ``size`` bytes in one piece. One read gives a regular file's whole content, so
    no second copy is made (chunks joined at the end held the hive twice, briefly)."""
    data = os.read(fd, size)
    if len(data) < size:                        # a short read: finish it in pieces
        chunks, left = [data], size - len(data)
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    return data


class _Hive:
    """One hive's bytes, its nodes by offset, and a path cache; read through per-thread streams."""

    def __init__(self, data: "bytes | PagedFile", on_first_damage=None):
        from regipy.structs import REGF_HEADER, REGF_HEADER_SIZE
        self._data = data
        self._on_first_damage = on_first_damage
        self._damage_lock = threading.Lock()
        self._local = threading.local()
        header = REGF_HEADER.parse(data[:REGF_HEADER_SIZE])
        self.root_offset = REGF_HEADER_SIZE + header.root_key_offset
        self._nodes: dict[int, _Node] = {}
        self.damaged = 0                                  # keys or value lists that could not be read
        self._paths: dict[tuple[str, ...], int] = {(): self.root_offset}

    def _damage(self) -> None:
        """Count one part that could not be read; the hive's one note is made the first time."""
        with self._damage_lock:
            self.damaged += 1
            first = self.damaged == 1
        if first and self._on_first_damage is not None:
            self._on_first_damage()

    def _stream(self):
        stream = getattr(self._local, "stream", None)
        if stream is None:
            stream = self._local.stream = (_Stream(self._data) if isinstance(self._data, bytes)   # shares the bytes,
                                           else _PagedStream(self._data))                       # own position
        return stream

    def _record(self, offset: int):
        from regipy.registry import Cell, NKRecord
        # an nk cell: 4 bytes of size, 2 of signature, then the key node
        if offset < 0 or offset + 6 > len(self._data) or self._data[offset + 4:offset + 6] != b"nk":
            raise ValueError(f"no key at offset {offset}")
        return NKRecord(Cell(cell_type="nk", offset=offset + 6, size=0), self._stream())

    def node(self, offset: int) -> _Node:
        node = self._nodes.get(offset)
        if node is None:
            node = self._nodes[offset] = _Node(self._record(offset))
        return node

    def find(self, parts: list[str]) -> "tuple[int, _Node] | None":
        """(offset, node) of the key at ``parts`` below the root, walked from the nearest known key."""
        folded = tuple(p.casefold() for p in parts)
        depth = len(folded)
        while depth > 0 and folded[:depth] not in self._paths:
            depth -= 1
        offset = self._paths[folded[:depth]]
        for i in range(depth, len(folded)):
            offset = self.children(offset).get(folded[i])
            if offset is None:
                return None
            self._paths[folded[:i + 1]] = offset
        return offset, self.node(offset)

    def children(self, offset: int) -> dict[str, int]:
        node = self.node(offset)
        if node.children is None:
            from regipy.structs import INDEX_ROOT, REGF_HEADER_SIZE
            names, index = [], {}
            if node.subkey_count:
                record = self._record(offset)
                stream = record._stream
                stream.seek(REGF_HEADER_SIZE + 4 + record.header.subkeys_list_offset)
                signature = stream.read(2)
                lists = []
                if signature == b"ri":
                    try:
                        root = INDEX_ROOT.parse_stream(stream)
                        lists = [REGF_HEADER_SIZE + 4 + e.subkey_list_offset for e in root.elements[:MAX_SUBKEYS]]
                    except (ValueError, StreamError):
                        self._damage()
                        lists = []
                else:
                    lists = [REGF_HEADER_SIZE + 4 + record.header.subkeys_list_offset]
                for start in lists:
                    check_deadline()
                    stream.seek(start)
                    try:
                        offsets = _leaf_offsets(stream)
                    except (ValueError, StreamError):
                        self._damage()                # a list that is not one: its keys are lost
                        continue
                    for child_offset in offsets:
                        try:
                            child = self.node(REGF_HEADER_SIZE + child_offset)
                        except (ValueError, StreamError, TypeError):
                            self._damage()            # one damaged key; its siblings are still read
                            continue
                        if child.name.casefold() not in index:
                            index[child.name.casefold()] = REGF_HEADER_SIZE + child_offset
                            names.append(child.name)
                        if len(names) >= MAX_SUBKEYS:
                            break
                    if len(names) >= MAX_SUBKEYS:
                        break
            node.child_names, node.children = names, index
        return node.children

    def child_names(self, offset: int) -> list[str]:
        self.children(offset)
        return self.node(offset).child_names or []

    def values(self, offset: int) -> tuple[list[tuple[str, object]], dict[str, object]]:
        node = self.node(offset)
        if node.values is None:
            out, index = [], {}
            if node.values_count:
                record = self._record(offset)
                try:
                    for v in itertools.islice(record.iter_values(trim_values=False) or (), MAX_VALUES):
                        name = "" if v.name == "(default)" else v.name
                        out.append((name, v.value))
                        index.setdefault(name.casefold(), v.value)
                    if len(out) < min(node.values_count, MAX_VALUES):
                        self._damage()                # regipy stopped at a damaged value
                except Exception:  # noqa: BLE001 - a damaged value list: the values read so far stand
                    self._damage()
            node.value_index, node.values = index, out
        return node.values, node.value_index


class _Stream(io.BytesIO):
    """A hive's bytes with one thread's read position.

    A small value (a DWORD, or up to four bytes) is stored in the value record itself, which
    says so with the top bit of its size; regipy still reads ``size`` bytes from the data
    offset, i.e. a copy of the rest of the hive for every DWORD, which made reading values
    quadratic in the hive's size. Such a read returns nothing here (regipy takes the DWORD from
    the record, not from what it read).
    """

    def read(self, size=-1):
        if size is not None and size >= 0x80000000:
            return b""
        return super().read(size)


class _PagedStream:
    """A hive read in bounded pieces (PagedFile), with one thread's read position; reads the way
    _Stream does (a small value's claimed size reads nothing)."""

    def __init__(self, pages: PagedFile):
        self._pages = pages
        self._pos = 0
        self._base = 0              # the page this stream last read, kept: most reads stay in it
        self._page = b""

    def read(self, size=-1):
        if size is not None and size >= 0x80000000:
            return b""
        pos = self._pos
        if size is None or size < 0:
            size = len(self._pages) - pos
        off = pos - self._base
        if 0 <= off and off + size <= len(self._page):
            self._pos = pos + size
            return self._page[off:off + size]
        if size <= PagedFile.PAGE:
            start = pos - pos % PagedFile.PAGE
            self._base, self._page = start, self._pages.read_at(start, PagedFile.PAGE)
            off = pos - start
            if off + size <= len(self._page):
                self._pos = pos + size
                return self._page[off:off + size]
        data = self._pages.read_at(pos, size)
        self._pos = pos + len(data)
        return data

    def seek(self, offset, whence=0):
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            offset += len(self._pages)
        elif whence != 0:
            raise ValueError(f"invalid whence ({whence})")
        if offset < 0:
            raise ValueError(f"negative seek value {offset}")
        self._pos = offset
        return offset

    def tell(self):
        return self._pos


try:
    from construct import ConstructError as StreamError      # every parse error of construct
except ImportError:  # pragma: no cover - construct comes with regipy
    StreamError = ValueError


def _leaf_offsets(stream):
    """The key offsets of one lf/lh/li list at the stream's position (signature included)."""
    from regipy.structs import INDEX_LEAF, LF_LH_SK_ELEMENT
    signature = stream.read(2)
    if signature in (b"lf", b"lh"):
        leaf = LF_LH_SK_ELEMENT.parse_stream(stream)
        return [e.key_node_offset for e in leaf.elements[:MAX_SUBKEYS]]
    if signature == b"li":
        leaf = INDEX_LEAF.parse_stream(stream)
        return [getattr(e, "key_node_offset", None) for e in leaf.elements[:MAX_SUBKEYS]]
    raise ValueError(f"unknown sub-key list {signature!r}")


class _HiveKey(Key):
    def __init__(self, registry: HiveRegistry, which: str, hive: _Hive, found: tuple[int, _Node], path: str):
        self._registry, self._which, self._hive = registry, which, hive
        self._offset, node = found
        self.path = path
        self.name = node.name
        self.modified = node.modified

    def values(self) -> list[tuple[str, object]]:
        check_deadline()
        try:
            return list(self._hive.values(self._offset)[0])
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def value(self, name: str) -> object | None:
        try:
            return self._hive.values(self._offset)[1].get(name.casefold())
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return None

    def subkeys(self) -> list[str]:
        check_deadline()
        try:
            return list(self._hive.child_names(self._offset))
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def subkey(self, name: str) -> Key | None:
        try:
            child = self._hive.children(self._offset).get(name.casefold())
            if child is None:
                return None
            node = self._hive.node(child)
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return None
        return _HiveKey(self._registry, self._which, self._hive, (child, node), f"{self.path}\\{node.name}")


def _version_from(key: Key | None) -> str:
    if key is None:
        return ""
    name = str(key.value("ProductName") or "").strip()
    build = str(key.value("CurrentBuild") or key.value("CurrentBuildNumber") or "").strip()
    display = str(key.value("DisplayVersion") or key.value("ReleaseId") or "").strip()
    if name and build.isdigit() and int(build) >= 22000 and "Windows 10" in name:
        name = name.replace("Windows 10", "Windows 11")   # Windows 11 still says 10 here
    text = " ".join(x for x in (name, display) if x)
    return f"{text} (build {build})" if text and build else text
