"""Rewrite docs/kinds.md from the kind declaration (signatures/kinds.py).

    python tools/kinds_doc.py

tests/test_kinds.py fails when docs/kinds.md differs from what this writes.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from device_checkup.checks import texts  # noqa: E402
from device_checkup.signatures.kinds import markdown  # noqa: E402


def render() -> str:
    return markdown(lambda key: texts.text(*key))


if __name__ == "__main__":
    (ROOT / "docs" / "kinds.md").write_text(render(), encoding="utf-8")
