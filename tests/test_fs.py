"""The offline file-system view: paths map inside the root and links never lead out of it."""
from __future__ import annotations

import os

import pytest

from checks.sources.fs import FileSystem, Unreadable


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
