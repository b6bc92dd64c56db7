"""Hostile and broken input ends in a clear problem, never a crash or a hang.

Property-based tests (hypothesis) for the parsers this project owns. Each parser's contract:
signature files → problems with file:line; snapshots → ValueError with a plain message.
"""
from __future__ import annotations

import json
import textwrap

from hypothesis import HealthCheck, given, settings, strategies as st

from device_checkup.checks.snapshot import Snapshot
from device_checkup.signatures.loader import load_file

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# YAML-ish text built from the pieces a signature file is made of, so mutations reach deep.
PIECES = ["schema: 1\n", "families:\n", "  - id: x\n", "    name: X\n", "    tier: stalkerware\n",
          "    description: d\n", "    sources: [u]\n", "    indicators:\n", "      process_names: [a.exe]\n",
          "      ips: [1.2.3.4/40]\n", "      domains: ['*.']\n", "      file_paths: ['C:\\\\**']\n",
          "      registry_values: [{key: HKLM\\\\X}]\n", "&a [1]\n", "*a\n", "!!python/object:os.system\n",
          "{", "}", "[", "]", "- ", ":", "'", '"', "\t", "\n", "\x00", "ü", "%TAG ! x\n", "--- \n", "...\n"]


@FAST
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_signature_text_gives_problems_not_exceptions(parts):
    sf, problems = load_file("fuzz.yaml", text="".join(parts))
    for p in problems:
        assert p.file == "fuzz.yaml" and isinstance(p.line, int) and p.message


@FAST
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes_the_loader(text):
    load_file("fuzz.yaml", text=text)


def test_a_billion_laughs_is_refused_at_once():
    lol = "schema: 1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for i in range(1, 10):
        lol += f"a{i}: &a{i} [{', '.join(['*a' + (str(i - 1) if i > 1 else '')] * 9)}]\n"
    lol += "families: *a9\n"
    _, problems = load_file("lol.yaml", text=lol)
    assert len(problems) == 1 and "not allowed" in problems[0].message


def test_deep_nesting_is_a_problem_not_a_crash():
    _, problems = load_file("deep.yaml", text="schema: 1\nfamilies: " + "[" * 5000 + "]" * 5000 + "\n")
    assert problems


def test_a_huge_file_is_refused_before_reading(tmp_path):
    from device_checkup.signatures import loader
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:
        fh.truncate(loader.MAX_FILE_BYTES + 1)
    _, problems = load_file(str(big))
    assert [p.message.split(" (")[0] for p in problems] == ["the file is too large"]


def test_many_families_load_in_bounded_time():
    family = textwrap.dedent("""\
      - id: f{i}
        name: F{i}
        tier: monitoring
        description: d
        sources: [https://example.org]
        indicators: {{process_names: [f{i}.exe], domains: [f{i}.example]}}
    """)
    text = "schema: 1\nfamilies:\n" + "".join(textwrap.indent(family.format(i=i), "  ") for i in range(5000))
    sf, problems = load_file("many.yaml", text=text)
    assert problems == [] and len(sf.families) == 5000


JSONISH = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                       lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
                       max_leaves=30)


@FAST
@given(JSONISH)
def test_any_json_is_a_snapshot_or_a_plain_value_error(data):
    try:
        Snapshot.from_json_data(data)
    except ValueError as exc:
        assert str(exc)


@FAST
@given(st.dictionaries(st.sampled_from(["pid", "name", "exe", "cmdline", "user", "ppid", "started", "bogus"]),
                       JSONISH, max_size=6))
def test_mangled_records_in_a_snapshot_give_value_errors(record):
    data = {"format": 1, "platform": "linux", "records": {"processes": [record]}}
    try:
        snap = Snapshot.from_json_data(data)
    except ValueError as exc:
        assert str(exc)
    else:
        assert len(snap.of("processes")) == 1
        json.dumps(snap.to_json_data(), default=str)


# -- tampering, honestly (issue 14 item 8) --------------------------------------------------------
def test_an_edited_words_file_is_noticed_like_an_edited_signature_file(tmp_path, monkeypatch):
    """Editing checks/texts/en.yaml could make the headline say nothing was found above a real
    finding; the words file is in the manifest, so the change is the first finding."""
    import shutil
    from device_checkup.signatures import manifest
    shipped = manifest.texts_files()       # en.yaml and each language's compiled catalogue
    assert "../../checks/texts/en.yaml" in shipped and "../../checks/locale/pl/LC_MESSAGES/checkup.mo" in shipped
    shutil.copy(shipped["../../checks/texts/en.yaml"], tmp_path / "en.yaml")
    words = {**shipped, "../../checks/texts/en.yaml": str(tmp_path / "en.yaml")}
    monkeypatch.setattr(manifest, "texts_files", lambda: dict(words))
    assert manifest.changes() == []
    text = (tmp_path / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(text.replace("We found software that can be used to watch this computer.",
                                                   "We didn't find any known monitoring software."), encoding="utf-8")
    assert manifest.changes() == ["../../checks/texts/en.yaml has been changed"]
    from device_checkup.signatures.loader import load_set
    assert load_set().changed == ["../../checks/texts/en.yaml has been changed"]


def test_a_rewritten_manifest_still_shows_in_the_fingerprint_people_can_compare(tmp_path, capsys):
    """Removing a family and rewriting MANIFEST.sha256 goes past the manifest check; the set's
    SHA-256, printed by the command line (and shown in About and the report), changes, so an
    advocate comparing it with the published value from a safe device sees it."""
    from device_checkup.app.cli import main
    from device_checkup.signatures import loader
    shipped = loader.load_set()
    path = next(p for p in loader.builtin_paths() if p.endswith("curated.yaml"))
    text = open(path, encoding="utf-8").read()
    first = text.index("\n  - id: ")
    second = text.index("\n  - id: ", first + 1)
    edited = tmp_path / "curated.yaml"
    edited.write_text(text[:first] + text[second:], encoding="utf-8")        # one family gone
    others = [p for p in loader.builtin_paths() if not p.endswith("curated.yaml")]
    tampered = loader.load_set(builtin_files=others + [str(edited)])
    assert len(tampered.families) == len(shipped.families) - 1
    assert tampered.sha256 != shipped.sha256
    tests_tree = tmp_path / "disk"
    (tests_tree / "etc").mkdir(parents=True)
    assert main(["scan", "--root", str(tests_tree), "--platform", "linux"]) == 0
    out = capsys.readouterr().out
    assert f"Fingerprint (SHA-256): {shipped.sha256}" in out
    assert "== The signature set used ==" in out


def test_what_it_cannot_see_says_an_administrator_can_change_the_app(capsys):
    from device_checkup.app.cli import main
    from device_checkup.checks import texts
    line = next(x for x in texts.cannot_see() if "administrator rights" in x)
    assert "change Device Checkup itself" in line
    assert main(["signatures", "info"]) == 0                 # (the words file loads and is in use)
    capsys.readouterr()
