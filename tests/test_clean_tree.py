"""An ordinary laptop is not frightening: a clean tree yields no stalkerware or monitoring finding.

Each tree holds what common legitimate software leaves on a disk — browsers and their
updaters, cloud sync, video-call and chat apps, music, password managers — in the places and
shapes those programs really use. The full offline scan runs with the shipped signature set.
Remote-access tools are not on these trees, so nothing above "worth checking" may appear
either, apart from what a tree deliberately holds.
"""
from __future__ import annotations

import plistlib

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.signatures.loader import load_set

from .helpers import put

from .windows_tree import build as build_windows

SERIOUS = {"stalkerware", "monitoring", "remote-access", "watchware"}


def desktop(name, exe):
    return f"[Desktop Entry]\nType=Application\nName={name}\nExec={exe} %U\n"


def info_plist(name, bundle_id):
    return plistlib.dumps({"CFBundleName": name, "CFBundleIdentifier": bundle_id, "CFBundleShortVersionString": "1.0"})


def linux_tree(root):
    put(root, "/etc/os-release", 'PRETTY_NAME="Ubuntu 24.04 LTS"\n')
    put(root, "/etc/hosts", "127.0.0.1 localhost\n127.0.1.1 laptop\n::1 ip6-localhost ip6-loopback\n")
    put(root, "/etc/passwd", "root:x:0:0::/root:/bin/bash\nalex:x:1000:1000::/home/alex:/bin/bash\n")
    put(root, "/etc/group", "sudo:x:27:alex\n")
    for name, exe in [("Google Chrome", "/usr/bin/google-chrome-stable"), ("Firefox", "firefox"),
                      ("Zoom", "/usr/bin/zoom"), ("Slack", "/usr/bin/slack"), ("Spotify", "spotify"),
                      ("Signal", "/opt/Signal/signal-desktop"), ("Discord", "/usr/bin/discord"),
                      ("Visual Studio Code", "/usr/share/code/code"), ("KeePassXC", "keepassxc"),
                      ("Thunderbird", "thunderbird"), ("LibreOffice Writer", "libreoffice --writer")]:
        put(root, f"/usr/share/applications/{name.lower().replace(' ', '-')}.desktop", desktop(name, exe))
    put(root, "/etc/xdg/autostart/org.gnome.SettingsDaemon.Power.desktop", desktop("Power", "/usr/libexec/gsd-power"))
    put(root, "/etc/xdg/autostart/gnome-keyring-ssh.desktop", desktop("SSH Key Agent", "/usr/bin/gnome-keyring-daemon --start --components=ssh"))
    put(root, "/home/alex/.config/autostart/dropbox.desktop", desktop("Dropbox", "/home/alex/.dropbox-dist/dropboxd"))
    put(root, "/etc/cron.daily/google-chrome", "#!/bin/sh\n# keeps the Chrome repository configured\n")
    put(root, "/etc/cron.d/e2scrub_all", "30 3 * * 0 root test -e /run/systemd/system || /usr/lib/x86_64-linux-gnu/e2fsprogs/e2scrub_all_cron\n")
    put(root, "/usr/lib/systemd/system/NetworkManager.service", "[Unit]\nDescription=Network Manager\n[Service]\nExecStart=/usr/sbin/NetworkManager --no-daemon\n[Install]\nWantedBy=multi-user.target\n")
    put(root, "/usr/lib/systemd/system/cups.service", "[Unit]\nDescription=CUPS Scheduler\n[Service]\nExecStart=/usr/sbin/cupsd -l\n[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True, exist_ok=True)
    (root / "etc/systemd/system/multi-user.target.wants/NetworkManager.service").symlink_to("/usr/lib/systemd/system/NetworkManager.service")
    put(root, "/var/lib/dpkg/status", "".join(
        f"Package: {p}\nStatus: install ok installed\nVersion: 1.0\nMaintainer: Someone <x@example.org>\n\n"
        for p in ("google-chrome-stable", "firefox", "zoom", "slack-desktop", "code", "signal-desktop",
                  "dropbox", "network-manager", "cups", "openssh-client", "keepassxc", "spotify-client")))
    put(root, "/home/alex/.mozilla/firefox/profiles.ini", "[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\n")
    put(root, "/home/alex/.config/google-chrome/Default/Preferences", '{"extensions": {"settings": {}}}')


def macos_tree(root):
    put(root, "/System/Library/CoreServices/SystemVersion.plist", plistlib.dumps({"ProductVersion": "14.5"}))
    for name, bundle in [("Google Chrome", "com.google.Chrome"), ("Firefox", "org.mozilla.firefox"),
                         ("zoom.us", "us.zoom.xos"), ("Slack", "com.tinyspeck.slackmacgap"),
                         ("Microsoft Teams", "com.microsoft.teams2"), ("Dropbox", "com.getdropbox.dropbox"),
                         ("Spotify", "com.spotify.client"), ("1Password", "com.1password.1password"),
                         ("WhatsApp", "net.whatsapp.WhatsApp"), ("Google Drive", "com.google.drivefs")]:
        put(root, f"/Applications/{name}.app/Contents/Info.plist", info_plist(name, bundle))
    put(root, "/Library/LaunchAgents/com.google.keystone.agent.plist", plistlib.dumps({
        "Label": "com.google.keystone.user.agent", "ProgramArguments": [
            "/Library/Google/GoogleSoftwareUpdate/GoogleSoftwareUpdate.bundle/Contents/Resources/GoogleSoftwareUpdateAgent.app/Contents/MacOS/GoogleSoftwareUpdateAgent", "-runMode", "ifneeded"],
        "RunAtLoad": True}))
    put(root, "/Library/LaunchDaemons/us.zoom.ZoomDaemon.plist", plistlib.dumps({
        "Label": "us.zoom.ZoomDaemon", "Program": "/Library/PrivilegedHelperTools/us.zoom.ZoomDaemon", "RunAtLoad": True}))
    put(root, "/Users/alex/Library/LaunchAgents/com.dropbox.DropboxMacUpdate.agent.plist", plistlib.dumps({
        "Label": "com.dropbox.DropboxMacUpdate.agent", "ProgramArguments": [
            "/Users/alex/Library/DropboxHelperTools/DropboxMacUpdate.app/Contents/MacOS/DropboxMacUpdate", "-check"]}))
    put(root, "/private/etc/hosts", "127.0.0.1 localhost\n255.255.255.255 broadcasthost\n::1 localhost\n")


def windows_tree(root):
    build_windows(root, planted=False)         # hives, Run keys, services, tasks, shortcuts
    for path in [r"Program Files\Google\Chrome\Application\chrome.exe",
                 r"Program Files (x86)\Google\Update\GoogleUpdate.exe",
                 r"Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
                 r"Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe",
                 r"Program Files\Mozilla Firefox\firefox.exe",
                 r"Program Files\Microsoft OneDrive\OneDrive.exe",
                 r"Program Files\Dropbox\Client\Dropbox.exe",
                 r"Program Files\Google\Drive File Stream\launch.bat",
                 r"Users\alex\AppData\Roaming\Zoom\bin\Zoom.exe",
                 r"Users\alex\AppData\Local\Microsoft\Teams\current\Teams.exe",
                 r"Users\alex\AppData\Local\Discord\app-1.0\Discord.exe",
                 r"Users\alex\AppData\Roaming\Spotify\Spotify.exe",
                 r"Users\alex\AppData\Local\slack\slack.exe",
                 r"Windows\System32\svchost.exe", r"Windows\explorer.exe"]:
        put(root, "/" + path.replace("\\", "/"), b"MZ")
    put(root, "/Windows/System32/drivers/etc/hosts", "# Copyright (c) Microsoft Corp.\n# 127.0.0.1 localhost\n")


TREES = {"linux": linux_tree, "macos": macos_tree, "windows": windows_tree}


@pytest.fixture(scope="module")
def shipped():
    sigset = load_set()
    assert sigset.families
    return sigset


@pytest.mark.parametrize("platform", list(TREES))
def test_a_clean_laptop_yields_nothing_serious(tmp_path, shipped, platform):
    TREES[platform](tmp_path)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(tmp_path), platform))
    serious = [(f.tier, f.title) for f in result.findings if f.tier in SERIOUS]
    assert serious == []
    suspicious = [(f.heuristic, f.title) for f in result.findings if f.tier == "suspicious"]
    assert suspicious == []
    assert not [n for n in result.not_checked if n.reason in ("error", "fault")], result.not_checked
