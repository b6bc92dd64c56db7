"""The Android phone check, replayed from real recorded outputs (tests/data/android/README.md).

The phone is a :class:`checks.phone.adb.Recorded` transport: command → what a real phone printed
(MVT's recorded test artefacts). Nothing is sent anywhere; every command still goes through
the one read-only allow-list, and the tests read the exact log of commands sent.
"""
from __future__ import annotations

import json
import os
import re

import pytest

from device_checkup.checks.phone import adb
from device_checkup.checks.phone.adb import READ_ONLY, NotAllowed, Phone, Recorded, allowed
from device_checkup.checks.phone.android import collect, parse_device_policy, parse_pm_list
from device_checkup.checks.phone.scan import android_result, scan_android
from device_checkup.signatures.loader import load_set

DATA = os.path.join(os.path.dirname(__file__), "data", "android", "mvt")
LAUNCHER = ("cmd package query-activities --brief -a android.intent.action.MAIN "
            "-c android.intent.category.LAUNCHER")
# Every command collect() sends, in order, on a phone that answers all of them.
EXPECTED_COMMANDS = [
    ("getprop",),
    ("pm", "list", "packages", "-f", "-i", "-U"),
    ("pm", "list", "packages", "-s"),
    ("dumpsys", "package", "packages"),
    tuple(LAUNCHER.split()),
    ("dumpsys", "device_policy"),
    ("settings", "list", "secure"),
    ("dumpsys", "accessibility"),
    ("settings", "list", "global"),
    ("dumpsys", "appops"),
    ("cmd", "role", "get-role-holders", "android.app.role.SMS"),
    ("cmd", "role", "get-role-holders", "android.app.role.DIALER"),
    ("which", "su"),
]

# A family known only by the signing certificate of Android's own apksig test APKs.
CERTIFICATE_FAMILY = ("schema: 1\nname: test\nversion: '1'\nlicense: test\nfamilies:\n"
                      "  - id: test-renamed\n    name: Renamed Spy\n    tier: stalkerware\n"
                      "    description: A test family known only by its certificate.\n"
                      "    sources: [{url: 'https://example.org/test', covers: certificate}]\n"
                      "    indicators:\n      android_cert_sha1: [0AA07C0F297B4AE834DC85A17EEA8C2CF9380FF7]\n")


def read(name: str) -> str:
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def sigset():
    return load_set()


def ordinary_phone() -> dict[str, str]:
    """The recorded Samsung phone of MVT's tests, as recorded: two of the maker's apps, no
    accessibility service on, Play Protect on."""
    return {
        "getprop": read("getprop.txt"),
        "dumpsys package packages": read("dumpsys_packages.txt"),
        "dumpsys accessibility": read("dumpsys_accessibility.txt"),
        "dumpsys appops": read("dumpsys_appops.txt"),
        "settings list global": read("androidqf_settings_random.txt"),
    }


STALKER = "com.ispyoo"      # TheTruthSpy (Echap ioc.yaml, "packages")


def stalkerware_phone() -> dict[str, str]:
    """The same recordings with one of the maker's app blocks re-labelled as TheTruthSpy's
    package, installed by hand, enabled as an accessibility service and a device administrator.
    This phone drives the command line, report, compare and app tests; the phone with real
    stalkerware on it is tests/test_android_real.py's SpyLive360 recording.

    ``dumpsys device_policy`` is a real Samsung recording (tests/data/android/README.md) with its
    one administrator line swapped for a TheTruthSpy component; the two secure settings are
    written in the ``key=value`` form real ``settings list secure`` answers have. No public
    analysis names TheTruthSpy's component classes, so ``.AdminReceiver`` and ``.Watcher`` are
    placeholders: the check uses the package id (Echap ioc.yaml), never the class."""
    outputs = ordinary_phone()
    packages = outputs["dumpsys package packages"]
    packages = packages.replace("com.sec.android.app.DataCreate", STALKER)
    packages = packages.replace("codePath=/system/app/AutomationTest_FB", f"codePath=/data/app/~~q1==/{STALKER}-a==")
    packages = re.sub(r"(Package \[" + re.escape(STALKER) + r"\][\s\S]*?)flags=\[ SYSTEM ", r"\1flags=[ ", packages, count=1)
    packages = re.sub(r"(Package \[" + re.escape(STALKER) + r"\][\s\S]*?)pkgFlags=\[ SYSTEM ", r"\1pkgFlags=[ ", packages, count=1)
    packages = packages.replace("firstInstallTime=2008-12-31 16:00:00\n    lastUpdateTime=2008-12-31 16:00:00\n    signatures=PackageSignatures{b4da5e3",
                                "firstInstallTime=2024-03-05 18:04:11\n    lastUpdateTime=2024-03-05 18:04:11\n    signatures=PackageSignatures{b4da5e3")
    outputs["dumpsys package packages"] = packages
    with open(os.path.join(os.path.dirname(DATA), "bugreport-extractor", "dumpsys_device_policy_samsung_admin.txt"),
              encoding="utf-8") as f:
        policy = f.read()
    real_admin = "    com.samsung.android.kgclient/.agent.KGDeviceAdminReceiver:\n"
    assert policy.count(real_admin) == 1
    outputs["dumpsys device_policy"] = policy.replace(real_admin, f"    {STALKER}/.AdminReceiver:\n")
    outputs["settings list secure"] = (f"accessibility_enabled=1\nenabled_accessibility_services={STALKER}/"
                                       f"{STALKER}.Watcher\nenabled_notification_listeners=\n")
    outputs[LAUNCHER] = ("priority=0 preferredOrder=0 match=0x108000 specificIndex=-1 isDefault=false\n"
                         "  com.samsung.android.provider.filterprovider/.Main\n")
    return outputs


# -- the allow-list ---------------------------------------------------------------------------

def test_every_command_sent_is_the_expected_read_only_list():
    outputs = {" ".join(c): "" for c in EXPECTED_COMMANDS}
    phone = Phone(Recorded(outputs))
    collect(phone)
    assert phone.sent == EXPECTED_COMMANDS


def test_no_allowed_command_holds_a_word_that_changes_a_phone():
    for command in READ_ONLY:
        assert not set(command[:-1] if command == ("which", "su") else command) & adb.CHANGING_WORDS, command
        assert not any(re.search(r"[;&|$`<>()\\'\"*?\s]", word) for word in command), command
        assert command[0] in {"getprop", "pm", "dumpsys", "settings", "cmd", "which", "cat"}
        if command[0] == "cat":
            assert command == ("cat", "{apk}")        # an app's own file, nothing else
        if command[0] == "pm":
            assert command[1] == "list"
        if command[0] == "settings":
            assert command[1] in ("get", "list")


@pytest.mark.parametrize("command", [
    ("pm", "clear", "com.android.settings"),          # what ISDi runs
    ("pm", "uninstall", "com.ispyoo"),
    ("settings", "put", "global", "package_verifier_enable", "1"),
    ("dumpsys", "package", "com.x; rm -rf /sdcard"),
    ("dumpsys", "package", "$(reboot)"),
    ("getprop", "&&", "reboot"),
    ("cmd", "role", "add-role-holder", "android.app.role.SMS", "com.x"),
    ("dumpsys", "package"),
    ("cat", "/data/app/../../data/data/com.x/databases/x.db"),
    ("cat", "/sdcard/DCIM/photo.apk"),
    ("cat", "/data/app/x y.apk"),
])
def test_anything_else_is_refused_before_it_is_sent(command):
    with pytest.raises(NotAllowed):
        allowed(command)
    phone = Phone(Recorded({" ".join(command): ""}))
    with pytest.raises(NotAllowed):
        phone.run(*command)
    assert phone.sent == []


def test_a_package_id_is_the_one_argument_a_command_takes():
    assert allowed(("dumpsys", "package", "com.whatsapp")) == ("dumpsys", "package", "com.whatsapp")


def test_the_adb_program_is_given_only_allowed_commands(tmp_path):
    log = tmp_path / "log"
    fake = tmp_path / "adb"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\necho '[ro.product.model]: [Pixel]'\n")
    fake.chmod(0o755)
    program = adb.AdbProgram(serial="R58M123", adb=str(fake))
    assert "Pixel" in Phone(program).run("getprop")
    with pytest.raises(NotAllowed):
        program.shell(("pm", "clear", "com.android.settings"))
    assert log.read_text().splitlines() == ["-s R58M123 shell getprop"]
    with pytest.raises(adb.AdbError):
        adb.AdbProgram(serial="x; reboot", adb=str(fake))


# -- parsing real recordings ----------------------------------------------------------------------

def test_the_recorded_phone_is_read(sigset):
    phone = collect(Phone(Recorded(ordinary_phone())))
    assert set(phone.apps) == {"com.samsung.android.provider.filterprovider", "com.sec.android.app.DataCreate"}
    app = phone.apps["com.sec.android.app.DataCreate"]
    assert app.system and app.first_install == "2008-12-31 16:00:00" and app.version == "1.0"
    assert "android.permission.INTERNET" in app.requested
    assert "android.permission.WRITE_SMS" in app.granted
    assert phone.props["dalvik.vm.heapgrowthlimit"] == "192m"
    assert phone.accessibility == {}
    assert phone.global_settings["package_verifier_enable"] == "1"
    # Commands the recording does not hold are said, not failed.
    assert {n.what for n in phone.not_read} >= {"device administrators and device management"}


def test_android_14_accessibility_dump_names_the_enabled_service():
    outputs = {"dumpsys accessibility": read("dumpsys_accessibility_v14_or_later.txt")}
    phone = collect(Phone(Recorded(outputs)))
    assert phone.accessibility == {"com.malware.accessibility": ["com.malware.accessibility/com.malware.service.malwareservice"]}


def test_package_list_lines_with_equals_in_the_path():
    apps = parse_pm_list(
        "package:/data/app/~~Ab==/com.example.a-Cd==/base.apk=com.example.a  installer=com.android.vending uid:10123\n"
        "package:/system/priv-app/Settings/Settings.apk=com.android.settings  installer=null uid:1000\n")
    assert apps["com.example.a"].installer == "com.android.vending" and apps["com.example.a"].uid == 10123
    assert apps["com.example.a"].path == "/data/app/~~Ab==/com.example.a-Cd==/base.apk"
    assert apps["com.android.settings"].system and apps["com.android.settings"].installer is None


def test_what_the_phone_prints_is_data_never_control_characters(sigset):
    outputs = stalkerware_phone()
    outputs["pm list packages -f -i -U"] = (
        "package:/data/app/~~a==/x-b==/base.apk=com.evil\x1b[2J  installer=null uid:1\n"
        f"package:/data/app/~~q1==/{STALKER}-a==/base.apk={STALKER}  installer=\x1b]0;pwned\x07 uid:10143\n")
    result = scan_android(Phone(Recorded(outputs)), sigset)
    text = json.dumps(result.to_json_data())
    assert "com.evil" not in text and "pwned" not in text
    assert result.findings[0].family == "echap.thetruthspy"


def test_device_owner_profile_owner_and_admins():
    owner, profiles, admins = parse_device_policy(
        "Current Device Policy Manager state:\n  Device Owner: \n"
        "    admin=ComponentInfo{com.corp.mdm/com.corp.mdm.Receiver}\n    name=Corp\n"
        "  Profile Owner (User 10): \n    admin=ComponentInfo{com.work/.Admin}\n"
        "  Enabled Device Admins (User 0, provisioningState: 3):\n    com.corp.mdm/com.corp.mdm.Receiver:\n"
        "      uid=10100\n  Stats:\n    mAffiliationIds=[]\n")
    assert owner == "com.corp.mdm" and profiles == ["com.work"] and list(admins) == ["com.corp.mdm"]


# -- judging --------------------------------------------------------------------------------------

def test_an_ordinary_phone_gives_nothing_above_worth_checking(sigset):
    result = scan_android(Phone(Recorded(ordinary_phone())), sigset)
    assert all(f.tier == "settings" for f in result.findings), [(f.tier, f.title) for f in result.findings]
    assert result.snapshot.platform == "android"
    json.dumps(result.to_json_data())


def test_known_stalkerware_as_admin_and_accessibility_is_named_with_its_family(sigset):
    result = scan_android(Phone(Recorded(stalkerware_phone())), sigset)
    top = result.findings[0]
    assert top.tier == "stalkerware" and top.family == "echap.thetruthspy" and top.family_name == "TheTruthSpy"
    assert [m.kind for m in top.matches] == ["mobile_app_ids"] and top.matches[0].value == STALKER
    powers = {e.record.name for e in top.evidence if e.record_kind == "settings"}
    assert powers == {"Accessibility", "Device administrator"}
    assert top.extra["phone_app"]["first_install"] == "2024-03-05 18:04:11"
    assert top.extra["phone_app"]["has_icon"] is False
    assert "2024-03-05 18:04:11" in top.why and "accessibility" in top.why
    # One finding for the app: the heuristics do not say it again.
    assert not any(f.heuristic == "phone-hidden-app-with-powers" for f in result.findings)


def test_an_unknown_app_installed_by_hand_with_powers_looks_like_hidden_software(sigset):
    outputs = stalkerware_phone()
    for key in list(outputs):
        outputs[key] = outputs[key].replace(STALKER, "org.example.helper")
    result = scan_android(Phone(Recorded(outputs)), sigset)
    top = result.findings[0]
    assert top.tier == "suspicious" and top.heuristic == "phone-hidden-app-with-powers" and top.family is None
    assert "org.example.helper" in top.title


def test_a_signing_certificate_names_a_renamed_app(sigset):
    phone = collect(Phone(Recorded(ordinary_phone())))
    app = phone.apps["com.sec.android.app.DataCreate"]
    app.system = False
    app.cert_sha1 = "31:a6:ec:ec:d9:7c:f3:9b:c4:12:6b:87:45:cd:94:a7:c3:0b:f8:1c"   # TheTruthSpy, Echap ioc.yaml
    result = android_result(phone, sigset)
    assert result.findings[0].family == "echap.thetruthspy"
    assert result.findings[0].matches[0].kind == "android_cert_sha1"


def test_a_store_app_as_default_sms_app_is_worth_checking_and_a_hand_installed_one_more(sigset):
    outputs = stalkerware_phone()
    for key in list(outputs):
        outputs[key] = outputs[key].replace(STALKER, "org.example.texts")
    outputs["settings list secure"] = ""
    outputs["dumpsys device_policy"] = ""
    outputs["cmd role get-role-holders android.app.role.SMS"] = "org.example.texts\n"
    outputs["cmd role get-role-holders android.app.role.DIALER"] = "org.example.texts\n"
    result = scan_android(Phone(Recorded(outputs)), sigset)
    top = result.findings[0]
    assert top.tier == "suspicious" and {e.record.name for e in top.evidence if e.record_kind == "settings"} == {
        "Default text-message app", "Default phone app"}
    store = outputs["dumpsys package packages"].replace(
        "Package [org.example.texts] (d151a2):", "Package [org.example.texts] (d151a2):\n    installerPackageName=com.android.vending")
    outputs["dumpsys package packages"] = store
    outputs[LAUNCHER] += "  org.example.texts/.Main\n"
    result = scan_android(Phone(Recorded(outputs)), sigset)
    assert [(f.tier, f.heuristic) for f in result.findings] == [("settings", "phone-app-with-powers")]


def test_settings_that_matter_are_worth_checking(sigset):
    outputs = ordinary_phone()
    outputs["settings list global"] = outputs["settings list global"].replace("package_verifier_enable=1", "package_verifier_enable=0") + "\nadb_wifi_enabled=1\n"
    outputs["getprop"] += "[ro.boot.verifiedbootstate]: [orange]\n"
    outputs["which su"] = "/system/xbin/su\n"
    result = scan_android(Phone(Recorded(outputs)), sigset)
    by = {f.heuristic: f.tier for f in result.findings}
    assert by == {"phone-play-protect-off": "settings", "phone-adb-network": "settings",
                  "phone-unlocked": "settings", "phone-rooted": "suspicious"}


def test_the_signing_certificate_is_read_from_the_app_file_and_matched(tmp_path):
    # A real APK signed by AOSP apksig's test key (tests/data/android/README.md); its
    # certificate is the one in rsa-2048.x509.pem (SHA-1 0AA07C0F…, as openssl prints it).
    from device_checkup.checks.phone.apk import signing_cert_sha1
    apks = os.path.join(os.path.dirname(DATA), "apksig")
    for scheme in ("v1", "v2", "v3"):
        with open(os.path.join(apks, f"golden-aligned-{scheme}-out.apk"), "rb") as f:
            assert signing_cert_sha1(f.read()) == "0AA07C0F297B4AE834DC85A17EEA8C2CF9380FF7"
    assert signing_cert_sha1(b"PK\x05\x06" + b"\xff" * 40) is None
    sig = tmp_path / "certs.yaml"
    sig.write_text(CERTIFICATE_FAMILY)
    outputs = stalkerware_phone()
    for key in list(outputs):
        outputs[key] = outputs[key].replace(STALKER, "org.example.helper")
    with open(os.path.join(apks, "golden-aligned-v2-out.apk"), "rb") as f:
        outputs["cat /data/app/~~q1==/org.example.helper-a==/base.apk"] = f.read()
    sigs = load_set([str(sig)])
    assert not sigs.problems
    phone = Phone(Recorded(outputs))
    result = scan_android(phone, sigs)
    assert phone.sent[-1] == ("cat", "/data/app/~~q1==/org.example.helper-a==/base.apk")
    top = result.findings[0]
    assert top.family == "test-renamed" and top.matches[0].kind == "android_cert_sha1"


# -- the command line -----------------------------------------------------------------------------

def fake_adb(tmp_path, outputs: dict[str, str]):
    """An adb program that answers from recordings and logs every command line it was given."""
    import sys
    (tmp_path / "outputs.json").write_text(json.dumps(outputs))
    script = tmp_path / "adb"
    script.write_text(f"""#!{sys.executable}
import json, sys
args = sys.argv[1:]
with open({str(tmp_path / 'log')!r}, 'a') as log:
    log.write(' '.join(args) + '\\n')
if args == ['devices']:
    print('List of devices attached\\nR58M123\\tdevice\\n')
    sys.exit(0)
outputs = json.load(open({str(tmp_path / 'outputs.json')!r}))
key = ' '.join(args[3:])
if key not in outputs:
    print('/system/bin/sh: ' + args[3] + ': inaccessible or not found', file=sys.stderr)
    sys.exit(127)
sys.stdout.write(outputs[key])
""")
    script.chmod(0o755)
    return script


def test_checkup_phone_android_prints_the_scan_shapes(tmp_path, capsys):
    from device_checkup.app.cli import main
    script = fake_adb(tmp_path, stalkerware_phone())
    assert main(["phone", "android", "--adb", str(script), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "device-checkup-scan" and data["scan"]["platform"] == "android"
    assert data["findings"][0]["family"] == "echap.thetruthspy" and data["findings"][0]["tier"] == "stalkerware"
    assert "this phone" in data["headline"]
    sent = (tmp_path / "log").read_text().splitlines()
    assert sent[0] == "devices"
    apk = ("cat", f"/data/app/~~q1==/{STALKER}-a==/base.apk")     # the one app not from a store
    assert [tuple(line.split()[3:]) for line in sent[1:]] == EXPECTED_COMMANDS + [apk]
    assert all(line.startswith("-s R58M123 shell ") for line in sent[1:-1])
    assert sent[-1].startswith("-s R58M123 exec-out cat ")
    assert main(["phone", "android", "--adb", str(script)]) == 0
    text = capsys.readouterr().out
    assert "TheTruthSpy, an app sold to watch another person's phone" in text
    assert "a check of this phone" in text
    # A command this phone's shell lacks is "this phone doesn't answer this question", not "no phone".
    flat = " ".join(text.split())
    assert "because no phone answered" not in flat and "doesn't answer this question" in flat


def test_the_report_has_the_phone_and_what_a_phone_check_cannot_see(tmp_path, sigset):
    from device_checkup.app.report import save_report
    from device_checkup.app.session import Session
    result = scan_android(Phone(Recorded(stalkerware_phone())), sigset)
    save_report(str(tmp_path / "r.html"), result, Session())
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "This phone" in html and "This computer, while it was running" not in html
    assert "TheTruthSpy, an app sold to watch another person&#x27;s phone" in html
    assert "USB debugging is itself a change" in html


def test_androidqf_recorded_apps_with_installers_and_certificates(sigset):
    """androidqf's recorded package list (real installers and certificate SHA-1s): apps not from
    a store and holding no power are "worth checking", never more; F-Droid counts as a store."""
    from device_checkup.checks.phone.android import AndroidApp, AndroidPhone
    with open(os.path.join(DATA, "androidqf_packages.json"), encoding="utf-8") as f:
        recorded = json.load(f)
    phone = AndroidPhone()
    for p in recorded:
        cert = next((x["certificate"]["Sha1"] for x in p["files"] if x.get("certificate")), None)
        phone.apps[p["name"]] = AndroidApp(package=p["name"], installer=None if p["installer"] == "null" else p["installer"],
                                          system=p["system"], cert_sha1=cert)
    result = android_result(phone, sigset)
    assert [f.tier for f in result.findings] == ["settings"]
    (f,) = result.findings
    assert f.heuristic == "phone-apps-not-from-a-store"
    listed = {e.record.bundle_id for e in f.evidence}
    assert listed == {"com.whatsapp", "app.revanced.manager.flutter", "org.fdroid.fdroid"}
    assert "org.nuclearfog.apollo" not in listed       # installed from F-Droid, a store


def test_two_checks_of_the_same_phone_compare(sigset):
    from device_checkup.app.compare import compare
    earlier = scan_android(Phone(Recorded(ordinary_phone())), sigset).to_json_data()
    later = scan_android(Phone(Recorded(stalkerware_phone())), sigset).to_json_data()
    again = scan_android(Phone(Recorded(stalkerware_phone())), sigset).to_json_data()
    assert compare(later, again).new == [] and compare(later, again).gone == []
    assert [f["family"] for f in compare(earlier, later).new] == ["echap.thetruthspy"]


def test_the_adb_server_is_stopped_only_if_the_check_started_it(tmp_path):
    import sys
    log = tmp_path / "log"
    script = tmp_path / "adb"
    script.write_text(f"""#!{sys.executable}
import sys
args = sys.argv[1:]
open({str(log)!r}, 'a').write(' '.join(args) + '\\n')
if args == ['devices']:
    print('* daemon not running; starting now at tcp:5037', file=sys.stderr)
    print('* daemon started successfully', file=sys.stderr)
    print('List of devices attached')
    print('R58M123\\tunauthorized')
""")
    script.chmod(0o755)
    program = adb.AdbProgram(adb=str(script))
    assert program.devices() == [("R58M123", "unauthorized")]
    program.close()
    program.close()
    assert log.read_text().splitlines() == ["devices", "kill-server"]
    already = adb.AdbProgram(adb=str(script))
    already.started_server = False
    already.close()
    assert log.read_text().splitlines() == ["devices", "kill-server"]


def test_apps_holding_powers_are_asked_about_one_by_one_at_most_twenty():
    """Holders the app listing did not describe: ``dumpsys package <id>`` each, at most 20 (a
    phone's answer must not turn into hundreds of questions); the rest are kept, undescribed."""
    from device_checkup.checks.phone.android import MAX_HOLDERS
    ids = [f"org.example.a{n:02d}" for n in range(25)]
    outputs = {"settings list secure": "enabled_accessibility_services=" + ":".join(f"{p}/.S" for p in ids) + "\n"}
    phone = Phone(Recorded(outputs))
    result = collect(phone)
    asked = [c for c in phone.sent if c[:2] == ("dumpsys", "package") and c[2] != "packages"]
    assert MAX_HOLDERS == 20 and asked == [("dumpsys", "package", p) for p in ids[:20]]
    assert set(result.apps) == set(ids) and not any(a.described for a in result.apps.values())
