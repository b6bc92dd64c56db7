"""The app's promises on a real run: the REAL app and the REAL scan of this computer, driven by
tests/tracing/gui_flow.py under the audit hook (tests/tracing/traced.py), with HOME, the temp
folder and the XDG folders pointed at empty folders. Nothing may touch the network; nothing may
be written except the report the person chose to save."""
from __future__ import annotations

import pytest

from tests.test_no_network_no_traces import traced_run

OFFSCREEN = {"QT_QPA_PLATFORM": "offscreen"}


def without_font_cache(left: dict) -> dict:
    # fontconfig (the system's font library, C code) may keep a font cache under
    # $XDG_CACHE_HOME/fontconfig for any program that draws text; it holds no data of ours.
    out = {}
    for folder, names in left.items():
        names = [n for n in names if not n.startswith("fontconfig")]
        if names:
            out[folder] = names
    return out


@pytest.mark.parametrize("mode", [[], ["--advocate"]], ids=["own", "advocate"])
def test_the_app_sends_nothing_and_writes_nothing(tmp_path, mode):
    trace, left, proc = traced_run(tmp_path, "gui-flow", *mode, env_extra=OFFSCREEN)
    assert "welcome → results" in proc.stdout and "shift x3" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert trace["network"] == []
    assert trace["writes"] == []
    assert without_font_cache(left) == {}


@pytest.mark.parametrize("ending", ["html", "pdf"])
def test_a_report_saved_from_the_app_is_the_only_file_written(tmp_path, ending):
    out = tmp_path / "chosen" / f"report.{ending}"
    out.parent.mkdir()
    trace, left, proc = traced_run(tmp_path, "gui-flow", "--save", str(out), env_extra=OFFSCREEN)
    assert "file dialog" in proc.stdout and "saved" in proc.stdout, proc.stdout + proc.stderr[-2000:]
    assert trace["network"] == []
    # Python writes both (app.safe_write; the PDF is drawn in memory by Qt), so the hook sees the
    # one file, and the folder listing below proves nothing else was written.
    assert {w[1] for w in trace["writes"]} == {str(out)}, trace["writes"]
    assert out.stat().st_size > 1000
    assert [p.name for p in out.parent.iterdir()] == [out.name]
    assert without_font_cache(left) == {}
