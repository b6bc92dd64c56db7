"""Signs that catch what signatures miss (monitoring-products.md, "Heuristics").

Each heuristic is less certain than a signature match and says so in its words. They are
deliberately narrow: a heuristic that fires on an ordinary laptop frightens a person for
nothing, so the clean-tree tests run every heuristic against common legitimate software.
"""
from __future__ import annotations

import re

from . import texts
from .findings import Evidence, Finding, Match

# Names of operating-system programs → folders the OS puts them in (normalised: lower case, '/').
SYSTEM_PROGRAMS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "windows": (frozenset({
        "svchost.exe", "lsass.exe", "csrss.exe", "winlogon.exe", "services.exe", "smss.exe",
        "wininit.exe", "explorer.exe", "spoolsv.exe", "taskhostw.exe", "taskhost.exe", "dwm.exe",
        "conhost.exe", "rundll32.exe", "lsm.exe", "ctfmon.exe", "dllhost.exe", "sihost.exe",
        "runtimebroker.exe", "searchindexer.exe", "taskmgr.exe", "wmiprvse.exe", "audiodg.exe",
        "fontdrvhost.exe", "userinit.exe", "regsvr32.exe", "mshta.exe", "wscript.exe", "cscript.exe",
        "cmd.exe", "powershell.exe", "msiexec.exe", "system", "registry"}),
        ("c:/windows/system32/", "c:/windows/syswow64/", "c:/windows/winsxs/", "c:/windows/explorer.exe",
         "c:/windows/sysnative/", "c:/windows/system32/windowspowershell/", "c:/windows/syswow64/windowspowershell/")),
    "macos": (frozenset({
        "launchd", "kernel_task", "windowserver", "loginwindow", "mds", "mds_stores", "mdworker",
        "coreaudiod", "finder", "dock", "systemuiserver", "cfprefsd", "trustd", "softwareupdated",
        "securityd", "opendirectoryd", "syslogd", "configd", "distnoted", "usernoted", "sharingd",
        "bluetoothd", "airportd", "powerd", "hidd", "tccd", "coreservicesd", "controlcenter",
        "notificationcenter", "spotlight", "universalaccessd"}),
        ("/system/", "/usr/libexec/", "/usr/sbin/", "/usr/bin/", "/sbin/", "/bin/", "/library/apple/")),
    "linux": (frozenset({
        "systemd", "sshd", "cron", "crond", "dbus-daemon", "dbus-broker", "gnome-keyring-daemon",
        "pulseaudio", "pipewire", "wireplumber", "xorg", "xwayland", "gnome-shell", "networkmanager",
        "polkitd", "udisksd", "upowerd", "rsyslogd", "systemd-journald", "systemd-logind",
        "systemd-resolved", "systemd-udevd", "accounts-daemon", "gdm", "gdm3", "lightdm", "sddm",
        "kwin_x11", "kwin_wayland", "plasmashell", "at-spi-bus-launcher", "gvfsd", "ibus-daemon",
        "login", "agetty", "bluetoothd", "avahi-daemon", "cupsd", "thermald", "snapd", "init"}),
        ("/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/lib32/", "/snap/", "/nix/store/", "/opt/",
         "/app/", "/var/lib/flatpak/", "/run/current-system/")),
}

_TEMP_WINDOWS = ("/appdata/local/temp/", "c:/windows/temp/", "/$recycle.bin/", "c:/users/public/",
                 "c:/perflogs/", "/appdata/locallow/temp/")
_TEMP_POSIX = ("/tmp/", "/var/tmp/", "/dev/shm/", "/private/tmp/", "/private/var/tmp/", "/run/user/")
# Hidden folders that ordinary software keeps programs in.
_USUAL_HIDDEN = {".local", ".config", ".cache", ".var", ".nvm", ".cargo", ".rustup", ".pyenv", ".rbenv",
                 ".sdkman", ".npm", ".deno", ".bun", ".dotnet", ".vscode", ".vscode-server", ".mozilla",
                 ".steam", ".wine", ".nix-profile", ".volta", ".asdf", ".linuxbrew", ".bin", ".gem",
                 ".yarn", ".pnpm", ".jdks", ".m2", ".gradle", ".docker", ".kube", ".fly",
                 # Dropbox installs its Linux client in ~/.dropbox-dist and starts it from there.
                 ".dropbox-dist", ".dropbox", ".thunderbird", ".conda", ".eclipse"}

_WORDS = ("spy", "keylog", "keystroke", "stealth", "snoop", "track")
# Words distinctive enough to count inside a longer name ("MyKeylogger"); the others only at the
# start of a word, so that "heaptrack" (a memory profiler) or "Espyne" are not taken for watching.
_ANYWHERE = ("keylog", "keystroke", "stealth", "snoop")
_ANY_WORD = re.compile("|".join(_WORDS), re.IGNORECASE)
# Tokens that contain a watching word but are not watching: anti-spyware, IDEs, touchpads, GNOME's search.
_NOT_WATCHING = re.compile(
    r"^(anti|spybot|spyder|spyhunter|spyshelter|spyzooka|superantispyware|trackpad|trackpoint|trackball|"
    r"soundtrack|backtrack|tracker-miner|tracker-extract|tracker-store|tracker-writeback|tracker3|"
    r"tracker$|racktrack)", re.I)


def norm(path: str) -> str:
    return path.replace("\\", "/").casefold()


def _basename(path: str) -> str:
    return norm(path).rstrip("/").rsplit("/", 1)[-1]


def _dirname(path: str) -> str:
    p = norm(path).rstrip("/")
    return p.rsplit("/", 1)[0] + "/" if "/" in p else ""


def system_name_wrong_place(path: str | None, platform: str) -> str | None:
    """The system program's name if ``path`` borrows it from outside the OS's folders."""
    if not path or platform not in SYSTEM_PROGRAMS:
        return None
    names, homes = SYSTEM_PROGRAMS[platform]
    p = norm(path)
    if platform != "windows" and not p.startswith("/"):
        return None          # a bare name: can't tell where it runs from
    if platform == "windows" and not re.match(r"^[a-z]:/", p):
        return None
    base = _basename(p)
    if base not in names:
        return None
    if any(p.startswith(h) or p == h for h in homes):
        return None
    if platform == "macos" and "/contents/macos/" in p and base in {"finder", "dock", "controlcenter", "notificationcenter"}:
        return None if p.startswith("/system/") else base
    return base


def hidden_or_temporary(path: str | None, platform: str) -> str | None:
    """The hidden or temporary folder ``path`` is in, or None."""
    if not path:
        return None
    p = norm(path)
    if platform == "windows":
        for marker in _TEMP_WINDOWS:
            if marker in p:
                return marker.strip("/")
        return None
    for marker in _TEMP_POSIX:
        if p.startswith(marker):
            return marker.rstrip("/")
    for comp in p.split("/")[:-1]:
        if comp.startswith(".") and comp not in (".", "..") and comp not in _USUAL_HIDDEN:
            return comp
    return None


def watching_word(name: str | None) -> str | None:
    """The watching word a name contains (as a word start), unless it is a known harmless one."""
    if not name or not _ANY_WORD.search(name):
        return None                                      # most names: one quick look, in C
    tokens = re.split(r"[^A-Za-z0-9-]+|(?<=[a-z])(?=[A-Z])", name)
    previous = ""
    for token in tokens:
        low = token.lower()
        after_anti = previous.endswith("anti")          # "AntiSpyware", "SUPERAntiSpyware"
        previous = low
        if not low or after_anti or _NOT_WATCHING.match(low):
            continue
        for word in _WORDS:
            if low.startswith(word) or (word in _ANYWHERE and word in low):
                return word
    whole = re.sub(r"[^a-z]", "", name.lower())          # "KeyStroke" split by its capitals
    for word in _ANYWHERE:
        if word in whole and "anti" + word not in whole:
            return word
    return None


# -- findings ------------------------------------------------------------------------------
def finding(heuristic: str, check: str, record_kind: str, record, tier: str = "suspicious",
            matched: list[Match] | None = None, **values) -> Finding:
    t = lambda part: texts.text("heuristics", heuristic, part, **values)
    return Finding(check=check, tier=tier, heuristic=heuristic,
                   title=t("title"), what=t("what"), why=t("why"), do=t("do"), careful=t("careful"),
                   evidence=[Evidence(check, record_kind, record, matched or [])])


OS_NAMES = {"windows": "Windows", "macos": "macOS", "linux": "Linux"}


def where_found(record_kind: str, record) -> str:
    """Words for where a record was found ("something that starts by itself (…)")."""
    from .base import place_words, shown_value
    return place_words(record_kind, shown_value(record_kind, record))


def program_heuristics(check: str, record_kind: str, record, program: str | None, name: str | None,
                       platform: str, started_by_itself: bool) -> list[Finding]:
    """The heuristics that apply to something that runs a program. Words are made only for a
    finding: most records have none, and formatting them first was a fifth of matching time."""
    out: list[Finding] = []
    borrowed = system_name_wrong_place(program, platform)
    if borrowed:
        out.append(finding("system-name-wrong-place", check, record_kind, record,
                           matched=[Match("heuristic", "system program name outside the system folders",
                                          program, "program")],
                           value=program, name=_basename(program), os=OS_NAMES[platform],
                           location=_dirname(program).rstrip("/") or program))
    if started_by_itself:
        folder = hidden_or_temporary(program, platform)
        if folder:
            out.append(finding("hidden-or-temporary-start", check, record_kind, record,
                               matched=[Match("heuristic", f"starts from a hidden or temporary folder ({folder})",
                                              program, "program")],
                               value=program, location=where_found(record_kind, record)))
    if not out:
        for candidate in (name, _basename(program) if program else None):
            word = watching_word(candidate)
            if word:
                out.append(finding("watching-words", check, record_kind, record,
                                   matched=[Match("heuristic", f"the word '{word}'", candidate, "name")],
                                   value=candidate, word=word, place=where_found(record_kind, record)))
                break
    return out


# Services Windows itself ships whose names contain a watching word, as Windows names them
# (service name → display names across versions). Microsoft's service list:
# https://learn.microsoft.com/windows/application-management/per-user-services-in-windows and
# https://learn.microsoft.com/windows-server/security/windows-services/security-guidelines-for-disabling-system-services-in-windows-server
_WINDOWS_OWN_SERVICES = {
    "diagtrack": {"connected user experiences and telemetry", "diagnostics tracking service"},
    "trkwks": {"distributed link tracking client"},
    "trksvr": {"distributed link tracking server"},
}
_WINDOWS_FOLDERS = ("c:/windows/system32/", "c:/windows/syswow64/", "%systemroot%/system32/",
                    "%windir%/system32/", "system32/")


def windows_own_service(name: str | None, display_name: str | None, command: str | None) -> bool:
    """True for one of Windows' own services, judged by its name and display name as Windows
    ships them and by where its program lives (the Windows folder, or svchost.exe -k GROUP).

    Only then is a watching word in its name (DiagTrack, Distributed Link *Tracking*) no reason
    for a finding; a program borrowing the name from another folder is still judged."""
    names = _WINDOWS_OWN_SERVICES.get((name or "").casefold())
    if names is None or (display_name and display_name.casefold() not in names):
        return False
    cmd = norm(command or "").strip().strip('"')
    if not cmd.startswith(_WINDOWS_FOLDERS):
        return False
    program = cmd.split('"', 1)[0].split(" -", 1)[0].strip()
    if program.endswith("/svchost.exe"):
        return re.search(r"\s-k\s+\S+", cmd) is not None
    return "/" not in program[len(next(f for f in _WINDOWS_FOLDERS if cmd.startswith(f))):]
