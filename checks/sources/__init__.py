"""Every source, in the order a scan runs them (quick ones first, so progress moves early)."""
from __future__ import annotations

import importlib

from .base import Source

# Modules that export SOURCES; each source says which platforms it reads.
_MODULES = ("system", "capture", "windows", "macos", "linux", "settings", "browsers", "remote_logs", "probe")
# Modules whose every source reads one platform: a scan of another platform never imports them.
_ONE_PLATFORM = {"capture": "linux", "windows": "windows", "macos": "macos", "linux": "linux"}


def all_sources(platform: str | None = None) -> list[Source]:
    """Every source, or (with ``platform``) those of the modules that serve that platform; the
    others are not even imported, so a scan loads one platform's code (issue 15)."""
    out: list[Source] = []
    for name in _MODULES:
        if platform is not None and _ONE_PLATFORM.get(name, platform) != platform:
            continue
        module = importlib.import_module(f"{__name__}.{name}")
        out.extend(module.SOURCES if platform is None else
                   [src for src in module.SOURCES if platform in src.platforms])
    return out
