"""Every source, in the order a scan runs them (quick ones first, so progress moves early)."""
from __future__ import annotations

import importlib

from .base import Source

# Modules that export SOURCES; each source says which platforms it reads.
_MODULES = ("system", "capture", "windows", "macos", "linux", "settings", "browsers", "remote_logs", "probe")


def all_sources() -> list[Source]:
    out: list[Source] = []
    for name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue          # a platform module not written yet
            raise
        out.extend(module.SOURCES)
    return out
