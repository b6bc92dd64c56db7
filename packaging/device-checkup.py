"""Entry point of the portable app (PyInstaller, one-folder): `device-checkup` opens the app,
`device-checkup scan …` is the command line. The same file is the entry on Linux, Windows and
macOS; it imports the command line by its package name, so it works whether the packages sit at
the top (`app.cli`) or under one namespace (`device_checkup.app.cli`)."""
import os
import sys

# A portable app may run from a read-only USB stick and must leave nothing behind: no .pyc
# files, no caches. (The spec also sets Python's -B option; this covers code that reads the
# environment, such as child interpreters.)
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
os.environ.setdefault("PYTHONNOUSERSITE", "1")

try:
    from device_checkup.app.cli import main
except ImportError:
    from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
