"""Ways of recording what is typed or shown that a Linux system can be set up with.

* Settings (live and offline): every library ``/etc/ld.so.preload`` loads into every program;
  ``LD_PRELOAD`` set for everyone (``/etc/environment``, ``/etc/security/pam_env.conf``,
  ``/etc/profile.d/*.sh``); accounts whose login shell records their sessions (tlog, script,
  asciinema, ttyrec…); ``pam_tty_audit`` with ``log_passwd``; sudo's ``log_input``/``log_output``.
* Running programs (live only): programs holding a keyboard's ``/dev/input/event*`` open, and
  programs recording every key of the X display (``xinput test``/``test-xi2``, ``xev``).

Every file is read through the machine's FileSystem (never blocking, bounded); /proc, the live
kernel's own view, is read directly and without blocking.
"""
from __future__ import annotations

import os
import re
import shlex

from ..i18n import NN_, N_
from ..snapshot import Words
from ..records import Capture
from .base import Machine, Notes, Source, listing, text_of
from .fs import proc_list, proc_text

_SMALL = 1024 * 1024

# Programs that record a whole terminal session, used as a login shell: tlog ("set
# tlog-rec-session as the user's shell", https://github.com/Scribery/tlog#recording-sessions),
# util-linux script(1), asciinema (https://docs.asciinema.org/manual/cli/), ttyrec and termrec
# (Debian packages ttyrec, termrec), sudosh and rootsh (shells written to log sessions).
SESSION_RECORDERS = frozenset({"tlog-rec-session", "tlog-rec", "script", "asciinema", "ttyrec", "termrec",
                               "sudosh", "rootsh", "log-user-session"})


def _lines(text: str):
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            yield line


def preload_entries(text: str) -> list[str]:
    """Libraries listed in an ld.so.preload file (ld.so(8): separated by spaces, tabs, colons
    or newlines; comments are not part of the format, but '#' lines are skipped as glibc does)."""
    out = []
    for line in _lines(text):
        out += [e for e in re.split(r"[\s:]+", line) if e]
    return out


_ENV_PRELOAD = re.compile(r"^(?:export\s+)?LD_PRELOAD\s*=\s*(.*)$")
_PAM_ENV_PRELOAD = re.compile(r"^LD_PRELOAD\s+(?:DEFAULT|OVERRIDE)\s*=\s*(.*)$")


def env_preloads(text: str, pam_env: bool = False) -> list[tuple[str, str]]:
    """(library, line) for every LD_PRELOAD an environment file sets."""
    out = []
    for line in _lines(text):
        m = (_PAM_ENV_PRELOAD if pam_env else _ENV_PRELOAD).match(line)
        if not m:
            continue
        value = m.group(1).strip()
        try:
            value = " ".join(shlex.split(value, comments=True))
        except ValueError:
            value = value.strip("\"'")
        for lib in re.split(r"[\s:]+", value):
            if lib and lib not in ("@{HOME}",):
                out.append((lib, line))
    return out


def recorder_shells(passwd: str) -> list[tuple[str, str, str]]:
    """(user, shell, line) for accounts whose login shell records the session."""
    out = []
    for line in _lines(passwd):
        fields = line.split(":")
        if len(fields) < 7:
            continue
        shell = fields[6].strip()
        if shell.rsplit("/", 1)[-1] in SESSION_RECORDERS:
            out.append((fields[0], shell, ":".join(fields[:1] + ["…"] + fields[5:])))
    return out


def tty_audit_passwords(text: str) -> list[str]:
    """pam.d lines that load pam_tty_audit with log_passwd (pam_tty_audit(8): "log_passwd: log
    keystrokes when ECHO mode is off", i.e. passwords)."""
    return [line for line in _lines(text) if "pam_tty_audit" in line and re.search(r"\blog_passwd\b", line)]


_SUDO_LOG = re.compile(r"(?<![!\w])(log_input|log_output)\b")
_SUDO_TAG = re.compile(r"\b(LOG_INPUT|LOG_OUTPUT)\s*:")


def sudo_io_logs(text: str) -> list[tuple[str, str]]:
    """("log_input"|"log_output", line) for sudoers lines that turn I/O logging on, as a
    ``Defaults`` option or a LOG_INPUT:/LOG_OUTPUT: command tag (sudoers(5))."""
    out = []
    joined = re.sub(r"\\\n", " ", text)
    for line in _lines(joined):
        if line.startswith("Defaults"):
            for m in _SUDO_LOG.finditer(line):
                out.append((m.group(1), line))
        else:
            for m in _SUDO_TAG.finditer(line):
                out.append((m.group(1).lower(), line))
    return out


def _sudoers_files(fs, notes: Notes) -> list[str]:
    files = ["/etc/sudoers"]
    # sudoers(5): files in an @includedir that end in '~' or contain a '.' are skipped.
    for entry in sorted(listing(fs, "/etc/sudoers.d", notes), key=lambda e: e.name):
        if not entry.is_dir and not entry.name.endswith("~") and "." not in entry.name:
            files.append(entry.path)
    return files


class CaptureSettingsSource(Source):
    id = "capture.settings"
    kind = "capture"
    what = "settings that record what is typed or shown, and libraries loaded into every program"
    platforms = frozenset({"linux"})

    def collect(self, machine: Machine, notes: Notes):
        fs = machine.fs
        text = text_of(fs, "/etc/ld.so.preload", notes, N_("libraries loaded into every program"), _SMALL)
        for lib in preload_entries(text or "")[:200]:
            yield Capture("preload", lib, "/etc/ld.so.preload", lib)
        env_files = [("/etc/environment", False), ("/etc/security/pam_env.conf", True)]
        env_files += [(e.path, False) for e in sorted(listing(fs, "/etc/profile.d", notes), key=lambda e: e.name)
                      if not e.is_dir and e.name.endswith(".sh")]
        for path, pam in env_files:
            text = text_of(fs, path, notes, N_("settings every program starts with"), _SMALL)
            for lib, line in env_preloads(text or "", pam)[:200]:
                yield Capture("preload-env", lib, path, line)
        passwd = text_of(fs, "/etc/passwd", notes, N_("the accounts on this computer"), _SMALL)
        for user, shell, line in recorder_shells(passwd or ""):
            yield Capture("session-recorder", shell, "/etc/passwd", line, user=user)
        for entry in sorted(listing(fs, "/etc/pam.d", notes), key=lambda e: e.name):
            if entry.is_dir:
                continue
            text = text_of(fs, entry.path, notes, N_("how logins are set up"), _SMALL)
            for line in tty_audit_passwords(text or ""):
                yield Capture("tty-audit-passwords", "pam_tty_audit", entry.path, line)
        for path in _sudoers_files(fs, notes):
            text = text_of(fs, path, notes, N_("how administrator commands are logged"), _SMALL)
            seen = set()
            for what, line in sudo_io_logs(text or ""):
                if what not in seen:
                    seen.add(what)
                    yield Capture("sudo-io-log", what, path, line)


# -- running programs ------------------------------------------------------------------------
# Programs that hold keyboards open as part of showing the desktop or handling typing: X servers,
# Wayland compositors, the login manager's session tracker, power-key daemons, braille and
# console mouse support. Names as their Debian packages install them.
INPUT_HOLDERS = frozenset({
    "xorg", "x", "xorg.wrap", "xwayland", "gnome-shell", "mutter", "kwin_wayland", "kwin_wayland_wrapper",
    "kwin_x11", "weston", "sway", "hyprland", "wayfire", "labwc", "river", "niri", "cage", "gamescope",
    "cosmic-comp", "enlightenment", "mir", "miriway", "phoc", "gnome-kiosk", "systemd-logind", "elogind",
    "seatd", "acpid", "thd", "brltty", "gpm", "kmscon", "plymouthd", "xdg-desktop-portal-gnome",
    "gnome-session-binary", "gsd-media-keys", "xfwm4", "openbox", "budgie-wm", "marco", "muffin",
    "kwin", "startplasma-wayland", "ukui-kwin", "deepin-kwin_x11", "deepin-kwin_wayland", "treeland",
    # Hot-key daemons that only react to special keys (Debian packages actkbd, esekeyd, pommed).
    "actkbd", "esekeyd", "pommed"})
# Tools that print every key and pointer event of the X display (xinput(1) "test", "test-xi2";
# xev(1)).
def x_recorder(cmdline: list[str]) -> bool:
    if not cmdline:
        return False
    prog = cmdline[0].rsplit("/", 1)[-1]
    if prog == "xinput":
        return any(a in ("test", "test-xi2", "--test", "--test-xi2") for a in cmdline[1:])
    return prog == "xev"


def keyboards(devices: str) -> set[str]:
    """eventN names of devices that have letter keys (Q to P), from /proc/bus/input/devices."""
    out: set[str] = set()
    for block in devices.split("\n\n"):
        handlers = re.search(r"^H: Handlers=(.*)$", block, re.M)
        keys = re.search(r"^B: KEY=([0-9a-fA-F ]+)$", block, re.M)
        if not handlers or not keys:
            continue
        words = keys.group(1).split()
        try:
            low = int(words[-1], 16)
        except (ValueError, IndexError):
            continue
        if all(low >> bit & 1 for bit in range(16, 26)):       # KEY_Q (16) … KEY_P (25)
            out |= {h for h in handlers.group(1).split() if h.startswith("event")}
    return out


class CaptureProgramsSource(Source):
    id = "capture.programs"
    kind = "capture"
    what = "programs that read the keyboard directly or record every key"
    platforms = frozenset({"linux"})
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        kbd = keyboards(proc_text("/proc/bus/input/devices", 1 << 20) or "")
        try:
            pids = [int(p) for p in proc_list("/proc") if p.isdigit()]
        except OSError as exc:
            notes.could_not_read("error", f"/proc: {exc.strerror}", self.what)
            return
        unreadable = 0
        me = os.getpid()
        for pid in pids:
            if pid == me:
                continue
            raw = proc_text(f"/proc/{pid}/cmdline")
            cmdline = [a for a in (raw or "").split("\0") if a]
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                exe = None
            comm = (proc_text(f"/proc/{pid}/comm", 64) or "").strip()
            program = exe.removesuffix(" (deleted)") if exe else (cmdline[0] if cmdline else comm)
            if x_recorder(cmdline):
                yield Capture("x-input-recorder", program, f"/proc/{pid}", " ".join(cmdline)[:300], pid=pid,
                              user=_owner(pid))
            if not kbd:
                continue
            try:
                fds = proc_list(f"/proc/{pid}/fd")
            except PermissionError:
                unreadable += 1
                continue
            except OSError:
                continue                       # ended, or a kernel thread
            held = set()
            for fd in fds:
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("/dev/input/event") and target.rsplit("/", 1)[-1] in kbd:
                    held.add(target)
            if not held:
                continue
            names = {n.casefold() for n in (comm, program.rsplit("/", 1)[-1],
                                           cmdline[0].rsplit("/", 1)[-1] if cmdline else "") if n}
            if names & INPUT_HOLDERS and exe and not exe.endswith(" (deleted)") and _system_file(exe):
                continue
            yield Capture("input-reader", program, f"/proc/{pid}", ", ".join(sorted(held)), pid=pid,
                          user=_owner(pid))
        if unreadable:
            notes.could_not_read("permission", Words.counting(*NN_("which devices {count} program of other accounts has open could not be read",
                                     "which devices {count} programs of other accounts have open could not be read"),
                                 unreadable), N_("programs of other accounts that may read the keyboard"))


def _system_file(exe: str) -> bool:
    return exe.startswith(("/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/nix/store/", "/run/current-system/"))


def _owner(pid: int) -> str | None:
    try:
        import pwd
        return pwd.getpwuid(os.stat(f"/proc/{pid}").st_uid).pw_name
    except (OSError, KeyError, ImportError):
        return None


SOURCES = [CaptureSettingsSource(), CaptureProgramsSource()]
