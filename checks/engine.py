"""Running a scan: collect → snapshot → match → explain.

The one entry point for the command line, the desktop app and the report. Each source and
each check runs inside a guard: if it raises, hangs past its time limit, or is cancelled, that
becomes a "could not check" entry and the scan goes on. Nothing here imports Qt; the app runs
:func:`run_scan` on a worker thread and passes ``progress`` and ``cancel``.
"""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterable, Sequence

from msgspec import Struct, field

from device_checkup.signatures.index import CompiledSet, compile_set
from device_checkup.signatures.loader import SignatureSet, file_words

from . import __version__, i18n, texts
from .base import Check, Context, DeclaredCheck, family_finding
from .deadline import StepStopped, check_deadline, set_stop_flag
from .findings import SEVERITY_ORDER, Evidence, Finding
from .i18n import N_
from .snapshot import NotRead, Snapshot, Words, now_iso
from .sources import all_sources
from .sources.base import Locations, Machine, Notes, Source, running_as_administrator

SOURCE_TIME_LIMIT = 120.0       # seconds one source may take before we stop waiting for it


class Progress(Struct, frozen=True):
    """One step of a scan, for a progress bar: where it is and what it is doing, in words."""
    phase: str          # "collect", "match" or "done"
    step: int           # 1-based step number
    total: int
    id: str             # source or check id
    words: str          # plain words for the person: "Looking at programs that start by themselves…"


class NotChecked(Struct, frozen=True):
    """Something the scan could not look at, in words, with how to allow it."""
    source: str
    what: str
    reason: str
    reason_words: str
    how: str
    detail: str = ""

    def to_json_data(self) -> dict[str, str]:
        return {"source": self.source, "what": self.what, "reason": self.reason,
                "reason_words": self.reason_words, "how": self.how, "detail": self.detail}


def group_not_checked(not_checked) -> list[dict[str, Any]]:
    """The same thing not checked for the same reason is said once, with how many times and
    every detail (for the app, the command line and reports alike)."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for n in not_checked:
        g = groups.setdefault((n.what, n.reason), {"what": n.what, "reason": n.reason_words, "how": n.how,
                                                   "count": 0, "details": [], "fault": n.reason == "fault"})
        g["count"] += 1
        if n.detail:
            g["details"].append(f"{n.source}: {n.detail}")
    return list(groups.values())


class ScanCancelled(Exception):
    pass


class ScanResult(Struct):
    """A finished scan: its snapshot, findings, what could not be checked and what was looked at."""
    snapshot: Snapshot
    findings: list[Finding]
    not_checked: list[NotChecked]
    signatures: SignatureSet
    checked: list[str] = field(default_factory=list)     # plain words of what was looked at

    @property
    def headline(self) -> str:
        if self.findings:
            worst = min(SEVERITY_ORDER[f.severity] for f in self.findings)
            return texts.text("headlines", ("found_high", "found_medium", "found_low")[worst])
        return texts.text("headlines", "nothing")

    def by_tier(self) -> list[tuple[str, list[Finding]]]:
        groups: dict[str, list[Finding]] = {}
        for f in self.findings:
            groups.setdefault(f.tier, []).append(f)
        return list(groups.items())

    def to_json_data(self) -> dict[str, Any]:
        snap = self.snapshot
        sigs = self.signatures
        return {
            "format": "device-checkup-scan",
            "format_version": 1,
            "tool_version": __version__,
            "scan": {"platform": snap.platform, "mode": snap.mode, "root": snap.root,
                     "os_version": snap.os_version, "started_at": snap.started_at,
                     "finished_at": snap.finished_at},
            "headline": self.headline,
            "signatures": {"sha256": sigs.sha256, **sigs.counts(),
                           "files": [{"name": f.label, "path": f.path, "version": f.version,
                                      "license": f.license, "sha256": f.sha256, "user_file": f.user_file}
                                     for f in sigs.files]},
            "findings": [f.to_json_data() for f in self.findings],
            "not_checked": [n.to_json_data() for n in self.not_checked],
            "checked": self.checked,
            "cannot_see": texts.cannot_see(),
        }


def all_checks() -> list[Check]:
    from .apps import AppsCheck
    from .capture import CaptureCheck
    from .listening import ListenersCheck
    from .autostart import AutostartCheck
    from .extensions import ExtensionsCheck
    from .known_places import KnownFilesCheck, RegistryCheck
    from .network import ConnectionsCheck
    from .processes import ProcessesCheck
    from .remote_sessions import RemoteSessionsCheck
    from .services import ServicesCheck
    from .settings import SettingsCheck
    from .tasks import TasksCheck
    return [ProcessesCheck(), AutostartCheck(), ServicesCheck(), TasksCheck(), AppsCheck(),
            KnownFilesCheck(), RegistryCheck(), ExtensionsCheck(), ConnectionsCheck(),
            SettingsCheck(), RemoteSessionsCheck(), ListenersCheck(), CaptureCheck(), DeclaredCheck()]


def detail_words(item: NotRead) -> str:
    """The technical detail, in the current language when the source kept it as words."""
    return i18n.say(item.detail_words) if item.detail_words is not None else item.detail


def what_words(item: NotRead, what: str | None = None) -> str:
    """What could not be read, in the current language: a catalogue message, filled with its
    values when the source kept some (``Words``: "the extensions of {browser} for {user}")."""
    words = i18n._(item.what or what or item.source)
    if item.values:
        words = words.format(**dict(item.values))
    return words


def _not_checked(item: NotRead, platform: str, what: str | None = None, elevated: bool = False) -> NotChecked:
    how = texts.how_to_allow(item.reason, platform)
    if elevated and item.reason == "permission":     # advice fits the account that ran the scan
        how = texts.text("reasons", "permission", "how_elevated")
    return NotChecked(source=item.source, what=what_words(item, what), reason=item.reason,
                      reason_words=texts.reason_words(item.reason), how=how, detail=detail_words(item))


class _Worker:
    """A helper thread that runs steps one after another. Starting a thread for each of the
    sixty-odd steps of a scan cost more than some steps; a worker is reused once its step ended.

    Each step gets its own stop flag (:mod:`checks.deadline`). When a step overruns its time
    limit or the scan is cancelled, the flag is set and the step's loops stop it at their next
    :func:`~checks.deadline.check_deadline`. After a time-out the engine waits a short grace for
    that (a cancel, for the quick exit, never waits). A step still running is left behind with
    its worker, which ends when the step does."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._loop, name="checkup-step", daemon=True)
        self.thread.start()
        self.ident = self.thread.ident

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            fn, box, done, stop = job
            set_stop_flag(stop)
            try:
                box["value"] = fn()
            except StepStopped:
                box["stopped"] = True
            except BaseException as exc:  # noqa: BLE001 - every failure becomes "could not check"
                box["error"] = exc
            finally:
                set_stop_flag(None)
            done.set()


_idle_workers: list[_Worker] = []
_idle_lock = threading.Lock()
STOP_GRACE = 5.0          # seconds an overrunning step has to notice its stop flag


def busy_steps() -> int:
    """Helper threads still running a step (0 once every step has ended, as it should)."""
    with _idle_lock:
        idle = {w.thread for w in _idle_workers}
    return sum(1 for t in threading.enumerate() if t.name == "checkup-step" and t not in idle)


def _run_guarded(fn: Callable[[], Any], limit: float, cancel: threading.Event | None) -> tuple[str, Any]:
    """Run ``fn`` on a helper thread: ("ok", value), ("error", exc), ("timeout", thread id) or
    ("cancelled", None). The thread id lets the caller ask the reader what the step was reading."""
    with _idle_lock:
        worker = _idle_workers.pop() if _idle_workers else None
    worker = worker or _Worker()
    box: dict[str, Any] = {}
    done = threading.Event()
    stop = threading.Event()
    worker.jobs.put((fn, box, done, stop))
    deadline = time.monotonic() + limit
    while not done.wait(0.05):
        if cancel is not None and cancel.is_set():
            stop.set()                                   # the step stops at its next check, and
            worker.jobs.put(None)                        # its worker then ends; a cancel never waits
            return "cancelled", None
        if time.monotonic() > deadline:
            stop.set()                                   # ask the step to stop at its next check
            if done.wait(STOP_GRACE):
                with _idle_lock:
                    _idle_workers.append(worker)
            else:
                worker.jobs.put(None)                    # it ends when the step finally does
            return "timeout", worker.ident
    with _idle_lock:
        _idle_workers.append(worker)
    if "error" in box:
        return "error", box["error"]
    if box.get("stopped"):
        return "timeout", None
    return "ok", box.get("value")


def _each_checked(records: Iterable[Any]) -> list[Any]:
    """The records a source yields, checking its stop flag between them."""
    out = []
    for record in records:
        check_deadline()
        out.append(record)
    return out


def collect(machine: Machine, sources: Sequence[Source] | None = None, *,
            progress: Callable[[Progress], None] | None = None,
            cancel: threading.Event | None = None, step_offset: int = 0, total: int | None = None,
            time_limit: float = SOURCE_TIME_LIMIT) -> Snapshot:
    """Read the machine into a snapshot. Never raises for a failing source."""
    sources = list(all_sources(machine.platform) if sources is None else sources)
    machine.read_once.clear()                   # every scan looks afresh
    snap = Snapshot(platform=machine.platform, mode="live" if machine.live else "offline",
                    root=machine.fs.root, tool_version=__version__, started_at=now_iso())
    # Even the system's name is read under a time limit: a planted /etc/os-release may be anything.
    def os_version():
        machine.fs.idle()
        return machine.os_version()

    status, value = _run_guarded(os_version, min(time_limit, 10.0), cancel)
    if status == "cancelled":
        raise ScanCancelled()
    snap.os_version = value if status == "ok" and isinstance(value, str) else ""
    if status == "timeout":
        snap.not_read.append(NotRead.about("os-version", "timeout", _stopped(machine, value, min(time_limit, 10.0)),
                                           N_("the name of the system")))
    for reason, detail, what in machine.fs.drain():
        snap.not_read.append(NotRead.about("os-version", reason, detail, what or N_("the name of the system")))
    total = total or len(sources)
    for i, source in enumerate(sources, 1):
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if machine.platform not in source.platforms:
            continue
        if source.live_only and not machine.live:
            snap.not_read.append(NotRead(source.id, "offline", "", source.what))
            continue
        if progress:
            progress(Progress("collect", step_offset + i, total, source.id,
                              texts.text("progress", "collect", what=i18n._(source.what))))
        notes = Notes(source.id)
        limit = getattr(source, "time_limit", None) or time_limit

        def step(source=source, notes=notes):
            machine.fs.idle()                   # forget what this helper read for the step before
            return _each_checked(source.collect(machine, notes))

        status, value = _run_guarded(step, limit, cancel)
        if status == "cancelled":
            raise ScanCancelled()
        snap.not_read.extend(notes.items)
        for reason, detail, what in machine.fs.drain():     # what the reader refused or cut short
            snap.not_read.append(NotRead.about(source.id, reason, detail, what or source.what))
        if status == "ok":
            snap.sources[source.id] = snap.add(source.kind, value)
        elif status == "timeout":
            snap.not_read.append(NotRead.about(source.id, "timeout", _stopped(machine, value, limit), source.what))
        else:
            words = getattr(value, "words", None)       # an Unreadable that says why in words
            snap.not_read.append(NotRead.about(source.id, _reason_of(value), words or _describe(value), source.what))
    registry = machine.registry
    for reason, detail in getattr(registry, "problems", []) or []:
        snap.not_read.append(NotRead.about("registry", reason, detail, N_("part of the Windows registry")))
    snap.finished_at = now_iso()
    return snap


def _stopped(machine: Machine, thread_id: int | None, limit: float) -> Words:
    """Time-out detail that names what hung, when the reader knows it."""
    busy = machine.fs.busy_with(thread_id)
    if busy:
        return Words.of(N_("stopped after {seconds} s, while reading {path}"), seconds=f"{limit:.0f}", path=busy)
    return Words.of(N_("stopped after {seconds} s"), seconds=f"{limit:.0f}")


def _reason_of(exc: BaseException) -> str:
    from .sources.fs import Unreadable
    if isinstance(exc, Unreadable):
        return exc.reason
    if isinstance(exc, PermissionError):
        return "permission"
    if type(exc).__name__ == "AccessDenied":
        return "permission"
    if isinstance(exc, (ImportError, NotImplementedError)):
        return "unsupported"
    return "fault"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def match(snapshot: Snapshot, index: CompiledSet, checks: Sequence[Check] | None = None, *,
          progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
          step_offset: int = 0, total: int | None = None,
          time_limit: float = SOURCE_TIME_LIMIT) -> tuple[list[Finding], list[NotRead]]:
    """Run the checks over a snapshot; one finding per family, heuristics only where no family matched."""
    checks = list(all_checks() if checks is None else checks)
    ctx = Context(snapshot, index)
    raw: list[Finding] = []
    problems: list[NotRead] = []
    total = total or len(checks)
    for i, check in enumerate(checks, 1):
        if cancel is not None and cancel.is_set():
            raise ScanCancelled()
        if progress:
            progress(Progress("match", step_offset + i, total, check.id, texts.text("progress", "match")))
        status, value = _run_guarded(lambda: check.run(ctx), time_limit, cancel)
        if status == "cancelled":
            raise ScanCancelled()
        if status == "ok":
            raw.extend(value)
        elif status == "timeout":
            problems.append(NotRead.about(check.id, "timeout",
                                          Words.of(N_("stopped after {seconds} s"), seconds=f"{time_limit:.0f}"),
                                          check.what))
        else:
            problems.append(NotRead(check.id, "fault", _describe(value), check.what))
    return merge(raw, index), problems


def merge(raw: Iterable[Finding], index: CompiledSet) -> list[Finding]:
    """One finding per family (its evidence from every check), then heuristic findings about
    records no family explains; sorted most serious first."""
    by_family: dict[str, list[Finding]] = {}
    others: list[Finding] = []
    for f in raw:
        (by_family.setdefault(f.family, []) if f.family else others).append(f)
    explained = set()
    findings: list[Finding] = []
    families = getattr(index, "family_by_id", None) or {fam.id: fam for fam in index.sigset.families}
    for fid, group in by_family.items():
        evidence = [e for f in group for e in f.evidence]
        for e in evidence:
            explained.add((e.record_kind, id(e.record)))
        fam = families[fid]
        findings.append(family_finding(fam, evidence, group[0].check) if len(group) > 1 else group[0])
    seen_heuristic = set()
    for f in others:
        key = (f.heuristic, tuple((e.record_kind, id(e.record)) for e in f.evidence))
        if key in seen_heuristic or all((e.record_kind, id(e.record)) in explained for e in f.evidence):
            continue
        seen_heuristic.add(key)
        findings.append(f)
    from .remote_sessions import raise_if_used
    for f in findings:
        raise_if_used(f)        # a remote-access tool someone came in through is serious
    findings.sort(key=Finding.sort_key)
    return findings


def run_scan(*, signatures: SignatureSet, machine: Machine | None = None, snapshot: Snapshot | None = None,
             sources: Sequence[Source] | None = None, checks: Sequence[Check] | None = None,
             progress: Callable[[Progress], None] | None = None, cancel: threading.Event | None = None,
             time_limit: float = SOURCE_TIME_LIMIT) -> ScanResult:
    """Scan a machine (live by default) or match a saved snapshot. Raises only ScanCancelled."""
    index = compile_set(signatures)
    checks = list(all_checks() if checks is None else checks)
    scanned_now = snapshot is None
    if snapshot is None:
        if machine is None:
            machine = Machine.live_machine(Locations(*index.probe_places(_this_platform())))
        else:
            machine.locations = Locations(*index.probe_places(machine.platform))
        sources = [s for s in (all_sources(machine.platform) if sources is None else sources)
                   if machine.platform in s.platforms]
        total = len(sources) + len(checks)
        snapshot = collect(machine, sources, progress=progress, cancel=cancel, total=total,
                           time_limit=time_limit)
        offset = len(sources)
    else:
        total, offset = len(checks), 0
    findings, problems = match(snapshot, index, checks, progress=progress, cancel=cancel,
                               step_offset=offset, total=total, time_limit=time_limit)
    if signatures.changed:
        findings.insert(0, _signatures_changed(signatures.changed))
    not_read = list(snapshot.not_read) + problems
    for p in signatures.problems:
        where = i18n.say(file_words(p.file))
        not_read.append(NotRead.about("signatures", "error", f"{where}:{p.line}: {i18n.say(p.words)}",
                                      Words.of(N_("the signature file {file}"), file=where)))
    # The advice for what this account could not read fits the account that ran the scan; for a
    # snapshot made elsewhere that account is unknown, so the ordinary advice is given.
    elevated = scanned_now and machine.live and running_as_administrator()
    not_checked = [_not_checked(n, snapshot.platform, elevated=elevated) for n in not_read]
    checked = _checked_words(snapshot, sources)
    if progress:
        progress(Progress("done", total, total, "done", texts.text("progress", "done")))
    return ScanResult(snapshot=snapshot, findings=findings, not_checked=not_checked,
                      signatures=signatures, checked=checked)


def _signatures_changed(changes: list[str]) -> Finding:
    """The signature set differs from its manifest: someone may have hidden their software."""
    from device_checkup.signatures.manifest import data_folder
    from .heuristics import finding
    from .records import SignatureChange
    items = [SignatureChange(folder=data_folder(), change=c) for c in changes]
    f = finding("signatures-changed", "signatures", "signature_changes", items[0], value="; ".join(changes))
    f.evidence = [Evidence("signatures", "signature_changes", item, []) for item in items]
    return f


def _checked_words(snapshot: Snapshot, sources: Sequence[Source] | None) -> list[str]:
    by_id = {s.id: s.what for s in (sources if sources is not None else all_sources(snapshot.platform))}
    words = []
    for sid, count in snapshot.sources.items():
        what = i18n._(by_id.get(sid, sid))      # a source's words, in the catalogue (tools/translations.py)
        if what not in words:
            words.append(what)
    return words


def _this_platform() -> str:
    from .sources.base import this_platform
    return this_platform()
