"""A machine without Qt's system libraries (Ubuntu leaves out libxcb-cursor0): `make run` prints
one plain line naming the packages to install, instead of Qt's abort. The lookup is injected to
simulate a missing library; the real lookup is checked against this machine and a name that
can't exist."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest

from device_checkup.app import preflight
from tests.helpers import ROOT

X11 = {"DISPLAY": ":0"}


def without(*missing):
    return lambda soname: soname not in missing


def test_a_missing_xcb_library_names_its_package():
    assert preflight.missing_packages(X11, "linux", without("libxcb-cursor.so.0")) == ["libxcb-cursor0"]


def test_several_missing_libraries_give_each_package_once_in_order():
    got = preflight.missing_packages(X11, "linux", without("libxkbcommon-x11.so.0", "libxcb-cursor.so.0",
                                                            "libxcb-icccm.so.4"))
    assert got == ["libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0"]


def test_nothing_missing_means_nothing_to_say():
    assert preflight.missing_packages(X11, "linux", lambda s: True) == []


def test_only_when_qt_would_use_x11():
    nothing = lambda soname: False                      # every library "missing"
    assert preflight.missing_packages({"QT_QPA_PLATFORM": "offscreen"}, "linux", nothing) == []
    assert preflight.missing_packages({"QT_QPA_PLATFORM": "wayland"}, "linux", nothing) == []
    assert preflight.missing_packages({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"},
                                      "linux", nothing) == []
    assert preflight.missing_packages(X11, "win32", nothing) == []
    assert preflight.missing_packages(X11, "darwin", nothing) == []
    # xcb chosen by name, first in a list, or with options; or an X11 session.
    for env in ({"QT_QPA_PLATFORM": "xcb"}, {"QT_QPA_PLATFORM": "xcb;wayland"},
                {"QT_QPA_PLATFORM": "xcb:nomitshm"}, {"XDG_SESSION_TYPE": "x11"},
                {"XDG_SESSION_TYPE": "wayland"}):      # Wayland without its display: Qt falls back to xcb
        assert "libxcb-cursor0" in preflight.missing_packages(env, "linux", nothing), env


def test_the_line_is_one_plain_line_with_the_command_to_run():
    out = io.StringIO()
    assert preflight.stop_before_qt(out, environ=dict(X11), platform="linux",
                                    lookup=without("libxcb-cursor.so.0", "libxcb-xkb.so.1")) is True
    text = out.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n")
    assert "sudo apt install libxcb-cursor0 libxcb-xkb1 " in text
    assert "Traceback" not in text and "plugin" not in text


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux libraries and Qt layout")


@LINUX_ONLY
def test_the_real_lookup_finds_what_this_machine_has_and_not_what_it_lacks():
    assert preflight.system_has("libc.so.6")
    assert not preflight.system_has("libdevice-checkup-no-such-library.so.7")


def test_a_library_carried_beside_qt_counts_as_there(tmp_path):
    # The portable app carries libxcb-cursor.so.0 in its Qt folder, where the plugin looks first.
    name = "libdevice-checkup-carried.so.0"
    assert not preflight.system_has(name, beside_qt=str(tmp_path))
    (tmp_path / name).write_bytes(b"")
    assert preflight.system_has(name, beside_qt=str(tmp_path))


@LINUX_ONLY
def test_the_qt_folder_is_found_without_importing_qt():
    code = ("import sys; from device_checkup.app import preflight; f = preflight.qt_lib_folder(); "
            "import os; assert f and os.path.isdir(f), f; "
            "assert not any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules); print(f)")
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_no_session_bus_is_started_when_there_is_none():
    env = {}
    preflight.no_new_dbus_session(env)
    assert env["DBUS_SESSION_BUS_ADDRESS"].startswith("unix:path=" + os.devnull)
    existing = {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"}
    preflight.no_new_dbus_session(existing)
    assert existing["DBUS_SESSION_BUS_ADDRESS"] == "unix:path=/run/user/1000/bus"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt uses X11 (xcb) on Linux only")
def test_the_real_checkup_command_stops_with_the_line_before_qt(tmp_path):
    """The real `checkup` (what `make run` starts), on X11, with one library made missing by the
    injectable lookup: exit 3, the one line on stderr, and Qt never imported."""
    code = (
        "import sys\n"
        "from device_checkup.app import preflight\n"
        "real = preflight.system_has\n"
        "preflight.system_has = lambda s: s != 'libxcb-cursor.so.0' and real(s)\n"
        "from device_checkup.app.cli import main\n"
        "code = main([])\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was imported'\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND", "XDG_SESSION"))}
    env.update(DISPLAY=":99", PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "sudo apt install libxcb-cursor0" in lines[0]
    assert proc.stdout == ""


def system_file(soname: str) -> str | None:
    for folder in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                   "/usr/lib64", "/usr/lib"):
        if os.path.exists(os.path.join(folder, soname)):
            return os.path.realpath(os.path.join(folder, soname))
    return None


def hiding(soname: str) -> list[str] | None:
    """A command prefix that runs its command with `soname` really gone: /dev/null mounted over
    the file in a private mount namespace (nothing outside it changes). None where that can't
    be done (no root, no unshare)."""
    path = system_file(soname)
    if path is None or os.geteuid() != 0 or not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"mount --bind /dev/null '{path}'"],
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c", f"mount --bind /dev/null '{path}' && exec \"$0\" \"$@\""]


@pytest.mark.skipif(hiding("libxcb-cursor.so.0") is None,
                    reason="needs root and unshare to hide a library from one process (CI has both)")
def test_make_run_on_a_machine_really_without_libxcb_cursor0(tmp_path):
    """No injection: the library is really unloadable for this process, as on a fresh Ubuntu."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "WAYLAND", "XDG_SESSION"))}
    env.update(DISPLAY=":99", PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    cmd = hiding("libxcb-cursor.so.0") + [sys.executable, "-c", "import sys; from device_checkup.app.cli import main; sys.exit(main([]))"]
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert "sudo apt install libxcb-cursor0 (a check in the terminal works already: checkup scan)" in proc.stderr
