"""The engine's words: English in texts/en.yaml, other languages from the gettext catalogue.

``texts/en.yaml`` is the English source, organised by what each text is for. Each of its
strings is a catalogue message whose context (msgctxt) is its dotted path in the YAML
(``tiers.stalkerware.title``); list items share their list's path. ``load()`` gives the tree in
the current language (``checks.i18n``), so every reader of it speaks that language.
"""
from __future__ import annotations

import functools
import os
import string
from typing import Any

from . import i18n, yamlsafe
from .inert import shown


@functools.lru_cache(maxsize=1)
def english() -> dict[str, Any]:
    source = os.path.join(i18n.CHECKS_FOLDER, "texts", "en.yaml")
    with open(source, "rb") as fh:
        raw = fh.read()
    # The same words parsed at build time (signatures/manifest.py), used only when the manifest
    # vouches for both files and the YAML is exactly what they were made from.
    from device_checkup.signatures.manifest import shipped_texts
    tree = shipped_texts("../../checks/texts/en.yaml", raw)
    if isinstance(tree, dict):
        return tree
    with open(source, encoding="utf-8") as fh:
        return yamlsafe.load(fh.read())


def translate_tree(node: Any, context: str, pgettext) -> Any:
    """A copy of a YAML tree with every string put through ``pgettext(path, string)``."""
    if isinstance(node, str):
        return pgettext(context, node)
    if isinstance(node, dict):
        return {k: translate_tree(v, f"{context}.{k}" if context else str(k), pgettext) for k, v in node.items()}
    if isinstance(node, list):
        return [translate_tree(v, context, pgettext) for v in node]
    return node


@functools.lru_cache(maxsize=8)
def _load(language: str) -> dict[str, Any]:
    if language == i18n.SOURCE:
        return english()
    return translate_tree(english(), "", i18n.catalogue(language).pgettext)


def load(language: str | None = None) -> dict[str, Any]:
    """The texts in ``language`` (the current language when not given)."""
    return _load(language or i18n.language())


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


# The built-in signature set's family descriptions are catalogue messages in this context
# (collected from signatures/data/*.yaml by tools/translations.py, which spells it the same).
DESCRIPTION_CONTEXT = "product description"
# Descriptions of phone apps end with what a laptop can show of them; a phone check leaves it out.
ON_A_LAPTOP = " On a laptop,"


def description(family: Any, phone: bool = False) -> str:
    """A family's description in the current language, for every presenter (the findings carry it).

    The built-in descriptions are messages of the one catalogue per language. A description no
    catalogue holds (one written in a signature file the person added) is shown as written.
    ``phone``: without the sentence about what can show on a laptop."""
    english = family.description
    if phone:
        english = english.split(ON_A_LAPTOP)[0]
    return i18n.pgettext(DESCRIPTION_CONTEXT, english)


def reason_words(reason: str) -> str:
    return load()["reasons"][reason]["words"]


def how_to_allow(reason: str, platform: str) -> str:
    how = load()["reasons"][reason].get("how") or {}
    return how.get(platform) or how.get("any") or ""


def cannot_see() -> list[str]:
    return list(load()["cannot_see"])
