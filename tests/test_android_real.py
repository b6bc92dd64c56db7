"""The Android phone check on REAL recordings of real phones (tests/data/android/README.md).

* A phone with SpyLive360 on it, as spytrap-adb's author recorded it for that project's tests
  (spytrap-org/spytrap-adb): ``dumpsys package com.wifi0``, ``dumpsys accessibility`` with the
  app's accessibility service enabled, and ``settings list secure`` / ``global`` of a LineageOS
  phone with the same service enabled. Nothing in these is changed.
* Its ``dumpsys device_policy`` is the one substituted piece: no public recording of a phone with
  stalkerware as device administrator was found. It is a real Samsung recording (Knox Guard as
  administrator, IsMyPhonePwned/bugreport-extractor-library) in which only the lines naming the
  administrator were swapped for SpyLive360's own administrator receiver, as the real
  ``dumpsys package com.wifi0`` recording names it (``com.wifi0/.receivers.DeviceAdmin``, the
  receiver of ``android.app.action.DEVICE_ADMIN_ENABLED``) and its real uid (10155).
* Ordinary recordings: phones with no accessibility service on (spytrap-adb, MVT), Samsung's own
  Knox Guard as administrator and Secure Folder as profile owner (bugreport-extractor-library),
  an Android 2.3.5 phone with no administrator (sonyxperiadev/ChkBugReport), and apps installed
  by hand on the LineageOS phone (F-Droid, GPSTest, Jitsi Meet).

Every command still goes through the read-only allow-list; the tests read the exact log.
"""
from __future__ import annotations

import os

import pytest
import yaml

from device_checkup.checks.phone.adb import Phone, Recorded
from device_checkup.checks.phone.android import (AndroidPhone, collect, parse_accessibility_dump,
                                                 parse_device_policy, parse_dumpsys_packages, parse_settings_list)
from device_checkup.checks.phone.judge import PhoneIndex
from device_checkup.checks.phone.scan import android_result, scan_android
from device_checkup.signatures.importers import slug
from device_checkup.signatures.loader import load_set

from .helpers import SHARED
from .test_android import EXPECTED_COMMANDS, ordinary_phone

DATA = os.path.join(os.path.dirname(__file__), "data", "android")
STALKER = "com.wifi0"                     # SpyLive360 (Echap ioc.yaml, "packages")
APK = "/data/app/~~V5jud4ex5-s8L3x2B4lvUA==/com.wifi0-q-C29yRZYy55N91XTD2EoA==/base.apk"
SAMSUNG_ADMIN = "com.samsung.android.kgclient/.agent.KGDeviceAdminReceiver"


def read(path: str) -> str:
    with open(os.path.join(DATA, path), encoding="utf-8", newline="") as f:
        return f.read()


@pytest.fixture(scope="module")
def sigset():
    return load_set()


def substituted_device_policy() -> str:
    """The real Samsung ``dumpsys device_policy`` excerpt with the administrator's identity
    swapped for SpyLive360's, line by line (each pair: the real line → what replaces it). The
    policies, flags and layout around them are the Samsung phone's, unchanged."""
    text = read("bugreport-extractor/dumpsys_device_policy_samsung_admin.txt")
    swaps = [
        (f"    {SAMSUNG_ADMIN}:\n", "    com.wifi0/.receivers.DeviceAdmin:\n"),
        ("      uid=10094\n", "      uid=10155\n"),
        ("        name=com.samsung.android.kgclient.agent.KGDeviceAdminReceiver\n",
         "        name=com.wifi0.receivers.DeviceAdmin\n"),
        ("        packageName=com.samsung.android.kgclient\n        permission=",
         "        packageName=com.wifi0\n        permission="),
        ("        packageName=com.samsung.android.kgclient\n        sourceDir=/system/priv-app/KnoxGuard/KnoxGuard.apk\n"
         "        dataDir=/data/user/0/com.samsung.android.kgclient\n",
         f"        packageName=com.wifi0\n        sourceDir={APK}\n        dataDir=/data/user/0/com.wifi0\n"),
    ]
    for real, swapped in swaps:
        assert text.count(real) == 1, real
        text = text.replace(real, swapped)
    assert "kgclient" not in text and "KnoxGuard" not in text
    return text


def spylive360_phone() -> dict[str, str]:
    """Command → what the phone answered. Only ``dumpsys device_policy`` is substituted."""
    return {
        f"dumpsys package {STALKER}": read("spytrap/dumpsys_package_com.wifi0.txt"),
        "dumpsys accessibility": read("spytrap/dumpsys_accessibility_spylive360.txt"),
        "settings list secure": read("spytrap/settings_secure_lineage.txt"),
        "settings list global": read("spytrap/settings_global_lineage.txt"),
        "dumpsys device_policy": substituted_device_policy(),
    }


# -- the stalkerware phone ----------------------------------------------------------------------

def test_the_recorded_spylive360_phone_is_named_with_its_family_and_tier(sigset):
    phone = Phone(Recorded(spylive360_phone()))
    result = scan_android(phone, sigset)
    # Exactly what was sent: the fixed questions, then the one app holding powers that no full
    # app listing described (this recording has none), then that app's own file.
    assert phone.sent == EXPECTED_COMMANDS + [("dumpsys", "package", STALKER), ("cat", APK)]
    assert [(f.tier, f.family, f.heuristic) for f in result.findings] == [
        ("stalkerware", "echap.spylive360", None), ("settings", None, "phone-unknown-sources")]
    top = result.findings[0]
    assert top.family_name == "SpyLive360"
    assert [(m.kind, m.indicator, m.value, m.field) for m in top.matches] == [
        ("mobile_app_ids", STALKER, STALKER, "package")]
    powers = {e.record.name: e.record.detail for e in top.evidence if e.record_kind == "settings"}
    assert powers == {"Accessibility": (("component", "com.wifi0/com.wifi0.AccessibilityReceiver4"),),
                      "Device administrator": (("component", "com.wifi0/.receivers.DeviceAdmin"),)}
    app = top.extra["phone_app"]
    assert (app["installer"], app["store"], app["system"], app["first_install"], app["last_update"], app["version"]) == (
        "com.android.packageinstaller", None, False, "2021-12-15 17:51:52", "2021-12-15 17:52:55", "1.4.0")
    assert app["powers"] == ["accessibility", "device-admin"]
    # The recording shows every private-data permission asked for and refused (granted=false).
    assert app["can"] == [] and app["granted_permissions"] == 10
    assert app["has_icon"] is None           # the launcher list was not recorded: not claimed either way
    assert "2021-12-15 17:51:52" in top.why and "accessibility" in top.why
    assert not any(f.heuristic == "phone-hidden-app-with-powers" for f in result.findings)
    # What the recording lacks is said, not failed.
    missing = {n.what for n in result.snapshot.not_read}
    assert {"the list of installed apps", "an app's signing certificate"} <= missing


def test_without_its_name_on_a_list_the_same_phone_still_looks_like_hidden_software(sigset):
    """The same real recordings judged with no signatures at all: an app installed by hand that
    holds accessibility and device administrator is "looks like hidden software", never less."""
    phone = collect(Phone(Recorded(spylive360_phone())))
    empty = load_set(builtin=False)
    result = android_result(phone, empty)
    top = result.findings[0]
    assert (top.tier, top.heuristic, top.family) == ("suspicious", "phone-hidden-app-with-powers", None)
    assert STALKER in top.title


def test_echap_ids_are_the_ones_the_judge_names(sigset):
    """Every package id in Echap's real files (../shared/data/echap) leads the phone judge to the
    Echap family of that name and its tier; SpyLive360's com.wifi0 among them."""
    index = PhoneIndex(sigset)
    first_tier: dict[str, str] = {}
    checked = 0
    for name in ("ioc.yaml", "watchware.yaml"):
        with open(SHARED / "data" / "echap" / name, encoding="utf-8") as f:
            entries = yaml.safe_load(f)
        for entry in entries:
            tier = first_tier.setdefault(entry["name"], {"stalkerware": "stalkerware", "watchware": "watchware"}[entry["type"]])
            for package in entry.get("packages") or []:
                families = {fam.id: fam.tier for fam, _, _ in index.hits(package)}
                assert families.get(f"echap.{slug(entry['name'])}") == tier, (entry["name"], package, families)
                checked += 1
    assert checked > 300
    (fam, shown, match), = index.hits(STALKER)
    assert (fam.id, fam.name, fam.tier, shown.id, match.value) == (
        "echap.spylive360", "SpyLive360", "stalkerware", "echap.spylive360", STALKER)


# -- each real format, read right ------------------------------------------------------------------

@pytest.mark.parametrize("path, expected", [
    ("spytrap/dumpsys_accessibility_plain.txt", {}),            # LineageOS (Android 11), none on
    ("spytrap/dumpsys_accessibility_plain2.txt", {}),           # the older one-line "User state[attributes:…" form
    ("mvt/dumpsys_accessibility.txt", {}),                      # Samsung, none on
    ("spytrap/dumpsys_accessibility_spylive360.txt", {STALKER: ["com.wifi0/com.wifi0.AccessibilityReceiver4"]}),
    ("mvt/dumpsys_accessibility_v14_or_later.txt",
     {"com.malware.accessibility": ["com.malware.accessibility/com.malware.service.malwareservice"]}),
])
def test_real_accessibility_dumps(path, expected):
    assert parse_accessibility_dump(read(path)) == expected


def test_real_device_policy_dumps():
    # Samsung (Android 10 and later layout): Knox Guard, the maker's own anti-theft app, as administrator.
    assert parse_device_policy(read("bugreport-extractor/dumpsys_device_policy_samsung_admin.txt")) == (
        None, [], {"com.samsung.android.kgclient": [SAMSUNG_ADMIN]})
    # The same Samsung's Secure Folder (user 150) as profile owner.
    assert parse_device_policy(read("bugreport-extractor/dumpsys_device_policy_samsung_profile_owner.txt")) == (
        None, ["com.samsung.knox.securefolder"], {})
    # Android 2.3.5 (CRLF line ends, as the bugreport has them): no administrator.
    old = read("chkbugreport/dumpsys_device_policy_android_2.3.5.txt")
    assert "\r\n" in old and parse_device_policy(old) == (None, [], {})


def test_android_2_to_4_print_an_administrator_at_the_header_depth():
    """Android 2.3 to 4.4 print ``  Enabled Device Admins:`` and then each administrator with the
    same two spaces (AOSP DevicePolicyManagerService.dump: ``pw.print("  ")``, then the component
    and ``:``, then its details at four spaces). The real Android 2.3.5 recording has none, so one
    is put where that code prints it; the rest is the recording, unchanged. Before the parser knew
    this layout, such an administrator was missed."""
    old = read("chkbugreport/dumpsys_device_policy_android_2.3.5.txt")
    header = "  Enabled Device Admins:\r\n"
    assert old.count(header) == 1
    with_admin = old.replace(header, header + "  com.wifi0/.receivers.DeviceAdmin:\r\n    uid=10155\r\n")
    assert parse_device_policy(with_admin) == (None, [], {STALKER: ["com.wifi0/.receivers.DeviceAdmin"]})
    # Android 4.2–4.4 name the user in the header; same depth.
    kitkat = with_admin.replace(header, "  Enabled Device Admins (User 0):\r\n")
    assert parse_device_policy(kitkat)[2] == {STALKER: ["com.wifi0/.receivers.DeviceAdmin"]}
    # What follows the list at that depth is not an administrator.
    assert "mPasswordOwner" not in str(parse_device_policy(with_admin))


def test_real_settings_lists():
    secure = parse_settings_list(read("spytrap/settings_secure_lineage.txt"))
    assert secure["enabled_accessibility_services"] == "com.wifi0/com.wifi0.AccessibilityReceiver4"
    assert secure["accessibility_enabled"] == "1" and secure["install_non_market_apps"] == "1"
    assert "enabled_notification_listeners" not in secure
    glob = parse_settings_list(read("spytrap/settings_global_lineage.txt"))
    assert (glob["adb_enabled"], glob["adb_wifi_enabled"], glob["development_settings_enabled"]) == ("1", "0", "1")
    assert "package_verifier_enable" not in glob                # LineageOS without Google Play


def test_real_package_dump_of_one_app():
    apps = {}
    parse_dumpsys_packages(read("spytrap/dumpsys_package_com.wifi0.txt"), apps, only=STALKER)
    app = apps[STALKER]
    assert app.path == APK and app.installer == "com.android.packageinstaller" and not app.system
    assert len(app.requested) == 34 and "android.permission.READ_SMS" in app.requested
    # Ten install-time permissions granted; every runtime one (SMS, calls, location, camera…) refused.
    assert len(app.granted) == 10 and "android.permission.INTERNET" in app.granted
    assert not {"android.permission.READ_SMS", "android.permission.CAMERA", "android.permission.RECORD_AUDIO"} & set(app.granted)
    # Another app's block in the answer is left alone when one app was asked about.
    other = {}
    parse_dumpsys_packages(read("spytrap/dumpsys_package_com.wifi0.txt"), other, only="org.example.other")
    assert other == {}


# -- ordinary phones -------------------------------------------------------------------------------

def samsung_device_policy() -> str:
    """The two real excerpts of the same Samsung bugreport (same dump, same end time): Secure
    Folder as profile owner, then Knox Guard as administrator, in the order the dump prints them."""
    owner = read("bugreport-extractor/dumpsys_device_policy_samsung_profile_owner.txt")
    admins = read("bugreport-extractor/dumpsys_device_policy_samsung_admin.txt")
    assert admins.startswith("DUMP OF SERVICE device_policy:\n")
    return owner + admins.split("\n", 1)[1]


def test_an_ordinary_phone_with_the_makers_administrator_gives_nothing_above_worth_checking(sigset):
    outputs = ordinary_phone()                     # MVT's recorded Samsung phone
    outputs["dumpsys device_policy"] = samsung_device_policy()
    outputs["dumpsys accessibility"] = read("spytrap/dumpsys_accessibility_plain.txt")
    phone = Phone(Recorded(outputs))
    result = scan_android(phone, sigset)
    # This recording has no "settings list secure": the three keys that matter are asked one by
    # one. Then the two holders the app listing did not describe, one by one, and only them.
    at = EXPECTED_COMMANDS.index(("settings", "list", "secure")) + 1
    asked = EXPECTED_COMMANDS[:at] + [("settings", "get", "secure", key) for key in (
        "enabled_accessibility_services", "enabled_notification_listeners", "sms_default_application")] + EXPECTED_COMMANDS[at:]
    assert phone.sent == asked + [("dumpsys", "package", "com.samsung.android.kgclient"),
                                  ("dumpsys", "package", "com.samsung.knox.securefolder")]
    # The recording does not hold those answers: said as not read, not guessed.
    unread = [n.detail for n in result.snapshot.not_read if n.what == "an app that holds a power"]
    assert len(unread) == 2 and "com.samsung.android.kgclient" in unread[0]
    assert all(f.tier == "settings" for f in result.findings), [(f.tier, f.title) for f in result.findings]
    assert not any(f.family for f in result.findings)
    # Each holder is still said, as worth checking, with what is and is not known about it.
    holders = {f.extra["phone_app"]["package"]: f for f in result.findings if f.heuristic == "phone-app-with-powers"}
    assert set(holders) == {"com.samsung.android.kgclient", "com.samsung.knox.securefolder"}
    assert holders["com.samsung.android.kgclient"].extra["phone_app"]["powers"] == ["device-admin"]
    assert holders["com.samsung.knox.securefolder"].extra["phone_app"]["powers"] == ["profile-owner"]
    assert all(not f.extra["phone_app"]["described"] for f in holders.values())
    assert all("did not tell us where this app came from" in f.what for f in holders.values())
    assert not any(f.heuristic == "phone-apps-not-from-a-store" for f in result.findings)


def test_a_listed_app_is_named_even_when_the_phone_cannot_describe_it(sigset):
    """The SpyLive360 recordings without the answer about the app itself (a phone that refuses or
    times out on ``dumpsys package``): its id in the accessibility and device-policy answers is
    enough to name it; where it came from is said as unknown, never guessed."""
    outputs = spylive360_phone()
    del outputs[f"dumpsys package {STALKER}"]
    result = scan_android(Phone(Recorded(outputs)), sigset)
    top = result.findings[0]
    assert (top.tier, top.family) == ("stalkerware", "echap.spylive360")
    assert top.extra["phone_app"]["described"] is False and top.extra["phone_app"]["installer"] is None
    assert "did not tell us where this app came from" in top.why
    assert {e.record.name for e in top.evidence if e.record_kind == "settings"} == {"Accessibility", "Device administrator"}
    # With no list naming it, an app nobody could describe is worth checking, not "hidden".
    bare = scan_android(Phone(Recorded(outputs)), load_set(builtin=False))
    assert [(f.tier, f.heuristic) for f in bare.findings][:1] == [("settings", "phone-app-with-powers")]


def test_apps_installed_by_hand_without_powers_are_worth_checking_and_no_more(sigset):
    """F-Droid, GPSTest and Jitsi Meet as the LineageOS phone's package manager described them
    (installed by the system's package installer, so not from an app store)."""
    phone = AndroidPhone()
    for name, package in (("fdroid", "org.fdroid.fdroid"), ("gpstest", "com.android.gpstest.osmdroid"),
                          ("jitsi", "org.jitsi.meet")):
        parse_dumpsys_packages(read(f"spytrap/dumpsys_package_{name}.txt"), phone.apps, only=package)
    phone.accessibility = parse_accessibility_dump(read("spytrap/dumpsys_accessibility_plain.txt"))
    assert {a.installer for a in phone.apps.values()} == {"com.android.packageinstaller"}
    assert phone.apps["org.jitsi.meet"].first_install == "2021-11-04 20:13:55"
    result = android_result(phone, sigset)
    assert [(f.tier, f.heuristic) for f in result.findings] == [("settings", "phone-apps-not-from-a-store")]
    assert {e.record.bundle_id for e in result.findings[0].evidence} == set(phone.apps)


def test_a_power_holder_the_phone_no_longer_knows_stays_undescribed():
    """A setting left behind by a removed app: the phone answers ``dumpsys package`` with no block
    for it, and nothing is made up."""
    outputs = {"settings list secure": read("spytrap/settings_secure_lineage.txt"),
               f"dumpsys package {STALKER}": "Dexopt state:\n\nCompiler stats:\n"}
    phone = collect(Phone(Recorded(outputs)))
    assert STALKER in phone.accessibility and STALKER not in phone.apps
