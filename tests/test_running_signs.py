"""Running programs judged by how they run, listening programs, Linux capture set-ups and
system-packaged browser add-ons — on records and trees, without planting anything (the live
versions are in test_live_remote.py)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from device_checkup.checks.capture import CaptureCheck
from device_checkup.checks.engine import run_scan
from device_checkup.checks.heuristics import disguised_name, interpreter_script, remote_door
from device_checkup.checks.records import Listener, Process
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources.browsers import BrowserExtensionsSource
from device_checkup.checks.sources.capture import (CaptureSettingsSource, env_preloads, keyboards, preload_entries,
                                    recorder_shells, sudo_io_logs, tty_audit_passwords, x_recorder)
from device_checkup.checks.sources.fs import FileSystem
from device_checkup.checks.sources.system import hidepid_option
from tests.helpers import ListSource, family_yaml, sigset_from_text

DATA = Path(__file__).parent / "data" / "dpkg"
EMPTY = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("nothing", "monitoring", "process_names: [nothing.exe]"))


def findings(kind, records, sigs=EMPTY, platform="linux"):
    machine = Machine(platform=platform, fs=FileSystem(platform, "/nonexistent-root"), live=False)
    return run_scan(signatures=sigs, machine=machine, sources=[ListSource(kind, records)]).findings


# -- running programs --------------------------------------------------------------------------
@pytest.mark.parametrize("proc, sign", [
    (Process(1, "sshd ", exe="/usr/local/bin/agent", cmdline=("sshd ",)), "disguised-name"),
    (Process(2, "ѕshd", exe=None, cmdline=("ѕshd",), exe_readable=False), "disguised-name"),
    (Process(3, "sleep", exe="/usr/bin/sleep", cmdline=("[kworker/u8:2]", "60")), "disguised-name"),
    (Process(4, "kworker/u8:2", comm="kworker/u8:2", exe="/opt/x/agent", cmdline=("agent",)), "disguised-name"),
    (Process(5, "sshd", exe="/home/a/.cache/x", cmdline=("sshd",)), "disguised-name"),
    (Process(6, "sshd", exe="/usr/bin/python3.11", cmdline=("sshd", "agent.py")), "disguised-name"),
    (Process(7, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "-m", "keylogger")), "script-sign"),
    (Process(8, "agent", exe="/usr/bin/python3.11", cmdline=("/usr/bin/python3", "/home/a/.x/agent.py")), "script-sign"),
    (Process(9, "agent", exe="/dev/shm/agent", cmdline=("/dev/shm/agent",)), "runs-from-hidden-or-temporary"),
    (Process(10, "agent", exe="/home/a/.hid/agent", cmdline=("agent",)), "runs-from-hidden-or-temporary"),
    (Process(11, "agent", exe="/usr/local/bin/agent", cmdline=("agent",), exe_deleted=True), "program-file-gone"),
    (Process(12, "node", exe="/usr/bin/node", cmdline=("node", "/tmp/snoop.js")), "script-sign"),
])
def test_each_running_program_sign_is_found_and_names_the_real_file(proc, sign):
    (f,) = [f for f in findings("processes", [proc]) if f.heuristic == sign]
    assert f.tier == "suspicious"
    words = " ".join([f.title, f.what])
    if proc.exe and sign != "program-file-gone":
        assert proc.exe in words or proc.exe in f.evidence[0].matched[0].value or sign == "disguised-name"
    if sign == "script-sign":
        target = interpreter_script(proc.cmdline, proc.exe)[0]
        assert target in f.title and proc.exe in f.what       # the script, and the interpreter's file
    if sign == "disguised-name":
        assert (proc.exe or "isn't allowed to see") in f.what


@pytest.mark.parametrize("proc", [
    Process(1, "systemd", exe="/usr/lib/systemd/systemd", cmdline=("/sbin/init", "splash")),
    Process(2, "sshd", exe="/usr/sbin/sshd", cmdline=("sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups",)),
    Process(3, "Isolated Web Co", exe="/usr/lib/firefox-esr/firefox-esr",
            cmdline=("/usr/lib/firefox-esr/firefox-esr", "-contentproc", "-childID", "1")),
    Process(4, "bash", exe="/usr/bin/bash", cmdline=("-bash",)),
    Process(5, "sh", exe="/usr/bin/dash", cmdline=("/bin/sh", "-c", "run-parts /etc/cron.daily")),
    Process(6, "gjs", exe="/usr/bin/gjs-console",
            cmdline=("/usr/bin/gjs", "-m", "/usr/share/gnome-shell/org.gnome.Shell.Notifications")),
    Process(7, "obsidian", exe="/tmp/.mount_ObsidiAbC123/obsidian", cmdline=("/tmp/.mount_ObsidiAbC123/obsidian",)),
    Process(8, "python3", exe="/usr/bin/python3.11", cmdline=("/usr/bin/python3", "/usr/bin/update-manager")),
    Process(9, "kworker/0:1-events", exe=None, cmdline=()),
    Process(10, "code", exe="/home/a/.vscode-server/bin/abc/node", cmdline=("/home/a/.vscode-server/bin/abc/node",)),
    Process(11, "pipewire-pulse", exe="/usr/bin/pipewire", cmdline=("/usr/bin/pipewire-pulse",)),
    Process(12, "firefox", exe="/usr/lib/firefox/firefox", cmdline=("/usr/lib/firefox/firefox",), exe_deleted=False),
    Process(13, "Телеграм", exe="/opt/telegram/Telegram", cmdline=("Телеграм",)),
])
def test_ordinary_programs_show_no_running_sign(proc):
    assert findings("processes", [proc]) == []


@pytest.mark.parametrize("platform, proc", [
    ("windows", Process(1, "powershell.exe", exe="C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                        cmdline=("powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File",
                                 "C:\\Users\\a\\AppData\\Local\\Temp\\upd.ps1"))),
    ("windows", Process(2, "wscript.exe", exe="C:\\Windows\\System32\\wscript.exe",
                        cmdline=("wscript.exe", "//B", "C:\\ProgramData\\keystrokes.vbs"))),
    ("macos", Process(3, "osascript", exe="/usr/bin/osascript", cmdline=("osascript", "/Users/a/.hidden/grab.scpt"))),
])
def test_scripts_on_windows_and_macos_are_named_with_their_interpreter(platform, proc):
    (f,) = findings("processes", [proc], platform=platform)
    assert f.heuristic == "script-sign"
    assert interpreter_script(proc.cmdline, proc.exe)[0] in f.title and proc.exe in f.what


def test_a_watching_name_given_only_in_argv0_is_seen():
    (f,) = findings("processes", [Process(1, "sleep", exe="/usr/bin/sleep", cmdline=("keylogger", "60"))])
    assert f.heuristic == "watching-words" and "keylogger" in f.title


def test_the_same_sign_on_many_copies_is_one_finding():
    procs = [Process(i, "memfd:x", exe="/memfd:x", cmdline=("x",), exe_deleted=True) for i in range(1, 6)]
    (f,) = findings("processes", procs)
    assert f.heuristic == "program-file-gone" and len(f.evidence) == 5


def test_an_interpreter_module_is_matched_by_its_own_name():
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("pykeys", "stalkerware", "process_names: [pykeylogd]",
                                                                   name="PyKeys"))
    proc = Process(1, "python3", exe="/usr/bin/python3.11", cmdline=("python3", "-m", "pykeylogd"))
    (f,) = findings("processes", [proc], sigs)
    assert f.family == "pykeys"
    assert "running pykeylogd" in f.why


def test_another_accounts_program_is_shown_by_its_claimed_name():
    from device_checkup.checks.base import shown_value
    assert shown_value("processes", Process(1, "sshd", exe=None, exe_readable=False)) == \
        '"sshd" (the name it gives itself; its file could not be read)'
    assert shown_value("processes", Process(1, "sshd", exe="/opt/a/agent")) == '/opt/a/agent (calls itself "sshd")'


def test_disguise_reasons():
    assert disguised_name(Process(1, "sshd\u200b", exe=None, cmdline=()), "linux") == ("sshd\u200b", "spaces")
    assert disguised_name(Process(1, "сron", exe="/usr/sbin/cron", cmdline=("сron",)), "linux")[1] == "look-alike"
    assert disguised_name(Process(1, "svchost.exe", exe="C:\\Users\\a\\svchost2.exe", cmdline=()), "windows") == \
        ("svchost.exe", "elsewhere")


def test_hidepid_is_read_from_mountinfo():
    line = "22 27 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=invisible"
    assert hidepid_option(line) == "invisible"
    assert hidepid_option("22 27 0:21 / /proc rw,relatime - proc proc rw,hidepid=2") == "2"
    assert hidepid_option("22 27 0:21 / /proc rw,relatime - proc proc rw") is None
    assert hidepid_option("30 27 0:30 / /sys rw - sysfs sysfs rw,hidepid=2") is None
    # A proc mounted over another: the last one is what programs see.
    over = "22 27 0:21 / /proc rw - proc proc rw,hidepid=2\n63 45 0:39 / /proc rw - proc proc rw\n"
    assert hidepid_option(over) is None
    assert hidepid_option("\n".join(reversed(over.strip().split("\n")))) == "2"


# -- listening programs ------------------------------------------------------------------------
@pytest.mark.parametrize("listener, tier, through", [
    (Listener("0.0.0.0", 5901, "ipv4", 10, "Xtigervnc", "/usr/bin/Xtigervnc"), "remote-access", "VNC"),
    (Listener("::", 5900, "ipv6", 11, "fakename", "/opt/x/fakename"), "remote-access", "VNC"),
    (Listener("0.0.0.0", 3389, "ipv4", 12, "gnome-remote-de", "/usr/libexec/gnome-remote-desktop-daemon"),
     "remote-access", "screen sharing"),
    (Listener("192.168.1.20", 3389, "ipv4", 13, "xrdp", "/usr/sbin/xrdp"), "remote-access", "RDP"),
    (Listener("0.0.0.0", 7681, "ipv4", 14, "ttyd", "/usr/bin/ttyd"), "remote-access", "web browser"),
    (Listener("0.0.0.0", 22, "ipv4", 15, "sshd", "/usr/sbin/sshd"), "settings", "SSH"),
    (Listener("0.0.0.0", 4200, "ipv4", None, None, None, ("shellinaboxd",)), "remote-access", "web browser"),
])
def test_a_listening_remote_control_program_is_found_with_plain_words(listener, tier, through):
    (f,) = findings("listeners", [listener])
    assert f.tier == tier
    assert f.title.startswith("Another computer can connect to this one through") and through in f.title
    assert str(listener.port) in f.what


@pytest.mark.parametrize("listener", [
    Listener("0.0.0.0", 631, "ipv4", 1, "cupsd", "/usr/sbin/cupsd"),
    Listener("0.0.0.0", 1716, "ipv4", 2, "kdeconnectd", "/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd"),
    Listener("::", 22000, "ipv6", 3, "syncthing", "/usr/bin/syncthing"),
    Listener("0.0.0.0", 57621, "ipv4", 4, "spotify", "/usr/share/spotify/spotify"),
])
def test_ordinary_listening_programs_are_not_findings(listener):
    assert findings("listeners", [listener]) == []


def test_a_listener_matched_by_a_signature_is_its_family():
    sigs = sigset_from_text("schema: 1\nfamilies:\n" + family_yaml("somevnc", "remote-access", "process_names: [somevncd]",
                                                                   name="SomeVNC"))
    (f,) = findings("listeners", [Listener("0.0.0.0", 5900, "ipv4", 5, "somevncd", "/usr/bin/somevncd")], sigs)
    assert f.family == "somevnc" and "another computer can connect to" in f.why


def test_remote_door_by_port_and_name():
    assert remote_door(Listener("0.0.0.0", 5999, "ipv4")) == "vnc"
    assert remote_door(Listener("0.0.0.0", 6000, "ipv4")) == "x11"
    assert remote_door(Listener("0.0.0.0", 8080, "ipv4", exe="/usr/bin/x11vnc")) == "vnc"
    assert remote_door(Listener("0.0.0.0", 8080, "ipv4")) is None


# -- capture set-ups (Linux) -------------------------------------------------------------------
def test_capture_parsers():
    assert preload_entries("# comment\n/usr/lib/libhide.so  /lib/x.so:/lib/y.so\n") == \
        ["/usr/lib/libhide.so", "/lib/x.so", "/lib/y.so"]
    assert env_preloads('PATH="/usr/bin"\nLD_PRELOAD="/usr/local/lib/libk.so"\n') == \
        [("/usr/local/lib/libk.so", 'LD_PRELOAD="/usr/local/lib/libk.so"')]
    assert env_preloads("LD_PRELOAD DEFAULT=/opt/k.so\n", pam_env=True)[0][0] == "/opt/k.so"
    assert recorder_shells("root:x:0:0:root:/root:/bin/bash\nalex:x:1000:1000:Alex:/home/alex:/usr/bin/tlog-rec-session\n") \
        == [("alex", "/usr/bin/tlog-rec-session", "alex:…:/home/alex:/usr/bin/tlog-rec-session")]
    assert tty_audit_passwords("session required pam_tty_audit.so enable=* log_passwd\n"
                               "session required pam_tty_audit.so enable=*\n#session pam_tty_audit.so log_passwd\n") \
        == ["session required pam_tty_audit.so enable=* log_passwd"]
    assert [w for w, _ in sudo_io_logs("Defaults log_output\nDefaults !log_input\nalex ALL=(ALL) LOG_INPUT: ALL\n")] \
        == ["log_output", "log_input"]
    assert x_recorder(["xinput", "test-xi2", "--root"]) and x_recorder(["/usr/bin/xinput", "test", "11"])
    assert not x_recorder(["xinput", "list"])


def test_keyboards_are_told_from_other_input_devices():
    # A power button (keys, but no letters) and a laptop keyboard, as /proc/bus/input/devices shows them.
    devices = ("I: Bus=0019 Vendor=0000 Product=0001 Version=0000\nN: Name=\"Power Button\"\n"
              "H: Handlers=kbd event0 \nB: EV=3\nB: KEY=10000000000000 0\n\n"
              "I: Bus=0011 Vendor=0001 Product=0001 Version=ab41\nN: Name=\"AT Translated Set 2 keyboard\"\n"
              "H: Handlers=sysrq kbd event1 leds \nB: EV=120013\n"
              "B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe\n")
    assert keyboards(devices) == {"event1"}


def _tree(tmp_path, files: dict[str, str]) -> Path:
    root = tmp_path / "disk"
    for path, text in files.items():
        p = root / path.lstrip("/")
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def test_every_capture_setting_on_a_disk_is_a_finding_saying_what_it_records(tmp_path):
    root = _tree(tmp_path, {
        "/etc/ld.so.preload": "/usr/local/lib/libprocesshider.so\n",
        "/etc/environment": 'LD_PRELOAD="/opt/k/libkeys.so"\n',
        "/etc/passwd": "root:x:0:0:root:/root:/bin/bash\nalex:x:1000:1000:Alex:/home/alex:/usr/bin/tlog-rec-session\n",
        "/etc/pam.d/common-session": "session required pam_tty_audit.so enable=* log_passwd\n",
        "/etc/sudoers": "Defaults env_reset\nDefaults log_input, log_output\n",
        "/etc/sudoers.d/README": "# nothing\n", "/etc/sudoers.d/old.dpkg-old": "Defaults log_input\n"})
    machine = Machine.offline(str(root), "linux")
    result = run_scan(signatures=EMPTY, machine=machine, sources=[CaptureSettingsSource()], checks=[CaptureCheck()])
    got = {(e.record.kind, e.record.value): f for f in result.findings for e in f.evidence}
    assert set(got) == {("preload", "/usr/local/lib/libprocesshider.so"), ("preload-env", "/opt/k/libkeys.so"),
                        ("session-recorder", "/usr/bin/tlog-rec-session"), ("tty-audit-passwords", "pam_tty_audit"),
                        ("sudo-io-log", "log_input"), ("sudo-io-log", "log_output")}
    assert got[("preload", "/usr/local/lib/libprocesshider.so")].tier == "suspicious"
    assert got[("sudo-io-log", "log_output")].tier == "settings"
    assert "passwords included" in got[("tty-audit-passwords", "pam_tty_audit")].why
    assert "alex" in got[("session-recorder", "/usr/bin/tlog-rec-session")].what
    assert all(e.record.location != "/etc/sudoers.d/old.dpkg-old" for f in result.findings for e in f.evidence)


def test_an_ordinary_debian_etc_has_no_capture_finding():
    """This machine's own /etc (a Debian system): nothing preloaded, no recorder shells."""
    if not os.path.exists("/etc/debian_version"):
        pytest.skip("reads a real Debian /etc")
    machine = Machine.offline("/", "linux")
    result = run_scan(signatures=EMPTY, machine=machine, sources=[CaptureSettingsSource()], checks=[CaptureCheck()])
    preload = Path("/etc/ld.so.preload")
    expected = preload.exists() and preload_entries(preload.read_text())
    assert bool(result.findings) == bool(expected)


# -- browsers ----------------------------------------------------------------------------------
UBLOCK_PATH = "/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/uBlock0@raymondhill.net"


def _firefox_tree(tmp_path, profiles_at: str, with_dpkg: bool) -> Path:
    manifest = json.loads((DATA / "ublock-origin-manifest.json").read_text())
    perms = manifest["permissions"]
    root = _tree(tmp_path, {
        f"/home/alex/{profiles_at}/profiles.ini": "[Profile0]\nName=default-esr\nIsRelative=1\nPath=ab12.default-esr\n",
        f"/home/alex/{profiles_at}/ab12.default-esr/extensions.json": json.dumps({"schemaVersion": 36, "addons": [
            {"id": "uBlock0@raymondhill.net", "type": "extension", "location": "app-system-share",
             "path": UBLOCK_PATH, "version": manifest["version"], "active": True,
             "defaultLocale": {"name": manifest["name"]},
             "userPermissions": {"permissions": [p for p in perms if "://" not in p and p != "<all_urls>"],
                                 "origins": [p for p in perms if p == "<all_urls>"]}},
            {"id": "helper@sideload.example", "type": "extension", "location": "app-system-share",
             "path": "/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384}/helper@sideload.example",
             "active": True, "defaultLocale": {"name": "Helper"},
             "userPermissions": {"permissions": ["webRequest", "webRequestBlocking"], "origins": ["<all_urls>"]}}]})})
    if with_dpkg:
        info = root / "var/lib/dpkg/info"
        info.mkdir(parents=True)
        shutil.copy(DATA / "webext-ublock-origin-firefox.list", info / "webext-ublock-origin-firefox.list")
        (info / "base-files.list").write_text("/.\n/etc\n/etc/debian_version\n")
    return root


@pytest.mark.parametrize("profiles_at", [".config/mozilla/firefox", ".mozilla/firefox",
                                         ".var/app/org.mozilla.firefox/config/mozilla/firefox"])
def test_firefox_profiles_where_they_really_are_and_debian_packaged_add_ons_raise_no_alarm(tmp_path, profiles_at):
    root = _firefox_tree(tmp_path, profiles_at, with_dpkg=True)
    machine = Machine.offline(str(root), "linux")
    records = list(BrowserExtensionsSource().collect(machine, Notes("extensions")))
    got = {r.id: r for r in records}
    assert set(got) == {"uBlock0@raymondhill.net", "helper@sideload.example"}
    assert got["uBlock0@raymondhill.net"].by_system is True          # dpkg's list names its folder
    assert got["helper@sideload.example"].by_system is False         # no package installed it
    result = run_scan(signatures=EMPTY, machine=machine, sources=[BrowserExtensionsSource()])
    named = {e.record.id for f in result.findings for e in f.evidence}
    assert named == {"helper@sideload.example"}


# -- an ordinary Debian desktop, running ---------------------------------------------------------
def _p(pid, cmdline: str, exe: str, name: str | None = None, user="alex"):
    args = tuple(cmdline.split(" "))
    return Process(pid, name or exe.rsplit("/", 1)[-1][:15], exe=exe, cmdline=args, user=user,
                   exe_deleted=False, exe_readable=True)


DESKTOP = [
    _p(1, "/sbin/init splash", "/usr/lib/systemd/systemd", "systemd", "root"),
    _p(300, "/lib/systemd/systemd-journald", "/usr/lib/systemd/systemd-journald", user="root"),
    _p(420, "/lib/systemd/systemd-resolved", "/usr/lib/systemd/systemd-resolved", user="systemd-resolve"),
    _p(500, "avahi-daemon: running [laptop.local]", "/usr/sbin/avahi-daemon", user="avahi"),
    _p(510, "/usr/sbin/cupsd -l", "/usr/sbin/cupsd", user="root"),
    _p(520, "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", "/usr/sbin/sshd", user="root"),
    _p(600, "/usr/sbin/gdm3", "/usr/sbin/gdm3", user="root"),
    _p(900, "/usr/lib/systemd/systemd --user", "/usr/lib/systemd/systemd", "systemd"),
    _p(901, "(sd-pam)", "/usr/lib/systemd/systemd", "(sd-pam)"),
    _p(950, "/usr/bin/gnome-shell", "/usr/bin/gnome-shell"),
    _p(951, "/usr/bin/Xwayland :0 -rootless -noreset -accessx -core -auth /run/user/1000/.mutter-Xwaylandauth.ABC123",
       "/usr/bin/Xwayland"),
    _p(960, "/usr/libexec/gsd-media-keys", "/usr/libexec/gsd-media-keys"),
    _p(961, "/usr/bin/ibus-daemon --panel disable", "/usr/bin/ibus-daemon"),
    _p(962, "/usr/libexec/at-spi-bus-launcher", "/usr/libexec/at-spi-bus-launcher"),
    _p(963, "/usr/bin/gjs /usr/share/gnome-shell/org.gnome.Shell.Notifications", "/usr/bin/gjs-console", "gjs"),
    _p(964, "/usr/bin/python3 /usr/bin/orca", "/usr/bin/python3.11", "orca"),
    _p(965, "/usr/bin/ssh-agent /usr/bin/im-launch gnome-session", "/usr/bin/ssh-agent"),
    _p(966, "/usr/bin/pipewire-pulse", "/usr/bin/pipewire", "pipewire-pulse"),
    _p(1000, "/usr/lib/firefox-esr/firefox-esr", "/usr/lib/firefox-esr/firefox-esr"),
    _p(1001, "/usr/lib/firefox-esr/firefox-esr -contentproc -childID 1 -isForBrowser 8 tab",
       "/usr/lib/firefox-esr/firefox-esr", "Isolated Web Co"),
    _p(1100, "remmina", "/usr/bin/remmina"),
    _p(1101, "xtigervncviewer 192.168.1.5:1", "/usr/bin/xtigervncviewer"),
    _p(1102, "xfreerdp /v:192.168.1.6", "/usr/bin/xfreerdp"),
    _p(1103, "ssh alex@server.example.org", "/usr/bin/ssh"),
    _p(1104, "/bin/bash /usr/bin/update-notifier-helper", "/usr/bin/bash", "update-notifier"),
    _p(1105, "/usr/bin/python3 /usr/bin/blueman-applet", "/usr/bin/python3.11", "blueman-applet"),
    _p(1106, "/usr/bin/perl /usr/sbin/popularity-contest", "/usr/bin/perl", "popularity-cont", "root"),
    _p(1107, "/usr/bin/flatpak run org.signal.Signal", "/usr/bin/bwrap", "bwrap"),
    _p(1108, "/app/signal-desktop/signal-desktop", "/app/signal-desktop/signal-desktop"),
    _p(1109, "/snap/firefox/4955/usr/lib/firefox/firefox", "/snap/firefox/4955/usr/lib/firefox/firefox", "firefox"),
    _p(1110, "/home/alex/.local/share/JetBrains/Toolbox/bin/jetbrains-toolbox",
       "/home/alex/.local/share/JetBrains/Toolbox/bin/jetbrains-toolbox"),
    _p(1111, "/usr/bin/node /usr/share/code/resources/app/out/bootstrap-fork --type=extensionHost",
       "/usr/share/code/code", "code"),
    Process(2, "kthreadd", exe=None, cmdline=(), user="root", exe_readable=True),
    Process(30, "kworker/u8:2-events_unbound", exe=None, cmdline=(), user="root", exe_readable=True),
]
LISTENING = [
    Listener("0.0.0.0", 22, "ipv4", 520, "sshd", "/usr/sbin/sshd"),
    Listener("0.0.0.0", 1716, "ipv4", 1200, "kdeconnectd", "/usr/lib/x86_64-linux-gnu/libexec/kdeconnectd"),
    Listener("::", 57621, "ipv6", 1201, "spotify", "/usr/share/spotify/spotify"),
]


def test_an_ordinary_running_desktop_shows_nothing_but_its_ssh_server(shipped_set):
    machine = Machine(platform="linux", fs=FileSystem("linux", "/nonexistent-root"), live=False)
    result = run_scan(signatures=shipped_set, machine=machine,
                      sources=[ListSource("processes", DESKTOP), ListSource("listeners", LISTENING)])
    assert [(f.heuristic, f.tier) for f in result.findings] == [("listening", "settings")], \
        [(f.title, f.evidence[0].record) for f in result.findings]


@pytest.fixture(scope="module")
def shipped_set():
    from device_checkup.signatures.loader import load_set
    return load_set()


def test_a_debian_packaged_chromium_add_on_raises_no_alarm(tmp_path):
    root = _tree(tmp_path, {
        "/usr/share/webext/privacy-badger/manifest.json": (DATA / "privacy-badger-manifest.json").read_text(),
        "/home/alex/.config/chromium/Default/Preferences": json.dumps({"extensions": {"settings": {
            "pkehgijcmpdhfbdbbnkijodmdjhbjlgp": {"location": 4, "path": "/usr/share/chromium/extensions/privacy-badger",
                                                 "state": 1},
            "mnojpmjdmbbfmejpflffifhffcmidifd": {"location": 4, "path": "/home/alex/.local/share/helper",
                                                 "state": 1}}}})})
    (root / "home/alex/.local/share/helper").mkdir(parents=True)
    (root / "home/alex/.local/share/helper/manifest.json").write_text(json.dumps(
        {"name": "Helper", "version": "1", "manifest_version": 3, "permissions": ["webRequest", "cookies"],
         "host_permissions": ["<all_urls>"]}))
    (root / "usr/share/chromium/extensions").mkdir(parents=True)
    os.symlink("../../webext/privacy-badger", root / "usr/share/chromium/extensions/privacy-badger")
    info = root / "var/lib/dpkg/info"
    info.mkdir(parents=True)
    shutil.copy(DATA / "webext-privacy-badger.list", info / "webext-privacy-badger.list")
    machine = Machine.offline(str(root), "linux")
    got = {r.id: r for r in BrowserExtensionsSource().collect(machine, Notes("extensions"))}
    assert got["pkehgijcmpdhfbdbbnkijodmdjhbjlgp"].by_system is True
    assert got["mnojpmjdmbbfmejpflffifhffcmidifd"].by_system is False
    result = run_scan(signatures=EMPTY, machine=machine, sources=[BrowserExtensionsSource()])
    assert {e.record.id for f in result.findings for e in f.evidence} == {"mnojpmjdmbbfmejpflffifhffcmidifd"}


def test_an_ssh_server_the_settings_already_report_is_said_once():
    from device_checkup.checks.records import Setting
    machine = Machine(platform="linux", fs=FileSystem("linux", "/nonexistent-root"), live=False)
    ssh = Setting("remote-login", "Remote login (SSH)", "on", "/etc/systemd/system/multi-user.target.wants/ssh.service")
    result = run_scan(signatures=EMPTY, machine=machine, sources=[
        ListSource("listeners", [Listener("0.0.0.0", 22, "ipv4", 5, "sshd", "/usr/sbin/sshd"),
                                 Listener("0.0.0.0", 5900, "ipv4", 6, "x11vnc", "/usr/bin/x11vnc")]),
        ListSource("settings", [ssh])])
    assert sorted((f.check, f.tier) for f in result.findings) == [("listeners", "remote-access"), ("settings", "settings")]


@pytest.mark.parametrize("platform, setting, listener", [
    ("macos", "Screen Sharing", Listener("::", 5900, "ipv6", 1, "launchd", "/sbin/launchd")),
    ("macos", "Remote Login (SSH)", Listener("0.0.0.0", 22, "ipv4", 1, "launchd", "/sbin/launchd")),
    ("windows", "Remote Desktop", Listener("0.0.0.0", 3389, "ipv4", 900, "svchost.exe",
                                           "C:\\\\Windows\\\\System32\\\\svchost.exe")),
])
def test_a_server_the_settings_report_is_not_said_again_by_its_port(platform, setting, listener):
    from device_checkup.checks.records import Setting
    machine = Machine(platform=platform, fs=FileSystem(platform, "/nonexistent-root"), live=False)
    result = run_scan(signatures=EMPTY, machine=machine, sources=[
        ListSource("listeners", [listener]), ListSource("settings", [Setting("remote-login", setting, "on", "x")])])
    assert [f.check for f in result.findings] == ["settings"]
