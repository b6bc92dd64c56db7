"""Browser extensions and add-ons: Chromium-family browsers, Firefox and Safari.

Everything is read from files (and, for Chromium policies on Windows, the registry), so the
same code reads a live machine and an offline disk. Nothing is started, nothing is written.

What we read, per user home (``fs.user_homes()``):

* Chromium family (Chrome, Chrome Beta/Canary, Chromium, Edge, Brave, Vivaldi, Opera, Opera
  GX): every profile (``Local State`` → ``profile.info_cache`` keys, and any folder holding a
  ``Preferences`` file), ``extensions.settings`` from both ``Preferences`` and ``Secure
  Preferences``; the name, version and permissions from the stored manifest or from
  ``Extensions/<id>/<version>/manifest.json``.
* Firefox: profiles from ``profiles.ini`` (and any folder holding ``extensions.json``), the
  ``addons`` of ``extensions.json``; enterprise policies from ``distribution/policies.json``.
* Safari (macOS): ``AppExtensions/Extensions.plist`` and ``WebExtensions/Extensions.plist``.

Chromium's ``location`` numbers are its ``ManifestLocation`` enum, stored as integers in
Preferences (chromium ``extensions/common/mojom/manifest.mojom``; seen in the generated
binding NDevTK/MojoGUI ``bindings/extensions_common_mojom_manifest.mojom.js``):
0 invalid, 1 INTERNAL (installed by the person, usually from the store), 2 EXTERNAL_PREF,
3 EXTERNAL_REGISTRY (put there by another program), 4 UNPACKED (developer mode), 5 COMPONENT
(part of the browser), 6 EXTERNAL_PREF_DOWNLOAD, 7 EXTERNAL_POLICY_DOWNLOAD (forced by an
administrator's policy), 8 COMMAND_LINE (``--load-extension``), 9 EXTERNAL_POLICY, 10
EXTERNAL_COMPONENT (part of the browser).

Firefox add-on ``location`` names are XPIProvider's ``KEY_APP_*`` constants (mozilla
``toolkit/mozapps/extensions/internal/XPIProvider.sys.mjs``): ``app-profile`` (installed into
the profile), ``app-builtin``/``app-builtin-addons``/``app-system-defaults``/
``app-system-addons``/``app-system-profile`` (Firefox's own), ``app-global``,
``app-system-local``, ``app-system-share``, ``app-system-user`` (placed there by another
program), ``app-temporary`` (loaded for debugging). Add-ons installed by enterprise policy carry
``installTelemetryInfo: {"source": "enterprise-policy"}`` (Firefox ``Policies.sys.mjs``,
``installAddonFromURL``).
"""
from __future__ import annotations

import json
import re

from msgspec import Struct

from ..records import BrowserExtension
from ..i18n import NN_, N_
from ..snapshot import Words
from .base import Machine, Notes, Source
from .fs import FileSystem, Unreadable

JSON_LIMIT = 32 * 1024 * 1024          # Preferences files of heavy profiles reach a few MB
SMALL_LIMIT = 4 * 1024 * 1024          # manifests, messages, Local State, policies, plists
MAX_PROFILES = 200
MAX_EXTENSIONS = 5_000                 # per profile: more is hostile, not a browser

# Chromium ManifestLocation values (see the module docstring).
COMPONENT_LOCATIONS = frozenset({5, 10})
POLICY_LOCATIONS = frozenset({7, 9})
DEVELOPER_LOCATIONS = frozenset({4, 8})

# Update URLs of the browsers' own stores (a manifest's ``update_url``).
STORE_UPDATE_URLS = (
    "https://clients2.google.com/service/update2/crx",           # Chrome Web Store
    "http://clients2.google.com/service/update2/crx",
    "https://update.googleapis.com/service/update2",             # Chrome Web Store, newer clients
    "https://edge.microsoft.com/extensionwebstorebase/v1/crx",   # Microsoft Edge Add-ons
    "https://extension-updates.opera.com/api/omaha/update",      # Opera add-ons
)

FIREFOX_BUILTIN = frozenset({"app-builtin", "app-builtin-addons", "app-system-defaults",
                             "app-system-addons", "app-system-profile"})
# Add-on locations for folders every user shares (XPIProvider KEY_APP_SYSTEM_SHARE, _LOCAL, KEY_APP_GLOBAL).
FIREFOX_SYSTEM = frozenset({"app-system-share", "app-system-local", "app-global"})
AMO_HOSTS = ("addons.mozilla.org", "addons.cdn.mozilla.net", "addons.mozilla.net")


class Chromium(Struct, frozen=True):
    name: str              # shown to people
    policy: str | None     # which policy group forces extensions into it
    single_profile: bool   # Opera keeps its one profile in the folder itself
    windows: tuple[str, ...]   # relative to the home folder
    macos: tuple[str, ...]
    linux: tuple[str, ...]


_LA = "AppData\\Local\\"
_RA = "AppData\\Roaming\\"
_AS = "Library/Application Support/"

CHROMIUM_BROWSERS = (
    Chromium("Google Chrome", "chrome", False, (_LA + "Google\\Chrome\\User Data",),
             (_AS + "Google/Chrome",),
             (".config/google-chrome", ".var/app/com.google.Chrome/config/google-chrome")),
    Chromium("Google Chrome Beta", "chrome", False, (_LA + "Google\\Chrome Beta\\User Data",),
             (_AS + "Google/Chrome Beta",), (".config/google-chrome-beta",)),
    Chromium("Google Chrome Canary", "chrome", False, (_LA + "Google\\Chrome SxS\\User Data",),
             (_AS + "Google/Chrome Canary",), (".config/google-chrome-unstable",)),
    Chromium("Chromium", "chromium", False, (_LA + "Chromium\\User Data",), (_AS + "Chromium",),
             (".config/chromium", "snap/chromium/common/chromium",
              ".var/app/org.chromium.Chromium/config/chromium")),
    Chromium("Microsoft Edge", "edge", False,
             (_LA + "Microsoft\\Edge\\User Data", _LA + "Microsoft\\Edge Beta\\User Data",
              _LA + "Microsoft\\Edge Dev\\User Data"),
             (_AS + "Microsoft Edge", _AS + "Microsoft Edge Beta", _AS + "Microsoft Edge Dev"),
             (".config/microsoft-edge", ".config/microsoft-edge-beta", ".config/microsoft-edge-dev",
              ".var/app/com.microsoft.Edge/config/microsoft-edge")),
    Chromium("Brave", "brave", False, (_LA + "BraveSoftware\\Brave-Browser\\User Data",),
             (_AS + "BraveSoftware/Brave-Browser",),
             (".config/BraveSoftware/Brave-Browser", "snap/brave/current/.config/BraveSoftware/Brave-Browser",
              ".var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser")),
    Chromium("Vivaldi", None, False, (_LA + "Vivaldi\\User Data",), (_AS + "Vivaldi",),
             (".config/vivaldi", ".var/app/com.vivaldi.Vivaldi/config/vivaldi")),
    Chromium("Opera", None, True, (_RA + "Opera Software\\Opera Stable",),
             (_AS + "com.operasoftware.Opera",),
             (".config/opera", "snap/opera/current/.config/opera", ".var/app/com.opera.Opera/config/opera")),
    Chromium("Opera GX", None, True, (_RA + "Opera Software\\Opera GX Stable",),
             (_AS + "com.operasoftware.OperaGX",), ()),
)

# Where administrators force extensions into Chromium browsers.
_POLICY_REGISTRY = {
    "chrome": "SOFTWARE\\Policies\\Google\\Chrome",
    "chromium": "SOFTWARE\\Policies\\Chromium",
    "edge": "SOFTWARE\\Policies\\Microsoft\\Edge",
    "brave": "SOFTWARE\\Policies\\BraveSoftware\\Brave",
}
_POLICY_LINUX = {
    "chrome": ("/etc/opt/chrome/policies/managed",),
    "chromium": ("/etc/chromium/policies/managed", "/etc/chromium-browser/policies/managed"),
    "edge": ("/etc/opt/edge/policies/managed",),
    "brave": ("/etc/brave/policies/managed",),
}
_POLICY_MACOS = {
    "chrome": "com.google.Chrome",
    "chromium": "org.chromium.Chromium",
    "edge": "com.microsoft.Edge",
    "brave": "com.brave.Browser",
}

_FIREFOX_HOMES = {
    "windows": (_RA + "Mozilla\\Firefox",),
    "macos": (_AS + "Firefox",),
    # Firefox 147 and later keep profiles in $XDG_CONFIG_HOME/mozilla/firefox (Debian's current
    # firefox does), older ones in ~/.mozilla/firefox; snap and flatpak move both under their own
    # home ($SNAP_USER_COMMON, ~/.var/app/<id> with XDG_CONFIG_HOME=~/.var/app/<id>/config).
    "linux": (".config/mozilla/firefox", ".mozilla/firefox",
              "snap/firefox/common/.config/mozilla/firefox", "snap/firefox/common/.mozilla/firefox",
              ".var/app/org.mozilla.firefox/config/mozilla/firefox",
              ".var/app/org.mozilla.firefox/.mozilla/firefox"),
}
_FIREFOX_POLICIES = {
    "windows": ("C:\\Program Files\\Mozilla Firefox\\distribution\\policies.json",
                "C:\\Program Files (x86)\\Mozilla Firefox\\distribution\\policies.json"),
    "macos": ("/Applications/Firefox.app/Contents/Resources/distribution/policies.json",),
    "linux": ("/etc/firefox/policies/policies.json", "/usr/lib/firefox/distribution/policies.json",
              "/usr/lib64/firefox/distribution/policies.json",
              "/usr/lib/firefox-esr/distribution/policies.json",
              "/snap/firefox/current/usr/lib/firefox/distribution/policies.json"),
}

_MSG = re.compile(r"^__MSG_([A-Za-z0-9_@]+)__$")


# -- small readers ---------------------------------------------------------------------------
def _read_json(fs: FileSystem, path: str, notes: Notes, what: str, limit: int = JSON_LIMIT,
               quiet: bool = False):
    """A JSON object from a file, or None (absent: silently; otherwise a note unless quiet)."""
    try:
        data = fs.read_bytes(path, limit + 1)
    except Unreadable as exc:
        if not quiet:
            notes.unreadable(exc, what)
        return None
    if len(data) > limit:
        if not quiet:
            notes.could_not_read("error", Words.of(N_("{path}: larger than {size} MB, not read"), path=path, size=limit // (1024 * 1024)), what)
        return None
    try:
        value = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        if not quiet:
            notes.could_not_read("error", Words.of(N_("{path}: not valid JSON ({why})"), path=path, why=str(exc)[:120]), what)
        return None
    if not isinstance(value, dict):
        if not quiet:
            notes.could_not_read("error", Words.of(N_("{path}: not the expected JSON object"), path=path), what)
        return None
    return value


def _read_plist(fs: FileSystem, path: str, notes: Notes, what: str):
    try:
        data = fs.read_bytes(path, SMALL_LIMIT + 1)
    except Unreadable as exc:
        notes.unreadable(exc, what)
        return None
    if len(data) > SMALL_LIMIT:
        notes.could_not_read("error", Words.of(N_("{path}: too large, not read"), path=path), what)
        return None
    import plistlib             # here, not at the top: only macOS browsers keep property lists
    try:
        value = plistlib.loads(data)
    except Exception as exc:  # noqa: BLE001 - plistlib raises many kinds on junk
        notes.could_not_read("error", Words.of(N_("{path}: not a readable property list ({why})"), path=path, why=type(exc).__name__), what)
        return None
    return value if isinstance(value, dict) else None


def _get(d, *keys):
    for key in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(key)
    return d


def _strings(value) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and v and len(v) < 2048]


def _unique(items) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _is_absolute(path: str, platform: str) -> bool:
    if platform == "windows":
        return bool(re.match(r"^[A-Za-z]:", path)) or path.startswith("\\")
    return path.startswith("/")


# -- Chromium --------------------------------------------------------------------------------
def chromium_policy_ids(machine: Machine, notes: Notes) -> dict[str, set[str]]:
    """Extension ids forced (or installed) by an administrator's policy, by policy group."""
    out: dict[str, set[str]] = {group: set() for group in _POLICY_REGISTRY}
    fs = machine.fs
    what = "browser policies set by an administrator"
    if machine.platform == "windows" and machine.registry is not None:
        reg = machine.registry
        unsupported = False
        try:
            users = list(reg.users())
        except Exception:  # noqa: BLE001 - the registry reader is another module's
            users = []
        for group, base in _POLICY_REGISTRY.items():
            for hive, user in [("HKLM", None)] + [("HKCU", u) for u in users]:
                if unsupported:
                    break
                try:
                    key = reg.key(f"{hive}\\{base}", user)
                    if key is None:
                        continue
                    forced = key.subkey("ExtensionInstallForcelist")
                    if forced is not None:
                        for _name, data in forced.values():
                            out[group].update(_forcelist_ids([data]))
                    settings = key.value("ExtensionSettings")
                    if isinstance(settings, str) and len(settings) < SMALL_LIMIT:
                        try:
                            out[group].update(_settings_ids(json.loads(settings)))
                        except (ValueError, RecursionError):
                            notes.could_not_read("error", Words.of(N_("{key} ExtensionSettings: not valid JSON"), key=f"{hive}\\{base}"), what)
                except NotImplementedError:
                    unsupported = True
                    notes.could_not_read("unsupported", Words(N_("the registry could not be read here")), what)
                except Exception as exc:  # noqa: BLE001
                    notes.could_not_read("error", f"{hive}\\{base}: {type(exc).__name__}: {exc}"[:300], what)
    elif machine.platform == "linux":
        for group, folders in _POLICY_LINUX.items():
            for folder in folders:
                try:
                    entries = fs.list(folder)
                except Unreadable as exc:
                    notes.unreadable(exc, what)
                    continue
                for entry in entries:
                    if entry.is_dir or not entry.name.endswith(".json"):
                        continue
                    data = _read_json(fs, entry.path, notes, what, SMALL_LIMIT)
                    if data:
                        out[group].update(_forcelist_ids(data.get("ExtensionInstallForcelist")))
                        out[group].update(_settings_ids(data.get("ExtensionSettings")))
    elif machine.platform == "macos":
        places = ["/Library/Managed Preferences"]
        try:
            places += [e.path for e in fs.list("/Library/Managed Preferences") if e.is_dir]
        except Unreadable as exc:
            notes.unreadable(exc, what)
        for group, domain in _POLICY_MACOS.items():
            for place in places:
                path = fs.join(place, domain + ".plist")
                if not fs.exists(path):
                    continue
                data = _read_plist(fs, path, notes, what)
                if data:
                    out[group].update(_forcelist_ids(data.get("ExtensionInstallForcelist")))
                    out[group].update(_settings_ids(data.get("ExtensionSettings")))
    return out


def _forcelist_ids(items) -> set[str]:
    """``ExtensionInstallForcelist`` entries are ``id`` or ``id;update_url``."""
    out = set()
    for item in items if isinstance(items, list) else []:
        if isinstance(item, str):
            ext_id = item.split(";", 1)[0].strip().lower()
            if ext_id:
                out.add(ext_id)
    return out


def _settings_ids(settings) -> set[str]:
    """``ExtensionSettings``: ids (a key may list several, comma-separated) installed by policy."""
    out = set()
    if not isinstance(settings, dict):
        return out
    for key, value in settings.items():
        if not isinstance(key, str) or key == "*" or not isinstance(value, dict):
            continue
        if value.get("installation_mode") in ("force_installed", "normal_installed"):
            out.update(k.strip().lower() for k in key.split(",") if k.strip())
    return out


def chromium_profiles(fs: FileSystem, root: str, single: bool, notes: Notes, what: str) -> list[tuple[str, str]]:
    """(profile name, folder) of every profile in a Chromium user-data folder."""
    if single:
        return [("Default", root)] if fs.exists(fs.join(root, "Preferences")) or \
            fs.exists(fs.join(root, "Secure Preferences")) else []
    names: list[str] = []
    state = _read_json(fs, fs.join(root, "Local State"), notes, what, SMALL_LIMIT, quiet=True)
    cache = _get(state, "profile", "info_cache")
    if isinstance(cache, dict):
        names += [k for k in cache if isinstance(k, str) and k and "/" not in k and "\\" not in k and k not in (".", "..")]
    try:
        for entry in fs.list(root):
            if entry.is_dir and entry.name not in ("System Profile", "Guest Profile") and (
                    fs.exists(fs.join(entry.path, "Preferences")) or fs.exists(fs.join(entry.path, "Secure Preferences"))):
                names.append(entry.name)
    except Unreadable as exc:
        notes.unreadable(exc, what)
    out = []
    for name in dict.fromkeys(names):
        folder = fs.join(root, name)
        if fs.is_dir(folder):
            out.append((name, folder))
    return out[:MAX_PROFILES]


def _extension_dir(fs: FileSystem, profile_dir: str, ext_id: str, entry: dict, platform: str) -> str | None:
    """The folder that holds an extension's files, where it can be found."""
    path = entry.get("path")
    if isinstance(path, str) and path and len(path) < 1024:
        candidate = path if _is_absolute(path, platform) else fs.join(profile_dir, "Extensions", path)
        if fs.is_dir(candidate):
            return candidate
    base = fs.join(profile_dir, "Extensions", ext_id)
    try:
        versions = [e for e in fs.list(base) if e.is_dir]
    except Unreadable:
        return None
    for version in reversed(versions):
        if fs.exists(fs.join(version.path, "manifest.json")):
            return version.path
    return None


def _localised(fs: FileSystem, ext_dir: str | None, manifest: dict, value, notes: Notes, what: str):
    """``__MSG_name__`` replaced from ``_locales/<default_locale>/messages.json`` where simple."""
    if not isinstance(value, str):
        return None
    m = _MSG.match(value.strip())
    if not m or not ext_dir:
        return value
    wanted = m.group(1).casefold()
    locales = [manifest.get("default_locale")] if isinstance(manifest.get("default_locale"), str) else []
    for locale in locales + ["en", "en_US"]:
        if not locale or "/" in locale or "\\" in locale or ".." in locale:
            continue
        messages = _read_json(fs, fs.join(ext_dir, "_locales", locale, "messages.json"), notes, what,
                              SMALL_LIMIT, quiet=True)
        if not messages:
            continue
        for key, item in messages.items():
            if isinstance(key, str) and key.casefold() == wanted and isinstance(_get(item, "message"), str):
                return item["message"]
    return value


def _store_url(url) -> bool:
    return isinstance(url, str) and any(url.strip().lower().startswith(u) for u in STORE_UPDATE_URLS)


def _chromium_permissions(manifest: dict, entry: dict) -> tuple[str, ...]:
    perms: list[str] = []
    perms += _strings(manifest.get("permissions"))
    perms += _strings(manifest.get("host_permissions"))
    scripts = manifest.get("content_scripts")
    for script in scripts if isinstance(scripts, list) else []:
        perms += _strings(_get(script, "matches"))
    for key in ("granted_permissions", "active_permissions"):
        granted = entry.get(key)
        if isinstance(granted, dict):
            for part in ("api", "explicit_host", "scriptable_host", "manifest_permissions"):
                perms += _strings(granted.get(part))
    return _unique(perms)


def _chromium_enabled(entry: dict) -> bool | None:
    reasons = entry.get("disable_reasons")
    if isinstance(reasons, int) and not isinstance(reasons, bool) and reasons != 0:
        return False
    if isinstance(reasons, list) and reasons:
        return False
    state = entry.get("state")
    if isinstance(state, int) and not isinstance(state, bool):
        return state == 1
    return True


def chromium_extensions(fs: FileSystem, platform: str, browser: Chromium, profile: str, profile_dir: str,
                        user: str | None, forced: set[str], notes: Notes, packages: "SystemPackages | None" = None):
    what = (Words.of(N_("the extensions of {browser} for {user}"), browser=browser.name, user=user) if user
            else Words.of(N_("the extensions of {browser}"), browser=browser.name))
    settings: dict[str, dict] = {}
    found_file = False
    for name in ("Preferences", "Secure Preferences"):
        path = fs.join(profile_dir, name)
        if not fs.exists(path):
            continue
        found_file = True
        data = _read_json(fs, path, notes, what)
        part = _get(data, "extensions", "settings")
        if part is None:
            continue
        if not isinstance(part, dict):
            notes.could_not_read("error", Words.of(N_("{path}: extensions.settings is not an object"), path=path), what)
            continue
        for ext_id, entry in part.items():
            if isinstance(ext_id, str) and isinstance(entry, dict):
                settings[ext_id] = {**settings.get(ext_id, {}), **entry}
    if not found_file:
        return
    if len(settings) > MAX_EXTENSIONS:
        notes.could_not_read("error", Words.counting(*NN_("{folder}: {count} extension entry; only the first {most} were read",
                                                 "{folder}: {count} extension entries; only the first {most} were read"),
                                             len(settings), folder=profile_dir, most=MAX_EXTENSIONS), what)
    prefs_path = fs.join(profile_dir, "Preferences")
    for ext_id, entry in list(settings.items())[:MAX_EXTENSIONS]:
        location = entry.get("location")
        location = location if isinstance(location, int) and not isinstance(location, bool) else None
        if location in COMPONENT_LOCATIONS:
            continue                    # part of the browser itself
        if entry.get("state") == 2:
            continue                    # an external extension the person removed
        manifest = entry.get("manifest") if isinstance(entry.get("manifest"), dict) else {}
        ext_dir = _extension_dir(fs, profile_dir, ext_id, entry, platform)
        if ext_dir and (not manifest or "name" not in manifest):
            disk = _read_json(fs, fs.join(ext_dir, "manifest.json"), notes, what, SMALL_LIMIT)
            if disk:
                manifest = {**disk, **manifest}
        if location is None and not manifest and ext_dir is None:
            continue                    # leftover settings of something no longer installed
        name = _localised(fs, ext_dir, manifest, manifest.get("name"), notes, what) or ext_id
        version = manifest.get("version") if isinstance(manifest.get("version"), str) else None
        update_url = manifest.get("update_url") or entry.get("update_url")
        if entry.get("from_webstore") is True or _store_url(update_url):
            from_store: bool | None = True
        elif location in DEVELOPER_LOCATIONS or manifest or location is not None:
            from_store = False
        else:
            from_store = None
        yield BrowserExtension(
            browser=browser.name, profile=profile, id=ext_id, name=str(name)[:300],
            location=ext_dir or prefs_path, version=version,
            permissions=_chromium_permissions(manifest, entry), from_store=from_store,
            by_policy=location in POLICY_LOCATIONS or ext_id.lower() in forced,
            enabled=_chromium_enabled(entry), user=user,
            # Debian's webext-* packages put Chromium add-ons in /usr/share/chromium/extensions.
            by_system=bool(packages and platform == "linux" and isinstance(entry.get("path"), str)
                           and entry["path"].startswith("/") and packages.owns(entry["path"])))


# -- Firefox ---------------------------------------------------------------------------------
def firefox_policy_ids(machine: Machine, notes: Notes) -> set[str]:
    fs = machine.fs
    what = "browser policies set by an administrator"
    out: set[str] = set()
    for path in _FIREFOX_POLICIES.get(machine.platform, ()):
        data = _read_json(fs, path, notes, what, SMALL_LIMIT)
        policies = _get(data, "policies")
        if isinstance(policies, dict):
            out |= _firefox_policy_ids(policies)
    if machine.platform == "windows" and machine.registry is not None:
        try:
            key = machine.registry.key("HKLM\\SOFTWARE\\Policies\\Mozilla\\Firefox")
            value = key.value("ExtensionSettings") if key is not None else None
            if isinstance(value, (list, tuple)):
                value = "".join(v for v in value if isinstance(v, str))
            if isinstance(value, str) and len(value) < SMALL_LIMIT:
                out |= _firefox_policy_ids({"ExtensionSettings": json.loads(value)})
        except (ValueError, RecursionError):
            notes.could_not_read("error", Words.of(N_("{key} ExtensionSettings: not valid JSON"), key="HKLM\\SOFTWARE\\Policies\\Mozilla\\Firefox"), what)
        except NotImplementedError:
            pass                # already said once for the Chromium policies
        except Exception as exc:  # noqa: BLE001
            notes.could_not_read("error", f"HKLM\\SOFTWARE\\Policies\\Mozilla\\Firefox: {type(exc).__name__}: {exc}"[:300], what)
    return out


def _firefox_policy_ids(policies: dict) -> set[str]:
    out = _settings_ids(policies.get("ExtensionSettings"))
    locked = _get(policies, "Extensions", "Locked")
    out |= {i.strip().lower() for i in _strings(locked)}
    return out


def firefox_profiles(fs: FileSystem, base: str, notes: Notes, what: str) -> list[tuple[str, str]]:
    """(profile name, folder) of every Firefox profile under ``base``."""
    out: list[tuple[str, str]] = []
    ini_path = fs.join(base, "profiles.ini")
    try:
        text = fs.read_text(ini_path, SMALL_LIMIT)
    except Unreadable as exc:
        notes.unreadable(exc, what)
        text = None
    if text is not None:
        import configparser     # only where a Firefox profiles list exists
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read_string(text)
        except configparser.Error as exc:
            notes.could_not_read("error", Words.of(N_("{path}: not a readable profiles list ({why})"), path=ini_path, why=type(exc).__name__), what)
        else:
            for section in parser.sections():
                if not section.lower().startswith("profile"):
                    continue
                path = parser.get(section, "Path", fallback="").strip()
                if not path or len(path) > 1024:
                    continue
                relative = parser.get(section, "IsRelative", fallback="1").strip() != "0"
                folder = fs.join(base, *[p for p in re.split(r"[\\/]", path) if p]) if relative else path
                name = parser.get(section, "Name", fallback="").strip() or fs.basename(folder)
                out.append((name, folder))
    for parent in (base, fs.join(base, "Profiles")):
        try:
            entries = fs.list(parent)
        except Unreadable:
            continue
        for entry in entries:
            if entry.is_dir and fs.exists(fs.join(entry.path, "extensions.json")):
                out.append((entry.name, entry.path))
    seen, unique = set(), []
    for name, folder in out:
        key = folder.replace("\\", "/").rstrip("/").casefold()
        if key not in seen and fs.is_dir(folder):
            seen.add(key)
            unique.append((name, folder))
    return unique[:MAX_PROFILES]


def _amo(url) -> bool:
    if not isinstance(url, str):
        return False
    from urllib.parse import urlsplit
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return False
    return any(host == h or host.endswith("." + h) for h in AMO_HOSTS)


# Folders where the system's package manager puts browser add-ons for every user (Debian's
# webext-* packages: /usr/share/mozilla/extensions/{ec8030f7-…}/<id>, /usr/share/webext/…).
_SYSTEM_ADDON_DIRS = ("/usr/share/", "/usr/lib/", "/usr/lib64/")
_DPKG_INFO = "/var/lib/dpkg/info"
_DPKG_BUDGET = 64 * 1024 * 1024


class SystemPackages:
    """Which files the system's package manager installed (dpkg's lists), read lazily and once.

    Debian names browser add-on packages ``webext-*`` (formerly ``xul-ext-*``); their lists are
    read first, then the others within a byte budget, stopping when every asked path is found.
    Without a dpkg database (rpm systems), an add-on in the system's own folders counts as the
    system's: only an administrator can write there."""

    def __init__(self, fs: FileSystem):
        self.fs = fs
        self.known: dict[str, bool] = {}
        self._lists: list | None = None

    def owns(self, path: str) -> bool:
        if not path.startswith(_SYSTEM_ADDON_DIRS):
            return False
        if path in self.known:
            return self.known[path]
        if not self.fs.is_dir(_DPKG_INFO):
            self.known[path] = True
            return True
        if self._lists is None:
            try:
                entries = [e for e in self.fs.list(_DPKG_INFO) if e.name.endswith(".list")]
            except Unreadable:
                entries = []
            first = [e for e in entries if e.name.startswith(("webext-", "xul-ext-"))]
            self._lists = first + [e for e in entries if e not in first]
        spent, found = 0, False
        for entry in self._lists:
            if spent > _DPKG_BUDGET:
                break
            try:
                text = self.fs.read_text(entry.path, 8 * 1024 * 1024)
            except Unreadable:
                continue
            spent += len(text)
            if path in text.splitlines():
                found = True
                break
        self.known[path] = found
        return found


def firefox_extensions(fs: FileSystem, profile: str, profile_dir: str, user: str | None,
                       forced: set[str], notes: Notes, packages: SystemPackages | None = None):
    what = Words.of(N_("the add-ons of Firefox for {user}"), user=user) if user else N_("the add-ons of Firefox")
    path = fs.join(profile_dir, "extensions.json")
    data = _read_json(fs, path, notes, what)
    if data is None:
        return
    addons = data.get("addons")
    if not isinstance(addons, list):
        notes.could_not_read("error", Words.of(N_("{path}: no list of add-ons"), path=path), what)
        return
    skipped = 0
    for addon in addons[:MAX_EXTENSIONS]:
        if not isinstance(addon, dict) or not isinstance(addon.get("id"), str):
            skipped += 1
            continue
        if addon.get("type") != "extension" or addon.get("location") in FIREFOX_BUILTIN:
            continue
        ext_id = addon["id"][:300]
        name = _get(addon, "defaultLocale", "name")
        name = name if isinstance(name, str) and name else ext_id
        version = addon.get("version") if isinstance(addon.get("version"), str) else None
        perms = _strings(_get(addon, "userPermissions", "permissions")) + \
            _strings(_get(addon, "userPermissions", "origins"))
        telemetry = _get(addon, "installTelemetryInfo", "source")
        from_store = _amo(addon.get("sourceURI")) or telemetry == "amo"
        by_policy = telemetry == "enterprise-policy" or ext_id.lower() in forced
        active = addon.get("active")
        enabled = active if isinstance(active, bool) else (not addon.get("userDisabled") if isinstance(
            addon.get("userDisabled"), bool) else None)
        xpi = addon.get("path")
        location = xpi if isinstance(xpi, str) and 0 < len(xpi) < 1024 else path
        by_system = bool(packages and isinstance(xpi, str) and addon.get("location") in FIREFOX_SYSTEM
                         and packages.owns(xpi))
        yield BrowserExtension(browser="Firefox", profile=profile, id=ext_id, name=name[:300], location=location,
                               version=version, permissions=_unique(perms), from_store=from_store,
                               by_policy=by_policy, enabled=enabled, user=user, by_system=by_system)
    if skipped:
        notes.could_not_read("error", Words.counting(*NN_("{path}: {count} add-on entry could not be read",
                                                 "{path}: {count} add-on entries could not be read"), skipped, path=path), what)


# -- Safari ----------------------------------------------------------------------------------
def safari_extensions(fs: FileSystem, home: str, user: str, notes: Notes):
    what = Words.of(N_("the extensions of Safari for {user}"), user=user)
    base = fs.join(home, "Library/Containers/com.apple.Safari/Data/Library/Safari")
    for folder in ("AppExtensions", "WebExtensions"):
        path = fs.join(base, folder, "Extensions.plist")
        if not fs.exists(path):
            continue
        data = _read_plist(fs, path, notes, what)
        if not data:
            continue
        for key, value in list(data.items())[:MAX_EXTENSIONS]:
            if not isinstance(key, str) or not key:
                continue
            enabled = value.get("Enabled") if isinstance(value, dict) else None
            name = re.sub(r"\s*\([A-Z0-9]{10}\)$", "", key)      # "com.x.ext (TEAMID1234)"
            yield BrowserExtension(browser="Safari", profile="Default", id=key[:300], name=name[:300] or key,
                                   location=path, enabled=enabled if isinstance(enabled, bool) else None,
                                   user=user)


# -- the source ------------------------------------------------------------------------------
class BrowserExtensionsSource(Source):
    id = "extensions"
    kind = "extensions"
    what = "browser extensions and add-ons"

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        plat = machine.platform
        policy = chromium_policy_ids(machine, notes)
        fx_policy = firefox_policy_ids(machine, notes)
        packages = SystemPackages(fs)
        seen_dirs: set[str] = set()
        for user, home in fs.user_homes():
            for browser in CHROMIUM_BROWSERS:
                forced = policy.get(browser.policy or "", set())
                for rel in getattr(browser, plat):
                    root = fs.join(home, rel)
                    if not fs.is_dir(root):
                        continue
                    what = Words.of(N_("the extensions of {browser} for {user}"), browser=browser.name, user=user)
                    for profile, folder in chromium_profiles(fs, root, browser.single_profile, notes, what):
                        key = folder.casefold()
                        if key in seen_dirs:
                            continue
                        seen_dirs.add(key)
                        yield from chromium_extensions(fs, plat, browser, profile, folder, user, forced, notes,
                                                       packages)
            for rel in _FIREFOX_HOMES.get(plat, ()):
                base = fs.join(home, rel)
                if not fs.is_dir(base):
                    continue
                for profile, folder in firefox_profiles(fs, base, notes,
                                                           Words.of(N_("the add-ons of Firefox for {user}"), user=user)):
                    key = folder.casefold()
                    if key in seen_dirs:
                        continue
                    seen_dirs.add(key)
                    yield from firefox_extensions(fs, profile, folder, user, fx_policy, notes, packages)
            if plat == "macos":
                yield from safari_extensions(fs, home, user, notes)


SOURCES = [BrowserExtensionsSource()]
