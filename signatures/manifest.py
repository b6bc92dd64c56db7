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
from importlib import resources

MANIFEST = "MANIFEST.sha256"


def data_folder() -> str:
    return str(resources.files("device_checkup.signatures").joinpath("data"))


def texts_files() -> dict[str, str]:
    """The shipped words files: manifest name → path. The English source (texts/*.yaml) and
    each language's compiled catalogue (locale/<code>/LC_MESSAGES/checkup.mo), which is what
    the app reads for every other language."""
    folder = resources.files("device_checkup.checks").joinpath("texts")
    out = {f"../../checks/texts/{p.name}": str(p) for p in folder.iterdir() if p.name.endswith(".yaml")}
    locale = resources.files("device_checkup.checks").joinpath("locale")
    if locale.is_dir():
        for lang in sorted(locale.iterdir(), key=lambda p: p.name):
            mo = lang.joinpath("LC_MESSAGES", "checkup.mo")
            if mo.is_file():
                out[f"../../checks/locale/{lang.name}/LC_MESSAGES/checkup.mo"] = str(mo)
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


def write(folder: str | None = None) -> str:
    """Write the compiled set (signatures/compact.py) from the YAML files, then the manifest
    of both. Both are made here, by the project, never on the person's machine."""
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
        fh.write(compact.dump(files, problems))
    lines = [f"{_digest(os.path.join(folder, n))}  {n}\n" for n in names + [compact.NAME]]
    lines += [f"{_digest(path)}  {name}\n" for name, path in sorted(texts_files().items())]
    path = os.path.join(folder, MANIFEST)
    with open(path, "w", encoding="utf-8") as fh:
        fh.writelines(lines)
    return path


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else None))
