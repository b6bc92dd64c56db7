"""Remote-access servers on every platform they are sold for, from their real artefacts.

Offline Linux trees are built from the real file lists and unit files of Debian's packages
(tests/data/debian-remote-access, see its README) and from the documented layouts of the
commercial tools; macOS trees from Homebrew cask definitions. Viewers and clients must give
nothing: a client lets this computer reach others, it doesn't let anyone in.
"""
from __future__ import annotations

import os
import plistlib
from collections import defaultdict
from pathlib import Path

import pytest

from device_checkup.checks.engine import run_scan
from device_checkup.checks.sources.base import Machine
from device_checkup.signatures.index import compile_set
from device_checkup.signatures.loader import DESKTOP, PATH_KINDS, load_set, name_platforms

from .helpers import put

DATA = Path(__file__).parent / "data" / "debian-remote-access"


@pytest.fixture(scope="module")
def shipped():
    sigset = load_set()
    assert not sigset.problems
    return sigset


# -- the set itself ---------------------------------------------------------------------------
def products(sigset):
    """Families grouped as one product (same_as links followed to the family that is reported)."""
    reported = {f.id: f.id for f in sigset.families}
    for fam in sigset.families:
        for other in fam.same_as:
            if reported.get(other) == other:
                reported[other] = fam.id

    def canon(fid):
        seen = set()
        while reported[fid] != fid and fid not in seen:
            seen.add(fid)
            fid = reported[fid]
        return fid
    groups = defaultdict(list)
    for fam in sigset.families:
        groups[canon(fam.id)].append(fam)
    return groups


def usable_on(ind, platform: str) -> bool:
    """Whether an indicator can show that the product is on a computer of ``platform``."""
    if ind.kind in PATH_KINDS:
        return platform in ind.platforms
    if ind.kind in ("bundle_ids", "launchd_labels"):
        return platform == "macos"
    if ind.kind in ("registry_keys", "registry_values", "task_names"):
        return platform == "windows"
    if ind.kind in ("process_names", "service_names", "autostart_names", "program_names", "extension_ids"):
        return not ind.platforms or platform in ind.platforms
    return False          # domains, addresses, hashes of Windows programs, phone app ids


# Claims kept although no artefact backs them yet, each with the reason. The test fails when one
# is no longer needed, so the list can't go stale.
NOT_YET_BACKED = {
    "netwire: linux": "curated RAT sold for Linux too: the only public install artefact found (SigmaHQ) is "
                      "its Windows registry key",
    "netwire: macos": "curated RAT sold for macOS too: the only public install artefact found (SigmaHQ) is "
                      "its Windows registry key",
    "flexispy: macos": "curated (stalkerware, not this file): the only public indicators are Echap's "
                       "network names; the macOS agent's files are not in a public source we have",
}


def test_every_claimed_desktop_platform_has_an_indicator_usable_there(shipped):
    """A product sold for Linux or macOS has at least one artefact the scan can meet there; what
    can't be had is not claimed (the LOLRMM importer drops such claims and says so)."""
    missing = []
    for canonical, fams in products(shipped).items():
        claimed = {p for f in fams for p in f.platforms if p in ("linux", "macos")}
        for plat in sorted(claimed):
            if not any(usable_on(i, plat) for f in fams for i in f.indicators):
                missing.append(f"{canonical}: {plat}")
    assert sorted(set(missing) - set(NOT_YET_BACKED)) == []
    assert sorted(set(NOT_YET_BACKED) - set(missing)) == [], "no longer needed: remove it from NOT_YET_BACKED"


def test_windows_program_names_match_on_windows_only(shipped):
    index = compile_set(shipped)
    for name in ("vncserver.exe", "winvnc.exe", "teamviewer_service.exe", "tvnserver.exe"):
        assert index.name("process_names", name, "windows"), name
        assert not index.name("process_names", name, "linux"), name
        assert not index.name("process_names", name, "macos"), name
    for name in ("x11vnc", "Xtigervnc", "xrdp", "teamviewerd", "veyon-server"):
        assert index.name("process_names", name, "linux"), name
        assert not index.name("process_names", name, "windows"), name
    assert name_platforms("VNCVIEWER.EXE") == ("windows",) and name_platforms("x11vnc") == ()


CLIENTS = ["vncviewer.exe", "vncviewer", "tvnviewer.exe", "xtigervncviewer", "xtightvncviewer", "remmina",
           "remmina-gnome", "krdc", "vinagre", "xfreerdp", "wlfreerdp", "rdesktop", "mstsc.exe", "putty.exe",
           "ssh", "veyon-master", "TightVNCViewerPortable-1.2.exe", "realvnc-vnc-viewer", "tigervnc-viewer",
           "epoptes", "xfreerdp3", "freerdp2-x11"]


@pytest.mark.parametrize("platform", DESKTOP)
def test_a_client_is_never_matched_as_a_server(shipped, platform):
    index = compile_set(shipped)
    for name in CLIENTS:
        for kind in ("process_names", "program_names", "service_names", "autostart_names"):
            hits = index.name(kind, name, platform)
            assert hits == [], f"{name} ({kind}, {platform}) → {[h.reported_as.id for h in hits]}"


def test_the_tightvnc_folder_names_only_tightvnc(shipped):
    index = compile_set(shipped)
    for path in (r"C:\Program Files\TightVNC\tvnserver.exe", r"C:\Program Files\TightVNC"):
        names = {h.reported_as.name for kind in ("executable_paths", "file_paths")
                 for h in index.path(kind, path, "windows")}
        assert names <= {"TightVNC server"}, names
    assert {h.reported_as.name for h in index.name("process_names", "tvnserver.exe", "windows")} == {"TightVNC server"}


# Program names that two LOLRMM entries share although the products differ, with the reason the
# name is still right for both: one vendor's component that ships with each.
SHARED_BY_ONE_VENDOR = {
    "g2mcomm.exe": "GoTo's communication component, in GoToAssist and GoToMyPC",
    "laplink.exe": "Laplink's program, in Laplink Gold and Laplink Everywhere",
    "dwrcs.exe": "DameWare's remote-control service, which RDPView (by DameWare) installs",
    "kabuto.app.runner.exe": "Kabuto's agent, which Syncro bought and ships",
    "itsmagent.exe": "Comodo's agent, sold again as Itarian",
    "remote workforce client.exe": "ConnectWise's client, under 247ithelp.com's ConnectWise branding",
    "winvnc.exe": "the original VNC server's name, which UltraVNC keeps",
    "basupapp.exe": "BeAnywhere's Take Control, which N-able bought and ships in its agent",
    "basupsrvc.exe": "BeAnywhere's Take Control, which N-able bought and ships in its agent",
    "basuptshelper.exe": "BeAnywhere's Take Control, which N-able bought and ships in its agent",
    "cloudwksinstall.exe": "Faronics Cloud's installer, for Deep Freeze and Deploy alike",
}


def test_a_program_name_in_two_lolrmm_entries_is_one_product(shipped):
    groups = products(shipped)
    product_of = {f.id: canonical for canonical, fams in groups.items() for f in fams}
    owners = defaultdict(set)
    for fam in shipped.families:
        if fam.id.startswith("lolrmm."):
            for ind in fam.indicators:
                if ind.kind == "process_names":
                    owners[ind.value.lower()].add(product_of[fam.id])
    shared = {name: sorted(p) for name, p in owners.items() if len(p) > 1 and name not in SHARED_BY_ONE_VENDOR}
    assert shared == {}


# -- offline Linux trees from real packages --------------------------------------------------
def plant_package(root: Path, pkg: str) -> None:
    """Every file of a real Debian package, with its real units and desktop files, and its
    dpkg status entry."""
    files = DATA / "files" / pkg
    for path in (DATA / f"{pkg}.list").read_text().split():
        real = files / path.lstrip("/")
        put(root, path, real.read_bytes() if real.is_file() else b"\x7fELF")
    status = root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True, exist_ok=True)
    with open(status, "a") as fh:
        fh.write(f"Package: {pkg}\nStatus: install ok installed\nVersion: 1\nMaintainer: Debian\n"
                 f"Description: {pkg}\n\n")


def link(root: Path, path: str, target: str) -> None:
    where = root / path.lstrip("/")
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, where)


def base_tree(root: Path) -> Path:
    put(root, "/etc/os-release", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
    put(root, "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nalex:x:1000:1000:Alex:/home/alex:/bin/bash\n")
    (root / "home/alex/.config").mkdir(parents=True, exist_ok=True)
    put(root, "/usr/lib/systemd/system/cups.service", "[Service]\nExecStart=/usr/sbin/cupsd -l\n[Install]\nWantedBy=multi-user.target\n")
    link(root, "/etc/systemd/system/multi-user.target.wants/cups.service", "/usr/lib/systemd/system/cups.service")
    put(root, "/var/lib/dpkg/status", "Package: cups\nStatus: install ok installed\nVersion: 1\n\n")
    return root


def enable(root: Path, wants: str, unit: str, target: str) -> None:
    """What deb-systemd-helper / systemctl enable leave: a link in a .wants folder."""
    link(root, f"{wants}/{unit}", target)


def xrdp(root):
    plant_package(root, "xrdp")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "xrdp.service", "/lib/systemd/system/xrdp.service")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "xrdp-sesman.service",
           "/lib/systemd/system/xrdp-sesman.service")


def tigervnc(root):
    plant_package(root, "tigervnc-standalone-server")
    put(root, "/etc/tigervnc/vncserver.users", ":1=alex\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "tigervncserver@:1.service",
           "/lib/systemd/system/tigervncserver@.service")


def tigervnc_scraping(root):
    plant_package(root, "tigervnc-scraping-server")


def tightvnc(root):
    plant_package(root, "tightvncserver")


def x11vnc(root):
    plant_package(root, "x11vnc")
    put(root, "/home/alex/.config/autostart/x11vnc.desktop",
        (DATA / "files/x11vnc/usr/share/applications/x11vnc.desktop").read_bytes())


def xpra(root):
    plant_package(root, "xpra")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "xpra.service", "/lib/systemd/system/xpra.service")
    enable(root, "/etc/systemd/system/sockets.target.wants", "xpra.socket", "/lib/systemd/system/xpra.socket")


def gnome_remote_desktop(root):
    plant_package(root, "gnome-remote-desktop")
    enable(root, "/home/alex/.config/systemd/user/gnome-session.target.wants", "gnome-remote-desktop.service",
           "/usr/lib/systemd/user/gnome-remote-desktop.service")


def veyon(root):
    plant_package(root, "veyon-service")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "veyon.service", "/lib/systemd/system/veyon.service")


def tmate(root):
    plant_package(root, "tmate")


def teamviewer(root):
    # TeamViewer's own .deb: /opt/teamviewer/tv_bin, its unit teamviewerd.service (kinstall, gcjyzdd).
    put(root, "/opt/teamviewer/tv_bin/teamviewerd", b"\x7fELF")
    put(root, "/opt/teamviewer/tv_bin/TeamViewer", b"\x7fELF")
    put(root, "/etc/systemd/system/teamviewerd.service",
        "[Unit]\nDescription = TeamViewer remote control daemon\n[Service]\nType = forking\n"
        "PIDFile = /var/run/teamviewerd.pid\nExecStart = /opt/teamviewer/tv_bin/teamviewerd -d\n"
        "[Install]\nWantedBy = multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "teamviewerd.service",
           "/etc/systemd/system/teamviewerd.service")


def anydesk(root):
    # AnyDesk's Linux install script: /usr/bin/anydesk and /etc/systemd/system/anydesk.service.
    put(root, "/usr/bin/anydesk", b"\x7fELF")
    put(root, "/etc/systemd/system/anydesk.service", "[Service]\nExecStart=/usr/bin/anydesk --service\n"
                                                     "[Install]\nWantedBy=multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "anydesk.service", "/etc/systemd/system/anydesk.service")


def rustdesk(root):
    # rustdesk/res/DEBIAN/postinst and res/rustdesk.service.
    put(root, "/usr/lib/rustdesk/rustdesk", b"\x7fELF")
    link(root, "/usr/bin/rustdesk", "/usr/lib/rustdesk/rustdesk")
    put(root, "/usr/lib/systemd/system/rustdesk.service",
        "[Unit]\nDescription=RustDesk\n[Service]\nType=simple\nExecStart=/usr/bin/rustdesk --service\n"
        "[Install]\nWantedBy=multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "rustdesk.service",
           "/usr/lib/systemd/system/rustdesk.service")


def chrome_remote_desktop(root):
    # The host script and binary, the template unit and one person's instance.
    put(root, "/opt/google/chrome-remote-desktop/chrome-remote-desktop", "#!/usr/bin/python3\n")
    put(root, "/opt/google/chrome-remote-desktop/chrome-remote-desktop-host", b"\x7fELF")
    put(root, "/lib/systemd/system/chrome-remote-desktop@.service",
        "[Unit]\nDescription=Chrome Remote Desktop instance for %i\n[Service]\nType=simple\nUser=%i\n"
        "ExecStart=/opt/google/chrome-remote-desktop/chrome-remote-desktop --start --new-session\n"
        "[Install]\nWantedBy=multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "chrome-remote-desktop@alex.service",
           "/lib/systemd/system/chrome-remote-desktop@.service")


def meshcentral(root):
    # MeshCentral's agents/meshinstall-linux.sh: /usr/local/mesh/meshagent with its .msh.
    put(root, "/usr/local/mesh/meshagent", b"\x7fELF")
    put(root, "/usr/local/mesh/meshagent.msh", "MeshName=x\n")
    put(root, "/lib/systemd/system/meshagent.service", "[Service]\nExecStart=/usr/local/mesh/meshagent\n"
                                                       "[Install]\nWantedBy=multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "meshagent.service",
           "/lib/systemd/system/meshagent.service")


def nomachine(root):
    put(root, "/usr/NX/bin/nxserver", b"\x7fELF")
    put(root, "/usr/NX/etc/node.cfg", "ConfigFileVersion 4.0\n")
    put(root, "/etc/NX/nxserver", "#!/bin/sh\n")


def shellinabox(root):
    plant_package(root, "shellinabox")
    link(root, "/etc/rc2.d/S01shellinabox", "../init.d/shellinabox")


def freerdp_shadow(root):
    plant_package(root, "freerdp2-shadow-x11")


def epoptes_client(root):
    plant_package(root, "epoptes-client")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "epoptes-client.service",
           "/lib/systemd/system/epoptes-client.service")


def x2goserver(root):
    plant_package(root, "x2goserver")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "x2goserver.service",
           "/lib/systemd/system/x2goserver.service")


def screenconnect(root):
    # ConnectWise's access-agent guide: /opt/screenconnect-<instance id>/, service screenconnect-<id>.
    put(root, "/opt/screenconnect-8d2f0c1b9e7a4d31/ClientLaunchParameters.txt", "?h=x&p=443\n")
    put(root, "/opt/screenconnect-8d2f0c1b9e7a4d31/run.sh", "#!/bin/sh\n")
    put(root, "/etc/systemd/system/screenconnect-8d2f0c1b9e7a4d31.service",
        "[Service]\nExecStart=/opt/screenconnect-8d2f0c1b9e7a4d31/run.sh\n[Install]\nWantedBy=multi-user.target\n")
    enable(root, "/etc/systemd/system/multi-user.target.wants", "screenconnect-8d2f0c1b9e7a4d31.service",
           "/etc/systemd/system/screenconnect-8d2f0c1b9e7a4d31.service")


LINUX_CASES = [
    (xrdp, "xrdp"), (tigervnc, "tigervnc-server"), (tigervnc_scraping, "tigervnc-server"),
    (tightvnc, "tightvnc-server"), (x11vnc, "x11vnc"), (xpra, "xpra-server"),
    (gnome_remote_desktop, "gnome-remote-desktop"), (veyon, "veyon"), (tmate, "tmate"),
    (teamviewer, "teamviewer"), (anydesk, "anydesk"), (rustdesk, "rustdesk"),
    (chrome_remote_desktop, "chrome-remote-desktop"), (meshcentral, "meshcentral-agent"), (nomachine, "nomachine"),
    (screenconnect, "screenconnect-client"), (shellinabox, "shellinabox"), (freerdp_shadow, "freerdp-shadow"),
    (epoptes_client, "epoptes-client"), (x2goserver, "x2goserver"),
    (lambda r: plant_package(r, "wayvnc"), "wayvnc"), (lambda r: plant_package(r, "tty-share"), "tty-share"),
]


@pytest.mark.parametrize("plant,family", LINUX_CASES, ids=[f for _, f in LINUX_CASES])
def test_a_linux_install_is_found_with_its_family_and_tier(tmp_path, shipped, plant, family):
    root = base_tree(tmp_path / "disk")
    plant(root)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(root), "linux"))
    found = {f.family: f.tier for f in result.findings if f.family}
    expected_tier = shipped.family(family).tier
    assert found == {family: expected_tier}


def test_the_instance_of_a_template_unit_is_listed_and_named(tmp_path, shipped):
    root = base_tree(tmp_path / "disk")
    chrome_remote_desktop(root)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(root), "linux"))
    services = {s.name: s for s in result.snapshot.of("services")}
    crd = services["chrome-remote-desktop@alex.service"]
    assert crd.start == "enabled" and crd.user == "alex"
    assert crd.executable == "/opt/google/chrome-remote-desktop/chrome-remote-desktop"
    remote = [s for s in result.snapshot.of("settings") if s.kind == "remote-login"]
    assert [(s.name, s.location) for s in remote] == [
        ("Chrome Remote Desktop", "/etc/systemd/system/multi-user.target.wants/chrome-remote-desktop@alex.service")]


def test_a_persons_screen_sharing_is_a_remote_login_setting(tmp_path, shipped):
    root = base_tree(tmp_path / "disk")
    gnome_remote_desktop(root)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(root), "linux"))
    remote = [(s.name, s.user) for s in result.snapshot.of("settings") if s.kind == "remote-login"]
    assert remote == [("GNOME Remote Desktop", "alex")]


CLIENT_PACKAGES = ["tigervnc-viewer", "xtightvncviewer", "remmina", "veyon-master", "epoptes", "novnc"]


def test_viewers_and_a_default_gnome_install_give_nothing(tmp_path, shipped):
    """Clients installed and run from the menu, and GNOME's sharing installed but off (as on every
    GNOME desktop): no remote-access finding."""
    root = base_tree(tmp_path / "disk")
    for pkg in CLIENT_PACKAGES + ["gnome-remote-desktop", "vino", "krfb"]:
        plant_package(root, pkg)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(root), "linux"))
    assert [(f.tier, f.title) for f in result.findings if f.tier != "settings"] == []
    assert [s for s in result.snapshot.of("settings") if s.kind == "remote-login"] == []


# -- offline macOS trees from Homebrew cask definitions --------------------------------------
def plant_launchd(root: Path, folder: str, label: str, program: str) -> None:
    put(root, f"{folder}/{label}.plist", plistlib.dumps({"Label": label, "ProgramArguments": [program]}))


def plant_app(root: Path, app: str, bundle_id: str) -> None:
    put(root, f"/Applications/{app}/Contents/Info.plist",
        plistlib.dumps({"CFBundleIdentifier": bundle_id, "CFBundleName": app[:-4]}))


MAC_CASES = [
    ("nomachine", lambda r: (plant_app(r, "NoMachine.app", "com.nomachine.nxdock"),
                             plant_launchd(r, "/Library/LaunchDaemons", "com.nomachine.server",
                                           "/Applications/NoMachine.app/Contents/Frameworks/bin/nxserver.bin"))),
    ("realvnc-server", lambda r: plant_launchd(r, "/Library/LaunchDaemons", "com.realvnc.vncserver",
                                               "/Library/vnc/vncserver")),
    ("teamviewer", lambda r: (plant_app(r, "TeamViewer.app", "com.teamviewer.TeamViewer"),
                              plant_launchd(r, "/Library/LaunchDaemons", "com.teamviewer.teamviewer_service",
                                            "/Applications/TeamViewer.app/Contents/Helpers/TeamViewer_Service"))),
    ("rustdesk", lambda r: plant_launchd(r, "/Library/LaunchDaemons", "com.carriez.RustDesk_service",
                                         "/Applications/RustDesk.app/Contents/MacOS/service")),
    ("anydesk", lambda r: (plant_app(r, "AnyDesk.app", "com.philandro.anydesk"),
                           plant_launchd(r, "/Library/LaunchDaemons", "com.philandro.anydesk.service",
                                         "/Applications/AnyDesk.app/Contents/MacOS/AnyDesk"))),
    ("chrome-remote-desktop", lambda r: plant_launchd(r, "/Library/LaunchAgents", "org.chromium.chromoting",
                                                      "/Library/PrivilegedHelperTools/ChromeRemoteDesktopHost.app")),
    ("splashtop-streamer", lambda r: (plant_app(r, "Splashtop Streamer.app", "com.splashtop.Splashtop-Streamer"),
                                      plant_launchd(r, "/Library/LaunchDaemons", "com.splashtop.streamer-daemon",
                                                    "/Applications/Splashtop Streamer.app/Contents/MacOS/SRFeature"))),
    ("jump-desktop-connect", lambda r: plant_launchd(r, "/Library/LaunchAgents", "com.p5sys.jump.connect.agent",
                                                     "/Library/Application Support/Jump Desktop/Connect/x")),
    ("screenconnect-client", lambda r: put(r, "/opt/screenconnect-8d2f0c1b9e7a4d31.app/Contents/Info.plist",
                                           plistlib.dumps({"CFBundleIdentifier": "com.screenconnect.client"}))),
    ("meshcentral-agent", lambda r: (put(r, "/usr/local/mesh_services/meshagent/meshagent", b"\xcf\xfa\xed\xfe"),
                                     put(r, "/usr/local/mesh_services/meshagent/meshagent.msh", "MeshName=x\n"))),
]


@pytest.mark.parametrize("family,plant", MAC_CASES, ids=[f for f, _ in MAC_CASES])
def test_a_macos_install_is_found_with_its_family_and_tier(tmp_path, shipped, family, plant):
    root = tmp_path / "mac"
    put(root, "/System/Library/CoreServices/SystemVersion.plist",
        plistlib.dumps({"ProductName": "macOS", "ProductVersion": "14.5"}))
    (root / "Users/alex/Library").mkdir(parents=True)
    plant(root)
    result = run_scan(signatures=shipped, machine=Machine.offline(str(root), "macos"))
    found = {f.family: f.tier for f in result.findings if f.family}
    assert found == {family: shipped.family(family).tier}
