"""Settings that change who can see or reach this computer, on every platform.

Each reader yields :class:`checks.records.Setting` records of one kind; it reports what is set
and leaves the judgement to ``checks/settings.py``. Locations follow
../shared/research/persistence-locations.md ("Other device-level signs").
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator

from ..i18n import N_
from ..snapshot import Words
from ..records import Setting
from .base import Machine, Notes, Source
from .fs import Unreadable, parse_plist

_SMALL = 4 * 1024 * 1024


def S(kind: str, name: str, value: str, location: str, user: str | None = None, **detail: str) -> Setting:
    return Setting(kind=kind, name=name, value=value, location=location, user=user,
                   detail=tuple((k, str(v)) for k, v in detail.items() if v is not None))


# -- hosts file and DNS ------------------------------------------------------------------------
def hosts_entries(fs, path: str, notes: Notes) -> Iterator[Setting]:
    try:
        text = fs.read_text(path, _SMALL)
    except Unreadable as exc:
        notes.unreadable(exc, N_("the hosts file"))
        return
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if len(words) < 2:
            continue
        for name in words[1:]:
            yield S("hosts-entry", name, words[0], path)


def resolv_conf(fs, path: str, notes: Notes) -> Iterator[Setting]:
    try:
        text = fs.read_text(path, _SMALL)
    except Unreadable as exc:
        notes.unreadable(exc, N_("the DNS settings"))
        return
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver":
            yield S("dns-server", "DNS server", words[1], path)


# -- SSH ------------------------------------------------------------------------------------------
def authorized_keys(fs, notes: Notes) -> Iterator[Setting]:
    import base64
    import hashlib
    for user, home in fs.user_homes():
        for name in ("authorized_keys", "authorized_keys2"):
            path = fs.join(home, ".ssh", name)
            try:
                text = fs.read_text(path, _SMALL)
            except Unreadable as exc:
                notes.unreadable(exc, N_("keys that can log in remotely"))
                continue
            for line in text.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                words = line.split()
                # Options may come first: find the key type and its base64 body.
                idx = next((i for i, w in enumerate(words) if w.startswith(("ssh-", "ecdsa-", "sk-"))), None)
                if idx is None or idx + 1 >= len(words):
                    continue
                try:
                    blob = base64.b64decode(words[idx + 1], validate=True)
                    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
                except (ValueError, TypeError):
                    fingerprint = "unreadable key"
                comment = " ".join(words[idx + 2:]) or words[idx]
                yield S("authorized-key", comment, fingerprint, path, user=user, type=words[idx])


# -- Linux ----------------------------------------------------------------------------------------
def linux_accounts(fs, notes: Notes) -> Iterator[Setting]:
    try:
        passwd = fs.read_text("/etc/passwd", _SMALL)
    except Unreadable as exc:
        notes.unreadable(exc, N_("user accounts"))
        return
    admins: set[str] = set()
    try:
        for line in fs.read_text("/etc/group", _SMALL).splitlines():
            parts = line.split(":")
            if len(parts) >= 4 and parts[0] in ("sudo", "wheel", "admin"):
                admins.update(u for u in parts[3].split(",") if u)
    except Unreadable as exc:
        notes.unreadable(exc, N_("which accounts are administrators"))
    for line in passwd.splitlines():
        parts = line.split(":")
        if len(parts) < 7 or not parts[2].isdigit():
            continue
        name, uid, shell = parts[0], int(parts[2]), parts[6]
        login = not shell.endswith(("nologin", "false", "sync", "halt", "shutdown"))
        if uid == 0 and name != "root":
            yield S("account", name, "", "/etc/passwd", admin="yes", hidden="yes", note="a second account with full control (user id 0)")
        elif uid >= 1000 and uid < 60000 and login:
            yield S("account", name, "", "/etc/passwd", admin="yes" if name in admins else "no", hidden="no")


def linux_remote_login(fs, notes: Notes) -> Iterator[Setting]:
    """Remote login and remote desktop servers that start by themselves: units enabled for the
    system, for every user and by each person, template instances included (sshd, xrdp, VNC
    servers, GNOME's and KDE's screen sharing, Chrome Remote Desktop)."""
    from .linux import enabled_units, template_of
    servers = {"ssh.service": "Remote login (SSH)", "sshd.service": "Remote login (SSH)",
               "ssh.socket": "Remote login (SSH)", "sshd.socket": "Remote login (SSH)",
               "xrdp.service": "Remote desktop (xrdp)", "x11vnc.service": "Screen sharing (VNC)",
               "vncserver@.service": "Screen sharing (VNC)", "tigervncserver@.service": "Screen sharing (VNC)",
               "vncserver-x11-serviced.service": "Screen sharing (VNC)", "xpra.socket": "Remote desktop (Xpra)",
               "xpra.service": "Remote desktop (Xpra)", "gnome-remote-desktop.service": "GNOME Remote Desktop",
               "vino-server.service": "Screen sharing (Vino)",
               "chrome-remote-desktop@.service": "Chrome Remote Desktop"}
    seen = set()
    for name, path, whose in enabled_units(fs, notes):
        what = servers.get(name) or servers.get(template_of(name) or "")
        if what and (what, whose) not in seen:
            seen.add((what, whose))
            yield S("remote-login", what, "on", path, user=whose if whose not in (None, "every user") else None)


def linux_root_certificates(fs, notes: Notes) -> Iterator[Setting]:
    """Certificates an administrator added (Debian/Ubuntu /usr/local/share/ca-certificates,
    Fedora /etc/pki/ca-trust/source/anchors). The distribution's own bundle is not listed."""
    for folder in ("/usr/local/share/ca-certificates", "/etc/pki/ca-trust/source/anchors"):
        try:
            entries = fs.list(folder)
        except Unreadable as exc:
            notes.unreadable(exc, N_("security certificates an administrator added"))
            continue
        for entry in entries:
            if entry.is_dir:
                try:
                    inner = fs.list(entry.path)
                except Unreadable as exc:
                    notes.unreadable(exc, N_("security certificates an administrator added"))
                    continue
                files = [e for e in inner if not e.is_dir]
            else:
                files = [entry]
            for f in files:
                if f.name.lower().endswith((".crt", ".pem", ".cer")):
                    yield S("root-certificate", _cert_subject(fs, f.path, notes) or f.name, "added by an administrator", f.path)


def _cert_subject(fs, path: str, notes: Notes) -> str | None:
    """The certificate's common name, read without any crypto library (best effort)."""
    try:
        data = fs.read_bytes(path, 256 * 1024)
    except Unreadable as exc:
        notes.unreadable(exc, N_("security certificates an administrator added"))
        return None
    m = re.search(rb"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", data, re.S)
    if m:
        import base64
        try:
            data = base64.b64decode(b"".join(m.group(1).split()))
        except ValueError:
            return None
    # The last commonName (OID 2.5.4.3: 06 03 55 04 03) in the DER is the subject's,
    # followed by a string type and a one-byte length.
    idx = data.rfind(b"\x06\x03\x55\x04\x03")
    if idx < 0 or idx + 7 > len(data):
        return None
    length = data[idx + 6]
    value = data[idx + 7: idx + 7 + length]
    return value.decode("utf-8", "replace") if data[idx + 5] != 0x1e else value.decode("utf-16-be", "replace")


def env_proxies(fs, notes: Notes) -> Iterator[Setting]:
    try:
        text = fs.read_text("/etc/environment", _SMALL)
    except Unreadable as exc:
        notes.unreadable(exc, N_("settings that send web traffic through another computer"))
        return
    for line in text.splitlines():
        m = re.match(r"\s*(?:export\s+)?(https?_proxy|all_proxy|HTTPS?_PROXY|ALL_PROXY)\s*=\s*['\"]?([^'\"\s]+)", line)
        if m:
            yield S("proxy", m.group(1), m.group(2), "/etc/environment")


# -- macOS ----------------------------------------------------------------------------------------
def _plist(fs, path: str, notes: Notes, what: str):
    try:
        return parse_plist(fs.read_bytes(path, _SMALL))     # the reader's bounded plist helper
    except Unreadable as exc:
        notes.unreadable(exc, what)
    except ValueError as exc:
        notes.could_not_read("error", f"{path}: {exc}", what)
    return None


def macos_accounts(fs, notes: Notes) -> Iterator[Setting]:
    folder = "/private/var/db/dslocal/nodes/Default/users"
    try:
        entries = fs.list(folder)
    except Unreadable as exc:
        notes.unreadable(exc, N_("user accounts"))
        return
    admins: set[str] = set()
    group = _plist(fs, "/private/var/db/dslocal/nodes/Default/groups/admin.plist", notes, "which accounts are administrators")
    if isinstance(group, dict):
        admins.update(str(u) for u in group.get("users", []) or [])
    for entry in entries:
        if not entry.name.endswith(".plist"):
            continue
        data = _plist(fs, entry.path, notes, "user accounts")
        if not isinstance(data, dict):
            continue
        name = _first(data.get("name")) or entry.name[:-6]
        try:
            uid = int(_first(data.get("uid")) or -1)
        except ValueError:
            continue
        if uid < 501 and uid != 0:
            continue
        if uid == 0 and name == "root":
            continue
        hidden = "yes" if str(_first(data.get("IsHidden")) or "").upper() in ("1", "YES", "TRUE") or uid < 501 else "no"
        yield S("account", name, "", entry.path, admin="yes" if name in admins else "no", hidden=hidden)


def _first(value):
    return value[0] if isinstance(value, list) and value else value


TCC_SERVICES = {
    "kTCCServiceAccessibility": "Accessibility (control the computer)",
    "kTCCServiceListenEvent": "Input Monitoring (see what is typed)",
    "kTCCServiceScreenCapture": "Screen Recording",
    "kTCCServiceSystemPolicyAllFiles": "Full Disk Access",
    "kTCCServicePostEvent": "Accessibility (send keystrokes)",
    "kTCCServiceMicrophone": "Microphone",
    "kTCCServiceCamera": "Camera",
}


def macos_privacy_grants(fs, notes: Notes) -> Iterator[Setting]:
    """TCC databases (SQLite, table ``access``: service, client, auth_value 2 = allowed).
    Opened read-only and immutable, so nothing (not even a journal) is written."""
    import sqlite3          # here: only a macOS check opens one (importing it costs every scan)
    paths = ["/Library/Application Support/com.apple.TCC/TCC.db"] + [
        fs.join(home, "Library/Application Support/com.apple.TCC/TCC.db") for _, home in fs.user_homes()]
    for path in paths:
        try:
            con = fs.sqlite(path)
        except Unreadable as exc:
            notes.unreadable(exc, N_("which apps may see the screen, the keyboard or all files"))
            continue
        try:
            try:
                cols = {r[1] for r in con.execute("PRAGMA table_info(access)")}
                allowed = "auth_value" if "auth_value" in cols else "allowed"
                rows = con.execute(f"SELECT service, client, {allowed} FROM access").fetchall()
            finally:
                con.close()
        except sqlite3.Error as exc:
            reason = "permission" if "authoriz" in str(exc) or "unable to open" in str(exc) else "error"
            notes.could_not_read(reason, f"{path}: {exc}", N_("which apps may see the screen, the keyboard or all files"))
            continue
        for service, client, value in rows:
            if service in TCC_SERVICES:
                ok = value in (1, 2) if allowed == "allowed" else value == 2
                yield S("privacy-grant", TCC_SERVICES[service], str(client), path, allowed="yes" if ok else "no")


def macos_profiles(fs, notes: Notes) -> Iterator[Setting]:
    store = "/private/var/db/ConfigurationProfiles/Store"
    try:
        entries = fs.list(store)
    except Unreadable as exc:
        notes.unreadable(exc, N_("configuration profiles"))
        entries = []
    for entry in entries:
        if entry.name.endswith(".plist"):
            data = _plist(fs, entry.path, notes, "configuration profiles")
            items = data.values() if isinstance(data, dict) else []
            for group in items:
                for prof in group if isinstance(group, list) else [group]:
                    if isinstance(prof, dict) and (prof.get("ProfileDisplayName") or prof.get("ProfileIdentifier")):
                        yield S("profile", str(prof.get("ProfileDisplayName") or prof.get("ProfileIdentifier")),
                                "installed", entry.path, identifier=str(prof.get("ProfileIdentifier", "")))
    if fs.exists("/private/var/db/ConfigurationProfiles/Settings/.cloudConfigRecordFound"):
        yield S("profile", "Device management enrolment (MDM)", "enrolled",
                "/private/var/db/ConfigurationProfiles/Settings/.cloudConfigRecordFound")


def macos_remote_login(fs, notes: Notes) -> Iterator[Setting]:
    disabled = _plist(fs, "/private/var/db/com.apple.xpc.launchd/disabled.plist", notes, "remote login") or {}
    labels = {"com.openssh.sshd": "Remote Login (SSH)", "com.apple.screensharing": "Screen Sharing"}
    for label, what in labels.items():
        if disabled.get(label) is False:
            yield S("remote-login", what, "on", "/private/var/db/com.apple.xpc.launchd/disabled.plist")
    rm = "/Library/Application Support/Apple/Remote Desktop/RemoteManagement.launchd"
    if fs.exists(rm):
        yield S("remote-login", "Remote Management (Apple Remote Desktop)", "on", rm)


def macos_proxies(fs, notes: Notes) -> Iterator[Setting]:
    path = "/Library/Preferences/SystemConfiguration/preferences.plist"
    data = _plist(fs, path, notes, "proxy settings")
    if not isinstance(data, dict):
        return
    for sid, svc in (data.get("NetworkServices") or {}).items():
        if not isinstance(svc, dict):
            continue
        proxies = svc.get("Proxies") or {}
        name = str(svc.get("UserDefinedName") or sid)
        for kind in ("HTTP", "HTTPS", "SOCKS"):
            if proxies.get(f"{kind}Enable") == 1 and proxies.get(f"{kind}Proxy"):
                yield S("proxy", f"{kind} proxy ({name})", f"{proxies[f'{kind}Proxy']}:{proxies.get(f'{kind}Port', '')}".rstrip(":"), path)
        if proxies.get("ProxyAutoConfigEnable") == 1 and proxies.get("ProxyAutoConfigURLString"):
            yield S("proxy", f"Automatic proxy ({name})", str(proxies["ProxyAutoConfigURLString"]), path)


# -- Windows --------------------------------------------------------------------------------------
def _reg(machine: Machine, path: str, user: str | None = None):
    reg = machine.registry
    return reg.key(path, user) if reg is not None else None


def windows_settings(machine: Machine, notes: Notes) -> Iterator[Setting]:
    reg = machine.registry
    if reg is None:
        notes.could_not_read("unsupported", Words(N_("no registry")), N_("Windows settings"))
        return
    ts = _reg(machine, r"HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server")
    if ts is not None and ts.value("fDenyTSConnections") == 0:
        yield S("remote-login", "Remote Desktop", "on", ts.path)
    sshd = _reg(machine, r"HKLM\SYSTEM\CurrentControlSet\Services\sshd")
    if sshd is not None and sshd.value("Start") == 2:
        yield S("remote-login", "OpenSSH server", "on", sshd.path)
    for user in reg.users():
        inet = _reg(machine, r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings", user)
        if inet is None:
            continue
        if inet.value("ProxyEnable") == 1 and inet.value("ProxyServer"):
            yield S("proxy", "Proxy server", str(inet.value("ProxyServer")), inet.path, user=user)
        if inet.value("AutoConfigURL"):
            yield S("proxy", "Automatic proxy configuration", str(inet.value("AutoConfigURL")), inet.path, user=user)
        certs = _reg(machine, r"HKCU\Software\Microsoft\SystemCertificates\Root\Certificates", user)
        for thumb in (certs.subkeys() if certs is not None else []):
            yield S("root-certificate", _win_cert_name(certs.subkey(thumb)) or thumb, "added for this user",
                    f"{certs.path}\\{thumb}", user=user, thumbprint=thumb)
    interfaces = _reg(machine, r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces")
    for guid in (interfaces.subkeys() if interfaces is not None else []):
        key = interfaces.subkey(guid)
        servers = str((key.value("NameServer") if key is not None else "") or "")
        for server in re.split(r"[,\s]+", servers):
            if server:
                yield S("dns-server", "DNS server", server, f"{interfaces.path}\\{guid}")
    profiles = _reg(machine, r"HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList")
    for sid in (profiles.subkeys() if profiles is not None else []):
        if not sid.startswith("S-1-5-21-"):
            continue
        key = profiles.subkey(sid)
        home = str((key.value("ProfileImagePath") if key is not None else "") or "")
        name = re.split(r"[\\/]", home)[-1] if home else sid
        yield S("account", name, "", f"{profiles.path}\\{sid}", sid=sid)


def _win_cert_name(key) -> str | None:
    blob = key.value("Blob") if key is not None else None
    if not isinstance(blob, (bytes, bytearray)):
        return None
    idx = blob.rfind(b"\x06\x03\x55\x04\x03")
    if idx < 0 or idx + 7 > len(blob):
        return None
    length = blob[idx + 6]
    return bytes(blob[idx + 7: idx + 7 + length]).decode("utf-8", "replace")


DEFENDER_HISTORY = r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory"


# Microsoft's malware names are TYPE:PLATFORM/FAMILY (learn.microsoft.com, "How Microsoft names
# malware"). MonitoringTool: monitoring software. Backdoor: "gives malicious hackers remote access
# to and control of your device"; RemoteAccess: a tool that can control a computer from elsewhere.
# Every other type (Trojan, HackTool, Behavior, SettingsModifier…) is not read here.
_DEFENDER_KINDS = {"MonitoringTool": "antivirus-detection", "Backdoor": "antivirus-remote-control",
                   "RemoteAccess": "antivirus-remote-control"}
_DEFENDER_NAME = re.compile(
    rb"(?:M\x00o\x00n\x00i\x00t\x00o\x00r\x00i\x00n\x00g\x00T\x00o\x00o\x00l\x00|B\x00a\x00c\x00k\x00d\x00o\x00o\x00r\x00|"
    rb"R\x00e\x00m\x00o\x00t\x00e\x00A\x00c\x00c\x00e\x00s\x00s\x00):\x00(?:[\x21-\x7e]\x00){3,200}")


def windows_defender(fs, notes: Notes) -> Iterator[Setting]:
    """Defender's own detection history: threat names of the MonitoringTool, Backdoor and
    RemoteAccess types.

    Detection files are binary; the threat name is stored as UTF-16 text
    ("MonitoringTool:Win32/Ardamax", "Backdoor:PowerShell/Powercat.A"), so it is found without
    parsing the format.
    """
    try:
        folders = fs.list(DEFENDER_HISTORY)
    except Unreadable as exc:
        notes.unreadable(exc, N_("the anti-virus's own findings (Windows Defender)"))
        return
    seen = set()
    for folder in folders:
        files = fs.list(folder.path) if folder.is_dir else [folder]
        for f in files:
            if f.is_dir:
                continue
            try:
                data = fs.read_bytes(f.path, _SMALL)
            except Unreadable as exc:
                notes.unreadable(exc, N_("the anti-virus's own findings (Windows Defender)"))
                continue
            for m in _DEFENDER_NAME.finditer(data):
                name = m.group(0).decode("utf-16-le")
                kind = _DEFENDER_KINDS.get(name.split(":", 1)[0])
                if kind and "/" in name and (name, f.path) not in seen:
                    seen.add((name, f.path))
                    yield S(kind, name, "recorded by Windows Defender", f.path)


# -- the sources ---------------------------------------------------------------------------------
class SettingsSource(Source):
    """One source per platform; each reader's problems become notes, the others go on."""
    kind = "settings"
    what = "settings that change who can see or reach this computer"

    def readers(self, m: Machine, n: Notes) -> list[Callable[[], Iterable[Setting]]]:
        raise NotImplementedError

    def collect(self, machine: Machine, notes: Notes):
        for reader in self.readers(machine, notes):
            try:
                yield from reader()
            except Unreadable as exc:
                notes.unreadable(exc, self.what)
            except Exception as exc:  # noqa: BLE001 - one reader's failure is a note
                notes.could_not_read("error", f"{type(exc).__name__}: {exc}", self.what)


class LinuxSettings(SettingsSource):
    id = "settings.linux"
    platforms = frozenset({"linux"})

    def readers(self, m, n):
        fs = m.fs
        return [lambda: hosts_entries(fs, "/etc/hosts", n), lambda: resolv_conf(fs, "/etc/resolv.conf", n),
                lambda: authorized_keys(fs, n), lambda: linux_accounts(fs, n),
                lambda: linux_remote_login(fs, n), lambda: linux_root_certificates(fs, n),
                lambda: env_proxies(fs, n)]


class MacSettings(SettingsSource):
    id = "settings.macos"
    platforms = frozenset({"macos"})

    def readers(self, m, n):
        fs = m.fs
        hosts = "/private/etc/hosts" if fs.exists("/private/etc/hosts") else "/etc/hosts"
        resolv = "/etc/resolv.conf" if m.live else "/private/var/run/resolv.conf"
        return [lambda: hosts_entries(fs, hosts, n), lambda: resolv_conf(fs, resolv, n),
                lambda: authorized_keys(fs, n), lambda: macos_accounts(fs, n), lambda: macos_privacy_grants(fs, n),
                lambda: macos_profiles(fs, n), lambda: macos_remote_login(fs, n), lambda: macos_proxies(fs, n)]


class WindowsSettings(SettingsSource):
    id = "settings.windows"
    platforms = frozenset({"windows"})

    def readers(self, m, n):
        fs = m.fs
        return [lambda: hosts_entries(fs, r"C:\Windows\System32\drivers\etc\hosts", n),
                lambda: windows_settings(m, n), lambda: windows_defender(fs, n)]


SOURCES = [WindowsSettings(), MacSettings(), LinuxSettings()]
