"""Signs that catch what signatures miss (monitoring-products.md, "Heuristics").

Each heuristic is less certain than a signature match and says so in its words. They are
deliberately narrow: a heuristic that fires on an ordinary laptop frightens a person for
nothing, so the clean-tree tests run every heuristic against common legitimate software.
"""
from __future__ import annotations

import re
import unicodedata

from .i18n import _
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
        "login", "agetty", "bluetoothd", "avahi-daemon", "cupsd", "thermald", "snapd", "init",
        # Names a disguised program can borrow from an ordinary GNOME or KDE desktop (Debian
        # installs each under /usr): session services, portals, settings daemons, system daemons.
        "atd", "irqbalance", "colord", "packagekitd", "fwupd", "gvfsd-metadata", "gvfsd-fuse",
        "xdg-desktop-portal", "xdg-desktop-portal-gnome", "xdg-desktop-portal-gtk", "xdg-desktop-portal-kde",
        "xdg-document-portal", "xdg-permission-store", "at-spi2-registryd", "dconf-service",
        "evolution-source-registry", "evolution-calendar-factory", "evolution-addressbook-factory",
        "goa-daemon", "goa-identity-service", "gsd-housekeeping", "gsd-power", "gsd-media-keys",
        "gsd-xsettings", "gsd-color", "gsd-keyboard", "gsd-print-notifications", "gsd-rfkill",
        "gsd-smartcard", "gsd-sound", "gsd-wacom", "gsd-sharing", "gsd-datetime", "gsd-a11y-settings",
        "tracker-miner-fs-3", "modemmanager", "wpa_supplicant", "chronyd", "systemd-timesyncd",
        "systemd-networkd", "systemd-oomd", "systemd-userdbd", "systemd-machined", "rtkit-daemon",
        "power-profiles-daemon", "switcheroo-control", "boltd", "fprintd", "iio-sensor-proxy", "kded5", "kded6",
        "ksmserver", "kglobalaccel5", "kglobalacceld", "baloo_file", "kactivitymanagerd", "kwalletd5",
        "kwalletd6", "krunner", "mutter", "gnome-session-binary", "gnome-session-ctl", "gjs-console",
        "pipewire-pulse", "kerneloops", "anacron", "rpcbind", "unattended-upgrade-shutdown"}),
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
                 ".dropbox-dist", ".dropbox", ".thunderbird", ".conda", ".eclipse",
                 # Now that running programs are judged too: editors' remote servers, toolchain
                 # and game launchers that run programs from their own hidden folder in the home.
                 ".cursor-server", ".windsurf-server", ".vscode-oss", ".vscodium-server", ".minecraft",
                 ".arduino15", ".platformio", ".rye", ".juliaup", ".ghcup", ".elan", ".opam",
                 ".guix-profile", ".pixi", ".espressif", ".playonlinux", ".android", ".krew"}

_WORDS = ("spy", "keylog", "keystroke", "stealth", "snoop", "track")
# Words distinctive enough to count inside a longer name ("MyKeylogger"); the others only at the
# start of a word, so that "heaptrack" (a memory profiler) or "Espyne" are not taken for watching.
_ANYWHERE = ("keylog", "keystroke", "stealth", "snoop")
_ANY_WORD = re.compile("|".join(_WORDS), re.IGNORECASE)
# Names that contain a watching word but are not watching: anti-spyware, IDEs, games, time
# trackers, touchpads, GNOME's search. Compared with the letters and digits of one word, or of two
# or three words read together, so "SpyHunter", "Spy Hunter", "spy-hunter" and "spyhunter5" are all
# the same name ("Toggl Track" is "toggltrack", "TrackIR" is "track" + "ir").
_NOT_WATCHING = re.compile(
    r"^(anti|spybot|spyder|spyhunter|spyshelter|spyzooka|spyro|superantispyware|"
    r"trackpad|trackpoint|trackball|trackmania|trackir|tracktion|toggltrack|soundtrack|backtrack|"
    r"trackerminer|trackerextract|trackerstore|trackerwriteback|trackertest|tracker3|tracker$|racktrack|"
    r"midisnoop|(lib)?phpsnoopy)", re.I)        # a MIDI monitor; PHP's Snoopy web client


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
    # Hyphens stay inside a word ("ruby-spy", "request-tracker4" are not watching) but not in the
    # comparison with harmless names ("spy-hunter" is SpyHunter).
    tokens = [t for t in re.split(r"[^A-Za-z0-9-]+|(?<=[a-z])(?=[A-Z])", name) if t.strip("-")]
    lows = [t.lower().replace("-", "") for t in tokens]
    excused: set[int] = set()
    harmless: list[str] = []
    for i in range(len(lows)):
        for j in range(i + 1, min(i + 3, len(lows)) + 1):     # one, two or three words together
            m = _NOT_WATCHING.match("".join(lows[i:j]))
            # Words read together are excused only if the harmless name reaches into the last of
            # them: "Spyro" excuses itself, not the "Spy" of "Spyro Spy".
            if m and (j == i + 1 or m.end() > len("".join(lows[i:j - 1]))):
                excused.update(range(i, j))
                harmless.append(m.group(0))
    for i, low in enumerate(lows):
        if i in excused or (i and lows[i - 1].endswith("anti")):   # "AntiSpyware", "SUPERAntiSpyware"
            continue
        for word in _WORDS:
            if low.startswith(word) or (word in _ANYWHERE and word in low):
                return word
    whole = re.sub(r"[^a-z]", "", "".join(lows))         # "KeyStroke" split by its capitals
    for text in harmless:                                # what is left of "SpyHunter-Stealth"
        whole = whole.replace(re.sub(r"[^a-z]", "", text), "", 1)
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
                           matched=[Match("heuristic", _("system program name outside the system folders"),
                                          program, "program")],
                           value=program, name=_basename(program), os=OS_NAMES[platform],
                           how=texts.text("heuristics", "system-name-wrong-place", "how",
                                          "running" if record_kind == "processes" else "disk"),
                           location=_dirname(program).rstrip("/") or program))
    if started_by_itself:
        folder = hidden_or_temporary(program, platform)
        if folder:
            out.append(finding("hidden-or-temporary-start", check, record_kind, record,
                               matched=[Match("heuristic", _("starts from a hidden or temporary folder ({folder})").format(folder=folder),
                                              program, "program")],
                               value=program, location=where_found(record_kind, record)))
    if not out:
        for candidate in (name, _basename(program) if program else None):
            word = watching_word(candidate)
            if word:
                out.append(finding("watching-words", check, record_kind, record,
                                   matched=[Match("heuristic", _("the word '{word}'").format(word=word), candidate, "name")],
                                   value=candidate, word=word, place=where_found(record_kind, record)))
                break
    return out


# -- running programs: where they run from, what they call themselves, what they interpret ----
# AppImages (type 2) run from a FUSE mount the runtime makes in $TMPDIR, "/tmp/.mount_<name>XXXXXX"
# (AppImageKit runtime.c, https://github.com/AppImage/AppImageKit/blob/master/src/runtime.c):
# an ordinary way to run a downloaded program, not a hiding place.
_APPIMAGE_MOUNT = re.compile(r"^/tmp/\.mount_[^/]+/")
_INTERPRETER = re.compile(
    r"^(python[\d.]*m?|pypy[\d.]*|perl[\d.]*|ruby[\d.]*|node|nodejs|deno|bun|php[\d.]*|lua[\d.]*|"
    r"tclsh[\d.]*|wish[\d.]*|bash|sh|dash|zsh|ksh|mksh|fish|osascript|pwsh|powershell|wscript|cscript|"
    r"java|javaw)(\.exe)?$", re.I)
# Options that take the next word as their value (python -W x, perl -I dir, node -r mod, java -cp x).
_VALUE_OPTIONS = {"-W", "-X", "-Q", "-I", "-M", "-r", "--require", "-cp", "-classpath", "--class-path",
                  "--module-path", "-o", "-O", "--import", "--loader",
                  # PowerShell (about_Pwsh / about_PowerShell_exe): options that take a value.
                  "-executionpolicy", "-ep", "-ex", "-windowstyle", "-w", "-version", "-v", "-configurationname",
                  "-outputformat", "-of", "-inputformat", "-if", "-psconsolefile", "-workingdirectory", "-wd",
                  "-settingsfile", "-custompipename"}
# Options after which the rest is code on the command line, not a file.
_CODE_OPTIONS = {"-c", "-e", "-E", "--eval", "-p", "--print", "-command", "-encodedcommand", "-enc", "-ec"}
# Kernel threads have no program file and no command line; their names follow these forms.
KERNEL_THREAD = re.compile(
    r"^(kworker/|ksoftirqd/|migration/|rcu_|kthreadd$|kswapd\d|jbd2/|irq/|watchdog[d/]|cpuhp/|khugepaged$|"
    r"kcompactd\d|kdevtmpfs$|kauditd$|oom_reaper$|writeback$|kblockd$|scsi_eh_|scsi_tmf_|idle_inject/|"
    r"ksmd$|kthrotld$|kintegrityd$|edac-poller$|kworker$|card\d+-crtc|psimon$|kstrp$|ipv6_addrconf$)")
# Letters of other scripts that look like Latin ones (the common homoglyphs of Unicode's
# confusables list, https://www.unicode.org/Public/security/latest/confusables.txt).
_LOOKALIKE = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
    "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ү": "y", "к": "k", "м": "m", "т": "t", "в": "b", "н": "h",
    "ο": "o", "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "a", "Β": "b", "Ε": "e", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t",
    "Χ": "x", "Υ": "y", "Ζ": "z", "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o",
    "Р": "p", "С": "c", "Т": "t", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j"})
_INVISIBLE_OR_SPACE = re.compile(r"[\s\u00a0\u00ad\u180e\u200b-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff]")


def _leaf(path: str) -> str:
    """The last part of a path, either slash (no case folding: the pattern ignores case)."""
    return path.rstrip("/\\").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]


def interpreter_script(cmdline, exe: str | None = None) -> tuple[str, str] | None:
    """(script or module, "script"|"module") an interpreter runs, if the program is one.

    ``python3 -m keylogger`` → ("keylogger", "module"); ``/usr/bin/python3 /tmp/.x/agent.py`` →
    ("/tmp/.x/agent.py", "script"). Code given on the command line (``-c``) has no file."""
    args = list(cmdline or ())
    if not args:
        return None
    program = exe or args[0]
    if not (_INTERPRETER.match(_leaf(program)) or _INTERPRETER.match(_leaf(args[0].split(" ", 1)[0]))):
        return None
    i = 1
    while i < len(args):
        arg = args[i]
        if arg == "-m" and i + 1 < len(args):
            return args[i + 1], "module"
        if arg.startswith("-m") and len(arg) > 2 and _basename(program).startswith("python"):
            return arg[2:], "module"
        low = arg.casefold() if arg.startswith("-") and len(arg) > 2 else arg
        if arg in _CODE_OPTIONS or low in _CODE_OPTIONS:
            return None
        if arg.startswith("//"):            # wscript/cscript host options (//B, //Nologo)
            i += 1
            continue
        if low in ("-file", "-f") and i + 1 < len(args):
            return args[i + 1], "script"
        if arg == "-jar" and i + 1 < len(args):
            return args[i + 1], "script"
        if arg == "--":
            return (args[i + 1], "script") if i + 1 < len(args) else None
        if arg.startswith("-") and arg != "-":
            i += 2 if (arg in _VALUE_OPTIONS or low in _VALUE_OPTIONS) else 1
            continue
        return (arg, "script") if arg != "-" else None
    return None


def _claimed(proc) -> list[str]:
    """The names a program gives itself (its comm and its argv[0]), as it gives them."""
    out = []
    for value in (proc.name, getattr(proc, "comm", None), proc.cmdline[0] if proc.cmdline else None):
        if value and value not in out:
            out.append(value)
    return out


def _first_word_base(value: str) -> str:
    return _basename(value.split(" ", 1)[0]) if value.strip() == value else _basename(value)


def disguised_name(proc, platform: str) -> tuple[str, str] | None:
    """(claimed name, why) if a running program's own name disagrees with what it is: a kernel
    thread's name on a program that has a file or a command line; a system program's name written
    with extra spaces, invisible characters or look-alike letters of another script; a system
    program's name on a program file from elsewhere, or on an interpreter."""
    names = SYSTEM_PROGRAMS.get(platform, (frozenset(), ()))[0]
    homes = SYSTEM_PROGRAMS.get(platform, (frozenset(), ()))[1]
    exe = proc.exe or None
    argv0 = proc.cmdline[0] if proc.cmdline else None
    claims = _claimed(proc)
    for claimed in claims:
        if platform == "linux":
            bracketed = claimed.startswith("[") and claimed.rstrip().endswith("]")
            if bracketed and (exe or (argv0 == claimed)):
                return claimed, "kernel-thread"
            if exe and KERNEL_THREAD.match(claimed) and claimed != _basename(exe):
                return claimed, "kernel-thread"
        ascii_ = claimed.isascii()
        if ascii_ and " " not in claimed and claimed.isprintable() and "\t" not in claimed:
            continue                                # the usual name: nothing hidden in it
        plain = _INVISIBLE_OR_SPACE.sub("", claimed)
        if claimed != plain and _basename(plain) in names:
            return claimed, "spaces"
        if not ascii_:
            folded = unicodedata.normalize("NFKC", plain).translate(_LOOKALIKE).casefold()
            if folded != plain.casefold() and (folded in names or _is_confusable(plain)):
                return claimed, "look-alike"
    if exe and platform in SYSTEM_PROGRAMS:
        real = None
        for claimed in claims:
            base = _first_word_base(claimed).casefold()
            if base not in names:
                continue
            real = real or _basename(exe)
            p = norm(exe)
            if base == real or real.startswith(base):
                continue
            if _INTERPRETER.match(real):
                return claimed, "interpreter"
            if not any(p.startswith(h) for h in homes):
                return claimed, "elsewhere"
    return None


def _is_confusable(text: str) -> bool:
    from .inert import confusable
    return confusable(text)


_NO_SCRIPT = object()


def running_program_signs(check: str, record_kind: str, proc, platform: str, script=_NO_SCRIPT) -> list[Finding]:
    """Signs about how a program runs, beyond its name: a file in a temporary or hidden folder,
    a file deleted after it started, a name that disagrees with its file, an interpreter running
    a script from a hidden place or with a watching name. Each names the real program file and
    the script, never the interpreter alone."""
    out: list[Finding] = []
    exe = proc.exe or None
    shown_exe = exe or texts.text("heuristics", "disguised-name", "unknown_file")
    if getattr(proc, "exe_deleted", None):
        out.append(finding("program-file-gone", check, record_kind, proc,
                           matched=[Match("heuristic", _("its program file was deleted after it started"),
                                          exe or proc.name, "program")],
                           value=exe or proc.name, name=proc.name))
    elif exe and not _APPIMAGE_MOUNT.match(exe):
        folder = hidden_or_temporary(exe, platform)
        if folder:
            out.append(finding("runs-from-hidden-or-temporary", check, record_kind, proc,
                               matched=[Match("heuristic", _("runs from a hidden or temporary folder ({folder})").format(folder=folder),
                                              exe, "program")],
                               value=exe, folder=folder))
    disguise = disguised_name(proc, platform)
    if disguise and not system_name_wrong_place(exe, platform):
        claimed, why = disguise
        out.append(finding("disguised-name", check, record_kind, proc,
                           matched=[Match("heuristic", _("claims the name '{name}' ({why})").format(name=claimed, why=why), claimed, "name")],
                           value=claimed, program=shown_exe,
                           why_words=texts.text("heuristics", "disguised-name", f"because_{why}")))
    script = interpreter_script(proc.cmdline, exe) if script is _NO_SCRIPT else script
    if script:
        target, how = script
        folder = hidden_or_temporary(target, platform) if how == "script" and target.startswith(("/", "~")) \
            or re.match(r"^[a-z]:[\\/]", target, re.I) else None
        word = watching_word(_basename(target)) or (watching_word(target) if how == "module" else None)
        if folder or word:
            reason = (_("the word '{word}' and a hidden or temporary folder ({folder})") if word and folder
                      else _("the word '{word}'") if word else _("a hidden or temporary folder ({folder})")).format(
                word=word, folder=folder)
            out.append(finding("script-sign", check, record_kind, proc,
                               matched=[Match("heuristic", _("an interpreter runs {how} {target}: {reason}").format(how=how, target=target, reason=reason),
                                              target, "script")],
                               value=target, program=shown_exe,
                               reason=texts.text("heuristics", "script-sign",
                                                 "because_word" if word else "because_folder",
                                                 word=word or "", folder=folder or "")))
    return out


# -- programs other computers can connect to -------------------------------------------------
# Well-known ports of remote-login and remote-control services (IANA Service Name and Transport
# Protocol Port Number Registry, https://www.iana.org/assignments/service-names-port-numbers:
# ssh 22, telnet 23, exec/login/shell 512-514, ms-wbt-server 3389, rfb 5900, x11 6000-6063,
# wsman 5985/5986). VNC servers take 5900 + their display number (RFC 6143 section 1; TigerVNC's
# vncserver and x11vnc docs), hence the whole 5900-5999 range.
REMOTE_PORTS: tuple[tuple[int, int, str], ...] = (
    (22, 22, "ssh"), (23, 23, "telnet"), (512, 514, "rsh"), (3389, 3389, "rdp"),
    (5900, 5999, "vnc"), (6000, 6063, "x11"), (5985, 5986, "winrm"))
# Programs that let other computers see or control this one, or log in to it, by the names their
# Debian packages install (https://packages.debian.org/ file lists of x11vnc, tigervnc-standalone-
# server, tigervnc-scraping-server, tightvncserver, krfb, vino, gnome-remote-desktop, xrdp,
# freerdp2-shadow-x11 / freerdp3-shadow-x11, wayvnc, ttyd, shellinabox, veyon-service, xpra,
# openssh-server, dropbear-bin, telnetd, inetutils-telnetd). A signature, where one matches, says
# more; these only say what kind of door is open.
REMOTE_SERVERS: dict[str, str] = {
    "x11vnc": "vnc", "xvnc": "vnc", "xtigervnc": "vnc", "x0vncserver": "vnc", "x0tigervncserver": "vnc",
    "xtightvnc": "vnc", "vncserver": "vnc", "krfb": "vnc", "vino-server": "vnc", "wayvnc": "vnc",
    "gnome-remote-desktop-daemon": "screen", "xrdp": "rdp", "xrdp-sesman": "rdp",
    "freerdp-shadow-cli": "rdp", "freerdp-shadow-cli3": "rdp", "ttyd": "shell", "shellinaboxd": "shell",
    "veyon-server": "screen", "veyon-service": "screen", "xpra": "screen",
    "sshd": "ssh", "dropbear": "ssh", "in.telnetd": "telnet", "telnetd": "telnet"}
# SSH is often turned on on purpose: a setting worth checking, not a remote-control tool.
_LOW_DOORS = frozenset({"ssh"})


def remote_door(listener) -> str | None:
    """What kind of way in a listening program opens ("vnc", "ssh", …), by its program's names
    first and its port second; None for ports and programs that are not remote-control ones."""
    for value in (listener.exe, listener.process_name, listener.cmdline[0] if listener.cmdline else None):
        if value:
            door = REMOTE_SERVERS.get(_basename(value.split(" ", 1)[0]))
            if door:
                return door
    for low, high, door in REMOTE_PORTS:
        if low <= listener.port <= high:
            return door
    return None


def listening_finding(check: str, listener) -> Finding | None:
    """"Another computer can connect to this one through X", for a listening program no
    signature named."""
    door = remote_door(listener)
    if not door:
        return None
    program = listener.exe or listener.process_name or \
        texts.text("heuristics", "listening", "unknown_program")
    wildcard = listener.address in ("0.0.0.0", "::", "*", "")
    where = texts.text("heuristics", "listening", "every_address" if wildcard else "one_address",
                       address=listener.address)
    return finding("listening", check, "listeners", listener,
                   tier="settings" if door in _LOW_DOORS else "remote-access",
                   matched=[Match("heuristic", _("accepts connections from other computers ({door}, port {port})").format(
                                      door=door, port=listener.port), f"{listener.address}:{listener.port}", "port")],
                   program=program, port=listener.port, where=where,
                   through=texts.text("heuristics", "listening", "through", door),
                   why_words=texts.text("heuristics", "listening", "why_by", door))


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
