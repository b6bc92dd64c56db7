"""The words Device Checkup uses, loaded from texts/<language>.yaml and filled in."""
from __future__ import annotations

import functools
import string
from importlib import resources
from typing import Any

from . import yamlsafe
from .inert import shown


@functools.lru_cache(maxsize=4)
def load(language: str = "en") -> dict[str, Any]:
    data = resources.files("checks").joinpath("texts", f"{language}.yaml").read_text("utf-8")
    return yamlsafe.load(data)


class _Values(dict):
    """Placeholders: the given values, then the shared `common` texts; unknown ones stay visible."""

    def __init__(self, values: dict[str, Any], common: dict[str, str]):
        super().__init__(values)
        self.common = common

    def __missing__(self, key: str) -> str:
        if key in self.common:
            return fill(self.common[key], **self)
        return "{" + key + "}"


def fill(template: str, **values: Any) -> str:
    """Fill ``{placeholders}`` in a template; shared texts like {save_evidence} expand too."""
    common = load()["common"]
    # Values may come from the machine (names, paths): they go into sentences inert.
    values = {k: shown(v, keep_lines=True, limit=1000) if isinstance(v, str) else v for k, v in values.items()}
    out = string.Formatter().vformat(template, (), _Values(values, common))
    return " ".join(out.split())


def text(*path: str, **values: Any) -> Any:
    """A text by its path in the YAML (``text("tiers", "stalkerware", "title", name=…)``)."""
    node: Any = load()
    for part in path:
        node = node[part]
    if isinstance(node, str):
        return fill(node, **values)
    return node


def reason_words(reason: str) -> str:
    return load()["reasons"][reason]["words"]


def how_to_allow(reason: str, platform: str) -> str:
    how = load()["reasons"][reason].get("how") or {}
    return how.get(platform) or how.get("any") or ""


def cannot_see() -> list[str]:
    return list(load()["cannot_see"])
