"""The main window: the top bar (Get help, Exit), the screens, the scan runner and quick exit."""
from __future__ import annotations

import gc
import os
import time
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, Slot
from PySide6.QtGui import QClipboard, QGuiApplication, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from device_checkup.checks import i18n

from device_checkup.app.support import SupportData
from device_checkup.app.support import load as load_support

from . import words
from .dialogs import Dialogs
from .pages import phone as phone_page
from .pages.about import AboutPage
from .pages.compare import ComparePage
from .pages.results import ResultsPage
from .pages.scan import ScanPage
from .pages.session import SessionPage
from .pages.signatures import SignaturesPage
from .pages.support import SupportPage
from .pages.welcome import ADVOCATE, WelcomePage
from .quick_exit import ExitWatchdog, QuickExit, ShiftCounter, ShiftWatcher
from .widgets import TopBar, fit_to_screen, para
from .worker import ScanRunner, Task

# scan(progress=…, cancel=…, user_paths=[…]) -> ScanResult, called on the worker thread.
Scan = Callable[..., Any]


def default_scan(*, progress, cancel, user_paths):
    """This computer, with the built-in signatures and any files the person added.

    The set is loaded once per process and reused by every "Check again" until its files or
    the chosen user files change (``shared_set``); its index is kept with it (``compile_set``).
    After the first load, everything alive is moved out of the collector's way
    (``gc.freeze()``): the set lives as long as the process and never needs to be walked."""
    from device_checkup.checks.engine import run_scan
    from device_checkup.signatures.loader import shared_set
    sigset = shared_set(user_paths)
    if sigset is not _FROZEN.get("set"):
        from device_checkup.signatures.index import compile_set
        compile_set(sigset)
        gc.freeze()
        _FROZEN["set"] = sigset
    return run_scan(signatures=sigset, progress=progress, cancel=cancel)


_FROZEN: dict[str, Any] = {}


def icon_path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "icon.svg")


class ClipboardGuard(QObject):
    """Remembers text copied while Device Checkup was in front, so quick exit clears only that."""

    def __init__(self, clipboard: QClipboard, parent: QObject | None = None):
        super().__init__(parent)
        self.clipboard = clipboard
        self.ours: str | None = None
        clipboard.dataChanged.connect(self._changed)

    @Slot()
    def _changed(self) -> None:
        if QApplication.activeWindow() is not None or self.clipboard.ownsClipboard():
            self.ours = self.clipboard.text()

    def clear_if_ours(self) -> None:
        if self.ours is None:
            return
        if self.clipboard.ownsClipboard() or self.clipboard.text() == self.ours:
            self.clipboard.clear()
        self.ours = None


class MainWindow(QMainWindow):
    def __init__(self, scan: Scan | None = None, *, support: SupportData | None = None,
                 dialogs: Dialogs | None = None, clock: Callable[[], float] = time.monotonic,
                 quit: Callable[[], None] | None = None,
                 hard_exit: Callable[[int], None] = os._exit, watchdog: ExitWatchdog | None = None):
        super().__init__()
        self.setWindowTitle(words.APP_NAME)
        self.setWindowIcon(QIcon(icon_path()))
        self.setObjectName("mainWindow")
        self.result = None
        self.session = None          # an advocate's appointment (app.session.Session), in memory only
        self.mode = "own"
        self._back_to: QWidget | None = None
        self._scan = scan or default_scan

        app = QApplication.instance()
        self.shift = ShiftWatcher(ShiftCounter(clock=clock), self)
        app.installEventFilter(self.shift)
        self.clipboard_guard = ClipboardGuard(QGuiApplication.clipboard(), self)
        self.runner = ScanRunner(self._run_scan, self)
        self.save_task: Task | None = None
        self.compare_task: Task | None = None
        # The real app gets a watchdog that ends the process if quick exit stalls; tests that
        # pass their own hard_exit get one only if they ask for it.
        self.watchdog = watchdog or (ExitWatchdog(2.0, hard_exit) if hard_exit is os._exit else None)
        self.quick_exit = QuickExit(
            arm_watchdog=self.watchdog.arm if self.watchdog else (lambda: None),
            hide_windows=self._hide_all, cancel_scan=self.runner.cancel, forget=self.forget,
            remove_temporary=self._remove_temporary, clear_clipboard=self.clipboard_guard.clear_if_ours,
            stop_worker=self.runner.stop, quit=quit or (lambda: QCoreApplication.exit(0)),
            hard_exit=hard_exit)
        self.temporary_files: list[str] = []      # the app makes none; kept so the promise is checked
        self.dialogs = dialogs or Dialogs(self.trigger_quick_exit, self.shift.progress)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self._layout = layout
        self._support_data = support
        self.top = None
        self.session_bar = para("", style="subtle")
        self.session_bar.setObjectName("sessionBar")
        self.session_bar.setContentsMargins(24, 4, 24, 0)
        self.session_bar.hide()
        layout.addWidget(self.session_bar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_pages()

        # Wiring that outlives the pages (they are rebuilt when the language changes).
        self.shift.progress.connect(lambda n: self.top.shift_status.show_remaining(n))
        self.shift.triggered.connect(self.trigger_quick_exit)
        self.runner.progress.connect(lambda p: self.scan_page.show_progress(p))
        self.runner.finished.connect(self.scan_finished)
        self.runner.cancelled.connect(self.scan_cancelled)
        self.runner.failed.connect(self.scan_failed)
        # F1 opens help from anywhere (Alt+G works too, through the button's mnemonic).
        QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self, activated=self.show_support)

        self.show_page(self.welcome)
        fit_to_screen(self)     # 880×720, or smaller to fit the screen: every button stays on it

    def _build_pages(self) -> None:
        """The top bar and every screen, in the current language (``checks.i18n``); called
        again when the person chooses another language on the welcome page."""
        QApplication.instance().setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if i18n.is_rtl() else Qt.LayoutDirection.LeftToRight)
        self.setLayoutDirection(QApplication.instance().layoutDirection())
        for w in [self.stack.widget(i) for i in range(self.stack.count())]:
            self.stack.removeWidget(w)
            w.hide()
            w.deleteLater()
        if self.top is not None:
            self._layout.removeWidget(self.top)
            self.top.hide()
            self.top.deleteLater()
        self.top = TopBar()
        self._layout.insertWidget(0, self.top)
        self.welcome = WelcomePage()
        self.notice = para("", style="headline")
        self.notice.setObjectName("notice")
        self.notice.hide()
        self.welcome.body.insertWidget(1, self.notice)
        self.scan_page = ScanPage()
        self.results = ResultsPage()
        self.support = SupportPage(self._support_data or load_support())
        self.signatures = SignaturesPage()
        self.about = AboutPage()
        self.session_page = SessionPage()
        self.compare_page = ComparePage()
        for page in (self.welcome, self.scan_page, self.results, self.support, self.signatures, self.about,
                     self.session_page, self.compare_page):
            self.stack.addWidget(page)
        self._pending_scan = None                   # a phone check instead of this computer's
        self.phone_page = phone_page.install(self)  # app/gui/pages/phone.py

        # Wiring: pages say what the person wants; the window decides what happens.
        self.top.exit_clicked.connect(self.trigger_quick_exit)
        self.top.help_clicked.connect(self.show_support)
        self.welcome.start_clicked.connect(self.begin)
        self.welcome.language_chosen.connect(self.choose_language)
        self.session_page.start_clicked.connect(self.start_session_scan)
        self.session_page.back_clicked.connect(lambda: self.show_page(self.welcome))
        self.results.compare_clicked.connect(self.compare_earlier)
        self.results.end_clicked.connect(self.end_session)
        self.compare_page.back_clicked.connect(lambda: self.show_page(self.results))
        self.welcome.help_clicked.connect(self.show_support)
        self.welcome.signatures_clicked.connect(self.show_signatures)
        self.welcome.about_clicked.connect(self.show_about)
        self.scan_page.cancel_clicked.connect(self.cancel_scan)
        self.results.again_clicked.connect(self.check_again)
        self.results.save_clicked.connect(self.save_report)
        self.results.about_clicked.connect(self.show_about)
        self.support.back_clicked.connect(self.go_back)
        self.support.open_website.connect(self.open_website)
        self.signatures.back_clicked.connect(self.go_back)
        self.signatures.add_clicked.connect(self.add_signatures)
        self.about.back_clicked.connect(self.go_back)

    @Slot(str)
    def choose_language(self, code: str) -> None:
        """The welcome page's language choice: every screen again, in that language. Kept in
        memory only; the choice is made before a check, so there are no findings to redo."""
        if code == i18n.language() or self.runner.running():
            return
        paths = self.signatures.paths()
        i18n.set_language(code)
        self._build_pages()
        if paths:
            self.signatures.add_files(paths)
        self.show_page(self.welcome)
        self.welcome.language.setFocus()

    # -- navigation -------------------------------------------------------------------------
    def current_page(self) -> QWidget:
        return self.stack.currentWidget()

    def show_page(self, page: QWidget) -> None:
        self._show_session_bar(page)
        self.stack.setCurrentWidget(page)
        page.scroll.verticalScrollBar().setValue(0)
        self.setWindowTitle(words.APP_NAME)
        first = page.title_label
        first.setFocus() if first.focusPolicy() else page.setFocus()

    def _side_page(self, page: QWidget) -> None:
        if self.current_page() not in (self.support, self.signatures, self.about):
            self._back_to = self.current_page()
        self.show_page(page)

    def show_support(self) -> None:
        self._side_page(self.support)
        self.support.region.setFocus()

    def show_signatures(self) -> None:
        self._side_page(self.signatures)

    def show_about(self) -> None:
        sigset, error = None, ""
        if self.result is not None:
            sigset = self.result.signatures
        else:
            try:
                from device_checkup.signatures.loader import shared_set
                sigset = shared_set(self.signatures.paths())
            except Exception as exc:  # noqa: BLE001
                error = type(exc).__name__
        self.about.show_set(sigset, error)
        self._side_page(self.about)

    def go_back(self) -> None:
        target = self._back_to or self.welcome
        if target is self.scan_page and not self.runner.running():
            target = self.results if self.result is not None else self.welcome
        self._back_to = None
        self.show_page(target)

    def _show_session_bar(self, page: QWidget) -> None:
        s = self.session
        if s is None or page in (self.welcome, self.session_page):
            self.session_bar.hide()
            return
        text = (words.SESSION_BAR_DEVICE.format(reference=s.reference, device=s.device_nickname)
                if s.device_nickname else words.SESSION_BAR.format(reference=s.reference))
        self.session_bar.setText(text)
        self.session_bar.setAccessibleName(text)
        self.session_bar.show()

    # -- an advocate's session -----------------------------------------------------------------
    @Slot(str)
    def begin(self, mode: str) -> None:
        """The welcome page's Start: a person's own check starts at once; an advocate first
        gets the appointment page."""
        self._pending_scan = None
        if mode != ADVOCATE:
            self.session = None
            self.session_page.clear()
            self.start_scan(mode)
            return
        if self.session is None:
            from device_checkup.app.session import Session
            self.session = Session()
        self.session_page.show_session(self.session)
        self.show_page(self.session_page)

    def start_session_scan(self) -> None:
        if self.session is None:
            return
        self.session_page.store(self.session)
        self.start_scan(ADVOCATE)

    def end_session(self) -> None:
        if self.session is None:
            return
        if not self.dialogs.ask(self, words.SESSION_END_TITLE, words.SESSION_END_TEXT,
                                words.SESSION_END_YES, words.SESSION_END_NO):
            return
        if self.quick_exit.triggered:
            return
        self.forget()
        self._remove_temporary()
        self.clipboard_guard.clear_if_ours()
        self.welcome.own.setChecked(True)
        self.notice.setText(words.SESSION_ENDED)
        self.notice.setAccessibleName(words.SESSION_ENDED)
        self.notice.show()
        self.show_page(self.welcome)

    def compare_earlier(self) -> None:
        if self.result is None:
            return
        if self.compare_task is not None and self.compare_task.running():
            return
        path = self.dialogs.open_earlier(self)
        if not path or self.quick_exit.triggered:
            return
        # Read off the GUI thread: the file chosen may be a FIFO or on a hung network folder.
        from device_checkup.app.compare import compare, load_earlier
        result = self.result
        task = Task(lambda: compare(load_earlier(path, result.signatures), result.to_json_data()),
                    self, name="device-checkup-compare")
        task.done.connect(lambda comparison: self._compared(task, result, comparison))
        task.failed.connect(lambda exc: self._compare_failed(task, result, exc))
        self.compare_task = task

    def _compared(self, task: Task, result, comparison) -> None:
        self.compare_task = None
        task.deleteLater()
        if self.quick_exit.triggered or self.result is not result:
            return
        self.compare_page.show_comparison(comparison)
        self.show_page(self.compare_page)

    def _compare_failed(self, task: Task, result, exc: BaseException) -> None:
        self.compare_task = None
        task.deleteLater()
        if self.quick_exit.triggered or self.result is not result:
            return
        # A file that isn't an earlier check is said in one plain sentence, never an error text.
        from device_checkup.app.report import NOT_READABLE, NotAReport
        self.results.when.setText(str(exc) if isinstance(exc, NotAReport) else i18n._(NOT_READABLE))

    # -- the scan ---------------------------------------------------------------------------
    def _run_scan(self, *, progress, cancel):
        scan = self._pending_scan or self._scan
        return scan(progress=progress, cancel=cancel, user_paths=self._user_paths)

    @Slot(str)
    def start_scan(self, mode: str = "own") -> None:
        if self.runner.running():
            return
        self.mode = mode
        self.forget_result()
        self.notice.hide()
        self._user_paths = list(self.signatures.paths())   # read on the GUI thread, used on the worker
        self.scan_page.reset()
        if self._pending_scan is not None:      # a phone check (also its "Check again") says "phone"
            self.scan_page.for_device(*phone_page.scan_words())
        self.show_page(self.scan_page)
        self.scan_page.cancel_button.setFocus()
        self.runner.start()

    def cancel_scan(self) -> None:
        self.runner.cancel()

    @Slot(object)
    def scan_finished(self, result) -> None:
        if self.quick_exit.triggered:
            return
        self.result = result
        if self.session is not None:
            self.session.checked(result)        # the report has a section for each device checked
        self.results.show_result(result, advocate=self.mode == ADVOCATE,
                                 session=self.session if self.mode == ADVOCATE else None)
        if self.current_page() is self.scan_page:
            self.show_page(self.results)
        else:
            self._back_to = self.results

    @Slot()
    def scan_cancelled(self) -> None:
        if phone_page.cancelled(self):
            return
        self._scan_ended(words.SCAN_CANCELLED)

    @Slot(str)
    def scan_failed(self, detail: str) -> None:
        if phone_page.failed(self, detail):
            return
        self._scan_ended(words.SCAN_FAILED)

    def _scan_ended(self, message: str) -> None:
        if self.quick_exit.triggered:
            return
        self.notice.setText(message)
        self.notice.setAccessibleName(message)
        self.notice.show()
        if self.current_page() is self.scan_page:
            self.show_page(self.welcome)
        else:
            self._back_to = self.welcome

    def check_again(self) -> None:
        self.start_scan(self.mode)

    # -- results ----------------------------------------------------------------------------
    def save_report(self) -> None:
        if self.result is None:
            return
        name = f"device-checkup-{self.session.reference}.html" if self.session else "device-checkup-report.html"
        if self.save_task is not None and self.save_task.running():
            return
        path = self.dialogs.save_file(self, name)
        if not path or self.quick_exit.triggered:
            return
        # Writing goes to a thread of its own: the place chosen may be a FIFO, a hung network
        # folder or /proc, and the GUI thread (quick exit) must never wait on it.
        self._start_save(path, replace=True)    # the save dialog asked before replacing a file

    def _start_save(self, path: str, *, replace: bool) -> None:
        from device_checkup.app.report import save_report
        result, session = self.result, self.session
        self.results.save_button.setEnabled(False)
        self.results.when.setText(words.RESULTS_SAVING)
        task = Task(lambda: save_report(path, result, session, replace=replace), self, name="device-checkup-save")
        task.done.connect(lambda digest: self._report_saved(task, path, digest))
        task.failed.connect(lambda exc: self._report_failed(task, exc))
        self.save_task = task

    def _report_saved(self, task: Task, path: str, digest: str) -> None:
        self._save_ended(task)
        if self.quick_exit.triggered or self.result is None:
            return
        self.results.when.setText(words.RESULTS_SAVED.format(path=path))
        self.dialogs.report_saved(self, path, digest)

    def _report_failed(self, task: Task, exc: BaseException) -> None:
        self._save_ended(task)
        if self.quick_exit.triggered or self.result is None:
            return
        from device_checkup.app.report import ReportNotWhole
        if isinstance(exc, ReportNotWhole):   # the PDF was not whole: say so, offer the web page
            self.results.when.setText(str(exc))
            html_path = self.dialogs.save_file(self, exc.html_name)
            if html_path and html_path.lower().endswith((".html", ".htm")) and not self.quick_exit.triggered:
                self._start_save(html_path, replace=True)
            return
        why = getattr(exc, "strerror", None) or type(exc).__name__
        self.results.when.setText(words.RESULTS_SAVE_FAILED.format(why=why))

    def _save_ended(self, task: Task) -> None:
        if self.save_task is task:
            self.save_task = None
        self.results.save_button.setEnabled(True)
        task.deleteLater()

    def open_website(self, url: str) -> None:
        ok = self.dialogs.ask(self, words.SUPPORT_HISTORY_TITLE, words.SUPPORT_HISTORY.format(url=url),
                              words.SUPPORT_HISTORY_OPEN, words.SUPPORT_HISTORY_CANCEL)
        if ok and not self.quick_exit.triggered:
            self.dialogs.open_url(url)

    def add_signatures(self) -> None:
        paths = self.dialogs.open_files(self)
        if paths and not self.quick_exit.triggered:
            self.signatures.add_files(paths)

    # -- forgetting and quick exit ----------------------------------------------------------
    def forget_result(self) -> None:
        self.result = None
        self.results.clear()
        self.about.clear()

    def forget(self) -> None:
        """Drop everything the app holds about this laptop and this person."""
        if self.session is not None:
            self.session.end()
        self.session = None
        self.session_page.clear()
        self.compare_page.clear()
        self.session_bar.setText("")
        self.session_bar.hide()
        self.forget_result()
        self.signatures.forget()
        self.scan_page.reset()
        self._user_paths = []

    def _remove_temporary(self) -> None:
        for path in self.temporary_files:
            try:
                os.remove(path)
            except OSError:
                pass
        self.temporary_files = []

    def _hide_all(self) -> None:
        for w in QApplication.topLevelWidgets():
            w.hide()
        try:
            QGuiApplication.sync()     # push the hiding to the screen now, not at the next loop turn
        except Exception:  # noqa: BLE001
            pass

    @Slot()
    def trigger_quick_exit(self) -> None:
        self.quick_exit.trigger()

    def shutdown(self) -> None:
        """Stop the scan and remove the app-wide filter (normal close and test teardown)."""
        QApplication.instance().removeEventFilter(self.shift)
        if not self.runner.stop(3.0):
            self.hide()
            self.quick_exit.hard_exit(0)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.forget()
        self.shutdown()
        event.accept()
