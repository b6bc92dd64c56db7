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

from checks.engine import run_scan
from checks.sources.base import Machine
from checks.sources.fs import FileSystem
from signatures.loader import load_set
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
    from app.cli import main
    code = main(["scan", "--root", {disk!r}, "--platform", {platform!r}, "--json"])
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
    script = TRACE_OPENS.format(root=str(ROOT), outside=str(outside), disk=str(disk), platform=platform)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    trace = json.loads(proc.stderr.strip().splitlines()[-1])
    assert trace["code"] == 0
    assert trace["seen"] == []                          # nothing outside the disk was even looked at
    assert "CANARY" not in proc.stdout
    result = json.loads(proc.stdout)
    assert len([f for f in result["findings"] if f["family"]]) >= 3     # the planted software, still found


def test_an_enormous_folder_is_read_to_the_end(tmp_path, shipped):
    disk = planted_tree("linux", tmp_path / "disk")
    folder = disk / "home/alex/.config/autostart"
    for i in range(100_000):
        os.close(os.open(folder / f"entry{i:06d}.desktop", os.O_CREAT | os.O_WRONLY, 0o644))
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disk), "linux"))
    entries = [a for a in result.snapshot.of("autostart") if a.location.startswith("/home/alex/.config/autostart/")]
    assert len(entries) == 100_000 + 2
    assert {"kidlogger", "teramind"} <= {f.family for f in result.findings}


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
    assert not [n for n in result.not_checked if n.reason == "error"]
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


def _as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                           sys.executable, "-m", "app.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


needs_root = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                reason="needs root, to run the check as the 'nobody' user")


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
def test_folders_no_one_may_read_are_named_in_plain_words(open_tmp):
    tmp_path = open_tmp
    disk = planted_tree("linux", tmp_path / "disk")
    for locked in ("home/alex/.config/autostart", "etc/systemd/system", "var/lib/dpkg"):
        (disk / locked).chmod(0o000)
    (disk / "etc/crontab").chmod(0o000)
    proc = _as_nobody("scan", "--root", str(disk), "--platform", "linux", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    denied = [n for n in result["not_checked"] if n["reason"] == "permission"]
    assert denied, result["not_checked"]
    assert all("permission" in n["reason_words"] or "allowed" in n["reason_words"] for n in denied)
    text = _as_nobody("scan", "--root", str(disk), "--platform", "linux", cwd=tmp_path)
    assert text.returncode == 0 and "Traceback" not in text.stdout + text.stderr
    assert "What we could not check" in text.stdout
    # What could be read still shows: KidLogger's autostart entry is in /etc/xdg, which is open.
    assert "kidlogger" in {f["family"] for f in result["findings"]}


@needs_root
def test_a_live_check_by_a_user_who_may_read_almost_nothing(open_tmp):
    tmp_path = open_tmp
    proc = _as_nobody("scan", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["findings"] is not None
    for n in result["not_checked"]:
        assert n["reason_words"] and "Traceback" not in n["reason_words"] and "Error" not in n["reason_words"]
    text = _as_nobody("scan", cwd=tmp_path)
    assert text.returncode == 0 and "Traceback" not in text.stdout + text.stderr
    assert list(tmp_path.iterdir()) == []              # nobody's check wrote nothing either
