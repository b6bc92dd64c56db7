"""Every indicator in the shipped set can actually fire.

ISDi's lesson: a loader once kept only some labels, so 613 rows could never be flagged. Here
each shipped indicator gets a record synthesised for it — the kind of record a source would
give — and the real checks must report it under the right family.
"""
from __future__ import annotations

import re
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from device_checkup.checks.engine import match
from device_checkup.checks.records import (AutostartEntry, BrowserExtension, Connection, FileItem, InstalledApp, Process,
                            RegistryItem, ScheduledTask, Service)
from device_checkup.checks.snapshot import Snapshot
from device_checkup.signatures.index import compile_set, expand_path, machine_path
from device_checkup.signatures.loader import REFERENCE_KINDS, load_set
import ipaddress


def concrete(glob: str) -> str:
    """A value a glob matches: '*' → 'x', '?' → 'x', '[abc]' → 'a'."""
    glob = re.sub(r"\[!?([^\]])[^\]]*\]", lambda m: m.group(1) if not m.group(0).startswith("[!") else "_", glob)
    return glob.replace("*", "x").replace("?", "x")


def regex_example(pattern: str) -> str:
    found = []

    @settings(max_examples=1, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.from_regex(re.compile(pattern, re.IGNORECASE), fullmatch=True))
    def take(value):
        found.append(value)

    take()
    return found[0]


def synthesise(ind):
    """(platform, record kind, record) a source could give for this indicator."""
    kind = ind.kind
    value = regex_example(ind.value) if ind.regex else concrete(ind.value)
    # A name indicator fires where it can be (a Linux program's name on Linux, .exe on Windows).
    where = ind.platforms[0] if ind.platforms and kind not in ("executable_paths", "file_paths") else "windows"
    if kind == "process_names":
        return [(where, "processes", Process(pid=1, name=value))]
    if kind == "executable_paths":
        return [(plat, "processes", Process(pid=1, name="x", exe=machine_path(concrete(g), plat)))
                for plat in ind.platforms for g in expand_path(ind.value, plat)[:1]]
    if kind == "file_paths":
        return [(plat, "files", FileItem(path=machine_path(concrete(g), plat), is_dir=True, pattern=g))
                for plat in ind.platforms for g in expand_path(ind.value, plat)[:1]]
    if kind == "bundle_ids":
        return [("macos", "apps", InstalledApp(name="x", source="app-bundle", bundle_id=value))]
    if kind == "launchd_labels":
        return [("macos", "autostart", AutostartEntry(kind="launch-agent", name="x.plist", location="/x", label=value))]
    if kind == "autostart_names":
        return [(where, "autostart", AutostartEntry(kind="run-key", name=value, location="HKLM"))]
    if kind == "service_names":
        return [(where, "services", Service(name=value, source="test"))]
    if kind == "task_names":
        return [("windows", "tasks", ScheduledTask(name="\\" + value, source="test"))]
    if kind == "program_names":
        return [(where, "apps", InstalledApp(name=value, source="uninstall-key"))]
    if kind == "extension_ids":
        return [("windows", "extensions", BrowserExtension(browser="chrome", profile="Default", id=value,
                                                           name="x", location="x"))]
    if kind == "domains":
        host = value[2:] if value.startswith("*.") else value
        return [("windows", "autostart", AutostartEntry(kind="run-key", name="x", location="HKLM",
                                                        command=f"x.exe --server https://{host}/p"))]
    if kind == "ips":
        net = ipaddress.ip_network(ind.value, strict=False)
        return [("windows", "connections", Connection(kind="tcp", family=f"ipv{net.version}", local_address="x",
                                                      local_port=1, remote_address=str(net.network_address),
                                                      remote_port=443))]
    if kind == "sha256":
        return [("windows", "processes", Process(pid=1, name="x", sha256=ind.value))]
    if kind == "registry_keys":
        return [("windows", "registry", RegistryItem(key=concrete(ind.value), pattern=ind.value))]
    if kind == "registry_values":
        return [("windows", "registry", RegistryItem(key=concrete(ind.key), pattern=ind.key, value_name=value))]
    raise AssertionError(f"no record for indicator kind {kind}")


@pytest.fixture(scope="module")
def shipped():
    sigset = load_set()
    assert sigset.families, "the built-in set is empty"
    return sigset


def reported_families(sigset) -> dict[str, str]:
    """Family id → the id its findings are reported under (same_as points the other way)."""
    reported = {f.id: f.id for f in sigset.families}
    for fam in sigset.families:
        for other in fam.same_as:
            if reported.get(other) == other:
                reported[other] = fam.id
    def canon(fid):                 # links chain: lolrmm.x → lolrmm.y → curated y
        seen = set()
        while reported[fid] != fid and fid not in seen:
            seen.add(fid)
            fid = reported[fid]
        return fid
    return {fid: canon(fid) for fid in reported}


def test_every_shipped_indicator_fires_for_its_family(shipped):
    index = compile_set(shipped)
    reported = reported_families(shipped)
    by_platform = defaultdict(list)
    expected = []
    for fam in shipped.families:
        for ind in fam.indicators:
            if ind.kind in REFERENCE_KINDS:
                continue              # phone app ids: documented as never looked for on a laptop
            records = synthesise(ind)
            assert records, f"{fam.id}: {ind.kind} {ind.value!r} has no platform to fire on"
            for plat, kind, record in records:
                by_platform[plat].append((kind, record))
                shown = f"{ind.key} → {ind.value}" if ind.key else ind.value
                expected.append(((plat, id(record), reported[fam.id], ind.kind, shown), fam, ind))
    fired = set()
    for plat, items in by_platform.items():
        snap = Snapshot(platform=plat)
        for kind, record in items:
            snap.add(kind, [record])
        findings, problems = match(snap, index)
        assert problems == []
        for f in findings:
            for ev in f.evidence:
                for m in ev.matches:
                    fired.add((plat, id(ev.record), f.family, m.kind, m.indicator))
    missing = [f"{fam.id}: {ind.kind} {ind.value!r}" for key, fam, ind in expected if key not in fired]
    assert not missing, f"{len(missing)} of {len(expected)} indicators can't fire, e.g. {missing[:10]}"
