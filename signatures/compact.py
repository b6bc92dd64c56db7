"""The built-in signature set, validated once and shipped in a compact form (issue 15 item 3).

Parsing and validating the shipped YAML costs ~200 ms per process (15,000 scalars through
PyYAML); reading the same set from this JSON file costs a fraction of that. The file is made
from the YAML files by ``python -m signatures.manifest`` (the same command that writes the
manifest) and shipped beside them; the app never writes it — nothing is cached on the
person's machine.

It is only used when it provably holds the files next to it: it records the SHA-256 of each
YAML file it was made from, and it is used only if those equal both the manifest's and the
files' own digests, and its own SHA-256 is in the manifest. Otherwise the YAML files are read
as before (and a changed file is still reported). User files and ``signatures validate``
always go through the YAML loader.
"""
from __future__ import annotations

import hashlib
import os
from typing import Any

import msgspec
from msgspec import Struct

from .loader import Family, Problem, SignatureFile
from .words import Words

FORMAT = "device-checkup-compiled-set"
VERSION = 2
NAME = "builtin-set.compiled.json"


class _File(Struct, frozen=True):
    file: str
    name: str
    version: str
    license: str
    attribution: str
    sha256: str
    families: list[Family]          # each an array: Family and Indicator are ``array_like``


class _Document(Struct, frozen=True):
    format: str
    version: int
    sources: dict[str, str]
    files: list[_File]
    problems: list[tuple[str, int, Any]]
    index: dict[str, Any] | None = None


def dump(files: list[SignatureFile], problems: list[Problem], index: dict | None = None) -> bytes:
    """The compact form of the built-in files (already validated by the YAML loader), with the
    index built from them (``CompiledSet.tables()``) when given."""
    doc = _Document(FORMAT, VERSION, {os.path.basename(sf.path): sf.sha256 for sf in files},
                    [_File(os.path.basename(sf.path), sf.name, sf.version, sf.license, sf.attribution,
                           sf.sha256, sf.families) for sf in files],
                    [(p.file, p.line, p.words.to_json()) for p in problems], index)
    return msgspec.json.encode(doc, order="deterministic") + b"\n"


def load(raw: bytes, folder: str) -> tuple[list[SignatureFile], list[Problem], dict[str, str], dict | None]:
    """Files, problems, the recorded YAML digests and the shipped index tables (None if the
    file has none) from the compact form. Raises ValueError (or KeyError/TypeError) on anything
    malformed; the caller then reads the YAML.

    msgspec decodes the families and indicators straight into their classes, checking every
    field's type as it goes (a Python loop over 6,800 indicators cost more than the JSON)."""
    doc = msgspec.json.decode(raw, type=_Document)
    if doc.format != FORMAT or doc.version != VERSION:
        raise ValueError("not a compiled signature set of this version")
    files = []
    for entry in doc.files:
        sf = SignatureFile(path=os.path.join(folder, entry.file), name=entry.name, version=entry.version,
                           license=entry.license, attribution=entry.attribution, sha256=entry.sha256,
                           user_file=False)
        sf.families = entry.families
        files.append(sf)
    problems = [Problem(f, n, Words.from_json(m)) for f, n, m in doc.problems]
    return files, problems, doc.sources, doc.index


def _sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def verified(folder: str, manifest: dict[str, str], yaml_digests: dict[str, str]):
    """The compact form's (files, problems, index tables or None) if it is there, listed in the
    manifest and made from exactly the YAML files present (by their digests); otherwise None.
    Nothing in the file is parsed before its SHA-256 equals the manifest's, and it is only ever
    parsed as JSON (no pickle, no marshal: a file someone swapped can't run code)."""
    expected = manifest.get(NAME)
    if not expected:
        return None
    try:
        with open(os.path.join(folder, NAME), "rb") as fh:
            raw = fh.read()
    except OSError:
        return None
    if _sha256(raw) != expected:
        return None
    # The signature files only (the words file, listed as ../../checks/texts/…, is checked apart).
    yaml_manifest = {k: v for k, v in manifest.items() if k.endswith(".yaml") and "/" not in k}
    if yaml_digests != yaml_manifest:
        return None
    try:
        files, problems, sources, index = load(raw, folder)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    if sources != yaml_digests:
        return None
    return files, problems, index
