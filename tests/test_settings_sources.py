"""Setting sources on offline trees for each platform (Windows through a registry double)."""
from __future__ import annotations

import base64
import plistlib
import sqlite3

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.checks.sources.settings import LinuxSettings, MacSettings, WindowsSettings
from tests.helpers import sigset_from_text, family_yaml

KEY = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + b"k" * 32).decode()


def write(root, path, text, mode="w"):
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    (target.write_bytes if mode == "wb" else target.write_text)(text)
    return target


def collect(source, machine):
    notes = Notes(source.id)
    return list(source.collect(machine, notes)), notes.items


def kinds(settings):
    return sorted({(s.kind, s.name, s.value) for s in settings})


def test_linux_settings(tmp_path):
    write(tmp_path, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 mylaptop\n# x\n10.0.0.5 www.bank.example bank\n")
    write(tmp_path, "/etc/resolv.conf", "nameserver 192.168.1.1\nnameserver 203.0.113.53\n")
    write(tmp_path, "/etc/passwd", "root:x:0:0::/root:/bin/bash\nalex:x:1000:1000::/home/alex:/bin/bash\n"
                                   "sam:x:1001:1001::/home/sam:/bin/bash\ntoor:x:0:0::/root:/bin/bash\n"
                                   "daemon:x:1:1::/:/usr/sbin/nologin\n")
    write(tmp_path, "/etc/group", "sudo:x:27:alex,sam\n")
    write(tmp_path, "/home/alex/.ssh/authorized_keys", f"# mine\nssh-ed25519 {KEY} bob@other\n")
    write(tmp_path, "/etc/systemd/system/multi-user.target.wants/ssh.service", "")
    write(tmp_path, "/usr/local/share/ca-certificates/inspect.crt", "not really a certificate")
    write(tmp_path, "/etc/environment", 'PATH="/usr/bin"\nhttps_proxy="http://10.9.8.7:3128"\n')
    machine = Machine(platform="linux", fs=FileSystem("linux", str(tmp_path)), live=False)
    got, notes = collect(LinuxSettings(), machine)
    assert notes == []
    assert kinds(got) == sorted({
        ("hosts-entry", "localhost", "127.0.0.1"), ("hosts-entry", "mylaptop", "127.0.1.1"),
        ("hosts-entry", "www.bank.example", "10.0.0.5"), ("hosts-entry", "bank", "10.0.0.5"),
        ("dns-server", "DNS server", "192.168.1.1"), ("dns-server", "DNS server", "203.0.113.53"),
        ("account", "alex", ""), ("account", "sam", ""), ("account", "toor", ""),
        ("authorized-key", "bob@other", next(s.value for s in got if s.kind == "authorized-key")),
        ("remote-login", "Remote login (SSH)", "on"),
        ("root-certificate", "inspect.crt", "added by an administrator"),
        ("proxy", "https_proxy", "http://10.9.8.7:3128")})
    assert next(s for s in got if s.kind == "authorized-key").value.startswith("SHA256:")
    # And the check makes plain findings of them, not of the ordinary lines.
    result = run_scan(signatures=sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("x", "stalkerware", "process_names: [x]")),
                      machine=machine, sources=[LinuxSettings()])
    found = {f.heuristic for f in result.findings}
    assert found == {"hosts-entry", "dns-server", "account", "authorized-key", "remote-login", "root-certificate", "proxy"}
    hosts = next(f for f in result.findings if f.heuristic == "hosts-entry")
    assert "mylaptop" not in hosts.what and "www.bank.example → 10.0.0.5" in hosts.what


def test_macos_settings(tmp_path):
    users = "/private/var/db/dslocal/nodes/Default/users"
    write(tmp_path, f"{users}/alex.plist", plistlib.dumps({"name": ["alex"], "uid": ["501"]}), "wb")
    write(tmp_path, f"{users}/helper.plist", plistlib.dumps({"name": ["helper"], "uid": ["502"], "IsHidden": ["1"]}), "wb")
    write(tmp_path, f"{users}/_spotlight.plist", plistlib.dumps({"name": ["_spotlight"], "uid": ["89"]}), "wb")
    write(tmp_path, "/private/var/db/dslocal/nodes/Default/groups/admin.plist", plistlib.dumps({"users": ["root", "alex", "helper"]}), "wb")
    (tmp_path / "Users/alex/Library/Application Support/com.apple.TCC").mkdir(parents=True)
    db = tmp_path / "Users/alex/Library/Application Support/com.apple.TCC/TCC.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE access (service TEXT, client TEXT, auth_value INTEGER)")
    con.executemany("INSERT INTO access VALUES (?,?,?)", [("kTCCServiceScreenCapture", "us.zoom.xos", 2),
                                                          ("kTCCServiceListenEvent", "com.example.kbd", 2),
                                                          ("kTCCServiceCamera", "com.apple.FaceTime", 0),
                                                          ("kTCCServiceAddressBook", "x", 2)])
    con.commit()
    con.close()
    before = db.read_bytes()
    write(tmp_path, "/private/var/db/com.apple.xpc.launchd/disabled.plist",
          plistlib.dumps({"com.openssh.sshd": False, "com.apple.screensharing": True}), "wb")
    write(tmp_path, "/Library/Preferences/SystemConfiguration/preferences.plist", plistlib.dumps({"NetworkServices": {
        "A": {"UserDefinedName": "Wi-Fi", "Proxies": {"HTTPEnable": 1, "HTTPProxy": "10.9.8.7", "HTTPPort": 3128}}}}), "wb")
    write(tmp_path, "/private/var/db/ConfigurationProfiles/Store/ConfigProfiles.binary", b"\x00", "wb")
    write(tmp_path, "/private/var/db/ConfigurationProfiles/Store/profiles.plist",
          plistlib.dumps({"_computerlevel": [{"ProfileDisplayName": "Acme MDM", "ProfileIdentifier": "com.acme.mdm"}]}), "wb")
    write(tmp_path, "/private/etc/hosts", "127.0.0.1 localhost\n")
    machine = Machine(platform="macos", fs=FileSystem("macos", str(tmp_path)), live=False)
    got, notes = collect(MacSettings(), machine)
    assert db.read_bytes() == before, "the TCC database must be opened read-only"
    assert ("privacy-grant", "Input Monitoring (see what is typed)", "com.example.kbd") in kinds(got)
    assert ("privacy-grant", "Screen Recording", "us.zoom.xos") in kinds(got)
    assert not any(s.value == "x" for s in got)          # services we don't track are left out
    accounts = {s.name: dict(s.detail) for s in got if s.kind == "account"}
    assert accounts == {"alex": {"admin": "yes", "hidden": "no"}, "helper": {"admin": "yes", "hidden": "yes"}}
    assert ("remote-login", "Remote Login (SSH)", "on") in kinds(got)
    assert not any(s.name == "Screen Sharing" for s in got)
    assert ("proxy", "HTTP proxy (Wi-Fi)", "10.9.8.7:3128") in kinds(got)
    assert ("profile", "Acme MDM", "installed") in kinds(got)


class FakeKey:
    def __init__(self, path, values=None, subkeys=None):
        self.path, self._values, self._subkeys = path, values or {}, subkeys or {}
        self.name = path.rsplit("\\", 1)[-1]

    def value(self, name):
        return self._values.get(name)

    def values(self):
        return list(self._values.items())

    def subkeys(self):
        return list(self._subkeys)

    def subkey(self, name):
        return self._subkeys.get(name)


class FakeRegistry:
    problems = []

    def __init__(self, keys):
        self.keys = keys

    def users(self):
        return ["alex"]

    def key(self, path, user=None):
        return self.keys.get((path, user) if path.startswith("HKCU") else path)


def test_windows_settings_through_the_registry_interface(tmp_path):
    R = FakeKey
    cert_blob = b"\x30\x82" + b"\x06\x03\x55\x04\x03\x0c\x0fAcme Inspection"
    keys = {
        r"HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server": R("TS", {"fDenyTSConnections": 0}),
        ("HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings", "alex"):
            R("HKCU\\Inet", {"ProxyEnable": 1, "ProxyServer": "10.9.8.7:8080"}),
        ("HKCU\\Software\\Microsoft\\SystemCertificates\\Root\\Certificates", "alex"):
            R("HKCU\\Certs", subkeys={"ABCDEF": R("HKCU\\Certs\\ABCDEF", {"Blob": cert_blob})}),
        r"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip\Parameters\Interfaces":
            R("Ifs", subkeys={"{1}": R("Ifs\\{1}", {"NameServer": "203.0.113.53,8.8.8.8"})}),
    }
    det = "ProgramData/Microsoft/Windows Defender/Scans/History/Service/DetectionHistory/02/ABC"
    write(tmp_path, det, b"\x01\x02" + "MonitoringTool:Win32/Ardamax".encode("utf-16-le") + b"\x00\x00junk", "wb")
    machine = Machine(platform="windows", fs=FileSystem("windows", str(tmp_path)), live=False, registry=FakeRegistry(keys))
    got, notes = collect(WindowsSettings(), machine)
    assert kinds(got) == sorted({("remote-login", "Remote Desktop", "on"), ("proxy", "Proxy server", "10.9.8.7:8080"),
                                 ("root-certificate", "Acme Inspection", "added for this user"),
                                 ("dns-server", "DNS server", "203.0.113.53"), ("dns-server", "DNS server", "8.8.8.8"),
                                 ("antivirus-detection", "MonitoringTool:Win32/Ardamax", "recorded by Windows Defender")})
