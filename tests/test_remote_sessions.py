"""Remote sessions from remote-access tools' own logs, and how findings present them as evidence."""
from __future__ import annotations

import os
import re

from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import InstalledApp, RemoteSession
from device_checkup.checks.session_words import describe
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.checks.sources.remote_logs import RemoteSessionsSource, parse_anydesk, parse_teamviewer
from tests.helpers import ListSource, family_yaml, sigset_from_text
from tests.test_browsers import put

AD_SYSTEM = "C:\\ProgramData\\AnyDesk\\connection_trace.txt"
AD_USER = "C:\\Users\\alex\\AppData\\Roaming\\AnyDesk\\connection_trace.txt"
TV_LOG = "C:\\Program Files (x86)\\TeamViewer\\Connections_incoming.txt"

ANYDESK_TRACE = (
    "Incoming    2022-11-09, 07:02    Passwd    547911884    547911884\r\n"
    "\r\n"
    "Incoming    2022-11-02, 21:14    Passwd    helper@ad    547911884\r\n"
)
TEAMVIEWER_LOG = (
    "545021772\tCog-IT-ADMIN3\t13-08-2025 10:12:35\t13-08-2025 10:25:05\talex\tRemoteControl\t"
    "{584b3e18-f0af-49e9-af50-f4de1b82e8df}\t\n"
    "514162531\tJames\t15-08-2025 06:53:09\t15-08-2025 06:55:10\talex\tFileTransfer\t"
    "{0fa00d03-3c00-46ed-8306-be9b6f2977fa}\t\n"
    "garbage without tabs\n"
    "1\tx\t99-99-2025 10:00:00\t\n"
)


def collect(root, platform):
    machine = Machine(platform=platform, fs=FileSystem(platform, str(root)), live=False)
    notes = Notes("sessions")
    return list(RemoteSessionsSource().collect(machine, notes)), notes.items


def windows_tree(root):
    put(root, AD_SYSTEM, ANYDESK_TRACE)
    put(root, AD_USER, "Incoming 2023-01-15, 18:40 User support@ad 123456789\n")
    put(root, TV_LOG, TEAMVIEWER_LOG)
    # Ordinary software around it: not logs of sessions, never read as such.
    put(root, "C:\\ProgramData\\AnyDesk\\ad_svc.trace", "info 2022-08-23 10:20:11.969 gsvc 4628 anynet.relay_conn\n")
    put(root, "C:\\Program Files (x86)\\TeamViewer\\Connections.txt", "999\tOut\t01-01-2025 10:00:00\t\n")


def test_windows_anydesk_and_teamviewer_logs_become_sessions(tmp_path):
    windows_tree(tmp_path)
    sessions, notes = collect(tmp_path, "windows")
    assert sessions == [
        RemoteSession(tool="AnyDesk", log=AD_SYSTEM, line=1, direction="incoming", time="2022-11-09T07:02",
                      approval="password", remote_id="547911884", user=None,
                      raw="Incoming    2022-11-09, 07:02    Passwd    547911884    547911884"),
        RemoteSession(tool="AnyDesk", log=AD_SYSTEM, line=3, direction="incoming", time="2022-11-02T21:14",
                      approval="password", remote_id="547911884", user=None,
                      raw="Incoming    2022-11-02, 21:14    Passwd    helper@ad    547911884"),
        RemoteSession(tool="AnyDesk", log=AD_USER, line=1, direction="incoming", time="2023-01-15T18:40",
                      approval="user", remote_id="123456789", user="alex",
                      raw="Incoming 2023-01-15, 18:40 User support@ad 123456789"),
        RemoteSession(tool="TeamViewer", log=TV_LOG, line=1, direction="incoming", time="2025-08-13T10:12:35+00:00",
                      approval=None, remote_id="545021772", user="alex",
                      raw="545021772\tCog-IT-ADMIN3\t13-08-2025 10:12:35\t13-08-2025 10:25:05\talex\tRemoteControl\t"
                          "{584b3e18-f0af-49e9-af50-f4de1b82e8df}",
                      end="2025-08-13T10:25:05+00:00", remote_name="Cog-IT-ADMIN3", time_zone="UTC",
                      kind="RemoteControl"),
        RemoteSession(tool="TeamViewer", log=TV_LOG, line=2, direction="incoming", time="2025-08-15T06:53:09+00:00",
                      approval=None, remote_id="514162531", user="alex",
                      raw="514162531\tJames\t15-08-2025 06:53:09\t15-08-2025 06:55:10\talex\tFileTransfer\t"
                          "{0fa00d03-3c00-46ed-8306-be9b6f2977fa}",
                      end="2025-08-15T06:55:10+00:00", remote_name="James", time_zone="UTC", kind="FileTransfer"),
    ]
    # Two TeamViewer lines were not sessions: skipped, and counted in a note.
    assert [(n.reason, n.detail) for n in notes] == [
        ("error", f"{TV_LOG}: 2 lines were not in the expected form and were skipped")]


def test_anydesk_methods_and_headers():
    lines = ["Direction   Date, Time   Authentication Method   Originating AnyDesk-Alias AnyDesk-ID",
             "Incoming     2014-11-26, 03:46 User                  user1@ad 654321",
             "Incoming     2014-11-26, 04:38   Token       user2@ad 123456",
             "Incoming\t2014-11-26, 17:54\tPasswd\tuser3@ad\t123210",
             "Incoming 2014-11-27, 09:00 REJECTED 777777777",
             "Incoming 2014-13-40, 09:00 User 1",
             "\x00\x01\x02 binary"]
    sessions, skipped = parse_anydesk(lines, "/home/kim/.anydesk/connection_trace.txt", "kim")
    assert [(s.line, s.time, s.approval, s.remote_id) for s in sessions] == [
        (2, "2014-11-26T03:46", "user", "654321"), (3, "2014-11-26T04:38", "token", "123456"),
        (4, "2014-11-26T17:54", "password", "123210"), (5, "2014-11-27T09:00", "rejected", "777777777")]
    assert skipped == 2


def test_teamviewer_tolerates_missing_columns():
    sessions, skipped = parse_teamviewer(["123\tName\t01-02-2024 03:04:05", "x\t\t"], "x")
    assert [(s.remote_id, s.time, s.user) for s in sessions] == [("123", "2024-02-01T03:04:05+00:00", None)]
    assert skipped == 1


def test_linux_and_macos_places(tmp_path):
    linux = tmp_path / "linux"
    put(linux, "/etc/anydesk/connection_trace.txt", "Incoming 2024-03-01, 02:03 Passwd 111222333 111222333\n")
    put(linux, "/home/kim/.anydesk/connection_trace.txt", "Incoming 2024-03-02, 02:03 Token 444555666 444555666\n")
    sessions, notes = collect(linux, "linux")
    assert [(s.log, s.user, s.approval) for s in sessions] == [
        ("/etc/anydesk/connection_trace.txt", None, "password"),
        ("/home/kim/.anydesk/connection_trace.txt", "kim", "token")]
    assert notes == []
    mac = tmp_path / "mac"
    put(mac, "/Users/sam/Library/Logs/TeamViewer/Connections_incoming.txt",
        "1112223334\tLaptop\t02-03-2024 10:00:00\t02-03-2024 10:30:00\tsam\tRemoteControl\t{x}\n")
    put(mac, "/Library/Application Support/AnyDesk/connection_trace.txt", "Incoming 2024-03-01, 02:03 User 1 1\n")
    sessions, _ = collect(mac, "macos")
    assert [(s.tool, s.log) for s in sessions] == [
        ("AnyDesk", "/Library/Application Support/AnyDesk/connection_trace.txt"),
        ("TeamViewer", "/Users/sam/Library/Logs/TeamViewer/Connections_incoming.txt")]


def test_hostile_logs_are_bounded_and_a_link_out_of_the_root_is_not_followed(tmp_path):
    root = tmp_path / "disk"
    put(root, "/home/kim/.anydesk/connection_trace.txt", os.urandom(4096) + b"\n" + b"x" * 10_000)
    outside = tmp_path / "outside"
    put(outside, "/connection_trace.txt", "Incoming 2024-03-01, 02:03 Passwd 9 9\n")
    os.makedirs(root / "etc")
    os.symlink(os.path.relpath(outside, root / "etc"), root / "etc" / "anydesk")
    sessions, notes = collect(root, "linux")
    assert sessions == []
    assert len(notes) == 1 and "were skipped" in notes[0].detail


# -- findings --------------------------------------------------------------------------------
ANYDESK_SIGS = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml(
    "anydesk", "remote-access", r"""
    file_paths: ['%ProgramData%\AnyDesk\connection_trace.txt']
    program_names: [AnyDesk]
    """, name="AnyDesk"))


def scan(root, platform, sigs, extra_sources=()):
    sessions, _ = collect(root, platform)
    machine = Machine(platform=platform, fs=FileSystem(platform, str(root)), live=False)
    return run_scan(signatures=sigs, machine=machine,
                    sources=[ListSource("sessions", sessions), *extra_sources])


def test_anydesk_sessions_are_evidence_of_the_anydesk_family(tmp_path):
    put(tmp_path, AD_SYSTEM, ANYDESK_TRACE)
    app = InstalledApp(name="AnyDesk", source="uninstall-key", location="C:\\Program Files (x86)\\AnyDesk")
    result = scan(tmp_path, "windows", ANYDESK_SIGS, [ListSource("apps", [app])])
    (f,) = result.findings
    assert (f.family, f.tier, f.severity) == ("anydesk", "remote-used", "high")
    assert f.title == ("AnyDesk was used to connect to this computer from elsewhere, without anyone "
                       "accepting it (unattended access)")
    assert [e.record_kind for e in f.evidence] == ["apps", "sessions", "sessions"]
    assert f.extra["sessions"] == [
        {"time": "2022-11-02T21:14", "end": None, "time_zone": None, "direction": "incoming",
         "approval": "password", "approval_words": "let in with a password (unattended access)",
         "remote_id": "547911884", "remote_address": None, "remote_name": None, "kind": None, "files": [],
         "tool": "AnyDesk", "log": AD_SYSTEM, "line": 3},
        {"time": "2022-11-09T07:02", "end": None, "time_zone": None, "direction": "incoming",
         "approval": "password", "approval_words": "let in with a password (unattended access)",
         "remote_id": "547911884", "remote_address": None, "remote_name": None, "kind": None, "files": [],
         "tool": "AnyDesk", "log": AD_SYSTEM, "line": 1},
    ]
    assert ("We found 2 incoming connections in its own records: 2 November 2022 at 21:14 and "
            "9 November 2022 at 07:02 (time zone unknown), both let in with a password (unattended access).") in f.why
    assert "useful evidence" in f.do and "photo" in f.do
    assert f"its own record of remote connections ({AD_SYSTEM})" in f.why
    assert f.to_json_data()["detail"]["sessions"][0]["time"] == "2022-11-02T21:14"


def test_the_tool_name_finds_the_family_when_the_log_is_not_listed(tmp_path):
    put(tmp_path, "/home/kim/.anydesk/connection_trace.txt",
        "Incoming 2024-03-01, 02:03 User 1 111\nIncoming 2024-03-02, 02:03 Token 2 111\n")
    (f,) = scan(tmp_path, "linux", ANYDESK_SIGS).findings
    assert f.family == "anydesk"
    assert ("2 incoming connections in its own records: 1 March 2024 at 02:03 and 2 March 2024 at 02:03 (time zone unknown); "
            "1 accepted by someone at this computer and 1 let in with a saved login token.") in f.why


def test_sessions_no_family_names_are_still_a_remote_access_finding(tmp_path):
    put(tmp_path, TV_LOG, TEAMVIEWER_LOG)
    (f,) = scan(tmp_path, "windows", ANYDESK_SIGS).findings
    assert (f.tier, f.heuristic, f.family, f.severity) == ("remote-used", "remote-sessions", None, "high")
    assert f.title == "TeamViewer was used to connect to this computer from elsewhere"
    assert ("We found 2 incoming connections in its own records: 13 August 2025 at 10:12 (UTC) and "
            "15 August 2025 at 06:53 (UTC). The other side called itself “Cog-IT-ADMIN3” and “James”. "
            "The first one lasted from 13 August 2025 at 10:12 (UTC) to 13 August 2025 at 10:25 (UTC).") in f.why
    assert len(f.evidence) == 2 and [s["remote_id"] for s in f.extra["sessions"]] == ["545021772", "514162531"]
    for part in (f.title, f.what, f.why, f.do, f.careful):
        assert not re.search(r"\{[a-z_]+\}", part), part


def test_an_unattended_login_at_night_is_raised_and_a_refused_one_is_not(tmp_path):
    put(tmp_path, AD_SYSTEM, "Incoming    2026-11-08, 23:14    Passwd    547911884    547911884\r\n")
    (f,) = scan(tmp_path, "windows", ANYDESK_SIGS).findings
    assert (f.tier, f.severity) == ("remote-used", "high")
    assert "at night" in f.title and "unattended access" in f.title
    assert f.why.startswith("Its own records show that another computer connected to this one.")
    day = tmp_path / "day"
    put(day, AD_SYSTEM, "Incoming    2026-11-08, 14:00    User    547911884    547911884\r\n")
    (f,) = scan(day, "windows", ANYDESK_SIGS).findings
    assert f.tier == "remote-used" and f.title == "AnyDesk was used to connect to this computer from elsewhere"
    refused = tmp_path / "refused"
    put(refused, AD_SYSTEM, "Incoming    2026-11-08, 23:14    Rejected    547911884    547911884\r\n")
    (f,) = scan(refused, "windows", ANYDESK_SIGS).findings
    assert (f.tier, f.severity) == ("remote-access", "medium")


def test_many_sessions_are_capped_in_words_but_all_kept_in_detail():
    sessions = [RemoteSession("AnyDesk", "log", i, "incoming", f"2024-01-{i:02d}T10:00", "password", "1")
                for i in range(1, 8)]
    words = describe(sessions)
    assert words.why == ("We found 7 incoming connections in its own records: 1 January 2024 at 10:00, "
                         "2 January 2024 at 10:00, 3 January 2024 at 10:00, 4 January 2024 at 10:00, "
                         "5 January 2024 at 10:00 and 2 more (time zone unknown), all let in with a password (unattended access).")
    assert len(words.items) == 7
    one = describe(sessions[:1])
    assert one.why == ("We found 1 incoming connection in its own records: 1 January 2024 at 10:00 "
                       "(time zone unknown), "
                       "let in with a password (unattended access).")


def test_live_reads_the_same_way(tmp_path, monkeypatch):
    # A live scan of this computer, with a home folder we planted (nothing outside tmp_path is touched).
    import sys
    import pytest
    if not sys.platform.startswith("linux"):
        pytest.skip("plants a Linux home folder")
    home = tmp_path / "kim"
    put(home, "/.anydesk/connection_trace.txt", "Incoming 2024-03-01, 02:03 Passwd 111222333 111222333\n")
    monkeypatch.setenv("HOME", str(home))
    machine = Machine.live_machine()
    sessions = list(RemoteSessionsSource().collect(machine, Notes("sessions")))
    planted = [s for s in sessions if s.log == str(home / ".anydesk" / "connection_trace.txt")]
    assert [(s.user, s.approval, s.time) for s in planted] == [("kim", "password", "2024-03-01T02:03")]


def test_a_family_named_like_the_tool_takes_its_sessions(tmp_path):
    put(tmp_path, "/home/kim/.anydesk/connection_trace.txt", "Incoming 2024-03-01, 02:03 User 1 111\n")
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml(
        "ad", "remote-access", "process_names: [anydesk]", name="AnyDesk"))
    (f,) = scan(tmp_path, "linux", sigs).findings
    assert f.family == "ad" and f.extra["sessions"][0]["approval"] == "user"
    assert f.matches[0].kind == "session" and f.user_signatures
    assert "accepted by someone at this computer" in f.why


# -- real logs (tests/data/real/remote, provenance in tests/data/real/README.md) -------------
REAL = os.path.join(os.path.dirname(__file__), "data", "real", "remote")


def _real(name):
    with open(os.path.join(REAL, name), encoding="utf-8") as fh:
        return fh.read()


def test_real_anydesk_and_teamviewer_logs_give_exact_sessions(tmp_path):
    """AnyDesk's connection_trace.txt, ad_svc.trace and ad.trace of one real machine
    (DFIRArtifactMuseum) and TeamViewer's Connections_incoming.txt (plaso test data)."""
    put(tmp_path, AD_SYSTEM, _real("anydesk-connection_trace.txt"))
    put(tmp_path, "C:\\ProgramData\\AnyDesk\\ad_svc.trace", _real("anydesk-ad_svc.trace"))
    put(tmp_path, "C:\\Users\\lab\\AppData\\Roaming\\AnyDesk\\ad.trace", _real("anydesk-ad.trace"))
    put(tmp_path, "C:\\Program Files\\TeamViewer\\Connections_incoming.txt",
        _real("teamviewer-connections_incoming.txt"))
    sessions, notes = collect(tmp_path, "windows")
    assert [(s.tool, s.time, s.end, s.time_zone, s.approval, s.remote_id, s.remote_address, s.remote_name,
             s.kind, s.user, s.files) for s in sessions] == [
        ("AnyDesk", "2022-08-23T10:23", None, None, "password", "547911884", "12.xx.xx.21:41314", None,
         None, None, ()),
        ("AnyDesk", "2022-09-28T12:39", None, None, "user", "442226597", "12.xx.xx.21:59562", None, None, None,
         ("2022-09-28 12:41:20: Preparing files in 'C:\\Users\\lab\\Downloads'.",
          "2022-09-28 12:41:20: Preparation of 1 files completed (io_ok).")),
        ("TeamViewer", "2024-02-16T14:16:32+00:00", "2024-02-16T14:18:36+00:00", "UTC", None, "1660360496", None,
         "TestUserRedacted", "RemoteControl", "IEUser", ()),
    ]
    assert notes == []
    words = describe([s for s in sessions if s.tool == "AnyDesk"])
    assert words.why == (
        "We found 2 incoming connections in its own records: 23 August 2022 at 10:23 and 28 September 2022 "
        "at 12:39 (time zone unknown); 1 let in with a password (unattended access) and 1 accepted by someone "
        "at this computer. The other computer's internet address was recorded: 12.xx.xx.21:41314 and "
        "12.xx.xx.21:59562. Files were sent or received in 1 of them.")


def test_a_trace_login_with_no_connection_line_is_a_session_of_its_own(tmp_path):
    put(tmp_path, "C:\\Users\\lab\\AppData\\Roaming\\AnyDesk\\ad.trace", _real("anydesk-ad.trace"))
    sessions, notes = collect(tmp_path, "windows")
    assert [(s.log, s.line, s.time, s.remote_id, s.remote_address, s.approval, len(s.files)) for s in sessions] == [
        ("C:\\Users\\lab\\AppData\\Roaming\\AnyDesk\\ad.trace", 2, "2022-09-28T12:39:26", "442226597",
         "12.xx.xx.21:59562", None, 2)]
