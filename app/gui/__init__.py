"""Device Checkup's desktop app (PySide6). ``main()`` opens it and returns an exit code.

The app leaves no trace of its own: no settings (Qt's file dialog would write its history to
QSettings, so QSettings is pointed at a place that cannot be written), no logs, no recent-file
entries, no tray icon, notifications or sounds. The system's font library (fontconfig) may keep
its own font cache under ~/.cache/fontconfig, as it does for any program that draws text.
"""
from __future__ import annotations

import os
import sys
from typing import Callable, Sequence

__all__ = ["main", "no_settings", "no_session_bus_launch"]


def _unwritable_folder() -> str:
    if sys.platform.startswith("win"):
        # '<' and '>' can't be in a Windows file name, so nothing can be created there.
        return "C:\\<device-checkup-keeps-no-settings>"
    # Nothing can be created under a character device: every write fails with ENOTDIR.
    return os.path.join(os.devnull, "device-checkup-keeps-no-settings")


def no_settings() -> None:
    """Make every QSettings in this process (Qt's own file dialog uses one) unable to write.

    The default format becomes INI (the registry and macOS preferences can't be redirected),
    and INI files of every scope point at a folder that can't exist. Reads find nothing.
    """
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, _unwritable_folder())


def no_session_bus_launch(environ=os.environ) -> bool:
    """Stop Qt (through libdbus) from starting a D-Bus session bus when none is running.

    With no ``DBUS_SESSION_BUS_ADDRESS`` and an X display, libdbus "autolaunches" one:
    ``dbus-launch`` starts a ``dbus-daemon`` that outlives the app and writes ``~/.dbus/`` —
    a trace (issue 14 item 9). When no bus is running (no address, no
    ``$XDG_RUNTIME_DIR/bus`` socket), the address is set, for this process only, to one that
    names no transport: libdbus fails to connect and launches nothing. A running session bus
    (every desktop session has one) is used as before, so screen readers keep working.
    Returns True if it had to do so."""
    if sys.platform != "linux" or environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    runtime = environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.exists(os.path.join(runtime, "bus")):
        return False
    environ["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
    return True


def scan_code_before_qt() -> None:
    """Import what a check of this computer runs, before Qt. PySide6 replaces ``__import__``
    and reads the whole source of every module imported after it, looking for its
    ``__feature__`` switch; the sources and checks a scan imports on its first run paid that
    in the middle of the scan, on the scan's thread, and held the window up (the event loop
    blocked for 20–45 ms). Imported here, they cost what they cost anyway, once, before the
    window is shown. (Other checks, of a phone or a disk, import theirs when they run.)"""
    import netifaces  # noqa: F401
    import psutil  # noqa: F401

    from device_checkup.checks.engine import all_checks
    from device_checkup.checks.sources import all_sources
    from device_checkup.checks.sources.base import this_platform
    from device_checkup.signatures import compact, manifest  # noqa: F401  (the shipped set's readers)
    all_sources(this_platform())
    all_checks()


def main(argv: Sequence[str] | None = None, *, scan=None, on_start: Callable | None = None) -> int:
    """Open the app. ``scan`` replaces the real scan (screenshots, tests); ``on_start(window)``
    runs once the window is shown."""
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    sys.dont_write_bytecode = True
    no_session_bus_launch()
    scan_code_before_qt()
    no_settings()
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from .style import STYLE
    from .window import MainWindow, icon_path

    app = QApplication.instance() or QApplication(list(argv) if argv is not None else sys.argv[:1])
    app.setApplicationName("Device Checkup")
    app.setApplicationDisplayName("")          # the title stays exactly "Device Checkup"
    app.setWindowIcon(QIcon(icon_path()))
    app.setStyleSheet(STYLE)
    app.setQuitOnLastWindowClosed(True)
    window = MainWindow(scan=scan)
    window.show()
    if on_start is not None:
        QTimer.singleShot(0, lambda: on_start(window))
    code = app.exec()
    window.shutdown()
    return int(code)
