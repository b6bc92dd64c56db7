"""The offline file-system view: paths map inside the root and links never lead out of it."""
from __future__ import annotations

import os

import pytest

from device_checkup.checks.sources.fs import FileSystem, Unreadable


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "disk"
    (root / "Users" / "Alex" / "AppData").mkdir(parents=True)
    (root / "Users" / "Alex" / "AppData" / "note.txt").write_text("inside")
    (root / "Users" / "Public").mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE")
    os.symlink(str(outside), root / "abs-link")                      # absolute, out of the root
    os.symlink("../../outside.txt", root / "Users" / "rel-link")     # relative, climbs out
    os.symlink("/Users/Alex/AppData/note.txt", root / "inside-link") # absolute, re-rooted inside
    os.symlink("loop-b", root / "loop-a")
    os.symlink("loop-a", root / "loop-b")
    return root


def test_windows_paths_map_into_the_root_case_insensitively(tree):
    fs = FileSystem("windows", str(tree))
    assert fs.read_text(r"C:\users\alex\appdata\NOTE.TXT") == "inside"
    assert fs.read_text("D:/Users/Alex/AppData/note.txt") == "inside"
    assert fs.user_homes() == [("Alex", "C:\\Users\\Alex")]


def test_links_out_of_the_root_are_never_followed(tree):
    fs = FileSystem("linux", str(tree))
    for link in ("/abs-link", "/Users/rel-link"):
        with pytest.raises(Unreadable) as exc:
            fs.read_text(link)
        assert exc.value.reason == "absent"      # resolved inside the root, where nothing is
    assert fs.read_text("/inside-link") == "inside"
    assert fs.real("/../../..") == str(tree)


def test_link_loops_end_with_a_reason(tree):
    fs = FileSystem("linux", str(tree))
    with pytest.raises(Unreadable) as exc:
        fs.read_bytes("/loop-a")
    assert exc.value.reason == "error" and "loop" in exc.value.detail


def test_glob_stays_inside_and_lists(tree):
    fs = FileSystem("windows", str(tree))
    found = [e.path for e in fs.glob(r"C:\Users\*\AppData\note.txt")]
    assert found == ["C:\\Users\\Alex\\AppData\\note.txt"]
    assert [e.name for e in fs.list("C:\\")][:2] == ["Users", "abs-link"]


def test_unreadable_folders_say_permission(tree):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    locked = tree / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        with pytest.raises(Unreadable) as exc:
            FileSystem("linux", str(tree)).list("/locked")
        assert exc.value.reason == "permission"
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("root", ["offline", "live"])
def test_glob_of_a_plain_path_finds_only_what_exists(tree, root):
    # A pattern with no wildcard is a question too: a path that isn't there is not "found".
    # (This once reported every LOLRMM install path as present on a live machine.)
    if root == "offline":
        fs, base = FileSystem("linux", str(tree)), ""
    else:
        fs, base = FileSystem("linux"), str(tree)
    assert [e.name for e in fs.glob(f"{base}/Users/Alex/AppData/note.txt")] == ["note.txt"]
    assert list(fs.glob(f"{base}/Users/Alex/AppData/absent.txt")) == []
    assert list(fs.glob(f"{base}/Users/Nobody/AppData")) == []
    assert list(fs.glob(f"{base}/Users/*/AppData/absent.txt")) == []


def test_many_names_for_one_file_are_hashed_once(tmp_path, monkeypatch):
    """3,000 hard links to one sparse 64 MB program: one hash, not 3,000."""
    from device_checkup.checks.sources import fs as fsmod
    root = tmp_path / "disk"
    (root / "opt").mkdir(parents=True)
    big = root / "opt" / "prog"
    with open(big, "wb") as fh:
        fh.truncate(64 * 1024 * 1024)
    for i in range(3000):
        os.link(big, root / "opt" / f"link{i}")
    fs = FileSystem("linux", str(root))
    read = []
    real_fdopen = os.fdopen
    monkeypatch.setattr(fsmod.os, "fdopen", lambda fd, *a, **k: read.append(fd) or real_fdopen(fd, *a, **k))
    digests = {fs.sha256(f"/opt/link{i}") for i in range(3000)} | {fs.sha256("/opt/prog")}
    assert len(digests) == 1 and None not in digests
    assert len(read) == 1                                     # the file was opened and read once
    assert fs.drain() == []


def test_hashing_stops_at_its_budget_and_says_what_it_skipped(tmp_path, monkeypatch):
    from device_checkup.checks.sources import fs as fsmod
    root = tmp_path / "disk"
    root.mkdir()
    for name in ("a", "b", "c"):
        (root / name).write_bytes(name.encode() * 1000)
    monkeypatch.setattr(fsmod, "HASH_BYTES_BUDGET", 2500)
    fs = FileSystem("linux", str(root))
    assert fs.sha256("/a") and fs.sha256("/b")
    assert fs.sha256("/c") is None
    notes = fs.drain()
    assert [(r, str(d)) for r, d, _ in notes] == [("error", "/c: not hashed (the check's hashing budget is spent)")]


def test_fifos_devices_and_sockets_are_never_opened(tmp_path):
    root = tmp_path / "disk"
    (root / "etc").mkdir(parents=True)
    os.mkfifo(root / "etc" / "os-release")
    os.symlink("/dev/zero", root / "etc" / "zero")           # re-rooted: absent on the disk
    fs = FileSystem("linux", str(root))
    with pytest.raises(Unreadable) as exc:
        fs.read_text("/etc/os-release")
    assert "FIFO" in exc.value.detail and exc.value.reason == "error"
    assert fs.sha256("/etc/os-release") is None
    with pytest.raises(Unreadable) as exc:
        fs.read_bytes("/etc/zero")
    assert exc.value.reason == "absent"
    live = FileSystem("linux")
    with pytest.raises(Unreadable) as exc:
        live.read_bytes("/dev/zero")
    assert "device" in exc.value.detail
    with pytest.raises(Unreadable):
        live.read_bytes(str(root / "etc" / "os-release"))


def test_a_folder_is_resolved_once_for_all_its_files(tmp_path, monkeypatch):
    root = tmp_path / "disk"
    folder = root / "a" / "b" / "c" / "d"
    folder.mkdir(parents=True)
    for i in range(50):
        (folder / f"f{i}").write_text("x")
    fs = FileSystem("linux", str(root))
    calls = []
    real_lstat = os.lstat
    monkeypatch.setattr(os, "lstat", lambda p, *a, **k: calls.append(p) or real_lstat(p, *a, **k))
    for i in range(50):
        assert fs.read_text(f"/a/b/c/d/f{i}") == "x"
    assert len(calls) == 4 + 50                               # the folder's four parts once, each file once


def test_a_walk_never_enters_a_folder_twice_or_leaves_the_root(tmp_path):
    root = tmp_path / "disk"
    (root / "top" / "sub").mkdir(parents=True)
    (root / "top" / "sub" / "file").write_text("x")
    os.symlink("..", root / "top" / "sub" / "up")
    os.symlink("/top", root / "top" / "sub" / "again")
    os.symlink(str(tmp_path), root / "top" / "out")           # re-rooted: /tmp/... is absent on the disk
    for i in range(30):
        (root / "top" / "sub" / f"deep{i}").mkdir()
    fs = FileSystem("linux", str(root))
    assert [e.path for e in fs.walk("/top")] == ["/top/out", "/top/sub/file"]
    with pytest.raises(Unreadable) as exc:                     # the link out leads nowhere on the disk
        fs.read_bytes("/top/out")
    assert exc.value.reason == "absent"
    assert fs.drain() == []
    fs = FileSystem("linux", str(root))
    assert len(list(fs.walk("/top", max_entries=0))) == 0
    assert [str(d) for _, d, _ in fs.drain()] == ["more than 0 files under /top; only the first were read"]


def test_a_small_plist_that_expands_to_millions_of_values_is_refused():
    import plistlib
    from device_checkup.checks.sources.fs import parse_plist
    inner = ["x"] * 100
    outer = [inner] * 1000
    data = plistlib.dumps({"a": [outer] * 1000}, fmt=plistlib.FMT_BINARY)
    assert len(data) < 64 * 1024                               # a few KB on disk, 100 million values read
    with pytest.raises(ValueError, match="more than 200,000 values"):
        parse_plist(data)
    assert parse_plist(plistlib.dumps({"Label": "com.x", "ProgramArguments": ["/x"]})) == \
        {"Label": "com.x", "ProgramArguments": ["/x"]}
    with pytest.raises(ValueError, match="entity"):
        parse_plist(b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "b">]><plist><string>&a;</string></plist>')


def test_one_encoding_policy():
    from device_checkup.checks.sources.fs import decode_text
    assert decode_text("Zażółć".encode("utf-8")) == "Zażółć"
    assert decode_text(b"\xef\xbb\xbfabc") == "abc"
    assert decode_text("abc".encode("utf-16")) == "abc"                 # with its BOM
    assert decode_text("[Desktop Entry]".encode("utf-16-le")) == "[Desktop Entry]"   # without one
    assert decode_text("<Task>".encode("utf-16-be")) == "<Task>"
    assert decode_text(b"\xff\xfe\x00") == "\ufffd"                       # cut short: replaced, no error
