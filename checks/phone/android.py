"""Reading an Android phone over USB, read-only: what is installed, by whom and when, and which
apps hold the powers stalkerware needs (accessibility, device administrator, notification
access, usage access, default SMS app), plus the settings and root signs that matter.

Every command goes through :class:`checks.phone.adb.Phone` (one read-only allow-list). The
parsers take the text the phone prints, which the phone chooses: every value is data, kept as
a plain string, and shown only through ``checks.inert.shown``. A command the phone does not
know (older Android) becomes a "could not check" entry, never a failure of the whole check.
"""
from __future__ import annotations

import re

from msgspec import Struct, field

from ..i18n import N_
from ..snapshot import NotRead
from .adb import PACKAGE_ID, AdbError, Phone

# Installers that are app stores (ISDi and MVT treat these as "from a store"; the rest,
# including none at all, a browser or a file manager, is "not from an app store").
APP_STORES = {
    "com.android.vending": "Google Play",
    "com.google.android.packageinstaller.vending": "Google Play",
    "com.amazon.venezia": "Amazon Appstore",
    "com.sec.android.app.samsungapps": "Galaxy Store",
    "com.huawei.appmarket": "Huawei AppGallery",
    "com.xiaomi.market": "Xiaomi GetApps",
    "com.xiaomi.mipicks": "Xiaomi GetApps",
    "com.heytap.market": "OPPO App Market",
    "com.oppo.market": "OPPO App Market",
    "com.bbk.appstore": "vivo App Store",
    "com.hihonor.appmarket": "HONOR App Market",
    "org.fdroid.fdroid": "F-Droid",
}
# Apps that give full control of the phone ("root") to other apps (ISDi root_check, MVT).
ROOT_APPS = {"com.topjohnwu.magisk": "Magisk", "eu.chainfire.supersu": "SuperSU",
             "com.koushikdutta.superuser": "Superuser", "com.noshufou.android.su": "Superuser",
             "me.weishu.kernelsu": "KernelSU", "io.github.vvb2060.magisk": "Magisk (Alpha)"}
# Permissions that let an app read or record private things (MVT's dangerous permissions).
SENSITIVE_PERMISSIONS = {
    "android.permission.READ_SMS": "read text messages",
    "android.permission.RECEIVE_SMS": "receive text messages",
    "android.permission.READ_CALL_LOG": "read the call history",
    "android.permission.RECORD_AUDIO": "use the microphone",
    "android.permission.CAMERA": "use the camera",
    "android.permission.ACCESS_FINE_LOCATION": "know the precise location",
    "android.permission.ACCESS_BACKGROUND_LOCATION": "know the location all the time",
    "android.permission.READ_CONTACTS": "read contacts",
    "android.permission.SYSTEM_ALERT_WINDOW": "draw over other apps",
    "android.permission.PACKAGE_USAGE_STATS": "see which apps are used",
    "android.permission.BIND_DEVICE_ADMIN": "be a device administrator",
    "android.permission.BIND_ACCESSIBILITY_SERVICE": "use accessibility to read the screen",
    "android.permission.BIND_NOTIFICATION_LISTENER_SERVICE": "read notifications",
    "android.permission.READ_EXTERNAL_STORAGE": "read photos and files",
    "android.permission.MANAGE_EXTERNAL_STORAGE": "read every file",
}


class AndroidApp(Struct):
    """One app as the phone describes it: where it came from, when, and what it may do."""
    package: str
    path: str | None = None
    installer: str | None = None          # None: the phone named no installer
    uid: int | None = None
    system: bool = False
    version: str | None = None
    first_install: str | None = None      # as the phone printed it ("2024-03-05 18:04:11")
    last_update: str | None = None
    requested: tuple[str, ...] = ()
    granted: tuple[str, ...] = ()
    launcher: bool | None = None          # None: not known (the launcher list could not be read)
    cert_sha1: str | None = None
    described: bool = True                # False: it holds a power, but the phone could not describe it

    @property
    def store(self) -> str | None:
        return APP_STORES.get(self.installer or "")

    @property
    def off_store(self) -> bool:
        return self.described and not self.system and self.store is None


class AndroidPhone(Struct):
    """Everything an Android phone answered to the read-only questions."""
    props: dict[str, str] = field(default_factory=dict)
    apps: dict[str, AndroidApp] = field(default_factory=dict)
    device_admins: dict[str, list[str]] = field(default_factory=dict)     # package → components
    device_owner: str | None = None
    profile_owners: list[str] = field(default_factory=list)
    accessibility: dict[str, list[str]] = field(default_factory=dict)      # package → services
    notification_listeners: dict[str, list[str]] = field(default_factory=dict)
    usage_access: list[str] = field(default_factory=list)
    sms_app: str | None = None
    dialer_app: str | None = None
    global_settings: dict[str, str] = field(default_factory=dict)
    secure_settings: dict[str, str] = field(default_factory=dict)
    su: str | None = None                 # where ``which su`` found one
    not_read: list[NotRead] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        p = self.props
        name = " ".join(x for x in (p.get("ro.product.manufacturer"), p.get("ro.product.model")) if x)
        version = p.get("ro.build.version.release")
        return ", ".join(x for x in ((f"Android {version}" if version else "Android"), name) if x)

    def powers(self, package: str) -> list[str]:
        """The powers an app holds, as ids: accessibility, device-admin, device-owner, …"""
        out = []
        if package in self.accessibility:
            out.append("accessibility")
        if package in self.device_admins:
            out.append("device-admin")
        if package == self.device_owner:
            out.append("device-owner")
        if package in self.profile_owners:
            out.append("profile-owner")
        if package in self.notification_listeners:
            out.append("notifications")
        if package in self.usage_access:
            out.append("usage-access")
        if package == self.sms_app:
            out.append("sms-app")
        if package == self.dialer_app:
            out.append("dialer-app")
        return out


# -- parsers (text the phone printed → plain values) -------------------------------------------

_PROP = re.compile(r"^\[([^\]]{1,200})\]: \[(.*)\]$")


def parse_getprop(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = _PROP.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)[:500]
    return out


def parse_pm_list(text: str) -> dict[str, AndroidApp]:
    """``pm list packages -f -i -U``: ``package:<apk path>=<id>  installer=<x> uid:<n>``
    (the path itself may hold '=', so the id is what follows the last one)."""
    apps: dict[str, AndroidApp] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("package:"):
            continue
        rest = line[len("package:"):]
        uid = None
        m = re.search(r"\s+uid:(\d+)\s*$", rest)
        if m:
            uid, rest = int(m.group(1)), rest[:m.start()]
        installer = None
        m = re.search(r"\s+installer=(\S*)\s*$", rest)
        if m:
            installer, rest = m.group(1), rest[:m.start()]
        path, sep, package = rest.rpartition("=")
        if not sep:
            path, package = "", rest
        package = package.strip()
        if not PACKAGE_ID.fullmatch(package):
            continue
        apps[package] = AndroidApp(package=package, path=path or None,
                                   installer=installer if installer and PACKAGE_ID.fullmatch(installer) else None, uid=uid,
                                   system=_system_path(path))
    return apps


def _system_path(path: str | None) -> bool:
    return bool(path) and path.startswith(("/system/", "/product/", "/vendor/", "/system_ext/", "/apex/", "/odm/"))


def parse_dumpsys_packages(text: str, apps: dict[str, AndroidApp], only: str | None = None) -> None:
    """``dumpsys package``: adds version, install and update times, installer, system flag and
    permissions to the apps (or adds apps the package list did not name). ``only``: the one app
    asked about (``dumpsys package <id>``); any other block in the answer is left alone."""
    current: AndroidApp | None = None
    section = ""
    requested: list[str] = []
    granted: list[str] = []
    in_packages = False

    def close():
        if current is not None:
            current.requested = tuple(dict.fromkeys(current.requested + tuple(requested)))
            current.granted = tuple(dict.fromkeys(current.granted + tuple(granted)))

    for raw in text.splitlines():
        if raw and not raw.startswith(" "):
            close()
            current = None
            in_packages = raw.startswith("Packages:")
            continue
        if not in_packages:
            continue
        m = re.match(r"^  Package \[([^\]]+)\] \(", raw)
        if m:
            close()
            requested, granted, section = [], [], ""
            package = m.group(1)
            if (not PACKAGE_ID.fullmatch(package) and package != "android") or (only and package != only):
                current = None
                continue
            current = apps.setdefault(package, AndroidApp(package=package))
            continue
        if current is None:
            continue
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if indent <= 4 and line.endswith(":") and "=" not in line:
            section = line[:-1]
            continue
        if indent <= 4 and "=" in line:
            section = ""
            key, _, value = line.partition("=")
            if key == "codePath":
                current.path = current.path or (f"{value}/base.apk" if value.startswith("/data/app/") else value)
                current.system = current.system or _system_path(value)
            elif key == "versionName":
                current.version = value[:100]
            elif key == "firstInstallTime":
                current.first_install = current.first_install or value[:40]
            elif key == "lastUpdateTime":
                current.last_update = value[:40]
            elif key == "installerPackageName" and PACKAGE_ID.fullmatch(value):
                current.installer = current.installer or value
            elif key in ("flags", "pkgFlags") and " SYSTEM " in f" {value.strip('[] ')} ":
                current.system = True
            continue
        if indent >= 6 and "=" in line and line.startswith("firstInstallTime="):   # per-user (Android 14+)
            current.first_install = current.first_install or line.split("=", 1)[1][:40]
            continue
        if section == "requested permissions" and indent >= 6:
            requested.append(line.split(":", 1)[0].strip())
        elif section in ("install permissions", "runtime permissions") or (indent >= 8 and "granted=" in line):
            if "granted=true" in line:
                granted.append(line.split(":", 1)[0].strip())
    close()


_COMPONENT = re.compile(r"([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+)/([A-Za-z0-9_.$]+)")


def components(text: str | None) -> dict[str, list[str]]:
    """``pkg/.Service:pkg2/pkg2.Other`` (settings) or any text holding components → package → them."""
    out: dict[str, list[str]] = {}
    for m in _COMPONENT.finditer(text or ""):
        out.setdefault(m.group(1), [])
        if m.group(0) not in out[m.group(1)]:
            out[m.group(1)].append(m.group(0))
    return out


def parse_settings_list(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Za-z0-9_.:-]{1,200}", key.strip()):
            out[key.strip()] = value.strip()[:2000]
    return out


def parse_device_policy(text: str) -> tuple[str | None, list[str], dict[str, list[str]]]:
    """``dumpsys device_policy`` → (device owner package, profile owner packages, admins)."""
    owner, profile_owners, admins = None, [], {}
    block, block_indent = "", 0
    for raw in text.splitlines():
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip(" "))
        if line.startswith("Device Owner"):
            block, block_indent = "owner", indent
            continue
        if line.startswith("Profile Owner"):
            block, block_indent = "profile", indent
            continue
        if line.startswith("Enabled Device Admins"):
            block, block_indent = "admins", indent
            continue
        if block == "admins" and indent == block_indent and line.endswith(":") and _COMPONENT.fullmatch(line[:-1]):
            # Android 2.3 to 4.4 print each admin at the header's own depth ("  Enabled Device
            # Admins (User 0):" then "  pkg/.Receiver:"); later versions indent it two more.
            admins.setdefault(line[:-1].split("/", 1)[0], []).append(line[:-1])
            continue
        if block and line and indent <= block_indent:
            block = ""
        if block in ("owner", "profile"):
            m = _COMPONENT.search(line) if line.startswith("admin=") else None
            package = m.group(1) if m else (line.split("=", 1)[1].strip() if line.startswith("package=") else None)
            if package and PACKAGE_ID.fullmatch(package):
                if block == "owner":
                    owner = owner or package
                elif package not in profile_owners:
                    profile_owners.append(package)
        elif block == "admins" and line.endswith(":") and indent <= block_indent + 4:
            m = _COMPONENT.fullmatch(line[:-1].strip())
            if m:
                admins.setdefault(m.group(1), []).append(m.group(0))
    return owner, profile_owners, admins


def parse_accessibility_dump(text: str) -> dict[str, list[str]]:
    """Enabled services in ``dumpsys accessibility`` (both the older "enabled services: {…}"
    block and Android 14's "Enabled services:{{…}}" line)."""
    out: dict[str, list[str]] = {}
    lines = text.splitlines()
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.lower().startswith("enabled services:"):
            body = line.split(":", 1)[1]
            if body.strip() == "{":
                for nxt in lines[i + 1:]:
                    if nxt.strip().startswith("}"):
                        break
                    body += " " + nxt
            for k, v in components(body).items():
                out.setdefault(k, []).extend(c for c in v if c not in out[k])
    return out


def parse_appops_usage(text: str) -> list[str]:
    """Packages allowed GET_USAGE_STATS ("usage access") in ``dumpsys appops``."""
    out, package = [], None
    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^Package (\S+):$", line)
        if m:
            package = m.group(1)
            continue
        if package and re.match(r"^GET_USAGE_STATS(?: \(allow\):|: mode=allow)", line) and package not in out:
            out.append(package)
    return out


def parse_launcher(text: str) -> set[str]:
    """Packages with a launcher icon (``cmd package query-activities --brief …``)."""
    return {m.group(1) for m in (_COMPONENT.fullmatch(line.strip()) for line in text.splitlines()) if m}


def _first_package(text: str) -> str | None:
    for token in re.split(r"[\s;,]+", text or ""):
        if PACKAGE_ID.fullmatch(token):
            return token
    return None


# -- collection ---------------------------------------------------------------------------------

MAX_APKS = 40                 # apps whose file is read for its certificate, at most


QUESTIONS = 14                # how many questions collect() asks (for progress), certificates aside


# What collect() looked at, by id (a saved check keeps the ids: checks/phone/saved.py).
CHECKED = {
    "props": N_("the phone's system and security state"),
    "apps": N_("installed apps and who installed them"),
    "packages": N_("when apps were installed and the permissions they hold"),
    "icons": N_("apps with no icon"),
    "admins": N_("device administrators and device management"),
    "accessibility": N_("accessibility services and notification access"),
    "settings": N_("settings that matter (Play Protect, unknown sources, debugging)"),
    "usage": N_("usage access"),
    "certificates": N_("the signing certificates of apps not from an app store"),
}


def collect(phone: Phone, progress=None, cancel=None) -> AndroidPhone:
    """Ask the phone, read-only, every question; what fails is noted, the rest goes on.
    ``progress(Progress)`` hears each step; a set ``cancel`` event stops between questions."""
    result = AndroidPhone()
    step = [0]

    def ask(what: str, *argv: str) -> str | None:
        if cancel is not None and cancel.is_set():
            from ..engine import ScanCancelled
            raise ScanCancelled()
        step[0] += 1
        if progress is not None:
            from .. import texts as _texts
            from ..engine import Progress
            progress(Progress("collect", min(step[0], QUESTIONS), QUESTIONS, f"android:{argv[0]}",
                              _texts.text("progress", "collect", what=what)))
        try:
            return phone.run(*argv)
        except AdbError as exc:
            result.not_read.append(NotRead(f"android:{argv[0]}", exc.reason if exc.reason in
                                           ("permission", "absent", "unsupported", "timeout") else "error",
                                           exc.detail[:500], what))
            return None

    text = ask("the phone's system properties", "getprop")
    if text is not None:
        result.props = parse_getprop(text)
        result.checked.append(CHECKED["props"])
    text = ask("the list of installed apps", "pm", "list", "packages", "-f", "-i", "-U")
    if text is not None:
        result.apps = parse_pm_list(text)
        result.checked.append(CHECKED["apps"])
    system_list = ask("the list of the phone's own apps", "pm", "list", "packages", "-s")
    if system_list is not None:
        for line in system_list.splitlines():
            package = line.strip().removeprefix("package:")
            if package in result.apps:
                result.apps[package].system = True
    details = ask("when apps were installed and what they may do", "dumpsys", "package", "packages")
    if details is not None:
        parse_dumpsys_packages(details, result.apps)
        result.checked.append(CHECKED["packages"])
    text = ask("which apps have an icon", "cmd", "package", "query-activities", "--brief", "-a",
               "android.intent.action.MAIN", "-c", "android.intent.category.LAUNCHER")
    if text is not None:
        with_icon = parse_launcher(text)
        if with_icon:
            for app in result.apps.values():
                app.launcher = app.package in with_icon
            result.checked.append(CHECKED["icons"])
    text = ask("device administrators and device management", "dumpsys", "device_policy")
    if text is not None:
        result.device_owner, result.profile_owners, result.device_admins = parse_device_policy(text)
        result.checked.append(CHECKED["admins"])
    secure = ask("the phone's security settings", "settings", "list", "secure")
    if secure is not None:
        result.secure_settings = parse_settings_list(secure)
    else:
        for key in ("enabled_accessibility_services", "enabled_notification_listeners", "sms_default_application"):
            value = ask("the phone's security settings", "settings", "get", "secure", key)
            if value is not None:
                result.secure_settings[key] = value.strip()
    result.accessibility = components(result.secure_settings.get("enabled_accessibility_services"))
    text = ask("accessibility services", "dumpsys", "accessibility")
    if text is not None:
        for k, v in parse_accessibility_dump(text).items():
            result.accessibility.setdefault(k, []).extend(c for c in v if c not in result.accessibility[k])
    result.notification_listeners = components(result.secure_settings.get("enabled_notification_listeners"))
    if secure is not None or text is not None:
        result.checked.append(CHECKED["accessibility"])
    glob = ask("the phone's general settings", "settings", "list", "global")
    if glob is not None:
        result.global_settings = parse_settings_list(glob)
        result.checked.append(CHECKED["settings"])
    text = ask("usage access", "dumpsys", "appops")
    if text is not None:
        result.usage_access = parse_appops_usage(text)
        result.checked.append(CHECKED["usage"])
    sms = ask("the default text-message app", "cmd", "role", "get-role-holders", "android.app.role.SMS")
    result.sms_app = _first_package(sms or "") or _first_package(result.secure_settings.get("sms_default_application", ""))
    dialer = ask("the default phone app", "cmd", "role", "get-role-holders", "android.app.role.DIALER")
    result.dialer_app = _first_package(dialer or "") or _first_package(result.secure_settings.get("dialer_default_application", ""))
    su = ask("signs the phone is rooted", "which", "su")
    if su is not None:
        result.su = su.strip().splitlines()[0][:300] if su.strip() else None
    read_power_holders(ask, result, details_read=details is not None)
    read_certificates(phone, result, cancel)
    return result


MAX_HOLDERS = 20              # apps holding a power asked about one by one, at most


def read_power_holders(ask, result: AndroidPhone, details_read: bool) -> None:
    """An app that holds a power (accessibility, device administrator, notification access, a
    default role) but that the full app listing did not describe is asked about by itself
    (``dumpsys package <id>``, read-only): the full listing can fail or be cut short on some
    phones, and an app nobody can describe is an app nobody can judge. A holder the phone no
    longer knows (the phone answers, but with no block for it: a setting left behind by a removed
    app) is left out. One the phone could not be asked about is kept, marked as not described, so
    a listed stalkerware id is still named and a power is never silently dropped."""
    holders = list(dict.fromkeys(
        [*result.accessibility, *result.device_admins, *([result.device_owner] if result.device_owner else []),
         *result.profile_owners, *result.notification_listeners,
         *([result.sms_app] if result.sms_app else []), *([result.dialer_app] if result.dialer_app else [])]))
    wanted = [p for p in holders if PACKAGE_ID.fullmatch(p) and (p not in result.apps or not details_read)]
    for n, package in enumerate(wanted):
        text = ask("an app that holds a power", "dumpsys", "package", package) if n < MAX_HOLDERS else None
        if text is not None:
            parse_dumpsys_packages(text, result.apps, only=package)
        elif package not in result.apps:
            result.apps[package] = AndroidApp(package=package, described=False)


def read_certificates(phone: Phone, result: AndroidPhone, cancel=None) -> None:
    """The signing certificate of each app worth a closer look (not from an app store, or
    holding a power stalkerware needs): a renamed copy of known stalkerware keeps its
    certificate. Only the app's own file is read; apps from a store are left alone (reading
    every app would take long over USB)."""
    from .adb import APK_PATH
    from .apk import signing_cert_sha1
    wanted = [a for a in result.apps.values()
              if not a.system and a.path and APK_PATH.fullmatch(a.path)
              and (a.off_store or any(p in ("accessibility", "device-admin", "device-owner", "notifications")
                                      for p in result.powers(a.package)))]
    for app in sorted(wanted, key=lambda a: a.package)[:MAX_APKS]:
        if cancel is not None and cancel.is_set():
            from ..engine import ScanCancelled
            raise ScanCancelled()
        try:
            app.cert_sha1 = signing_cert_sha1(phone.read("cat", app.path))
        except AdbError as exc:
            result.not_read.append(NotRead("android:cat", exc.reason if exc.reason in
                                           ("permission", "absent", "unsupported", "timeout") else "error",
                                           f"{app.package}: {exc.detail[:300]}", N_("an app's signing certificate")))
    if wanted:
        result.checked.append(CHECKED["certificates"])
