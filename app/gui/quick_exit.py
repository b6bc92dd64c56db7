"""Quick exit: the red Exit button and Shift pressed three times.

Modelled on GOV.UK's "Exit this page" component: Shift pressed three times on its own within
five seconds (any other key starts the count again) does the same as the button, and the count
is announced for screen readers.

Two plain-Python parts, testable without Qt: :class:`ShiftCounter` (counts the presses against an
injected clock) and :class:`QuickExit` (the steps, in order). :class:`ShiftWatcher` is the Qt
event filter installed on the whole application, so the shortcut also works inside dialogs.
"""
from __future__ import annotations

from device_checkup.checks.i18n import _, ngettext

import os
import threading
import time
from typing import Callable

from msgspec import Struct, field
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

PRESSES = 3
WINDOW_SECONDS = 5.0


class ShiftCounter:
    """Counts Shift presses. ``press_shift()`` returns how many more are needed (0: exit now)."""

    def __init__(self, presses: int = PRESSES, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.presses = presses
        self.window = window
        self.clock = clock
        self._times: list[float] = []

    @property
    def count(self) -> int:
        return len(self._times)

    def press_shift(self) -> int:
        now = self.clock()
        # Only presses within the last `window` seconds count towards this one.
        self._times = [t for t in self._times if now - t <= self.window] + [now]
        remaining = self.presses - len(self._times)
        if remaining <= 0:
            self._times = []
            return 0
        return remaining

    def other_key(self) -> None:
        self._times = []

    def remaining(self) -> int:
        """How many presses are still needed, counting only those still inside the window."""
        now = self.clock()
        live = [t for t in self._times if now - t <= self.window]
        return self.presses - len(live) if live else self.presses


def progress_words(remaining: int) -> str:
    """What the status line says (and a screen reader hears) after a Shift press."""
    if remaining <= 0:
        return _("Closing Device Checkup.")
    return ngettext("Shift: press {count} more time to exit.", "Shift: press {count} more times to exit.",
                    remaining).format(count=remaining)


class QuickExit(Struct):
    """The steps of a quick exit, in order. Each step is a plain callable, so tests can check
    the order and that nothing is skipped when one step fails.

    1. hide every window at once (the person's safety comes before tidiness);
    2. tell a running scan to stop;
    3. forget the results;
    4. remove temporary files the app made (it makes none, but the list is kept honest);
    5. clear the clipboard if the app put text there;
    6. wait briefly for the scan to stop, then quit; if it will not stop, end the process.
    """
    hide_windows: Callable[[], None]
    cancel_scan: Callable[[], None] = lambda: None
    forget: Callable[[], None] = lambda: None
    remove_temporary: Callable[[], None] = lambda: None
    clear_clipboard: Callable[[], None] = lambda: None
    stop_worker: Callable[[float], bool] = lambda timeout: True
    quit: Callable[[], None] = lambda: None
    hard_exit: Callable[[int], None] = lambda code: None
    arm_watchdog: Callable[[], None] = lambda: None
    wait_seconds: float = 1.0
    triggered: bool = False
    steps_done: list[str] = field(default_factory=list)

    def __call__(self) -> None:
        self.trigger()

    def trigger(self) -> None:
        if self.triggered:
            return
        self.triggered = True
        # Before anything that could stall: a thread of its own that ends the process if the
        # steps below (or the event loop after them) don't finish in time. It needs nothing
        # from the GUI thread, so a stuck GUI thread can't keep the app open.
        try:
            self.arm_watchdog()
        except Exception:  # noqa: BLE001 - the steps below still run
            self.steps_done.append("watchdog-failed")
        # Windows first and unguarded by anything else: if hiding fails there is nothing safer to do.
        self._step("hide", self.hide_windows)
        for name, fn in (("cancel", self.cancel_scan), ("forget", self.forget),
                         ("temporary", self.remove_temporary), ("clipboard", self.clear_clipboard)):
            self._step(name, fn)
        stopped = False
        try:
            stopped = bool(self.stop_worker(self.wait_seconds))
        except Exception:  # noqa: BLE001
            stopped = False
        self.steps_done.append("stop-worker" if stopped else "worker-stuck")
        if stopped:
            self._step("quit", self.quit)
        else:
            # The scan did not stop in time (a check stuck in a system call). The windows are
            # already hidden and the results dropped, so ending the process now is safe and
            # faster than waiting: os._exit skips Python's clean-up, which is what we want here.
            self.steps_done.append("hard-exit")
            self.hard_exit(0)

    def _step(self, name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - one failing step must not stop the exit
            self.steps_done.append(f"{name}-failed")
            return
        self.steps_done.append(name)


class ShiftWatcher(QObject):
    """Application-wide event filter: Shift three times → ``triggered``; ``progress(remaining)``
    after each counted press and when the count is reset (remaining = PRESSES)."""

    progress = Signal(int)
    triggered = Signal()

    def __init__(self, counter: ShiftCounter | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.counter = counter or ShiftCounter()
        self._shift_used = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        # Every event of the whole app passes here; asking a non-key event its type() costs
        # an enum conversion each time (~4 ms per findings card made). PySide hands key
        # events over as QKeyEvent, so the class check lets the rest through at once.
        if not isinstance(event, QKeyEvent):
            return False
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            return False
        # A key event is offered to the focus widget, then to each parent in turn, and the
        # application filter sees every one of those deliveries. Count it once: where it starts.
        if event.isAutoRepeat() or not self._first_receiver(obj):
            return False
        is_shift = event.key() == Qt.Key.Key_Shift
        if kind == QEvent.Type.KeyPress:
            if not is_shift:
                # Any other key starts the count again, and a Shift held for it (a capital
                # letter) is a modifier, not a press "on its own": its release won't count.
                self._shift_used = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                if self.counter.count:
                    self.counter.other_key()
                    self.progress.emit(self.counter.presses)
            return False
        if is_shift:
            # Like GOV.UK's component, a press counts when Shift is let go.
            if self._shift_used:
                self._shift_used = False
                return False
            remaining = self.counter.press_shift()
            self.progress.emit(remaining)
            if remaining == 0:
                self.triggered.emit()
        return False

    @staticmethod
    def _first_receiver(obj: QObject) -> bool:
        if not isinstance(obj, QWidget):
            return False
        focus = QApplication.focusWidget()
        if focus is not None:
            return obj is focus
        return obj.isWindow()


class ExitWatchdog:
    """Ends the process ``seconds`` after :meth:`arm`, from a plain thread of its own.

    Quick exit arms it first. If hiding, clearing the clipboard (a clipboard owner that never
    answers), stopping the scan or the event loop's own shutdown stalls the GUI thread, the
    process still ends: ``os._exit`` needs neither the GUI thread nor the interpreter's
    clean-up. It never fires after a normal quick exit, because the process is gone by then.
    The thread waits on an Event and allocates nothing while it waits (so it never runs the
    garbage collector, see app/gui/worker.py)."""

    def __init__(self, seconds: float = 2.0, hard_exit: Callable[[int], None] = os._exit):
        self.seconds = seconds
        self.hard_exit = hard_exit
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None

    def arm(self) -> None:
        if self.thread is not None:
            return
        self.thread = threading.Thread(target=self._wait, name="device-checkup-quick-exit", daemon=True)
        self.thread.start()

    def disarm(self) -> None:
        """Tests only: the app never takes a quick exit back."""
        self._stop.set()

    def _wait(self) -> None:
        if not self._stop.wait(self.seconds):
            self.hard_exit(0)
