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
    return [w for w in re.findall(r"[A-Za-z]{2,}", text)]


def test_pseudo_locale_every_screen_shows_only_catalogue_words(qtbot, language):
    from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel
    from app.gui.window import MainWindow
    from tests.gui_fixtures import FakeDialogs, make_scan, spy_sources
    language("xx")
    w = MainWindow(scan=make_scan(spy_sources()), dialogs=FakeDialogs(), quit=lambda: None,
                   hard_exit=lambda code: None)
    qtbot.addWidget(w)
    data = {"Device Checkup", "SpyAgent", "sysdiag.exe", "sysdiag", "SHA", "UTC", "⟦Pseudo⟧",
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
    from checks.engine import run_scan
    from checks.sources.base import Machine
    from checks.sources.fs import FileSystem
    from tests.gui_fixtures import signature_set, spy_sources
    import tempfile
    language("xx")
    result = run_scan(signatures=signature_set(), machine=Machine(platform="windows",
                      fs=FileSystem("windows", tempfile.mkdtemp()), live=True), sources=spy_sources())
    out = render_text(result)
    data = {"Device Checkup", "SpyAgent", "sysdiag.exe", "sysdiag", "SHA", "windows", "Windows", "Test signatures",
            "processes", "services", "process_names", "service_names", "name", "test", "signatures", "yaml"}
    bad = [(line, _leftovers(line, data)) for line in out.splitlines() if _leftovers(line, data)]
    assert not bad, bad
