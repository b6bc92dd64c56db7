"""Signature files: validation with file:line, and loading that survives broken files."""
from __future__ import annotations

import textwrap

import pytest

from device_checkup.signatures.loader import INDICATOR_KINDS, load_file, load_set

GOOD = """\
schema: 1
name: Test set
families:
  - id: acme-spy
    name: Acme Spy
    aliases: [AcmeSpy Pro]
    tier: stalkerware
    platforms: [windows]
    description: A test family.
    sources:
      - url: https://example.org/acme
        covers: process name
    indicators:
      process_names: [acmespy.exe]
      domains: [acme-spy.example]
"""


def problems_of(text: str):
    _, problems = load_file("t.yaml", text=textwrap.dedent(text))
    return [str(p) for p in problems]


def test_a_good_file_loads_with_every_field():
    sf, problems = load_file("t.yaml", text=GOOD)
    assert problems == []
    (fam,) = sf.families
    assert (fam.id, fam.name, fam.tier, fam.platforms, fam.aliases) == (
        "acme-spy", "Acme Spy", "stalkerware", ("windows",), ("AcmeSpy Pro",))
    assert fam.sources == (("https://example.org/acme", "process name"),)
    assert [(i.kind, i.value) for i in fam.indicators] == [("process_names", "acmespy.exe"),
                                                           ("domains", "acme-spy.example")]
    assert sf.name == "Test set" and len(sf.sha256) == 64


@pytest.mark.parametrize("change, expected", [
    (("process_names:", "proces_names:"), "t.yaml:14: family 'acme-spy': unknown indicator kind 'proces_names' (did you mean 'process_names'?)"),
    (("tier: stalkerware", "tier: spyware"), "t.yaml:7: family 'acme-spy': unknown tier 'spyware'"),
    (("    aliases:", "    alias:"), "t.yaml:6: family 'acme-spy': unknown key 'alias' (did you mean 'aliases'?)"),
    (("[acmespy.exe]", "['acme[spy.exe']"), "t.yaml:14: family 'acme-spy': process_names 'acme[spy.exe': '[' without its closing ']'"),
    (("domains: [acme-spy.example]", "ips: [10.0.0.300]"), "t.yaml:15: family 'acme-spy': '10.0.0.300' is not an IP address or CIDR range"),
    (("domains: [acme-spy.example]", "domains: [not a domain]"), "t.yaml:15: family 'acme-spy': 'not a domain' is not a domain name"),
    (("domains: [acme-spy.example]", "sha256: [abc]"), "t.yaml:15: family 'acme-spy': 'abc' is not a SHA-256"),
    (("[acmespy.exe]", "[{regex: 'acme(spy'}]"), "t.yaml:14: family 'acme-spy': bad regex 'acme(spy'"),
    (("domains: [acme-spy.example]", "file_paths: ['C:\\\\x\\\\**']"), "'**' is not allowed"),
    (("domains: [acme-spy.example]", "file_paths: ['relative\\\\x']"), "must be a full path"),
    (("    platforms: [windows]", "    platforms: windows"), "t.yaml:8: family 'acme-spy': platforms must be a list"),
    (("    description: A test family.\n", ""), "family 'acme-spy': 'description' is missing"),
    (("schema: 1", "schema: 2"), "t.yaml:1: schema must be 1"),
])
def test_each_mistake_is_reported_with_its_line(change, expected):
    old, new = change
    assert old in GOOD
    problems = problems_of(GOOD.replace(old, new, 1))
    assert any(p.startswith(expected) or expected in p for p in problems), problems


def test_duplicate_ids_in_one_file_are_rejected():
    text = GOOD + GOOD.split("families:\n", 1)[1]
    problems = problems_of(text)
    assert problems == ["t.yaml:16: family id 'acme-spy' is used twice (first on line 4)"]


def test_aliases_and_anchors_are_refused_so_alias_bombs_cannot_explode():
    bomb = "schema: 1\na: &a [x, x]\nb: &b [*a, *a]\nfamilies: [*b]\n"
    problems = problems_of(bomb)
    assert len(problems) == 1 and "not allowed" in problems[0] and problems[0].startswith("t.yaml:2:")


@pytest.mark.parametrize("text", ["", "[1, 2", "just text", "schema: 1\nfamilies: {}\n", "- 1\n- 2\n",
                                  "\x00\x01binary"])
def test_broken_files_give_problems_not_exceptions(text):
    assert problems_of(text)


def test_a_broken_user_file_does_not_stop_the_built_in_set(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: 1\nfamilies:\n  - id: Bad Id\n")
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    builtin = tmp_path / "builtin.yaml"
    builtin.write_text(GOOD.replace("acme-spy", "builtin-spy"))
    sigset = load_set([str(bad), str(good)], builtin_files=[str(builtin)])
    assert {f.id for f in sigset.families} == {"builtin-spy", "acme-spy"}
    assert any(p.file == str(bad) for p in sigset.problems)
    assert [f.user_file for f in sigset.families] == [False, True]


def test_an_id_already_in_the_built_in_set_is_refused_in_a_user_file(tmp_path):
    builtin = tmp_path / "builtin.yaml"
    builtin.write_text(GOOD)
    user = tmp_path / "user.yaml"
    user.write_text(GOOD)
    sigset = load_set([str(user)], builtin_files=[str(builtin)])
    assert len(sigset.families) == 1 and not sigset.families[0].user_file
    assert any("already used in built-in builtin.yaml" in p.message for p in sigset.problems)


def test_same_as_must_name_a_loaded_family(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(GOOD.replace("    sources:", "    same_as: [nobody.here]\n    sources:"))
    sigset = load_set([str(path)], builtin=False)
    assert [p.message for p in sigset.problems] == ["family 'acme-spy': same_as 'nobody.here' names no loaded family"]


def test_every_indicator_kind_is_accepted_in_its_documented_form():
    forms = {
        "process_names": "[x.exe]", "executable_paths": "['C:\\\\x\\\\x.exe']", "file_paths": "['/Library/x']",
        "bundle_ids": "[com.x.y]", "launchd_labels": "[com.x.agent]", "autostart_names": "[x]",
        "registry_keys": "['HKLM\\\\SOFTWARE\\\\X']", "registry_values": "[{key: 'HKCU\\\\Software\\\\X', name: v}]",
        "service_names": "[x]", "task_names": "[x]", "program_names": "['X *']", "extension_ids": "[abcdefghijklmnopabcdefghijklmnop]",
        "domains": "[x.example]", "ips": "['192.0.2.0/24']", "sha256": "[" + "a" * 64 + "]",
            "mobile_app_ids": "[com.example.spy]", "android_cert_sha1": "[" + "A" * 40 + "]",
    }
    assert set(forms) <= set(INDICATOR_KINDS)   # a new kind is tried by its form in tests/test_kinds.py
    lines = "\n".join(f"      {k}: {v}" for k, v in forms.items())
    text = GOOD.split("    indicators:\n")[0] + "    indicators:\n" + lines + "\n"
    sf, problems = load_file("t.yaml", text=text)
    assert problems == []
    assert {i.kind for i in sf.families[0].indicators} == set(forms)


def test_the_shipped_set_loads_without_problems():
    sigset = load_set()
    assert sigset.problems == []
    assert sigset.families, "the built-in set is empty"


def test_name_indicators_carry_a_platform(tmp_path):
    """A Windows program name matches on Windows only; {name, platforms} says where a name can be."""
    from device_checkup.signatures.index import compile_set
    from device_checkup.signatures.loader import load_set
    p = tmp_path / "x.yaml"
    p.write_text("""schema: 1
families:
  - id: vnc
    name: VNC
    tier: remote-access
    description: d
    sources: [https://example.org]
    indicators:
      process_names: [vncviewer.exe, {name: x11vnc, platforms: [linux]}, plain]
""")
    sigset = load_set([str(p)], builtin=False)
    assert not sigset.problems
    index = compile_set(sigset)
    assert index.name("process_names", "vncviewer.exe", "windows")
    assert not index.name("process_names", "vncviewer.exe", "linux")
    assert not index.name("process_names", "vncviewer.exe", "macos")
    assert index.name("process_names", "x11vnc", "linux")
    assert not index.name("process_names", "x11vnc", "windows")
    assert all(index.name("process_names", "plain", plat) for plat in ("windows", "macos", "linux"))


def test_bad_indicator_platforms_are_problems(tmp_path):
    from device_checkup.signatures.loader import load_set
    p = tmp_path / "x.yaml"
    p.write_text("""schema: 1
families:
  - id: vnc
    name: VNC
    tier: remote-access
    description: d
    sources: [https://example.org]
    indicators:
      process_names: [{name: x11vnc, platforms: [android]}, {name: a, regex: b}]
""")
    sigset = load_set([str(p)], builtin=False)
    assert len(sigset.problems) == 2


def test_a_glob_with_an_empty_or_backwards_set_is_a_problem_not_a_crash(tmp_path):
    """'[]', '[!]' and '[z-a]' once passed validation and then stopped the scan in the index
    (re.error from compile_set). Each is now a problem, named; its family is left out as any
    family with a bad indicator is, and the rest of the file is used."""
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.records import Process
    from device_checkup.checks.sources.base import Machine
    from device_checkup.checks.sources.fs import FileSystem
    from device_checkup.signatures.loader import SignatureSet, load_file
    from tests.helpers import ListSource, family_yaml
    text = ("schema: 1\nfamilies:\n"
            + family_yaml("odd", "monitoring", "process_names: ['[]', 'a[!]b', 'x[z-a]']")
            + family_yaml("fine", "monitoring", "process_names: ['spy[0-9].exe']"))
    sf, problems = load_file("odd.yaml", text=text, user_file=True)
    said = [str(p) for p in problems]
    assert len(said) == 3 and all("holds no characters, or a range written backwards" in p for p in said), said
    assert [f.id for f in sf.families] == ["fine"]
    machine = Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=True)
    result = run_scan(signatures=SignatureSet(files=[sf]), machine=machine,
                      sources=[ListSource("processes", [Process(pid=1, name="spy7.exe", exe=r"C:\\x\\spy7.exe")])])
    assert [f.family for f in result.findings] == ["fine"]
