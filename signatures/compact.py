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
import json
import os
from typing import Any

from .loader import Family, Indicator, Problem, SignatureFile
from .words import Words

FORMAT = "device-checkup-compiled-set"
VERSION = 1
NAME = "builtin-set.compiled.json"

def dump(files: list[SignatureFile], problems: list[Problem], index: dict | None = None) -> bytes:
    """The compact form of the built-in files (already validated by the YAML loader), with the
    index built from them (``CompiledSet.tables()``) when given."""
    kinds: list[str] = []
    plats: list[list[str]] = []

    def kind_no(kind: str) -> int:
        if kind not in kinds:
            kinds.append(kind)
        return kinds.index(kind)

    def plat_no(platforms: tuple[str, ...]) -> int:
        if list(platforms) not in plats:
            plats.append(list(platforms))
        return plats.index(list(platforms))

    out_files = []
    for sf in files:
        fams = []
        for f in sf.families:
            inds = [[kind_no(i.kind), i.value, int(i.regex), i.key, plat_no(i.platforms), i.line]
                    for i in f.indicators]
            fams.append([f.id, f.name, f.tier, f.description, list(f.aliases), list(f.platforms),
                         list(f.same_as), [list(s) for s in f.sources], inds, f.file, f.line])
        out_files.append({"file": os.path.basename(sf.path), "name": sf.name, "version": sf.version,
                          "license": sf.license, "attribution": sf.attribution, "sha256": sf.sha256,
                          "families": fams})
    doc = {"format": FORMAT, "version": VERSION,
           "sources": {os.path.basename(sf.path): sf.sha256 for sf in files},
           "kinds": kinds, "platforms": plats, "files": out_files,
           "problems": [[p.file, p.line, p.words.to_json()] for p in problems]}
    if index is not None:
        doc["index"] = index
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def load(raw: bytes, folder: str) -> tuple[list[SignatureFile], list[Problem], dict[str, str], dict | None]:
    """Files, problems, the recorded YAML digests and the shipped index tables (None if the
    file has none) from the compact form. Raises ValueError (or KeyError/TypeError) on anything
    malformed; the caller then reads the YAML."""
    doc = json.loads(raw)
    if doc.get("format") != FORMAT or doc.get("version") != VERSION:
        raise ValueError("not a compiled signature set of this version")
    kinds = [str(k) for k in doc["kinds"]]
    plats = [tuple(p) for p in doc["platforms"]]
    files = []
    for entry in doc["files"]:
        sf = SignatureFile(path=os.path.join(folder, entry["file"]), name=entry["name"],
                           version=entry["version"], license=entry["license"],
                           attribution=entry["attribution"], sha256=entry["sha256"], user_file=False)
        fams = []
        for (fid, name, tier, description, aliases, platforms, same_as, sources, inds, file, line) in entry["families"]:
            indicators = tuple(Indicator(kinds[k], value, bool(regex), key, plats[p], ln)
                               for k, value, regex, key, p, ln in inds)
            fams.append(Family(fid, name, tier, description, tuple(aliases), tuple(platforms),
                               tuple(same_as), tuple(tuple(s) for s in sources), indicators,
                               file, line, False))
        sf.families = fams
        files.append(sf)
    problems = [Problem(str(f), int(n), Words.from_json(m)) for f, n, m in doc["problems"]]
    index = doc.get("index")
    if index is not None and not isinstance(index, dict):
        raise ValueError("the shipped index is not a table")
    return files, problems, {str(k): str(v) for k, v in doc["sources"].items()}, index


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
