"""Every word the command line says comes from the catalogue, in the language of --lang: its
help and argparse's own words, the maintainer commands, a scan of a real disk tree.

The real command runs (``python -m device_checkup.app.cli``) in the pseudo-locales: ``xx``
wraps each catalogue message in ⟦…⟧, ``yy`` does the same right-to-left. A word outside the
brackets (``tests/test_i18n.py: _leftovers``) is English that never went through the catalogue,
unless it is data: an option, a command, a choice, a path, a name a signature file supplied."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from device_checkup.app import cli
from device_checkup.checks import i18n
from tests.helpers import ROOT, family_yaml
from device_checkup.checks.snapshot import Words
from tests.test_i18n import _leftovers, _result_data

MACOS_DISK = ROOT / "tests" / "fixtures" / "macos"


@pytest.fixture
def language():
    before = i18n.language()
    yield i18n.set_language
    i18n.set_language(before)


def _english(text: str, data: set[str]) -> list[str]:
    """Words left in English anywhere, inside the brackets too: ``_leftovers`` finds English
    outside every ⟦…⟧; a value put into a translated message (a kind's key where its place name
    should be) sits inside one. The pseudo-locale changes every a, c, e, i, n, o, r, s, u, y and w
    of a message, so a whole ASCII word with one of them was never translated, unless it is data."""
    for value in sorted(data | {d.lower() for d in data}, key=len, reverse=True):
        text = text.replace(value, " ")
    # addresses, fingerprints and paths (a heuristic shows a program's folder, lower-cased)
    text = re.sub(r"https?://\S+|\S+@\S+|\b[0-9a-f]{16,}\b|\S*[/\\]\S*", " ", text)
    words = re.findall(r"(?<![^\W\d_])[A-Za-z]{2,}(?![^\W\d_])", text)
    return [w for w in words if re.search("[aceinorsuywAEIOUSCNW]", w)]


def checkup(*argv: str) -> subprocess.CompletedProcess:
    """The real command, in a new process (as a person runs it)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "device_checkup.app.cli", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(command words, parser) for the top level and every command below it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _parsers(sub, path + (name,))


def _parser_data() -> set[str]:
    """What the help shows that is typed, not said: option strings, command names, choices."""
    data = {"checkup", *i18n.LANGUAGES.values()}
    for path, parser in _parsers(cli.build_parser()):
        data |= set(path)
        for action in parser._actions:
            data |= set(action.option_strings)
            if action.choices and not isinstance(action, argparse._SubParsersAction):
                data |= {str(c) for c in action.choices}
                data.add("{" + ",".join(str(c) for c in action.choices) + "}")
    return data


COMMANDS = [path for path, _ in _parsers(cli.build_parser())]


def test_every_command_is_reached_by_these_tests():
    assert ("scan",) in COMMANDS and ("signatures", "validate") in COMMANDS and ("phone", "ios-backup") in COMMANDS
    assert len(COMMANDS) == 9


@pytest.mark.parametrize("code", ["xx", "yy"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "checkup")
def test_pseudo_locale_help_of_every_command_is_all_catalogue_words(command, code):
    run = checkup("--lang", code, *command, "--help")
    assert run.returncode == 0, run.stderr
    text = run.stdout
    # argparse's own headings and the -h line went through the catalogue too
    assert "usage:" not in text and "options:" not in text and "show this help" not in text
    assert text.startswith("⟦" + ("\u05d0 " if code == "yy" else ""))      # the "usage: " word
    left = _leftovers(" ".join(text.split()), _parser_data())
    assert not left, (sorted(set(left)), text)
    inside = _english(text, _parser_data() | set(i18n.LANGUAGES))
    assert not inside, (sorted(set(inside)), text)


@pytest.mark.parametrize("code", ["xx", "yy"])
def test_pseudo_locale_argparse_errors_are_catalogue_words(code):
    for argv, words in ((["scan", "--bogus"], "--bogus"), (["signatures", "validate"], None),
                        (["scan", "--platform", "amiga"], "amiga"), (["phone", "android", "--serial"], None)):
        run = checkup("--lang", code, *argv)
        assert run.returncode == 2, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
        left = _leftovers(run.stderr, _parser_data() | ({words} if words else set()))
        assert not left, (argv, left, run.stderr)
        inside = _english(run.stderr, _parser_data() | ({words} if words else set()))
        assert not inside, (argv, inside, run.stderr)


@pytest.mark.parametrize("code", ["xx", "yy"])
def test_pseudo_locale_scan_of_a_disk_is_all_catalogue_words(language, code):
    """A real disk tree (tests/fixtures/macos: stalkerware, a remote-access tool, hidden
    programs) scanned by the real command in xx (and right to left in yy); the data it shows is
    worked out from the same scan made here."""
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.heuristics import OS_NAMES
    from device_checkup.checks.sources.base import Machine
    from device_checkup.signatures.loader import load_set
    run = checkup("scan", "--root", str(MACOS_DISK), "--platform", "macos", "--lang", code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("⟦" + ("\u05d0 " if code == "yy" else "")), run.stdout[:200]
    assert "What we could not check" not in run.stdout
    language(code)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(MACOS_DISK), "macos"))
    assert result.findings, "the fixture disk should give findings"
    data = _result_data(result) | {str(MACOS_DISK), "UTC"}
    data |= {" ".join(str(n.detail).split()) for n in result.not_checked if n.detail}
    out = " ".join(run.stdout.split())
    left = _leftovers(out, {d for d in data if d})
    assert not left, (sorted(set(left)), out[:4000])
    # Inside the brackets too. A kind's key (record_kind) is not data here: the command line
    # names each place in words. Family descriptions are still the signature file's own English
    # (making them translatable is separate work); everything else a signature file or the disk
    # supplied is data.
    data -= {ev.record_kind for f in result.findings for ev in f.evidence}
    # A built-in file is named in words ("built-in {file}"): only its file name is data.
    data -= {m.file for f in result.findings for ev in f.evidence for m in ev.matches}
    data |= {os.path.basename(sf.path) for sf in result.signatures.files}
    # A heuristic's "indicator" is words (why it matched), not a value from a signature file.
    data -= {m.indicator for f in result.findings for ev in f.evidence for m in ev.matches if m.kind == "heuristic"}
    # A heuristic names the folder or file of a path it saw ("(.hidden)", "softwareupdated").
    data |= set(OS_NAMES.values()) | {part for d in data if "/" in d for part in d.split("/") if len(part) > 2}
    data |= {" ".join(fam.description.split()) for fam in load_set().families
             if fam.id in {f.family for f in result.findings}}
    inside = _english(out, {d for d in data if d})
    assert not inside, (sorted(set(inside)), out[:4000])
    # Details name each record by its place, not by its kind's key.
    assert "- files:" not in out and "- autostart:" not in out and "- apps:" not in out


@pytest.mark.parametrize("code", ["xx", "yy"])
def test_pseudo_locale_signatures_info_and_validate_are_all_catalogue_words(tmp_path, code):
    from device_checkup.signatures.loader import PLATFORMS, TIERS, load_set
    run = checkup("signatures", "info", "--lang", code)
    assert run.returncode == 0, run.stderr
    sigset = load_set()
    # The words of the file format (tier and platform names, as a file writes them) and what
    # each signature file says of itself are data.
    data = set(TIERS) | set(PLATFORMS) | {sigset.sha256}
    for sf in sigset.files:
        data |= {sf.label, os.path.basename(sf.path), sf.version or "", sf.license or "",
                 " ".join((sf.attribution or "").split())}
    left = _leftovers(" ".join(run.stdout.split()), {d for d in data if d})
    assert not left, (sorted(set(left)), run.stdout[:3000])
    inside = _english(" ".join(run.stdout.split()), {d for d in data if d})
    assert not inside, (sorted(set(inside)), run.stdout[:3000])
    good = tmp_path / "good.yaml"
    good.write_text("schema: 1\nfamilies:\n" + family_yaml("planted", "stalkerware", "file_paths: ['/opt/planted-spy']"))
    run = checkup("signatures", "validate", str(good), "--lang", code)
    assert run.returncode == 0, run.stderr
    left = _leftovers(run.stdout + run.stderr, {str(good)})
    assert not left, (left, run.stderr)
    run = checkup("signatures", "validate", str(tmp_path / "missing.yaml"), "--lang", code)
    assert run.returncode == 3
    assert not _leftovers(run.stderr, {str(tmp_path / "missing.yaml")}), run.stderr


def test_polish_help_has_no_english_left():
    """Each command's help in Polish against the same help in English: no English word of the
    English help is left in the Polish one, except what is typed (options, commands, choices)
    and names."""
    names = {"JSON", "USB", "iPhone", "Android", "STIX", "MVT", "Echap", "iTunes", "Finder", "adb", "PATH",
             "Manifest", "idevicebackup2", "Device", "Checkup", "docs", "json", "html", "pdf", "ioc", "yaml",
             "watchware", "lolrmm", "echap", "stix2", "db", "md", "Safari", "Firefox",
             "devices"}                                                  # from the command "adb devices"
    same_in_both = {"folder", "system", "problem", "argument", "program"}      # Polish words too
    data = _parser_data() | names | same_in_both
    for command in COMMANDS:
        english = checkup("--lang", "en", *command, "--help").stdout
        polish = checkup(*command, "--help", "--lang", "pl").stdout
        assert polish.startswith("użycie: checkup"), polish
        assert "opcje:" in polish and "pokaż tę pomoc i zakończ" in polish
        words = lambda text: {w for w in re.findall(r"[A-Za-z]{3,}", _strip(text, data))}
        same = words(english) & words(polish)
        assert not same, (command, sorted(same), polish)


def _strip(text: str, data: set[str]) -> str:
    for value in sorted(data, key=len, reverse=True):
        text = re.sub(r"(?<![\w-])" + re.escape(value) + r"(?![\w-])", " ", text)
    return text


def test_polish_errors_from_argparse_and_from_the_commands(tmp_path):
    run = checkup("scan", "--lang", "pl", "--bogus")
    assert run.returncode == 2 and "nierozpoznane argumenty: --bogus" in run.stderr, run.stderr
    run = checkup("--lang=pl", "signatures", "validate")
    assert run.returncode == 2 and "potrzebne są te argumenty: PLIK" in run.stderr, run.stderr
    run = checkup("--la", "pl", "signatures", "validate", str(tmp_path / "nope.yaml"))
    assert run.returncode == 3 and "nie istnieje" in run.stderr, run.stderr


def test_the_language_is_found_before_the_parser_is_built():
    asked = cli.language_asked
    assert asked(["scan", "--lang", "pl", "--json"]) == ("pl", ["scan", "--json"])
    assert asked(["--lang=yy", "signatures", "info"]) == ("yy", ["signatures", "info"])
    assert asked(["--la", "pl"]) == ("pl", [])                    # an abbreviation argparse takes too
    assert asked(["scan", "--lang", "pl", "--lang", "en"])[0] == "en"        # the last one, as argparse
    assert asked(["signatures", "validate", "--", "--lang", "pl"]) == (None, ["signatures", "validate", "--",
                                                                          "--lang", "pl"])
    assert asked(["scan", "--lang", "--json"]) == (None, ["scan", "--lang", "--json"])   # the parser says why
    assert asked(["scan", "--json"]) == (None, ["scan", "--json"])


def test_argparse_speaks_our_words_only_while_the_command_line_runs(capsys, language):
    before = argparse._("usage: ")
    assert cli.main(["scan", "--lang", "xx", "--bogus"]) == 2
    assert "⟦" in capsys.readouterr().err
    assert argparse._("usage: ") == before == "usage: "
    with pytest.raises(SystemExit):
        cli.main(["--lang", "pl", "scan", "--help"])
    assert "użycie:" in capsys.readouterr().out
    assert argparse._("usage: ") == "usage: "


# Messages the running Python's argparse has that a person never sees from this command: they
# report mistakes in the program itself, or belong to features it does not use (--version,
# FileType, deprecated options, ArgumentDefaultsHelpFormatter).
NEVER_SHOWN = {
    "'required' is an invalid argument for positionals", "%r is not callable", ".__call__() not defined",
    'argument "-" with mode %r', "cannot have multiple subparser arguments",
    "cannot merge actions - two groups are named %r", "conflicting subparser alias: %s", "conflicting subparser: %s",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "mutually exclusive arguments must be optional", "conflicting option string: %s",
    "can't open '%(filename)s': %(error)s", "show program's version number and exit", " (default: %(default)s)",
    "argument '%(argument_name)s' is deprecated", "command '%(parser_name)s' is deprecated",
    "option '%(option)s' is deprecated",
}


def test_every_word_argparse_can_say_is_in_the_catalogue():
    """Read from the running Python's own argparse.py: a new Python that says something new fails
    here, naming it, instead of saying it in English."""
    pytest.importorskip("babel")
    from babel.messages.extract import extract_python
    from babel.messages.pofile import read_po
    with open(argparse.__file__, "rb") as f:
        said = {m if isinstance(m, str) else m[0]
                for _, _, m, _ in extract_python(f, {"_": None, "ngettext": (1, 2)}, [], {}) if m}
    with open(ROOT / "checks" / "locale" / "checkup.pot", "rb") as f:
        ours = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.context == "argparse"}
    assert said - NEVER_SHOWN <= ours, sorted(said - NEVER_SHOWN - ours)
    assert "usage: " in ours and "show this help message and exit" in ours


def test_polish_keeps_every_argparse_placeholder():
    from babel.messages.pofile import read_po
    printf = lambda s: sorted(re.findall(r"%(?:\([A-Za-z_]+\))?[srd]", s))
    with open(ROOT / "checks" / "locale" / "pl" / "LC_MESSAGES" / "checkup.po", "rb") as f:
        catalogue = read_po(f, locale="pl")
    checked = 0
    for m in catalogue:
        if m.context != "argparse":
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        for s in [m.string] if isinstance(m.string, str) else list(m.string):
            assert s and printf(s) == printf(ids[-1]), (m.id, s)
            checked += 1
    assert checked >= 20


def test_a_source_keeps_the_words_and_their_values_apart(language, tmp_path):
    """What a browser source could not read is a catalogue message and its values: said in the
    person's language by the explain step, and kept apart in a saved snapshot."""
    import io
    from device_checkup.checks.engine import _not_checked
    from device_checkup.checks.snapshot import NotRead, Snapshot, Words
    from device_checkup.checks.sources.base import Notes
    notes = Notes("extensions")
    notes.could_not_read("permission", "/home/alex/.config/google-chrome",
                         Words.of("the extensions of {browser} for {user}", browser="Chrome", user="alex"))
    item = notes.items[0]
    assert item.what == "the extensions of {browser} for {user}" and dict(item.values) == {"browser": "Chrome",
                                                                                          "user": "alex"}
    snap = Snapshot(platform="linux", not_read=[item, NotRead("x", "absent", "", "programs that are running")])
    buffer = io.StringIO()
    snap.dump(buffer)
    buffer.seek(0)
    again = Snapshot.load(buffer)
    assert again.not_read == snap.not_read
    language("en")
    assert _not_checked(again.not_read[0], "linux").what == "the extensions of Chrome for alex"
    language("pl")
    assert _not_checked(again.not_read[0], "linux").what == "rozszerzenia przeglądarki Chrome konta alex"
    language("xx")
    assert _not_checked(again.not_read[0], "linux").what.startswith("⟦")


BAD_FILE = """schema: 1
families:
  - id: Bad ID
    name: x
  - id: planted
    name: Planted
    tier: stalkrware
    platforms: [windoze]
    description: d
    sources: [https://example.org/p]
    indicators:
      domains: [not_a_domain]
      file_pathz: [/x]
      process_names: [{regex: "("}, "a**b"]
      file_paths: ["relative/path"]
"""


@pytest.mark.parametrize("code", ["xx", "yy"])
def test_pseudo_locale_problems_of_a_signature_file_are_catalogue_words(tmp_path, code):
    """signatures validate on a file with many kinds of problem: each problem is said with the
    catalogue; what the file wrote (ids, keys, values) and Python's regex error stay as they are."""
    import re as _re
    from device_checkup.signatures import kinds
    from device_checkup.signatures.loader import FAMILY_KEYS, PLATFORMS, TIERS
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FILE)
    run = checkup("signatures", "validate", str(bad), "--lang", code)
    assert run.returncode == 1, run.stderr
    lines = run.stdout.strip().splitlines()
    assert len(lines) >= 7 and all(line.startswith(f"{bad}:") for line in lines), run.stdout
    try:
        _re.compile("(")
    except _re.error as exc:
        regex_error = str(exc)
    data = ({str(bad), "Bad ID", "stalkrware", "windoze", "not_a_domain", "file_pathz", "relative/path", "a**b",
             "planted", regex_error} | set(TIERS) | set(PLATFORMS) | set(FAMILY_KEYS) | set(kinds.INDICATOR))
    for line in lines + run.stderr.splitlines():
        assert not _leftovers(line, data), line
        assert not _english(line, data), line


def test_polish_problems_of_a_signature_file(tmp_path, language):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FILE)
    run = checkup("signatures", "validate", str(bad), "--lang", "pl")
    assert run.returncode == 1
    assert f"{bad}:13: rodzina 'planted': nieznany rodzaj wskaźnika 'file_pathz' (może chodziło o 'file_paths'?)" \
        in run.stdout.splitlines(), run.stdout
    assert "rodzina 'planted': nieznany rodzaj 'stalkrware'" in run.stdout
    assert "problemy" in run.stderr or "problemów" in run.stderr, run.stderr
    # The same problems in English are what they always were.
    run = checkup("signatures", "validate", str(bad))
    assert f"{bad}:13: family 'planted': unknown indicator kind 'file_pathz' (did you mean 'file_paths'?)" \
        in run.stdout.splitlines(), run.stdout


def test_the_app_says_a_signature_file_s_problems_in_the_chosen_language(tmp_path, language):
    from device_checkup.app.gui.pages.signatures import check_file
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FILE)
    language("pl")
    check = check_file(str(bad))
    assert "wiersz 13: rodzina 'planted': nieznany rodzaj wskaźnika 'file_pathz' (może chodziło o 'file_paths'?)" \
        in check.problems, check.problems
    empty = tmp_path / "empty.yaml"
    empty.write_text("schema: 1\nfamilies: []\n")
    assert check_file(str(empty)).problems == ["nie ma w nim żadnego rodzaju oprogramowania, którego moglibyśmy użyć"]


def test_why_a_snapshot_can_t_be_used_is_said_in_the_chosen_language(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "platform": "linux", "records": {"processes": [{"pid": 1, "nope": 2}]}}')
    run = checkup("scan", "--from-snapshot", str(bad), "--lang", "pl")
    assert run.returncode == 3
    assert "nieznane pola dla processes: nope" in run.stderr, run.stderr
    run = checkup("scan", "--from-snapshot", str(bad), "--lang", "xx")
    assert not _english(run.stderr, {str(bad), "processes", "nope"}), run.stderr
    (tmp_path / "junk.json").write_text("{nope")
    run = checkup("scan", "--from-snapshot", str(tmp_path / "junk.json"), "--lang", "pl")
    assert run.returncode == 3 and "to nie jest poprawny JSON" in run.stderr, run.stderr


def test_everything_a_source_says_it_could_not_read_is_a_catalogue_message():
    """The words of "We couldn't look at {what}": each ``what`` written in checks/ (a string
    handed to could_not_read, note, unreadable, text_of or NotRead, or a ``what=``) is in the
    catalogue, and none is an f-string glued together in English (values go in Words)."""
    import ast
    from babel.messages.pofile import read_po
    with open(ROOT / "checks" / "locale" / "checkup.pot", "rb") as f:
        catalogue = {m.id for m in read_po(f) if m.id}
    position = {"could_not_read": 2, "note": 2, "unreadable": 1, "text_of": 3, "NotRead": 3, "about": 3}
    missing, glued, seen = [], [], 0
    for path in sorted((ROOT / "checks").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            args = [node.args[position[name]]] if name in position and len(node.args) > position[name] else []
            args += [kw.value for kw in node.keywords if kw.arg == "what"]
            for arg in args:
                if isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "N_":
                    arg = arg.args[0]
                parts = (arg.values if isinstance(arg, ast.BoolOp) else [arg.body, arg.orelse]
                         if isinstance(arg, ast.IfExp) else [arg])
                for part in parts:
                    if isinstance(part, ast.Call) and getattr(part.func, "id", None) == "N_":
                        part = part.args[0]
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    if isinstance(part, ast.JoinedStr):
                        glued.append(where)
                    elif isinstance(part, ast.Constant) and isinstance(part.value, str) and part.value:
                        seen += 1
                        if part.value not in catalogue and not part.value.startswith("/"):   # a path is data
                            missing.append((where, part.value))
    assert seen > 40
    assert not glued, glued
    assert not missing, missing


def test_no_source_writes_an_english_sentence_as_the_detail_of_what_it_could_not_read():
    """The detail beside "We couldn't look at …" is a path, the system's own error text, or
    Words (a catalogue message and its values): never an English sentence built in code."""
    import ast
    position = {"could_not_read": 1, "note": 1, "about": 2, "NotRead": 2, "Unreadable": 1}
    sentences = []
    for path in sorted((ROOT / "checks").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name not in position or len(node.args) <= position[name]:
                continue
            arg = node.args[position[name]]
            texts = ([v.value for v in arg.values if isinstance(v, ast.Constant)] if isinstance(arg, ast.JoinedStr)
                     else [arg.value] if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else [])
            if any(re.search(r"\b[a-z]{2,} [a-z]{2,}\b", t) for t in texts):
                sentences.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(arg)[:80]}")
    assert not sentences, sentences


def test_what_could_not_be_checked_is_polish_in_a_polish_scan(tmp_path, language):
    from device_checkup.checks.engine import _not_checked
    from device_checkup.checks.snapshot import NotRead
    language("pl")
    said = _not_checked(NotRead("settings.hosts", "permission", "/etc/hosts", "the hosts file"), "linux")
    assert said.what == "plik hosts"
    said = _not_checked(NotRead.about("linux", "permission", "", Words.of("{user}'s home folder ({home})",
                                                                              user="sam", home="/home/sam")), "linux")
    assert said.what == "folder domowy konta sam (/home/sam)"


def test_pseudo_locale_check_of_an_iphone_backup_is_all_catalogue_words(tmp_path, language):
    """A real iPhone backup (tests/test_ios_backup.py's) checked by the real command in xx: the
    phone's own words (what was read, what a backup can't show) come from the catalogue too."""
    from device_checkup.checks.phone.ios_backup import read_backup, scan_backup
    from device_checkup.signatures.loader import load_set
    import gzip
    import shutil
    from tests.test_ios_backup import DATA         # MVT's test backup (tests/data/README.md)
    folder = tmp_path / "backup"
    folder.mkdir()
    shutil.copy(os.path.join(DATA, "Info.plist"), folder / "Info.plist")
    with gzip.open(os.path.join(DATA, "Manifest.db.gz")) as src, open(folder / "Manifest.db", "wb") as dst:
        shutil.copyfileobj(src, dst)
    run = checkup("phone", "ios-backup", str(folder), "--lang", "xx")
    assert run.returncode == 0, run.stderr
    language("xx")
    result = scan_backup(str(folder), load_set())
    data = _result_data(result) | {str(folder), "UTC"}
    # each detail is shown after the id of the part that could not read (a key, like a kind's)
    data |= {" ".join(str(n.detail).split()) for n in result.not_checked if n.detail}
    data |= {n.source for n in result.not_checked}
    # The phone's description: what the backup says (version, model, name, date) is data, its
    # words are not.
    info = read_backup(str(folder)).info
    data = (data - {result.snapshot.os_version}) | {"iOS", f"“{info['Device Name']}”", str(info["Product Type"]),
                                                    str(info["Product Version"]),
                                                    f"{info['Last Backup Date']:%Y-%m-%d %H:%M}"}
    data -= {m.file for f in result.findings for ev in f.evidence for m in ev.matches}
    data |= {os.path.basename(sf.path) for sf in result.signatures.files}
    # lines joined again; textwrap may have broken the folder's path after a hyphen
    out = " ".join(run.stdout.split()).replace("- ", "-")
    assert not _leftovers(out, {d for d in data if d}), out[:3000]
    assert not _english(out, {d for d in data if d}), (sorted(set(_english(out, data))), out[:3000])


def test_the_app_s_first_words_and_compare_s_speak_the_chosen_language(tmp_path, language):
    """Before Qt starts (a missing system part) and when Compare can't open a file."""
    from device_checkup.app.compare import load_earlier
    from device_checkup.app.preflight import problem_line
    from device_checkup.app.report import NotAReport
    language("pl")
    line = problem_line(["libxcb-cursor0"])
    assert line.startswith("Device Checkup nie może otworzyć swojego okna") and "sudo apt install libxcb-cursor0" in line
    with pytest.raises(NotAReport) as caught:
        load_earlier(str(tmp_path / "nothing.json"), None)
    assert str(caught.value) == "Nie udało się otworzyć tego pliku; możesz wybrać inny."
    (tmp_path / "other.json").write_text('{"x": 1}')
    with pytest.raises(NotAReport) as caught:
        load_earlier(str(tmp_path / "other.json"), None)
    assert "Device Checkup" in str(caught.value) and "This file" not in str(caught.value)


def test_a_detail_kept_as_words_is_said_in_the_chosen_language_and_counts_in_polish(language):
    import io
    from device_checkup.checks.engine import _not_checked
    from device_checkup.checks.snapshot import NotRead, Snapshot
    from device_checkup.checks.sources.base import Notes
    notes = Notes("processes")
    for n in (1, 3, 5):
        notes.could_not_read("permission", Words.counting(
            "{count} program would not say which file it runs, so it was judged only by the name it gives itself",
            "{count} programs would not say which file they run, so they were judged only by the names they give "
            "themselves", n), "which files some running programs run")
    # The English stays in the record (logs, a snapshot read without the catalogue) ...
    assert notes.items[0].detail.startswith("1 program would not say") and notes.items[1].detail.startswith("3 programs")
    # ... and a saved snapshot keeps the words and their count.
    buffer = io.StringIO()
    Snapshot(platform="linux", not_read=notes.items).dump(buffer)
    buffer.seek(0)
    items = Snapshot.load(buffer).not_read
    assert items == notes.items
    language("pl")
    said = [_not_checked(item, "linux").detail for item in items]
    assert said[0].startswith("1 program nie podał") and said[1].startswith("3 programy nie podały") \
        and said[2].startswith("5 programów nie podało"), said
