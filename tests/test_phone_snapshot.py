"""A phone check saved and matched again, and two checks of one phone compared (issue 18).

The phones are real recordings (MVT's recorded Android outputs replayed through a fake adb
program, MVT's real iPhone backup; tests/data/*/README.md). A phone's snapshot holds the phone
record kinds (signatures/kinds.py); matching it again must give what the check gave.
"""
from __future__ import annotations

import ast
import json
import os

import pytest

from device_checkup.app.cli import main
from device_checkup.app.compare import NotComparable, compare, load_earlier
from device_checkup.checks.phone.adb import Phone, Recorded
from device_checkup.checks.phone.saved import KEPT, rematch
from device_checkup.checks.phone.scan import scan_android
from device_checkup.checks.snapshot import Snapshot
from device_checkup.signatures.loader import load_set
from tests.test_android import CERTIFICATE_FAMILY, DATA, STALKER, fake_adb, ordinary_phone, stalkerware_phone
from tests.test_ios_backup import backup  # noqa: F401 (fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def sigset():
    return load_set()


def same_result(a: dict, b: dict) -> None:
    """Two scan documents say the same thing: findings (ids, words, evidence), what was looked
    at, what could not be, the phone and the time of the check."""
    assert b["findings"] == a["findings"]
    assert (b["checked"], b["not_checked"], b["scan"], b["headline"]) == \
        (a["checked"], a["not_checked"], a["scan"], a["headline"])


# -- saving and matching again ----------------------------------------------------------------------

def test_a_replayed_android_phone_saved_and_matched_again_gives_the_same_findings(tmp_path, capsys):
    script = fake_adb(tmp_path, stalkerware_phone())
    saved = tmp_path / "phone.json"
    assert main(["phone", "android", "--adb", str(script), "--json", "--save-snapshot", str(saved)]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert [f["family"] for f in checked["findings"]][:1] == ["echap.thetruthspy"]
    data = json.loads(saved.read_text("utf-8"))
    assert data["platform"] == "android"
    assert set(data["records"]) == {"phone_apps", "phone_grants", "phone_settings"}
    assert {(g["power"], g["package"]) for g in data["records"]["phone_grants"]} == \
        {("accessibility", STALKER), ("device-admin", STALKER)}
    log_before = (tmp_path / "log").read_text()
    assert main(["scan", "--from-snapshot", str(saved), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    same_result(checked, again)
    assert (tmp_path / "log").read_text() == log_before        # the phone was not asked again
    assert main(["scan", "--from-snapshot", str(saved)]) == 0
    text = capsys.readouterr().out
    assert "a check of this phone" in text and "TheTruthSpy" in text


def test_a_saved_android_check_keeps_only_what_the_judge_reads(tmp_path, sigset):
    outputs = stalkerware_phone()
    # A real phone's getprop also prints its serial number (this recording was cut before it).
    outputs["getprop"] += "[ro.serialno]: [R58M123ABCD]\n[ro.product.model]: [SM-G960F]\n"
    result = scan_android(Phone(Recorded(outputs)), sigset)
    settings = result.snapshot.of("phone_settings")
    assert settings and all(s.name in KEPT.get(s.namespace, ()) or s.namespace == "su" for s in settings)
    saved = json.dumps(result.snapshot.to_json_data())
    for left_out in ("R58M123ABCD", "dalvik.vm.heapgrowthlimit", "samsung_errorlog_agree"):
        assert left_out not in saved
    assert "package_verifier_enable" in saved and "SM-G960F" in saved
    # Every property or setting judge.py reads (a .get("…") or a "ro.…"-style name) is one a
    # saved check keeps; a new one read by the judge but not kept fails here.
    tree = ast.parse(open(os.path.join(ROOT, "checks", "phone", "judge.py"), encoding="utf-8").read())
    read = {n.args[0].value for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "get"
            and n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)}
    read |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
             and n.value.startswith(("ro.", "persist.", "service."))}
    kept = {k for keys in KEPT.values() for k in keys}
    assert {"package_verifier_enable", "ro.boot.verifiedbootstate", "persist.adb.tcp.port"} <= read
    assert read <= kept, read - kept


def test_a_renamed_app_known_by_its_certificate_is_still_named_from_the_saved_check(tmp_path):
    # The certificate was read from the app's file during the check; matching again reads nothing.
    apks = os.path.join(os.path.dirname(DATA), "apksig")
    sig = tmp_path / "certs.yaml"
    sig.write_text(CERTIFICATE_FAMILY)
    outputs = {k: v.replace(STALKER, "org.example.helper") for k, v in stalkerware_phone().items()}
    with open(os.path.join(apks, "golden-aligned-v2-out.apk"), "rb") as f:
        outputs["cat /data/app/~~q1==/org.example.helper-a==/base.apk"] = f.read()
    sigs = load_set([str(sig)])
    result = scan_android(Phone(Recorded(outputs)), sigs)
    assert result.findings[0].family == "test-renamed"
    snap = Snapshot.from_json_data(json.loads(json.dumps(result.snapshot.to_json_data())))
    again = rematch(snap, sigs)
    same_result(result.to_json_data(), again.to_json_data())
    # With today's signatures but without that file, the same saved check is judged again.
    plain = rematch(snap, load_set())
    assert "test-renamed" not in [f.family for f in plain.findings]


def test_an_iphone_backup_saved_and_matched_again_gives_the_same_findings(backup, tmp_path, capsys):
    import plistlib
    info = plistlib.loads((backup / "Info.plist").read_bytes())
    info["Installed Applications"].append("com.wheremychildren.ios")     # FindMyKids (Echap)
    (backup / "Info.plist").write_bytes(plistlib.dumps(info))
    saved = tmp_path / "iphone.json"
    assert main(["phone", "ios-backup", str(backup), "--json", "--save-snapshot", str(saved)]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert len(checked["findings"]) == 1 and "FindMyKids" in checked["findings"][0]["title"]
    assert json.loads(saved.read_text("utf-8"))["platform"] == "ios"
    assert main(["scan", "--from-snapshot", str(saved), "--json"]) == 0
    same_result(checked, json.loads(capsys.readouterr().out))


def test_a_saved_backup_keeps_its_profiles_and_supervision(backup, sigset):
    from device_checkup.checks.phone.ios_backup import Profile, backup_result, read_backup
    from device_checkup.checks.phone.saved import put_backup
    from device_checkup.checks.snapshot import now_iso
    b = read_backup(str(backup))
    b.profiles.append(Profile("com.example.helper", "Network helper", "Example", installed="2023-11-14 22:13 UTC",
                              path="Library/ConfigurationProfiles/profile-4f2c.stub"))
    b.cloud_config = {"IsSupervised": True, "OrganizationName": "Example Ltd", "ConfigurationWasApplied": False}
    snap = Snapshot(platform="ios", mode="offline", root=b.folder, os_version=b.description, started_at=now_iso())
    put_backup(snap, b)
    result = backup_result(b, sigset, snap)
    assert sorted(f.heuristic for f in result.findings) == ["phone-ios-profile", "phone-ios-supervised"]
    again = rematch(Snapshot.from_json_data(json.loads(json.dumps(snap.to_json_data()))), sigset)
    same_result(result.to_json_data(), again.to_json_data())
    assert "backup of 2021-12-03 19:33" in again.snapshot.os_version


def test_a_phone_snapshot_is_written_as_a_new_file_only(tmp_path, capsys):
    script = fake_adb(tmp_path, ordinary_phone())
    taken = tmp_path / "taken.json"
    taken.write_text("mine")
    assert main(["phone", "android", "--adb", str(script), "--save-snapshot", str(taken)]) == 3
    assert taken.read_text() == "mine"
    target = tmp_path / "target"
    link = tmp_path / "link.json"
    link.symlink_to(target)                       # a dangling link planted at the name
    assert main(["phone", "android", "--adb", str(script), "--save-snapshot", str(link)]) == 3
    assert not target.exists()
    assert "can't save the snapshot" in capsys.readouterr().err


def test_a_snapshot_mixing_phone_and_computer_records_is_refused(sigset):
    result = scan_android(Phone(Recorded(stalkerware_phone())), sigset)
    data = result.snapshot.to_json_data()
    laptop = dict(data, platform="linux")
    with pytest.raises(ValueError, match="can't hold"):
        Snapshot.from_json_data(laptop)
    odd = json.loads(json.dumps(data))
    odd["records"]["phone_grants"][0]["power"] = "root-everything"
    with pytest.raises(ValueError, match="unknown phone power"):
        rematch(Snapshot.from_json_data(odd), sigset)
    odd["records"] = {"processes": []}
    with pytest.raises(ValueError, match="can't hold"):
        Snapshot.from_json_data(odd)


# -- compare ----------------------------------------------------------------------------------------

HIDDEN = "com.android.sys.helper"          # an unknown app, installed by hand


def unknown_app_phone(*, admin: bool, accessibility: bool = False) -> dict[str, str]:
    """The recorded phone with the hand-installed app under a name no list knows; a device
    administrator or accessibility service only when asked."""
    outputs = {k: v.replace(STALKER, HIDDEN) for k, v in stalkerware_phone().items()}
    if not admin:
        outputs["dumpsys device_policy"] = "Current Device Policy Manager state:\n  Immutable state:\n    mHasFeature=true\n"
    if not accessibility:
        outputs["settings list secure"] = "accessibility_enabled=0\nenabled_accessibility_services=\nenabled_notification_listeners=\n"
    return outputs


def test_compare_shows_a_newly_added_device_admin_as_new(sigset):
    before = scan_android(Phone(Recorded(unknown_app_phone(admin=False))), sigset).to_json_data()
    after = scan_android(Phone(Recorded(unknown_app_phone(admin=True))), sigset).to_json_data()
    comp = compare(before, after)
    assert [f["heuristic"] for f in comp.new] == ["phone-hidden-app-with-powers"]
    assert HIDDEN in comp.new[0]["title"]
    assert "device administrator" in comp.new[0]["explanation"]["what"]
    assert [f["heuristic"] for f in comp.gone] == ["phone-apps-not-from-a-store"]   # it now has its own finding
    assert comp.changed == []
    same = compare(after, scan_android(Phone(Recorded(unknown_app_phone(admin=True))), sigset).to_json_data())
    assert same.new == same.gone == same.changed == [] and len(same.unchanged) == len(after["findings"])


def test_compare_says_what_changed_for_an_app_found_both_times(sigset):
    before = scan_android(Phone(Recorded(unknown_app_phone(admin=True))), sigset).to_json_data()
    after = scan_android(Phone(Recorded(unknown_app_phone(admin=True, accessibility=True))), sigset).to_json_data()
    comp = compare(before, after)
    assert comp.new == comp.gone == []
    ((finding, changes),) = comp.changed
    assert finding["heuristic"] == "phone-hidden-app-with-powers"
    assert changes == [f"Now also: a setting (Accessibility: {HIDDEN})"]
    # A known family found both times: same finding, its new power said as a change.
    outputs = stalkerware_phone()
    outputs["settings list secure"] = "accessibility_enabled=0\n"
    earlier = scan_android(Phone(Recorded(outputs)), sigset).to_json_data()
    later = scan_android(Phone(Recorded(stalkerware_phone())), sigset).to_json_data()
    comp = compare(earlier, later)
    assert [f["family"] for f, _ in comp.changed] == ["echap.thetruthspy"]
    assert comp.changed[0][1] == [f"Now also: a setting (Accessibility: {STALKER})"]


def test_compare_refuses_a_phone_and_a_computer_or_two_kinds_of_phone(sigset, backup):
    from device_checkup.checks.phone.ios_backup import scan_backup
    android = scan_android(Phone(Recorded(ordinary_phone())), sigset).to_json_data()
    iphone = scan_backup(str(backup), sigset).to_json_data()
    laptop = dict(android, scan=dict(android["scan"], platform="windows"))
    for earlier, later, words in ((laptop, android, "a check of a computer, and this is a check of an Android phone"),
                                  (android, laptop, "a check of an Android phone, and this is a check of a computer"),
                                  (iphone, android, "a check of an iPhone, and this is a check of an Android phone")):
        with pytest.raises(NotComparable) as caught:
            compare(earlier, later)
        assert words in str(caught.value) and "choose an earlier check of the same device" in str(caught.value)


@pytest.mark.parametrize("ending", ["html", "pdf"])
def test_a_phone_report_carries_the_phone_and_compares_like_for_like(tmp_path, sigset, ending):
    from device_checkup.app.report import read_scan_data, save_report
    from device_checkup.app.session import Session
    earlier = scan_android(Phone(Recorded(unknown_app_phone(admin=False))), sigset)
    path = tmp_path / f"earlier.{ending}"
    save_report(str(path), earlier, Session(reference="20261201-001"))
    data = read_scan_data(str(path))
    assert data["scan"]["scan"]["platform"] == "android" and data["snapshot"]["platform"] == "android"
    if ending == "html":
        from device_checkup.app.report import build_html
        page = build_html(scan_android(Phone(Recorded(stalkerware_phone())), sigset), Session(reference="x"))
    else:
        from device_checkup.app.report import build_pdf, pdf_text
        page = pdf_text(build_pdf(scan_android(Phone(Recorded(stalkerware_phone())), sigset), Session(reference="x")))
    flat = " ".join(page.split())
    # The phone's report reads as a phone's: the phone named, its apps' powers in words, the
    # reminder to turn debugging off; nothing about a computer's remote-access logs.
    assert "This phone" in flat and "TheTruthSpy" in flat
    assert "component: com.ispyoo/.AdminReceiver" in flat and "('component'" not in flat
    assert "turn it off again in Developer options" in flat
    assert "Remote connections recorded on this computer" not in flat and "Incoming remote sessions" not in flat
    assert data["scan"]["findings"] == earlier.to_json_data()["findings"]
    later = scan_android(Phone(Recorded(unknown_app_phone(admin=True))), sigset)
    comp = compare(load_earlier(str(path), sigset), later.to_json_data())
    assert [f["heuristic"] for f in comp.new] == ["phone-hidden-app-with-powers"]
    # Matched again with the signatures of the day: a list that now knows the app names it.
    known = tmp_path / "known.yaml"
    known.write_text("schema: 1\nname: test\nversion: '1'\nlicense: test\nfamilies:\n"
                     "  - id: test-helper\n    name: Helper Spy\n    tier: stalkerware\n"
                     "    description: A test family.\n    sources: ['https://example.org/test']\n"
                     f"    indicators:\n      mobile_app_ids: [{HIDDEN}]\n")
    today = load_set([str(known)])
    again = load_earlier(str(path), today)
    assert [f["family"] for f in again["findings"]][:1] == ["test-helper"]


# -- one appointment, two devices -----------------------------------------------------------------
from tests.test_report import result, session  # noqa: E402,F401 (fixtures: a laptop's check and its session)


@pytest.mark.parametrize("ending", ["html", "pdf"])
def test_an_appointments_report_has_a_section_for_the_phone_and_compares_either_device(
        result, session, sigset, tmp_path, backup, ending):
    from device_checkup.app.report import pdf_text, save_report
    session.checked(result)                                     # the laptop, then the phone
    phone = scan_android(Phone(Recorded(unknown_app_phone(admin=True))), sigset)
    session.note_for(phone.findings[0].id).note = "She says her ex set the phone up in March."
    session.checked(phone)
    path = tmp_path / f"appointment.{ending}"
    save_report(str(path), result, session)                     # saved from the laptop's results
    text = path.read_text("utf-8") if ending == "html" else pdf_text(path.read_bytes())
    flat = " ".join(text.replace("&#x27;", "'").split())
    total = len(result.findings) + len(phone.findings)
    assert f"Finding 1 of {total}:" in flat and f"Finding {total} of {total}:" in flat
    assert "Also checked in this appointment: this phone (Android)" in flat
    assert len(phone.findings) == 1 and f"Its finding is number {total}, after this device's" in flat
    assert HIDDEN in flat and "She says her ex set the phone up in March." in flat
    assert "Client first noticed it in March." in flat            # the laptop's notes too
    assert "turn it off again in Developer options" in flat       # what the phone check can't see
    # Compare picks the device of the same kind from the appointment's report.
    earlier = load_earlier(str(path), sigset)
    later_phone = scan_android(Phone(Recorded(unknown_app_phone(admin=True, accessibility=True))), sigset)
    comp = compare(earlier, later_phone.to_json_data())
    assert comp.new == comp.gone == [] and [f["heuristic"] for f, _ in comp.changed] == ["phone-hidden-app-with-powers"]
    comp = compare(earlier, result.to_json_data())
    assert comp.new == comp.gone == comp.changed == [] and len(comp.unchanged) == len(result.findings)
    from device_checkup.checks.phone.ios_backup import scan_backup
    with pytest.raises(NotComparable, match="a check of a computer, and this is a check of an iPhone"):
        compare(earlier, scan_backup(str(backup), sigset).to_json_data())
    # Ending the appointment forgets every device's check.
    session.end()
    assert session.checks == {} and session.others(phone) == []


def test_a_computers_findings_found_both_times_are_the_same_whatever_their_process_ids(result):
    # A running program has another process id and start time at every check: not a change.
    earlier = result.to_json_data()
    later = json.loads(json.dumps(earlier))
    for f in later["findings"]:
        for ev in f["evidence"]:
            if ev["record_kind"] == "processes":
                ev["record"]["pid"] += 1000
    assert any(ev["record_kind"] == "processes" for f in later["findings"] for ev in f["evidence"])
    comp = compare(earlier, later)
    assert comp.changed == [] and len(comp.unchanged) == len(earlier["findings"])
