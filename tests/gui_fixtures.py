"""Fake scans for the app's tests and screenshots, built with the REAL engine: small sources
that yield records, a signature set from a small YAML text, a source that fails, one that is
refused, and one that waits (polling, so tests stay fast) until it is released."""
from __future__ import annotations

import json
import tempfile
import textwrap
import threading

from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import AutostartEntry, InstalledApp, Process, Service, Setting
from device_checkup.checks.sources.base import Machine, Source
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.signatures.loader import SignatureSet, load_file

ALL = frozenset({"windows", "macos", "linux"})

_SIGNATURES = textwrap.dedent("""\
    schema: 1
    name: Test signatures
    version: "1"
    license: CC BY 4.0
    attribution: Contains data from Echap stalkerware-indicators (CC BY 4.0) and LOLRMM (Apache-2.0).
    families:
      - id: spyagent
        name: SpyAgent
        tier: stalkerware
        description: <spyagent>
        sources: [https://example.org/spyagent]
        indicators:
          process_names: [sysdiag.exe]
          service_names: [sysdiag]
      - id: activtrak
        name: ActivTrak
        tier: monitoring
        description: <activtrak>
        sources: [https://example.org/activtrak]
        indicators:
          process_names: [scthost.exe]
      - id: teamviewer
        name: TeamViewer
        tier: remote-access
        description: <teamviewer>
        sources: [https://example.org/teamviewer]
        indicators:
          process_names: [teamviewer_service.exe]
      - id: kidlogger
        name: KidLogger
        tier: watchware
        description: <kidlogger>
        sources: [https://example.org/kidlogger]
        indicators:
          program_names: [KidLogger]
    """)


def _builtin_descriptions(ids) -> dict[str, str]:
    """These families' descriptions in the built-in set: the words a person sees for them, and
    messages of the catalogue, so the pseudo-locale and Polish tests see them translated."""
    from device_checkup.signatures.loader import builtin_paths
    out = {}
    for path in builtin_paths():
        if path.endswith(("curated.yaml", "remote-access.yaml")):
            sf, _ = load_file(path)
            out.update({f.id: f.description for f in sf.families if f.id in ids})
    assert set(out) == set(ids), set(ids) - set(out)
    return out


# Real names, tiers and descriptions, found by made-up indicators.
SIGNATURES = _SIGNATURES
for _fid, _text in _builtin_descriptions({"spyagent", "activtrak", "teamviewer", "kidlogger"}).items():
    SIGNATURES = SIGNATURES.replace(f"<{_fid}>", json.dumps(_text))


def signature_set(text: str = SIGNATURES) -> SignatureSet:
    sf, problems = load_file("test-signatures.yaml", text=text, user_file=False)
    assert not problems, problems
    return SignatureSet(files=[sf])


class ListSource(Source):
    platforms = ALL

    def __init__(self, kind: str, records, sid: str, what: str):
        self.kind, self.id, self.what = kind, sid, what
        self.records = list(records)

    def collect(self, machine, notes):
        return iter(self.records)


class FailingSource(Source):
    id = "test.failing"
    kind = "autostart"
    what = "programs that start by themselves"
    platforms = ALL

    def collect(self, machine, notes):
        raise RuntimeError("the disk fell off")


class RefusedSource(Source):
    id = "test.refused"
    kind = "tasks"
    what = "scheduled tasks"
    platforms = ALL

    def collect(self, machine, notes):
        raise PermissionError(13, "Access is denied")


class WaitingSource(Source):
    """Waits until ``release`` is set (polling in short steps). The engine stops waiting for it
    as soon as the scan is cancelled."""
    id = "test.waiting"
    kind = "apps"
    what = "installed programs"
    platforms = ALL

    def __init__(self):
        self.release = threading.Event()
        self.started = threading.Event()

    def collect(self, machine, notes):
        self.started.set()
        for _ in range(600):
            if self.release.wait(0.05):
                break
        return []


SPY = Process(pid=4242, name="sysdiag.exe", exe=r"C:\Program Files (x86)\sysconfig\sysdiag.exe",
              cmdline=(r"C:\Program Files (x86)\sysconfig\sysdiag.exe", "/hidden"), user="alex")
SPY_SERVICE = Service(name="sysdiag", source="services", start="automatic", state="running", executable=r"C:\Program Files (x86)\sysconfig\sysdiag.exe")
MONITOR = Process(pid=3100, name="scthost.exe", exe=r"C:\Program Files (x86)\SCT\scthost.exe")
REMOTE = Process(pid=5120, name="teamviewer_service.exe",
                 exe=r"C:\Program Files\TeamViewer\TeamViewer_Service.exe")
ORDINARY = Process(pid=880, name="firefox.exe", exe=r"C:\Program Files\Mozilla Firefox\firefox.exe")
KIDS = InstalledApp(name="KidLogger", source="uninstall-key", version="1.6", location=r"C:\Program Files\KidLogger")
HIDDEN_START = AutostartEntry(kind="run-key", name="svchost", location=r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
                              executable=r"C:\Users\alex\AppData\Roaming\svchost.exe", command=r"C:\Users\alex\AppData\Roaming\svchost.exe")
PROXY = Setting(kind="proxy", name="Web proxy", value="10.9.8.7:3128",
                location=r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings")


def spy_sources():
    return [ListSource("processes", [ORDINARY, SPY], "test.processes", "programs that are running now"),
            ListSource("services", [SPY_SERVICE], "test.services", "background services")]


def every_tier_sources():
    return [ListSource("processes", [ORDINARY, SPY, MONITOR, REMOTE], "test.processes", "programs that are running now"),
            ListSource("services", [SPY_SERVICE], "test.services", "background services"),
            ListSource("apps", [KIDS], "test.apps", "installed programs"),
            ListSource("autostart", [HIDDEN_START], "test.autostart", "programs that start by themselves"),
            ListSource("settings", [PROXY], "test.settings", "network and security settings"),
            FailingSource(), RefusedSource()]


def make_scan(sources, sigset: SignatureSet | None = None, platform: str = "windows", root: str | None = None):
    """A scan function for MainWindow(scan=…): the real engine over the given sources."""
    sigs = sigset or signature_set()
    root = root or tempfile.mkdtemp(prefix="checkup-test-root-")

    def scan(*, progress, cancel, user_paths):
        machine = Machine(platform=platform, fs=FileSystem(platform, root), live=True)
        return run_scan(signatures=sigs, machine=machine, sources=list(sources),
                        progress=progress, cancel=cancel)
    return scan


class FakeDialogs:
    """Dialogs that answer at once and remember what was asked."""

    def __init__(self, answer: bool = False, files=(), save_to: str | None = None, earlier: str | None = None):
        self.answer = answer
        self.files = list(files)
        self.save_to = save_to
        self.earlier = earlier
        self.saved: list[tuple[str, str]] = []
        self.asked: list[tuple[str, str]] = []
        self.opened: list[str] = []

    def ask(self, parent, title, text, yes, no):
        self.asked.append((title, text))
        return self.answer

    def open_files(self, parent):
        return list(self.files)

    def save_file(self, parent, suggested):
        return self.save_to

    def open_url(self, url):
        self.opened.append(url)
        return True

    def open_earlier(self, parent):
        return self.earlier

    def report_saved(self, parent, path, sha256):
        self.saved.append((path, sha256))


# -- pytest fixture: a shown main window with fake dialogs, quit and hard exit ----------------
import time as _time

import pytest


class Clock:
    """A clock the test moves by hand (no sleeping, no timed assertions)."""

    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def make_window(qtbot, qapp):
    from device_checkup.app.gui.style import STYLE
    from device_checkup.app.gui.window import MainWindow
    qapp.setStyleSheet(STYLE)
    made = []

    def make(scan=None, dialogs=None, clock=None):
        quits: list[int] = []
        hard: list[int] = []
        w = MainWindow(scan=scan or make_scan(spy_sources()), dialogs=dialogs or FakeDialogs(),
                       clock=clock or _time.monotonic, quit=lambda: quits.append(1),
                       hard_exit=lambda code: hard.append(code))
        w.quits, w.hard_exits = quits, hard
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w

    yield make
    for w in made:
        w.shutdown()
