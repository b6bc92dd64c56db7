"""From what a phone told us to findings, in the laptop's tiers, words and records.

Signatures first: an app whose id (``mobile_app_ids``) or signing certificate
(``android_cert_sha1``) a family lists is that family, at the family's tier. Then the signs
ISDi, MVT and spytrap-adb use for what no list knows: an app not from an app store holding a
power stalkerware needs (accessibility, device administrator, notification access), or hiding
its icon while holding one, "looks like hidden software"; an ordinary app holding such a power,
apps not from a store, and settings (Play Protect off, unknown sources, adb over the network,
an unlocked or rooted phone) are "worth checking".

Findings carry the laptop's records: the app is an ``apps`` record (``InstalledApp``, its id
in ``bundle_id``), each power a ``settings`` record (``Setting``, kind ``privacy-grant``), so
the report, compare and the command line show them unchanged.
"""
from __future__ import annotations

from device_checkup.signatures.index import reported_as
from device_checkup.signatures.loader import Family, SignatureSet

from .. import texts
from ..i18n import _
from ..findings import Evidence, Finding, Match
from ..records import InstalledApp, Setting
from .android import ROOT_APPS, SENSITIVE_PERMISSIONS, AndroidApp, AndroidPhone

CHECK = "android"
STRONG_POWERS = ("accessibility", "device-admin", "device-owner", "profile-owner", "notifications", "sms-app",
                 "dialer-app")
POWER_SETTING = {  # power → (what the setting is called, where the phone keeps it)
    "accessibility": ("Accessibility", "settings secure enabled_accessibility_services"),
    "device-admin": ("Device administrator", "dumpsys device_policy"),
    "device-owner": ("Device owner (manages the phone)", "dumpsys device_policy"),
    "profile-owner": ("Profile owner (manages a profile)", "dumpsys device_policy"),
    "notifications": ("Notification access", "settings secure enabled_notification_listeners"),
    "usage-access": ("Usage access", "dumpsys appops"),
    "sms-app": ("Default text-message app", "cmd role get-role-holders android.app.role.SMS"),
    "dialer-app": ("Default phone app", "cmd role get-role-holders android.app.role.DIALER"),
}


class PhoneIndex:
    """Phone app ids and signing certificates of a signature set → the family each names."""

    def __init__(self, sigset: SignatureSet):
        target_of = reported_as(sigset)
        self.apps: dict[str, list[tuple[Family, Family, str]]] = {}
        self.certs: dict[str, list[tuple[Family, Family, str]]] = {}
        for fam in sigset.families:
            target = target_of[fam.id]
            for ind in fam.indicators:
                if ind.kind == "mobile_app_ids":
                    self.apps.setdefault(ind.value.casefold(), []).append((fam, target, ind.value))
                elif ind.kind == "android_cert_sha1":
                    self.certs.setdefault(ind.value.upper(), []).append((fam, target, ind.value))

    def hits(self, app_id: str, cert: str | None = None) -> list[tuple[Family, Family, Match]]:
        out = []
        for fam, shown_as, value in self.apps.get(app_id.casefold(), []):
            out.append((fam, shown_as, Match("mobile_app_ids", value, app_id, "package", fam.file,
                                              fam.user_file, fam.source_urls)))
        if cert:
            for fam, shown_as, value in self.certs.get(cert.replace(":", "").upper(), []):
                out.append((fam, shown_as, Match("android_cert_sha1", value, cert, "signing certificate",
                                                  fam.file, fam.user_file, fam.source_urls)))
        return out


def app_record(app: AndroidApp) -> InstalledApp:
    how = "not described by the phone" if not app.described else "installed by the phone's maker" if app.system else (
        f"installed from {app.store}" if app.store else
        f"installed by {app.installer}" if app.installer else "installed without an app store")
    return InstalledApp(name=app.package, source=f"android: {how}", version=app.version,
                        location=app.path, bundle_id=app.package, installed=app.first_install)


def power_record(phone: AndroidPhone, package: str, power: str) -> Setting:
    name, where = POWER_SETTING[power]
    detail = {"accessibility": phone.accessibility, "device-admin": phone.device_admins,
              "notifications": phone.notification_listeners}.get(power, {}).get(package, [])
    return Setting(kind="privacy-grant", name=name, value=package, location=where,
                   detail=tuple(("component", c) for c in detail[:10]))


def power_words(powers: list[str]) -> str:
    return "; ".join(texts.text("phone", "powers", p) for p in powers)


def app_detail(phone: AndroidPhone, app: AndroidApp) -> dict:
    sensitive = [SENSITIVE_PERMISSIONS[p] for p in app.granted if p in SENSITIVE_PERMISSIONS]
    return {"package": app.package, "described": app.described, "installer": app.installer, "store": app.store, "system": app.system,
            "first_install": app.first_install, "last_update": app.last_update, "version": app.version,
            "has_icon": app.launcher, "powers": phone.powers(app.package), "can": sensitive,
            "requested_permissions": len(app.requested), "granted_permissions": len(app.granted)}


def _evidence(phone: AndroidPhone, app: AndroidApp, matches: list[Match], powers: list[str]) -> list[Evidence]:
    ev = [Evidence(CHECK, "apps", app_record(app), matches)]
    ev += [Evidence(CHECK, "settings", power_record(phone, app.package, p), []) for p in powers]
    return ev


def _app_sentence(phone: AndroidPhone, app: AndroidApp) -> str:
    powers = phone.powers(app.package)
    parts = [texts.text("phone", "installed", "unknown" if not app.described else "store" if app.store else "system" if app.system else
                        "off_store_by" if app.installer else "off_store",
                        store=app.store or "", installer=app.installer or "", when=app.first_install or "an unknown date")]
    if powers:
        parts.append(texts.text("phone", "can_use", powers=power_words(powers)))
    if app.launcher is False:
        parts.append(texts.text("phone", "no_icon"))
    return " ".join(parts)


def family_finding(phone: AndroidPhone, app: AndroidApp, fam: Family, matches: list[Match]) -> Finding:
    description = texts.description(fam, phone=True)
    tier = fam.tier
    values = dict(name=fam.name, description=description, value=app.package, about=_app_sentence(phone, app),
                  careful_remove=texts.text("phone", "careful_remove"))
    t = lambda part: texts.text("phone", "tiers", tier, part, **values)
    powers = phone.powers(app.package)
    f = Finding(check=CHECK, tier=tier, family=fam.id, family_name=fam.name, title=t("title"), what=t("what"),
                why=t("why"), do=t("do"), careful=t("careful"), evidence=_evidence(phone, app, matches, powers))
    f.extra["phone_app"] = app_detail(phone, app)
    return f


def heuristic(name: str, tier: str, evidence: list[Evidence], **values) -> Finding:
    values.setdefault("careful_remove", texts.text("phone", "careful_remove"))
    t = lambda part: texts.text("phone", "heuristics", name, part, **values)
    return Finding(check=CHECK, tier=tier, heuristic=f"phone-{name}", title=t("title"), what=t("what"),
                   why=t("why"), do=t("do"), careful=t("careful"), evidence=evidence)


def judge(phone: AndroidPhone, sigset: SignatureSet) -> list[Finding]:
    index = PhoneIndex(sigset)
    findings: list[Finding] = []
    by_family: dict[str, Finding] = {}
    explained: set[str] = set()
    for app in sorted(phone.apps.values(), key=lambda a: a.package):
        for fam, shown_as, match in index.hits(app.package, app.cert_sha1):
            explained.add(app.package)
            if shown_as.id in by_family:
                f = by_family[shown_as.id]
                if app.package not in {e.record.bundle_id for e in f.evidence if e.record_kind == "apps"}:
                    f.evidence += _evidence(phone, app, [match], phone.powers(app.package))
                else:
                    f.evidence[[e.record.bundle_id if e.record_kind == "apps" else None
                                 for e in f.evidence].index(app.package)].matches.append(match)
                continue
            by_family[shown_as.id] = family_finding(phone, app, shown_as, [match])
    findings += by_family.values()

    off_store = []
    for app in sorted(phone.apps.values(), key=lambda a: a.package):
        if app.package in explained or app.system:
            continue
        powers = phone.powers(app.package)
        strong = [p for p in powers if p in STRONG_POWERS]
        values = dict(value=app.package, about=_app_sentence(phone, app), powers=power_words(powers))
        if strong and (app.off_store or app.launcher is False):
            matches = [Match("heuristic", _("not from an app store") if app.off_store else _("no icon"), app.package,
                             "package")]
            f = heuristic("hidden-app-with-powers", "suspicious", _evidence(phone, app, matches, powers), **values)
        elif strong or "usage-access" in powers:
            f = heuristic("app-with-powers", "settings", _evidence(phone, app, [], powers), **values)
        else:
            if app.off_store:
                off_store.append(app)
            continue
        f.extra["phone_app"] = app_detail(phone, app)
        findings.append(f)
    if off_store:
        lines = "; ".join(f"{a.package} ({texts.text('phone', 'installed', 'off_store_by' if a.installer else 'off_store', installer=a.installer or '', when=a.first_install or 'an unknown date')})"
                          for a in off_store[:20]) + ("; and more" if len(off_store) > 20 else "")
        f = heuristic("apps-not-from-a-store", "settings", [Evidence(CHECK, "apps", app_record(a), []) for a in off_store],
                      count=len(off_store), value=lines)
        f.extra["phone_apps"] = [app_detail(phone, a) for a in off_store]
        findings.append(f)
    findings += settings_findings(phone)
    findings.sort(key=Finding.sort_key)
    return findings


def _setting(name: str, value: str, location: str) -> Setting:
    return Setting(kind="remote-login" if "adb" in location else "privacy-grant", name=name, value=value,
                   location=location)


def settings_findings(phone: AndroidPhone) -> list[Finding]:
    out = []
    g, s, p = phone.global_settings, phone.secure_settings, phone.props
    if g.get("package_verifier_enable") == "0":
        out.append(heuristic("play-protect-off", "settings", [Evidence(CHECK, "settings", _setting(
            "Google Play Protect (checks apps for harm)", "off", "settings global package_verifier_enable"), [])]))
    if s.get("install_non_market_apps") == "1" or g.get("install_non_market_apps") == "1":
        out.append(heuristic("unknown-sources", "settings", [Evidence(CHECK, "settings", _setting(
            "Apps from unknown sources", "allowed", "settings secure install_non_market_apps"), [])]))
    port = next((p.get(k) for k in ("service.adb.tcp.port", "persist.adb.tcp.port") if (p.get(k) or "0") not in ("0", "-1", "")), None)
    if g.get("adb_wifi_enabled") == "1" or port:
        out.append(heuristic("adb-network", "settings", [Evidence(CHECK, "settings", _setting(
            "Debugging over the network", "on" + (f", port {port}" if port else ""), "settings global adb_wifi_enabled / getprop"), [])]))
    root_apps = [a for a in phone.apps if a in ROOT_APPS]
    if phone.su or root_apps:
        signs = ([f"a 'su' program at {phone.su}"] if phone.su else []) + [f"{ROOT_APPS[a]} ({a})" for a in root_apps]
        out.append(heuristic("rooted", "suspicious", [Evidence(CHECK, "settings", _setting(
            "Full control of the phone (root)", "; ".join(signs), "which su / installed apps"), [])], value="; ".join(signs)))
    unlocked = []
    if p.get("ro.boot.verifiedbootstate") == "orange" or p.get("ro.boot.vbmeta.device_state") == "unlocked" \
            or p.get("ro.boot.flash.locked") == "0":
        unlocked.append("the bootloader is unlocked")
    if "test-keys" in p.get("ro.build.tags", ""):
        unlocked.append("the system was not signed by the phone's maker (test-keys)")
    if p.get("ro.debuggable") == "1" and p.get("ro.build.type") != "user":
        unlocked.append("the system is a debugging build")
    if unlocked:
        out.append(heuristic("unlocked", "settings", [Evidence(CHECK, "settings", _setting(
            "Changed or unlocked system", "; ".join(unlocked), "getprop"), [])], value="; ".join(unlocked)))
    owner = phone.device_owner
    if owner and (owner not in phone.apps or phone.apps[owner].system):   # an app's own power is said with the app
        out.append(heuristic("managed", "settings", [Evidence(CHECK, "settings", _setting(
            "Device owner (manages the phone)", phone.device_owner, "dumpsys device_policy"), [])], value=phone.device_owner))
    return out
