"""The app's parts: the findings model (qtmodeltester), the support data, signature options,
the About page, and the real dialogs carrying the Exit button."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from device_checkup.app.gui.dialogs import Dialogs
from device_checkup.app.gui.models import SEVERITY, TITLE, WHERE, FindingsModel
from device_checkup.app.gui.pages.about import describe_set
from device_checkup.app.gui.pages.signatures import SignaturesPage, check_file
from device_checkup.app.gui.widgets import ExitButton
from device_checkup.app.support import SupportDataError, load, parse
from tests.gui_fixtures import SIGNATURES, every_tier_sources, make_scan, make_window, signature_set  # noqa: F401


@pytest.fixture(scope="module")
def result():
    return make_scan(every_tier_sources())(progress=None, cancel=None, user_paths=[])


def test_findings_model_passes_qtmodeltester(qtmodeltester, result):
    model = FindingsModel(result.findings)
    qtmodeltester.check(model, force_py=True)
    model.set_findings([])
    qtmodeltester.check(model, force_py=True)


def test_findings_model_rows_are_the_engines_findings_in_order(result):
    model = FindingsModel()
    model.set_findings(result.findings)
    assert model.rowCount() == len(result.findings) == 6
    first = [model.data(model.index(0, c)) for c in (SEVERITY, TITLE, WHERE)]
    assert first == ["Serious", "SpyAgent, a program sold to watch another person's computer",
                     r"C:\Program Files (x86)\sysconfig\sysdiag.exe (and 1 more place)"]
    assert model.data(model.index(5, SEVERITY)) == "Worth a look"
    assert model.headerData(TITLE, __import__("PySide6.QtCore").QtCore.Qt.Orientation.Horizontal) == "What we found"
    assert model.finding(0) is result.findings[0]



def test_technical_details_name_the_group_and_severity_in_words_not_keys(result):
    from device_checkup.app.gui.pages.results import technical_details
    from device_checkup.checks import i18n
    details = technical_details(result.findings[0])
    assert "Group: Software sold to watch another person; severity: Serious; finding id" in details
    i18n.set_language("pl")
    try:
        polish = technical_details(result.findings[0])
    finally:
        i18n.set_language("en")
    assert "stalkerware;" not in polish and "high;" not in polish and "Poważne" in polish

def test_support_data_every_service_cites_where_it_comes_from():
    data = load()
    ids = [r.id for r in data.regions]
    assert ids[0] == "uk" and {"uk-merseyside", "uk-hampshire", "uk-staffordshire", "us", "au"} <= set(ids)
    for region in data.regions:
        for s in region.services:
            assert s.sources, s.name
    uk = {n.number for s in data.region("uk").services for n in s.phones}
    assert {"0808 802 0300", "999", "999, then press 55", "101", "0800 555 111"} <= uk
    mersey = {n.number for s in data.region("uk-merseyside").services for n in s.phones}
    assert mersey == {"07802 722703", "0808 175 3080"}
    hants = data.region("uk-hampshire").services[0]
    assert hants.phones[0].number == "0330 0533 630" and hants.email == "stalking@stopdomesticabuse.uk"
    us = data.region("us").services[1]
    assert us.phones[0].number == "1-800-799-7233"


def test_support_data_refuses_a_service_without_sources():
    bad = "regions:\n  - id: x\n    name: X\n    services:\n      - name: A\n        what: B\n        phones: ['1']\n"
    with pytest.raises(SupportDataError):
        parse(bad)


def test_signature_file_checks_in_plain_words_never_crash(tmp_path, qtbot):
    good = tmp_path / "extra.yaml"
    good.write_text(SIGNATURES.replace("spyagent", "extra-spy").replace("activtrak", "extra-mon")
                    .replace("teamviewer", "extra-tv").replace("kidlogger", "extra-kid"), "utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text("schema: 1\nfamilies:\n  - id: acme\n    name: Acme\n    tier: stalkerware\n"
                    "    description: x\n    sources: [https://example.org]\n    indicators:\n"
                    "      proces_names: [acme.exe]\n", "utf-8")
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\xff\xfe\x00binary\x00junk")
    missing = tmp_path / "missing.yaml"

    assert check_file(str(good)).usable and check_file(str(good)).families == 4
    t = check_file(str(typo))
    assert not t.usable and any("did you mean 'process_names'" in p for p in t.problems)
    assert "line 9" in t.words() and "built-in list will still be used" in t.words()
    assert not check_file(str(junk)).usable
    assert not check_file(str(missing)).usable

    page = SignaturesPage()
    qtbot.addWidget(page)
    changed = []
    page.paths_changed.connect(changed.append)
    page.add_files([str(good), str(typo), str(junk), str(missing)])
    assert page.paths() == [str(good)]
    assert changed[-1] == [str(good)]
    assert "typo.yaml: we couldn't use this file" in page.message.text()
    assert page.list.count() == 4
    page.list.setCurrentRow(0)
    page.remove_selected()
    assert page.paths() == []


def test_added_signature_files_are_used_by_the_next_scan(qtbot, make_window_for_sigs, tmp_path):
    w, seen = make_window_for_sigs
    extra = tmp_path / "extra.yaml"
    extra.write_text(SIGNATURES.replace("id: spyagent", "id: other"), "utf-8")
    w.dialogs.files = [str(extra)]
    w.add_signatures()
    w.start_scan("own")
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert seen == [[str(extra)]]


@pytest.fixture
def make_window_for_sigs(make_window):
    from tests.gui_fixtures import FakeDialogs
    seen = []
    base = make_scan(every_tier_sources())

    def scan(*, progress, cancel, user_paths):
        seen.append(list(user_paths))
        return base(progress=progress, cancel=cancel, user_paths=user_paths)
    return make_window(scan=scan, dialogs=FakeDialogs()), seen


def test_about_shows_version_counts_fingerprint_and_attributions(make_window):
    sigset = signature_set()
    info = describe_set(sigset)
    assert info["families"] == 4 and info["indicators"] == 5
    assert info["by_tier"]["Software sold to watch another person"] == 1
    assert info["files"][0]["license"] == "CC BY 4.0"
    assert "Echap" in info["files"][0]["attribution"] and "LOLRMM (Apache-2.0)" in info["files"][0]["attribution"]
    w = make_window()
    w.about.show_set(sigset)
    assert w.about.findChild(type(w.about.title_label), "setFingerprint").text().endswith(sigset.sha256)


def test_about_with_the_built_in_set(make_window):
    from device_checkup.signatures.loader import load_set
    info = describe_set(load_set())
    text = " ".join(f["attribution"] for f in info["files"])
    assert "Echap" in text and "LOLRMM" in text


def _click_exit_in_active_dialog(hits):
    modal = QApplication.activeModalWidget()
    if modal is None:
        QTimer.singleShot(20, lambda: _click_exit_in_active_dialog(hits))
        return
    buttons = modal.findChildren(ExitButton)
    hits.append((type(modal).__name__, len(buttons), buttons[0].accessibleName() if buttons else ""))
    buttons[0].click()


def test_real_dialogs_carry_the_exit_button_and_close_with_it(qapp):
    closed = []

    def on_exit():
        closed.append(1)
        for w in QApplication.topLevelWidgets():
            w.hide()
    dialogs = Dialogs(on_exit)
    hits = []
    QTimer.singleShot(0, lambda: _click_exit_in_active_dialog(hits))
    assert dialogs.ask(None, "Open a website?", "text", "Open it now", "Don't open it") is False
    QTimer.singleShot(0, lambda: _click_exit_in_active_dialog(hits))
    assert dialogs.open_files(None) == []
    assert hits == [("QMessageBox", 1, "Emergency exit"), ("QFileDialog", 1, "Emergency exit")]
    assert closed == [1, 1]


def test_file_dialog_is_qts_own_not_the_systems(qapp):
    dlg = Dialogs(lambda: None)._file_dialog(None, "x")
    assert dlg.testOption(QFileDialog.Option.DontUseNativeDialog)
    dlg.deleteLater()
