#!/usr/bin/env python3
"""Build the binary parts of the Windows test disk (tests/fixtures/windows/) from text.

The test disk is a small copy of a Windows 10 laptop's C:\\ drive. Most of it is ordinary
files kept in git as they are. Three kinds of file are binary and are written by this script
from the readable sources in ``tests/fixtures/windows-src/``:

* registry hives — ``SOFTWARE.reg``, ``SYSTEM.reg`` and ``NTUSER-<user>.reg`` (regedit's
  ``.reg`` format) are merged into real hive files with ``hivexregedit --merge`` (Debian:
  ``apt-get install libhivex-bin libwin-hivex-perl``), an independent implementation of the
  format, so the app's reader (regipy) is tested against files it did not write;
* shortcuts — every line of ``shortcuts.txt`` becomes a Windows shortcut (``.lnk``);
* scheduled tasks — every ``tasks/*.xml`` becomes a task file under
  ``C:\\Windows\\System32\\Tasks``, in UTF-16 with a byte-order mark as Task Scheduler writes it.

The results are committed, so running the tests needs none of these tools. To rebuild after
changing a source::

    python3 tools/build_hives.py            # writes into tests/fixtures/windows/
    python3 tools/build_hives.py --check    # rebuilds in a temporary folder and compares

Two conveniences on top of the ``.reg`` format keep the sources readable; they are turned into
regedit's own hex notation before hivex sees them:

* ``"Name"=expand:"%SystemRoot%\\\\x.exe"`` → REG_EXPAND_SZ (``hex(2):…``)
* ``"Name"=multi:"one","two"`` → REG_MULTI_SZ (``hex(7):…``)

hivex stamps each key it creates with the time of the build. So that the committed hives are
the same on every rebuild, every key's last-write time is then set to :data:`STAMP`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "tests" / "fixtures" / "windows-src"
DISK = HERE.parent / "tests" / "fixtures" / "windows"

# 2026-11-02 09:30:00 UTC as a Windows FILETIME (100 ns since 1601-01-01).
STAMP = (1_793_611_800 + 11_644_473_600) * 10_000_000

# Hive file (inside the disk) ← .reg source, with the prefix its keys are written under.
HIVES = [
    ("Windows/System32/config/SOFTWARE", "SOFTWARE.reg", "HKEY_LOCAL_MACHINE\\SOFTWARE"),
    ("Windows/System32/config/SYSTEM", "SYSTEM.reg", "HKEY_LOCAL_MACHINE\\SYSTEM"),
]
USER_HIVE = ("Users/{user}/NTUSER.DAT", "HKEY_CURRENT_USER")


# -- an empty hive for hivex to merge into ---------------------------------------------------
def empty_hive(file_name: str) -> bytes:
    """A hive holding only its root key (and the security cell every key points to).

    hivex can change hives but not create one; this is the smallest file it accepts
    (format: "Windows registry file format specification", Maxim Suhanov).
    """
    cells = bytearray()

    def cell(payload: bytes) -> int:
        offset = 0x20 + len(cells)                   # offsets count from the first hive bin
        size = (len(payload) + 4 + 7) // 8 * 8
        cells.extend(struct.pack("<i", -size) + payload.ljust(size - 4, b"\0"))
        return offset

    none = 0xFFFFFFFF
    name = b"ROOT"
    root = cell(b"\0" * (76 + len(name)))             # reserved: the root must be the first cell
    # A self-relative security descriptor with no owner and a NULL DACL.
    descriptor = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 0)
    sk = cell(b"sk" + struct.pack("<HIIII", 0, 0, 0, 1, len(descriptor)) + descriptor)
    struct.pack_into("<II", cells, sk - 0x20 + 4 + 4, sk, sk)     # the sk list: only itself
    nk = b"nk" + struct.pack("<HQIIIIIIIIIIIIIIIHH", 0x2C, STAMP, 0, none, 0, 0, none, none, 0, none,
                             sk, none, 0, 0, 0, 0, 0, len(name), 0) + name
    cells[root - 0x20 + 4:root - 0x20 + 4 + len(nk)] = nk
    free = 4096 - 0x20 - len(cells)
    hbin = (b"hbin" + struct.pack("<IIIIQI", 0, 4096, 0, 0, STAMP, 0) + bytes(cells)
            + struct.pack("<i", free) + b"\0" * (free - 4))
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, STAMP, 1, 3, 0, 1, root, 4096, 1)
    base[48:112] = file_name.encode("utf-16-le")[:64].ljust(64, b"\0")
    struct.pack_into("<I", base, 508, _checksum(base))
    return bytes(base) + hbin


def _checksum(base: bytes | bytearray) -> int:
    value = 0
    for i in range(0, 508, 4):
        value ^= struct.unpack_from("<I", base, i)[0]
    return 0xFFFFFFFE if value == 0xFFFFFFFF else (1 if value == 0 else value)


def fix_stamps(data: bytes) -> bytes:
    """Every key's and bin's last-write time set to STAMP, so a rebuild gives the same bytes."""
    out = bytearray(data)
    struct.pack_into("<Q", out, 12, STAMP)
    end = 4096 + struct.unpack_from("<I", out, 40)[0]
    pos = 4096
    while pos + 32 <= min(end, len(out)) and out[pos:pos + 4] == b"hbin":
        size = struct.unpack_from("<I", out, pos + 8)[0]
        struct.pack_into("<Q", out, pos + 20, STAMP)
        cell = pos + 32
        while cell + 6 <= pos + size:
            length = abs(struct.unpack_from("<i", out, cell)[0])
            if length < 8:
                break
            if struct.unpack_from("<i", out, cell)[0] < 0 and out[cell + 4:cell + 6] == b"nk":
                struct.pack_into("<Q", out, cell + 8, STAMP)
            cell += length
        if size < 4096:
            break
        pos += size
    struct.pack_into("<I", out, 508, _checksum(out[:512]))
    return bytes(out)


# -- .reg conveniences ------------------------------------------------------------------------
_EXPAND = re.compile(r'^(\s*(?:"(?:[^"\\]|\\.)*"|@)=)expand:"((?:[^"\\]|\\.)*)"\s*$')
_MULTI = re.compile(r'^(\s*(?:"(?:[^"\\]|\\.)*"|@)=)multi:(.*)$')
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _hex(data: bytes) -> str:
    return ",".join(f"{b:02x}" for b in data)


def plain_reg(text: str, prefix: str = "") -> str:
    """A .reg source as hivex takes it.

    ``expand:`` and ``multi:`` values become regedit's hex(); every key's parents are declared
    before it (regedit creates them, hivex wants them to exist).
    """
    out = []
    declared = set()
    depth = len([p for p in prefix.split("\\") if p])
    for line in text.splitlines():
        if line.startswith("[") and line.rstrip().endswith("]") and not line.startswith("[-"):
            parts = line.strip()[1:-1].split("\\")
            for i in range(depth + 1, len(parts) + 1):
                key = "\\".join(parts[:i]).casefold()
                if key not in declared:
                    declared.add(key)
                    if i < len(parts):
                        out += ["[" + "\\".join(parts[:i]) + "]", ""]
            out.append(line)
            continue
        if m := _EXPAND.match(line):
            line = m.group(1) + "hex(2):" + _hex((_unescape(m.group(2)) + "\0").encode("utf-16-le"))
        elif m := _MULTI.match(line):
            items = [_unescape(s) for s in _STRING.findall(m.group(2))]
            line = m.group(1) + "hex(7):" + _hex(("".join(s + "\0" for s in items) + "\0").encode("utf-16-le"))
        out.append(line)
    return "\n".join(out) + "\n"


def build_hive(target: Path, source: Path, prefix: str) -> None:
    hivex = shutil.which("hivexregedit")
    if hivex is None:
        sys.exit("hivexregedit is needed: apt-get install libhivex-bin libwin-hivex-perl")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(empty_hive(target.name))
    with tempfile.NamedTemporaryFile("w", suffix=".reg", encoding="utf-8", delete=False) as reg:
        reg.write(plain_reg(source.read_text(encoding="utf-8"), prefix))
    try:
        subprocess.run([hivex, "--merge", "--prefix", prefix, str(target), reg.name], check=True)
    finally:
        os.unlink(reg.name)
    target.write_bytes(fix_stamps(target.read_bytes()))


# -- shortcuts --------------------------------------------------------------------------------
_LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")


def shortcut(target: str, arguments: str = "", style: str = "linkinfo") -> bytes:
    """A shortcut as Windows' shell writes one (MS-SHLLINK).

    ``linkinfo``: an ID list, a LinkInfo with the local base path (ANSI and Unicode), a working
    folder and arguments. ``relative``: no LinkInfo, only a relative path in the string data.
    ``envblock``: the target only in an environment-variable block (``%ProgramFiles%\\…``).
    """
    flags = 0x80                                      # IsUnicode
    body = b""
    idlist = struct.pack("<H", 20) + bytes.fromhex("1f50e04fd020ea3a6910a2d808002b30309d") + b"\0\0"
    flags |= 0x01                                     # HasLinkTargetIDList
    body += struct.pack("<H", len(idlist)) + idlist
    if style == "linkinfo":
        flags |= 0x02
        volume = struct.pack("<IIII", 17, 3, 0x5A3C9E21, 16) + b"\0"
        ansi = target.encode("cp1252", "replace") + b"\0"
        wide = target.encode("utf-16-le") + b"\0\0"
        header = 0x24
        vol_off = header
        base_off = vol_off + len(volume)
        suffix_off = base_off + len(ansi)
        wide_off = suffix_off + 1
        wide_suffix_off = wide_off + len(wide)
        size = wide_suffix_off + 2
        body += struct.pack("<IIIIIIIII", size, header, 0x01, vol_off, base_off, 0, suffix_off,
                            wide_off, wide_suffix_off) + volume + ansi + b"\0" + wide + b"\0\0"
    strings = []
    if style == "relative":
        flags |= 0x08
        strings.append(target)
    if style == "linkinfo":
        flags |= 0x10                                 # HasWorkingDir
        strings.append(target.rsplit("\\", 1)[0])
    if arguments:
        flags |= 0x20
        strings.append(arguments)
    for text in strings:
        body += struct.pack("<H", len(text)) + text.encode("utf-16-le")
    if style == "envblock":
        flags |= 0x200                                # HasExpString
        ansi = target.encode("cp1252", "replace")[:259].ljust(260, b"\0")
        wide = target.encode("utf-16-le")[:518].ljust(520, b"\0")
        body += struct.pack("<II", 0x314, 0xA0000001) + ansi + wide
    body += struct.pack("<I", 0)                      # TerminalBlock
    header = struct.pack("<I16sIIQQQIIIHHII", 0x4C, _LNK_CLSID, flags, 0x20, STAMP, STAMP, STAMP,
                         0x5C00, 0, 7, 0, 0, 0, 0)
    return header + body


def build_shortcuts(disk: Path, listing: Path) -> None:
    """``shortcuts.txt``: ``machine path | target | arguments | style`` on each line."""
    for line in listing.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        path, target, arguments, style = [p.strip() for p in line.split("|")]
        out = disk / path[3:].replace("\\", "/")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(shortcut(target, arguments, style or "linkinfo"))


def build_tasks(disk: Path, folder: Path) -> None:
    """``tasks/<name with / for \\>.xml`` → ``C:\\Windows\\System32\\Tasks\\<name>`` in UTF-16."""
    for xml in sorted(folder.rglob("*.xml")):
        name = xml.relative_to(folder).with_suffix("")
        out = disk / "Windows" / "System32" / "Tasks" / name
        out.parent.mkdir(parents=True, exist_ok=True)
        text = xml.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r\n")
        out.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))


def build(disk: Path) -> list[Path]:
    written = []
    for rel, src, prefix in HIVES:
        build_hive(disk / rel, SRC / src, prefix)
        written.append(disk / rel)
    for src in sorted(SRC.glob("NTUSER-*.reg")):
        user = src.stem.split("-", 1)[1]
        target = disk / USER_HIVE[0].format(user=user)
        build_hive(target, src, USER_HIVE[1])
        written.append(target)
    build_shortcuts(disk, SRC / "shortcuts.txt")
    build_tasks(disk, SRC / "tasks")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="rebuild in a temporary folder and say whether the committed files match")
    parser.add_argument("--disk", type=Path, default=DISK, help="the disk to write into")
    args = parser.parse_args(argv)
    if not args.check:
        for path in build(args.disk):
            print(path.relative_to(args.disk))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build(Path(tmp))
        differ = [str(p.relative_to(tmp)) for p in sorted(Path(tmp).rglob("*"))
                  if p.is_file() and (not (args.disk / p.relative_to(tmp)).is_file()
                                      or (args.disk / p.relative_to(tmp)).read_bytes() != p.read_bytes())]
    for name in differ:
        print(f"differs: {name}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
