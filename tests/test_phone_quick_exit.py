"""Quick exit from every step of a phone check (issue 18): the guide, a phone that is not
ready, an Android check under way, the iPhone backup chooser (a real Qt file dialog), the
phone's results and its comparison with an earlier check. Shift three times and the Exit
button each end the app, hide every window and forget the phone's result."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from device_checkup.app.gui.pages import phone as phone_page
from device_checkup.app.gui.widgets import ExitButton
from device_checkup.checks.phone.adb import Phone, Recorded
from device_checkup.checks.phone.scan import scan_android
from device_checkup.signatures.loader import load_set
from tests.gui_fixtures import Clock, FakeDialogs, make_window  # noqa: F401 (fixture)
from tests.test_android import ordinary_phone, stalkerware_phone
from tests.test_gui_quick_exit import assert_exited, shift


@pytest.fixture(scope="module")
def sigset():
    return load_set()


class SlowPhone(Recorded):
    """A recorded phone that is slow to answer one question, as a real one over USB can be:
    it answers when released, or at once when the check is stopped."""

    def __init__(self, outputs, cancel):
        super().__init__(outputs)
        self.cancel = cancel
        self.asked = threading.Event()
        self.release = threading.Event()

    def shell(self, argv):
        if argv == ("dumpsys", "device_policy"):
            self.asked.set()
            while not (self.release.wait(0.05) or self.cancel.is_set()):
                pass
        return super().shell(argv)


def replayed(sigset, outputs, phones=None):
    def scan(*, progress, cancel, user_paths):
        transport = SlowPhone(outputs, cancel) if phones is not None else Recorded(outputs)
        if phones is not None:
            phones.append(transport)
        return scan_android(Phone(transport), sigset, progress=progress, cancel=cancel)
    return scan


def exit_by(how, qtbot, w):
    if how == "shift":
        for _ in range(3):
            shift(qtbot, w)
    else:
        qtbot.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton)


def to_guide(qtbot, w, monkeypatch, sigset):
    qtbot.mouseClick(w.phone_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.phone_page


def to_not_ready(qtbot, w, monkeypatch, sigset):
    def no_phone(**_):
        raise phone_page.PhoneNotReady(phone_page.guide("no_phone"))
    monkeypatch.setattr(phone_page, "android_scan", no_phone)
    to_guide(qtbot, w, monkeypatch, sigset)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.phone_page and w.phone_page.problem.isVisible(), timeout=15000)


def to_checking(qtbot, w, monkeypatch, sigset):
    phones: list[SlowPhone] = []
    monkeypatch.setattr(phone_page, "android_scan", replayed(sigset, stalkerware_phone(), phones))
    to_guide(qtbot, w, monkeypatch, sigset)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(phones) and phones[0].asked.is_set(), timeout=15000)
    assert w.current_page() is w.scan_page and w.runner.running()


def to_results(qtbot, w, monkeypatch, sigset):
    monkeypatch.setattr(phone_page, "android_scan", replayed(sigset, stalkerware_phone()))
    to_guide(qtbot, w, monkeypatch, sigset)
    qtbot.mouseClick(w.phone_page.android_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.result.snapshot.platform == "android" and w.results.cards


def to_compare(qtbot, w, monkeypatch, sigset, tmp_path):
    earlier = tmp_path / "earlier.json"
    with open(earlier, "w", encoding="utf-8") as fh:
        scan_android(Phone(Recorded(ordinary_phone())), sigset).snapshot.dump(fh)
    w.dialogs.earlier = str(earlier)
    to_results(qtbot, w, monkeypatch, sigset)
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.compare_page, timeout=15000)
    assert w.compare_page.sections["new"]


STEPS = {"guide": to_guide, "not-ready": to_not_ready, "checking": to_checking, "results": to_results}


@pytest.mark.parametrize("how", ["shift", "button"])
@pytest.mark.parametrize("step", list(STEPS) + ["compare"])
def test_quick_exit_from_every_phone_step(qtbot, make_window, monkeypatch, sigset, tmp_path, step, how):
    w = make_window(dialogs=FakeDialogs(), clock=Clock())
    if step == "compare":
        to_compare(qtbot, w, monkeypatch, sigset, tmp_path)
    else:
        STEPS[step](qtbot, w, monkeypatch, sigset)
    cancel = w.runner.cancel_event if step == "checking" else None
    exit_by(how, qtbot, w)
    assert_exited(w)
    assert w.phone_page.isHidden() or not w.phone_page.isVisible()
    if cancel is not None:
        assert cancel.is_set() and "stop-worker" in w.quick_exit.steps_done
        assert not w.runner.running()


@pytest.mark.parametrize("how", ["shift", "button"])
def test_quick_exit_from_the_iphone_backup_chooser(qtbot, make_window, how):
    from device_checkup.app.gui.dialogs import Dialogs
    w = make_window(clock=Clock())
    w.dialogs = Dialogs(w.trigger_quick_exit, w.shift.progress)
    w.show_page(w.phone_page)
    done = []

    def act_in_dialog():
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, act_in_dialog)
            return
        if how == "shift":
            from PySide6.QtTest import QTest
            for _ in range(3):
                QTest.keyClick(QApplication.focusWidget() or modal, Qt.Key.Key_Shift)
        else:
            (button,) = modal.findChildren(ExitButton)
            button.click()
        done.append(modal.windowTitle())
    QTimer.singleShot(0, act_in_dialog)
    qtbot.mouseClick(w.phone_page.backup_button, Qt.MouseButton.LeftButton)   # returns when the dialog ends
    assert done == ["Device Checkup"]
    assert_exited(w)
    assert not w.runner.running() and w._pending_scan is None         # no backup check was started
