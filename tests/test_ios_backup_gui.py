"""The phone page with an encrypted iPhone backup: a password field appears only for an
encrypted backup, a wrong password is said on the page and the advocate can try again, and the
password is not kept once the check has started."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from device_checkup.app.gui.pages import phone as phone_page
from tests.gui_fixtures import make_window  # noqa: F401 (fixture)
from tests.test_android_gui import labels_text
from tests.test_ios_backup_encrypted import PASSWORD, twins  # noqa: F401 (fixture)


def choose(qtbot, w, monkeypatch, folder):
    monkeypatch.setattr(phone_page, "choose_backup", lambda dialogs, parent: str(folder))
    w.show_page(w.phone_page)
    qtbot.mouseClick(w.phone_page.backup_button, Qt.MouseButton.LeftButton)


def test_an_unencrypted_backup_asks_for_no_password(qtbot, make_window, monkeypatch, twins):
    plain, _, _ = twins
    w = make_window()
    choose(qtbot, w, monkeypatch, plain)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=20000)
    assert not w.phone_page.password_box.isVisibleTo(w.phone_page)
    assert "FindMyKids" in labels_text(w.results)


def test_a_wrong_password_is_said_and_the_advocate_can_try_again(qtbot, make_window, monkeypatch, twins):
    _, enc, _ = twins
    w = make_window()
    page = w.phone_page
    assert not page.password_box.isVisibleTo(page)
    choose(qtbot, w, monkeypatch, enc)
    assert w.current_page() is page and page.password_box.isVisibleTo(page)
    assert page.password.echoMode() == QLineEdit.EchoMode.Password
    assert "This backup is encrypted" in labels_text(page)
    from tests.test_gui_keyboard import check_page
    check_page(w, page)                                     # Tab order and shortcuts with the field shown
    page.password.setFocus()
    qtbot.keyClicks(page.password, "not the password")
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert page.password.text() == ""                       # taken from the field as the check starts
    qtbot.waitUntil(lambda: w.current_page() is page and page.problem.isVisible(), timeout=20000)
    assert "That password did not open the backup" in page.problem.text()
    assert "not the password" not in labels_text(page)
    assert page.password_box.isVisibleTo(page) and page.password.text() == ""
    page.password.insert(PASSWORD)                          # (keyClicks types ASCII only)
    qtbot.keyClick(page.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=20000)
    assert "FindMyKids" in labels_text(w.results) and "Network helper" in labels_text(w.results)
    # The password was used once: the pending check holds it no longer, so "Check again" asks.
    w.check_again()
    qtbot.waitUntil(lambda: w.current_page() is page, timeout=20000)
    assert page.password_box.isVisibleTo(page) and not page.problem.isVisible()
    assert "This backup is encrypted" in labels_text(page) and page.password.text() == ""


def test_the_password_field_goes_away_for_another_check(qtbot, make_window, monkeypatch, twins):
    _, enc, _ = twins
    w = make_window()
    choose(qtbot, w, monkeypatch, enc)
    assert w.phone_page.password_box.isVisibleTo(w.phone_page)
    w.show_page(w.welcome)
    qtbot.mouseClick(w.phone_button, Qt.MouseButton.LeftButton)
    assert not w.phone_page.password_box.isVisibleTo(w.phone_page) and w.phone_page.encrypted_folder is None
