"""Reading the app's own YAML data (texts, helplines, questions): safe, and in C when PyYAML has
libyaml, which parses these files several times faster than its pure-Python loader."""
from __future__ import annotations

from typing import Any


def load(text: str | bytes) -> Any:
    import yaml             # here, not at the top: a scan reads its words from the shipped compiled form
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, C or Python
