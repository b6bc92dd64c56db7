"""Windows sources: on the committed test disk (tests/fixtures/windows, hives built by hivex with
tools/build_hives.py) and on disks built in a temporary folder (tests/windows_tree.py)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from hypothesis import given, settings, strategies as st

from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import RegistryItem
from device_checkup.checks.sources.base import Locations, Machine, Notes
from device_checkup.checks.sources.registry import HiveRegistry
from device_checkup.checks.sources.windows import (RegistryProbeSource, WindowsAppsSource, WindowsAutostartSource,
                                    WindowsServicesSource, WindowsTasksSource, parse_lnk, parse_task)
from device_checkup.signatures.loader import load_set

from . import windows_tree
from .helpers import real_hive_disk
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
    assert kid.triggers == "when someone logs in" and kid.enabled is True and kid.user == "SYSTEM"
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
                        ("monitoring", "teramind"), ("stalkerware", "kidlogger")}
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


# == the committed test disk: tests/fixtures/windows ==========================================
# Its hives come from tests/fixtures/windows-src/*.reg through hivexregedit (tools/build_hives.py),
# so regipy is read against files an independent implementation wrote.
from pathlib import Path  # noqa: E402

from device_checkup.checks.records import AutostartEntry, InstalledApp, ScheduledTask, Service  # noqa: E402
from device_checkup.checks.sources.fs import Unreadable  # noqa: E402
from device_checkup.checks.sources.windows import resolve_relative  # noqa: E402

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "windows"
HKLM_RUN = "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run"
ALL_STARTUP = "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\Startup"


def startup(user):
    return f"C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup"


def fixture_machine(root=FIXTURE, locations=None):
    return Machine.offline(str(root), "windows", locations)


@pytest.fixture
def disk_copy(tmp_path):
    """A copy of the committed disk that a test may damage."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "disk", symlinks=True))


def test_fixture_hives_are_what_the_build_script_makes():
    # The committed hives are built from text; a rebuild (where hivex is installed) gives the same bytes.
    if shutil.which("hivexregedit") is None:
        pytest.skip("hivexregedit (libwin-hivex-perl) is not installed")
    import subprocess as sp
    out = sp.run(["python3", str(Path(__file__).resolve().parents[1] / "tools" / "build_hives.py"), "--check"],
                 capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


def test_fixture_registry_users_version_and_control_set():
    reg = fixture_machine().registry
    assert reg.users() == ["alex", "sam"]
    assert reg.windows_version() == "Windows 10 Pro 22H2 (build 19045)"
    # CurrentControlSet is ControlSet002 on this disk (Select\Current = 2).
    services = reg.key("HKLM\\SYSTEM\\CurrentControlSet\\Services")
    assert "tsvchst" in services.subkeys() and "OldAgent" not in services.subkeys()
    assert reg.key("HKLM\\SYSTEM\\ControlSet001\\Services\\OldAgent") is not None
    key = reg.key("hkey_local_machine\\software\\SPYTECH\\spyagent")          # any case, long root name
    assert key.path == "HKLM\\software\\SPYTECH\\spyagent" and key.value("installed") == 1
    assert key.modified == 1_793_611_800.0                                     # the build's stamp
    assert reg.key("HKCU\\Software\\WideStep\\EliteKeylogger", user="sam").value("Hidden") == 1
    assert reg.key("HKCU\\Software\\WideStep\\EliteKeylogger", user="alex") is None
    assert reg.key("HKCU\\Software\\WideStep\\EliteKeylogger") is None        # HKCU needs a user
    assert reg.key("HKLM\\SAM\\Domains") is None and reg.key("HKLM\\SOFTWARE\\No\\Such") is None
    values = dict(reg.key("HKCU\\Environment", user="alex").values())
    assert values["TEMP"] == "%USERPROFILE%\\AppData\\Local\\Temp"            # REG_EXPAND_SZ kept as written
    assert reg.problems == []


def test_fixture_autostart_exact():
    records, notes = collect(WindowsAutostartSource(), fixture_machine())
    alex_run = "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run"
    setup = "HKLM\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components\\"
    rtk = "C:\\Windows\\System32\\DriverStore\\FileRepository\\realtekservice.inf_amd64_85b4a4d8\\RtkAudUService64.exe"
    chrmstp = "C:\\Program Files\\Google\\Chrome\\Application\\131.0.6778.86\\Installer\\chrmstp.exe"
    edge = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
    assert records == [
        AutostartEntry("run-key", "SecurityHealth", HKLM_RUN, "%windir%\\system32\\SecurityHealthSystray.exe",
                       "C:\\Windows\\system32\\SecurityHealthSystray.exe", None, True),
        AutostartEntry("run-key", "RtkAudUService", HKLM_RUN, f'"{rtk}" -background', rtk, None, False),
        AutostartEntry("run-key", "sysdiag", "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
                       '"C:\\Program Files (x86)\\sysconfig\\sysdiag.exe" /autorun',
                       "C:\\Program Files (x86)\\sysconfig\\sysdiag.exe", None, True),
        AutostartEntry("run-key", "OneDrive", alex_run,
                       '"C:\\Users\\alex\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background',
                       "C:\\Users\\alex\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe", "alex", True),
        AutostartEntry("run-key", "com.squirrel.Teams.Teams", alex_run,
                       'C:\\Users\\alex\\AppData\\Local\\Microsoft\\Teams\\Update.exe --processStart "Teams.exe" '
                       '--process-start-args "--system-initiated"',
                       "C:\\Users\\alex\\AppData\\Local\\Microsoft\\Teams\\Update.exe", "alex", True),
        AutostartEntry("run-key", "MicrosoftEdgeAutoLaunch_0F8A6B3C", alex_run,
                       f'"{edge}" --no-startup-window --win-session-start', edge, "alex", False),
        AutostartEntry("run-key", "Windows Update Host", alex_run,
                       "C:\\Users\\alex\\AppData\\Roaming\\WindowsUpdate\\svchost.exe -k netsvcs",
                       "C:\\Users\\alex\\AppData\\Roaming\\WindowsUpdate\\svchost.exe", "alex", True),
        AutostartEntry("run-key", "Spotify", alex_run,
                       '"C:\\Users\\sam\\AppData\\Roaming\\Spotify\\Spotify.exe" --autostart --minimized',
                       "C:\\Users\\sam\\AppData\\Roaming\\Spotify\\Spotify.exe", "sam", True),
        AutostartEntry("run-once-key", "Delete Cached Update Binary",
                       "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
                       'C:\\Windows\\system32\\cmd.exe /q /c del /q '
                       '"C:\\Users\\sam\\AppData\\Local\\Microsoft\\OneDrive\\Update\\OneDriveSetup.exe"',
                       "C:\\Windows\\system32\\cmd.exe", "sam", True),
        AutostartEntry("active-setup", "Internet Explorer", setup + "{89820200-ECBD-11cf-8B85-00AA005B4383}",
                       "%SystemRoot%\\system32\\ie4uinit.exe -UserConfig", "C:\\Windows\\system32\\ie4uinit.exe",
                       None, True),
        AutostartEntry("active-setup", "Google Chrome", setup + "{8A69D345-D564-463c-AFF1-A69D9E530F96}",
                       f'"{chrmstp}" --configure-user-settings --verbose-logging --system-level', chrmstp, None, True),
        AutostartEntry("startup-folder", "KidLogger.lnk", ALL_STARTUP,
                       '"C:\\Program Files (x86)\\KidLogger\\kidlogger_user.exe" -tray',
                       "C:\\Program Files (x86)\\KidLogger\\kidlogger_user.exe", None, True),
        AutostartEntry("startup-folder", "Send to OneNote.lnk", startup("alex"),
                       '"C:\\Program Files\\Microsoft Office\\root\\Office16\\ONENOTEM.EXE" /tsr',
                       "C:\\Program Files\\Microsoft Office\\root\\Office16\\ONENOTEM.EXE", "alex", True),
        # A shortcut holding only an environment-variable block, and one holding only a relative path.
        AutostartEntry("startup-folder", "Greenshot.lnk", startup("sam"), "%ProgramFiles%\\Greenshot\\Greenshot.exe",
                       "C:\\Program Files\\Greenshot\\Greenshot.exe", "sam", True),
        AutostartEntry("startup-folder", "Zoom.lnk", startup("sam"),
                       "C:\\Users\\sam\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe --autostart",
                       "C:\\Users\\sam\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe", "sam", True),
    ]
    assert notes == []


def test_fixture_services_exact():
    records, notes = collect(WindowsServicesSource(), fixture_machine())
    gupdate = "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"
    edge = "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe"
    defender = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe"
    zoom = "C:\\Program Files\\Common Files\\Zoom\\Support\\CptService.exe"
    teramind = "C:\\ProgramData\\Teramind Agent\\x64\\2.1\\tmagentsvc.exe"
    assert sorted(records, key=lambda r: r.name.lower()) == [
        Service("DiagTrack", "registry", None, "C:\\Windows\\System32\\svchost.exe -k utcsvc -p",
                "C:\\Windows\\System32\\svchost.exe", "automatic", None, "LocalSystem"),
        Service("Dnscache", "registry", None, "C:\\Windows\\system32\\svchost.exe -k NetworkService -p",
                "C:\\Windows\\system32\\svchost.exe", "automatic", None, "NT AUTHORITY\\NetworkService"),
        Service("edgeupdate", "registry", "Microsoft Edge Update Service (edgeupdate)", f'"{edge}" /svc', edge,
                "automatic", None, "LocalSystem"),
        Service("gupdate", "registry", "Google Update Service (gupdate)", f'"{gupdate}" /svc', gupdate,
                "automatic", None, "LocalSystem"),
        Service("Spooler", "registry", "Print Spooler", "C:\\Windows\\System32\\spoolsv.exe",
                "C:\\Windows\\System32\\spoolsv.exe", "manual", None, "LocalSystem"),
        Service("TrkWks", "registry", "Distributed Link Tracking Client",
                "C:\\Windows\\System32\\svchost.exe -k LocalSystemNetworkRestricted -p",
                "C:\\Windows\\System32\\svchost.exe", "automatic", None, "LocalSystem"),
        Service("tsvchst", "registry", None, f'"{teramind}"', teramind, "automatic", None, "LocalSystem"),
        Service("WinDefend", "registry", None, f'"{defender}"', defender, "automatic", None, "LocalSystem"),
        Service("ZoomCptService", "registry", "Zoom Sharing Service",
                f'"{zoom}" -user_path "C:\\Users\\sam\\AppData\\Roaming\\Zoom"', zoom, "disabled", None, "LocalSystem"),
    ]                                                  # no drivers (disk, Tcpip), nothing from ControlSet001
    assert notes == []


def test_fixture_tasks_exact():
    records, notes = collect(WindowsTasksSource(), fixture_machine())
    tasks = "C:\\Windows\\System32\\Tasks"
    gup = "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"
    edge = "C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe"
    mp = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe"
    guid = "GoogleUpdateTaskMachineCore{9C0F2C43-1F2A-4F4C-9E2B-6B1C7E0D2A11}"
    onedrive = "OneDrive Standalone Update Task-S-1-5-21-3623811015-3361044348-30300820-1001"
    assert records == [
        ScheduledTask("\\" + guid, f"{tasks}\\{guid}", f"{gup} /c", gup, "when someone logs in, every day", True,
                      "SYSTEM"),
        ScheduledTask("\\KidLogger", f"{tasks}\\KidLogger", '"C:\\Program Files (x86)\\KidLogger\\kidlogger.exe" -hide',
                      "C:\\Program Files (x86)\\KidLogger\\kidlogger.exe",
                      "when someone logs in, when the computer starts", True, "SYSTEM"),
        ScheduledTask("\\MicrosoftEdgeUpdateTaskMachineUA", f"{tasks}\\MicrosoftEdgeUpdateTaskMachineUA",
                      f"{edge} /ua /installsource scheduler", edge, "every day, repeatedly", True, "SYSTEM"),
        # A user's task: its SID is named from ProfileList, and %localappdata% is that user's.
        ScheduledTask("\\" + onedrive, f"{tasks}\\{onedrive}",
                      "%localappdata%\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe",
                      "C:\\Users\\alex\\AppData\\Local\\Microsoft\\OneDrive\\OneDriveStandaloneUpdater.exe",
                      "repeatedly", True, "alex"),
        ScheduledTask("\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", f"{tasks}\\Microsoft\\Windows\\Defrag\\ScheduledDefrag",
                      "%windir%\\system32\\defrag.exe -c -h -o -$", "C:\\Windows\\system32\\defrag.exe", "every week",
                      True, "SYSTEM"),
        ScheduledTask("\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan",
                      f"{tasks}\\Microsoft\\Windows\\Windows Defender\\Windows Defender Scheduled Scan",
                      f"{mp} Scan -ScheduleJob -ScanTrigger 55 -IdleScheduledJob", mp, "", False, "SYSTEM"),
        ScheduledTask("\\Microsoft\\Windows\\WindowsUpdate\\Scheduled Start",
                      f"{tasks}\\Microsoft\\Windows\\WindowsUpdate\\Scheduled Start",
                      "C:\\Windows\\system32\\sc.exe start wuauserv", "C:\\Windows\\system32\\sc.exe",
                      "repeatedly, when something happens", True, "SYSTEM"),
    ]
    assert notes == []


def test_fixture_apps_exact():
    records, notes = collect(WindowsAppsSource(), fixture_machine())
    assert records == [
        InstalledApp("Google Chrome", "uninstall-key", "131.0.6778.86", "Google LLC",
                     "C:\\Program Files\\Google\\Chrome\\Application", None, None, "20261101"),
        InstalledApp("KidLogger 5.2.1", "uninstall-key", "5.2.1", "KidLogger.net",
                     "C:\\Program Files (x86)\\KidLogger\\", None, None, "20261028"),
        InstalledApp("7-Zip 24.09 (x64 edition)", "uninstall-key", "24.09.00.0", "Igor Pavlov",
                     "C:\\Program Files\\7-Zip\\", None, None, "20261015"),
        InstalledApp("Microsoft Update Health Tools", "uninstall-key", "5.72.0.0", "Microsoft Corporation"),
        InstalledApp("Microsoft Edge", "uninstall-key", "131.0.2903.70", "Microsoft Corporation",
                     "C:\\Program Files (x86)\\Microsoft\\Edge\\Application", None, None, "20261101"),
        InstalledApp("Microsoft Edge Update", "uninstall-key", "1.3.195.35"),
        InstalledApp("Google Update Helper", "uninstall-key", "1.3.36.372", "Google LLC"),
        InstalledApp("Microsoft OneDrive", "uninstall-key", "24.201.1006.0005", "Microsoft Corporation",
                     "C:\\Users\\alex\\AppData\\Local\\Microsoft\\OneDrive\\24.201.1006.0005", None, "alex"),
        InstalledApp("Microsoft Teams classic", "uninstall-key", "1.7.00.13456", "Microsoft Corporation",
                     "C:\\Users\\alex\\AppData\\Local\\Microsoft\\Teams", None, "alex", "20261012"),
        InstalledApp("Spotify", "uninstall-key", "1.2.50.335.g0d5c3d1d", "Spotify AB",
                     "C:\\Users\\sam\\AppData\\Roaming\\Spotify", None, "sam"),
        InstalledApp("Zoom Workplace", "uninstall-key", "6.2.11 (49350)", "Zoom Video Communications, Inc.",
                     "C:\\Users\\sam\\AppData\\Roaming\\Zoom\\bin", None, "sam", "20261020"),
    ]                                                  # "Connection Manager" (a component, no name) is left out
    assert notes == []


def test_fixture_registry_probe_exact():
    locations = Locations(
        registry_keys=["HKLM\\SOFTWARE\\Spytech", "HKCU\\Software\\WideStep\\*", "HKLM\\SOFTWARE\\Nothing\\Here",
                       "HKLM\\SYSTEM\\CurrentControlSet\\Services\\ts?chst",
                       "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KidLogger_is1"],
        registry_values=[("HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", "sysdiag"),
                         ("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "Spotify"),
                         ("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "NoSuchValue")])
    records, notes = collect(RegistryProbeSource(), fixture_machine(locations=locations))
    stamp = 1_793_611_800.0
    assert records == [
        RegistryItem("HKLM\\SOFTWARE\\Spytech", "HKLM\\SOFTWARE\\Spytech", None, None, None, stamp),
        RegistryItem("HKCU\\Software\\WideStep\\EliteKeylogger", "HKCU\\Software\\WideStep\\*", "sam", None, None, stamp),
        RegistryItem("HKLM\\SYSTEM\\CurrentControlSet\\Services\\tsvchst",
                     "HKLM\\SYSTEM\\CurrentControlSet\\Services\\ts?chst", None, None, None, stamp),
        RegistryItem("HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KidLogger_is1",
                     "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KidLogger_is1", None, None, None, stamp),
        RegistryItem("HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
                     "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Run", None, "sysdiag",
                     '"C:\\Program Files (x86)\\sysconfig\\sysdiag.exe" /autorun', stamp),
        RegistryItem("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
                     "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run", "sam", "Spotify",
                     '"C:\\Users\\sam\\AppData\\Roaming\\Spotify\\Spotify.exe" --autostart --minimized', stamp),
    ]
    assert notes == []


def test_fixture_scan_finds_the_planted_families_and_the_svchost_bait():
    result = run_scan(signatures=load_set(), machine=fixture_machine())
    watching = {(f.tier, f.family) for f in result.findings
                if f.family and f.tier in ("stalkerware", "monitoring", "watchware")}
    assert watching == {("stalkerware", "spyagent"), ("stalkerware", "elite-keylogger"),
                        ("monitoring", "teramind"), ("stalkerware", "kidlogger")}
    kid = next(f for f in result.findings if f.family == "kidlogger")
    assert {e.record_kind for e in kid.evidence} >= {"autostart", "tasks", "apps", "registry"}
    heuristics = [(f.heuristic, f.evidence[0].record.name, f.evidence[0].record.user)
                  for f in result.findings if f.heuristic]
    assert heuristics == [("system-name-wrong-place", "Windows Update Host", "alex")]
    assert [n for n in result.not_checked if n.reason != "offline"] == []
    assert result.snapshot.os_version == "Windows 10 Pro 22H2 (build 19045)"


# -- damage on a copy of the committed disk -------------------------------------------------
@pytest.mark.parametrize("damage", ["truncated", "junk", "empty", "header-only"])
def test_fixture_damaged_system_hive_is_a_problem_and_services_could_not_be_checked(disk_copy, damage):
    hive = disk_copy / "Windows/System32/config/SYSTEM"
    data = hive.read_bytes()
    hive.write_bytes({"truncated": data[:4096 + 100], "junk": bytes(range(256)) * 64, "empty": b"",
                      "header-only": data[:4096]}[damage])
    machine = fixture_machine(disk_copy)
    records, notes = collect(WindowsAutostartSource(), machine)          # SOFTWARE and NTUSER still read
    assert any(r.name == "sysdiag" for r in records) and notes == []
    assert [(reason, "SYSTEM" in detail) for reason, detail in machine.registry.problems] == [("error", True)]
    result = run_scan(signatures=load_set(), machine=fixture_machine(disk_copy))
    assert {(n.source, n.reason) for n in result.not_checked if n.reason != "offline"} == {
        ("registry", "error"), ("services.windows", "error")}
    assert "tsvchst" not in {getattr(e.record, "name", "") for f in result.findings for e in f.evidence}
    assert {"spyagent", "elite-keylogger", "kidlogger"} <= {f.family for f in result.findings}


def test_fixture_without_any_hive_registry_sources_could_not_check(disk_copy):
    shutil.rmtree(disk_copy / "Windows/System32/config")
    for user in ("alex", "sam"):
        (disk_copy / "Users" / user / "NTUSER.DAT").unlink()
    machine = fixture_machine(disk_copy)
    for source in (WindowsServicesSource(), WindowsAppsSource()):
        with pytest.raises(Unreadable) as exc:
            collect(source, machine)
        assert exc.value.reason == "absent"
    records, notes = collect(WindowsAutostartSource(), machine)          # the Startup folders still count
    assert {r.name for r in records} == {"KidLogger.lnk", "Send to OneNote.lnk", "Greenshot.lnk", "Zoom.lnk"}
    assert [(n.reason, n.what) for n in notes] == [("absent", "programs that start by themselves from the registry")]
    with pytest.raises(Unreadable):
        collect(RegistryProbeSource(), Machine("windows", machine.fs, False, None))


def test_fixture_malformed_shortcuts_and_tasks_become_notes(disk_copy):
    folder = disk_copy / "Users/sam/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    good = (folder / "Zoom.lnk").read_bytes()
    (folder / "Cut.lnk").write_bytes(good[:80])
    (folder / "Junk.lnk").write_bytes(b"\x00" * 300)
    (folder / "script.vbs").write_text('CreateObject("WScript.Shell").Run "notepad"')
    tasks = disk_copy / "Windows/System32/Tasks"
    (tasks / "Entities").write_bytes(b"\xff\xfe" + '<?xml version="1.0"?><!DOCTYPE Task [<!ENTITY x "y">]><Task>&x;</Task>'.encode("utf-16-le"))
    (tasks / "Doctype").write_text('<!DOCTYPE Task SYSTEM "http://example.org/x.dtd"><Task/>')
    (tasks / "Truncated").write_bytes((tasks / "KidLogger").read_bytes()[:301])
    (tasks / "Binary").write_bytes(bytes(range(256)))
    (tasks / "Huge").write_bytes(b"<Task>" + b" " * (1024 * 1024 + 10) + b"</Task>")
    records, notes = collect(WindowsAutostartSource(), fixture_machine(disk_copy))
    by_name = {r.name: r for r in records}
    assert by_name["Cut.lnk"].command == startup("sam") + "\\Cut.lnk"        # still listed, by its own name
    assert by_name["Junk.lnk"].executable == startup("sam") + "\\Junk.lnk"
    assert by_name["script.vbs"].executable == startup("sam") + "\\script.vbs"
    assert sorted((n.reason, n.detail.rsplit("\\", 1)[-1].split(":")[0]) for n in notes) == [
        ("error", "Cut.lnk"), ("error", "Junk.lnk")]
    records, notes = collect(WindowsTasksSource(), fixture_machine(disk_copy))
    assert len(records) == 7
    assert sorted(n.detail.rsplit("\\", 1)[-1].split(":")[0] for n in notes) == [
        "Binary", "Doctype", "Entities", "Huge", "Truncated"]
    assert {n.reason for n in notes} == {"error"}


def test_fixture_links_out_of_the_disk_are_not_followed(disk_copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret_hive = (FIXTURE / "Users/sam/NTUSER.DAT").read_bytes()
    (outside / "NTUSER.DAT").write_bytes(secret_hive)
    (outside / "secret.lnk").write_bytes((FIXTURE / "ProgramData/Microsoft/Windows/Start Menu/Programs/Startup/KidLogger.lnk").read_bytes())
    (outside / "task").write_bytes((FIXTURE / "Windows/System32/Tasks/KidLogger").read_bytes())
    # alex's hive becomes an absolute link and a relative link climbing out of the disk.
    alex = disk_copy / "Users/alex/NTUSER.DAT"
    alex.unlink()
    os.symlink(str(outside / "NTUSER.DAT"), alex)
    folder = disk_copy / "Users/alex/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup"
    os.symlink("../" * 12 + "outside/secret.lnk", folder / "Escape.lnk")
    os.symlink(str(outside), disk_copy / "Windows/System32/Tasks/Elsewhere")
    os.symlink(str(outside / "task"), disk_copy / "Windows/System32/Tasks/LinkedTask")
    machine = fixture_machine(disk_copy)
    assert machine.registry.users() == ["sam"]                            # alex's linked hive is not read
    assert machine.registry.key("HKCU\\Software\\WideStep\\EliteKeylogger", user="alex") is None
    records, notes = collect(WindowsAutostartSource(), machine)
    escape = next(r for r in records if r.name == "Escape.lnk")
    assert escape.executable == startup("alex") + "\\Escape.lnk"            # the outside target was never read
    assert not any("kidlogger" in (r.command or "").lower() and r.user == "alex" for r in records)
    records, notes = collect(WindowsTasksSource(), machine)
    assert {r.name for r in records} == {r.name for r in collect(WindowsTasksSource(), fixture_machine())[0]}


def test_relative_shortcut_targets_resolve_from_their_folder():
    assert resolve_relative("..\\..\\x\\y.exe", "C:\\Users\\sam\\a\\b\\c") == "C:\\Users\\sam\\a\\x\\y.exe"
    assert resolve_relative("..\\" * 20 + "y.exe", "C:\\Users\\sam") == "C:\\y.exe"        # never above C:\
    assert resolve_relative("D:\\Tools\\t.exe", "C:\\x") == "D:\\Tools\\t.exe"
    assert resolve_relative("%ProgramFiles%\\t.exe", "C:\\x") == "%ProgramFiles%\\t.exe"


def test_shortcut_styles_from_the_build_script():
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_hives", Path(__file__).resolve().parents[1] / "tools" / "build_hives.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert parse_lnk(build.shortcut("C:\\A B\\c.exe", "-x", "linkinfo")) == ("C:\\A B\\c.exe", "-x")
    assert parse_lnk(build.shortcut("%ProgramFiles%\\c.exe", "", "envblock")) == ("%ProgramFiles%\\c.exe", "")
    assert parse_lnk(build.shortcut("..\\c.exe", "/q", "relative")) == ("..\\c.exe", "/q")


def test_task_triggers_in_plain_words():
    def task(triggers):
        return ('<Task xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task"><Triggers>' + triggers
                + "</Triggers><Actions><Exec><Command>x.exe</Command></Exec></Actions></Task>").encode()
    assert parse_task(task("<BootTrigger/><LogonTrigger/>"))["triggers"] == "when the computer starts, when someone logs in"
    assert parse_task(task("<CalendarTrigger><ScheduleByMonth/></CalendarTrigger>"))["triggers"] == "every month"
    assert parse_task(task("<TimeTrigger/>"))["triggers"] == "once, at a set time"
    assert parse_task(task("<LogonTrigger><Enabled>false</Enabled></LogonTrigger>"))["triggers"] == ""
    assert parse_task(task("<SessionStateChangeTrigger/>"))["user"] is None
    deep = ("<a>" * 5000 + "</a>" * 5000).encode()
    with pytest.raises(ValueError):
        parse_task(deep)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.integers(min_value=0, max_value=1200), st.sampled_from(["linkinfo", "relative", "envblock"]))
def test_fixture_style_shortcuts_damaged_anywhere_only_say_value_error(junk, at, style):
    import importlib.util
    spec = importlib.util.spec_from_file_location("build_hives", Path(__file__).resolve().parents[1] / "tools" / "build_hives.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    data = bytearray(build.shortcut("C:\\Program Files\\X\\x.exe", "--a", style))
    at %= len(data)
    data[at:at + len(junk)] = junk
    for sample in (bytes(data), bytes(data[:at])):
        try:
            target, args = parse_lnk(sample)
            assert isinstance(target, str) and isinstance(args, str)
        except ValueError:
            pass


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=3000))
def test_fixture_task_files_damaged_anywhere_only_say_value_error(junk, at):
    data = bytearray((FIXTURE / "Windows/System32/Tasks/KidLogger").read_bytes())
    at %= len(data)
    data[at:at + len(junk)] = junk
    for sample in (bytes(data), bytes(data[:at])):
        try:
            task = parse_task(sample)
            assert isinstance(task["commands"], list) and isinstance(task["triggers"], str)
        except ValueError:
            pass


# -- time-outs that don't spoil the rest (issue 15) ------------------------------------------
def _big_disk(root, services=300, programs=300):
    """A disk whose hives take real reading: many services and installed programs."""
    config = root / "Windows/System32/config"
    config.mkdir(parents=True)
    write_hive(config / "SYSTEM", {"Select": {VALUES: {"Current": 1}}, "ControlSet001": {"Services": {
        f"Svc{i:04d}": {VALUES: {"Type": 16, "Start": 2, "ImagePath": f"C:\\Program Files\\S{i}\\s.exe"}}
        for i in range(services)}}})
    write_hive(config / "SOFTWARE", {"Microsoft": {"Windows": {"CurrentVersion": {"Uninstall": {
        f"{{{i:08d}}}": {VALUES: {"DisplayName": f"Program {i}", "DisplayVersion": "1.0", "Publisher": "P"}}
        for i in range(programs)}}}}})
    (root / "Windows/System32/Tasks").mkdir(parents=True)
    return root


def _records(snap):
    return {kind: [r.to_json_data() if hasattr(r, "to_json_data") else repr(r) for r in items]
            for kind, items in snap.records.items()}


class _Overrun:
    """A source that never ends by itself; it reads the same hives as the real sources."""
    id, kind, what, live_only, time_limit = "overrun", "apps", "a step that overruns", False, 0.3
    platforms = frozenset({"windows"})

    def __init__(self, obedient: bool):
        self.obedient, self.release, self.reads = obedient, __import__("threading").Event(), 0

    def collect(self, machine, notes):
        from device_checkup.checks.deadline import StepStopped
        reg = machine.registry
        while not self.release.is_set():
            try:
                services = reg.key("HKLM\\SYSTEM\\CurrentControlSet\\Services")
                for name in services.subkeys():
                    services.subkey(name).values()
                hive = reg._hive("SOFTWARE")                 # and raw reads at odd places
                stream = hive._stream()
                for offset in range(0, len(hive._data), 4093):
                    stream.seek(offset)
                    stream.read(64)
                self.reads += 1
            except StepStopped:
                if self.obedient:
                    raise
                from device_checkup.checks.deadline import set_stop_flag
                set_stop_flag(None)                  # ignores the request and reads on, beside the others
        yield from ()


@pytest.mark.parametrize("obedient", [True, False])
def test_an_overrunning_source_leaves_the_others_exactly_as_without_it(tmp_path, monkeypatch, obedient):
    from device_checkup.checks import engine
    from device_checkup.checks.sources.windows import SOURCES
    monkeypatch.setattr(engine, "STOP_GRACE", 30.0 if obedient else 0.5)   # the obedient one stops in ms
    disk = _big_disk(tmp_path / "disk")
    alone = engine.collect(Machine.offline(str(disk), "windows"), SOURCES)
    overrun = _Overrun(obedient)
    together = engine.collect(Machine.offline(str(disk), "windows"), [overrun] + SOURCES)
    try:
        assert len(alone.records["services"]) == 300 and len(alone.records["apps"]) == 300
        assert _records(together) == _records(alone)
        assert [(n.source, n.reason) for n in together.not_read] == \
            [("overrun", "timeout")] + [(n.source, n.reason) for n in alone.not_read]
        if obedient:                                   # stopped at its next check: nothing left running
            assert engine.busy_steps() == 0
    finally:
        overrun.release.set()
    for _ in range(600):                               # the disobedient one ends once released
        if engine.busy_steps() == 0:
            break
        __import__("time").sleep(0.05)
    assert engine.busy_steps() == 0
    if not obedient:
        assert overrun.reads > 0                       # it read all along, beside the others


# -- Windows' own services with a watching word in their names (issue 13) ------------------
@pytest.mark.parametrize("name, display, command, own", [
    ("DiagTrack", None, "C:\\Windows\\System32\\svchost.exe -k utcsvc -p", True),
    ("DiagTrack", "Diagnostics Tracking Service", "C:\\Windows\\System32\\svchost.exe -k utcsvc", True),
    ("TrkWks", "Distributed Link Tracking Client",
     "C:\\Windows\\System32\\svchost.exe -k LocalSystemNetworkRestricted -p", True),
    ("TrkWks", "Distributed Link Tracking Client", "C:\\WINDOWS\\system32\\services.exe", True),
    # the same names, but a program elsewhere, a svchost with no group, a name Windows doesn't use
    ("DiagTrack", None, "C:\\Users\\alex\\AppData\\Roaming\\svchost.exe -k utcsvc", False),
    ("DiagTrack", None, "C:\\Windows\\System32\\svchost.exe", False),
    ("DiagTrack", None, "C:\\Windows\\System32\\Tasks\\track.exe", False),
    ("TrkWks", "Keystroke Tracking Client", "C:\\Windows\\System32\\svchost.exe -k netsvcs", False),
    ("SpyTrack", None, "C:\\Windows\\System32\\svchost.exe -k netsvcs", False),
])
def test_windows_own_services_are_judged_by_name_and_place(name, display, command, own):
    from device_checkup.checks.heuristics import windows_own_service
    assert windows_own_service(name, display, command) is own


def test_diagtrack_elsewhere_is_still_a_watching_word():
    from device_checkup.checks.engine import match
    from device_checkup.checks.records import Service
    from device_checkup.checks.snapshot import Snapshot
    from device_checkup.signatures.index import compile_set
    snap = Snapshot(platform="windows")
    for command in ("C:\\Windows\\System32\\svchost.exe -k utcsvc -p",
                    "C:\\ProgramData\\Diag\\diagtrack.exe"):
        snap.add("services", [Service("DiagTrack", "registry", None, command, command.split(" -")[0], "automatic")])
    findings, _ = match(snap, compile_set(load_set()))
    assert [(f.heuristic, f.evidence[0].record.command) for f in findings] == [
        ("watching-words", "C:\\ProgramData\\Diag\\diagtrack.exe")]


# -- real shortcuts (tests/data/real/lnk, provenance in tests/data/real/README.md) ----------
REAL = Path(__file__).resolve().parent / "data" / "real"


def _real_shortcuts():
    import csv
    with open(REAL / "lnk-targets.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.mark.parametrize("row", _real_shortcuts(), ids=lambda r: r["file"])
def test_real_shortcut_targets_match_the_reference_parser(row):
    """The reference column is LnkParse3 1.6.0's reading of each file: LinkInfo's local path
    (+ suffix), else the environment block, else the ID list's names, else the relative path."""
    data = (REAL / "lnk" / row["file"]).read_bytes()
    target, _ = parse_lnk(data)
    want = row["reference_target"]
    if row["reference_form"] == "idlist":             # LnkParse3 leaves the drive out here
        assert target.casefold().endswith(want.casefold()) and target[1:3] == ":\\"
    else:
        assert target.casefold() == want.casefold()


def test_real_shortcut_id_lists_name_the_same_file_as_their_link_info():
    """Explorer writes both for most shortcuts: the ID list read on its own (long names from
    each item's extension block) must name exactly the file LinkInfo names."""
    import struct
    from device_checkup.checks.sources.windows import _id_list_path
    compared = 0
    for row in _real_shortcuts():
        if row["reference_form"] != "linkinfo":
            continue
        data = (REAL / "lnk" / row["file"]).read_bytes()
        if not struct.unpack_from("<I", data, 20)[0] & 1:
            continue
        size = struct.unpack_from("<H", data, 76)[0]
        path = _id_list_path(data, 78, 78 + size)
        if path:
            assert path.casefold() == row["reference_target"].casefold(), row["file"]
            compared += 1
    assert compared >= 25


def test_real_shortcuts_in_a_startup_folder_show_what_they_start(tmp_path):
    disk = tmp_path / "disk"
    folder = disk / "ProgramData/Microsoft/Windows/Start Menu/Programs/Startup"
    folder.mkdir(parents=True)
    (disk / "Users").mkdir()
    for name in ("Win10_Notepad.lnk", "Win2012_Windows PowerShell.lnk", "WinXP_Windows Messenger.lnk"):
        shutil.copy(REAL / "lnk" / name, folder / name)
    records, notes = collect(WindowsAutostartSource(), Machine.offline(str(disk), "windows"))
    assert sorted((r.name, r.executable) for r in records if r.kind == "startup-folder") == [
        ("Win10_Notepad.lnk", "C:\\Windows\\system32\\notepad.exe"),
        ("Win2012_Windows PowerShell.lnk", "C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\powershell.exe"),
        ("WinXP_Windows Messenger.lnk", "C:\\Program Files\\Messenger\\msmsgs.exe")]


# -- legacy .job tasks (real files: plaso's wintask.job, artemis' At1.job) -------------------
def test_real_legacy_job_tasks_are_read_like_their_reference_parsers(tmp_path):
    from device_checkup.checks.records import ScheduledTask
    from device_checkup.checks.sources.windows import WindowsLegacyTasksSource
    tasks = tmp_path / "disk/Windows/Tasks"
    tasks.mkdir(parents=True)
    for name in ("wintask.job", "At1.job"):
        shutil.copy(REAL / "tasks" / name, tasks / name)
    (tasks / "damaged.job").write_bytes((REAL / "tasks" / "wintask.job").read_bytes()[:90])
    (tasks / "desktop.ini").write_bytes(b"[.ShellClassInfo]\r\n")
    records, notes = collect(WindowsLegacyTasksSource(), Machine.offline(str(tmp_path / "disk"), "windows"))
    google = "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"
    # plaso's tests/parsers/winjob.py: application, parameters, a daily trigger (type 1);
    # artemis' tasks/sections/variable.rs: cmd.exe, no parameters, one trigger "Once".
    assert records == [
        ScheduledTask(name="\\At1.job", source="C:\\Windows\\Tasks\\At1.job", command="cmd.exe",
                      executable="cmd.exe", triggers="once, at a set time", enabled=True, user=None),
        ScheduledTask(name="\\wintask.job", source="C:\\Windows\\Tasks\\wintask.job",
                      command=f"{google} /ua /installsource scheduler", executable=google,
                      triggers="every day, repeatedly", enabled=True, user=None),
    ]
    assert [(n.reason, n.detail) for n in notes] == [
        ("error", "C:\\Windows\\Tasks\\damaged.job: .job task string runs past the end")]


def test_no_legacy_task_folder_is_no_note(tmp_path):
    from device_checkup.checks.sources.windows import WindowsLegacyTasksSource
    (tmp_path / "disk/Windows").mkdir(parents=True)
    assert collect(WindowsLegacyTasksSource(), Machine.offline(str(tmp_path / "disk"), "windows")) == ([], [])


# -- Defender's own verdicts (real detection history, DFIRArtifactMuseum APTSimulatorVM) -----
def test_real_defender_history_surfaces_only_the_backdoor_in_the_remote_access_tier(tmp_path):
    from device_checkup.checks.sources.settings import DEFENDER_HISTORY, WindowsSettings
    disk = tmp_path / "disk"
    target = disk / DEFENDER_HISTORY[3:].replace("\\", "/")
    shutil.copytree(REAL / "defender" / "DetectionHistory", target)
    records, notes = collect(WindowsSettings(), Machine.offline(str(disk), "windows"))
    # 14 real detections: Trojan, HackTool, Behavior, SettingsModifier… and one Backdoor.
    assert [(r.kind, r.name) for r in records if r.kind.startswith("antivirus")] == [
        ("antivirus-remote-control", "Backdoor:PowerShell/Powercat.A")]
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"),
                      sources=[WindowsSettings()])
    (f,) = [f for f in result.findings if f.heuristic and f.heuristic.startswith("antivirus")]
    assert (f.tier, f.heuristic) == ("remote-access", "antivirus-remote-control")
    assert f.title == ("This laptop's own anti-virus found a program that lets someone control it from "
                       "elsewhere: Backdoor:PowerShell/Powercat.A")


def test_defender_monitoring_tools_stay_in_the_monitoring_tier(tmp_path):
    from device_checkup.checks.sources.settings import DEFENDER_HISTORY, WindowsSettings
    folder = tmp_path / "disk" / DEFENDER_HISTORY[3:].replace("\\", "/") / "01"
    folder.mkdir(parents=True)
    (folder / "A").write_bytes(b"\x00junk" + "MonitoringTool:Win32/Ardamax".encode("utf-16-le") + b"\x00\x00"
                               + "RemoteAccess:Win32/AnyDesk".encode("utf-16-le") + b"\x00\x00"
                               + "TrojanSpy:Win32/Keylogger".encode("utf-16-le") + b"\x00\x00")
    records, _ = collect(WindowsSettings(), Machine.offline(str(tmp_path / "disk"), "windows"))
    assert [(r.kind, r.name) for r in records if r.kind.startswith("antivirus")] == [
        ("antivirus-detection", "MonitoringTool:Win32/Ardamax"),
        ("antivirus-remote-control", "RemoteAccess:Win32/AnyDesk")]


# -- a real damaged hive (regipy's corrupted_system_hive) -----------------------------------
def test_real_damaged_system_hive_is_read_where_it_can_be_with_one_note_and_nothing_on_stderr(tmp_path, capfd):
    import lzma
    config = tmp_path / "disk/Windows/System32/config"
    config.mkdir(parents=True)
    (config / "SYSTEM").write_bytes(lzma.decompress((REAL / "hives" / "corrupted_system_hive.xz").read_bytes()))
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(tmp_path / "disk"), "windows"))
    notes = [(n.source, n.reason, n.detail) for n in result.not_checked if "SYSTEM" in n.detail]
    assert notes == [("registry", "error", "C:\\Windows\\System32\\config\\SYSTEM is damaged in places: some keys "
                      "or values could not be read; everything else in it was read")]
    services = result.snapshot.of("services")
    assert len(services) == 59 and {"BITS", "Dnscache", "Spooler"} <= {s.name for s in services}
    assert [f.title for f in result.findings] == []
    out, err = capfd.readouterr()
    assert err == ""                                   # regipy's own messages stay out of the terminal


def test_real_windows_hives_give_no_finding_on_their_ordinary_software(tmp_path):
    """A real SYSTEM hive (159 Windows services, Distributed Link Tracking among them) and a
    real NTUSER.DAT, both regipy test data: their software is Windows' and ordinary software;
    the only finding is a setting the hive really has (Remote Desktop is on)."""
    disk = real_hive_disk(tmp_path)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "windows"))
    services = result.snapshot.of("services")
    assert len(services) == 159 and "TrkWks" in {s.name for s in services}
    assert [(f.tier, f.title) for f in result.findings] == [
        ("settings", "Another computer can log in to this one: Remote Desktop is on")]
    assert [(n.source, n.reason) for n in result.not_checked if n.reason != "offline"] == [("registry", "absent")]


# -- real task files (DFIRArtifactMuseum, APT-simulator Windows 10 VM) in a folder with loops --
def test_real_tasks_are_each_read_once_even_with_folder_links_in_circles(tmp_path):
    tasks = tmp_path / "disk/Windows/System32/Tasks"
    shutil.copytree(REAL / "tasks" / "xml", tasks)
    (tmp_path / "disk/Users").mkdir()
    os.symlink(".", tasks / "self")                                   # a folder linked into itself
    os.symlink("../..", tasks / "Microsoft/Windows/up")               # and to an ancestor
    os.symlink("../Shell", tasks / "Microsoft/Windows/Defrag/sideways")
    records, notes = collect(WindowsTasksSource(), Machine.offline(str(tmp_path / "disk"), "windows"))
    names = sorted(r.name for r in records)
    assert names == sorted({
        "\\GameOver", "\\GoogleUpdateTaskMachineCore{CF8953F0-7413-4BC6-94A3-B0282ACC3AE4}",
        "\\GoogleUpdateTaskMachineUA{5C1DE8D8-1A9C-4F32-8062-6E1F475FB2AE}", "\\Microsoft\\XblGameSave\\XblGameSaveTask",
        "\\MicrosoftEdgeUpdateTaskMachineCore", "\\MicrosoftEdgeUpdateTaskMachineUA",
        "\\OneDrive Reporting Task-S-1-5-21-2212929841-2730996645-2649195864-1000",
        "\\OneDrive Standalone Update Task-S-1-5-21-2212929841-2730996645-2649195864-1000",
        "\\Microsoft\\Windows\\Defrag\\ScheduledDefrag", "\\Microsoft\\Windows\\Shell\\CreateObjectTask",
        "\\Microsoft\\Windows\\Shell\\FamilySafetyMonitor", "\\Microsoft\\Windows\\Shell\\FamilySafetyRefreshTask",
        "\\Microsoft\\Windows\\Shell\\IndexerAutomaticMaintenance", "\\Microsoft\\Windows\\Shell\\UpdateUserPictureTask"})
    game_over = next(r for r in records if r.name == "\\GameOver")
    assert (game_over.command, game_over.user) == ("C:\\TMP\\mim.exe sekurlsa::LogonPasswords > C:\\TMP\\o.txt",
                                                   "DESKTOP-TMKU40H\\TestUser")
    assert [n for n in notes if n.reason != "error" or "folders deep" not in n.detail] == []
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(tmp_path / "disk"), "windows"),
                      sources=[WindowsTasksSource()])
    flagged = {e.record.name for f in result.findings for e in f.evidence}
    assert flagged <= {"\\GameOver"}                  # the ordinary tasks give no finding
