"""Running a scan (or any slow, file-touching step) off the GUI thread, without Qt on the worker.

Why it is built this way (issue 19): the app crashed (SIGSEGV) after a few "Check again",
with the cyclic garbage collector running *on the scan thread* and walking Qt wrapper objects
(libshiboken6's traverse functions) that the GUI thread owns and changes at the same time.
A collection runs on whichever thread happens to allocate when a threshold is crossed, so
"the worker doesn't touch widgets" is not enough. Two rules together make it impossible:

1. The worker holds and creates no Qt object at all. It is a plain ``threading.Thread`` (no
   ``QThread``, no ``QObject`` moved to it, no signal emitted from it). It puts plain Python
   tuples into a ``queue.SimpleQueue``; a ``QTimer`` on the GUI thread takes them out and emits
   the Qt signals there. Qt never sees the worker thread.
2. While any such worker runs, Python's automatic collection is switched off
   (``gc.disable()``, process-wide) and the GUI thread collects instead, a little at each tick
   of the same timer (``gc.collect(0)``; the middle generation now and then). So no collection — the only code that walks *every*
   tracked object — can ever run on a thread other than the GUI thread. Automatic collection
   is switched back on only when no worker thread is alive any more (a scan stuck in a system
   call keeps it off until it ends, or until the process does).

A thread that will not stop is left behind as a daemon: quick exit never waits for it longer
than it says (``stop(timeout)``) and ends the process with ``os._exit`` if needed.
"""
from __future__ import annotations

import gc
import queue
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from device_checkup.checks.engine import ScanCancelled

# A scan function: called on the worker thread with progress= and cancel=, returns a ScanResult.
ScanFunction = Callable[..., Any]

POLL_MS = 25                # how often the GUI thread looks for news from workers
_GEN0_EVERY = 1             # ticks between young-generation collections on the GUI thread
_GEN1_EVERY = 20            # ticks between middle-generation collections


class _GcGuard:
    """Keeps automatic garbage collection off while any worker thread of ours is alive, and
    does the collecting on the GUI thread instead. Process-wide, counted."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.was_enabled: bool | None = None
        self.ticks = 0

    def add(self, thread: threading.Thread) -> None:
        self._prune()
        if not self.threads:
            self.was_enabled = gc.isenabled()
            gc.disable()
        self.threads.append(thread)

    def _prune(self) -> None:
        self.threads = [t for t in self.threads if t.is_alive()]

    def tick(self) -> None:
        """Called on the GUI thread by every runner's timer."""
        if not self.threads:
            return
        self.ticks += 1
        young = gc.get_count()[0]
        if self.ticks % _GEN1_EVERY == 0:
            gc.collect(1)
        elif young > gc.get_threshold()[0] and self.ticks % _GEN0_EVERY == 0:
            gc.collect(0)
        self._prune()
        if not self.threads:
            self.release()

    def release(self) -> None:
        """The last worker has ended: automatic collection back on (on the GUI thread from now
        on; no full collection forced here — it cost 70-130 ms after a 2,000-finding scan)."""
        self._prune()
        if self.threads:
            return
        gc.collect(0)
        if self.was_enabled:
            gc.enable()
        self.was_enabled = None

    def busy(self) -> bool:
        self._prune()
        return bool(self.threads)


GC_GUARD = _GcGuard()


def _run(scan: ScanFunction, cancel: threading.Event, out: queue.SimpleQueue) -> None:
    """The worker thread's whole life: only plain Python, only the queue to talk through."""
    try:
        result = scan(progress=lambda p: out.put(("progress", p)), cancel=cancel)
    except ScanCancelled:
        out.put(("cancelled", None))
        return
    except BaseException as exc:  # noqa: BLE001 - the engine should never raise; say so calmly if it does
        out.put(("failed", f"{type(exc).__name__}: {exc}"[:500]))
        return
    out.put(("cancelled", None) if cancel.is_set() else ("finished", result))


class ScanRunner(QObject):
    """Owns one scan at a time: its thread, its cancel event and its queue. Every signal is
    emitted on the GUI thread, from the timer that reads the queue."""

    progress = Signal(object)      # checks.engine.Progress
    finished = Signal(object)      # checks.engine.ScanResult
    cancelled = Signal()
    failed = Signal(str)           # plain words

    def __init__(self, scan: ScanFunction, parent: QObject | None = None):
        super().__init__(parent)
        self._scan = scan
        self.thread: threading.Thread | None = None
        self.cancel_event: threading.Event | None = None
        self._queue: queue.SimpleQueue | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self.rounds = 0

    def running(self) -> bool:
        return self.thread is not None

    def start(self) -> None:
        self.stop(5.0)
        self.rounds += 1
        self.cancel_event = threading.Event()
        self._queue = queue.SimpleQueue()
        self.thread = threading.Thread(target=_run, args=(self._scan, self.cancel_event, self._queue),
                                       name=f"device-checkup-scan-{self.rounds}", daemon=True)
        GC_GUARD.add(self.thread)
        self.thread.start()
        self._timer.start()

    def cancel(self) -> None:
        if self.cancel_event is not None:
            self.cancel_event.set()

    def stop(self, timeout: float) -> bool:
        """Cancel and wait up to ``timeout`` seconds for the thread to end. True if it ended.
        Whatever it reported is dropped: a stopped scan says nothing more."""
        self.cancel()
        thread = self.thread
        if thread is None:
            return True
        thread.join(max(0.0, timeout))
        if thread.is_alive():
            return False
        self._forget()
        return True

    def _forget(self) -> None:
        self._timer.stop()
        self.thread = None
        self._queue = None
        GC_GUARD.release()

    @Slot()
    def poll(self) -> None:
        """On the GUI thread: hand on what the worker said, then collect a little garbage here."""
        q = self._queue
        while q is not None:
            try:
                kind, value = q.get_nowait()
            except queue.Empty:
                break
            if kind == "progress":
                self.progress.emit(value)
                continue
            thread = self.thread
            if thread is not None:
                thread.join(1.0)       # it has put its last word; it is ending now
            self._forget()
            if kind == "finished":
                self.finished.emit(value)
            elif kind == "cancelled":
                self.cancelled.emit()
            else:
                self.failed.emit(value)
            return
        GC_GUARD.tick()


class Task(QObject):
    """One slow step run off the GUI thread (writing a report, reading a file the person
    chose), reported back by ``done(result)`` or ``failed(exception)`` on the GUI thread."""

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None, name: str = "device-checkup-task"):
        super().__init__(parent)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

        def run(out=self._queue) -> None:
            try:
                out.put(("done", fn()))
            except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, said in words there
                out.put(("failed", exc))

        self.thread = threading.Thread(target=run, name=name, daemon=True)
        GC_GUARD.add(self.thread)
        self.thread.start()
        self._timer.start()

    def running(self) -> bool:
        return self._timer.isActive()

    @Slot()
    def _poll(self) -> None:
        try:
            kind, value = self._queue.get_nowait()
        except queue.Empty:
            GC_GUARD.tick()
            return
        self._timer.stop()
        self.thread.join(1.0)
        GC_GUARD.release()
        (self.done if kind == "done" else self.failed).emit(value)
