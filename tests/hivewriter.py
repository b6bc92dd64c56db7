"""Write small Windows registry hive files (REGF) for tests.

The app only reads hives (with regipy); tests need real hive files to read, made on a machine
with no Windows. This writes the subset of the format a hive of ordinary keys and values uses —
base block, one hive bin, key nodes, "lh" subkey lists, value lists and value data — following
the published format description (Maxim Suhanov, "Windows registry file format specification").
``hivexml`` (libhivex), an independent parser, reads the files it makes (see test_windows_sources).

A tree is a dict: a key name maps to a dict (a sub-key) and the special entry ``VALUES`` maps to
``{value name: data}``, where data is str (REG_SZ), int (REG_DWORD), bytes (REG_BINARY),
list of str (REG_MULTI_SZ) or ("expand", str) for REG_EXPAND_SZ.
"""
from __future__ import annotations

import struct

VALUES = "__values__"
_NONE = 0xFFFFFFFF
_FILETIME_2026 = 134_100_000_000_000_000        # a plausible last-write time (early 2026)


def _lh_hash(name: str) -> int:
    h = 0
    for ch in name.upper():
        h = (h * 37 + ord(ch)) & 0xFFFFFFFF
    return h


class _Bin:
    def __init__(self):
        self.data = bytearray()

    def alloc(self, payload: bytes) -> int:
        """Store a cell; return its offset relative to the start of the hive bins."""
        size = (len(payload) + 4 + 7) // 8 * 8
        offset = 32 + len(self.data)                 # cells start after the 32-byte bin header
        self.data += struct.pack("<i", -size) + payload + b"\0" * (size - 4 - len(payload))
        return offset

    def patch(self, offset: int, at: int, fmt: str, *values) -> None:
        struct.pack_into(fmt, self.data, offset - 32 + 4 + at, *values)


def _value_data(data) -> tuple[int, bytes]:
    if isinstance(data, tuple) and data[0] == "expand":
        return 2, (data[1] + "\0").encode("utf-16-le")
    if isinstance(data, bool) or isinstance(data, int):
        return 4, struct.pack("<I", int(data) & 0xFFFFFFFF)
    if isinstance(data, str):
        return 1, (data + "\0").encode("utf-16-le")
    if isinstance(data, bytes):
        return 3, data
    if isinstance(data, list):
        return 7, ("".join(s + "\0" for s in data) + "\0").encode("utf-16-le")
    raise TypeError(f"no registry type for {data!r}")


def _name(name: str) -> tuple[bytes, bool]:
    try:
        return name.encode("ascii"), True
    except UnicodeEncodeError:
        return name.encode("utf-16-le"), False


def _write_key(hbin: _Bin, name: str, tree: dict, root: bool = False) -> int:
    # Readers such as regipy take the first cell of the first bin as the root key: reserve it.
    reserved = hbin.alloc(b"\0" * (76 + len(_name(name)[0]))) if root else None
    children = sorted(((k, v) for k, v in tree.items() if k != VALUES), key=lambda kv: kv[0].upper())
    child_offsets = [(_write_key(hbin, k, v), k) for k, v in children]
    values = tree.get(VALUES, {})
    vk_offsets = []
    for vname, data in values.items():
        vtype, raw = _value_data(data)
        if len(raw) <= 4:
            size, where = len(raw) | 0x80000000, int.from_bytes(raw.ljust(4, b"\0"), "little")
        else:
            size, where = len(raw), hbin.alloc(raw)
        encoded, comp = _name(vname)
        vk = b"vk" + struct.pack("<HIIIHH", len(encoded), size, where, vtype, 1 if comp else 0, 0) + encoded
        vk_offsets.append(hbin.alloc(vk))
    values_list = hbin.alloc(b"".join(struct.pack("<I", o) for o in vk_offsets)) if vk_offsets else _NONE
    if child_offsets:
        lh = b"lh" + struct.pack("<H", len(child_offsets)) + b"".join(
            struct.pack("<II", off, _lh_hash(k)) for off, k in child_offsets)
        subkeys = hbin.alloc(lh)
    else:
        subkeys = _NONE
    encoded, comp = _name(name)
    flags = (0x20 if comp else 0) | (0x0C if root else 0)
    longest_sub = max((len(k) * 2 for _, k in child_offsets), default=0)
    longest_vname = max((len(v) * 2 for v in values), default=0)
    longest_data = max((len(_value_data(d)[1]) for d in values.values()), default=0)
    nk = b"nk" + struct.pack("<HQIIIIIIIIIIIIIIIHH", flags, _FILETIME_2026, 0, _NONE,
                             len(child_offsets), 0, subkeys, _NONE, len(vk_offsets), values_list,
                             _NONE, _NONE, longest_sub, 0, longest_vname, longest_data, 0,
                             len(encoded), 0) + encoded
    if reserved is None:
        offset = hbin.alloc(nk)
    else:
        offset = reserved
        hbin.data[offset - 32 + 4:offset - 32 + 4 + len(nk)] = nk
    for child, _ in child_offsets:
        hbin.patch(child, 16, "<I", offset)          # the child's parent
    return offset


def hive_bytes(tree: dict, root_name: str = "ROOT", file_name: str = "hive") -> bytes:
    hbin = _Bin()
    root = _write_key(hbin, root_name, tree, root=True)
    used = 32 + len(hbin.data)
    size = (used + 8 + 4095) // 4096 * 4096          # room for a closing free cell
    free = size - used
    body = (b"hbin" + struct.pack("<IIII", 0, size, 0, 0) + struct.pack("<Q", _FILETIME_2026) + b"\0" * 4
            + bytes(hbin.data) + struct.pack("<i", free) + b"\0" * (free - 4))
    base = bytearray(4096)
    struct.pack_into("<4sIIQIIIIIII", base, 0, b"regf", 1, 1, _FILETIME_2026, 1, 5, 0, 1, root, size, 1)
    base[48:48 + 64] = file_name.encode("utf-16-le")[:64].ljust(64, b"\0")
    checksum = 0
    for i in range(0, 508, 4):
        checksum ^= struct.unpack_from("<I", base, i)[0]
    checksum = 0xFFFFFFFE if checksum == 0xFFFFFFFF else (1 if checksum == 0 else checksum)
    struct.pack_into("<I", base, 508, checksum)
    return bytes(base) + body


def write_hive(path, tree: dict, root_name: str = "ROOT") -> None:
    with open(path, "wb") as f:
        f.write(hive_bytes(tree, root_name, file_name=str(path).rsplit("/", 1)[-1]))


def tree_from(paths: dict[str, dict]) -> dict:
    """{'Microsoft\\\\Windows\\\\CurrentVersion\\\\Run': {'X': 'c:\\\\x.exe'}} → a nested tree."""
    root: dict = {}
    for path, values in paths.items():
        node = root
        for part in [p for p in path.split("\\") if p]:
            node = node.setdefault(part, {})
        if values:
            node.setdefault(VALUES, {}).update(values)
    return root
