"""Failing parts of a real scan: each real source and each real check made to raise or hang, on
the planted Windows, macOS and Linux disks; running programs the system won't describe; and every
part failing at once. The rest of the scan completes, and each problem is said once, in plain
words, with no traceback.

(Programs that end while they are listed, and checks run as the 'nobody' user who may read almost
nothing, live in tests/test_hostile_trees.py.)
"""
from __future__ import annotations

import json
import os
import re
import threading

import pytest

from device_checkup.checks import texts
from device_checkup.checks.engine import all_checks, run_scan
from device_checkup.checks.sources import all_sources
from device_checkup.checks.sources.base import Machine
from device_checkup.signatures.loader import load_set
from tests.test_no_network_no_traces import planted_tree

PLATFORMS = ("windows", "macos", "linux")
# What a person must never see in the plain line: Python's own words for a failure.
PYTHON_WORDS = re.compile(r"Traceback|Error\b|Exception|\w+Error:|File \"")


@pytest.fixture(scope="module")
def shipped():
    return load_set()


@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    root = tmp_path_factory.mktemp("disks")
    return {p: planted_tree(p, root / p) for p in PLATFORMS}


@pytest.fixture(scope="module")
def baseline(disks, shipped):
    return {p: run_scan(signatures=shipped, machine=Machine.offline(str(disks[p]), p)) for p in PLATFORMS}


def offline_sources(platform: str) -> list:
    return [s for s in all_sources() if platform in s.platforms and not s.live_only]


def source_cases():
    return [pytest.param(p, s.id, id=f"{p}-{s.id}") for p in PLATFORMS for s in offline_sources(p)]


def families(result) -> set[str]:
    return {f.family for f in result.findings if f.family}


def plain(n) -> None:
    """One problem, said as the app says it: its own plain words, no Python in them."""
    assert n.what and not PYTHON_WORDS.search(n.what), n
    assert n.reason_words == texts.reason_words(n.reason)
    assert not PYTHON_WORDS.search(n.reason_words), n
    assert not PYTHON_WORDS.search(n.how), n


class Boom(RuntimeError):
    pass


def raising_after(real_collect, count: int = 1):
    """A source that reads a little, then breaks half way (the likeliest real failure)."""
    def collect(machine, notes):
        for i, record in enumerate(real_collect(machine, notes)):
            if i >= count:
                break
            yield record
        raise Boom("parser fell over at /some/file")
    return collect


# -- a source that raises ----------------------------------------------------------------------
@pytest.mark.parametrize("platform, sid", source_cases())
def test_a_source_that_raises_is_one_plain_line_and_the_rest_is_found(disks, shipped, baseline, monkeypatch,
                                                                      platform, sid):
    victim = next(s for s in all_sources() if s.id == sid)
    monkeypatch.setattr(victim, "collect", raising_after(victim.collect))
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disks[platform]), platform))
    before = baseline[platform]

    new = [n for n in result.not_checked if (n.source, n.reason) not in
           {(b.source, b.reason) for b in before.not_checked}]
    assert [(n.source, n.reason, n.what) for n in new] == [(sid, "fault", victim.what)]
    plain(new[0])
    assert new[0].detail == "Boom: parser fell over at /some/file"        # kept for an advocate
    # Every other source read exactly what it read before.
    assert sid not in result.snapshot.sources
    assert {k: v for k, v in before.snapshot.sources.items() if k != sid} == result.snapshot.sources
    # Whatever the planted software left in records this source does not make is still found.
    still = {f.family for f in before.findings if f.family and
             any(e.record_kind != victim.kind for e in f.evidence)}
    assert still <= families(result), (still, families(result))


# -- a check that raises -----------------------------------------------------------------------
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("check_id", [c.id for c in all_checks()])
def test_a_check_that_raises_is_one_plain_line_and_the_rest_is_found(disks, shipped, baseline, monkeypatch,
                                                                     platform, check_id):
    victim = next(c for c in all_checks() if c.id == check_id)

    def run(self, ctx):
        raise Boom("matching fell over")

    monkeypatch.setattr(type(victim), "run", run)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disks[platform]), platform))
    before = baseline[platform]

    assert result.snapshot.sources == before.snapshot.sources           # reading was untouched
    new = result.not_checked[len(before.not_checked):]
    assert [(n.source, n.reason, n.what) for n in new] == [(check_id, "fault", victim.what)]
    plain(new[0])
    still = {f.family for f in before.findings if f.family and any(e.check != check_id for e in f.evidence)}
    assert still <= families(result), (still, families(result))


# -- a part that hangs -------------------------------------------------------------------------
@pytest.fixture
def release():
    """Lets every hung part go when the test ends, and proves the left-behind helper ended too."""
    gate = threading.Event()
    ended = threading.Event()
    yield gate, ended
    gate.set()
    assert ended.wait(10)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_source_that_hangs_is_left_behind_and_the_rest_is_found(disks, shipped, baseline, monkeypatch,
                                                                  release, platform):
    gate, ended = release
    victim = next(s for s in offline_sources(platform) if s.id.startswith("autostart."))

    def collect(machine, notes):
        try:
            gate.wait()                 # stuck, e.g. on a network share that stopped answering
        finally:
            ended.set()
        return iter(())

    monkeypatch.setattr(victim, "collect", collect)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disks[platform]), platform), time_limit=3)
    before = baseline[platform]

    new = result.not_checked[len(before.not_checked):]
    assert [(n.source, n.reason, n.what, n.detail) for n in new] == \
        [(victim.id, "timeout", victim.what, "stopped after 3 s")]
    plain(new[0])
    assert {k: v for k, v in before.snapshot.sources.items() if k != victim.id} == result.snapshot.sources
    still = {f.family for f in before.findings if f.family and any(e.record_kind != "autostart" for e in f.evidence)}
    assert still and still <= families(result)


def test_a_check_that_hangs_is_left_behind_and_the_rest_is_found(disks, shipped, baseline, monkeypatch, release):
    gate, ended = release
    from device_checkup.checks.services import ServicesCheck

    def run(self, ctx):
        try:
            gate.wait()
        finally:
            ended.set()
        return []

    monkeypatch.setattr(ServicesCheck, "run", run)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disks["linux"]), "linux"), time_limit=3)
    new = result.not_checked[len(baseline["linux"].not_checked):]
    assert [(n.source, n.reason) for n in new] == [("services", "timeout")]
    plain(new[0])
    # Teramind's service is not matched any more, but its files still are; the rest is found.
    assert families(result) == families(baseline["linux"])
    teramind = next(f for f in result.findings if f.family == "teramind")
    assert {e.check for e in teramind.evidence} == {"files"}


# -- everything fails at once ------------------------------------------------------------------
def break_everything(monkeypatch, platform):
    def collect(machine, notes):
        raise PermissionError(13, "Permission denied", "/")

    for s in all_sources():
        monkeypatch.setattr(s, "collect", collect)

    def run(self, ctx):
        raise Boom("no")

    for c in all_checks():
        monkeypatch.setattr(type(c), "run", run)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_when_every_part_fails_the_scan_still_answers_and_never_says_safe(disks, shipped, monkeypatch, platform):
    break_everything(monkeypatch, platform)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(disks[platform]), platform))
    assert result.findings == []
    ran = [s for s in all_sources() if platform in s.platforms]
    expected = [(s.id, "offline" if s.live_only else "permission") for s in ran] + \
        [(c.id, "fault") for c in all_checks()]
    assert sorted((n.source, n.reason) for n in result.not_checked) == sorted(expected)
    for n in result.not_checked:
        plain(n)
    assert result.headline == texts.text("headlines", "nothing")
    assert "safe" not in result.headline.lower() or "not" in result.headline.lower()


def not_checked_lines(out: str) -> list[str]:
    """The plain lines under "What we could not check", each joined back from its wrapping
    (a bracketed technical detail, indented further, is left out)."""
    section = out.split("== What we could not check ==\n")[1].split("\n\n")[0]
    lines: list[str] = []
    for ln in section.splitlines():
        if ln.startswith("  - "):
            lines.append(ln.strip())
        elif ln.startswith("    ") and not ln.startswith("      "):
            lines[-1] += " " + ln.strip()
    return lines


def test_the_command_line_says_each_failure_in_plain_words(disks, monkeypatch, capsys):
    from device_checkup.app.cli import main
    break_everything(monkeypatch, "linux")
    code = main(["scan", "--root", str(disks["linux"]), "--platform", "linux"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "Traceback" not in out
    lines = not_checked_lines(out)
    whats = {s.what for s in all_sources() if "linux" in s.platforms} | {c.what for c in all_checks()}
    assert {ln.split(", because")[0] for ln in lines} == {f"- We couldn't look at {w}" for w in whats}
    for ln in lines:
        assert not PYTHON_WORDS.search(ln), ln
    assert "== What a scan cannot see ==" in out


def test_the_human_output_holds_no_python_exception_text(disks, monkeypatch, capsys):
    from device_checkup.app.cli import main
    victim = next(s for s in all_sources() if s.id == "autostart.linux")
    monkeypatch.setattr(victim, "collect", raising_after(victim.collect))
    assert main(["scan", "--root", str(disks["linux"]), "--platform", "linux"]) == 0
    out = capsys.readouterr().out
    assert "Boom" not in out and not PYTHON_WORDS.search(out)
    # ...but the fault is said, and where its technical detail is.
    assert "Device Checkup itself ran into a fault there" in out and "JSON output" in out
    assert main(["scan", "--root", str(disks["linux"]), "--platform", "linux", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    (fault,) = [n for n in data["not_checked"] if n["source"] == "autostart.linux"]
    assert fault["reason"] == "fault" and "Boom" in fault["detail"]


# -- running programs the system won't describe ------------------------------------------------
class FakeProc:
    """A running program as psutil shows it to someone not allowed to look at it."""

    def __init__(self, pid: int, name: str | None, fail=None):
        self.pid = pid
        self.info = {"pid": pid, "name": name, "exe": None, "cmdline": None, "username": None,
                     "ppid": None, "create_time": None}
        self.fail = fail

    def net_connections(self, kind="inet"):
        raise self.fail(self.pid)

    connections = net_connections

    def status(self):
        raise self.fail(self.pid)


# Two of the four refuse (other accounts); one ended and one is a zombie: those have simply ended.
PROCESSES_DENIED = ("2 programs would not say which file they run, so they were judged only by the names "
                    "they give themselves" if os.geteuid() == 0 else
                    "2 programs belong to other accounts; which file each runs could not be read, so they "
                    "were judged only by the names they give themselves")


def test_running_programs_that_refuse_everything_are_counted_not_crashed_on(shipped, monkeypatch):
    """Programs of other accounts (access denied), one that ended while listed, one left a zombie;
    and the system refusing the list of connections, as macOS does without an administrator."""
    import psutil

    from device_checkup.checks.sources import system
    procs = [FakeProc(1, "systemd", psutil.AccessDenied), FakeProc(2, None, psutil.NoSuchProcess),
             FakeProc(3, "kworker", psutil.ZombieProcess), FakeProc(4, "launchd", psutil.AccessDenied)]

    def net_connections(kind="inet"):
        raise psutil.AccessDenied()

    monkeypatch.setattr(psutil, "process_iter", lambda attrs=None, ad_value=None: iter(list(procs)))
    monkeypatch.setattr(psutil, "net_connections", net_connections)
    sources = [s for s in system.SOURCES if s.id in ("processes", "connections", "listeners")]
    assert len(sources) == 3
    result = run_scan(signatures=shipped, machine=Machine.live_machine(), sources=sources)

    assert [(p.pid, p.name, p.exe) for p in result.snapshot.of("processes")] == \
        [(1, "systemd", None), (2, "", None), (3, "kworker", None), (4, "launchd", None)]
    assert result.snapshot.of("connections") == [] and result.snapshot.of("listeners") == []
    assert [(n.source, n.reason, n.detail) for n in result.not_checked] == [
        ("processes", "permission", PROCESSES_DENIED),
        ("connections", "permission", "connections of 3 programs could not be read"),
        ("listeners", "permission", "which ports 3 programs listen on could not be read")]
    for n in result.not_checked:
        plain(n)
    assert result.findings == []
