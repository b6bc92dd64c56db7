"""macOS sources on the committed Mac disk in tests/fixtures/macos (built by macos-build.py).

Hostile variants are copies of that disk in a temporary folder, with junk planted in them.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import os
import plistlib
import shutil
import struct
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from device_checkup.checks.engine import run_scan
from device_checkup.checks.records import AutostartEntry, InstalledApp
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.macos import (SOURCES, BtmItem, MacAppsSource, MacAutostartSource, PlistError, bookmark_path,
                                  btm_items, bundle_id_in, launchd_job, loginitems_list, parse_plist)
from device_checkup.signatures.loader import load_set

from .helpers import put

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DISK = FIXTURES / "macos"
_spec = importlib.util.spec_from_file_location("macos_build", FIXTURES / "macos-build.py")
builder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(builder)



def build(root: Path, planted: bool = True) -> Path:
    """The fixture disk built afresh at ``root`` (other tests plant links or trace a scan in it)."""
    return builder.build(root, planted)


KEYSTONE = ("/Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle/Contents/Resources/"
            "GoogleSoftwareUpdateAgent.app/Contents/MacOS/GoogleSoftwareUpdateAgent")
SYSTEM_BTM = "/private/var/db/com.apple.backgroundtaskmanagement/BackgroundItems-v13.btm"
ALEX_BTM = "/Users/alex/Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"


def collect(source, root: Path | str = DISK):
    notes = Notes(source.id)
    return list(source.collect(Machine.offline(str(root), "macos"), notes)), notes.items


def copy_of_disk(tmp_path: Path) -> Path:
    target = tmp_path / "disk"
    shutil.copytree(DISK, target, symlinks=True)
    return target


def A(kind, name, location, command="", executable=None, user=None, enabled=None, label=None, bundle_id=None):
    return AutostartEntry(kind=kind, name=name, location=location, command=command, executable=executable, user=user,
                          enabled=enabled, label=label, bundle_id=bundle_id)


def agent(kind, folder, file, label, program, args="", user=None, enabled=None):
    command = program + (" " + args if args else "")
    return A(kind, file, f"{folder}/{file}", command, program, user, enabled, label)


EXPECTED_AUTOSTART = [
    agent("launch-agent", "/Library/LaunchAgents", "com.ab.em.update.plist", "com.ab.em.update", "/Library/ab/em/update", "-d"),
    agent("launch-agent", "/Library/LaunchAgents", "com.google.keystone.agent.plist", "com.google.keystone.user.agent",
          KEYSTONE, "-runMode ifneeded"),
    agent("launch-daemon", "/Library/LaunchDaemons", "com.cache.cleaner.plist", "com.cache.cleaner", "/tmp/cache/cleaner",
          "--quiet"),
    # The link that climbs out of the disk: listed by its name, never read.
    A("launch-daemon", "com.example.escape.plist", "/Library/LaunchDaemons/com.example.escape.plist"),
    agent("launch-daemon", "/Library/LaunchDaemons", "com.google.keystone.daemon.plist", "com.google.keystone.daemon",
          "/Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle/Contents/Helpers/ksinstall", "--monitor"),
    agent("launch-daemon", "/Library/LaunchDaemons", "com.teamviewer.teamviewer_service.plist",
          "com.teamviewer.teamviewer_service", "/Applications/TeamViewer.app/Contents/MacOS/TeamViewer_Service"),
    agent("launch-daemon", "/Library/LaunchDaemons", "us.zoom.ZoomDaemon.plist", "us.zoom.ZoomDaemon",
          "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon"),
    A("launch-agent", "com.apple.systemupdate.plist", "/Users/alex/Library/LaunchAgents/com.apple.systemupdate.plist",
      '"/Users/alex/Library/Application Support/SystemUpdate/softwareupdated"',
      "/Users/alex/Library/Application Support/SystemUpdate/softwareupdated", "alex", None, "com.apple.systemupdate"),
    agent("launch-agent", "/Users/alex/Library/LaunchAgents", "com.dropbox.DropboxMacUpdate.agent.plist",
          "com.dropbox.DropboxMacUpdate.agent",
          "/Users/alex/Library/Dropbox/DropboxMacUpdate.app/Contents/MacOS/DropboxMacUpdate", "-check", "alex", False),
    agent("launch-agent", "/Users/sam/Library/LaunchAgents", "com.spotify.webhelper.plist", "com.spotify.webhelper",
          "/Users/sam/Applications/Spotify.app/Contents/MacOS/SpotifyWebHelper", user="sam", enabled=True),
    agent("launch-agent", "/Users/sam/Library/LaunchAgents", "local.agent.plist", "local.agent", "/Users/sam/.hidden/agent",
          user="sam"),
    # alex's macOS 12 archive: Dropbox from a bookmark, Slack from a file URL.
    A("login-item", "Dropbox.app", ALEX_BTM, "/Applications/Dropbox.app", "/Applications/Dropbox.app", "alex"),
    A("login-item", "Slack.app", ALEX_BTM, "/Applications/Slack.app", "/Applications/Slack.app", "alex"),
    # The macOS 13+ archive: Apple's Safari and Google's developer group are left out.
    A("login-item", "Google Updater", SYSTEM_BTM, KEYSTONE, KEYSTONE, label="com.google.keystone.user.agent"),
    A("login-item", "us.zoom.ZoomDaemon", SYSTEM_BTM, "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon",
      "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon", label="us.zoom.ZoomDaemon", bundle_id="us.zoom.xos"),
    A("login-item", "Hubstaff", SYSTEM_BTM, "/Applications/Hubstaff.app", "/Applications/Hubstaff.app",
      bundle_id="com.netsoft.Hubstaff"),
    A("login-item", "userage", SYSTEM_BTM, "/Library/Application Support/userage/userage.app",
      "/Library/Application Support/userage/userage.app", bundle_id="com.ikm.macos.userage"),
    A("login-item", "Spotify", "/Users/sam/Library/Preferences/com.apple.loginitems.plist",
      "/Users/sam/Applications/Spotify.app", "/Users/sam/Applications/Spotify.app", "sam"),
    A("login-hook", "LoginHook", "/private/var/root/Library/Preferences/com.apple.loginwindow.plist",
      "/Library/.Refog/rhook", "/Library/.Refog/rhook", enabled=True),
    # Read once, though /usr/lib/cron/tabs leads to the same folder.
    A("cron", "run", "/private/var/at/tabs/alex", "@reboot /private/tmp/.u/run", "/private/tmp/.u/run", "alex", True),
    A("cron", "brew", "/private/var/at/tabs/sam", "30 9 * * 1 /opt/homebrew/bin/brew update >/dev/null 2>&1",
      "/opt/homebrew/bin/brew", "sam", True),
]


def bundle(name, bundle_id, version, location=None, user=None):
    return InstalledApp(name=name, source="app-bundle", version=version, location=location or f"/Applications/{name}.app",
                        bundle_id=bundle_id, user=user)


EXPECTED_APPS = [
    bundle("1Password", "com.1password.1password", "8.10.48"),
    bundle("Adobe Acrobat", "com.adobe.Acrobat.Pro", "24.004.20219", "/Applications/Adobe Acrobat DC/Adobe Acrobat.app"),
    bundle("Dropbox", "com.getdropbox.dropbox", "210.4.4970"),
    bundle("Firefox", "org.mozilla.firefox", "132.0.2"),
    bundle("Google Chrome", "com.google.Chrome", "131.0.6778.86"),
    bundle("Hubstaff", "com.netsoft.Hubstaff", "1.6.28"),
    bundle("Slack", "com.tinyspeck.slackmacgap", "4.41.97"),
    bundle("TeamViewer", "com.teamviewer.TeamViewer", "15.59.5"),
    bundle("zoom.us", "us.zoom.xos", "6.2.11"),
    bundle("Spotify", "com.spotify.client", "1.2.50.335", "/Users/sam/Applications/Spotify.app", "sam"),
    InstalledApp(name="us.zoom.pkg.videomeeting", source="pkg-receipt", version="6.2.11",
                 location="/private/var/db/receipts/us.zoom.pkg.videomeeting.plist", bundle_id="us.zoom.pkg.videomeeting",
                 installed="2026-10-02T09:30:00"),
]


# -- the committed disk ------------------------------------------------------------------
def test_sources_are_declared_for_macos():
    assert [(s.id, s.kind, s.platforms, s.live_only) for s in SOURCES] == [
        ("autostart.macos", "autostart", frozenset({"macos"}), False),
        ("apps.macos", "apps", frozenset({"macos"}), False)]
    assert all(s.what and "{" not in s.what for s in SOURCES)


def test_autostart_records_are_exactly_those_on_the_disk():
    records, notes = collect(MacAutostartSource())
    assert records == EXPECTED_AUTOSTART
    assert notes == []


def test_apps_and_receipts_are_exactly_those_on_the_disk():
    records, notes = collect(MacAppsSource())
    # Spyrix hides in /Library/skm, not an Applications folder; Apple's own receipt is left out.
    assert records == EXPECTED_APPS
    assert notes == []


def test_the_committed_disk_is_what_the_build_script_builds(tmp_path):
    fresh = build(tmp_path / "macos")

    def tree(root: Path):
        out = {}
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                rel = str(p.relative_to(root))
                out[rel] = ("link", os.readlink(p)) if p.is_symlink() else (("dir",) if p.is_dir() else p.read_bytes())
        return out

    assert tree(DISK) == tree(fresh)
    assert plistlib.loads((FIXTURES / "macos-outside.plist").read_bytes())["Label"] == "OUTSIDE.the.disk"


def test_the_planted_disk_shows_what_was_planted():
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(DISK), "macos"))
    families = {(f.tier, f.family) for f in result.findings if f.family}
    assert families == {("stalkerware", "ikeymonitor"), ("stalkerware", "spyrix"), ("stalkerware", "refog"),
                        ("monitoring", "hubstaff"), ("remote-access", "teamviewer")}
    heuristics = sorted((f.heuristic, f.evidence[0].record.location) for f in result.findings if f.heuristic)
    assert heuristics == [
        ("hidden-or-temporary-start", "/Library/LaunchDaemons/com.cache.cleaner.plist"),
        ("hidden-or-temporary-start", "/Users/sam/Library/LaunchAgents/local.agent.plist"),
        ("hidden-or-temporary-start", "/private/var/at/tabs/alex"),
        ("hidden-or-temporary-start", "/private/var/root/Library/Preferences/com.apple.loginwindow.plist"),
        ("system-name-wrong-place", "/Users/alex/Library/LaunchAgents/com.apple.systemupdate.plist"),
    ]
    ikm = next(f for f in result.findings if f.family == "ikeymonitor")
    assert {e.record.location for e in ikm.evidence} >= {"/Library/LaunchAgents/com.ab.em.update.plist"}
    assert {n.source for n in result.snapshot.not_read} <= {"processes", "connections", "listeners", "interfaces", "gateways"}


def test_the_same_disk_without_plants_shows_nothing(tmp_path):
    clean = build(tmp_path / "clean", planted=False)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(clean), "macos"))
    assert [(f.tier, f.title) for f in result.findings if f.tier != "settings"] == []
    records, notes = collect(MacAutostartSource(), clean)
    assert {r.label or r.name for r in records if r.kind == "login-item"} == {
        "Dropbox.app", "Slack.app", "com.google.keystone.user.agent", "us.zoom.ZoomDaemon", "Spotify"}
    assert notes == []


# -- links ---------------------------------------------------------------------------------
def test_links_out_of_the_disk_are_not_followed(tmp_path):
    disk = copy_of_disk(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.plist").write_bytes(plistlib.dumps({"Label": "OUTSIDE.abs", "Program": "/OUTSIDE/abs"}))
    os.symlink(str(outside / "evil.plist"), disk / "Library/LaunchAgents/abs.plist")       # absolute, host path
    os.symlink(str(outside), disk / "Users/sam/Library/LaunchAgents/folder")              # a folder out of the disk
    shutil.rmtree(disk / "Users/alex/Applications", ignore_errors=True)
    os.symlink("../../../outside", disk / "Users/alex/Applications")                      # climbing
    (outside / "Evil.app/Contents").mkdir(parents=True)
    (outside / "Evil.app/Contents/Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": "OUTSIDE.app"}))
    records, _ = collect(MacAutostartSource(), disk)
    apps, _ = collect(MacAppsSource(), disk)
    assert "OUTSIDE" not in repr(records) + repr(apps)
    assert [r for r in records if r.name == "abs.plist"] == [
        A("launch-agent", "abs.plist", "/Library/LaunchAgents/abs.plist")]


def test_a_copy_that_lost_the_private_links_is_read_the_same(tmp_path):
    disk = copy_of_disk(tmp_path)
    for link in ("etc", "var", "tmp", "usr/lib/cron"):
        (disk / link).unlink()
    records, notes = collect(MacAutostartSource(), disk)
    assert records == EXPECTED_AUTOSTART and notes == []


def test_a_separate_cron_folder_is_read_too(tmp_path):
    disk = copy_of_disk(tmp_path)
    (disk / "usr/lib/cron").unlink()
    put(disk, "/usr/lib/cron/tabs/root", "*/5 * * * * /usr/local/bin/sync.sh\n")
    records, _ = collect(MacAutostartSource(), disk)
    assert [(r.user, r.executable) for r in records if r.kind == "cron"] == [
        ("alex", "/private/tmp/.u/run"), ("sam", "/opt/homebrew/bin/brew"), ("root", "/usr/local/bin/sync.sh")]


# -- hostile and broken files ----------------------------------------------------------------
def deep_binary_plist(depth: int) -> bytes:
    """A binary property list of ``depth`` arrays, each holding the next (written by hand)."""
    objects = [b"\xa1" + struct.pack(">H", i + 1) for i in range(depth)] + [b"\x08"]
    body, offsets = b"bplist00", []
    for obj in objects:
        offsets.append(len(body))
        body += obj
    table = len(body)
    body += b"".join(struct.pack(">I", o) for o in offsets)
    return body + b"\0" * 6 + bytes([4, 2]) + struct.pack(">QQQ", len(objects), 0, table)


def test_broken_and_hostile_files_become_notes_not_crashes(tmp_path):
    disk = copy_of_disk(tmp_path)
    agents = "/Library/LaunchAgents"
    put(disk, f"{agents}/junk.plist", bytes(range(256)) * 8)
    put(disk, f"{agents}/truncated.plist", plistlib.dumps({"Label": "x", "Program": "/x"}, fmt=plistlib.FMT_BINARY)[:40])
    put(disk, f"{agents}/entities.plist",
        '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa">]><plist><dict><key>Label</key>'
        "<string>&a;&a;</string></dict></plist>")
    put(disk, f"{agents}/list.plist", plistlib.dumps(["not", "a", "dict"]))
    put(disk, f"{agents}/huge.plist", b"<plist><dict>" + b" " * (1024 * 1024 + 10) + b"</dict></plist>")
    put(disk, f"{agents}/deep.plist", deep_binary_plist(3000))
    put(disk, f"{agents}/odd.plist", plistlib.dumps({"Label": {"not": "text"}, "ProgramArguments": [True, 3, "/bin/x"],
                                                     "Disabled": "yes"}))
    put(disk, ALEX_BTM, b"bplist00" + bytes(range(200)))
    put(disk, "/private/var/root/Library/Preferences/com.apple.loginwindow.plist", b"<plist><dict><key>LoginHook")
    put(disk, "/Applications/Broken.app/Contents/Info.plist", b"\x00" * 64)
    put(disk, "/private/var/at/tabs/mallory", bytes(range(256)) * 40)
    records, notes = collect(MacAutostartSource(), disk)
    unread = {r.name for r in records if r.kind == "launch-agent" and r.label is None}
    assert unread == {"junk.plist", "truncated.plist", "entities.plist", "list.plist", "huge.plist", "deep.plist",
                      "odd.plist"}
    odd = next(r for r in records if r.name == "odd.plist")
    assert (odd.command, odd.executable, odd.enabled) == ("3 /bin/x", "3", None)
    assert not any(r.kind == "login-hook" for r in records)
    assert not any(r.user == "alex" and r.kind == "login-item" for r in records)
    assert all(n.reason == "error" for n in notes)
    said = sorted(n.detail.split(":")[0] for n in notes)
    assert said == sorted([f"{agents}/{n}" for n in ("junk.plist", "truncated.plist", "entities.plist", "list.plist",
                                                     "huge.plist", "deep.plist")]
                          + [ALEX_BTM, "/private/var/root/Library/Preferences/com.apple.loginwindow.plist"])
    assert any("nested too deeply" in n.detail for n in notes)
    assert any("larger than 1024 KB" in n.detail for n in notes)
    apps, app_notes = collect(MacAppsSource(), disk)
    assert InstalledApp(name="Broken", source="app-bundle", location="/Applications/Broken.app") in apps
    assert [n.detail.split(":")[0] for n in app_notes] == ["/Applications/Broken.app/Contents/Info.plist"]


def test_places_it_may_not_read_are_said(monkeypatch):
    """Without root, a live Mac refuses the system's background items and sam's home folder."""
    from device_checkup.checks.sources.fs import FileSystem, Unreadable
    real_list, real_read = FileSystem.list, FileSystem.read_bytes

    def refusing_list(self, path):
        if path in ("/private/var/db/com.apple.backgroundtaskmanagement", "/Users/sam"):
            raise Unreadable("permission", f"{path}: Permission denied")
        return real_list(self, path)

    def refusing_read(self, path, limit=16 * 1024 * 1024):
        if path == "/private/var/root/Library/Preferences/com.apple.loginwindow.plist":
            raise Unreadable("permission", f"{path}: Permission denied")
        return real_read(self, path, limit)

    monkeypatch.setattr(FileSystem, "list", refusing_list)
    monkeypatch.setattr(FileSystem, "read_bytes", refusing_read)
    records, notes = collect(MacAutostartSource())
    # (the home folder's words are a catalogue message and its values, said later)
    assert [(n.reason, n.what.format(**dict(n.values))) for n in notes] == [
        ("permission", "sam's home folder (/Users/sam)"),
        ("permission", "/private/var/db/com.apple.backgroundtaskmanagement"),
        ("permission", "login hooks")]
    assert records == [r for r in EXPECTED_AUTOSTART
                       if not r.location.startswith("/Users/sam/") and r.location != SYSTEM_BTM
                       and r.kind != "login-hook"]
    apps, app_notes = collect(MacAppsSource())
    assert apps == [a for a in EXPECTED_APPS if a.user != "sam"] and app_notes == []


# -- the readers, one by one ---------------------------------------------------------------
def test_launchd_job():
    assert launchd_job({"Label": "a", "Program": "/p", "ProgramArguments": ["/q", "-x"], "Disabled": False}) == \
        ("a", "/q -x", "/p", True)
    assert launchd_job({"ProgramArguments": ["/Applications/My App.app/Contents/MacOS/My App", "--flag", ""]}) == \
        (None, '"/Applications/My App.app/Contents/MacOS/My App" --flag ""',
         "/Applications/My App.app/Contents/MacOS/My App", None)
    assert launchd_job({"Label": "b", "BundleProgram": "Contents/MacOS/helper", "Disabled": True}) == \
        ("b", "Contents/MacOS/helper", "Contents/MacOS/helper", False)
    assert launchd_job({"ProgramArguments": "not a list", "Label": 5}) == (None, "", None, None)
    assert launchd_job({"ProgramArguments": ["/x"] * 5000})[1].count("/x") == 1000


def test_bundle_ids_are_told_from_versions_files_and_hosts():
    assert [bundle_id_in(t) for t in ("com.netsoft.Hubstaff", "2.com.ikm.macos.userage", "16.us.zoom.ZoomDaemon")] == \
        ["com.netsoft.Hubstaff", "com.ikm.macos.userage", "us.zoom.ZoomDaemon"]
    for text in ("6.2.11", "131.0.6778.86", "com.apple.Safari", "com.google.keystone.agent.plist", "support.google.com",
                 "Dropbox", "EQHXZ8M8AV", "NSMutableArray", "a.b", "x" * 300 + ".a.b"):
        assert bundle_id_in(text) is None, text


def test_bookmarks():
    data = builder.bookmark("/Applications/Dropbox.app")
    assert bookmark_path(data) == "/Applications/Dropbox.app"
    assert all(bookmark_path(data[:n]) is None for n in range(len(data)))       # every truncation
    assert bookmark_path(b"book" + b"\xff" * 100) is None
    assert bookmark_path(data.replace(b"Dropbox.app", b"../../x/y..")) is None  # not a plain name
    assert loginitems_list({"SessionItems": {"CustomListItems": [
        {"Name": "Spotify", "Alias": data}, {"Alias": data}, {"Name": 5}, "junk", {"Name": "Old", "Alias": b"alis\0\0"}]}}) == \
        [("Spotify", "/Applications/Dropbox.app"), ("Dropbox.app", "/Applications/Dropbox.app"), ("Old", None)]
    assert loginitems_list({"SessionItems": "nope"}) == []


def test_btm_items_from_a_flat_archive():
    """Without item records, only paths, file URLs, bookmarks and bundle ids are taken."""
    archive = {"$objects": ["$null", {"bookmark": builder.bookmark("/Applications/Dropbox.app")},
                            "file:///Applications/Slack.app/", "/System/Library/CoreServices/Finder.app",
                            "com.getdropbox.dropbox", "com.apple.Safari", "6.2.11", "Dropbox",
                            b"file:///Applications/zoom.us.app/", "/Applications/Slack.app"]}
    assert btm_items(archive) == [
        BtmItem("Dropbox.app", "/Applications/Dropbox.app"), BtmItem("Slack.app", "/Applications/Slack.app"),
        BtmItem("zoom.us.app", "/Applications/zoom.us.app"),
        BtmItem("com.getdropbox.dropbox", bundle_id="com.getdropbox.dropbox")]
    assert btm_items({"$objects": "nope"}) == [] and btm_items({}) == []
    # Item records with references that lead nowhere or to the wrong kind of thing.
    broken = {"$objects": ["$null", {"identifier": plistlib.UID(99)}, {"identifier": plistlib.UID(3), "url": plistlib.UID(1),
                                                                         "name": plistlib.UID(0)}, "8.com.x.agent"]}
    assert btm_items(broken) == [BtmItem("com.x.agent", label="com.x.agent")]


def test_parse_plist():
    assert parse_plist(plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY)) == {"a": 1}
    assert parse_plist(plistlib.dumps({"d": dt.datetime(2026, 1, 2)})) == {"d": dt.datetime(2026, 1, 2)}
    for junk in (b"", b"<plist>" * 10, b"bplist00", deep_binary_plist(5000), plistlib.dumps("text")):
        with pytest.raises(PlistError):
            parse_plist(junk)


def test_deep_xml_nesting_is_bounded():
    xml = ("<plist><dict><key>a</key>" + "<array>" * 50_000 + "</array>" * 50_000 + "</dict></plist>").encode()
    value = parse_plist(xml)                 # expat builds it without recursion; reading it is bounded
    assert list(value) == ["a"] and isinstance(value["a"], list)
    assert launchd_job(value) == (None, "", None, None) and btm_items(value) == []
    # The same depth read as an agent: nothing is made of it and nothing breaks.
    job = dict(value, Label="com.x.deep", ProgramArguments=value["a"])
    label, program, args, _ = launchd_job(job)
    assert label == "com.x.deep" and program in (None, "")


# -- fuzzing (bounded: no crash, only PlistError) ----------------------------------------------
def _archive_values():
    leaf = st.one_of(st.text(max_size=40), st.binary(max_size=40), st.integers(), st.booleans(), st.none(),
                     st.builds(plistlib.UID, st.integers(0, 40)),
                     st.sampled_from(["file:///Applications/X.app/", "2.com.x.y", "/Library/x", "8.com.x.agent"]))
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=5) |
                        st.dictionaries(st.sampled_from(["identifier", "url", "name", "executablePath",
                                                         "bundleIdentifier", "NS.relative", "bookmark", "x"]),
                                        inner, max_size=5), max_leaves=30)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=800))
def test_the_plist_readers_only_ever_say_plist_error(data):
    valid = plistlib.dumps({"Label": "a", "ProgramArguments": ["/x"]}, fmt=plistlib.FMT_BINARY)
    for blob in (data, b"bplist00" + data, valid[:len(data) % len(valid)] + data):
        try:
            value = parse_plist(blob)
        except PlistError:
            continue
        btm_items(value)
        launchd_job(value)
        loginitems_list(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(_archive_values(), max_size=30))
def test_btm_items_take_any_archive(objects):
    for item in btm_items({"$objects": objects}):
        assert isinstance(item.name, str) and (item.path is None or item.path.startswith("/"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 200))
def test_bookmark_reader_takes_anything(junk, cut):
    data = builder.bookmark("/Users/sam/Applications/Spotify.app")
    for blob in (junk, b"book" + junk, data[:cut] + junk, data[:cut] + junk + data[cut:]):
        path = bookmark_path(blob)
        assert path is None or path.startswith("/")


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.binary(max_size=400))
def test_crontabs_and_login_items_of_any_shape_read_without_crashing(crontab, btm):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Users/alex/Library").mkdir(parents=True)
        put(root, "/private/var/at/tabs/alex", crontab.encode("utf-8", "replace"))
        put(root, ALEX_BTM, b"bplist00" + btm)
        put(root, "/Users/alex/Library/Preferences/com.apple.loginitems.plist", btm)
        records, notes = collect(MacAutostartSource(), root)
        assert all(r.kind in ("cron", "login-item") for r in records)
        assert all(n.reason == "error" for n in notes)


# -- real login-item files (tests/data/real/macos, provenance in tests/data/real/README.md) --
REAL = Path(__file__).resolve().parent / "data" / "real" / "macos"
BTM_USER = "Library/Application Support/com.apple.backgroundtaskmanagementagent/backgrounditems.btm"


def _real_mac(tmp_path, files):
    """A Mac disk with users a..z, each given one real file at a place macOS keeps it."""
    disk = tmp_path / "disk"
    (disk / "Users").mkdir(parents=True)
    for user, (name, place) in files.items():
        target = disk / "Users" / user / place
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REAL / name, target)
    return disk


def test_real_login_items_of_every_era_are_read_exactly(tmp_path):
    disk = _real_mac(tmp_path, {
        "sierra": ("artemis-backgrounditems_sierra.btm", BTM_USER),
        "poison": ("artemis-backgrounditemsPoisonApple.btm", BTM_USER),
        "itunes": ("plaso-backgrounditems.btm", BTM_USER),
        "old": ("plaso-com.apple.loginitems.plist", "Library/Preferences/com.apple.loginitems.plist"),
        "matthew": ("plaso-loginwindow.plist", "Library/Preferences/loginwindow.plist"),
        "broken": ("artemis-bad_bookmark.btm", BTM_USER),
        "junk": ("artemis-bad_plist.btm", BTM_USER),
    })
    records, notes = collect(MacAutostartSource(), disk)
    got = sorted((r.user, r.kind, r.name, r.executable) for r in records)
    poison = "/Users/sur/Library/Python/3.8/lib/python/site-packages/poisonapple/auxiliary/testing.app"
    assert got == [
        # plaso's tests: iTunesHelper (bookmark in the .btm, alias and binding in the old list),
        # SafeConnect (AutoLaunchedApplicationDictionary) and the login and logout hooks.
        ("itunes", "login-item", "iTunesHelper.app", "/Applications/iTunes.app/Contents/MacOS/iTunesHelper.app"),
        ("matthew", "login-hook", "LoginHook", "/Users/matthew/login.sh"),
        ("matthew", "login-hook", "LogoutHook", "/Users/matthew/logout.sh"),
        ("matthew", "login-item", "SafeConnect.app", "/Applications/SafeConnect.app"),
        ("old", "login-item", "iTunesHelper", "/Applications/iTunes.app/Contents/MacOS/iTunesHelper.app"),
        # artemis' tests: LuLu and the PoisonApple persistence tool; Syncthing on 10.12.
        ("poison", "login-item", "LuLu.app", "/Applications/LuLu.app"),
        ("poison", "login-item", "System Events.app", "/System/Library/CoreServices/System Events.app"),
        ("poison", "login-item", "testing.app", poison),
        ("sierra", "login-item", "Syncthing.app", "/Applications/Syncthing.app"),
    ]
    # One clear note per damaged file.
    assert sorted((n.reason, n.detail.split(":")[0].rsplit("/Users/", 1)[-1].split("/")[0]) for n in notes) == [
        ("error", "broken"), ("error", "junk")]


def test_chrome_camera_and_microphone_grants_are_one_finding_worded_for_what_they_allow(tmp_path):
    import sqlite3
    from device_checkup.checks.sources.settings import MacSettings
    folder = tmp_path / "disk/Users/alex/Library/Application Support/com.apple.TCC"
    folder.mkdir(parents=True)
    con = sqlite3.connect(folder / "TCC.db")
    con.execute("CREATE TABLE access (service TEXT, client TEXT, auth_value INTEGER)")
    con.executemany("INSERT INTO access VALUES (?,?,?)", [
        ("kTCCServiceCamera", "com.google.Chrome", 2), ("kTCCServiceMicrophone", "com.google.Chrome", 2),
        ("kTCCServiceScreenCapture", "us.zoom.xos", 2), ("kTCCServiceListenEvent", "com.example.kbd", 2)])
    con.commit()
    con.close()
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(tmp_path / "disk"), "macos"),
                      sources=[MacSettings()])
    grants = sorted((f.title, f.why.split(".")[0]) for f in result.findings if f.heuristic == "privacy-grant")
    assert grants == [
        ("An app may use your camera and microphone: com.google.Chrome",
         "This lets the app see through the camera and hear through the microphone"),
        ("An app may use your keyboard: com.example.kbd", "This lets the app see what you type"),
        ("An app may use your screen: us.zoom.xos", "This lets the app see everything on your screen"),
    ]


def test_real_chrome_default_apps_are_from_the_store_not_by_policy_and_no_finding(tmp_path):
    """A real Chrome profile (plaso test data): its default apps (Docs, Sheets, Slides, Drive,
    Gmail, YouTube, Search; was_installed_by_default) are neither forced by policy nor a finding."""
    from device_checkup.checks.sources.browsers import SOURCES as BROWSER_SOURCES
    profile = tmp_path / "disk/Users/alex/Library/Application Support/Google/Chrome/Default"
    profile.mkdir(parents=True)
    shutil.copy(Path(__file__).resolve().parent / "data/real/chrome/Preferences", profile / "Preferences")
    machine = Machine.offline(str(tmp_path / "disk"), "macos")
    sources = [s for s in BROWSER_SOURCES if "macos" in s.platforms]
    records = [r for s in sources for r in s.collect(machine, Notes(s.id)) if hasattr(r, "by_policy")]
    assert sorted((r.name, r.by_policy, r.from_store) for r in records) == [
        (name, False, True) for name in ("Gmail", "Google Docs", "Google Drive", "Google Search",
                                         "Google Sheets", "Google Slides", "YouTube")]
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(tmp_path / "disk"), "macos"),
                      sources=sources)
    assert [f.title for f in result.findings] == []
