"""A phone check as a snapshot, and back: save what the phone said, match it again later.

A laptop's snapshot holds its records; a phone's holds the phone kinds declared in
``signatures/kinds.py``: ``phone_apps`` (every app with its installer, dates, permissions, icon
and certificate), ``phone_grants`` (the powers the phone gives apps), ``phone_settings`` (the
system properties and settings the check reads, and no others: :data:`KEPT`) and, for an iPhone
backup, ``phone_profiles``. ``Snapshot.platform`` is ``android`` or ``ios``.

:func:`rematch` rebuilds what the phone said from those records and judges it again with
today's signatures, exactly as a check of the phone would (``checkup scan --from-snapshot``,
Compare). Nothing here reads the phone or the backup again.
"""
from __future__ import annotations

import datetime as _dt

from device_checkup.signatures.loader import SignatureSet

from ..i18n import N_
from ..records import PHONE_POWERS, PhoneApp, PhoneGrant, PhoneProfile, PhoneSetting
from ..snapshot import Snapshot
from .android import CHECKED, AndroidApp, AndroidPhone

PHONE_PLATFORMS = ("android", "ios")

# The only properties and settings a saved Android check keeps: the ones the judge reads
# (checks/phone/judge.py; tests/test_phone_snapshot.py checks it reads no other) and the ones
# that name the phone. The rest of getprop and of the settings lists (the phone's serial
# number, its Bluetooth name, Wi-Fi details…) is not written to the file.
KEPT = {
    "getprop": ("ro.product.manufacturer", "ro.product.model", "ro.build.version.release",
                "ro.build.version.security_patch", "ro.boot.verifiedbootstate", "ro.boot.vbmeta.device_state",
                "ro.boot.flash.locked", "ro.build.tags", "ro.debuggable", "ro.build.type",
                "service.adb.tcp.port", "persist.adb.tcp.port"),
    "global": ("package_verifier_enable", "install_non_market_apps", "adb_wifi_enabled"),
    "secure": ("install_non_market_apps", "enabled_accessibility_services", "enabled_notification_listeners",
               "sms_default_application", "dialer_default_application"),
}
# What an iPhone backup check looked at (checks/phone/ios_backup.py's words), by id.
IOS_CHECKED = {
    "info": N_("what the backup says about the phone"),
    "apps": N_("the apps on the phone"),
    "profiles": N_("configuration profiles and device management"),
}
# What a backup's Info.plist says about the phone, kept to name it again.
IOS_INFO = ("Product Version", "Product Type", "Device Name", "Last Backup Date")
CLOUD_CONFIG = ("IsSupervised", "ConfigurationWasApplied", "OrganizationName")


# -- Android ------------------------------------------------------------------------------------
def put_android(snap: Snapshot, phone: AndroidPhone) -> None:
    """Everything the judge reads about ``phone``, as records in ``snap``."""
    apps = [PhoneApp(package=a.package, installer=a.installer, system=a.system, path=a.path, version=a.version,
                     first_install=a.first_install, last_update=a.last_update, requested=tuple(a.requested),
                     granted=tuple(a.granted), launcher=a.launcher, cert_sha1=a.cert_sha1, uid=a.uid)
            for a in sorted(phone.apps.values(), key=lambda a: a.package)]
    grants: list[PhoneGrant] = []
    for power, holders in (("accessibility", phone.accessibility), ("device-admin", phone.device_admins),
                           ("notifications", phone.notification_listeners)):
        grants += [PhoneGrant(power, package, tuple(parts)) for package, parts in sorted(holders.items())]
    for power, packages in (("device-owner", [phone.device_owner]), ("profile-owner", phone.profile_owners),
                            ("usage-access", phone.usage_access), ("sms-app", [phone.sms_app]),
                            ("dialer-app", [phone.dialer_app])):
        grants += [PhoneGrant(power, p) for p in packages if p]
    settings = [PhoneSetting(space, key, values[key])
                for space, values in (("getprop", phone.props), ("global", phone.global_settings),
                                      ("secure", phone.secure_settings))
                for key in KEPT[space] if key in values]
    if phone.su:
        settings.append(PhoneSetting("su", "su", phone.su))
    _put_checked(snap, "android", CHECKED, phone.checked, apps)
    snap.add("phone_grants", grants)
    snap.add("phone_settings", settings)


def _put_checked(snap: Snapshot, device: str, table: dict[str, str], checked: list[str], apps) -> None:
    """What was looked at, by id ("android:apps"), and the apps, counted under their id."""
    snap.sources.update({f"{device}:{key}": 0 for key, words in table.items() if words in checked})
    added = snap.add("phone_apps", apps)
    if f"{device}:apps" in snap.sources:
        snap.sources[f"{device}:apps"] = added


def android_from(snap: Snapshot) -> AndroidPhone:
    """What the phone said, rebuilt from a snapshot's records (the inverse of :func:`put_android`)."""
    phone = AndroidPhone()
    for a in snap.of("phone_apps"):
        phone.apps[a.package] = AndroidApp(package=a.package, path=a.path, installer=a.installer, uid=a.uid,
                                           system=a.system, version=a.version, first_install=a.first_install,
                                           last_update=a.last_update, requested=tuple(a.requested),
                                           granted=tuple(a.granted), launcher=a.launcher, cert_sha1=a.cert_sha1)
    for g in snap.of("phone_grants"):
        if g.power not in PHONE_POWERS:
            raise ValueError(f"snapshot holds an unknown phone power {g.power!r}")
        if g.power in ("accessibility", "device-admin", "notifications"):
            holders = {"accessibility": phone.accessibility, "device-admin": phone.device_admins,
                       "notifications": phone.notification_listeners}[g.power]
            holders.setdefault(g.package, []).extend(c for c in g.components if c not in holders.get(g.package, []))
        elif g.power == "device-owner":
            phone.device_owner = g.package
        elif g.power == "profile-owner":
            phone.profile_owners.append(g.package)
        elif g.power == "usage-access":
            phone.usage_access.append(g.package)
        elif g.power == "sms-app":
            phone.sms_app = g.package
        else:
            phone.dialer_app = g.package
    spaces = {"getprop": phone.props, "global": phone.global_settings, "secure": phone.secure_settings}
    for s in snap.of("phone_settings"):
        if s.namespace == "su":
            phone.su = s.value
        elif s.namespace in spaces:
            spaces[s.namespace][s.name] = s.value
    phone.not_read = list(snap.not_read)
    phone.checked = [words for key, words in CHECKED.items() if f"android:{key}" in snap.sources]
    return phone


# -- iPhone backups -----------------------------------------------------------------------------
def put_backup(snap: Snapshot, backup) -> None:
    """What an iPhone backup check read (``ios_backup.IPhoneBackup``), as records in ``snap``."""
    apps = [PhoneApp(package=bundle, seen_in=where, from_store=bundle in backup.store_apps)
            for bundle, where in sorted(backup.apps.items())]
    settings = []
    for key in IOS_INFO:
        value = backup.info.get(key)
        if isinstance(value, _dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=_dt.timezone.utc)).isoformat()
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            settings.append(PhoneSetting("backup", key, str(value)))
    for key in CLOUD_CONFIG:
        value = backup.cloud_config.get(key)
        if isinstance(value, bool):
            settings.append(PhoneSetting("cloud-config", key, "true" if value else "false"))
        elif isinstance(value, (str, int)):
            settings.append(PhoneSetting("cloud-config", key, str(value)))
    profiles = [PhoneProfile(identifier=p.identifier, name=p.name, organisation=p.organisation,
                             description=p.description, installed=p.installed, path=p.path) for p in backup.profiles]
    _put_checked(snap, "ios-backup", IOS_CHECKED, backup.checked, apps)
    snap.add("phone_settings", settings)
    snap.add("phone_profiles", profiles)


def backup_from(snap: Snapshot):
    """The backup's contents, rebuilt from a snapshot's records (the inverse of :func:`put_backup`)."""
    from .ios_backup import IPhoneBackup, Profile
    backup = IPhoneBackup(folder=snap.root or "")
    for a in snap.of("phone_apps"):
        backup.apps[a.package] = a.seen_in
        if a.from_store:
            backup.store_apps.add(a.package)
    for s in snap.of("phone_settings"):
        if s.namespace == "backup" and s.name in IOS_INFO:
            value: object = s.value
            if s.name == "Last Backup Date":
                try:
                    value = _dt.datetime.fromisoformat(s.value).replace(tzinfo=None)
                except ValueError:
                    continue
            backup.info[s.name] = value
        elif s.namespace == "cloud-config" and s.name in CLOUD_CONFIG:
            backup.cloud_config[s.name] = {"true": True, "false": False}.get(s.value, s.value)
    backup.profiles = [Profile(identifier=p.identifier, name=p.name, organisation=p.organisation,
                               description=p.description, installed=p.installed, path=p.path)
                       for p in snap.of("phone_profiles")]
    backup.profile_files = len(backup.profiles)
    backup.not_read = list(snap.not_read)
    backup.checked = [words for key, words in IOS_CHECKED.items() if f"ios-backup:{key}" in snap.sources]
    return backup


# -- matching again -----------------------------------------------------------------------------
def rematch(snap: Snapshot, signatures: SignatureSet):
    """A saved phone check, judged again with ``signatures``: the result a check of the phone
    (or the backup) would give today, with the saved check's times and description."""
    if snap.platform == "android":
        from .scan import android_result
        return android_result(android_from(snap), signatures, snapshot=snap)
    if snap.platform == "ios":
        from .ios_backup import backup_result
        return backup_result(backup_from(snap), signatures, snap)
    raise ValueError(f"not a phone's snapshot ({snap.platform})")
