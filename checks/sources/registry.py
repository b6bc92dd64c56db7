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

import itertools
import os
import stat
import threading

from .fs import Unreadable

# Hives larger than this are not opened (a real SOFTWARE hive is 50–200 MB; regipy holds the
# whole file in memory).
MAX_HIVE_BYTES = 512 * 1024 * 1024
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
    """

    SYSTEM_HIVES = {"SOFTWARE": "C:\\Windows\\System32\\config\\SOFTWARE",
                    "SYSTEM": "C:\\Windows\\System32\\config\\SYSTEM"}

    def __init__(self, fs):
        self.fs = fs
        self.problems = []
        self._hives: dict[str, object] = {}
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

    def _hive(self, which: str):
        with self._lock:
            if which in self._hives:
                return self._hives[which]
            hive = None
            path = self._hive_path(which)
            if path is not None:
                hive = self._open(which, path)
            self._hives[which] = hive
            return hive

    def _open(self, which: str, path: str):
        """Parse one hive file, or name it in ``problems`` and return None.

        The path is resolved by the FileSystem (links re-rooted, never outside the disk) and
        the file is opened without following a last link, so what is parsed is the file the
        FileSystem named; regipy reads it whole from the open descriptor.
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
            from regipy.registry import RegistryHive
            hive = RegistryHive(os.dup(fd))           # regipy reads the copy whole and closes it
            hive.root.name  # noqa: B018 - parsing the root proves the file is a hive
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
            self._control_set = "ControlSet001"
            select = self._lookup("SYSTEM", ["Select"], "HKLM\\SYSTEM\\Select")
            current = select.value("Current") if select is not None else None
            if isinstance(current, int) and 0 < current < 1000:
                self._control_set = f"ControlSet{current:03d}"
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
        try:
            node = hive.root
            for part in inside:
                node = _child(node, part)
                if node is None:
                    return None
            return _HiveKey(self, which, node, shown)
        except Exception as exc:  # noqa: BLE001
            self._damaged(which, exc)
            return None

    def windows_version(self) -> str:
        return _version_from(self.key("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"))


class _HiveKey(Key):
    def __init__(self, registry: HiveRegistry, which: str, node, path: str):
        self._registry, self._which, self._node = registry, which, node
        self.path = path
        self.name = node.name
        self.modified = filetime_to_epoch(getattr(node.header, "last_modified", None))

    def values(self) -> list[tuple[str, object]]:
        try:
            out = []
            for v in itertools.islice(self._node.iter_values(trim_values=False) or (), MAX_VALUES):
                name = "" if v.name == "(default)" else v.name
                out.append((name, v.value))
            return out
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def subkeys(self) -> list[str]:
        try:
            return [k.name for k in _children(self._node)]
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def subkey(self, name: str) -> Key | None:
        try:
            node = _child(self._node, name)
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return None
        return _HiveKey(self._registry, self._which, node, f"{self.path}\\{node.name}") if node else None


def _children(node) -> list:
    """A hive key's sub-keys (regipy records), at most MAX_SUBKEYS of them."""
    if not node.subkey_count:
        return []
    return list(itertools.islice(node.iter_subkeys() or (), MAX_SUBKEYS))


def _child(node, name: str):
    """The sub-key called ``name`` (any case), or None; reads at most MAX_SUBKEYS entries."""
    if not node.subkey_count:
        return None
    wanted = name.casefold()
    for sub in itertools.islice(node.iter_subkeys() or (), MAX_SUBKEYS):
        if sub.name.casefold() == wanted:
            return sub
    return None


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
