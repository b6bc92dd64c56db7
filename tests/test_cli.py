"""The `checkup` command: exit codes, text and JSON output, snapshots."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from device_checkup.app.cli import main
from tests.helpers import ROOT, family_yaml

SIG = "schema: 1\nfamilies:\n" + family_yaml("planted", "stalkerware", "file_paths: ['/opt/planted-spy']", name="PlantedSpy")


@pytest.fixture
def linux_tree(tmp_path):
    root = tmp_path / "disk"
    (root / "opt" / "planted-spy").mkdir(parents=True)
    (root / "etc").mkdir()
    (root / "etc" / "os-release").write_text('PRETTY_NAME="Test Linux 1"\n')
    sig = tmp_path / "sig.yaml"
    sig.write_text(SIG)
    return root, sig


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_offline_scan_prints_findings_then_not_checked_then_what_a_scan_cannot_see(capsys, linux_tree):
    root, sig = linux_tree
    code, out, err = run(capsys, "scan", "--root", str(root), "--platform", "linux", "--signatures", str(sig))
    assert code == 0, err
    assert "PlantedSpy, a program sold to watch another person's computer" in out
    assert out.index("PlantedSpy") < out.index("What we could not check") < out.index("What a scan cannot see")
    assert "Test Linux 1" in out
    assert "programs that are running now, because it only exists while the computer is running" in " ".join(out.split())


def test_json_output_and_snapshot_round_trip(capsys, linux_tree, tmp_path):
    root, sig = linux_tree
    snap = tmp_path / "snap.json"
    code, out, _ = run(capsys, "scan", "--root", str(root), "--platform", "linux", "--signatures", str(sig),
                       "--json", "--save-snapshot", str(snap))
    assert code == 0
    first = json.loads(out)
    assert [f["family"] for f in first["findings"]] == ["planted"]
    records = [e["record"] for e in first["findings"][0]["evidence"]]
    assert {"path": "/opt/planted-spy"}.items() <= next(r for r in records if "path" in r).items()
    code, out, _ = run(capsys, "scan", "--from-snapshot", str(snap), "--signatures", str(sig), "--json")
    again = json.loads(out)
    assert again["findings"] == first["findings"]


@pytest.mark.parametrize("argv, code, words", [
    (["scan", "--bogus"], 2, "unrecognized arguments"),
    (["scan", "--root", "/nonexistent-dir-xyz", "--platform", "linux"], 3, "can't check /nonexistent-dir-xyz"),
    (["scan", "--root", "/tmp"], 2, "--root needs --platform"),
    (["scan", "--from-snapshot", "/nonexistent.json"], 3, "can't read the snapshot"),
    (["scan", "--signatures", "/nonexistent.yaml"], 3, "can't read the signature file"),
    (["signatures"], 2, "say what to do"),
])
def test_bad_arguments_and_unreadable_input_give_one_clear_line(capsys, argv, code, words):
    got, out, err = run(capsys, *argv)
    assert got == code
    assert words in err and len(err.strip().splitlines()) == 1


def test_a_snapshot_that_is_not_one_is_refused(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "platform": "linux", "records": {"processes": [{"pid": 1, "nope": 2}]}}')
    code, _, err = run(capsys, "scan", "--from-snapshot", str(bad))
    assert code == 3 and "unknown field" in err


def test_validate_reports_file_line_message_and_exit_1(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SIG.replace("file_paths", "file_pathz"))
    code, out, _ = run(capsys, "signatures", "validate", str(bad))
    assert code == 1
    assert out.strip() == f"{bad}:9: family 'planted': unknown indicator kind 'file_pathz' (did you mean 'file_paths'?)"
    good = tmp_path / "good.yaml"
    good.write_text(SIG)
    assert run(capsys, "signatures", "validate", str(good))[0] == 0


def test_the_command_line_never_imports_qt(tmp_path):
    code = ("import sys, app.cli as c; c.main(['scan', '--root', %r, '--platform', 'linux', '--json']);"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'" % str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert proc.returncode == 0, proc.stderr
