"""Quick exit: the button, Shift three times (and not Shift+letter or slow presses), during a
scan, a scan that won't stop, and the order of the steps. The clock is injected: no sleeping."""
from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from device_checkup.app.gui.quick_exit import QuickExit, ShiftCounter, progress_words
from tests.gui_fixtures import Clock, WaitingSource, make_scan, make_window, spy_sources  # noqa: F401


# -- plain Python -----------------------------------------------------------------------------
def test_counter_three_presses_within_five_seconds():
    clock = Clock()
    c = ShiftCounter(clock=clock)
    assert c.press_shift() == 2
    clock.advance(2)
    assert c.press_shift() == 1
    clock.advance(2.9)
    assert c.press_shift() == 0


def test_counter_slow_presses_do_not_add_up():
    clock = Clock()
    c = ShiftCounter(clock=clock)
    c.press_shift()
    clock.advance(3)
    c.press_shift()
    clock.advance(3)                 # the first press is now more than 5 s old
    assert c.press_shift() == 1
    clock.advance(5.5)
    assert c.press_shift() == 2


def test_counter_other_key_starts_again():
    c = ShiftCounter(clock=Clock())
    c.press_shift()
    c.press_shift()
    c.other_key()
    assert c.press_shift() == 2


def test_progress_words():
    assert progress_words(2) == "Shift: press 2 more times to exit."
    assert progress_words(1) == "Shift: press 1 more time to exit."


def test_quick_exit_steps_in_order_and_a_failing_step_does_not_stop_it():
    done = []

    def boom():
        done.append("forget")
        raise RuntimeError("x")
    q = QuickExit(hide_windows=lambda: done.append("hide"), cancel_scan=lambda: done.append("cancel"),
                  forget=boom, remove_temporary=lambda: done.append("temporary"),
                  clear_clipboard=lambda: done.append("clipboard"),
                  stop_worker=lambda t: done.append("stop") or True, quit=lambda: done.append("quit"),
                  hard_exit=lambda code: done.append("hard"))
    q.trigger()
    q.trigger()                                        # a second trigger does nothing
    assert done == ["hide", "cancel", "forget", "temporary", "clipboard", "stop", "quit"]
    assert "forget-failed" in q.steps_done


def test_quick_exit_ends_the_process_when_the_scan_will_not_stop():
    done = []
    q = QuickExit(hide_windows=lambda: done.append("hide"), stop_worker=lambda t: False,
                  quit=lambda: done.append("quit"), hard_exit=lambda code: done.append(("hard", code)))
    q.trigger()
    assert done == ["hide", ("hard", 0)]


# -- in the app -------------------------------------------------------------------------------
def shift(qtbot, w, key=Qt.Key.Key_Shift, modifier=Qt.KeyboardModifier.NoModifier):
    target = QApplication.focusWidget() or w
    qtbot.keyClick(target, key, modifier)


def assert_exited(w):
    assert w.quick_exit.triggered
    assert not any(t.isVisible() for t in QApplication.topLevelWidgets())
    assert w.result is None and w.results.cards == [] and w.results.model.rowCount() == 0
    assert w.quits == [1] and w.hard_exits == []


def test_exit_button_hides_everything_forgets_and_quits(qtbot, make_window):
    w = make_window()
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.results.cards
    qtbot.mouseClick(w.top.exit_button, Qt.MouseButton.LeftButton)
    assert_exited(w)
    assert w.quick_exit.steps_done[:2] == ["hide", "cancel"]


def test_shift_three_times_exits_and_the_count_is_shown(qtbot, make_window):
    clock = Clock()
    w = make_window(clock=clock)
    shift(qtbot, w)
    assert w.top.shift_status.text() == "Shift: press 2 more times to exit."
    assert w.top.shift_status.accessibleName() == "Shift: press 2 more times to exit."
    clock.advance(1)
    shift(qtbot, w)
    assert w.top.shift_status.text() == "Shift: press 1 more time to exit."
    assert not w.quick_exit.triggered
    clock.advance(1)
    shift(qtbot, w)
    assert_exited(w)


def test_shift_with_a_letter_does_not_exit(qtbot, make_window):
    w = make_window(clock=Clock())
    shift(qtbot, w)
    shift(qtbot, w)
    shift(qtbot, w, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)     # typing a capital A
    assert w.top.shift_status.text() == ""
    shift(qtbot, w)
    assert not w.quick_exit.triggered
    assert w.isVisible()


def test_slow_shift_presses_do_not_exit(qtbot, make_window):
    clock = Clock()
    w = make_window(clock=clock)
    for _ in range(3):
        shift(qtbot, w)
        clock.advance(3)
    assert not w.quick_exit.triggered
    assert w.quits == []


def test_one_press_counts_once_even_as_it_travels_up_the_widgets(qtbot, make_window):
    w = make_window(clock=Clock())
    w.welcome.own.setFocus()
    QApplication.processEvents()
    shift(qtbot, w)
    assert w.shift.counter.count == 1


def test_quick_exit_during_a_scan(qtbot, make_window):
    waiting = WaitingSource()
    w = make_window(scan=make_scan([*spy_sources(), waiting]), clock=Clock())
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(waiting.started.is_set, timeout=10000)
    assert w.runner.running()
    cancel = w.runner.cancel_event
    for _ in range(3):
        shift(qtbot, w)
    assert_exited(w)
    assert cancel.is_set()
    assert "stop-worker" in w.quick_exit.steps_done
    assert not w.runner.running()
    waiting.release.set()


def test_a_scan_that_will_not_stop_ends_the_process_after_the_windows_are_hidden(qtbot, make_window):
    stuck = threading.Event()
    entered = threading.Event()

    def stubborn_scan(*, progress, cancel, user_paths):
        entered.set()
        stuck.wait(30)          # ignores cancel, like a check stuck in a system call
        raise RuntimeError("released")

    w = make_window(scan=stubborn_scan)
    w.quick_exit.wait_seconds = 0.1
    w.start_scan("own")
    qtbot.waitUntil(entered.is_set, timeout=10000)
    w.trigger_quick_exit()
    assert not w.isVisible()
    assert w.hard_exits == [0] and w.quits == []
    assert w.quick_exit.steps_done[-2:] == ["worker-stuck", "hard-exit"]
    stuck.set()
    assert w.runner.stop(10)


def test_clipboard_is_cleared_only_if_the_app_put_text_there(qtbot, make_window):
    w = make_window()
    guard = w.clipboard_guard
    clipboard = QGuiApplication.clipboard()
    guard.ours = None
    clipboard.setText("someone else's text")
    guard.ours = None                      # pretend another program put it there
    w.trigger_quick_exit()
    assert clipboard.text() == "someone else's text"
    w2 = make_window()
    clipboard.setText("0808 802 0300")
    w2.clipboard_guard.ours = "0808 802 0300"   # copied from the support page
    w2.trigger_quick_exit()
    assert clipboard.text() == ""


def test_shift_three_times_works_inside_a_real_dialog(qtbot, make_window):
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest

    from device_checkup.app.gui.dialogs import Dialogs
    w = make_window(clock=Clock())
    w.dialogs = Dialogs(w.trigger_quick_exit, w.shift.progress)
    pressed = []

    def press_in_dialog():
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, press_in_dialog)
            return
        for _ in range(3):
            QTest.keyClick(QApplication.focusWidget() or modal, Qt.Key.Key_Shift)
            pressed.append(1)
    QTimer.singleShot(0, press_in_dialog)
    w.open_website("https://www.suzylamplugh.org")     # the question about browser history
    assert pressed == [1, 1, 1]
    assert_exited(w)
