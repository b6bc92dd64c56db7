"""The message catalogues: current with their sources, and every word the app, the command
line and the report show comes from them (the pseudo-locale ``xx`` wraps each message in ⟦…⟧:
a word outside the brackets was not translated, or was glued on from pieces)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from checks import i18n

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
    from checks import texts
    language("xx")
    assert texts.text("headlines", "nothing").startswith("⟦")
    language("en")
    assert texts.text("headlines", "nothing").startswith("We didn't find")


def test_polish_is_chosen_by_code_and_unknown_codes_are_refused(language):
    from app.gui import words
    language("pl")
    assert words.WELCOME_START != "&Start the check"
    with pytest.raises(ValueError):
        language("zz")


def _leftovers(text: str, data: set[str]) -> list[str]:
    """English words outside every ⟦…⟧ once machine-supplied data is taken out."""
    prev = None
    while prev != text:
        prev, text = text, re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    text = re.sub(r"https?://\S+|\S+@\S+|\b[\w-]+(\.[\w-]+)+\b", " ", text)     # addresses are data
    return [w for w in re.findall(r"[A-Za-z]{2,}", text)]


def test_pseudo_locale_every_screen_shows_only_catalogue_words(qtbot, language):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel
    from app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, make_scan, spy_sources
    language("xx")
    w = MainWindow(scan=make_scan(spy_sources()), dialogs=FakeDialogs(), quit=lambda: None,
                   hard_exit=lambda code: None)
    qtbot.addWidget(w)
    data = {"Device Checkup", "SpyAgent", "sysdiag.exe", "sysdiag", "SHA", "UTC", "⟦Pseudo⟧", "Test signatures",
            "English", "Polski", "999", "101", "https", "http", "www"}

    def check(page, name):
        bad = []
        for widget in page.findChildren(QLabel) + page.findChildren(QAbstractButton):
            if widget.isVisibleTo(page) and widget.text():
                left = _leftovers(widget.text().replace("&", ""), data)
                if left:
                    bad.append((widget.text()[:80], left))
        assert not bad, f"{name}: words outside the catalogue: {bad}"

    check(w.top, "top bar")
    for page in (w.welcome, w.support, w.signatures, w.session_page):
        w.show_page(page)
        check(page, page.objectName())
    w.welcome.start_button.click()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    w.results.finish_cards() if hasattr(w.results, "finish_cards") else None
    check(w.results, "results")
    w.show_about()
    check(w.about, "about")


def test_pseudo_locale_command_line_output_is_all_catalogue_words(language):
    from app.cli import render_text
    from checks.base import shown_value
    from checks.engine import run_scan
    from checks.sources.base import Machine
    from checks.sources.fs import FileSystem
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
    from app.support import load
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
    from signatures import manifest
    shipped = manifest.texts_files()
    name = "../../checks/locale/pl/LC_MESSAGES/checkup.mo"
    shutil.copy(shipped[name], tmp_path / "checkup.mo")
    words = {**shipped, name: str(tmp_path / "checkup.mo")}
    monkeypatch.setattr(manifest, "texts_files", lambda: dict(words))
    assert manifest.changes() == []
    data = (tmp_path / "checkup.mo").read_bytes()
    (tmp_path / "checkup.mo").write_bytes(data.replace("Poważne".encode(), "Drobne".encode() + b"\x00"))
    assert manifest.changes() == [f"{name} has been changed"]
