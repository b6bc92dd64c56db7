"""The shipped signature set is checked against its manifest; a change shows in the results."""
from __future__ import annotations

import shutil

from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import Process
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.signatures import manifest
from tests.helpers import ListSource, family_yaml, sigset_from_text


def test_the_shipped_files_match_their_manifest():
    assert manifest.changes() == [], "run: python -m signatures.manifest"


def test_a_changed_added_or_missing_file_is_named(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(manifest.data_folder(), folder)
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names, "no shipped signature files"
    first = folder / names[0]
    first.write_text(first.read_text().replace("families:", "families:\n# hidden", 1))
    (folder / "extra.yaml").write_text("schema: 1\nfamilies: []\n")
    if len(names) > 1:
        (folder / names[1]).unlink()
    got = manifest.changes(str(folder))
    assert f"{names[0]} has been changed" in got and "extra.yaml was added" in got
    if len(names) > 1:
        assert f"{names[1]} is missing" in got
    (folder / manifest.MANIFEST).unlink()
    assert manifest.changes(str(folder)) == ["the list of the signature files' fingerprints is missing or damaged"]


def test_a_changed_set_is_reported_first_in_the_results(tmp_path):
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("x", "stalkerware", "process_names: [x-agent]"))
    sigs.changed = ["curated.yaml has been changed"]
    machine = Machine(platform="linux", fs=FileSystem("linux", str(tmp_path)), live=True)
    result = run_scan(signatures=sigs, machine=machine, sources=[ListSource("processes", [Process(pid=1, name="x-agent")])])
    first = result.findings[0]
    assert first.heuristic == "signatures-changed"
    assert first.title == "Device Checkup's own list of known monitoring software has been changed"
    assert "curated.yaml has been changed" in first.what
    assert [f.family for f in result.findings[1:]] == ["x"]


def test_user_added_files_are_labelled_as_such(tmp_path):
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("x", "stalkerware", "process_names: [x-agent]"),
                            user_file=True)
    machine = Machine(platform="linux", fs=FileSystem("linux", str(tmp_path)), live=True)
    result = run_scan(signatures=sigs, machine=machine, sources=[ListSource("processes", [Process(pid=1, name="x-agent")])])
    (f,) = result.findings
    assert f.user_signatures and all(m.user_file for m in f.matches)
    assert result.to_json_data()["findings"][0]["user_signatures"] is True
