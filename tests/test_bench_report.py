"""`make bench` fills the marked blocks of docs/performance.md and keeps every hand-written word."""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(report)


def _block(name: str, text: str) -> str:
    return f"{report.BEGIN.format(name=name)}\n{text}\n{report.END.format(name=name)}"


def test_only_the_blocks_of_the_parts_run_are_replaced():
    doc = ("# Performance\n\nBy hand, before.\n\n## A\n\n" + _block("scan", "old scan numbers")
           + "\n\nBy hand, between: a before/after table.\n\n" + _block("load", "old load numbers")
           + "\n\n## By hand at the end\n\nKept.\n")
    out = report.fill(doc, {"scan": ["new scan numbers", "", "*Measured today.*"]})
    assert "new scan numbers" in out and "old scan numbers" not in out
    assert "old load numbers" in out                                # not run: kept with its date
    for kept in ("By hand, before.", "By hand, between: a before/after table.", "## By hand at the end\n\nKept."):
        assert kept in out
    assert out.count(report.END.format(name="scan")) == 1
    assert report.fill(out, {"scan": ["new scan numbers", "", "*Measured today.*"]}) == out   # stable


def test_a_part_without_its_markers_is_added_at_the_end_under_its_heading():
    out = report.fill("# Performance\n\nBy hand.\n", {"whole": ["numbers"]})
    assert out.startswith("# Performance\n\nBy hand.\n")
    assert out.rstrip().endswith(_block("whole", "numbers"))
    assert f"## {report.TITLES['whole']}" in out


def test_the_shipped_document_has_a_block_for_every_part_and_its_hand_written_sections():
    import sys
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
        run = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(run)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    for name in run.PARTS:
        assert doc.count(report.END.format(name=name)) == 1, name
        assert doc.count(f"<!-- bench:{name} begin") == 1, name
    for heading in ("## What profiling changed", "## The PDF report", "## The portable app (`make dist`)",
                    "### Hives read in bounded pieces (issue 15)", "## Running it"):
        assert heading in doc
