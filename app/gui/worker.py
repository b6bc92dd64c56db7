"""Running a scan on a worker thread.

The engine's ``run_scan`` is plain Python; :class:`ScanWorker` runs it on a ``QThread`` and turns
its progress callback (called on the worker thread) into a Qt signal, which Qt queues to the GUI
thread. Widgets are only touched by slots on the GUI thread. :class:`ScanRunner` keeps the
references to the thread and worker, and stops them (``cancel`` + ``quit`` + ``wait``).
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from checks.engine import ScanCancelled

# A scan function: called on the worker thread with progress= and cancel=, returns a ScanResult.
ScanFunction = Callable[..., Any]


class ScanWorker(QObject):
    progress = Signal(object)      # checks.engine.Progress
    finished = Signal(object)      # checks.engine.ScanResult
    cancelled = Signal()
    failed = Signal(str)           # plain words

    def __init__(self, scan: ScanFunction, cancel: threading.Event):
        super().__init__()
        self._scan = scan
        self._cancel = cancel

    @Slot()
    def run(self) -> None:
        try:
            result = self._scan(progress=self._report, cancel=self._cancel)
        except ScanCancelled:
            self.cancelled.emit()
            return
        except Exception as exc:  # noqa: BLE001 - the engine should never raise; say so calmly if it does
            self.failed.emit(f"{type(exc).__name__}: {exc}"[:500])
            return
        if self._cancel.is_set():
            self.cancelled.emit()
        else:
            self.finished.emit(result)

    def _report(self, progress) -> None:
        # Called on the worker thread: emitting is thread-safe, the slot runs on the GUI thread.
        self.progress.emit(progress)


class ScanRunner(QObject):
    """Owns one scan at a time: its thread, worker and cancel event."""

    progress = Signal(object)
    finished = Signal(object)
    cancelled = Signal()
    failed = Signal(str)

    def __init__(self, scan: ScanFunction, parent: QObject | None = None):
        super().__init__(parent)
        self._scan = scan
        self.thread: QThread | None = None
        self.worker: ScanWorker | None = None
        self.cancel_event: threading.Event | None = None

    def running(self) -> bool:
        return self.thread is not None and self.thread.isRunning()

    def start(self) -> None:
        self.stop(5.0)
        self.cancel_event = threading.Event()
        self.thread = QThread()
        self.thread.setObjectName("device-checkup-scan")
        self.worker = ScanWorker(self._scan, self.cancel_event)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # Forward through bound signals (not lambdas), so the GUI-side slots run on the GUI thread.
        self.worker.progress.connect(self.progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()

    def cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()

    def stop(self, timeout: float) -> bool:
        """Cancel and wait up to ``timeout`` seconds for the thread to end. True if it ended."""
        self.cancel()
        thread = self.thread
        if thread is None:
            return True
        thread.quit()
        done = thread.wait(int(timeout * 1000))
        if done:
            self.thread = None
            self.worker = None
        return bool(done)

    @Slot(object)
    def _on_finished(self, result) -> None:
        self._end()
        self.finished.emit(result)

    @Slot()
    def _on_cancelled(self) -> None:
        self._end()
        self.cancelled.emit()

    @Slot(str)
    def _on_failed(self, words: str) -> None:
        self._end()
        self.failed.emit(words)

    def _end(self) -> None:
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait(2000)
        self.thread = None
        self.worker = None
