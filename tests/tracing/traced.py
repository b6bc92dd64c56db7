"""Run a Device Checkup command under audit hooks that record network use and writes.

Usage: python traced.py LOG.json -- checkup-args...   (or `-- gui-flow` for the app's flow)

The hook is installed before any of the app is imported. It records every network event
(connect, name look-ups, sends) and every file opened for writing, every file or folder made,
renamed or removed, and writes them to LOG.json when the process ends (LOG.json itself is
opened before the hook is installed).
"""
from __future__ import annotations

import json
import os
import sys

NETWORK_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex",
                  "socket.gethostbyaddr", "socket.getnameinfo", "socket.sendto", "socket.sendmsg",
                  "socket.bind", "urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
                  "webbrowser.open"}
CHANGE_EVENTS = {"os.mkdir", "os.rename", "os.remove", "os.rmdir", "os.symlink", "os.link", "os.truncate",
                 "os.chmod", "os.chown", "os.utime", "shutil.copyfile", "shutil.rmtree", "shutil.move",
                 "tempfile.mkstemp", "tempfile.mkdtemp", "sqlite3.connect"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def main() -> int:
    log_path, rest = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
    log = open(log_path, "w", encoding="utf-8")
    seen: dict[str, list] = {"network": [], "writes": []}

    def hook(event, args):
        if event in NETWORK_EVENTS:
            seen["network"].append([event, repr(args)[:200]])
        elif event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                      (isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and isinstance(path, (str, bytes, os.PathLike)):
                seen["writes"].append(["open", os.fsdecode(path)])
        elif event in CHANGE_EVENTS:
            target = args[0] if args else None
            if isinstance(target, (str, bytes, os.PathLike)):
                seen["writes"].append([event, os.fsdecode(target)])
            elif event.startswith("sqlite3"):
                seen["writes"].append([event, repr(args)[:200]])

    sys.addaudithook(hook)
    code = 0
    try:
        if rest and rest[0] == "gui-flow":
            from tests.tracing.gui_flow import run
            code = run(rest[1:])
        else:
            from device_checkup.app.cli import main as cli_main
            code = cli_main(rest)
    finally:
        json.dump(seen, log)
        log.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
