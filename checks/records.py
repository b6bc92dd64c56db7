"""Plain records that sources read from a machine.

Every record is a frozen ``msgspec.Struct`` of plain values (str, int, float, bool, None,
tuples of those), so a snapshot serialises to JSON and back without loss. Paths are written the way the
machine's own OS writes them (``C:\\ProgramData\\AnyDesk`` on Windows, ``/Library/...`` on
macOS) even in an offline scan, so a person sees the path their own computer would show.

Sources know nothing of signatures; checks know nothing of how records were read.
"""
from __future__ import annotations

import functools
import types
import typing
from typing import Any

from msgspec import Struct

from device_checkup.signatures import kinds
from device_checkup.signatures.words import N_, Words, WordsError


class Process(Struct, frozen=True):
    """A running program."""
    pid: int
    name: str
    exe: str | None = None
    cmdline: tuple[str, ...] = ()
    user: str | None = None
    ppid: int | None = None
    parent_name: str | None = None
    started: float | None = None          # seconds since the epoch
    sha256: str | None = None             # of the executable, where it could be read
    # The name the program gives itself (Linux ``comm``), which it may choose freely, as may its
    # argv[0] (``cmdline[0]``); ``name`` is psutil's pick between them. ``exe`` is the file the
    # system says it runs, the one name a program cannot choose.
    comm: str | None = None
    exe_deleted: bool | None = None       # its file was deleted (or replaced) after it started
    exe_readable: bool | None = None      # False: the system would not say which file it runs


class Listener(Struct, frozen=True):
    """A program that accepts connections from other computers (a TCP socket listening on an
    address other than loopback). Only a check of the running computer can see these."""
    address: str                           # "0.0.0.0", "::" or one of this computer's addresses
    port: int
    family: str                            # "ipv4" or "ipv6"
    pid: int | None = None
    process_name: str | None = None
    exe: str | None = None
    cmdline: tuple[str, ...] = ()
    user: str | None = None


class Capture(Struct, frozen=True):
    """A way of recording what is typed, shown or done that is set up on this computer.

    ``kind`` is one of CAPTURE_KINDS; ``value`` is what does it (a program or library);
    ``location`` where it was found (a file, or ``/proc/<pid>``); ``detail`` the line or device.
    """
    kind: str
    value: str
    location: str
    detail: str = ""
    pid: int | None = None
    user: str | None = None


CAPTURE_KINDS = (
    "input-reader",        # a program holding a keyboard's /dev/input/event* device open
    "x-input-recorder",    # a program recording every key of the X display (xinput test…)
    "session-recorder",    # an account's login shell records the whole terminal session
    "tty-audit-passwords", # pam_tty_audit set to log what is typed, passwords included
    "sudo-io-log",         # sudo records what is typed (log_input) or shown (log_output)
    "preload",             # a library /etc/ld.so.preload loads into every program
    "preload-env",         # LD_PRELOAD set for every program (e.g. in /etc/environment)
)


class Connection(Struct, frozen=True):
    """A network connection or listening socket, with the program that owns it."""
    kind: str                              # "tcp" or "udp"
    family: str                            # "ipv4" or "ipv6"
    local_address: str
    local_port: int
    remote_address: str | None = None
    remote_port: int | None = None
    status: str | None = None              # "ESTABLISHED", "LISTEN", …
    pid: int | None = None
    process_name: str | None = None


class Interface(Struct, frozen=True):
    """A network interface and its addresses."""
    name: str
    addresses: tuple[str, ...] = ()
    mac: str | None = None


class Gateway(Struct, frozen=True):
    """A route to other networks (the default gateway is the usual way out)."""
    address: str
    interface: str
    family: str                            # "ipv4" or "ipv6"
    is_default: bool = False


class AutostartEntry(Struct, frozen=True):
    """Something the system starts by itself: at boot, at login or on a schedule.

    ``kind`` says which mechanism: run-key, startup-folder, winlogon, launch-agent,
    launch-daemon, login-item, xdg-autostart, systemd-user, cron, shell-startup, preload, udev-rule,
    motd, systemd-generator, network-dispatcher, apt-hook, kde-autostart, …
    ``name`` is the entry's own name (registry value name, launchd label, ``.desktop`` file
    name, unit name). ``executable`` is the program it starts, where it can be worked out.
    """
    kind: str
    name: str
    location: str                          # file or registry key that holds the entry
    command: str = ""
    executable: str | None = None
    user: str | None = None                # whose entry it is; None = for every user
    enabled: bool | None = None
    label: str | None = None               # launchd label (macOS)
    bundle_id: str | None = None           # bundle that registered it (macOS login items)
    sha256: str | None = None


class InstalledApp(Struct, frozen=True):
    """An installed program (Windows uninstall entry, macOS .app bundle, Linux package)."""
    name: str
    source: str                            # uninstall-key, app-bundle, dpkg, rpm, flatpak, snap, desktop-file
    version: str | None = None
    publisher: str | None = None
    location: str | None = None            # install folder, .app path or .desktop file
    bundle_id: str | None = None
    user: str | None = None
    installed: str | None = None           # install date as the system wrote it


class Service(Struct, frozen=True):
    """A background service (Windows service, launchd daemon, systemd unit)."""
    name: str
    source: str                            # where it was read from
    display_name: str | None = None
    command: str = ""
    executable: str | None = None
    start: str | None = None               # "automatic", "manual", "disabled", "boot", "enabled", …
    state: str | None = None               # "running", "stopped" where known
    user: str | None = None


class ScheduledTask(Struct, frozen=True):
    """A scheduled task (Windows Task Scheduler, cron, systemd timer)."""
    name: str
    source: str
    command: str = ""
    executable: str | None = None
    triggers: str = ""
    enabled: bool | None = None
    user: str | None = None


class FileItem(Struct, frozen=True):
    """A file or folder that exists at a place known to be used by monitoring software."""
    path: str
    is_dir: bool
    pattern: str                           # the location (glob) that found it
    size: int | None = None
    modified: float | None = None
    sha256: str | None = None


class RegistryItem(Struct, frozen=True):
    """A Windows registry key (or value) that exists at a known place."""
    key: str                               # HKLM\SOFTWARE\… or HKCU\… (user says whose)
    pattern: str
    user: str | None = None
    value_name: str | None = None
    value: str | None = None
    modified: float | None = None


class BrowserExtension(Struct, frozen=True):
    """A browser extension or add-on."""
    browser: str
    profile: str
    id: str
    name: str
    location: str
    version: str | None = None
    permissions: tuple[str, ...] = ()
    from_store: bool | None = None
    by_policy: bool = False
    enabled: bool | None = None
    user: str | None = None
    by_system: bool = False                # its files were installed by the system's package manager


class RemoteSession(Struct, frozen=True):
    """One remote session a remote-access tool wrote in its own log: evidence a person can show."""
    tool: str                              # "AnyDesk", "TeamViewer", …
    log: str                               # the log file it was read from (machine path)
    line: int                              # line number in that log
    direction: str                         # "incoming" or "outgoing"
    time: str                              # as the log wrote it, and ISO 8601 where it could be read
    approval: str | None = None            # how it was let in: "password", "accepted by the user", …
    remote_id: str | None = None           # the other side's tool id
    remote_address: str | None = None
    user: str | None = None                # whose log it is
    raw: str = ""                          # the log line itself
    end: str | None = None                 # when it ended, as ``time``; None: not recorded
    remote_name: str | None = None         # the other side's computer or account name
    time_zone: str | None = None           # the zone of ``time``/``end`` as the tool wrote it; None: unknown
    kind: str | None = None                # the tool's word for the session ("RemoteControl", …)
    files: tuple[str, ...] = ()            # what the log says about files transferred


class Setting(Struct, frozen=True):
    """A setting or account that changes who can see or reach this computer.

    ``kind`` is one of SETTING_KINDS. Sources report what is set; the settings check decides
    what is worth a person's attention (a proxy that is set, a root certificate someone added,
    remote login that is on…).
    """
    kind: str
    name: str                              # "HTTP proxy", "Remote Desktop", "alex", "Accessibility", …
    value: str                             # "10.9.8.7:3128", "on", "administrator", "com.x.y", …
    location: str                          # where it was read (file, registry key, database)
    user: str | None = None
    detail: tuple[tuple[str, str], ...] = ()   # more (label, value) pairs for the advocate


SETTING_KINDS = (
    "proxy",               # a proxy or automatic proxy configuration (value: server or PAC URL)
    "root-certificate",    # a root certificate added by a user or an administrator (name: subject)
    "hosts-entry",         # a hosts-file line that sends a name somewhere (name: host, value: address)
    "dns-server",          # a DNS server in use (value: address)
    "account",             # a user account (name: user; detail: admin, hidden, created)
    "privacy-grant",       # macOS privacy permission granted to an app (name: service, value: app)
    "profile",             # a configuration profile or device-management enrolment (macOS)
    "remote-login",        # a remote login or screen-sharing server that is on (name: what, value: on/listening)
    "authorized-key",      # an SSH key allowed to log in (name: key comment, value: fingerprint)
    "antivirus-detection", # the system's anti-virus found monitoring software (name: threat name)
    "antivirus-remote-control",  # the anti-virus found a backdoor or remote-control tool (name: threat name)
)


class PhoneApp(Struct, frozen=True):
    """An app on a phone, as the phone (or its backup) told it: what a phone check judges, kept
    so that a saved phone check can be matched again later (``checks/phone``)."""
    package: str                           # Android package name or iOS bundle id
    installer: str | None = None           # the app that installed it (Android); None: none named
    system: bool = False                   # came with the phone
    path: str | None = None                # its file on the phone (Android)
    version: str | None = None
    first_install: str | None = None       # as the phone printed it ("2024-03-05 18:04:11")
    last_update: str | None = None
    requested: tuple[str, ...] = ()        # permissions it asks for
    granted: tuple[str, ...] = ()          # permissions it was given
    launcher: bool | None = None           # has an icon; None: not known
    cert_sha1: str | None = None           # its signing certificate (Android)
    uid: int | None = None
    seen_in: str | None = None             # where a backup names it (iOS: Info.plist, Manifest.db)
    from_store: bool | None = None         # iOS: listed as an App Store app; None: not known


class PhoneGrant(Struct, frozen=True):
    """A power a phone gives an app: accessibility, device administrator, device or profile
    owner, notification access, usage access, default text-message or phone app."""
    power: str                             # one of PHONE_POWERS
    package: str
    components: tuple[str, ...] = ()       # the app's parts that hold it ("pkg/.Service")


PHONE_POWERS = ("accessibility", "device-admin", "device-owner", "profile-owner", "notifications",
                "usage-access", "sms-app", "dialer-app")


class PhoneSetting(Struct, frozen=True):
    """One value a phone check read: a system property (``getprop``), a global or secure
    setting, where a ``su`` program is, what a backup says about the phone or its management.
    Only the values the phone check reads are kept (checks/phone/android.py: KEPT)."""
    namespace: str                         # "getprop", "global", "secure", "su", "backup", "cloud-config"
    name: str
    value: str


class PhoneProfile(Struct, frozen=True):
    """A configuration profile an iPhone backup lists, with the date iOS recorded for it."""
    identifier: str
    name: str
    organisation: str = ""
    description: str = ""
    installed: str | None = None
    path: str = ""


class SignatureChange(Struct, frozen=True):
    """The built-in signature set differs from its manifest: a file changed, added or missing
    (made by the engine from ``signatures.manifest.changes``, not read by a source)."""
    folder: str                            # the signature set's folder
    change: str                            # how it differs ("curated.yaml has been changed")


# Record kind (the key used in snapshots and by checks) → record class, as signatures/kinds.py
# declares them.
RECORD_TYPES: dict[str, type] = {k.name: globals()[k.record] for k in kinds.RECORD_KINDS}


def to_dict(record: Any) -> dict[str, Any]:
    """A record as JSON-ready data (tuples become lists)."""
    return {name: (list(v) if isinstance(v := getattr(record, name), tuple) else v)
            for name in record.__struct_fields__}


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _fits(value: Any, hint: Any) -> bool:
    """Whether a JSON value fits a record field's type (int, str, float, bool, None, tuples)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, h) for h in typing.get_args(hint))
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return isinstance(value, (list, tuple)) and all(_fits(v, item) for v in value)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def from_dict(kind: str, data: dict[str, Any]) -> Any:
    """Rebuild a record of ``kind`` from :func:`to_dict` output.

    Unknown or missing fields and values of the wrong type are a ValueError (a WordsError, said
    in the person's language by whoever shows it): a snapshot may come from anywhere, and checks
    rely on the types.
    """
    cls = RECORD_TYPES[kind]
    if not isinstance(data, dict):
        raise WordsError(Words.of(N_("a {kind} record is not an object"), kind=kind))
    hints = _hints(cls)
    unknown = set(data) - set(hints)
    if unknown:
        raise WordsError(Words.of(N_("unknown field(s) for {kind}: {fields}"), kind=kind,
                                  fields=", ".join(sorted(map(str, unknown)))))
    values = {}
    for key, value in data.items():
        if not _fits(value, hints[key]):
            raise WordsError(Words.of(N_("{kind} field '{key}' has a value of the wrong type"), kind=kind, key=key))
        values[key] = tuple(value) if isinstance(value, list) else value
    try:
        return cls(**values)
    except TypeError as exc:
        raise WordsError(Words.of(N_("a {kind} record is incomplete ({why})"), kind=kind, why=exc)) from None
