"""Hostile offline disks and failing parts: links out of the disk and in circles, folders no one
may read, an enormous folder, files that vanish while the scan runs, programs that end while
they are looked at, and a check run by a user who may read almost nothing. The scan stays inside
the disk, finishes, and says in plain words what it could not read."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.signatures.loader import load_set
from tests.helpers import ROOT
from tests.test_no_network_no_traces import planted_tree

NOBODY = 65534


@pytest.fixture(scope="module")
def shipped():
    return load_set()


# Places each platform's scan lists, where links are planted.
LISTED = {
    "linux": ["home/alex/.config/autostart", "etc/systemd/system", "etc/cron.d", "usr/share/applications",
              "home/alex/.mozilla"],
    "macos": ["Library/LaunchAgents", "Applications", "Users/alex/Library/LaunchAgents",
              "private/var/db/receipts"],
    "windows": ["ProgramData/Microsoft/Windows/Start Menu/Programs/Startup", "Windows/System32/Tasks",
                "Users/alex/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup", "Program Files"],
}

TRACE_OPENS = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, {root!r})
    outside = {outside!r}
    seen = []
    def hook(event, args):
        if event in ("open", "os.listdir", "os.scandir", "os.readlink", "os.stat") and args:
            path = args[0]
            if isinstance(path, (str, bytes, os.PathLike)):
                path = os.fsdecode(path)
                if path.startswith(outside):
                    seen.append([event, path])
    sys.addaudithook(hook)
    from device_checkup.app.cli import main
    code = main(["scan", "--root", {disk!r}, "--platform", {platform!r}, "--json", "--save-snapshot", {snap!r}])
    print(json.dumps({{"code": code, "seen": seen}}), file=sys.stderr)
""")


def plant_links(disk: Path, platform: str, outside: Path) -> None:
    for i, rel in enumerate(LISTED[platform]):
        folder = disk / rel
        folder.mkdir(parents=True, exist_ok=True)
        depth = len(Path(rel).parts) + 3
        os.symlink(str(outside), folder / "abs-out.desktop")                       # absolute, out
        os.symlink(str(outside / "secret.plist"), folder / "abs-file.plist")
        os.symlink("../" * depth + "outside", folder / "rel-out")                  # climbs out
        os.symlink("../" * depth + "outside/secret.plist", folder / "rel-file.lnk")
        os.symlink("loop-b", folder / "loop-a")                                    # a circle
        os.symlink("loop-a", folder / "loop-b")
        os.symlink(".", folder / "self")                                           # into itself
        os.symlink("..", folder / "parent.app")                                    # to its parent


@pytest.mark.parametrize("platform", ["linux", "macos", "windows"])
def test_links_out_of_the_disk_and_in_circles(tmp_path, platform):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.plist").write_text("CANARY-OUTSIDE the disk")
    (outside / "CANARY.desktop").write_text("[Desktop Entry]\nName=CANARY\nExec=/CANARY\n")
    disk = planted_tree(platform, tmp_path / "disk")
    plant_links(disk, platform, outside)
    snap = tmp_path / "snapshot.json"
    script = TRACE_OPENS.format(root=str(ROOT), outside=str(outside), disk=str(disk), platform=platform, snap=str(snap))
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    trace = json.loads(proc.stderr.strip().splitlines()[-1])
    assert trace["code"] == 0
    assert trace["seen"] == []                          # nothing outside the disk was even looked at
    assert "CANARY" not in proc.stdout
    result = json.loads(proc.stdout)
    assert len([f for f in result["findings"] if f["family"]]) >= 3     # the planted software, still found
    # Bounded: the circles add at most the links themselves as records (each read once, no
    # folder entered twice), a bounded number of notes, and no part ran into its time limit.
    clean = run_scan(signatures=load_set(), machine=Machine.offline(str(planted_tree(platform, tmp_path / "clean")),
                                                                    platform))
    links = 8 * len(LISTED[platform])
    records = json.loads(snap.read_text(encoding="utf-8"))["records"]
    clean_counts = {kind: len(clean.snapshot.of(kind)) for kind in clean.snapshot.records}
    assert records
    for kind, items in records.items():
        assert len(items) <= clean_counts.get(kind, 0) + links, kind
    assert len(result["not_checked"]) <= len(clean.not_checked) + links
    assert not [n for n in result["not_checked"] if n["reason"] == "timeout"]


def test_an_enormous_folder_is_read_to_the_end(tmp_path, shipped):
    disk = planted_tree("linux", tmp_path / "disk")
    folder = disk / "home/alex/.config/autostart"
    for i in range(100_000):
        os.close(os.open(folder / f"entry{i:06d}.desktop", os.O_CREAT | os.O_WRONLY, 0o644))
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "linux"))
    entries = [a for a in result.snapshot.of("autostart") if a.location.startswith("/home/alex/.config/autostart/")]
    assert len(entries) == 100_000 + 2
    assert {"kidlogger", "teramind"} <= {f.family for f in result.findings}
    assert not [n for n in result.not_checked if n.reason in ("timeout", "error", "fault")]    # bounded, and said


def test_files_that_vanish_or_change_while_the_scan_runs(tmp_path, shipped, monkeypatch):
    disk = planted_tree("linux", tmp_path / "disk")
    victims = [disk / "etc/xdg/autostart/kidlogger.desktop", disk / "var/lib/dpkg/status",
               disk / "home/alex/.config/autostart/dropbox.desktop"]
    real_list = FileSystem.list

    def list_then_remove(self, path):
        entries = real_list(self, path)
        for v in victims:                               # gone between the listing and the reading
            if v.exists():
                v.unlink()
        (disk / "etc/cron.d/e2scrub_all").write_bytes(os.urandom(200))      # and one changed
        return entries

    monkeypatch.setattr(FileSystem, "list", list_then_remove)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "linux"))
    assert not [n for n in result.not_checked if n.reason in ("error", "fault")]
    assert "teramind" in {f.family for f in result.findings}


def test_a_scan_of_programs_that_end_while_they_are_looked_at(shipped):
    stop = threading.Event()
    started: list[int] = []

    short_lived = shutil.which("true") or sys.executable

    def churn():
        while not stop.is_set():
            p = subprocess.Popen([short_lived] if short_lived.endswith("true") else [short_lived, "-c", "pass"])
            started.append(p.pid)
            p.wait()

    t = threading.Thread(target=churn)
    t.start()
    while len(started) < 3:                    # programs are coming and going before the scan starts
        time.sleep(0.001)
    before = len(started)
    try:
        result = run_scan(signatures=shipped)
    finally:
        stop.set()
        t.join()
    assert len(started) > before              # and while it ran
    assert result.snapshot.of("processes")
    # Programs that ended are not "permission": only programs still running that refuse to say
    # which file they run may be counted (in some sandboxes, pid 1 refuses even the administrator).
    import psutil
    refusing = 0
    for p in psutil.process_iter():
        try:
            p.exe()
        except psutil.AccessDenied:
            refusing += 1
        except psutil.Error:
            pass
    counted = [int(n.detail.split()[0]) for n in result.not_checked if n.source == "processes"]
    assert all(c <= refusing for c in counted), (counted, refusing)


def _as_nobody(*args: str, cwd: Path, code: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": str(code), "LANG": "C.UTF-8"}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           sys.executable, "-m", "device_checkup.app.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                reason="needs root, to run the check as the 'nobody' user")


@pytest.fixture(scope="module")
def nobody_code():
    """A copy of the code the 'nobody' user can read: the clone may sit in a folder only root may
    enter (then 'nobody' can't import it at all). If Python itself or its packages are closed to
    'nobody', the tests are skipped, saying so."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="checkup-code-"))
    try:
        for part in ("app", "checks", "signatures"):
            shutil.copytree(ROOT / part, folder / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for p in [folder, *folder.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        probe = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                                sys.executable, "-c", "import device_checkup.app.cli, device_checkup.checks.engine, yaml, psutil"],
                               cwd="/", env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(folder),
                                             "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/"},
                               capture_output=True, text=True, timeout=120)
        if probe.returncode != 0:
            pytest.skip("the 'nobody' user can't run this Python or import its packages "
                        f"({sys.executable}): {probe.stderr.strip().splitlines()[-1:]}")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def open_tmp():
    """A folder the 'nobody' user can reach (pytest's own tmp folders are private to root)."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="checkup-nobody-"))
    folder.chmod(0o755)
    yield folder
    for p in folder.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_folders_no_one_may_read_are_named_in_plain_words(open_tmp, nobody_code):
    tmp_path = open_tmp
    disk = planted_tree("linux", tmp_path / "disk")
    for locked in ("home/alex/.config/autostart", "etc/systemd/system", "var/lib/dpkg"):
        (disk / locked).chmod(0o000)
    (disk / "etc/crontab").chmod(0o000)
    proc = _as_nobody("scan", "--root", str(disk), "--platform", "linux", "--json", cwd=tmp_path, code=nobody_code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    denied = [n for n in result["not_checked"] if n["reason"] == "permission"]
    assert denied, result["not_checked"]
    assert all("permission" in n["reason_words"] or "allowed" in n["reason_words"] for n in denied)
    text = _as_nobody("scan", "--root", str(disk), "--platform", "linux", cwd=tmp_path, code=nobody_code)
    assert text.returncode == 0 and "Traceback" not in text.stdout + text.stderr
    assert "What we could not check" in text.stdout
    # What could be read still shows: KidLogger's autostart entry is in /etc/xdg, which is open.
    assert "kidlogger" in {f["family"] for f in result["findings"]}


@needs_root
def test_a_live_check_by_a_user_who_may_read_almost_nothing(open_tmp, nobody_code):
    tmp_path = open_tmp
    proc = _as_nobody("scan", "--json", cwd=tmp_path, code=nobody_code)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["findings"] is not None
    for n in result["not_checked"]:
        assert n["reason_words"] and "Traceback" not in n["reason_words"] and "Error" not in n["reason_words"]
    text = _as_nobody("scan", cwd=tmp_path, code=nobody_code)
    assert text.returncode == 0 and "Traceback" not in text.stdout + text.stderr
    assert list(tmp_path.iterdir()) == []              # nobody's check wrote nothing either


# -- one reader: nothing blocks, nothing balloons -----------------------------------------------
SOURCES_DIR = ROOT / "checks" / "sources"
READER = {"fs.py"}                                   # the toolkit itself
_FORBIDDEN_CALLS = {("os", "open"), ("os", "listdir"), ("os", "scandir"), ("os", "walk"), ("os", "fdopen"),
                    ("io", "open"), ("sqlite3", "connect"), ("glob", "glob"), ("glob", "iglob"),
                    ("shutil", "copyfile"), ("plistlib", "load"), ("json", "load")}
_PATH_METHODS = {"read_text", "read_bytes", "open", "iterdir", "glob", "rglob", "walk"}


def _violations(path: Path) -> list[str]:
    import ast
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + ([node.module] if isinstance(node, ast.ImportFrom) and node.module else [])
            if any(n in ("pathlib", "glob") for n in names):
                out.append(f"{path.name}:{node.lineno}: imports {names}")
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id == "open":
            out.append(f"{path.name}:{node.lineno}: open()")
        elif isinstance(f, ast.Attribute):
            if isinstance(f.value, ast.Name) and (f.value.id, f.attr) in _FORBIDDEN_CALLS:
                out.append(f"{path.name}:{node.lineno}: {f.value.id}.{f.attr}()")
            elif f.attr in _PATH_METHODS:
                receiver = ast.unparse(f.value)
                if not (receiver == "fs" or receiver.endswith(".fs") or receiver == "self"
                        and path.name in READER):
                    out.append(f"{path.name}:{node.lineno}: {receiver}.{f.attr}()")
    return out


def test_no_source_opens_or_lists_files_another_way(tmp_path):
    """Every source reads through checks/sources/fs.py (FIFOs refused, sizes bounded, links re-rooted)."""
    files = sorted(p for p in SOURCES_DIR.glob("*.py") if p.name not in READER)
    assert len(files) >= 10
    found = [v for p in files for v in _violations(p)]
    assert found == []
    # The scan can fail: a source that opens a file itself is caught.
    bad = tmp_path / "bad.py"
    bad.write_text("import os\ndef f(p, fs):\n    open(p)\n    os.scandir(p)\n    fs.read_text(p)\n    p.read_bytes()\n")
    assert [v.split(": ", 1)[1] for v in _violations(bad)] == ["open()", "os.scandir()", "p.read_bytes()"]


TRACE_READER = textwrap.dedent("""
    import json, os, sys
    sys.path.insert(0, {root!r})
    disk = {disk!r}
    wrong = []
    opened = [0]
    def hook(event, args):
        if event in ("open", "os.listdir", "os.scandir", "sqlite3.connect") and args:
            path = args[0]
            if not isinstance(path, (str, bytes, os.PathLike)):
                return
            path = os.fsdecode(path)
            if path.startswith("file:"):
                from urllib.parse import unquote
                path = unquote(path[5:].split("?", 1)[0])
            if not path.startswith(disk):
                return
            opened[0] += 1
            frame, files = sys._getframe(1), []
            while frame is not None:
                files.append(frame.f_code.co_filename)
                frame = frame.f_back
            if not any(f.endswith(os.path.join("checks", "sources", "fs.py")) for f in files):
                wrong.append([event, path])
            elif event == "open" and isinstance(args[2], int) and not args[2] & os.O_NONBLOCK:
                wrong.append(["blocking open", path])
    sys.addaudithook(hook)
    from device_checkup.app.cli import main
    code = main(["scan", "--root", disk, "--platform", {platform!r}, "--json"])
    print(json.dumps({{"code": code, "wrong": wrong, "opened": opened[0]}}), file=sys.stderr)
""")


@pytest.mark.parametrize("platform", ["linux", "macos", "windows"])
def test_every_file_a_scan_opens_or_lists_goes_through_the_one_reader(tmp_path, platform):
    disk = planted_tree(platform, tmp_path / "disk")
    script = TRACE_READER.format(root=str(ROOT), disk=str(disk), platform=platform)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    trace = json.loads(proc.stderr.strip().splitlines()[-1])
    assert trace["code"] == 0
    assert trace["opened"] > 20                          # the hook saw the scan read the disk
    assert trace["wrong"] == []


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)


FIFO_PLACES = ["etc/os-release", "home/alex/.config/autostart/zz-fifo.desktop", "etc/passwd", "etc/crontab",
               "var/lib/dpkg/status", "etc/systemd/system/zz-fifo.service", "etc/hosts"]


def test_fifos_and_sockets_on_a_disk_are_refused_at_once_and_named(tmp_path, shipped, monkeypatch):
    import socket
    disk = planted_tree("linux", tmp_path / "disk")
    for rel in FIFO_PLACES:
        _fifo(disk / rel)
    sock = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(disk / "home/alex/.config/autostart")     # a socket's full path may be too long
    sock.bind("zz-socket.desktop")
    monkeypatch.chdir(ROOT)
    box: dict = {}
    worker = threading.Thread(target=lambda: box.update(
        result=run_scan(signatures=shipped, machine=Machine.offline(str(disk), "linux"), time_limit=60)), daemon=True)
    worker.start()
    worker.join(600)                                    # today's code waits for a writer for ever
    sock.close()
    assert "result" in box, "the scan never ended: a FIFO was opened and waited on"
    result = box["result"]
    assert not [n for n in result.not_checked if n.reason == "timeout"]
    named = " ".join(n.detail for n in result.not_checked)
    for rel in FIFO_PLACES:
        assert "/" + rel in named, rel                  # each refused FIFO is said, with its place
    assert "FIFO" in named and "socket" in named
    assert result.snapshot.os_version == "Linux"             # the name could not be read, and says no more
    # The rest of each source is still read: the autostart entries beside the FIFO are found.
    assert {"kidlogger", "teramind"} <= {f.family for f in result.findings}
    assert len(result.not_checked) <= len(FIFO_PLACES) + 10   # bounded notes, one per refused place


def test_a_folder_circle_in_scheduled_tasks_is_walked_once(tmp_path, shipped):
    disk = planted_tree("windows", tmp_path / "disk")
    tasks = disk / "Windows/System32/Tasks"
    before = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "windows"))
    (tasks / "Deep").mkdir()
    os.symlink("..", tasks / "Deep" / "up")                  # a circle back to Tasks
    os.symlink("/Windows/System32/Tasks", tasks / "Deep" / "again")   # the same, re-rooted
    os.symlink("../Deep", tasks / "Deep" / "me")
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "windows"))
    assert len(result.snapshot.of("tasks")) == len(before.snapshot.of("tasks")) > 0   # each task once
    assert len(result.not_checked) <= len(before.not_checked) + 3
    assert {f.family for f in result.findings} == {f.family for f in before.findings}


# -- reports never follow links -----------------------------------------------------------------
@pytest.fixture
def planted_link(tmp_path):
    """A dangling link planted at the name a report will be saved under, and where it points."""
    target = tmp_path / "elsewhere" / "bashrc"
    target.parent.mkdir()
    return tmp_path, target


def _checkup(*args: str) -> subprocess.CompletedProcess:
    # A process of its own: the PDF is drawn by Qt, which must not share this test process's Qt.
    return subprocess.run([sys.executable, "-m", "device_checkup.app.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT),
                                            "QT_QPA_PLATFORM": "offscreen"})


@pytest.mark.parametrize("option,name", [("--report", "report.html"), ("--report", "report.pdf"),
                                         ("--save-snapshot", "snap.json")])
def test_the_command_line_never_writes_through_a_planted_link(planted_link, option, name):
    folder, target = planted_link
    disk = planted_tree("linux", folder / "disk")
    scan = ["scan", "--root", str(disk), "--platform", "linux", option]
    link = folder / name
    os.symlink(target, link)                                       # dangling: points to nothing yet
    proc = _checkup(*scan, str(link))
    assert proc.returncode == 3 and "already exists" in proc.stderr, proc.stderr[-2000:]
    assert not target.exists() and os.readlink(link) == str(target)
    regular = folder / ("new-" + name)
    regular.write_text("the person's own file")                   # an existing file is not replaced either
    assert _checkup(*scan, str(regular)).returncode == 3
    assert regular.read_text() == "the person's own file"
    fresh = folder / ("fresh-" + name)
    proc = _checkup(*scan, str(fresh))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert fresh.stat().st_size > 100 and not fresh.is_symlink()


def test_replacing_after_the_question_replaces_the_name_never_a_link_target(tmp_path):
    from device_checkup.app.safe_write import write_new
    target = tmp_path / "target"
    target.write_text("keep")
    link = tmp_path / "report.html"
    os.symlink(target, link)
    with pytest.raises(OSError):
        write_new(str(link), b"report", replace=True)
    assert target.read_text() == "keep" and link.is_symlink()
    own = tmp_path / "own.html"
    own.write_text("old")
    write_new(str(own), b"new", replace=True)
    assert own.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["own.html", "report.html", "target"]   # no leftovers


def test_the_app_never_saves_a_report_through_a_planted_link(qtbot, tmp_path):
    from PySide6.QtCore import Qt
    from device_checkup.app.gui.style import STYLE  # noqa: F401 (the window's look is not the point here)
    from device_checkup.app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, make_scan, spy_sources
    target = tmp_path / "elsewhere.html"
    link = tmp_path / "device-checkup-report.html"
    os.symlink(target, link)
    dialogs = FakeDialogs(save_to=str(link))
    w = MainWindow(scan=make_scan(spy_sources()), dialogs=dialogs, quit=lambda: None, hard_exit=lambda code: None)
    qtbot.addWidget(w)
    w.show()
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    if w.current_page() is w.session_page:
        qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    w.save_report()
    qtbot.waitUntil(lambda: w.save_task is None, timeout=15000)   # written on a thread of its own
    assert not target.exists() and link.is_symlink()
    assert dialogs.saved == []                                  # nothing said to be saved
    dialogs.save_to = str(tmp_path / "real.html")
    w.save_report()
    qtbot.waitUntil(lambda: w.save_task is None, timeout=15000)
    assert [p for p, _ in dialogs.saved] == [str(tmp_path / "real.html")]
    w.shutdown()


def test_a_time_out_names_what_the_part_was_reading(tmp_path, shipped):
    from device_checkup.checks.sources.base import Source
    disk = planted_tree("linux", tmp_path / "disk")
    gate, ended = threading.Event(), threading.Event()

    class Stuck(Source):
        id, kind, what, platforms = "test.stuck", "autostart", "programs that start by themselves", frozenset({"linux"})

        def collect(self, machine, notes):
            try:
                machine.fs.read_text("/etc/xdg/autostart/kidlogger.desktop")
                gate.wait()                  # as if the next read never came back (a network share)
            finally:
                ended.set()
            return iter(())

    try:
        result = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "linux"), sources=[Stuck()],
                          time_limit=2)
    finally:
        gate.set()
    assert ended.wait(10)
    (note,) = [n for n in result.not_checked if n.source == "test.stuck"]
    assert note.reason == "timeout" and note.detail == "stopped after 2 s, while reading /etc/xdg/autostart/kidlogger.desktop"
