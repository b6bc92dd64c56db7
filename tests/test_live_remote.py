"""Plant harmless programs under the names and in the places of remote-access and monitoring
tools, and disguised ones, and find each through the live scan (Linux).

Every program here is a copy of /bin/sleep (or of this Python, for a listener and an X key
recorder's command line) started under another name. Each test stops and removes what it
started; the app itself never stops anything.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.capture import CaptureProgramsSource
from device_checkup.checks.sources.system import ListenersSource, ProcessesSource
from device_checkup.signatures.index import compile_set
from device_checkup.signatures.loader import load_set

pytestmark = [pytest.mark.live,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="plants with Linux tools")]

SLEEP = shutil.which("sleep")
SOURCES = [ProcessesSource(), ListenersSource(), CaptureProgramsSource()]
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{1,60}$")


@pytest.fixture(scope="module")
def shipped():
    return load_set()


@pytest.fixture
def started():
    """Programs started by a test (stopped at the end) and files and folders it made (removed)."""
    procs: list[subprocess.Popen] = []
    made: list[str] = []
    yield procs, made
    for p in procs:
        if p.poll() is None:
            p.kill()
        p.wait()
    for path in reversed(made):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.unlink(path)


def _copy(src: str, dest: str, made: list[str]) -> str:
    parent = os.path.dirname(dest)
    missing = []
    while parent and not os.path.exists(parent):
        missing.append(parent)
        parent = os.path.dirname(parent)
    for folder in reversed(missing):
        os.mkdir(folder)
        made.append(folder)
    shutil.copy(src, dest)
    made.append(dest)
    return dest


def _wait_exec(proc: subprocess.Popen, program: str) -> None:
    """Until the kernel says the child runs ``program`` (after fork, before exec, it runs Python)."""
    for _ in range(500):
        try:
            if os.readlink(f"/proc/{proc.pid}/exe").startswith(program):
                return
        except OSError:
            pass
        time.sleep(0.01)


def _scan(shipped):
    return run_scan(signatures=shipped, machine=Machine.live_machine(), sources=SOURCES)


def _about(result, pid: int, kind: str = "processes"):
    return [f for f in result.findings for e in f.evidence if e.record_kind == kind and e.record.pid == pid]


# -- remote-access and monitoring tools, by the names and folders the signature set gives -------
def _linux_plantings(shipped) -> dict[str, tuple[str, str]]:
    """family id (as reported) → (where to put the copy, "path"|"name"), one per family sold for
    Linux: a literal program path under /opt where the set has one and its vendor folder does not
    exist here, else a plain program name (started from a fresh folder)."""
    index = compile_set(shipped)
    out: dict[str, tuple[str, str]] = {}
    for fam in shipped.families:
        if fam.tier not in ("remote-access", "monitoring", "stalkerware", "watchware"):
            continue
        if fam.platforms and "linux" not in fam.platforms:
            continue
        choice = None
        for ind in fam.indicators:
            value = ind.value
            if ind.kind == "executable_paths" and "linux" in (ind.platforms or ("linux",)) and \
                    value.startswith("/opt/") and not any(c in value for c in "*?[~") and \
                    not os.path.exists("/".join(value.split("/")[:3])):
                hits = index.path("executable_paths", value, "linux")
                if hits:
                    choice = (hits[0].reported_as.id, (value, "path"))
                    break
        if choice is None:
            for ind in fam.indicators:
                value = ind.value
                if ind.kind == "process_names" and not ind.regex and _FILE_NAME.match(value) and \
                        not value.lower().endswith((".exe", ".app", ".com", ".bat", ".scr")) and \
                        (not ind.platforms or "linux" in ind.platforms):
                    hits = index.name("process_names", value)
                    if hits:
                        choice = (hits[0].reported_as.id, (value, "name"))
                        break
        if choice:
            out.setdefault(*choice)
    return out


_COUNT = len(_linux_plantings(load_set()))


@pytest.mark.xfail(_COUNT < 10, strict=True,
                   reason=f"the shipped set names only {_COUNT} families by a Linux program; the Linux and macOS "
                          "artefacts of issue 11 item 2 (TeamViewer, AnyDesk, RustDesk, x11vnc, …) bring more")
def test_the_set_names_at_least_ten_families_by_a_linux_program(shipped):
    assert len(_linux_plantings(shipped)) >= 10


def test_copies_under_the_names_and_folders_of_remote_access_tools_are_each_found_by_family(shipped, started,
                                                                                           tmp_path):
    procs, made = started
    plantings = _linux_plantings(shipped)
    assert plantings
    if os.geteuid() != 0:
        plantings = {f: (v, how) for f, (v, how) in plantings.items() if how == "name"}
    by_pid: dict[int, str] = {}
    for i, (family, (value, how)) in enumerate(sorted(plantings.items())):
        if how == "path":
            program = _copy(SLEEP, value, made)
        else:
            folder = tmp_path / f"p{i}"
            folder.mkdir()
            program = str(shutil.copy(SLEEP, folder / value))
        proc = subprocess.Popen([program, "120"])
        procs.append(proc)
        _wait_exec(proc, program)
        by_pid[proc.pid] = family
    result = _scan(shipped)
    missed = {family for pid, family in by_pid.items()
              if family not in {f.family for f in _about(result, pid)}}
    assert not missed, f"not found by family: {sorted(missed)}"
    assert all(p.poll() is None for p in procs), "the app must never stop a program"


# -- a VNC server's name, listening on every address -------------------------------------------
def _free_port(low: int, high: int) -> int:
    for port in range(low, high + 1):
        with socket.socket() as s:
            try:
                s.bind(("0.0.0.0", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {low}-{high}")


def test_a_program_listening_on_every_address_under_a_vnc_servers_name_is_found_as_such(shipped, started, tmp_path):
    procs, _ = started
    port = _free_port(5950, 5999)
    program = shutil.copy(os.path.realpath(sys.executable), tmp_path / "x11vnc")
    code = ("import socket, sys, time\ns = socket.socket()\ns.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            f"s.bind(('0.0.0.0', {port}))\ns.listen(1)\nprint('ready', flush=True)\ntime.sleep(120)\n")
    env = dict(os.environ, PYTHONHOME=sys.base_prefix, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([program, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    procs.append(proc)
    assert proc.stdout.readline().strip() == "ready"
    result = _scan(shipped)
    listeners = [r for r in result.snapshot.of("listeners") if r.pid == proc.pid]
    assert [(r.address, r.port) for r in listeners] == [("0.0.0.0", port)]
    (f,) = _about(result, proc.pid, "listeners")
    assert ("vnc" in (f.family or "")) or ("VNC" in f.title and f.heuristic == "listening")
    assert f.tier == "remote-access"


def test_a_loopback_listener_is_not_a_finding(shipped, started, tmp_path):
    procs, _ = started
    program = shutil.copy(os.path.realpath(sys.executable), tmp_path / "x11vnc")
    code = ("import socket, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(1)\n"
            "print('ready', flush=True)\ntime.sleep(120)\n")
    env = dict(os.environ, PYTHONHOME=sys.base_prefix, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([program, "-c", code], stdout=subprocess.PIPE, env=env, text=True)
    procs.append(proc)
    assert proc.stdout.readline().strip() == "ready"
    result = _scan(shipped)
    assert not [r for r in result.snapshot.of("listeners") if r.pid == proc.pid]
    assert not _about(result, proc.pid, "listeners")


# -- how a program runs ----------------------------------------------------------------------
def test_a_program_running_from_dev_shm_is_found(shipped, started):
    procs, made = started
    if not os.path.isdir("/dev/shm"):
        pytest.skip("no /dev/shm")
    program = _copy(SLEEP, f"/dev/shm/dc-test-{uuid.uuid4().hex[:8]}", made)
    proc = subprocess.Popen([program, "120"])
    procs.append(proc)
    _wait_exec(proc, program)
    result = _scan(shipped)
    (f,) = [f for f in _about(result, proc.pid) if f.heuristic == "runs-from-hidden-or-temporary"]
    assert program in f.title


def test_a_program_whose_file_was_deleted_is_found(shipped, started, tmp_path):
    procs, _ = started
    program = str(shutil.copy(SLEEP, tmp_path / "updater"))
    proc = subprocess.Popen([program, "120"])
    procs.append(proc)
    _wait_exec(proc, program)
    os.unlink(program)
    result = _scan(shipped)
    (f,) = [f for f in _about(result, proc.pid) if f.heuristic == "program-file-gone"]
    assert program in f.title
    assert [p.exe_deleted for p in result.snapshot.of("processes") if p.pid == proc.pid] == [True]


@pytest.mark.parametrize("claimed", ["[kworker/u8:2]", "sshd ", "ѕshd"])
def test_an_argv0_disguise_is_found_with_the_real_file(shipped, started, claimed):
    procs, _ = started
    proc = subprocess.Popen([claimed, "120"], executable=SLEEP)
    procs.append(proc)
    _wait_exec(proc, os.path.realpath(SLEEP))
    result = _scan(shipped)
    (f,) = [f for f in _about(result, proc.pid) if f.heuristic == "disguised-name"]
    assert os.path.realpath(SLEEP) in f.what
    assert claimed.strip() in f.title


def test_a_python_module_with_a_watching_name_is_found_by_the_module_not_the_interpreter(shipped, started, tmp_path):
    procs, _ = started
    (tmp_path / "keylogger.py").write_text("import time\ntime.sleep(120)\n")
    env = dict(os.environ, PYTHONPATH=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, "-m", "keylogger"], env=env)
    procs.append(proc)
    time.sleep(0.3)
    result = _scan(shipped)
    (f,) = [f for f in _about(result, proc.pid) if f.heuristic == "script-sign"]
    assert "keylogger" in f.title and "python" in f.what
    assert not [g for g in _about(result, proc.pid) if g.heuristic == "watching-words"]


def test_an_x_key_recorder_command_line_is_found(shipped, started):
    procs, _ = started
    proc = subprocess.Popen(["xinput", "-c", "import time; time.sleep(120)", "test-xi2", "--root"],
                            executable=os.path.realpath(sys.executable),
                            env=dict(os.environ, PYTHONHOME=sys.base_prefix, PYTHONDONTWRITEBYTECODE="1"))
    procs.append(proc)
    time.sleep(0.3)
    result = _scan(shipped)
    records = [r for r in result.snapshot.of("capture") if r.pid == proc.pid]
    assert [r.kind for r in records] == ["x-input-recorder"]
    (f,) = _about(result, proc.pid, "capture")
    assert f.tier == "suspicious" and "every key" in f.title


# -- a scan without administrator rights -------------------------------------------------------
_AS_NOBODY = """
import json, sys
sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[1])
from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.system import ProcessesSource
from device_checkup.signatures.loader import load_set
result = run_scan(signatures=load_set(), machine=Machine.live_machine(), sources=[ProcessesSource()])
pid = int(sys.argv[2])
print(json.dumps({
    "notes": [[n.source, n.reason, n.detail, n.how] for n in result.not_checked],
    "findings": [[f.heuristic, f.title, f.what] for f in result.findings
                 if any(e.record.pid == pid for e in f.evidence)]}))
"""


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv"), reason="runs a scan as nobody from root")
def test_an_unprivileged_scan_says_what_it_cannot_check_and_judges_claimed_names(started):
    import json
    procs, _ = started
    root_program = subprocess.Popen(["ѕshd", "120"], executable=SLEEP)        # root's, Cyrillic ѕ
    procs.append(root_program)
    _wait_exec(root_program, os.path.realpath(SLEEP))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                          _AS_NOBODY, root, str(root_program.pid)],
                         capture_output=True, text=True, timeout=300, cwd="/",
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
                              "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"})
    if out.returncode and "Permission denied" in out.stderr:
        pytest.skip("this checkout can't be read by nobody")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    (note,) = [n for n in got["notes"] if n[0] == "processes" and "other accounts" in n[2]]
    assert note[1] == "permission" and "administrator" in note[3]
    (finding,) = [f for f in got["findings"] if f[0] == "disguised-name"]
    assert "ѕshd" in finding[1] and "isn't allowed to see" in finding[2]


@pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"),
                    reason="mounts a private /proc with hidepid and scans as nobody")
def test_hidepid_is_detected_and_said():
    """A /proc mounted with hidepid=invisible in a private mount namespace (this computer's own
    /proc is not touched): the scan as nobody says other accounts' programs are hidden."""
    import json
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    inner = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c", _AS_NOBODY, root, "1"]
    script = "mount -t proc -o hidepid=invisible proc /proc && exec " + " ".join(f"'{a}'" if "'" not in a else
                                                                                 json.dumps(a) for a in inner)
    out = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                         capture_output=True, text=True, timeout=300, cwd="/",
                         env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
                              "PYTHONDONTWRITEBYTECODE": "1", "LANG": "C.UTF-8"})
    if out.returncode and ("Operation not permitted" in out.stderr or "Permission denied" in out.stderr):
        pytest.skip(f"can't mount a private /proc here: {out.stderr.strip()[:200]}")
    assert out.returncode == 0, out.stderr
    notes = json.loads(out.stdout)["notes"]
    (note,) = [n for n in notes if "hidepid=invisible" in n[2]]
    assert note[0] == "processes" and note[1] == "permission" and "administrator" in note[3]


# -- a program holding the keyboard ------------------------------------------------------------
_KEYBOARD = ("I: Bus=0011 Vendor=0001 Product=0001 Version=ab41\nN: Name=\"AT Translated Set 2 keyboard\"\n"
             "H: Handlers=sysrq kbd {event} leds \nB: EV=120013\n"
             "B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe\n")


@pytest.mark.skipif(os.geteuid() != 0, reason="makes a stand-in device node under /dev/input")
def test_a_program_holding_the_keyboard_is_found_and_the_display_server_is_not(shipped, started, tmp_path,
                                                                             monkeypatch):
    """A stand-in for a keyboard (a file at /dev/input/eventNN, removed afterwards, that the
    kernel's device list is made to call a keyboard) held open by a program under an unknown name,
    and by a copy under the X server's name that is not the system's file: both are found. (Only
    the display server, compositor and input daemons from the system's own folders are left out.)"""
    from device_checkup.checks.sources import capture
    procs, made = started
    event = next(f"event{n}" for n in range(90, 200) if not os.path.exists(f"/dev/input/event{n}"))
    device = f"/dev/input/{event}"
    if not os.path.isdir("/dev/input"):
        os.mkdir("/dev/input")
        made.append("/dev/input")
    with open(device, "w"):
        pass
    made.append(device)
    real = capture.proc_text
    monkeypatch.setattr(capture, "proc_text", lambda path, limit=65536:
                        _KEYBOARD.format(event=event) if path == "/proc/bus/input/devices" else real(path, limit))
    holders = {}
    for name in ("dc-keys", "Xorg"):
        program = str(shutil.copy(SLEEP, tmp_path / name))
        proc = subprocess.Popen(["sh", "-c", f'exec 3<"{device}"; exec "{program}" 120'])
        procs.append(proc)
        _wait_exec(proc, program)
        holders[name] = proc.pid
    result = _scan(shipped)
    for name, pid in holders.items():
        records = [r for r in result.snapshot.of("capture") if r.pid == pid]
        assert [(r.kind, r.detail) for r in records] == [("input-reader", device)], name
        (f,) = _about(result, pid, "capture")
        assert "keyboard" in f.title and f.tier == "suspicious"
