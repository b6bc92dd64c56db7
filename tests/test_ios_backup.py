"""Reading an iPhone backup: MVT's real test backup (tests/data/ios/README.md), read-only."""
from __future__ import annotations

import gzip
import os
import plistlib
import shutil
import sqlite3

import pytest

from device_checkup.checks.phone.ios_backup import BackupError, read_backup, scan_backup
from device_checkup.signatures.loader import load_set

DATA = os.path.join(os.path.dirname(__file__), "data", "ios", "mvt_ios_backup")


@pytest.fixture(scope="module")
def sigset():
    return load_set()


@pytest.fixture
def backup(tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    shutil.copy(os.path.join(DATA, "Info.plist"), folder / "Info.plist")
    with gzip.open(os.path.join(DATA, "Manifest.db.gz")) as src, open(folder / "Manifest.db", "wb") as dst:
        shutil.copyfileobj(src, dst)
    return folder


def test_the_real_backup_says_what_phone_it_is_and_its_apps(backup, sigset):
    before = sorted(os.listdir(backup))
    b = read_backup(str(backup))
    assert b.description == "iOS 14.3, iPhone9,3, “iPhone”, backup of 2021-12-03 19:33"
    assert b.store_apps == {"ph.telegra.Telegraph", "com.google.Gmail", "ch.icoaching.typewise",
                            "com.google.chrome.ios", "net.whatsapp.WhatsApp", "org.mozilla.ios.Firefox"}
    assert set(b.apps) == b.store_apps        # every non-Apple app container is one of them
    assert b.profiles == [] and b.profile_files == 0
    result = scan_backup(str(backup), sigset)
    assert result.findings == []
    assert "couldn't" in result.headline or "didn't find" in result.headline
    assert any("backup does not hold everything" in line for line in result.cannot_see_words())
    # Read-only: no journal, -wal or -shm file appeared beside the database.
    assert sorted(os.listdir(backup)) == before


def test_a_known_app_id_in_the_backup_is_named_with_its_family(backup, sigset):
    info = plistlib.loads((backup / "Info.plist").read_bytes())
    info["Installed Applications"].append("com.wheremychildren.ios")     # FindMyKids, Echap watchware.yaml ios_bundles
    (backup / "Info.plist").write_bytes(plistlib.dumps(info))
    result = scan_backup(str(backup), sigset)
    family = next(f for f in sigset.families if f.name == "FindMyKids")   # in both Echap files: ioc.yaml's tier
    assert [(f.family, f.tier) for f in result.findings] == [(family.id, family.tier)]
    assert result.findings[0].matches[0].value == "com.wheremychildren.ios"


def test_a_configuration_profile_is_listed_with_its_install_date(backup, sigset):
    # The real database, with one profile file recorded as iOS records it (an archived MBFile
    # whose Birth is the install time) and the profile's stub stored under its file id.
    file_id = "ab" + "0" * 38
    blob = plistlib.dumps({"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"root": plistlib.UID(1)},
                           "$objects": ["$null", {"Birth": 1700000000, "Size": 10}]}, fmt=plistlib.FMT_BINARY)
    db = sqlite3.connect(backup / "Manifest.db")
    db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, ?)",
               (file_id, "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
                "Library/ConfigurationProfiles/profile-4f2c.stub", blob))
    db.commit()
    db.close()
    (backup / "ab").mkdir()
    (backup / "ab" / file_id).write_bytes(plistlib.dumps({"PayloadDisplayName": "Network helper",
                                                          "PayloadIdentifier": "com.example.helper",
                                                          "PayloadOrganization": "Example"}))
    result = scan_backup(str(backup), sigset)
    (f,) = result.findings
    assert f.tier == "settings" and f.heuristic == "phone-ios-profile"
    assert "Network helper" in f.title and "2023-11-14 22:13 UTC" in f.what


def test_an_encrypted_backup_is_said_plainly(backup):
    (backup / "Manifest.plist").write_bytes(plistlib.dumps({"IsEncrypted": True}))
    with pytest.raises(BackupError, match="encrypted"):
        read_backup(str(backup))


def test_a_folder_that_is_not_a_backup(tmp_path):
    with pytest.raises(BackupError, match="Manifest.db"):
        read_backup(str(tmp_path))


def test_checkup_phone_ios_backup_prints_the_scan_shape(backup, capsys):
    import json
    from device_checkup.app.cli import main
    assert main(["phone", "ios-backup", str(backup), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == "device-checkup-scan" and data["scan"]["platform"] == "ios"
    assert data["scan"]["os_version"].startswith("iOS 14.3")
    assert main(["phone", "ios-backup", str(backup / "nothing-here")]) != 0


def test_checkup_phone_ios_backup_without_a_folder_lists_the_backups_found(backup, tmp_path, capsys, monkeypatch):
    from device_checkup.app.cli import main
    import device_checkup.checks.sources.base as base
    home = tmp_path / "home"
    usual = home / "Library" / "Application Support" / "MobileSync" / "Backup"
    usual.mkdir(parents=True)
    shutil.copytree(backup, usual / "00008030-001A")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(base, "this_platform", lambda: "macos")
    assert main(["phone", "ios-backup"]) == 0
    out = capsys.readouterr().out
    assert "00008030-001A" in out and "iOS 14.3" in out


def test_backups_in_the_usual_places_are_found(backup, tmp_path):
    from device_checkup.checks.phone.ios_backup import find_backups
    home = tmp_path / "home"
    usual = home / "Library" / "Application Support" / "MobileSync" / "Backup"
    usual.mkdir(parents=True)
    shutil.copytree(backup, usual / "00008030-001A")
    (usual / "not-a-backup").mkdir()
    assert find_backups("macos", {"HOME": str(home)}) == [
        (str(usual / "00008030-001A"), "iOS 14.3, iPhone9,3, “iPhone”, backup of 2021-12-03 19:33")]
    appdata = tmp_path / "AppData" / "Roaming"
    (appdata / "Apple Computer" / "MobileSync" / "Backup").mkdir(parents=True)
    assert find_backups("windows", {"APPDATA": str(appdata)}) == []
    assert find_backups("linux", {}) == []
