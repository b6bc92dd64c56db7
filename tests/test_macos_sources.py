"""macOS sources on a disk tree built in a temporary folder (XML and binary property lists)."""
from __future__ import annotations

import datetime as dt
import os
import plistlib
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from checks.engine import run_scan
from checks.sources.base import Machine, Notes
from checks.sources.macos import MacAppsSource, MacAutostartSource, PlistError, btm_items, launchd_job, parse_plist
from signatures.loader import load_set

from .helpers import put


def app(root: Path, path: str, name: str, bundle_id: str, version: str = "1.0", binary: bool = False) -> None:
    info = {"CFBundleName": name, "CFBundleIdentifier": bundle_id, "CFBundleShortVersionString": version,
            "CFBundleExecutable": name}
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    put(root, f"{path}/Contents/Info.plist", plistlib.dumps(info, fmt=fmt))
    put(root, f"{path}/Contents/MacOS/{name}", b"\xcf\xfa\xed\xfe")


def agent(root: Path, path: str, label: str, args: list[str], binary: bool = False, **more) -> None:
    job = {"Label": label, "ProgramArguments": args, "RunAtLoad": True, **more}
    put(root, path, plistlib.dumps(job, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML))


def btm(paths: list[str], bundle_ids: list[str]) -> bytes:
    """A keyed archive shaped like backgrounditems.btm: file URLs and ids among other objects."""
    objects = ["$null", {"$class": plistlib.UID(3)}, "backgroundItems",
               {"$classname": "BackgroundItems", "$classes": ["BackgroundItems", "NSObject"]}]
    for p in paths:
        objects += [{"NS.relative": plistlib.UID(len(objects) + 1)}, f"file://{p.replace(' ', '%20')}/"]
    objects += bundle_ids + ["com.apple.Safari", "NSMutableArray"]
    return plistlib.dumps({"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"root": plistlib.UID(1)},
                           "$objects": objects}, fmt=plistlib.FMT_BINARY)


def build(root: Path, planted: bool = True) -> Path:
    put(root, "/System/Library/CoreServices/SystemVersion.plist",
        plistlib.dumps({"ProductName": "macOS", "ProductVersion": "14.6.1"}))
    for user in ("alex", "sam"):
        (root / "Users" / user / "Library").mkdir(parents=True, exist_ok=True)
    (root / "Users/Shared").mkdir(parents=True, exist_ok=True)
    os.symlink("private/var", root / "var")
    app(root, "/Applications/Google Chrome.app", "Google Chrome", "com.google.Chrome", "131.0.6778.86")
    app(root, "/Applications/Firefox.app", "Firefox", "org.mozilla.firefox", "132.0", binary=True)
    app(root, "/Applications/zoom.us.app", "zoom.us", "us.zoom.xos", "6.2.11")
    app(root, "/Applications/Slack.app", "Slack", "com.tinyspeck.slackmacgap", "4.41.97")
    app(root, "/Applications/Dropbox.app", "Dropbox", "com.getdropbox.dropbox", "210.4.4970")
    app(root, "/Applications/Utilities/1Password 7.app", "1Password 7", "com.agilebits.onepassword7")
    app(root, "/Users/sam/Applications/Spotify.app", "Spotify", "com.spotify.client", "1.2.50", binary=True)
    agent(root, "/Library/LaunchAgents/com.google.keystone.agent.plist", "com.google.keystone.user.agent",
          ["/Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle/Contents/Resources/GoogleSoftwareUpdateAgent.app/Contents/MacOS/GoogleSoftwareUpdateAgent", "-runMode", "ifneeded"])
    agent(root, "/Library/LaunchDaemons/us.zoom.ZoomDaemon.plist", "us.zoom.ZoomDaemon",
          ["/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon"], binary=True)
    agent(root, "/Users/alex/Library/LaunchAgents/com.dropbox.DropboxMacUpdate.agent.plist",
          "com.dropbox.DropboxMacUpdate.agent",
          ["/Users/alex/Library/Dropbox/DropboxMacUpdate.app/Contents/MacOS/DropboxMacUpdate", "-check"], Disabled=True)
    put(root, "/Users/alex/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm",
        btm(["/Applications/Dropbox.app"], ["com.getdropbox.dropbox"]))
    put(root, "/private/var/db/receipts/us.zoom.pkg.videomeeting.plist", plistlib.dumps(
        {"PackageIdentifier": "us.zoom.pkg.videomeeting", "PackageVersion": "6.2.11",
         "InstallDate": dt.datetime(2026, 10, 2, 9, 30)}))
    put(root, "/private/var/db/receipts/com.apple.pkg.XProtectPayloads.plist",
        plistlib.dumps({"PackageIdentifier": "com.apple.pkg.XProtectPayloads"}))
    if planted:
        # iKeyMonitor's update agent (curated launchd label) and Spyrix's hidden app folder.
        agent(root, "/Library/LaunchAgents/com.ab.em.update.plist", "com.ab.em.update",
              ["/Library/ab/em/update", "-d"], binary=True)
        app(root, "/Library/skm/Spyrix.app", "Spyrix", "com.spyrix.skm")
        # Hubstaff, installed and started at login.
        app(root, "/Applications/Hubstaff.app", "Hubstaff", "com.netsoft.Hubstaff", "1.6.28")
        put(root, "/private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v13.btm",
            btm(["/Applications/Hubstaff.app"], ["com.netsoft.Hubstaff"]))
        # Heuristic bait: an Apple-looking agent running a system name from a hidden folder.
        agent(root, "/Users/sam/Library/LaunchAgents/com.apple.softwareupdated.plist", "com.apple.softwareupdated",
              ["/Users/sam/Library/Application Support/.cache2/softwareupdated"])
        put(root, "/private/var/at/tabs/alex", "@reboot /private/tmp/.u/run\n")
    return root


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    return build(tmp_path_factory.mktemp("macos") / "disk")


def collect(source, machine):
    notes = Notes(source.id)
    return list(source.collect(machine, notes)), notes.items


def test_autostart_entries(disk):
    records, notes = collect(MacAutostartSource(), Machine.offline(str(disk), "macos"))
    got = {(r.kind, r.label or r.name, r.user, r.enabled) for r in records}
    assert got == {
        ("launch-agent", "com.google.keystone.user.agent", None, None),
        ("launch-agent", "com.ab.em.update", None, None),
        ("launch-daemon", "us.zoom.ZoomDaemon", None, None),
        ("launch-agent", "com.dropbox.DropboxMacUpdate.agent", "alex", False),
        ("launch-agent", "com.apple.softwareupdated", "sam", None),
        ("login-item", "Dropbox.app", "alex", None), ("login-item", "com.getdropbox.dropbox", "alex", None),
        ("login-item", "Hubstaff.app", None, None), ("login-item", "com.netsoft.Hubstaff", None, None),
        ("cron", "run", "alex", True),
    }
    zoom = next(r for r in records if r.label == "us.zoom.ZoomDaemon")
    assert zoom.executable == "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon"
    hub = next(r for r in records if r.bundle_id == "com.netsoft.Hubstaff")
    assert hub.location.endswith("BackgroundItems-v13.btm")
    assert notes == []


def test_apps_and_receipts(disk):
    records, _ = collect(MacAppsSource(), Machine.offline(str(disk), "macos"))
    got = {(r.source, r.name, r.bundle_id, r.user) for r in records}
    assert got == {
        ("app-bundle", "Google Chrome", "com.google.Chrome", None), ("app-bundle", "Firefox", "org.mozilla.firefox", None),
        ("app-bundle", "zoom.us", "us.zoom.xos", None), ("app-bundle", "Slack", "com.tinyspeck.slackmacgap", None),
        ("app-bundle", "Dropbox", "com.getdropbox.dropbox", None),
        ("app-bundle", "1Password 7", "com.agilebits.onepassword7", None),
        ("app-bundle", "Hubstaff", "com.netsoft.Hubstaff", None), ("app-bundle", "Spotify", "com.spotify.client", "sam"),
        ("pkg-receipt", "us.zoom.pkg.videomeeting", "us.zoom.pkg.videomeeting", None),
    }
    receipt = next(r for r in records if r.source == "pkg-receipt")
    assert receipt.installed == "2026-10-02T09:30:00" and receipt.version == "6.2.11"


def test_the_planted_disk_shows_what_was_planted(disk):
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "macos"))
    families = {(f.tier, f.family) for f in result.findings if f.family}
    assert families == {("stalkerware", "ikeymonitor"), ("stalkerware", "spyrix"), ("monitoring", "hubstaff")}
    heuristics = sorted((f.heuristic, f.evidence[0].record.name) for f in result.findings if f.heuristic)
    # The Apple-looking agent is two signs at once: a system name, and a hidden folder.
    assert heuristics == [("hidden-or-temporary-start", "com.apple.softwareupdated.plist"),
                          ("hidden-or-temporary-start", "run"),
                          ("system-name-wrong-place", "com.apple.softwareupdated.plist")]


def test_the_same_disk_without_plants_shows_nothing(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "macos"))
    assert [(f.tier, f.title) for f in result.findings if f.tier != "settings"] == []


def test_broken_and_hostile_property_lists_become_notes(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    put(disk, "/Library/LaunchAgents/junk.plist", os.urandom(2000))
    put(disk, "/Library/LaunchAgents/truncated.plist", plistlib.dumps({"Label": "x", "Program": "/x"})[:60])
    put(disk, "/Library/LaunchAgents/entities.plist",
        '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa">]><plist><dict><key>Label</key>'
        "<string>&a;&a;</string></dict></plist>")
    put(disk, "/Library/LaunchAgents/list.plist", plistlib.dumps(["not", "a", "dict"]))
    put(disk, "/Users/alex/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm",
        b"bplist00" + os.urandom(500))
    records, notes = collect(MacAutostartSource(), Machine.offline(str(disk), "macos"))
    broken = {r.name for r in records if r.kind == "launch-agent" and r.label is None}
    assert broken == {"junk.plist", "truncated.plist", "entities.plist", "list.plist"}
    assert len(notes) == 5 and all(n.reason == "error" for n in notes)


def test_links_out_of_the_disk_are_not_followed(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    outside = tmp_path / "outside.plist"
    outside.write_bytes(plistlib.dumps({"Label": "OUTSIDE.label", "Program": "/OUTSIDE"}))
    os.symlink(str(outside), disk / "Library/LaunchAgents/escape.plist")
    os.symlink("../../../outside.plist", disk / "Library/LaunchDaemons/climb.plist")
    records, _ = collect(MacAutostartSource(), Machine.offline(str(disk), "macos"))
    assert "OUTSIDE" not in repr(records)


def test_launchd_and_btm_readers():
    assert launchd_job({"Label": "a", "Program": "/p", "ProgramArguments": ["/q", "-x"], "Disabled": False}) == \
        ("a", "/q -x", "/p", True)
    assert launchd_job({"ProgramArguments": "not a list", "Label": 5}) == (None, "", None, None)
    assert btm_items({"$objects": "nope"}) == []
    with pytest.raises(PlistError):
        parse_plist(b"<plist>" * 10)


def _nested(depth: int) -> bytes:
    return ("<plist><dict><key>a</key>" + "<array>" * depth + "</array>" * depth + "</dict></plist>").encode()


def test_deep_nesting_is_refused_not_a_crash():
    try:
        parse_plist(_nested(50_000))
    except PlistError:
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=800))
def test_the_plist_reader_only_ever_says_plist_error(data):
    for blob in (data, b"bplist00" + data, plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY)[:len(data) % 60] + data):
        try:
            value = parse_plist(blob)
            btm_items(value)
            launchd_job(value)
        except PlistError:
            pass
