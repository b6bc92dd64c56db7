"""Small builders shared by the tests: signature files from text, sets, fake sources."""
from __future__ import annotations

import textwrap
import time
from pathlib import Path

from device_checkup.checks.sources.base import Source
from device_checkup.signatures.loader import SignatureSet, load_file

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def put(root: Path, path: str, data: bytes | str = b"") -> Path:
    """Write a file at a machine path inside a test disk: ``/etc/x`` or ``C:\\Users\\x``."""
    rel = path[3:].replace("\\", "/") if path[1:3] == ":\\" else path.lstrip("/")
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data if isinstance(data, bytes) else data.encode())
    return target


def sigset_from_text(text: str, name: str = "test.yaml", user_file: bool = True) -> SignatureSet:
    sf, problems = load_file(name, text=textwrap.dedent(text), user_file=user_file)
    assert not problems, problems
    return SignatureSet(files=[sf])


def family_yaml(fid: str, tier: str, indicators: str, name: str | None = None) -> str:
    body = textwrap.indent(textwrap.dedent(indicators).strip(), " " * 6)
    return (f"  - id: {fid}\n    name: {name or fid}\n    tier: {tier}\n    description: A test family.\n"
            f"    sources: [https://example.org/{fid}]\n    indicators:\n{body}\n")


class ListSource(Source):
    """A source that yields the records it was given."""
    platforms = frozenset({"windows", "macos", "linux"})

    def __init__(self, kind: str, records, sid: str | None = None, what: str = "test records"):
        self.kind = kind
        self.id = sid or f"test.{kind}"
        self.what = what
        self.records = list(records)

    def collect(self, machine, notes):
        return iter(self.records)


class FailingSource(Source):
    id = "test.failing"
    kind = "autostart"
    what = "programs that start by themselves"
    platforms = frozenset({"windows", "macos", "linux"})

    def collect(self, machine, notes):
        raise RuntimeError("the disk fell off")


class HangingSource(Source):
    id = "test.hanging"
    kind = "apps"
    what = "installed programs"
    platforms = frozenset({"windows", "macos", "linux"})

    def collect(self, machine, notes):
        time.sleep(30)
        return []


def real_hive_disk(root: Path) -> Path:
    """A Windows disk under ``root`` holding the real regipy SYSTEM and NTUSER.DAT hives
    (tests/data/real/hives, kept compressed), an empty Tasks folder and one user."""
    import lzma
    real = Path(__file__).resolve().parent / "data" / "real" / "hives"
    disk = root / "disk"
    (disk / "Windows/System32/config").mkdir(parents=True)
    (disk / "Windows/System32/Tasks").mkdir(parents=True)
    (disk / "Users/user").mkdir(parents=True)
    (disk / "Windows/System32/config/SYSTEM").write_bytes(lzma.decompress((real / "SYSTEM.xz").read_bytes()))
    (disk / "Users/user/NTUSER.DAT").write_bytes(lzma.decompress((real / "NTUSER.DAT.xz").read_bytes()))
    return disk
