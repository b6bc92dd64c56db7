"""The app leaves nothing behind: a full run in a separate process (scan, Qt's own file dialog,
a question, quick exit) with HOME, the XDG folders and TMPDIR pointed at empty folders, which
must stay empty. Qt's file dialog writes its history through QSettings; a control run shows it
would, without the app's guard."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from device_checkup import app  # noqa: F401
    import device_checkup.app.gui  # noqa: F401
    from tests.gui_fixtures import every_tier_sources, make_scan

    if {disable_guard!r}:
        app.gui.no_settings = lambda: None

    def close_modal():
        m = QApplication.activeModalWidget()
        if m is None:
            QTimer.singleShot(20, close_modal)
            return
        m.reject()

    def on_start(w):
        def finished(result):
            QTimer.singleShot(0, close_modal)
            w.dialogs.open_files(w)                 # Qt's own file dialog, opened and closed
            QTimer.singleShot(0, close_modal)
            w.dialogs.ask(w, "Open a website?", "x", "Open it now", "Don't open it")
            print("findings", len(result.findings), flush=True)
            w.trigger_quick_exit()
        w.runner.finished.connect(finished)
        w.start_scan("own")

    sys.exit(app.gui.main(scan=make_scan(every_tier_sources(), root={machine!r}), on_start=on_start))
""")


def run_app(tmp_path: Path, disable_guard: bool = False):
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    machine = tmp_path / "machine"
    for d in (home, tmp, machine, tmp_path / "run"):
        d.mkdir()
    os.chmod(tmp_path / "run", 0o700)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "QT_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
               XDG_DATA_HOME=str(home / ".local/share"), XDG_STATE_HOME=str(home / ".local/state"),
               XDG_RUNTIME_DIR=str(tmp_path / "run"), TMPDIR=str(tmp), QT_QPA_PLATFORM="offscreen",
               PYTHONDONTWRITEBYTECODE="1")
    script = SCRIPT.format(root=str(ROOT), machine=str(machine), disable_guard=disable_guard)
    proc = subprocess.run([sys.executable, "-c", script], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")
                  if p.is_file() and "fontconfig" not in p.parts)
    return proc, left


def test_a_full_run_writes_nothing_and_no_qsettings(tmp_path):
    proc, left = run_app(tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "findings 6" in proc.stdout
    assert left == []


def test_control_without_the_guard_qt_would_write_its_file_dialog_settings(tmp_path):
    proc, left = run_app(tmp_path, disable_guard=True)
    assert proc.returncode == 0, proc.stderr
    assert "home/.config/QtProject.conf" in left
