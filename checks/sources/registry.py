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


class LiveRegistry(Registry):
    """winreg on a running Windows."""


class HiveRegistry(Registry):
    """Hive files under an offline Windows root."""

    def __init__(self, fs):
        self.fs = fs
        self.problems = []
