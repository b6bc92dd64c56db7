"""Checks made before Qt starts, so a missing piece of the system gives one plain line instead
of Qt's abort ("could not load the Qt platform plugin "xcb"… Aborted (core dumped)").

On Linux, Qt draws its window through X11 with its "xcb" plugin, which needs a set of small
system libraries. Ubuntu's desktop leaves one of them out (libxcb-cursor0, needed since Qt 6.5),
so the app would crash on start. We look each library up by the same name Qt's plugin asks the
system loader for, and name the Debian/Ubuntu packages that hold the missing ones.

Nothing here imports Qt, writes anything or starts a program.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from typing import Callable, Mapping

# The libraries Qt's xcb platform plugin (libqxcb.so and libQt6XcbQpa.so.6 of PySide6) links to
# that a desktop may lack (`ldd` on both files), with the Debian/Ubuntu package of each.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def qt_lib_folder() -> str | None:
    """PySide6's own library folder, found without importing Qt. Qt's plugin looks there first
    ($ORIGIN), and the portable app carries its copies of the xcb libraries there."""
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    return os.path.join(locations[0], "Qt", "lib") if locations else None


def system_has(soname: str, beside_qt: str | None = None) -> bool:
    """Whether Qt's plugin will find `soname`: beside Qt's own libraries, or through the system
    loader, exactly as the plugin would a moment later.

    Loading the library runs no program and writes nothing (unlike ctypes.util.find_library,
    which may run a compiler in the temp folder)."""
    folder = beside_qt if beside_qt is not None else qt_lib_folder()
    if folder and os.path.exists(os.path.join(folder, soname)):
        return True
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str], platform: str) -> bool:
    """Whether Qt would open its window through X11 (the xcb plugin)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0].strip() == "xcb"
    # Qt 6 prefers its Wayland plugin in a Wayland session, and falls back to xcb elsewhere.
    return not (environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"))


def missing_packages(environ: Mapping[str, str] | None = None, platform: str | None = None,
                     lookup: Callable[[str], bool] | None = None) -> list[str]:
    """The Debian/Ubuntu packages to install before the app can open, in a stable order.
    `lookup(soname)` says whether a library can be loaded (system_has unless given)."""
    environ = os.environ if environ is None else environ
    lookup = lookup or system_has
    if not uses_xcb(environ, platform or sys.platform):
        return []
    return sorted({pkg for soname, pkg in XCB_LIBRARIES.items() if not lookup(soname)})


def problem_line(packages: list[str], program: str = "checkup") -> str:
    from device_checkup.checks.i18n import _        # standard library only: no Qt, nothing slow
    return _("Device Checkup can't open its window: this computer is missing a few system parts it "
             "needs. To add them, run: {command} (a check in the terminal works already: {scan})").format(
        command="sudo apt install " + " ".join(packages), scan=f"{program} scan")


def no_new_dbus_session(environ=None) -> None:
    """Never let Qt's D-Bus library start a session bus of its own.

    Without DBUS_SESSION_BUS_ADDRESS (a bare X session, a live USB, a terminal over SSH),
    libdbus "autolaunches" a new dbus-daemon, which leaves a process running and files in the
    home folder. Pointing the address at a place that can't exist makes the first connection
    fail at once instead. A desktop's existing session bus (screen readers use it) is kept."""
    environ = os.environ if environ is None else environ
    if not environ.get("DBUS_SESSION_BUS_ADDRESS"):
        environ["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + os.path.join(os.devnull, "no-session-bus")


def stop_before_qt(stream=None, **kwargs) -> bool:
    """Run before Qt is imported. Prints one plain line and returns True if the app can't open."""
    packages = missing_packages(**kwargs)
    if packages:
        program = os.path.splitext(os.path.basename(sys.argv[0] or ""))[0]
        if program not in ("checkup", "device-checkup"):      # python -m app.cli, a test
            program = "checkup"
        print(problem_line(packages, program), file=stream or sys.stderr)
        return True
    no_new_dbus_session(kwargs.get("environ"))
    return False
