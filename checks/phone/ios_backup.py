"""Reading an iPhone backup already on this computer (iTunes, Finder, idevicebackup2), read-only.

A backup folder holds ``Info.plist`` (the device and the apps installed from the App Store),
``Manifest.plist`` (whether it is encrypted; the apps) and ``Manifest.db`` (a SQLite list of
every file: domain, path, and a blob with its dates), beside the files themselves, named by the
SHA-1 of ``domain-path`` in a folder of the first two hex digits.

What it gives: the device (model, iOS version, name, when the backup was made), the apps, app
ids matched against the signature set, configuration profiles with the date each was installed,
and whether the phone is supervised or enrolled in device management. Nothing is written: the
database is opened read-only and immutable (no journal or -wal file appears beside it), and no
file is copied out of the backup.

An encrypted backup is not read yet: the check says so plainly (decrypting needs the password,
which must stay in memory only, and a decryption library; see docs/phones.md).
"""
from __future__ import annotations

import datetime as _dt
import os
import plistlib
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from device_checkup.signatures.loader import SignatureSet

from ..i18n import N_, _
from .. import texts
from ..findings import Evidence, Finding
from ..records import InstalledApp, Setting
from ..snapshot import NotRead, Snapshot, now_iso
from .judge import PhoneIndex, heuristic
from .scan import PhoneResult, not_checked

CHECK = "ios-backup"
PROFILES_DOMAIN = "SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles"
MAX_PLIST = 8 * 1024 * 1024
# Windows and macOS keep iTunes/Finder backups here (Microsoft Store iTunes: the second).
BACKUP_FOLDERS = {
    "windows": ("%APPDATA%\\Apple Computer\\MobileSync\\Backup", "%USERPROFILE%\\Apple\\MobileSync\\Backup"),
    "macos": ("~/Library/Application Support/MobileSync/Backup",),
}


def backup_folders(platform: str, environ=None) -> list[str]:
    """The folders where iTunes or Finder keep backups on this kind of computer, that exist."""
    environ = os.environ if environ is None else environ
    out = []
    for pattern in BACKUP_FOLDERS.get(platform, ()):
        path = pattern
        for name in ("APPDATA", "USERPROFILE"):
            path = path.replace(f"%{name}%", environ.get(name, f"%{name}%"))
        if path.startswith("~/"):
            path = os.path.join(environ.get("HOME", "~"), path[2:])
        if "%" not in path and os.path.isdir(path):
            out.append(path)
    return out


def find_backups(platform: str, environ=None) -> list[tuple[str, str]]:
    """(backup folder, what it says about itself) for each backup in the usual places; only
    Info.plist is read, nothing is opened for writing."""
    found = []
    for base in backup_folders(platform, environ):
        try:
            names = sorted(os.listdir(base))[:200]
        except OSError:
            continue
        for name in names:
            folder = os.path.join(base, name)
            if not os.path.isfile(os.path.join(folder, "Manifest.db")):
                continue
            try:
                info = _plist(os.path.join(folder, "Info.plist"))
                words = IPhoneBackup(folder=folder, info=info).description
            except (BackupError, OSError, ValueError, plistlib.InvalidFileException):
                words = "an iPhone backup"
            found.append((folder, words))
    return found


class BackupError(ValueError):
    """Not a backup this check can read (missing files, encrypted, damaged)."""


@dataclass
class Profile:
    identifier: str
    name: str
    organisation: str = ""
    description: str = ""
    installed: str | None = None      # from the backup's own record of the file (its "Birth")
    path: str = ""


@dataclass
class IPhoneBackup:
    folder: str
    info: dict = field(default_factory=dict)
    apps: dict[str, str | None] = field(default_factory=dict)   # bundle id → where it was seen
    store_apps: set[str] = field(default_factory=set)           # apps Info.plist lists (from the App Store)
    profiles: list[Profile] = field(default_factory=list)
    profile_files: int = 0                                      # profile files listed in Manifest.db
    cloud_config: dict = field(default_factory=dict)            # supervision and MDM enrolment
    not_read: list[NotRead] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        i = self.info
        parts = [f"iOS {i['Product Version']}" if i.get("Product Version") else "iOS",
                 str(i.get("Product Type") or ""), f"“{i['Device Name']}”" if i.get("Device Name") else ""]
        when = i.get("Last Backup Date")
        if isinstance(when, _dt.datetime):
            parts.append(_("backup of {when}").format(when=f"{when:%Y-%m-%d %H:%M}"))     # in the check's language
        return ", ".join(p for p in parts if p)


def _plist(path: str) -> dict:
    if os.path.getsize(path) > MAX_PLIST:
        raise BackupError(f"{os.path.basename(path)} is too large to be a backup's")
    with open(path, "rb") as f:
        data = plistlib.load(f)
    if not isinstance(data, dict):
        raise BackupError(f"{os.path.basename(path)} is not what a backup holds")
    return data


def _birth(blob) -> str | None:
    """When the phone created a file, from its record in Manifest.db (an archived MBFile)."""
    try:
        objects = plistlib.loads(blob).get("$objects", [])
    except Exception:  # noqa: BLE001 - a damaged record: no date, not a failure
        return None
    for o in objects:
        if isinstance(o, dict) and isinstance(o.get("Birth"), int):
            return _dt.datetime.fromtimestamp(o["Birth"], _dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return None


def _stored(folder: str, file_id: str) -> str | None:
    if not (len(file_id) == 40 and all(c in "0123456789abcdef" for c in file_id)):
        return None
    path = os.path.join(folder, file_id[:2], file_id)
    return path if os.path.isfile(path) and not os.path.islink(path) else None


def read_backup(folder: str) -> IPhoneBackup:
    folder = os.path.abspath(folder)
    manifest_db = os.path.join(folder, "Manifest.db")
    info_path = os.path.join(folder, "Info.plist")
    if not os.path.isdir(folder):
        raise BackupError("there is no folder there")
    if not os.path.isfile(manifest_db):
        raise BackupError("it holds no Manifest.db, so it is not an iPhone backup (or it is an older kind)")
    backup = IPhoneBackup(folder=folder)
    manifest_plist = os.path.join(folder, "Manifest.plist")
    if os.path.isfile(manifest_plist):
        manifest = _plist(manifest_plist)
        if manifest.get("IsEncrypted"):
            raise BackupError("it is encrypted. Device Checkup cannot read encrypted backups yet; "
                              "MVT (mvt-ios decrypt-backup) can, with the backup's password")
        for bundle, _ in (manifest.get("Applications") or {}).items():
            backup.apps.setdefault(str(bundle), "Manifest.plist")
    if os.path.isfile(info_path):
        backup.info = _plist(info_path)
        for bundle in backup.info.get("Installed Applications") or []:
            backup.apps.setdefault(str(bundle), "Info.plist")
            backup.store_apps.add(str(bundle))
        backup.checked.append(N_("what the backup says about the phone"))
    else:
        backup.not_read.append(NotRead("ios-backup", "absent", "Info.plist", N_("what the backup says about the phone")))
    uri = Path(manifest_db).as_uri() + "?mode=ro&immutable=1"
    try:
        db = sqlite3.connect(uri, uri=True)
        try:
            for (domain,) in db.execute("SELECT DISTINCT domain FROM Files WHERE domain LIKE 'AppDomain-%'"):
                bundle = str(domain)[len("AppDomain-"):]
                if bundle and not bundle.startswith("com.apple."):
                    backup.apps.setdefault(bundle, "Manifest.db")
            backup.checked.append(N_("the apps on the phone"))
            rows = db.execute("SELECT fileID, relativePath, file FROM Files WHERE domain = ?", (PROFILES_DOMAIN,)).fetchall()
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"its Manifest.db can't be read ({exc}); an encrypted backup looks like this") from None
    backup.checked.append(N_("configuration profiles and device management"))
    for file_id, rel, blob in rows:
        rel = str(rel or "")
        name = rel.rsplit("/", 1)[-1]
        if rel.startswith("Library/ConfigurationProfiles/") and name.startswith("profile-") and name.endswith(".stub"):
            backup.profile_files += 1
            profile = Profile(identifier=name[len("profile-"):-len(".stub")], name=name,
                              installed=_birth(blob), path=rel)
            stored = _stored(folder, str(file_id))
            if stored:
                try:
                    data = _plist(stored)
                    profile.identifier = str(data.get("PayloadIdentifier") or profile.identifier)[:300]
                    profile.name = str(data.get("PayloadDisplayName") or profile.name)[:300]
                    profile.organisation = str(data.get("PayloadOrganization") or "")[:300]
                    profile.description = str(data.get("PayloadDescription") or "")[:1000]
                except (BackupError, plistlib.InvalidFileException, ValueError, OSError):
                    pass
            backup.profiles.append(profile)
        elif name == "CloudConfigurationDetails.plist":
            stored = _stored(folder, str(file_id))
            if stored:
                try:
                    backup.cloud_config = _plist(stored)
                except (BackupError, plistlib.InvalidFileException, ValueError, OSError):
                    pass
            else:
                backup.not_read.append(NotRead("ios-backup", "absent", rel,
                                               N_("whether the phone is supervised or enrolled in device management")))
    return backup


def judge_backup(backup: IPhoneBackup, sigset: SignatureSet) -> list[Finding]:
    index = PhoneIndex(sigset)
    findings: dict[str, Finding] = {}
    for bundle in sorted(backup.apps):
        for fam, shown_as, match in index.hits(bundle):
            record = InstalledApp(name=bundle, source="ios: " + ("installed from the App Store" if bundle in backup.store_apps
                                                                 else f"named in {backup.apps[bundle]}"), bundle_id=bundle)
            ev = Evidence(CHECK, "apps", record, [match])
            if shown_as.id in findings:
                findings[shown_as.id].evidence.append(ev)
                continue
            t = lambda part: texts.text("phone", "tiers", shown_as.tier, part, name=shown_as.name,
                                        description=shown_as.description.split(" On a laptop,")[0], value=bundle,
                                        about=texts.text("phone", "ios_about"),
                                        careful_remove=texts.text("phone", "careful_remove"))
            findings[shown_as.id] = Finding(check=CHECK, tier=shown_as.tier, family=shown_as.id,
                                            family_name=shown_as.name, title=t("title"), what=t("what"), why=t("why"),
                                            do=t("do"), careful=t("careful"), evidence=[ev])
    out = list(findings.values())
    for p in backup.profiles:
        record = Setting(kind="profile", name=p.name, value=p.identifier, location=p.path,
                         detail=tuple((k, v) for k, v in (("installed", p.installed or ""), ("organisation", p.organisation),
                                                          ("description", p.description)) if v))
        out.append(heuristic("ios-profile", "settings", [Evidence(CHECK, "settings", record, [])],
                             value=p.name, when=p.installed or "an unknown date",
                             organisation=p.organisation or "no organisation named"))
    cc = backup.cloud_config
    if cc.get("IsSupervised") or cc.get("ConfigurationWasApplied") and cc.get("OrganizationName"):
        org = str(cc.get("OrganizationName") or "an organisation")[:300]
        record = Setting(kind="profile", name="Supervision / device management", value=org,
                         location=f"{PROFILES_DOMAIN}/Library/ConfigurationProfiles/CloudConfigurationDetails.plist")
        out.append(heuristic("ios-supervised", "settings", [Evidence(CHECK, "settings", record, [])], value=org))
    out.sort(key=Finding.sort_key)
    return out


def scan_backup(folder: str, signatures: SignatureSet) -> "BackupResult":
    started = now_iso()
    backup = read_backup(folder)
    snap = Snapshot(platform="ios", mode="offline", root=backup.folder, os_version=backup.description,
                    started_at=started, finished_at=now_iso())
    snap.sources["ios-backup"] = snap.add("apps", [InstalledApp(name=b, source="ios", bundle_id=b) for b in sorted(backup.apps)])
    snap.not_read.extend(backup.not_read)
    result = BackupResult(snapshot=snap, findings=judge_backup(backup, signatures),
                          not_checked=[not_checked(n, backup=True) for n in snap.not_read], signatures=signatures,
                          checked=[_(w) for w in backup.checked])      # said in the current language
    return result


class BackupResult(PhoneResult):
    """A phone result that says it read a backup, and what a backup cannot show."""

    @property
    def device_words(self) -> str:
        return _("the iPhone backup in {folder}").format(folder=self.snapshot.root)

    def cannot_see_words(self) -> list[str]:
        return list(texts.load()["phone"]["ios_cannot_see"])
