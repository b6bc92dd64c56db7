"""The compiled index: what matches, what must not, and that cost does not grow with the set."""
from __future__ import annotations

import pytest

from device_checkup.signatures.index import CompiledSet, NameIndex, PathIndex, compile_set
from tests.helpers import family_yaml, sigset_from_text

SET = "schema: 1\nfamilies:\n" + family_yaml("spy", "stalkerware", r"""
process_names: [sysdiag.exe, "winvnc*.exe", "*keyhook.exe", {regex: '^mpk[0-9]+\.dll$'}]
executable_paths: ['C:\Program Files (x86)\sysconfig\*', '%AppData%\AnyDesk\ad.exe', '~/Library/x/y']
file_paths: ['/Library/skm/Spyrix.app', '~/.config/spyd']
domains: [spy.example, "*.cdn-spy.example"]
ips: [10.9.0.0/16, 1.2.3.4, "2001:db8::/32"]
registry_keys: ['HKLM\SOFTWARE\Refog Software', 'HKCU\Software\WideStep\*']
registry_values: [{key: 'HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run', name: runrefog}]
sha256: [AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA]
""")


@pytest.fixture(scope="module")
def index() -> CompiledSet:
    return compile_set(sigset_from_text(SET))


def values(hits):
    return sorted(h.indicator.value for h in hits)


@pytest.mark.parametrize("name, expected", [
    ("sysdiag.exe", ["sysdiag.exe"]), ("SysDiag.EXE", ["sysdiag.exe"]), ("winvnc4.exe", ["winvnc*.exe"]),
    ("a-keyhook.exe", ["*keyhook.exe"]), ("mpk64.dll", [r"^mpk[0-9]+\.dll$"]),
    ("notepad.exe", []), ("sysdiag.exe.bak", []), ("winvnc", []), ("mpkx.dll", []),
])
def test_names(index, name, expected):
    assert values(index.name("process_names", name)) == expected


@pytest.mark.parametrize("path, platform, expected", [
    (r"C:\Program Files (x86)\sysconfig\sysdiag.exe", "windows", [r"C:\Program Files (x86)\sysconfig\*"]),
    (r"c:\program files (x86)\SYSCONFIG\x\y.exe", "windows", [r"C:\Program Files (x86)\sysconfig\*"]),
    (r"C:\Users\bob\AppData\Roaming\AnyDesk\ad.exe", "windows", [r"%AppData%\AnyDesk\ad.exe"]),
    (r"C:\Users\bob\AppData\Roaming\AnyDesk\other.exe", "windows", []),
    (r"C:\Program Files\sysconfig\sysdiag.exe", "windows", []),
    ("/Users/al/Library/x/y", "macos", ["~/Library/x/y"]),
    ("/Users/al/Library/x/y", "linux", []),           # a macOS path indicator never fires on Linux
])
def test_executable_paths(index, path, platform, expected):
    assert values(index.path("executable_paths", path, platform)) == expected


def test_home_paths_expand_per_platform(index):
    assert values(index.path("file_paths", "/home/alex/.config/spyd", "linux")) == ["~/.config/spyd"]
    assert values(index.path("file_paths", "/root/.config/spyd", "linux")) == ["~/.config/spyd"]
    assert values(index.path("file_paths", "/Users/alex/.config/spyd", "macos")) == ["~/.config/spyd"]
    assert "/Library/skm/Spyrix.app" in index.probe_places("macos")[0]
    assert "/home/*/.config/spyd" in index.probe_places("linux")[0]


@pytest.mark.parametrize("host, expected", [
    ("spy.example", ["spy.example"]), ("a.b.spy.example", ["spy.example"]), ("SPY.EXAMPLE.", ["spy.example"]),
    ("notevil-spy.example", []),                      # TinyCheck's bug: no dot boundary
    ("spy.example.org", []), ("x.cdn-spy.example", ["*.cdn-spy.example"]), ("cdn-spy.example", ["*.cdn-spy.example"]),
])
def test_domains_match_exactly_or_on_a_dot_boundary(index, host, expected):
    assert values(index.domain(host)) == expected


@pytest.mark.parametrize("ip, expected", [
    ("10.9.3.4", ["10.9.0.0/16"]), ("10.10.0.1", []), ("1.2.3.4", ["1.2.3.4"]), ("1.2.3.5", []),
    ("2001:db8::1", ["2001:db8::/32"]), ("::ffff:1.2.3.4", ["1.2.3.4"]), ("fe80::1%eth0", []), ("junk", []),
])
def test_ips_understand_cidr_ranges(index, ip, expected):
    assert values(index.ip(ip)) == expected


def test_registry_keys_values_and_hashes(index):
    assert values(index.registry_key(r"HKLM\SOFTWARE\Refog Software")) == [r"HKLM\SOFTWARE\Refog Software"]
    assert values(index.registry_key(r"HKEY_LOCAL_MACHINE\software\refog software\Sub")) == [r"HKLM\SOFTWARE\Refog Software"]
    assert values(index.registry_key(r"HKCU\Software\WideStep\EliteKeylogger")) == [r"HKCU\Software\WideStep\*"]
    assert values(index.registry_key(r"HKCU\Software\WideStepX")) == []
    assert values(index.registry_value(r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run", "RunRefog")) == ["runrefog"]
    assert values(index.registry_value(r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run", "OneDrive")) == []
    assert values(index.hash("a" * 64)) == ["a" * 64]


def test_same_as_reports_the_other_familys_hits_under_the_declaring_family():
    text = ("schema: 1\nfamilies:\n"
            + family_yaml("echap.x", "stalkerware", "domains: [x.example]")
            + family_yaml("x", "stalkerware", "process_names: [x.exe]").replace("    sources:", "    same_as: [echap.x]\n    sources:"))
    index = compile_set(sigset_from_text(text))
    (hit,) = index.domain("x.example")
    assert (hit.family.id, hit.reported_as.id) == ("echap.x", "x")


def _candidates_tried(index: NameIndex | PathIndex, value: str) -> int:
    """How many compiled patterns matching ``value`` has to try (its real cost)."""
    if isinstance(index, NameIndex):
        v = value.casefold()
        return (sum(len(index.by_prefix.get(v[:n], ())) for n in index.prefix_lengths)
                + sum(len(index.by_suffix.get(v[len(v) - n:], ())) for n in index.suffix_lengths)
                + len(index.rest))
    comps = set(value.replace("\\", "/").casefold().split("/"))
    return sum(len(index.by_component.get(c, ())) for c in comps) + len(index.rest)


@pytest.mark.parametrize("size", [10, 1000, 20000])
def test_matching_work_does_not_grow_with_the_number_of_indicators(size):
    names, paths = NameIndex(), PathIndex()
    for i in range(size):
        names.add(f"tool{i}.exe", i)
        names.add(f"agent{i}*.exe", i)
        paths.add(f"c:/program files/vendor{i}/*", i)
    assert names.match("agent7x.exe") and paths.match("c:/program files/vendor7/x.exe")
    # The few patterns tried for a record stay the same whether the set holds 10 or 20,000.
    assert _candidates_tried(names, "agent7x.exe") <= 2
    assert _candidates_tried(names, "chrome.exe") == 0
    assert _candidates_tried(paths, "c:/program files/vendor7/x.exe") == 1
