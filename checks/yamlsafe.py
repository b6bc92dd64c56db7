"""Reading the app's own YAML data (texts, helplines, questions): safe, and in C when PyYAML has
libyaml, which parses these files several times faster than its pure-Python loader."""
from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str | bytes) -> Any:
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader, C or Python
