"""Every file the browser, settings and remote-session sources read, filled with junk.

A source may say "could not read" (a note) or, when it cannot work at all, raise Unreadable for
the engine to report; anything else escaping would lose everything that source would have
found on the rest of the machine, so it fails here. Content is random bytes, text, truncated or
mangled JSON, and deep nesting; every run is bounded by hypothesis' deadline-free examples.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from device_checkup.checks.sources import browsers, remote_logs
from device_checkup.checks.sources import settings as settings_sources
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.fs import Unreadable

SOURCES = browsers.SOURCES + remote_logs.SOURCES + settings_sources.SOURCES

TARGETS = {
    "linux": ["/home/alex/.config/google-chrome/Default/Preferences",
              "/home/alex/.config/google-chrome/Default/Secure Preferences",
              "/home/alex/.mozilla/firefox/profiles.ini",
              "/home/alex/.mozilla/firefox/abc.default/extensions.json",
              "/etc/opt/chrome/policies/managed/policy.json",
              "/usr/lib/firefox/distribution/policies.json",
              "/home/alex/.anydesk/connection_trace.txt",
              "/etc/hosts", "/etc/resolv.conf", "/etc/ssh/sshd_config", "/etc/passwd", "/etc/group",
              "/home/alex/.ssh/authorized_keys", "/etc/environment"],
    "macos": ["/Users/alex/Library/Application Support/Google/Chrome/Default/Preferences",
              "/Users/alex/Library/Application Support/Firefox/profiles.ini",
              "/Users/alex/Library/Safari/Extensions/Extensions.plist",
              "/Library/Application Support/com.apple.TCC/TCC.db",
              "/Users/alex/Library/Application Support/com.apple.TCC/TCC.db",
              "/Library/Preferences/SystemConfiguration/preferences.plist",
              "/Library/Logs/TeamViewer/Connections_incoming.txt",
              "/Library/Application Support/AnyDesk/connection_trace.txt",
              "/private/etc/hosts", "/Users/alex/.ssh/authorized_keys"],
    "windows": [r"C:\Users\alex\AppData\Local\Google\Chrome\User Data\Default\Preferences",
                r"C:\Users\alex\AppData\Local\Microsoft\Edge\User Data\Default\Secure Preferences",
                r"C:\Users\alex\AppData\Roaming\Mozilla\Firefox\profiles.ini",
                r"C:\ProgramData\AnyDesk\connection_trace.txt",
                r"C:\Program Files\TeamViewer\Connections_incoming.txt",
                r"C:\Windows\System32\drivers\etc\hosts",
                r"C:\ProgramData\ssh\administrators_authorized_keys",
                r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\01\ABC"],
}

VALID = {
    "Preferences": json.dumps({"extensions": {"settings": {"a" * 32: {"manifest": {"name": "X", "permissions": ["<all_urls>"]},
                                                                          "from_webstore": False, "location": 1}}}}),
    "extensions.json": json.dumps({"addons": [{"id": "x@y", "defaultLocale": {"name": "X"}, "location": "app-profile",
                                               "userPermissions": {"permissions": ["history"], "origins": ["<all_urls>"]}}]}),
    "profiles.ini": "[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\n",
    "connection_trace.txt": "Incoming    2026-11-01, 10:23    Passwd    123456789    123456789\n",
    "Connections_incoming.txt": "123456789\tAlex\t01-11-2026 10:23:00\t01-11-2026 10:40:00\talex\tRemoteControl\t{x}\n",
}


def junk_for(path: str):
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    valid = VALID.get(name, "x = 1\n127.0.0.1 localhost\n")
    return st.one_of(
        st.binary(max_size=3000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8", "replace")),
        st.integers(min_value=0, max_value=len(valid)).map(lambda n: valid[:n].encode()),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
                     max_leaves=30).map(lambda v: json.dumps(v).encode()),
        st.integers(min_value=100, max_value=5000).map(lambda d: ("[" * d + "]" * d).encode()),
        st.integers(min_value=100, max_value=3000).map(lambda d: ('{"extensions":' * d + "1" + "}" * d).encode()),
    )


def write(root: Path, platform: str, path: str, data: bytes) -> Path:
    rel = path[3:].replace("\\", "/") if platform == "windows" else path.lstrip("/")
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def run_sources(root: Path, platform: str) -> int:
    machine = Machine.offline(str(root), platform)
    machine.registry = None if platform != "windows" else machine.registry
    found = 0
    for source in SOURCES:
        if not source.applies_to(machine):
            continue
        notes = Notes(source.id)
        try:
            found += len(list(source.collect(machine, notes)))
        except Unreadable:
            pass                          # the engine says "could not check" in plain words
    return found


@pytest.mark.parametrize("platform", list(TARGETS))
def test_every_file_read_can_hold_anything(platform):
    targets = TARGETS[platform]

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.sampled_from(targets).flatmap(lambda p: st.tuples(st.just(p), junk_for(p))))
    def check(case):
        path, data = case
        root = Path(tempfile.mkdtemp(prefix="checkup-fuzz-"))
        try:
            (root / ("Users/alex" if platform != "linux" else "home/alex")).mkdir(parents=True)
            write(root, platform, path, data)
            run_sources(root, platform)
        finally:
            shutil.rmtree(root, ignore_errors=True)

    check()


def test_a_tcc_database_that_is_not_one_is_a_note(tmp_path):
    from device_checkup.checks.sources.base import Notes
    from device_checkup.checks.sources.settings import macos_privacy_grants
    where = "/Library/Application Support/com.apple.TCC/TCC.db"

    def grants():
        notes = Notes("settings.macos")
        found = list(macos_privacy_grants(Machine.offline(str(tmp_path), "macos").fs, notes))
        return found, [(n.reason, n.detail.split(":")[0]) for n in notes.items]

    for content in (b"SQLite format 3\x00" + os.urandom(4000), b"", os.urandom(100)):
        db = write(tmp_path, "macos", where, content)
        assert grants() == ([], [("error", where)])
    db.unlink()
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE access (x)")        # the wrong shape
    con.commit()
    con.close()
    assert grants() == ([], [("error", where)])
    db.unlink()
    os.mkfifo(db)                                 # and a FIFO is refused, not waited on
    found, notes = grants()
    assert found == [] and [r for r, _ in notes] == ["error"] and notes[0][1].startswith(where + " is a FIFO")
