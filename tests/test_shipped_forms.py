"""What the project builds once so a scan doesn't make it again in every process (issue 15):
the signature index shipped in the compact set, the English words parsed, hives read in pieces.

Each must give exactly what the slow way gives, and be refused whenever the manifest does not
vouch for it (the slow way is then taken, and the result is the same)."""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.helpers import family_yaml, real_hive_disk
from hypothesis import given, settings, strategies as st

from device_checkup.checks import texts, yamlsafe
from device_checkup.checks.engine import collect, match
from device_checkup.checks.sources import registry
from device_checkup.checks.sources.base import Locations, Machine
from device_checkup.checks.sources.fs import FileSystem, PagedFile
from device_checkup.signatures import compact, manifest
from device_checkup.signatures.index import CompiledSet, compile_set
from device_checkup.signatures.loader import builtin_paths, load_set

from . import windows_tree
from .test_linux_sources import build as build_linux

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "tests" / "data" / "real"


def _digests(folder: Path) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
            for n in sorted(os.listdir(folder)) if n.endswith(".yaml")}


# -- the index --------------------------------------------------------------------------------
def test_the_shipped_index_is_the_index_built_from_the_yaml():
    fast = load_set()
    assert "_shipped_index" in fast.__dict__, "the compact set carries no index: run python -m signatures.manifest"
    shipped = compile_set(fast)
    assert "_shipped_index" not in fast.__dict__            # used once, then dropped
    built = CompiledSet(load_set(builtin_files=builtin_paths()))
    assert shipped.tables() == built.tables()
    assert len(shipped.hit_list) == len(built.hit_list) > 5000


def _findings(snapshot, index):
    findings, problems = match(snapshot, index)
    return [f.to_json_data() for f in findings], problems


@pytest.mark.parametrize("platform", ["windows", "linux", "macos"])
def test_the_shipped_index_finds_exactly_what_the_built_one_finds_on_the_fixture_disks(tmp_path, platform):
    shipped = compile_set(load_set())
    built = CompiledSet(load_set(builtin_files=builtin_paths()))
    if platform == "windows":
        disk = windows_tree.build(tmp_path / "disk")
    elif platform == "linux":
        disk = build_linux(tmp_path / "disk")
    else:
        disk = ROOT / "tests" / "fixtures" / "macos"
    assert shipped.probe_places(platform) == built.probe_places(platform)
    machine = Machine.offline(str(disk), platform, Locations(*built.probe_places(platform)))
    snapshot = collect(machine)
    fast, slow = _findings(snapshot, shipped), _findings(snapshot, built)
    assert fast == slow
    assert any(f["family"] for f in fast[0])              # the disks hold planted software: not a vacuous match


def test_the_shipped_index_is_refused_when_the_manifest_does_not_vouch_for_it(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(manifest.data_folder(), folder)
    raw = (folder / compact.NAME).read_bytes()
    # The index says a different thing than the set (one exact name moved to another hit).
    tampered = raw.replace(b'"exact":{"', b'"exact":{"zz-planted-name":[0],"', 1)
    assert tampered != raw
    (folder / compact.NAME).write_bytes(tampered)
    assert compact.verified(str(folder), manifest.read_manifest(str(folder)), _digests(folder)) is None
    # ... and through load_set: the YAML is read, no shipped index is attached, the index is built.
    monkeypatch.setattr(manifest, "data_folder", lambda: str(folder))
    sigset = load_set()
    assert "_shipped_index" not in sigset.__dict__
    assert compile_set(sigset).names["process_names"].match("zz-planted-name") == []


def test_an_index_for_another_set_is_not_used(monkeypatch):
    sigset = load_set()
    key, tables = sigset.__dict__["_shipped_index"]
    sigset.files[0].families = sigset.files[0].families[1:]       # the set no longer matches the tables
    with pytest.raises(ValueError):
        CompiledSet.from_tables(sigset, tables)
    index = compile_set(sigset)                                   # built instead, from what the set holds
    assert len(index.hit_list) == sum(len(f.indicators) for f in sigset.families)


def test_user_files_get_an_index_built_with_them(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("schema: 1\nfamilies:\n" + family_yaml("mine", "monitoring", "process_names: [mine-watcher.exe]",
                                                         name="Mine"))
    sigset = load_set([str(user)])
    assert "_shipped_index" not in sigset.__dict__
    hits = compile_set(sigset).name("process_names", "mine-watcher.exe")
    assert [h.family.id for h in hits] == ["mine"]


# -- the words --------------------------------------------------------------------------------
def _english_from_yaml() -> dict:
    with open(os.path.join(os.path.dirname(texts.__file__), "texts", "en.yaml"), encoding="utf-8") as fh:
        return yamlsafe.load(fh.read())


def test_the_shipped_words_are_the_words_parsed_from_the_yaml():
    texts.english.cache_clear()
    try:
        shipped = texts.english()
    finally:
        texts.english.cache_clear()
    parsed = _english_from_yaml()
    assert shipped == parsed and list(shipped) == list(parsed)
    raw = Path(texts.__file__).with_name("texts").joinpath("en.yaml").read_bytes()
    assert manifest.shipped_texts("../../checks/texts/en.yaml", raw) == parsed


def test_the_shipped_words_are_refused_for_an_edited_words_file():
    raw = Path(texts.__file__).with_name("texts").joinpath("en.yaml").read_bytes()
    assert manifest.shipped_texts("../../checks/texts/en.yaml", raw + b"\n# edited\n") is None
    assert manifest.shipped_texts("../../checks/texts/other.yaml", raw) is None


def test_the_shipped_words_are_refused_when_the_manifest_does_not_list_them(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    shutil.copytree(manifest.data_folder(), folder)
    raw = Path(texts.__file__).with_name("texts").joinpath("en.yaml").read_bytes()
    monkeypatch.setattr(manifest, "data_folder", lambda: str(folder))
    assert manifest.shipped_texts("../../checks/texts/en.yaml", raw) is not None
    compiled = folder / manifest.TEXTS
    compiled.write_bytes(compiled.read_bytes().replace(b"Device Checkup", b"Device Checkuq", 1))
    assert manifest.shipped_texts("../../checks/texts/en.yaml", raw) is None


# -- folder listings --------------------------------------------------------------------------
@pytest.mark.parametrize("platform", ["linux", "windows"])
def test_listed_paths_are_what_join_makes(tmp_path, platform):
    names = ["plain", "with space", "trailing.", "-dash", "ünïcode", "back\\slash", "\\lead", "trail\\"]
    for n in names:
        (tmp_path / n).write_text("x")
    fs = FileSystem(platform, str(tmp_path))
    top = "C:\\" if platform == "windows" else "/"
    for folder in (top, top + "", "C:\\\\" if platform == "windows" else "//"):
        entries = fs.list(folder)
        assert sorted(e.name for e in entries) == sorted(names)
        assert [e.path for e in entries] == [fs.join(folder, e.name) for e in entries]


# -- hives in pieces --------------------------------------------------------------------------
@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=0, max_size=5000), st.integers(0, 6000), st.integers(-1, 6000))
def test_a_paged_file_reads_what_the_bytes_hold(tmp_path_factory, data, start, length):
    path = tmp_path_factory.mktemp("paged") / "f"
    path.write_bytes(data)
    PagedFile.PAGE, old = 64, PagedFile.PAGE
    try:
        pages = FileSystem("linux", str(path.parent)).open_paged(str(path), max_pages=2)
        try:
            assert pages[start:start + max(length, 0)] == data[start:start + max(length, 0)]
            assert pages.read_at(start, length) == (data[start:start + length] if length > 0 else b"")
            assert pages[0:len(data)] == data and len(pages) == len(data)
        finally:
            pages.close()
    finally:
        PagedFile.PAGE = old


def _windows_records(disk: Path, monkeypatch, paged: bool) -> dict:
    if paged:       # every hive in pieces, tiny pages, two kept: every read crosses or evicts pages
        monkeypatch.setattr(registry, "WHOLE_HIVE_BYTES", 0)
        monkeypatch.setattr(registry, "HIVE_PAGES", 2)
        monkeypatch.setattr(PagedFile, "PAGE", 4096)
    else:
        monkeypatch.setattr(registry, "WHOLE_HIVE_BYTES", 1 << 40)
    index = compile_set(load_set())
    snapshot = collect(Machine.offline(str(disk), "windows", Locations(*index.probe_places("windows"))))
    monkeypatch.undo()
    return {kind: sorted(map(repr, records)) for kind, records in snapshot.records.items()}, \
        sorted((n.source, n.reason, n.detail) for n in snapshot.not_read)


def test_hives_read_in_pieces_give_exactly_the_records_of_hives_read_whole(tmp_path, monkeypatch):
    disk = windows_tree.build(tmp_path / "disk")
    whole = _windows_records(disk, monkeypatch, paged=False)
    pieces = _windows_records(disk, monkeypatch, paged=True)
    assert pieces == whole
    assert len(whole[0]["registry"]) >= 3 and len(whole[0]["services"]) >= 5


def test_a_real_hive_read_in_pieces_gives_exactly_what_it_gives_read_whole(tmp_path, monkeypatch):
    disk = real_hive_disk(tmp_path)
    whole = _windows_records(disk, monkeypatch, paged=False)
    pieces = _windows_records(disk, monkeypatch, paged=True)
    assert pieces == whole
    assert len(whole[0]["services"]) == 159


def test_a_damaged_hive_read_in_pieces_is_named_like_one_read_whole(tmp_path, monkeypatch):
    disk = windows_tree.build(tmp_path / "disk")
    software = disk / "Windows/System32/config/SOFTWARE"
    data = software.read_bytes()
    software.write_bytes(data[:len(data) // 2])                   # cut short: keys point past its end
    whole = _windows_records(disk, monkeypatch, paged=False)
    pieces = _windows_records(disk, monkeypatch, paged=True)
    assert pieces == whole
    assert any(source == "registry" and "SOFTWARE" in detail for source, _, detail in whole[1])


# -- command lines ----------------------------------------------------------------------------
@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(" \t\r\n\x0b\x0c\x1c\x1d\x1e\x1fab/-=\"'\\#;&|é\xa0\u2003"))))
def test_command_words_are_what_shlex_makes_of_them(text):
    import shlex
    from device_checkup.checks.sources.commands import _words
    try:
        expected = shlex.split(text, comments=False, posix=True)
    except ValueError:
        expected = text.split()
    assert _words(text) == expected
