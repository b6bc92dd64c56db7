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

An encrypted backup is read with its password (``ios_crypto``): the password and every key stay
in memory, ``Manifest.db`` is decrypted into memory and opened there (``sqlite3`` ``deserialize``),
and the few files read (profiles, device management) are decrypted in memory too. Nothing
decrypted is written anywhere, and the password is never kept, logged or put into a message.
"""
from __future__ import annotations

import datetime as _dt
import os
import plistlib
import sqlite3
from pathlib import Path

from msgspec import Struct, field
from msgspec.structs import replace

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
                if is_encrypted(folder):
                    words += ", encrypted"
            except (BackupError, OSError, ValueError, plistlib.InvalidFileException):
                words = "an iPhone backup"
            found.append((folder, words))
    return found


MAX_MANIFEST_DB = 1024 * 1024 * 1024   # an encrypted Manifest.db is decrypted in memory


class BackupError(ValueError):
    """Not a backup this check can read (missing files, damaged)."""


class PasswordNeeded(BackupError):
    """The backup is encrypted and no password was given: ask for one."""

    def __init__(self):
        super().__init__("it is encrypted, and opening it needs the password chosen for its backups")


class WrongPassword(BackupError):
    """The password given did not open the backup (the person may try again)."""

    def __init__(self):
        super().__init__("that password did not open it")


def is_encrypted(folder: str) -> bool:
    """Whether the backup in ``folder`` says it is encrypted (so a password is needed)."""
    path = os.path.join(folder, "Manifest.plist")
    try:
        return os.path.isfile(path) and bool(_plist(path).get("IsEncrypted"))
    except (BackupError, OSError, ValueError, plistlib.InvalidFileException):
        return False


class Profile(Struct):
    """A configuration profile kept in an iPhone backup."""
    identifier: str
    name: str
    organisation: str = ""
    description: str = ""
    installed: str | None = None      # from the backup's own record of the file (its "Birth")
    path: str = ""


class IPhoneBackup(Struct):
    """What an iPhone backup says: the phone, its apps, its profiles and what could not be read."""
    folder: str
    info: dict = field(default_factory=dict)
    apps: dict[str, str | None] = field(default_factory=dict)   # bundle id → where it was seen
    store_apps: set[str] = field(default_factory=set)           # apps Info.plist lists (from the App Store)
    profiles: list[Profile] = field(default_factory=list)
    profile_files: int = 0                                      # profile files listed in Manifest.db
    cloud_config: dict = field(default_factory=dict)            # supervision and MDM enrolment
    not_read: list[NotRead] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    encrypted: bool = False

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
        return _plist_data(f.read(MAX_PLIST + 1), os.path.basename(path))


def _plist_data(raw: bytes, name: str) -> dict:
    if len(raw) > MAX_PLIST:
        raise BackupError(f"{name} is too large to be a backup's")
    data = plistlib.loads(raw)
    if not isinstance(data, dict):
        raise BackupError(f"{name} is not what a backup holds")
    return data


def _archived(blob) -> dict:
    """The top object of a file's record in Manifest.db (an archived MBFile), with the objects it
    points to resolved one level (its EncryptionKey is one); {} when it is not one."""
    try:
        archive = plistlib.loads(blob)
        objects = archive["$objects"]
        top = objects[archive["$top"]["root"].data]
    except Exception:  # noqa: BLE001 - a damaged record (any shape): nothing from it
        return {}
    if not isinstance(top, dict):
        return {}

    def resolve(v):
        if isinstance(v, plistlib.UID):
            return objects[v.data] if 0 <= v.data < len(objects) else None
        return v

    out = {}
    for k, v in top.items():
        v = resolve(v)
        if isinstance(v, dict) and "NS.data" in v:      # NSData: inline, or one more reference away
            v = resolve(v["NS.data"])
        out[k] = v
    return out


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


def _stored_plist(path: str, blob, keys: dict[int, bytes] | None) -> dict:
    """A small plist file from the backup; in an encrypted backup, decrypted in memory with the
    key its Manifest.db record holds."""
    if keys is None:
        return _plist(path)
    ios_crypto = _crypto()
    record = _archived(blob)
    wrapped = record.get("EncryptionKey")
    if not isinstance(wrapped, bytes):
        raise BackupError("its record holds no key")
    if os.path.getsize(path) > MAX_PLIST + 16:
        raise BackupError(f"{os.path.basename(path)} is too large to be a backup's")
    with open(path, "rb") as f:
        data = ios_crypto.decrypt(ios_crypto.unwrap(keys, wrapped), f.read(MAX_PLIST + 17))
    size = record.get("Size")
    if isinstance(size, int) and 0 <= size <= len(data):
        data = data[:size]
    return _plist_data(data, os.path.basename(path))


def _crypto():
    """The decryption module, imported only for an encrypted backup: a plain one is read even
    where the ``cryptography`` package is missing."""
    try:
        from . import ios_crypto
    except ImportError:
        raise BackupError("it is encrypted, and opening it needs the 'cryptography' package, "
                          "which is not installed with this copy of Device Checkup") from None
    return ios_crypto


def _class_keys(manifest: dict, password: str) -> dict[int, bytes]:
    ios_crypto = _crypto()
    bag = manifest.get("BackupKeyBag")
    if not isinstance(bag, bytes):
        raise BackupError("it says it is encrypted but holds no keys (its Manifest.plist is damaged)")
    try:
        return ios_crypto.Keybag.parse(bag).unlock(password)
    except ios_crypto.WrongPassword:
        raise WrongPassword() from None
    except ios_crypto.KeybagError as exc:
        raise BackupError(f"its keys are damaged ({exc})") from None


def _open_manifest_db(path: str, manifest: dict, keys: dict[int, bytes] | None) -> sqlite3.Connection:
    """Manifest.db, read-only: in place when it is plain, decrypted into memory when encrypted
    (no temporary file: sqlite3's deserialize takes the bytes)."""
    if keys is None:
        return sqlite3.connect(Path(path).as_uri() + "?mode=ro&immutable=1", uri=True)
    wrapped = manifest.get("ManifestKey")
    if not isinstance(wrapped, bytes):
        raise BackupError("it says it is encrypted but holds no key for its Manifest.db (its Manifest.plist is damaged)")
    if os.path.getsize(path) > MAX_MANIFEST_DB:
        raise BackupError("its Manifest.db is too large to open in memory")
    ios_crypto = _crypto()
    try:
        key = ios_crypto.unwrap(keys, wrapped)
    except ios_crypto.KeybagError as exc:
        raise BackupError(f"its keys are damaged ({exc})") from None
    with open(path, "rb") as f:
        plain = ios_crypto.decrypt(key, f.read(MAX_MANIFEST_DB + 16))
    if not plain.startswith(b"SQLite format 3\0"):
        raise BackupError("its Manifest.db does not open with the backup's keys (it may be damaged)")
    if plain[18:20] == b"\x02\x02":
        # A database in WAL mode (as iOS writes Manifest.db) can't be opened from memory, where
        # no -wal file can exist: the in-memory copy is marked as an ordinary rollback-journal
        # database (header bytes 18-19), which changes nothing that is read.
        plain = plain[:18] + b"\x01\x01" + plain[20:]
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(plain)
        db.execute("PRAGMA query_only = ON")
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def read_backup(folder: str, password: str | None = None) -> IPhoneBackup:
    """What the backup in ``folder`` holds. An encrypted one needs ``password`` (else
    PasswordNeeded; a wrong one: WrongPassword); it is used here and not kept."""
    folder = os.path.abspath(folder)
    manifest_db = os.path.join(folder, "Manifest.db")
    info_path = os.path.join(folder, "Info.plist")
    if not os.path.isdir(folder):
        raise BackupError("there is no folder there")
    if not os.path.isfile(manifest_db):
        raise BackupError("it holds no Manifest.db, so it is not an iPhone backup (or it is an older kind)")
    backup = IPhoneBackup(folder=folder)
    manifest_plist = os.path.join(folder, "Manifest.plist")
    manifest: dict = {}
    keys: dict[int, bytes] | None = None
    if os.path.isfile(manifest_plist):
        try:
            manifest = _plist(manifest_plist)
        except (plistlib.InvalidFileException, ValueError) as exc:
            if isinstance(exc, BackupError):
                raise
            raise BackupError("its Manifest.plist is damaged") from None
        if manifest.get("IsEncrypted"):
            if password is None:
                raise PasswordNeeded()
            keys = _class_keys(manifest, password)
            backup.encrypted = True
        applications = manifest.get("Applications")
        for bundle in applications if isinstance(applications, dict) else ():
            backup.apps.setdefault(str(bundle), "Manifest.plist")
    if os.path.isfile(info_path):
        backup.info = _plist(info_path)
        installed = backup.info.get("Installed Applications")
        for bundle in installed if isinstance(installed, list) else ():
            backup.apps.setdefault(str(bundle), "Info.plist")
            backup.store_apps.add(str(bundle))
        backup.checked.append(N_("what the backup says about the phone"))
    else:
        backup.not_read.append(NotRead("ios-backup", "absent", "Info.plist", N_("what the backup says about the phone")))
    try:
        db = _open_manifest_db(manifest_db, manifest, keys)
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
        raise BackupError(f"its Manifest.db can't be read ({exc})") from None
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
                    data = _stored_plist(stored, blob, keys)
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
                    backup.cloud_config = _stored_plist(stored, blob, keys)
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
                                        description=texts.description(shown_as, phone=True), value=bundle,
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


def scan_backup(folder: str, signatures: SignatureSet, password: str | None = None) -> "BackupResult":
    started = now_iso()
    backup = read_backup(folder, password)
    snap = Snapshot(platform="ios", mode="offline", root=backup.folder, os_version=backup.description,
                    started_at=started, finished_at=now_iso())
    from .saved import put_backup
    put_backup(snap, backup)
    snap.not_read.extend(backup.not_read)
    return backup_result(backup, signatures, snap)


def backup_result(backup: IPhoneBackup, signatures: SignatureSet, snap: Snapshot) -> "BackupResult":
    """The backup judged; ``snap`` holds what was read (or a saved check: checks/phone/saved.py)."""
    missing = [not_checked(n, backup=True) for n in snap.not_read]
    if backup.encrypted:                # "an encrypted backup holds more" would be no advice here
        missing = [replace(n, how=texts.text("phone", "backup_how_encrypted")) for n in missing]
    return BackupResult(snapshot=snap, findings=judge_backup(backup, signatures),
                        not_checked=missing, signatures=signatures, checked=[_(w) for w in backup.checked])   # said in the current language


class BackupResult(PhoneResult):
    """A phone result that says it read a backup, and what a backup cannot show."""

    @property
    def device_words(self) -> str:
        return _("the iPhone backup in {folder}").format(folder=self.snapshot.root)

    def cannot_see_words(self) -> list[str]:
        return list(texts.load()["phone"]["ios_cannot_see"])
