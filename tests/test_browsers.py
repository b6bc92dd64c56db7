"""Browser extensions: Chromium-family browsers, Firefox and Safari on every OS, live-shaped
trees built in a temporary folder, and the powerful-extension heuristic."""
from __future__ import annotations

import json
import os
import plistlib
import re

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.extensions import powerful_extension
from device_checkup.checks.records import BrowserExtension
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.browsers import BrowserExtensionsSource
from device_checkup.checks.sources.fs import FileSystem
from tests.helpers import ListSource, family_yaml, sigset_from_text

UBLOCK = "cjpalhdlnbpafiamejdnhcphjbkeiagm"
BITWARDEN = "nngceckbapebfimnlniiiahkandclblb"
PDF_VIEWER = "mhjfbmdgcfjbbpaeojofohoefgiehjai"        # a component extension: part of Chrome
SIDELOADED = "pmkglhdcnnjafmhbbfnogehlgjmgkkfa"
FORCED = "lfpjkncokllnfokkgpkobnkbkmelfefj"
DOCS = "ghbmnnjooekpmoecnnnilnnbdlolhkhi"              # Google Docs Offline, from the store
EDGE_STORE = "odfafepnkmbhccpbejgmiehpchacaeak"        # uBlock Origin from Edge Add-ons
CHROME_STORE = "https://clients2.google.com/service/update2/crx"
EDGE_UPDATE = "https://edge.microsoft.com/extensionwebstorebase/v1/crx"


def put(root, machine_path: str, data) -> None:
    """Write a file at a machine path (``C:\\Users\\…`` or ``/home/…``) inside ``root``."""
    parts = [p for p in re.split(r"[\\/]+", re.sub(r"^[A-Za-z]:", "", machine_path)) if p]
    path = os.path.join(str(root), *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, (dict, list)):
        data = json.dumps(data)
    with open(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def manifest(name, version="1.0", permissions=(), hosts=(), **more):
    return {"manifest_version": 3, "name": name, "version": version, "permissions": list(permissions),
            "host_permissions": list(hosts), **more}


def collect(root, platform, registry=None):
    machine = Machine(platform=platform, fs=FileSystem(platform, str(root)), live=False, registry=registry)
    notes = Notes("extensions")
    records = list(BrowserExtensionsSource().collect(machine, notes))
    return records, notes.items


def by_id(records):
    return {(r.browser, r.profile, r.id): r for r in records}


# -- a fake registry with the policy that forces one extension into Chrome --------------------
class FakeKey:
    def __init__(self, values=(), subkeys=None):
        self._values = list(values)
        self._subkeys = subkeys or {}

    def values(self):
        return self._values

    def value(self, name):
        return dict(self._values).get(name)

    def subkey(self, name):
        return self._subkeys.get(name)


class FakeRegistry:
    problems: list = []

    def __init__(self, keys):
        self.keys = keys

    def users(self):
        return ["alex"]

    def key(self, path, user=None):
        return self.keys.get((path, user))


POLICY_REGISTRY = FakeRegistry({
    ("HKLM\\SOFTWARE\\Policies\\Google\\Chrome", None):
        FakeKey(subkeys={"ExtensionInstallForcelist": FakeKey([("1", f"{FORCED};https://update.corp.example/crx")])}),
})


# -- Windows ---------------------------------------------------------------------------------
WIN_CHROME = "C:\\Users\\alex\\AppData\\Local\\Google\\Chrome\\User Data"


def windows_tree(root):
    put(root, WIN_CHROME + "\\Local State",
        {"profile": {"info_cache": {"Default": {"name": "Alex"}, "Profile 1": {"name": "Work"}}}})
    # Default: settings in Secure Preferences (as Chrome on Windows keeps them), manifests on disk.
    put(root, WIN_CHROME + "\\Default\\Preferences", {"browser": {"has_seen_welcome_page": True}})
    put(root, WIN_CHROME + "\\Default\\Secure Preferences", {"extensions": {"settings": {
        UBLOCK: {"location": 1, "from_webstore": True, "path": f"{UBLOCK}\\1.52.2_0", "state": 1,
                 "granted_permissions": {"api": ["storage", "webRequest"], "explicit_host": ["<all_urls>"]}},
        BITWARDEN: {"location": 1, "from_webstore": True, "path": f"{BITWARDEN}\\2024.6.3_0"},
        PDF_VIEWER: {"location": 5, "manifest": {"name": "Chrome PDF Viewer", "version": "1"}},
        SIDELOADED: {"location": 4, "path": "C:\\Users\\alex\\AppData\\Local\\Temp\\pagehelper",
                     "disable_reasons": 0},
        FORCED: {"location": 7, "path": f"{FORCED}\\3.1_0", "disable_reasons": [8]},
        "leftoverleftoverleftoverleftover": {"content_settings": []},
    }}})
    ext = WIN_CHROME + "\\Default\\Extensions\\"
    put(root, ext + f"{UBLOCK}\\1.52.2_0\\manifest.json",
        manifest("__MSG_extName__", "1.52.2", ["storage", "webRequest", "webRequestBlocking"], ["<all_urls>"],
                 default_locale="en", update_url=CHROME_STORE))
    put(root, ext + f"{UBLOCK}\\1.52.2_0\\_locales\\en\\messages.json",
        {"extName": {"message": "uBlock Origin", "description": "extension name"}})
    put(root, ext + f"{BITWARDEN}\\2024.6.3_0\\manifest.json",
        manifest("Bitwarden Password Manager", "2024.6.3", ["tabs", "storage", "clipboardRead", "webRequest"],
                 ["<all_urls>"], update_url=CHROME_STORE))
    put(root, ext + f"{FORCED}\\3.1_0\\manifest.json",
        manifest("Corp Browsing Monitor", "3.1", ["history", "tabs"], update_url="https://update.corp.example/crx"))
    put(root, "C:\\Users\\alex\\AppData\\Local\\Temp\\pagehelper\\manifest.json",
        manifest("Page Helper", "0.3", ["webRequest", "storage"], ["<all_urls>"]))
    # Profile 1: an older Chrome that kept the manifest inside Preferences.
    put(root, WIN_CHROME + "\\Profile 1\\Preferences", {"extensions": {"settings": {
        DOCS: {"location": 1, "from_webstore": True, "was_installed_by_default": True, "state": 1,
               "manifest": manifest("Google Docs Offline", "1.7", ["storage"], update_url=CHROME_STORE)},
    }}})
    # Profile 2 (not in Local State): a damaged Preferences file.
    put(root, WIN_CHROME + "\\Profile 2\\Preferences", b'{"extensions": {"settings": {"x": ')
    # Edge, with an extension from Edge Add-ons.
    edge = "C:\\Users\\alex\\AppData\\Local\\Microsoft\\Edge\\User Data\\Default\\"
    put(root, edge + "Secure Preferences", {"extensions": {"settings": {
        EDGE_STORE: {"location": 1, "from_webstore": False, "path": f"{EDGE_STORE}\\1.5_0"}}}})
    put(root, edge + f"Extensions\\{EDGE_STORE}\\1.5_0\\manifest.json",
        manifest("uBlock Origin", "1.5", ["webRequest"], ["<all_urls>"], update_url=EDGE_UPDATE))
    # Opera keeps its one profile in the folder itself.
    put(root, "C:\\Users\\alex\\AppData\\Roaming\\Opera Software\\Opera Stable\\Preferences",
        {"extensions": {"settings": {"enegjkbbakeegngfapepobipndnebkdk": {
            "location": 1, "from_webstore": False, "state": 1,
            "manifest": manifest("Opera Ad Blocker Helper", "2.0", ["storage"],
                                 update_url="https://extension-updates.opera.com/api/omaha/update/")}}}})
    # Firefox, with one profile listed in profiles.ini.
    ff = "C:\\Users\\alex\\AppData\\Roaming\\Mozilla\\Firefox\\"
    put(root, ff + "profiles.ini",
        "[General]\nStartWithLastProfile=1\n\n[Profile0]\nName=default-release\nIsRelative=1\n"
        "Path=Profiles/k2x9.default-release\nDefault=1\n")
    put(root, ff + "Profiles\\k2x9.default-release\\extensions.json", {"schemaVersion": 36, "addons": [
        {"id": "uBlock0@raymondhill.net", "type": "extension", "location": "app-profile", "version": "1.58.0",
         "active": True, "defaultLocale": {"name": "uBlock Origin"},
         "sourceURI": "https://addons.mozilla.org/firefox/downloads/file/4290466/ublock_origin-1.58.0.xpi",
         "userPermissions": {"permissions": ["webRequest", "webRequestBlocking"], "origins": ["<all_urls>"]},
         "path": ff + "Profiles\\k2x9.default-release\\extensions\\uBlock0@raymondhill.net.xpi"},
        {"id": "formautofill@mozilla.org", "type": "extension", "location": "app-builtin", "active": True,
         "defaultLocale": {"name": "Form Autofill"}},
        {"id": "default-theme@mozilla.org", "type": "theme", "location": "app-profile", "active": True},
        {"id": "helper@pagetools.example", "type": "extension", "location": "app-profile", "version": "0.9",
         "active": True, "defaultLocale": {"name": "Page Tools"}, "sourceURI": "file:///C:/Users/alex/Downloads/pt.xpi",
         "installTelemetryInfo": {"source": "file-url"},
         "userPermissions": {"permissions": ["webRequest", "cookies"], "origins": ["<all_urls>"]}},
        "junk",
    ]})
    put(root, "C:\\Program Files\\Mozilla Firefox\\distribution\\policies.json",
        {"policies": {"ExtensionSettings": {"watch@corp.example": {"installation_mode": "force_installed"}}}})


def test_windows_extensions_of_every_browser_and_profile(tmp_path):
    windows_tree(tmp_path)
    records, notes = collect(tmp_path, "windows", POLICY_REGISTRY)
    got = by_id(records)
    ext = WIN_CHROME + "\\Default\\Extensions\\"
    assert got[("Google Chrome", "Default", UBLOCK)] == BrowserExtension(
        browser="Google Chrome", profile="Default", id=UBLOCK, name="uBlock Origin",
        location=ext + f"{UBLOCK}\\1.52.2_0", version="1.52.2",
        permissions=("storage", "webRequest", "webRequestBlocking", "<all_urls>"),
        from_store=True, by_policy=False, enabled=True, user="alex")
    assert got[("Google Chrome", "Default", SIDELOADED)] == BrowserExtension(
        browser="Google Chrome", profile="Default", id=SIDELOADED, name="Page Helper",
        location="C:\\Users\\alex\\AppData\\Local\\Temp\\pagehelper", version="0.3",
        permissions=("webRequest", "storage", "<all_urls>"), from_store=False, by_policy=False,
        enabled=True, user="alex")
    forced = got[("Google Chrome", "Default", FORCED)]
    assert (forced.name, forced.by_policy, forced.from_store, forced.enabled) == (
        "Corp Browsing Monitor", True, False, False)
    assert got[("Google Chrome", "Profile 1", DOCS)].name == "Google Docs Offline"
    assert got[("Google Chrome", "Profile 1", DOCS)].location == WIN_CHROME + "\\Profile 1\\Preferences"
    edge = got[("Microsoft Edge", "Default", EDGE_STORE)]
    assert edge.from_store is True and edge.by_policy is False
    assert got[("Opera", "Default", "enegjkbbakeegngfapepobipndnebkdk")].from_store is True
    # Component extensions, leftovers, themes and Firefox's own add-ons are not reported.
    ids = {r.id for r in records}
    assert PDF_VIEWER not in ids and "leftoverleftoverleftoverleftover" not in ids
    assert "formautofill@mozilla.org" not in ids and "default-theme@mozilla.org" not in ids
    fx = got[("Firefox", "default-release", "uBlock0@raymondhill.net")]
    assert fx == BrowserExtension(
        browser="Firefox", profile="default-release", id="uBlock0@raymondhill.net", name="uBlock Origin",
        location="C:\\Users\\alex\\AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\k2x9.default-release\\extensions\\uBlock0@raymondhill.net.xpi",
        version="1.58.0", permissions=("webRequest", "webRequestBlocking", "<all_urls>"),
        from_store=True, by_policy=False, enabled=True, user="alex")
    side = got[("Firefox", "default-release", "helper@pagetools.example")]
    assert (side.from_store, side.by_policy, side.permissions) == (False, False, ("webRequest", "cookies", "<all_urls>"))
    assert len(records) == 9
    # The damaged Preferences and the junk add-on entry are noted; the scan went on.
    assert [(n.reason, "Profile 2" in n.detail) for n in notes if "Preferences" in n.detail] == [("error", True)]
    assert any(re.search("add-on entr(y|ies) could not be read", n.detail) for n in notes)   # 1 entry here
    assert all(n.what for n in notes)


def test_without_a_registry_the_forcelist_is_unknown_but_the_location_still_says_policy(tmp_path):
    windows_tree(tmp_path)
    records, _ = collect(tmp_path, "windows", registry=None)
    assert by_id(records)[("Google Chrome", "Default", FORCED)].by_policy is True


def test_a_policy_forced_id_is_by_policy_even_when_installed_from_the_store(tmp_path):
    put(tmp_path, WIN_CHROME + "\\Default\\Secure Preferences", {"extensions": {"settings": {
        FORCED: {"location": 1, "from_webstore": True,
                 "manifest": manifest("Store Thing", "1", ["history"], update_url=CHROME_STORE)}}}})
    (rec,), _ = collect(tmp_path, "windows", POLICY_REGISTRY)
    assert (rec.from_store, rec.by_policy) == (True, True)


# -- macOS -----------------------------------------------------------------------------------
def macos_tree(root):
    chrome = "/Users/sam/Library/Application Support/Google/Chrome/"
    put(root, chrome + "Default/Preferences", {"extensions": {"settings": {
        BITWARDEN: {"location": 1, "from_webstore": True,
                    "manifest": manifest("Bitwarden Password Manager", "2024.6.3", ["clipboardRead"], ["<all_urls>"],
                                         update_url=CHROME_STORE)},
        FORCED: {"location": 1, "from_webstore": False,
                 "manifest": manifest("Family Safe Browsing", "2.0", ["history", "tabs"],
                                      update_url="https://ext.familysafe.example/update")},
    }}})
    put(root, "/Library/Managed Preferences/sam/com.google.Chrome.plist",
        plistlib.dumps({"ExtensionInstallForcelist": [f"{FORCED};https://ext.familysafe.example/update"]}))
    safari = "/Users/sam/Library/Containers/com.apple.Safari/Data/Library/Safari/"
    put(root, safari + "WebExtensions/Extensions.plist", plistlib.dumps({
        "com.agilebits.onepassword7.1PasswordSafariExtension (2BUA8C4S2C)": {"Enabled": True},
        "com.example.pagewatch.Extension (ABCDE12345)": {"Enabled": False}}))
    put(root, safari + "AppExtensions/Extensions.plist", b"\x00\x01 not a plist")
    ff = "/Users/sam/Library/Application Support/Firefox/"
    put(root, ff + "profiles.ini", "[Profile0]\nName=default\nIsRelative=1\nPath=Profiles/ab12.default\n")
    put(root, ff + "Profiles/ab12.default/extensions.json", {"addons": [
        {"id": "watch@corp.example", "type": "extension", "location": "app-profile", "version": "1",
         "active": True, "defaultLocale": {"name": "Corp Watch"},
         "installTelemetryInfo": {"source": "enterprise-policy"},
         "userPermissions": {"permissions": ["history", "tabs"], "origins": []}}]})


def test_macos_chrome_safari_and_firefox(tmp_path):
    macos_tree(tmp_path)
    records, notes = collect(tmp_path, "macos")
    got = by_id(records)
    assert got[("Google Chrome", "Default", BITWARDEN)].from_store is True
    forced = got[("Google Chrome", "Default", FORCED)]
    assert (forced.by_policy, forced.from_store, forced.user) == (True, False, "sam")
    safari = {r.id: r for r in records if r.browser == "Safari"}
    assert set(safari) == {"com.agilebits.onepassword7.1PasswordSafariExtension (2BUA8C4S2C)",
                           "com.example.pagewatch.Extension (ABCDE12345)"}
    assert safari["com.example.pagewatch.Extension (ABCDE12345)"].name == "com.example.pagewatch.Extension"
    assert safari["com.example.pagewatch.Extension (ABCDE12345)"].enabled is False
    assert got[("Firefox", "default", "watch@corp.example")].by_policy is True
    assert [n.reason for n in notes] == ["error"] and "AppExtensions" in notes[0].detail


# -- Linux -----------------------------------------------------------------------------------
def linux_tree(root):
    put(root, "/home/kim/.config/chromium/Default/Preferences", {"extensions": {"settings": {
        UBLOCK: {"location": 1, "from_webstore": True,
                 "manifest": manifest("uBlock Origin", "1.52", ["webRequest"], ["<all_urls>"], update_url=CHROME_STORE)},
        SIDELOADED: {"location": 2, "manifest": manifest("Tab Saver", "1.0", ["tabCapture", "storage"],
                                                          update_url="https://cdn.tabsaver.example/u.xml")}}}})
    put(root, "/home/kim/snap/chromium/common/chromium/Default/Preferences", {"extensions": {"settings": {
        DOCS: {"location": 1, "from_webstore": True, "manifest": manifest("Google Docs Offline", "1.7")}}}})
    put(root, "/home/kim/.config/google-chrome/Default/Preferences", {"extensions": {"settings": {
        FORCED: {"location": 1, "from_webstore": True,
                 "manifest": manifest("Lesson Monitor", "5", ["tabCapture"], ["<all_urls>"], update_url=CHROME_STORE)}}}})
    put(root, "/etc/opt/chrome/policies/managed/school.json",
        {"ExtensionSettings": {f"{FORCED},aaaabbbbccccddddeeeeffffgggghhhh": {"installation_mode": "force_installed"}}})
    put(root, "/home/kim/snap/firefox/common/.mozilla/firefox/profiles.ini",
        "[Profile0]\nName=default\nIsRelative=1\nPath=x1.default\n")
    put(root, "/home/kim/snap/firefox/common/.mozilla/firefox/x1.default/extensions.json", {"addons": [
        {"id": "coupons@deals.example", "type": "extension", "location": "app-system-share", "active": True,
         "defaultLocale": {"name": "Coupons"}, "userPermissions": {"permissions": ["proxy"], "origins": []}}]})
    # A link out of the root must not be followed: this profile lies outside the scanned disk.
    outside = os.path.join(os.path.dirname(str(root)), "outside-vivaldi")
    put(outside, "/Default/Preferences", {"extensions": {"settings": {
        "oooooooooooooooooooooooooooooooo": {"location": 4, "manifest": manifest("Outside", "1", ["<all_urls>"])}}}})
    os.symlink(os.path.relpath(outside, os.path.join(str(root), "home/kim/.config")),
               os.path.join(str(root), "home/kim/.config/vivaldi"))


def test_linux_chromium_snap_policy_and_firefox_snap(tmp_path):
    root = tmp_path / "disk"
    root.mkdir()
    linux_tree(root)
    records, notes = collect(root, "linux")
    got = by_id(records)
    assert set(got) == {("Chromium", "Default", UBLOCK), ("Chromium", "Default", SIDELOADED),
                        ("Chromium", "Default", DOCS), ("Google Chrome", "Default", FORCED),
                        ("Firefox", "default", "coupons@deals.example")}
    assert got[("Chromium", "Default", DOCS)].location == "/home/kim/snap/chromium/common/chromium/Default/Preferences"
    assert got[("Google Chrome", "Default", FORCED)].by_policy is True
    assert got[("Chromium", "Default", SIDELOADED)].from_store is False
    assert got[("Firefox", "default", "coupons@deals.example")].from_store is False
    assert notes == []
    assert not any(r.name == "Outside" for r in records)


# -- the heuristic ---------------------------------------------------------------------------
SIGS = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml(
    "pagespy", "stalkerware", f"extension_ids: [{SIDELOADED}]", name="PageSpy"))
EMPTY = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("nothing", "monitoring", "process_names: [nothing.exe]"))


def scan(root, platform, sigs, registry=None):
    records, _ = collect(root, platform, registry)
    machine = Machine(platform=platform, fs=FileSystem(platform, str(root)), live=False)
    return run_scan(signatures=sigs, machine=machine, sources=[ListSource("extensions", records)])


def test_store_extensions_with_broad_permissions_are_not_flagged():
    for ext in (
        BrowserExtension("Google Chrome", "Default", UBLOCK, "uBlock Origin", "x", permissions=("<all_urls>", "webRequest"), from_store=True),
        BrowserExtension("Google Chrome", "Default", BITWARDEN, "Bitwarden", "x", permissions=("<all_urls>", "clipboardRead", "cookies"), from_store=True),
        BrowserExtension("Safari", "Default", "com.x (ABCDE12345)", "x", "x"),                          # store unknown
        BrowserExtension("Google Chrome", "Default", "a" * 32, "Dark Mode", "x", permissions=("storage", "activeTab"), from_store=False),
        BrowserExtension("Google Chrome", "Default", "b" * 32, "Cookie Viewer", "x", permissions=("cookies",), from_store=False),
    ):
        assert powerful_extension(ext) == [], ext.name
    assert powerful_extension(BrowserExtension("Firefox", "p", "c@x", "C", "x", permissions=("cookies", "*://*/*"),
                                               from_store=False)) == ["all_sites", "cookies"]


def test_windows_findings_flag_sideloaded_and_policy_extensions_only(tmp_path):
    windows_tree(tmp_path)
    result = scan(tmp_path, "windows", EMPTY, POLICY_REGISTRY)
    flagged = {f.evidence[0].record.name: f for f in result.findings}
    assert set(flagged) == {"Page Helper", "Corp Browsing Monitor", "Page Tools"}
    helper = flagged["Page Helper"]
    assert (helper.tier, helper.heuristic, helper.severity) == ("suspicious", "powerful-extension", "medium")
    assert helper.title == "A browser extension that can see a lot of what you do online: Page Helper in Google Chrome"
    assert "read and change everything on every website you visit and watch the web pages you load" in helper.what
    assert "not installed from the browser's own store" in helper.what and "It is switched on." in helper.what
    corp = flagged["Corp Browsing Monitor"]
    assert "see your browsing history" in corp.what and "policy" in corp.what
    assert "switched off at the moment" in corp.what
    assert "work or school" in corp.why
    assert "read the cookies" in flagged["Page Tools"].what
    for f in result.findings:
        for part in (f.title, f.what, f.why, f.do, f.careful):
            assert not re.search(r"\{[a-z_]+\}", part), part


def test_a_signature_names_the_extension_and_the_heuristic_stays_quiet(tmp_path):
    windows_tree(tmp_path)
    result = scan(tmp_path, "windows", SIGS, POLICY_REGISTRY)
    spy = [f for f in result.findings if f.family == "pagespy"]
    assert len(spy) == 1 and spy[0].tier == "stalkerware"
    assert "a browser extension (Page Helper in Google Chrome)" in spy[0].why
    assert not any(f.heuristic == "powerful-extension" and f.evidence[0].record.id == SIDELOADED
                   for f in result.findings)


def test_a_clean_browser_setup_gives_nothing(tmp_path):
    root = tmp_path / "disk"
    root.mkdir()
    linux_tree(root)
    os.remove(root / "etc/opt/chrome/policies/managed/school.json")
    # Without the policy the store-installed "Lesson Monitor" is an ordinary store extension;
    # what is left to flag is the sideloaded Tab Saver and the Coupons add-on with a proxy.
    result = scan(root, "linux", EMPTY)
    assert sorted(f.evidence[0].record.name for f in result.findings) == ["Coupons", "Tab Saver"]
    clean = tmp_path / "clean"
    clean.mkdir()
    put(clean, "/home/kim/.config/chromium/Default/Preferences", {"extensions": {"settings": {
        UBLOCK: {"location": 1, "from_webstore": True,
                 "manifest": manifest("uBlock Origin", "1.52", ["webRequest", "webRequestBlocking"], ["<all_urls>"])},
        BITWARDEN: {"location": 1, "from_webstore": True,
                    "manifest": manifest("Bitwarden", "2024", ["clipboardRead", "cookies"], ["<all_urls>"])},
        PDF_VIEWER: {"location": 5, "manifest": manifest("PDF", "1", ["<all_urls>", "debugger"])}}}})
    assert scan(clean, "linux", EMPTY).findings == []


def test_hostile_files_are_noted_not_fatal(tmp_path):
    chrome = "/home/kim/.config/google-chrome/"
    put(tmp_path, chrome + "Local State", b"\xff\xfe junk")
    put(tmp_path, chrome + "Default/Preferences", "[" * 100_000 + "]" * 100_000)
    put(tmp_path, chrome + "Profile 1/Preferences", {"extensions": {"settings": ["not", "a", "dict"]}})
    put(tmp_path, chrome + "Profile 2/Secure Preferences", {"extensions": {"settings": {
        "x" * 32: {"location": "5", "manifest": {"name": ["odd"], "version": 7, "permissions": [{"a": 1}, "tabs"]}}}}})
    put(tmp_path, "/home/kim/.mozilla/firefox/profiles.ini", "[Profile0\nPath=zzz\n")
    put(tmp_path, "/home/kim/.mozilla/firefox/p.default/extensions.json", {"addons": {"not": "a list"}})
    records, notes = collect(tmp_path, "linux")
    assert [(r.id, r.name, r.version, r.permissions) for r in records] == [("x" * 32, "x" * 32, None, ("tabs",))]
    details = " | ".join(n.detail for n in notes)
    assert "Default/Preferences" in details and "Profile 1/Preferences" in details
    assert "profiles.ini" in details and "no list of add-ons" in details


def test_live_reads_the_same_way(tmp_path, monkeypatch):
    # A live scan of this computer, with a home folder we planted (nothing outside tmp_path is touched).
    import sys
    if not sys.platform.startswith("linux"):
        pytest.skip("plants a Linux home folder")
    home = tmp_path / "kim"
    put(home, "/.config/chromium/Default/Preferences", {"extensions": {"settings": {
        SIDELOADED: {"location": 4, "manifest": manifest("Page Helper", "0.3", ["webRequest"], ["<all_urls>"])}}}})
    monkeypatch.setenv("HOME", str(home))
    machine = Machine.live_machine()
    records = list(BrowserExtensionsSource().collect(machine, Notes("extensions")))
    planted = [r for r in records if r.location.startswith(str(home))]
    assert [(r.name, r.user, r.from_store) for r in planted] == [("Page Helper", "kim", False)]
    assert powerful_extension(planted[0]) == ["all_sites", "webRequest"]
