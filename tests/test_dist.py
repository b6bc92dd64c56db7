"""The portable Linux app (`make dist`), built once for this module and run as a person would run
it from a USB stick: from a read-only folder, as an ordinary user, with HOME, the temp folder and
the XDG folders pointed at empty folders and no Python on PATH. Every file-system call of the
program and all it starts is traced (strace -f): nothing may be written anywhere.

The folder is copied and made read-only (chmod -R a-w), and the program runs as the user
`nobody` (setpriv), for whom that is a real barrier: as root it would not be.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT

pytestmark = [
    pytest.mark.dist,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle is built on Linux"),
]

NOBODY = 65534
NEEDS = ("strace", "setpriv", "Xvfb", "xdotool")


def _missing_tools() -> list[str]:
    return [t for t in NEEDS if shutil.which(t) is None]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """`packaging/freeze.py` (what `make dist` runs), built once, copied read-only."""
    pytest.importorskip("cx_Freeze", reason="cx_Freeze comes with the test extra (pip install -e '.[test]')")
    if missing := _missing_tools():
        pytest.skip(f"needs {', '.join(missing)} (installed by .ci/run)")
    if os.geteuid() != 0:
        pytest.skip("runs the bundle as the user nobody, which needs root (CI runs as root)")
    base = tmp_path_factory.mktemp("dist")
    built = base / "built" / "device-checkup"
    env = dict(os.environ, FREEZE_WORKDIR=str(base / "work"), PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, str(ROOT / "packaging" / "freeze.py"), "build_exe",
                           "--build-exe", str(built)], cwd=str(base), env=env,
                          capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # The stick: a copy nobody can write to (its parent too), in a folder others may enter
    # (pytest's own temporary folders are closed to other users).
    stick = Path(tempfile.mkdtemp(prefix="device-checkup-stick-"))
    stick.chmod(0o755)
    shutil.copytree(built, stick / "device-checkup", symlinks=True)
    subprocess.run(["chmod", "-R", "a-w", str(stick)], check=True)
    yield stick / "device-checkup"
    subprocess.run(["chmod", "-R", "u+w", str(stick)], check=True)
    shutil.rmtree(stick)


@pytest.fixture
def person() -> dict:
    """Empty folders for HOME, the temp folder and XDG, owned by nobody (so a write WOULD succeed
    and be seen), and a PATH with every usual program except Python."""
    tmp_path = Path(tempfile.mkdtemp(prefix="device-checkup-person-"))
    home = tmp_path / "home"
    folders = {"HOME": home, "TMPDIR": tmp_path / "tmp", "XDG_CACHE_HOME": home / ".cache",
               "XDG_CONFIG_HOME": home / ".config", "XDG_DATA_HOME": home / ".local" / "share",
               "XDG_STATE_HOME": home / ".local" / "state", "XDG_RUNTIME_DIR": tmp_path / "run"}
    for f in folders.values():
        f.mkdir(parents=True, exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for entry in sorted(Path(folder).iterdir()) if Path(folder).is_dir() else ():
            if entry.name.startswith("python") or (bin_dir / entry.name).exists():
                continue
            (bin_dir / entry.name).symlink_to(entry)
    for p in [tmp_path, *tmp_path.rglob("*")]:
        if not p.is_symlink():
            os.chown(p, NOBODY, NOBODY)
    tmp_path.chmod(0o755)
    env = {k: str(v) for k, v in folders.items()}
    env.update(PATH=str(bin_dir), LANG="C.UTF-8", USER="nobody", LOGNAME="nobody")
    assert shutil.which("python3", path=env["PATH"]) is None and shutil.which("python", path=env["PATH"]) is None
    yield {"env": env, "folders": folders, "root": tmp_path}
    shutil.rmtree(tmp_path)


def listing(folders: dict) -> dict[str, list[str]]:
    return {name: sorted(str(p.relative_to(f)) for p in f.rglob("*")) for name, f in folders.items()}


WRITE_CALLS = ("open", "openat", "openat2", "creat", "mkdir", "mkdirat", "rename", "renameat",
               "renameat2", "unlink", "unlinkat", "rmdir", "link", "linkat", "symlink", "symlinkat",
               "truncate", "chmod", "fchmodat", "chown", "fchownat", "utimensat", "mknod", "mknodat",
               "execve")
# Device files are not the disk: /dev/null, the terminal. Anything else written is a failure.
NOT_THE_DISK = re.compile(r'^/dev/(null|tty|pts/)')


def traced(cmd: list[str], log: Path) -> list[str]:
    """`cmd` as the user nobody, under strace (which stays root and follows every child)."""
    return ["strace", "-f", "-qq", "-s", "512", "-o", str(log), "-e", "trace=" + ",".join(WRITE_CALLS),
            "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *cmd]


def writes(log: Path) -> list[str]:
    """Every call in the strace log that would change the disk (setpriv's and the app's)."""
    out = []
    for line in log.read_text(errors="replace").splitlines():
        m = re.match(r"^\d+\s+(\w+)\((.*)$", line)
        if not m:
            continue
        call, rest = m.groups()
        if call == "execve":
            continue
        paths = re.findall(r'"((?:[^"\\]|\\.)*)"', rest)
        path = paths[0] if paths else ""
        if call in ("open", "openat", "openat2"):
            if not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND", rest):
                continue
            if NOT_THE_DISK.match(path):
                continue
        out.append(line)
    return out


def opened(log: Path) -> str:
    return log.read_text(errors="replace")


def programs_run(log: Path) -> list[str]:
    """Every program started (execve that succeeded): only setpriv, then the app itself."""
    return re.findall(r'^\d+\s+execve\("([^"]+)".*= 0$', opened(log), flags=re.M)


# -- the command line ----------------------------------------------------------------------------
def test_the_bundle_holds_the_signature_set_its_manifest_and_all_package_data(bundle):
    lib = bundle / "lib"
    ours_in = lib / "device_checkup"            # the installed layout: one namespace
    for rel in ("signatures/data", "checks/texts", "checks/locale/pl/LC_MESSAGES", "app/data"):
        ours = sorted(p.name for p in (ROOT / rel).iterdir() if p.is_file())
        assert ours, rel
        for name in ours:
            assert (ours_in / rel / name).read_bytes() == (ROOT / rel / name).read_bytes(), f"{rel}/{name}"
    assert (ours_in / "signatures/data/MANIFEST.sha256").is_file()
    # The xcb library Ubuntu lacks travels beside Qt, where both Qt's plugin and the pre-flight
    # check (app/preflight.py) look for it.
    assert (lib / "PySide6/Qt/lib/libxcb-cursor.so.0").is_file()
    assert not list(bundle.rglob("*.py")), "sources would be compiled (and written) at run time"


def test_the_command_line_scans_from_a_read_only_folder_and_writes_nothing(bundle, person):
    log = person["root"] / "cli.strace"
    before = listing(person["folders"])
    proc = subprocess.run(traced([str(bundle / "device-checkup"), "scan", "--json"], log),
                          env=person["env"], cwd="/", capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)
    assert doc["format"] == "device-checkup-scan" and doc["scan"]["mode"] == "live"
    assert doc["checked"], doc
    # The built-in set, read from inside the bundle and matching the set in the repository.
    from device_checkup.signatures.loader import load_set
    assert doc["signatures"]["sha256"] == load_set([]).sha256
    assert all(f["path"].startswith(str(bundle)) for f in doc["signatures"]["files"]), doc["signatures"]
    # It really read this computer: processes under /proc.
    assert re.search(r'"/proc/\d+/', opened(log)) or "/proc" in opened(log)
    assert writes(log) == []
    assert listing(person["folders"]) == before
    assert [Path(p).name for p in programs_run(log)] == ["setpriv", "device-checkup"]


def test_the_bundle_opens_an_encrypted_iphone_backup_in_memory_writing_nothing(bundle, person):
    """The frozen app carries the decryption library, and decrypting writes no temporary file."""
    outside = Path(tempfile.mkdtemp(prefix="device-checkup-backup-"))
    try:
        outside.chmod(0o755)
        backup = outside / "backup"
        shutil.copytree(ROOT / "tests" / "data" / "ios" / "pyiosbackup_encrypted", backup)
        subprocess.run(["chmod", "-R", "a+rX,a-w", str(backup)], check=True)
        log = person["root"] / "ios.strace"
        before = listing(person["folders"])
        proc = subprocess.run(traced([str(bundle / "device-checkup"), "phone", "ios-backup", str(backup),
                                      "--password-stdin", "--json"], log),
                              env=person["env"], cwd="/", input="0000\n", capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        doc = json.loads(proc.stdout)
        assert doc["scan"]["platform"] == "ios" and "configuration profiles and device management" in doc["checked"]
        assert "0000" not in proc.stderr        # (stdout holds hashes, where 0000 may occur by chance)
        assert writes(log) == []
        assert listing(person["folders"]) == before
    finally:
        subprocess.run(["chmod", "-R", "u+w", str(outside)], check=True)
        shutil.rmtree(outside)


# -- the app, under Xvfb -------------------------------------------------------------------------
@pytest.fixture
def display():
    r, w = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
                            pass_fds=(w,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(w)
    with os.fdopen(r) as fh:
        number = fh.readline().strip()
    assert number.isdigit(), "Xvfb did not start"
    yield f":{number}"
    xvfb.terminate()
    xvfb.wait(timeout=30)


def xdo(display: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["xdotool", *args], env=dict(os.environ, DISPLAY=display),
                          capture_output=True, text=True, timeout=timeout)


def wait_for(condition, what: str, limit: float = 300):
    """Poll until `condition()` holds (a bound against hanging, not a speed check)."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"never saw: {what}")


def test_the_app_starts_scans_and_quick_exits_from_a_read_only_folder_writing_nothing(bundle, person, display):
    log = person["root"] / "app.strace"
    env = dict(person["env"], DISPLAY=display)
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)       # as on a bare session: no bus may be started
    before = listing(person["folders"])
    app = subprocess.Popen(traced([str(bundle / "device-checkup")], log), env=env, cwd="/",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = xdo(display, "search", "--sync", "--onlyvisible", "--name", "^Device Checkup$", timeout=300)
        assert found.returncode == 0 and found.stdout.split(), found.stderr
        window = found.stdout.split()[0]
        proc_reads_at_start = len(re.findall(r"/proc/\d+/", opened(log)))
        xdo(display, "windowfocus", "--sync", window)
        xdo(display, "key", "--window", window, "alt+s")            # "Start the check" (its mnemonic)
        # The scan reads the running programs under /proc: wait until it has read many of them.
        wait_for(lambda: len(re.findall(r"/proc/\d+/", opened(log))) > proc_reads_at_start + 20,
                 "the scan reading the running programs")
        time.sleep(1)
        xdo(display, "key", "--delay", "120", "shift", "shift", "shift")   # quick exit
        out, err = app.communicate(timeout=120)
    finally:
        if app.poll() is None:
            app.send_signal(signal.SIGKILL)
            app.wait()
    assert app.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    assert writes(log) == []
    assert listing(person["folders"]) == before
    # No program was started (libdbus would run dbus-launch to start a session bus of its own).
    assert [Path(p).name for p in programs_run(log)] == ["setpriv", "device-checkup"]


def test_the_app_opens_on_a_machine_without_libxcb_cursor0(bundle, person, display):
    """Ubuntu's desktop has no libxcb-cursor0: the bundle brings its own. The system's copy is made
    unloadable for this run only (a private mount namespace), as on a fresh Ubuntu."""
    from tests.test_setup_failures import hiding
    prefix = hiding("libxcb-cursor.so.0")
    if prefix is None:
        pytest.skip("needs unshare and mount to hide a library from one process")
    env = dict(person["env"], DISPLAY=display)
    cmd = prefix + ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--",
                    str(bundle / "device-checkup")]
    app = subprocess.Popen(cmd, env=env, cwd="/", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        found = xdo(display, "search", "--sync", "--onlyvisible", "--name", "^Device Checkup$", timeout=240)
        assert found.returncode == 0 and found.stdout.split(), found.stderr
        xdo(display, "key", "--delay", "120", "shift", "shift", "shift")
        out, err = app.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        app.kill()
        out, err = app.communicate()
        pytest.fail("the app didn't open or didn't quit: " + err[-3000:])
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, err[-3000:]
    assert "missing" not in err and "xcb" not in err, err
