"""The disks bench/disks.py generates are scanned whole: every package, desktop file, unit,
app, receipt and launchd job it writes becomes exactly one record (the bench's numbers mean
nothing otherwise), and none of the ordinary software on them is reported."""
from __future__ import annotations

import sys

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.signatures.loader import load_set
from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import disks  # noqa: E402


@pytest.mark.parametrize("platform", ["linux", "macos"])
def test_a_generated_laptop_disk_is_read_record_for_record(platform, tmp_path):
    counts, holds = disks.write_disk(platform, 1, tmp_path / "disk")
    assert counts == disks.DISK[platform]
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(tmp_path / "disk"), platform))
    records = {kind: len(items) for kind, items in result.snapshot.records.items()}
    assert {kind: records.get(kind, 0) for kind in holds} == holds
    assert [f.family for f in result.findings if f.family] == []
