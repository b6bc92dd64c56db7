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

import os
import threading

from .fs import Unreadable

# Hives larger than this are not opened (a real SOFTWARE hive is 50–200 MB).
MAX_HIVE_BYTES = 1024 * 1024 * 1024
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
    """winreg on a running Windows: HKLM, and HKCU for the person running the check."""

    def __init__(self):
        import winreg  # noqa: F401 - only on Windows
        self.problems = []
        self._user = os.environ.get("USERNAME") or ""

    def users(self) -> list[str]:
        return [self._user] if self._user else []

    def key(self, path: str, user: str | None = None) -> Key | None:
        import winreg
        root, parts = split_path(path)
        if root == "HKCU":
            if user not in (None, self._user):
                return None           # other people's hives are not loaded on a live machine
            base = winreg.HKEY_CURRENT_USER
        elif root == "HKLM":
            base = winreg.HKEY_LOCAL_MACHINE
        else:
            return None
        sub = "\\".join(parts)
        try:
            handle = winreg.OpenKey(base, sub, 0, winreg.KEY_READ)
        except OSError:
            return None
        return _LiveKey(handle, f"{root}\\{sub}" if sub else root)

    def windows_version(self) -> str:
        return _version_from(self.key("HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"))


class _LiveKey(Key):
    def __init__(self, handle, path: str):
        import winreg
        self._handle = handle
        self.path = path
        self.name = path.rsplit("\\", 1)[-1]
        try:
            _, _, modified = winreg.QueryInfoKey(handle)
            self.modified = filetime_to_epoch(modified)
        except OSError:
            self.modified = None

    def values(self) -> list[tuple[str, object]]:
        import winreg
        out = []
        for i in range(100_000):
            try:
                name, data, _ = winreg.EnumValue(self._handle, i)
            except OSError:
                break
            out.append((name, data))
        return out

    def subkeys(self) -> list[str]:
        import winreg
        out = []
        for i in range(1_000_000):
            try:
                out.append(winreg.EnumKey(self._handle, i))
            except OSError:
                break
        return out

    def subkey(self, name: str) -> Key | None:
        import winreg
        try:
            handle = winreg.OpenKey(self._handle, name, 0, winreg.KEY_READ)
        except OSError:
            return None
        return _LiveKey(handle, f"{self.path}\\{name}")


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
        try:
            real = self.fs.real(path)
            size = os.stat(real).st_size
        except Unreadable as exc:
            if exc.reason != "absent" or which in self.SYSTEM_HIVES:
                self.problems.append((exc.reason, f"{path}: {exc.detail}" if path not in exc.detail else exc.detail))
            return None
        except OSError as exc:
            self.problems.append(("permission" if isinstance(exc, PermissionError) else "error", f"{path}: {exc.strerror}"))
            return None
        if size > MAX_HIVE_BYTES:
            self.problems.append(("error", f"{path} is larger than {MAX_HIVE_BYTES // (1 << 20)} MB"))
            return None
        try:
            from regipy.registry import RegistryHive
            hive = RegistryHive(real)
            hive.root.name  # noqa: B018 - parsing the root proves the file is a hive
            return hive
        except PermissionError:
            self.problems.append(("permission", f"{path}: permission denied"))
        except Exception as exc:  # noqa: BLE001 - any damage in a hive file ends here
            self.problems.append(("error", f"{path} is not a readable registry hive ({type(exc).__name__})"))
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
                node = node.get_subkey(part, raise_on_missing=False)
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
            for v in self._node.iter_values(trim_values=False):
                name = "" if v.name == "(default)" else v.name
                out.append((name, v.value))
            return out
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def subkeys(self) -> list[str]:
        try:
            return [k.name for k in self._node.iter_subkeys()] if self._node.subkey_count else []
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return []

    def subkey(self, name: str) -> Key | None:
        try:
            node = self._node.get_subkey(name, raise_on_missing=False) if self._node.subkey_count else None
        except Exception as exc:  # noqa: BLE001
            self._registry._damaged(self._which, exc)
            return None
        return _HiveKey(self._registry, self._which, node, f"{self.path}\\{node.name}") if node else None


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
