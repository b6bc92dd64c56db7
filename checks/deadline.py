"""Cooperative time limits for the steps of a scan.

The engine runs each source and check on a helper thread with a time limit. A thread can't be
killed safely, so a step that overruns is asked to stop: the engine sets the step's stop flag,
and the step's loops call :func:`check_deadline`, which raises :class:`StepStopped` once the flag
is set. ``StepStopped`` is a ``BaseException`` so the ``except Exception`` that turns damaged
input into a note never swallows it. Outside a guarded step (tests, tools) it does nothing.
"""
from __future__ import annotations

import threading

_local = threading.local()


class StepStopped(BaseException):
    """The step overran its time limit or the scan was cancelled; unwind now."""


def check_deadline() -> None:
    flag = getattr(_local, "stop", None)
    if flag is not None and flag.is_set():
        raise StepStopped()


def set_stop_flag(flag: threading.Event | None) -> None:
    """Called by the engine's helper thread before and after each step."""
    _local.stop = flag
