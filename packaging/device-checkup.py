"""Entry point of the portable app (cx_Freeze, one folder): `device-checkup` opens the app,
`device-checkup scan …` is the command line. The same file is the entry on Linux, Windows and
macOS."""
import os
import sys

# A portable app may run from a read-only USB stick and must leave nothing behind: no .pyc
# files, no caches. (The spec also sets Python's -B option; this covers code that reads the
# environment, such as child interpreters.)
sys.dont_write_bytecode = True
os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
os.environ.setdefault("PYTHONNOUSERSITE", "1")

from device_checkup.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
