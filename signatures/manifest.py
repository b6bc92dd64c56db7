"""The built-in signature set's manifest: a SHA-256 for each shipped file.

Someone with access to the laptop could edit the signature files to hide their own software.
The app checks the files against this manifest every time it loads them and says so in the
results if they differ. (Someone who edits the manifest too is not caught by this; see
docs/security.md.) The manifest is in `sha256sum` format, so `sha256sum -c MANIFEST.sha256`
checks it by hand as well.

The words the app shows (``checks/texts/*.yaml`` and the compiled catalogues
``checks/locale/*/LC_MESSAGES/checkup.mo``) are in the manifest too: editing them could
make the headline say nothing was found above a real finding. They are named by their path
from the data folder (``../../checks/texts/en.yaml``), so ``sha256sum -c`` still works there.

Regenerate after changing a shipped file:  python -m signatures.manifest
"""
from __future__ import annotations

import hashlib
import os
import sys

MANIFEST = "MANIFEST.sha256"


# The packages' own folders. Every shipped form installs them as plain folders (the wheel; the
# portable app keeps them out of its zip: packaging/freeze.py), so this is what
# importlib.resources would give, without importing it and pathlib at every start (issue 15).
_SIGNATURES = os.path.dirname(os.path.abspath(__file__))


def _checks_folder() -> str:
    import importlib.util                      # finds the package without importing it
    spec = importlib.util.find_spec("device_checkup.checks")
    return list(spec.submodule_search_locations)[0]


def data_folder() -> str:
    return os.path.join(_SIGNATURES, "data")


def texts_files() -> dict[str, str]:
    """The shipped words files: manifest name → path. The English source (texts/*.yaml) and
    each language's compiled catalogue (locale/<code>/LC_MESSAGES/checkup.mo), which is what
    the app reads for every other language."""
    checks = _checks_folder()
    folder = os.path.join(checks, "texts")
    out = {f"../../checks/texts/{n}": os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".yaml")}
    locale = os.path.join(checks, "locale")
    if os.path.isdir(locale):
        for lang in sorted(os.listdir(locale)):
            mo = os.path.join(locale, lang, "LC_MESSAGES", "checkup.mo")
            if os.path.isfile(mo):
                out[f"../../checks/locale/{lang}/LC_MESSAGES/checkup.mo"] = mo
    return out


def _digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_manifest(folder: str) -> dict[str, str]:
    entries = {}
    with open(os.path.join(folder, MANIFEST), encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                digest, name = line.split(None, 1)
                entries[name.lstrip("*")] = digest.lower()
    return entries


def changes(folder: str | None = None, digests: dict[str, str] | None = None) -> list[str]:
    """Plain descriptions of how the shipped files differ from the manifest (empty: unchanged).

    ``digests`` (file name → SHA-256 of the bytes already read) avoids reading files twice.
    """
    folder = folder or data_folder()
    try:
        expected = read_manifest(folder)
    except (OSError, ValueError):
        return ["the list of the signature files' fingerprints is missing or damaged"]
    words = texts_files()
    present = sorted(n for n in os.listdir(folder) if n.endswith(".yaml")) + sorted(words)
    out = []
    for name in present:
        if name not in expected:
            out.append(f"{name} was added")
            continue
        try:
            actual = (digests or {}).get(name) or _digest(words.get(name) or os.path.join(folder, name))
        except OSError:
            out.append(f"{name} can't be read")
            continue
        if actual != expected[name]:
            out.append(f"{name} has been changed")
    for name in sorted(n for n in set(expected) - set(present) if n.endswith(".yaml")):
        out.append(f"{name} is missing")
    return out


def _index_tables(files) -> dict:
    """The index of the built-in set as ``load_set`` assembles it (a family id used twice keeps
    its first file's family), for the compact form: built here, once, not in every scan."""
    from .index import CompiledSet
    from .loader import SignatureFile, SignatureSet
    seen: set[str] = set()
    kept = []
    for sf in files:
        copy = SignatureFile(path=sf.path, name=sf.name, version=sf.version, license=sf.license,
                             attribution=sf.attribution, sha256=sf.sha256, user_file=False)
        copy.families = [f for f in sf.families if f.id not in seen and not seen.add(f.id)]
        kept.append(copy)
    return CompiledSet(SignatureSet(files=kept)).tables()


TEXTS = "texts.compiled.json"
_TEXTS_FORMAT = "device-checkup-compiled-texts"


def shipped_texts(name: str, raw: bytes) -> object | None:
    """The parsed tree of the words file ``name`` (its manifest name, ``../../checks/texts/en.yaml``)
    whose bytes are ``raw``, from the shipped texts.compiled.json: only when the manifest lists
    that file with its SHA-256, lists ``raw``'s SHA-256 for ``name``, and the compiled file was
    made from exactly those bytes. Otherwise None, and the caller parses the YAML. Parsed as
    JSON only, after its digest is checked. Saves importing PyYAML and parsing the words in
    every process (~20 ms, issue 15)."""
    import json
    folder = data_folder()
    try:
        expected = read_manifest(folder)
        digest = hashlib.sha256(raw).hexdigest()
        if not expected.get(TEXTS) or expected.get(name) != digest:
            return None
        with open(os.path.join(folder, TEXTS), "rb") as fh:
            blob = fh.read(1 << 24)
        if hashlib.sha256(blob).hexdigest() != expected[TEXTS]:
            return None
        doc = json.loads(blob)
        if doc.get("format") != _TEXTS_FORMAT or doc.get("version") != 1 or doc["sources"].get(name) != digest:
            return None
        return doc["texts"][name]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _texts_doc() -> bytes:
    """The words files (the English YAML) parsed, for ``shipped_texts``."""
    import json

    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)      # as checks/yamlsafe.py reads them
    doc: dict = {"format": _TEXTS_FORMAT, "version": 1, "sources": {}, "texts": {}}
    for name, path in sorted(texts_files().items()):
        if name.endswith(".yaml"):
            with open(path, "rb") as fh:
                raw = fh.read()
            doc["sources"][name] = hashlib.sha256(raw).hexdigest()
            with open(path, encoding="utf-8") as fh:         # as checks/texts.py reads it
                doc["texts"][name] = yaml.load(fh.read(), Loader=loader)  # noqa: S506 - safe loader
    # Keys keep the YAML's order (the words are shown in it); JSON would turn a non-text key
    # into text, so a file with one is not shipped compiled (the app then parses the YAML).
    doc["texts"] = {n: t for n, t in doc["texts"].items() if json.loads(json.dumps(t)) == t}
    doc["sources"] = {n: d for n, d in doc["sources"].items() if n in doc["texts"]}
    return (json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def write(folder: str | None = None) -> str:
    """Write the compiled set (signatures/compact.py) from the YAML files, the parsed words
    (texts.compiled.json), then the manifest of all of them. Both are made here, by the project, never on the person's machine."""
    from . import compact
    from .loader import builtin_label, load_file
    folder = folder or data_folder()
    names = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))
    files, problems = [], []
    for n in names:
        sf, found = load_file(os.path.join(folder, n), label=builtin_label(n))
        files.append(sf)
        problems.extend(found)
    with open(os.path.join(folder, compact.NAME), "wb") as fh:
        fh.write(compact.dump(files, problems, _index_tables(files)))
    with open(os.path.join(folder, TEXTS), "wb") as fh:
        fh.write(_texts_doc())
    lines = [f"{_digest(os.path.join(folder, n))}  {n}\n" for n in names + [compact.NAME, TEXTS]]
    lines += [f"{_digest(path)}  {name}\n" for name, path in sorted(texts_files().items())]
    path = os.path.join(folder, MANIFEST)
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    return path


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else None))
