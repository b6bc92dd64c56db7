"""Quick exit ends the process even when the GUI thread is stuck; starting the app leaves no
trace (.pyc files, a D-Bus session bus); the scan thread holds no Qt object (issues 14, 19).

The app runs in a child process (the real `app.gui.main`), because the point of these tests
is what happens to the whole process."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading

import pytest

from tests.gui_fixtures import make_window  # noqa: F401  (pytest fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.gui

# Liveness, not speed: the watchdog ends a stuck exit after 2 s; a process still alive after
# this long never ended at all.
ENOUGH = 60


def run_app(body: str, *, env_extra: dict | None = None, cwd: str = ROOT, timeout: float = ENOUGH,
            argv_prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    code = textwrap.dedent("""\
        import os, sys, time, threading
        sys.path.insert(0, {root!r})
        from PySide6.QtCore import QTimer, Qt
        from PySide6.QtTest import QTest
        from device_checkup import app  # noqa: F401
        import device_checkup.app.gui  # noqa: F401
        from tests.gui_fixtures import make_scan, spy_sources
        """).format(root=cwd) + textwrap.dedent(body)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(env_extra or {})
    return subprocess.run([*argv_prefix, sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=cwd)


def test_quick_exit_ends_the_process_when_the_gui_thread_is_stuck_after_exit():
    # The clipboard step blocks the GUI thread for good (a clipboard owner that never answers
    # does this on X11). Exit is clicked; nothing on the GUI thread ever runs again.
    proc = run_app("""
        def on_start(w):
            w.quick_exit.clear_clipboard = lambda: (print("stuck", flush=True), time.sleep(3600))
            QTimer.singleShot(50, lambda: QTest.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton))
        app.gui.main(scan=make_scan(spy_sources()), on_start=on_start)
        print("returned normally", flush=True)
        """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "stuck" in proc.stdout and "returned normally" not in proc.stdout


def test_shift_three_times_ends_the_process_when_the_scan_and_the_gui_thread_hang():
    # A scan that never stops, and the GUI thread blocked as soon as quick exit has started.
    proc = run_app("""
        release = threading.Event()
        def never_ending_scan(*, progress, cancel, user_paths):
            release.wait()
        def on_start(w):
            w.quick_exit.forget = lambda: time.sleep(3600)
            w.start_scan("own")
            def press():
                target = w.focusWidget() or w
                for _ in range(3):
                    QTest.keyClick(target, Qt.Key.Key_Shift)
            QTimer.singleShot(100, press)
        app.gui.main(scan=never_ending_scan, on_start=on_start)
        print("returned normally", flush=True)
        """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "returned normally" not in proc.stdout


def test_the_scan_thread_is_a_plain_thread_and_no_collection_runs_on_it():
    # Every collection the app makes (and Python's own, if any) is recorded by thread.
    proc = run_app("""
        import gc
        on = []
        gc.callbacks.append(lambda phase, info: phase == "start" and on.append(threading.current_thread().name))
        seen = {}
        def spying_scan(*, progress, cancel, user_paths):
            seen["thread"] = type(threading.current_thread()).__name__
            from PySide6.QtCore import QThread
            seen["qthread"] = QThread.currentThread() is not None and QThread.currentThread().objectName()
            junk = []
            for i in range(200000):          # plenty of allocations: thresholds crossed many times
                junk.append([i, [i]])
            return make_scan(spy_sources())(progress=progress, cancel=cancel, user_paths=user_paths)
        def on_start(w):
            w.runner.finished.connect(lambda r: QTimer.singleShot(0, w.close))
            w.start_scan("own")
        app.gui.main(scan=spying_scan, on_start=on_start)
        print("threads", sorted(set(on)), seen["thread"], flush=True)
        """)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("threads"))
    # Collections happened (200,000 allocations), all of them on the GUI thread; the scan ran
    # on a plain threading.Thread (a QThread shows up as threading's _DummyThread).
    assert line == "threads ['MainThread'] Thread", line


def _dbus_procs(home=None) -> set[int]:
    """D-Bus daemons running now; with ``home``, only those started with that HOME (the app's
    own: other programs on a shared machine may start theirs meanwhile)."""
    out = set()
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as fh:
                    if fh.read().strip() not in ("dbus-daemon", "dbus-launch"):
                        continue
                if home is not None:
                    with open(f"/proc/{pid}/environ", "rb") as fh:
                        if f"HOME={home}".encode() not in fh.read().split(b"\0"):
                            continue
                out.add(int(pid))
            except OSError:
                pass
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="D-Bus autolaunch is a Linux/X11 matter")
@pytest.mark.skipif(not (shutil.which("xvfb-run") and shutil.which("dbus-launch")),
                    reason="needs xvfb-run and dbus-launch (Debian: xvfb, dbus-x11)")
def test_no_session_bus_is_started_when_none_runs(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    before = _dbus_procs(home)
    env = {"HOME": str(home), "QT_QPA_PLATFORM": "xcb"}
    env_remove = ("DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
    saved = {k: os.environ.pop(k) for k in env_remove if k in os.environ}
    try:
        proc = run_app("""
            def on_start(w):
                QTimer.singleShot(1500, w.close)
            print("exit", app.gui.main(scan=make_scan(spy_sources()), on_start=on_start), flush=True)
            """, env_extra=env, argv_prefix=("xvfb-run", "-a"))
    finally:
        os.environ.update(saved)
    started = _dbus_procs(home) - before
    assert "exit 0" in proc.stdout, proc.stderr[-2000:]
    assert not (home / ".dbus").exists(), "a D-Bus session bus was launched (~/.dbus written)"
    assert not started, f"dbus processes left running: {started}"


def test_no_bytecode_is_written_by_the_command_line_or_the_app(tmp_path):
    # A copy of the source tree, as an editable install uses it; the command the console
    # script runs (`from device_checkup.app.cli import main`), then the app.
    tree = tmp_path / "tree"
    for part in ("app", "checks", "signatures", "tests"):
        shutil.copytree(os.path.join(ROOT, part), tree / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    root = tmp_path / "empty-root"
    (root / "etc").mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(tree))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cli = subprocess.run([sys.executable, "-c", "import sys; from device_checkup.app.cli import main; sys.exit(main())",
                          "scan", "--json", "--root", str(root), "--platform", "linux"],
                         capture_output=True, text=True, timeout=ENOUGH, env=env, cwd=str(tmp_path))
    assert cli.returncode == 0, cli.stderr[-2000:]
    gui = run_app("""
        def on_start(w):
            w.runner.finished.connect(lambda r: QTimer.singleShot(0, w.close))
            w.start_scan("own")
        print("exit", app.gui.main(scan=make_scan(spy_sources()), on_start=on_start), flush=True)
        """, cwd=str(tree))
    assert "exit 0" in gui.stdout, gui.stderr[-2000:]
    written = sorted(str(p.relative_to(tree)) for p in tree.rglob("*.pyc"))
    # Python compiles the first module it imports (app/__init__.py, which turns compiling off)
    # before any of our code can run; nothing else may be written.
    assert [p for p in written if not p.startswith("app/__pycache__/__init__.")] == [], written


def test_saving_a_report_to_a_fifo_never_holds_the_app(qtbot, make_window, tmp_path):
    # A FIFO at the chosen name: writing to it waits for a reader that never comes. The report
    # is written off the GUI thread, so the window keeps answering and quick exit works.
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.gui_fixtures import FakeDialogs
    fifo = tmp_path / "report.html"
    os.mkfifo(fifo)
    w = make_window(dialogs=FakeDialogs(save_to=str(fifo)))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    qtbot.mouseClick(w.results.save_button, Qt.MouseButton.LeftButton)
    ticks = []
    from PySide6.QtCore import QTimer
    QTimer.singleShot(10, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: ticks == [1])            # the event loop runs while the save waits
    qtbot.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton)
    assert w.quick_exit.triggered and w.quits == [1]
    assert not any(t.isVisible() for t in QApplication.topLevelWidgets())
    # Let the writer still waiting on the FIFO finish (the test process lives on): read it out.
    task = w.save_task
    if task is not None and task.thread.is_alive():
        def unblock():
            with open(fifo, "rb") as fh:      # take what it writes ...
                fh.read()
            with open(fifo, "wb"):            # ... and end the fingerprint's read of it
                pass
        threading.Thread(target=unblock, daemon=True).start()
        task.thread.join(30)
        assert not task.thread.is_alive()
        qtbot.waitUntil(lambda: w.save_task is None, timeout=10000)
