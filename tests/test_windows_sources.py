"""Windows sources on a Windows disk built in a temporary folder, with real hive files."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from checks.engine import run_scan
from checks.records import RegistryItem
from checks.sources.base import Locations, Machine, Notes
from checks.sources.registry import HiveRegistry
from checks.sources.windows import (RegistryProbeSource, WindowsAppsSource, WindowsAutostartSource,
                                    WindowsServicesSource, WindowsTasksSource, parse_lnk, parse_task)
from signatures.loader import load_set

from . import windows_tree
from .hivewriter import VALUES, hive_bytes, write_hive


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    return windows_tree.build(tmp_path_factory.mktemp("windows") / "disk")


def collect(source, machine):
    notes = Notes(source.id)
    return list(source.collect(machine, notes)), notes.items


def test_the_registry_reads_each_hive_and_names_windows(disk):
    machine = Machine.offline(str(disk), "windows")
    assert machine.registry.users() == ["alex", "sam"]
    assert machine.os_version() == "Windows 10 Pro 22H2 (build 19045)"
    key = machine.registry.key("HKLM\\SYSTEM\\CurrentControlSet\\Services\\gupdate")
    assert key.value("Start") == 2 and key.path.endswith("Services\\gupdate")
    assert machine.registry.key("hklm\\software\\google\\CHROME") is not None          # any case
    assert machine.registry.key("HKCU\\Software\\WideStep\\EliteKeylogger", user="sam").value("Installed") == 1
    assert machine.registry.key("HKCU\\Software\\WideStep\\EliteKeylogger", user="alex") is None
    assert machine.registry.key("HKLM\\SAM\\Domains") is None
    assert key.modified and 1.7e9 < key.modified < 1.8e9
    assert machine.registry.problems == []


def test_current_control_set_follows_select(tmp_path):
    (tmp_path / "Windows/System32/config").mkdir(parents=True)
    write_hive(tmp_path / "Windows/System32/config/SYSTEM", {
        "Select": {VALUES: {"Current": 2}},
        "ControlSet001": {"Services": {"Old": {VALUES: {"Type": 16}}}},
        "ControlSet002": {"Services": {"New": {VALUES: {"Type": 16}}}}})
    reg = HiveRegistry(Machine.offline(str(tmp_path), "windows").fs)
    assert reg.key("HKLM\\SYSTEM\\CurrentControlSet\\Services").subkeys() == ["New"]
    assert reg.key("HKLM\\SYSTEM\\ControlSet001\\Services").subkeys() == ["Old"]


def test_autostart_entries_from_run_keys_and_startup_folders(disk):
    records, notes = collect(WindowsAutostartSource(), Machine.offline(str(disk), "windows"))
    got = {(r.kind, r.name, r.user, r.executable) for r in records}
    assert got == {
        ("run-key", "SecurityHealth", None, "C:\\Windows\\system32\\SecurityHealthSystray.exe"),
        ("run-key", "runrefog", None, "C:\\Windows\\System32\\MPK\\mpk.exe"),
        ("run-key", "OneDrive", "alex", "C:\\Users\\alex\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe"),
        ("run-key", "com.squirrel.Teams.Teams", "alex", "C:\\Users\\alex\\AppData\\Local\\Microsoft\\Teams\\Update.exe"),
        ("run-key", "Windows Host", "alex", "C:\\Users\\alex\\AppData\\Roaming\\Microsoft\\svchost.exe"),
        ("run-key", "Spotify", "sam", "C:\\Users\\sam\\AppData\\Roaming\\Spotify\\Spotify.exe"),
        ("startup-folder", "KidLogger.lnk", None, "C:\\Program Files (x86)\\KidLogger\\kidlogger_user.exe"),
        ("startup-folder", "Send to OneNote.lnk", "alex",
         "C:\\Program Files\\Microsoft Office\\root\\Office16\\ONENOTEM.EXE"),
    }
    kid = next(r for r in records if r.name == "KidLogger.lnk")
    assert kid.command.endswith("-tray")
    assert notes == []


def test_winlogon_image_hijacks_and_appinit_are_reported_only_when_changed(tmp_path):
    (tmp_path / "Windows/System32/config").mkdir(parents=True)
    base = "Microsoft\\Windows NT\\CurrentVersion\\"
    from .hivewriter import tree_from
    write_hive(tmp_path / "Windows/System32/config/SOFTWARE", tree_from({
        base + "Winlogon": {"Shell": "explorer.exe, C:\\ProgramData\\x\\watch.exe",
                            "Userinit": "C:\\Windows\\system32\\userinit.exe,"},
        base + "Image File Execution Options\\sethc.exe": {"Debugger": "C:\\Windows\\System32\\cmd.exe"},
        base + "Image File Execution Options\\chrome.exe": {"MitigationOptions": b"\0"},
        base + "Windows": {"AppInit_DLLs": "C:\\ProgramData\\x\\hook.dll", "LoadAppInit_DLLs": 1}}))
    records, _ = collect(WindowsAutostartSource(), Machine.offline(str(tmp_path), "windows"))
    assert {(r.kind, r.name) for r in records} == {("winlogon", "Shell"), ("image-hijack", "sethc.exe"),
                                                   ("appinit-dll", "AppInit_DLLs")}
    assert next(r for r in records if r.kind == "appinit-dll").enabled is True


def test_services_are_win32_services_with_plain_start_types(disk):
    records, _ = collect(WindowsServicesSource(), Machine.offline(str(disk), "windows"))
    by_name = {r.name: r for r in records}
    assert set(by_name) == {"Dnscache", "edgeupdate", "gupdate", "tsvchst", "WinDefend"}   # no drivers
    assert by_name["Dnscache"].executable == "C:\\Windows\\system32\\svchost.exe"
    assert by_name["Dnscache"].display_name is None            # "@dnsapi.dll,-101" is not a name
    assert by_name["WinDefend"].start == "automatic"
    assert by_name["tsvchst"].executable.endswith("\\svc\\tsvchst.exe")


def test_scheduled_tasks_from_utf16_files(disk):
    records, notes = collect(WindowsTasksSource(), Machine.offline(str(disk), "windows"))
    by_name = {r.name: r for r in records}
    assert set(by_name) == {"\\GoogleUpdateTaskMachineCore{9C0F2C43-1F2A-4F4C-9E2B-6B1C7E0D2A11}", "\\KidLogger",
                            "\\MicrosoftEdgeUpdateTaskMachineUA", "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"}
    kid = by_name["\\KidLogger"]
    assert kid.executable == "C:\\Program Files (x86)\\KidLogger\\kidlogger.exe"
    assert kid.triggers == "when someone logs in" and kid.enabled is True and kid.user == "S-1-5-18"
    assert by_name["\\Microsoft\\Windows\\Defrag\\ScheduledDefrag"].executable == "C:\\Windows\\system32\\defrag.exe"
    assert notes == []


def test_installed_programs_from_every_uninstall_key(disk):
    records, _ = collect(WindowsAppsSource(), Machine.offline(str(disk), "windows"))
    got = {(r.name, r.user) for r in records}
    assert got == {("Google Chrome", None), ("REFOG Personal Monitor", None), ("7-Zip 24.09 (x64 edition)", None),
                   ("Microsoft Edge", None), ("Mozilla Firefox (x64 en-GB)", None), ("Microsoft OneDrive", "alex"),
                   ("Spotify", "sam"), ("Zoom Workplace", "sam")}


def test_registry_probe_finds_keys_and_values_for_each_user(disk):
    locations = Locations(registry_keys=["HKLM\\SOFTWARE\\Refog Software", "HKCU\\Software\\WideStep\\*",
                                         "HKLM\\SOFTWARE\\Nothing\\Here"],
                          registry_values=[("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", "runrefog")])
    machine = Machine.offline(str(disk), "windows", locations)
    records, _ = collect(RegistryProbeSource(), machine)
    assert {(r.key, r.user, r.value_name) for r in records} == {
        ("HKLM\\SOFTWARE\\Refog Software", None, None),
        ("HKCU\\Software\\WideStep\\EliteKeylogger", "sam", None),
        ("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run", None, "runrefog")}
    value = next(r for r in records if r.value_name)
    assert isinstance(value, RegistryItem) and value.value == "C:\\Windows\\System32\\MPK\\mpk.exe /start"


def test_the_planted_disk_shows_exactly_what_was_planted(disk):
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"))
    families = {(f.tier, f.family) for f in result.findings if f.family}
    assert families == {("stalkerware", "refog"), ("stalkerware", "elite-keylogger"),
                        ("monitoring", "teramind"), ("watchware", "kidlogger")}
    heuristics = [(f.heuristic, f.evidence[0].record.name) for f in result.findings if f.heuristic]
    assert heuristics == [("system-name-wrong-place", "Windows Host")]
    refog = next(f for f in result.findings if f.family == "refog")
    assert {e.record_kind for e in refog.evidence} >= {"autostart", "apps", "files", "registry"}
    assert [n.source for n in result.not_checked if n.reason != "offline"] == []


def test_the_same_disk_without_plants_shows_nothing(tmp_path):
    disk = windows_tree.build(tmp_path / "disk", planted=False)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"))
    assert [(f.tier, f.title) for f in result.findings if f.tier != "settings"] == []


# -- damaged and hostile input --------------------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "junk", "empty", "bad-root"])
def test_a_damaged_hive_is_named_and_the_scan_goes_on(tmp_path, damage):
    disk = windows_tree.build(tmp_path / "disk")
    software = disk / "Windows/System32/config/SOFTWARE"
    data = software.read_bytes()
    software.write_bytes({"truncated": data[:5000], "junk": os.urandom(len(data)), "empty": b"",
                          "bad-root": data[:4096 + 32] + b"\xff" * (len(data) - 4128)}[damage])
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"))
    problems = [n for n in result.snapshot.not_read if n.source == "registry"]
    assert problems and "SOFTWARE" in problems[0].detail
    # What the other hives and the files hold is still found.
    families = {f.family for f in result.findings if f.family}
    assert {"teramind", "elite-keylogger", "kidlogger"} <= families


def test_a_disk_without_hives_says_the_registry_could_not_be_read(tmp_path):
    disk = windows_tree.build(tmp_path / "disk")
    shutil.rmtree(disk / "Windows/System32/config")
    for user in ("alex", "sam"):
        (disk / "Users" / user / "NTUSER.DAT").unlink()
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"))
    missing = {n.source: n.reason for n in result.not_checked if n.reason != "offline"}
    assert missing["services.windows"] == "absent" and missing["apps.windows"] == "absent"
    # Files on the disk still show three of them (the fourth lived only in a hive).
    assert {f.family for f in result.findings if f.family} == {"kidlogger", "refog", "teramind"}


def test_a_hive_linked_out_of_the_disk_is_not_read(tmp_path):
    disk = windows_tree.build(tmp_path / "disk")
    outside = tmp_path / "elsewhere.DAT"
    write_hive(outside, {"Software": {"Outside": {VALUES: {"x": 1}}}})
    hive = disk / "Users/sam/NTUSER.DAT"
    hive.unlink()
    os.symlink(str(outside), hive)
    reg = HiveRegistry(Machine.offline(str(disk), "windows").fs)
    assert reg.key("HKCU\\Software\\Outside", user="sam") is None
    assert reg.users() == ["alex"]


def test_task_files_with_a_dtd_or_broken_xml_become_notes(tmp_path):
    disk = windows_tree.build(tmp_path / "disk")
    tasks = disk / "Windows/System32/Tasks"
    (tasks / "Bomb").write_text('<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Task>&a;</Task>')
    (tasks / "Broken").write_bytes(b"\xff\xfe" + "<Task><Actions>".encode("utf-16-le"))
    (tasks / "NotATask").write_text("<Other/>")
    records, notes = collect(WindowsTasksSource(), Machine.offline(str(disk), "windows"))
    assert len(records) == 4
    assert sorted(n.detail.split(": ")[0].rsplit("\\", 1)[-1] for n in notes) == ["Bomb", "Broken", "NotATask"]
    assert all(n.reason == "error" for n in notes)


def test_a_damaged_shortcut_still_lists_the_entry(tmp_path):
    disk = windows_tree.build(tmp_path / "disk")
    startup = disk / "ProgramData/Microsoft/Windows/Start Menu/Programs/Startup"
    (startup / "Broken.lnk").write_bytes(windows_tree.lnk("C:\\x\\y.exe", "-a")[:90])
    records, notes = collect(WindowsAutostartSource(), Machine.offline(str(disk), "windows"))
    broken = next(r for r in records if r.name == "Broken.lnk")
    assert broken.command.endswith("Broken.lnk")
    assert len(notes) == 1 and "Broken.lnk" in notes[0].detail


def test_shortcuts_parse_as_windows_writes_them():
    assert parse_lnk(windows_tree.lnk("C:\\Program Files\\X\\x.exe", "--quiet")) == \
        ("C:\\Program Files\\X\\x.exe", "--quiet")
    with pytest.raises(ValueError):
        parse_lnk(b"not a shortcut at all" * 10)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=0, max_value=200))
def test_the_shortcut_parser_only_ever_says_value_error(junk, cut):
    good = windows_tree.lnk("C:\\x\\y.exe", "-a")
    for data in (junk, good[:cut] + junk, good[:76] + junk):
        try:
            target, args = parse_lnk(data)
            assert isinstance(target, str) and isinstance(args, str)
        except ValueError:
            pass


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_the_task_parser_only_ever_says_value_error(text):
    for data in (text.encode("utf-8", "replace"), b"\xff\xfe" + text.encode("utf-16-le", "replace"),
                 windows_tree.task_xml("x.exe").replace(b"x\x00.\x00e\x00x\x00e\x00", text[:20].encode("utf-16-le"))):
        try:
            parse_task(data)
        except ValueError:
            pass


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.integers(min_value=0, max_value=8191))
def test_a_hive_damaged_anywhere_never_escapes_the_registry(tmp_path_factory, junk, at):
    folder = tmp_path_factory.mktemp("hive")
    data = bytearray(hive_bytes({"Software": {"A": {VALUES: {"v": "x" * 40, "n": 7}}, "B": {}}}))
    at = at % len(data)
    data[at:at + len(junk)] = junk
    (folder / "Users/u").mkdir(parents=True)
    (folder / "Users/u/NTUSER.DAT").write_bytes(bytes(data))
    reg = HiveRegistry(Machine.offline(str(folder), "windows").fs)
    for user in reg.users() or ["u"]:
        key = reg.key("HKCU\\Software\\A", user=user)
        if key is not None:
            key.values()
            key.subkeys()
        top = reg.key("HKCU\\Software", user=user)
        if top is not None:
            for name in top.subkeys():
                top.subkey(name)


@pytest.mark.skipif(shutil.which("hivexml") is None, reason="hivexml (libhivex-bin) is not installed")
def test_an_independent_parser_reads_the_test_hives(disk):
    # The hives in these tests are written by tests/hivewriter.py; hivex agrees on what they hold.
    out = subprocess.run(["hivexml", str(disk / "Windows/System32/config/SOFTWARE")], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0
    assert 'key="runrefog"' in out.stdout and "REFOG Personal Monitor" in out.stdout
