"""Freeze Device Checkup into a portable, one-folder app with cx_Freeze (see docs/building.md).

    python packaging/freeze.py build_exe --build-exe DIR    # the folder (Linux, Windows, macOS)
    python packaging/freeze.py bdist_mac                     # macOS: "Device Checkup.app"
    python packaging/freeze.py bdist_dmg                     # macOS: the .app in a .dmg

`make dist` runs the first and packs the folder into a tarball. The folder holds the Python
runtime, Qt, the code (compiled, no sources to recompile), the signature set with its manifest,
the finding texts and the app's data. Nothing in it is ever unpacked elsewhere at run time.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

from cx_Freeze import Executable, setup

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _stage() -> str:
    """The project as the wheel lays it out (device_checkup/app, /checks, /signatures), in a
    temporary folder put first on sys.path: the folders sit at the top of the repository and an
    editable install maps them with an import hook, which cx_Freeze's module finder can't follow.
    The copy holds the same files, so the bundle's data is the repository's byte for byte."""
    stage = tempfile.mkdtemp(prefix="device-checkup-freeze-")
    for top in ("app", "checks", "signatures"):
        shutil.copytree(os.path.join(ROOT, top), os.path.join(stage, "device_checkup", top),
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return stage


STAGE = _stage()
atexit.register(shutil.rmtree, STAGE, True)
# Entries that are no folder (an editable install's path-hook marker) stop cx_Freeze's finder.
sys.path[:] = [STAGE] + [p for p in sys.path if p == "" or os.path.isdir(p) or os.path.isfile(p)]
PACKAGES = ["device_checkup.app", "device_checkup.checks", "device_checkup.signatures"]


def version() -> str:
    try:
        import tomllib
        with open(os.path.join(ROOT, "pyproject.toml"), "rb") as fh:
            return tomllib.load(fh)["project"]["version"]
    except (OSError, KeyError, ImportError):
        return "0"


def xcb_helpers() -> list[tuple[str, str]]:  # (system file, name in the bundle)
    """Qt's X11 plugin needs small xcb libraries that an ordinary desktop may lack (Ubuntu has
    no libxcb-cursor0 by default). Carry them beside Qt's own libraries, where the plugin's
    search path ($ORIGIN) looks first. The core X libraries (libxcb, libX11) stay the system's."""
    if not sys.platform.startswith("linux"):
        return []
    from device_checkup.app.preflight import XCB_LIBRARIES
    wanted = [name for name in XCB_LIBRARIES if name.startswith(("libxcb-", "libxkbcommon"))]
    found = []
    for name in wanted:
        for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                       "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib"):
            path = os.path.join(folder, name)
            if os.path.exists(path):
                found.append((os.path.realpath(path), name))
                break
        else:
            sys.exit(f"freeze: {name} is needed to build the Linux app (install the Debian package "
                     f"{XCB_LIBRARIES[name]})")
    return found


# Parts the app never uses: fewer files, a smaller folder, a quicker start.
EXCLUDES = ["tkinter", "unittest", "pydoc_data", "test", "lib2to3", "idlelib", "ensurepip",
            "venv", "distutils", "setuptools", "pip", "pytest", "_pytest", "hypothesis",
            "pytestqt", "PyInstaller", "cx_Freeze",
            "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtOpenGL",
            "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtDesigner", "PySide6.QtHelp",
            "PySide6.QtUiTools", "PySide6.QtOpenGLWidgets", "PySide6.QtConcurrent"]

if sys.platform == "win32":
    # The app without a console window, and the command line as its own program (as Dangerzone
    # ships dangerzone.exe and dangerzone-cli.exe).
    EXECUTABLES = [
        Executable(os.path.join(HERE, "device-checkup.py"), base="gui", target_name="device-checkup"),
        Executable(os.path.join(HERE, "device-checkup.py"), base="console", target_name="checkup"),
    ]
else:
    # One program: no arguments opens the app, `device-checkup scan` checks in the terminal.
    EXECUTABLES = [Executable(os.path.join(HERE, "device-checkup.py"), base="console",
                              target_name="device-checkup")]

# setuptools writes an .egg-info folder into the current folder, and would read the project's
# pyproject.toml if it were there: work in build/freeze (or FREEZE_WORKDIR), with the output
# folder made absolute. bdist_mac and bdist_dmg leave the .app and .dmg in WORKDIR/build/.
if "--build-exe" in sys.argv:
    i = sys.argv.index("--build-exe") + 1
    sys.argv[i] = os.path.abspath(sys.argv[i])
WORKDIR = os.path.abspath(os.environ.get("FREEZE_WORKDIR") or os.path.join(ROOT, "build", "freeze"))
os.makedirs(WORKDIR, exist_ok=True)
os.chdir(WORKDIR)

setup(
    name="Device Checkup",
    version=version(),
    description="Device Checkup",
    executables=EXECUTABLES,
    options={
        "build_exe": {
            "packages": PACKAGES,          # whole packages: checks and importers are found by name
            "excludes": EXCLUDES,
            "include_files": [(os.path.join(ROOT, "LICENSE"), "LICENSE")],
            # Code and data stay as plain files in lib/: the signature set, its manifest and the
            # texts are read from there (found from the modules' own paths), nothing is unpacked.
            "zip_include_packages": [],
            "zip_exclude_packages": ["*"],
            "include_msvcr": True,         # Windows: no Visual C++ runtime to install first
            "silent_level": 1,
        },
        "bdist_mac": {
            "bundle_name": "Device Checkup",
            "plist_items": [("CFBundleIdentifier", "org.devicecheckup.app"),
                            ("NSHighResolutionCapable", True)],
        },
        "bdist_dmg": {
            "volume_label": "Device Checkup",
            "applications_shortcut": False,   # nothing to install: the app runs from the image
        },
    },
)

# cx_Freeze's PySide6 hook copies Qt as a whole and leaves extra files out of its folder, so the
# xcb helpers are copied in once the folder is built.
if "build_exe" in sys.argv and sys.platform.startswith("linux"):
    import shutil
    target = sys.argv[sys.argv.index("--build-exe") + 1] if "--build-exe" in sys.argv else None
    if target is None:
        sys.exit("freeze: give the folder with --build-exe DIR")
    qt_lib = os.path.join(target, "lib", "PySide6", "Qt", "lib")
    for source, name in xcb_helpers():
        shutil.copy2(source, os.path.join(qt_lib, name))
