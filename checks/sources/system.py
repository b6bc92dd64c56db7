"""Sources that read the running system through psutil and netifaces, on every platform."""
from __future__ import annotations

import os
import socket
import sys
from typing import Any

from ..i18n import NN_, N_
from ..snapshot import Words
from ..records import Connection, Gateway, Interface, Listener, Process
from .base import Machine, Notes, Source, running_as_administrator
from .fs import proc_text as _proc_text    # /proc only: non-blocking, bounded

_HASHED_LIMIT = 64 * 1024 * 1024


def hidepid_option(mountinfo: str | None) -> str | None:
    """The ``hidepid=`` option /proc is mounted with (from /proc/self/mountinfo), if it hides
    other accounts' programs: "1"/"2"/"invisible"/"noaccess"/"ptraceable"."""
    found = None
    for line in (mountinfo or "").splitlines():        # in mount order: the last /proc is the one seen
        fields = line.split(" - ", 1)
        left = fields[0].split()
        if len(left) < 5 or left[4] != "/proc" or len(fields) < 2:
            continue
        right = fields[1].split()
        options = (right[2] if len(right) > 2 else "").split(",") + (left[5] if len(left) > 5 else "").split(",")
        found = None
        for opt in options:
            if opt.startswith("hidepid=") and opt.split("=", 1)[1] not in ("0", "off"):
                found = opt.split("=", 1)[1]
    return found


def _linux_exe_state(pid: int) -> tuple[str | None, bool | None]:
    """(comm, whether the program's file is gone) for a live Linux process.

    psutil drops the kernel's " (deleted)" mark; the link itself keeps it. A file deleted and
    replaced by an update (the usual case after a package upgrade) is not "gone"; a deleted one
    with nothing in its place, or a program run from memory (``/memfd:``), is."""
    comm = _proc_text(f"/proc/{pid}/comm", 64)
    comm = comm[:-1] if comm and comm.endswith("\n") else comm
    try:
        link = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return comm, None
    if not link.endswith(" (deleted)"):
        return comm, False
    path = link[: -len(" (deleted)")]
    return comm, path.startswith("/memfd:") or not os.path.lexists(path)


class ProcessesSource(Source):
    id = "processes"
    kind = "processes"
    what = "programs that are running now"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import psutil
        fields = ["pid", "name", "exe", "cmdline", "username", "ppid", "create_time"]
        procs = list(psutil.process_iter(fields, ad_value=None))
        names = {p.info["pid"]: p.info["name"] for p in procs}
        linux = sys.platform.startswith("linux")
        denied = 0
        hashes: dict[str, str | None] = {}
        for p in procs:
            info = p.info
            exe = info.get("exe")
            readable = exe is not None
            if exe is None and linux and info.get("cmdline") == [] and (info["pid"] == 2 or info.get("ppid") == 2):
                readable = None                   # a kernel thread: it has no file to read
            elif exe is None:
                # Not told which file it runs: another account's program (permission), or one
                # that ended while the list was read (nothing to check any more).
                if _still_running(p, psutil):
                    denied += 1
                else:
                    readable = None
            exe = exe or None                     # "" is a kernel thread: no file at all
            comm, gone = _linux_exe_state(info["pid"]) if linux and exe else (None, None)
            digest = None
            if exe and not gone:
                if exe not in hashes:
                    hashes[exe] = machine.fs.sha256(exe, _HASHED_LIMIT)
                digest = hashes[exe]
            yield Process(pid=info["pid"], name=info.get("name") or "", exe=exe,
                          cmdline=tuple(info.get("cmdline") or ()), user=info.get("username"),
                          ppid=info.get("ppid"), parent_name=names.get(info.get("ppid")),
                          started=info.get("create_time"), sha256=digest,
                          comm=comm, exe_deleted=gone, exe_readable=readable)
        if denied:
            if running_as_administrator():
                notes.could_not_read("permission", Words.counting(*NN_("{count} program would not say which file it runs, so it was judged only by the name it "
                                         "gives itself",
                                         "{count} programs would not say which file they run, so they were judged only by the "
                                         "names they give themselves"), denied),
                                     N_("which files some running programs run"))
            else:
                notes.could_not_read("permission", Words.counting(*NN_("{count} program belongs to another account; which file it runs could not be read, so it "
                                         "was judged only by the name it gives itself",
                                         "{count} programs belong to other accounts; which file each runs could not be read, so "
                                         "they were judged only by the names they give themselves"), denied), N_("which files the programs of other accounts run"))
        hidden = hidepid_option(_proc_text("/proc/self/mountinfo", 1 << 20)) if linux else None
        if hidden and not running_as_administrator():
            notes.could_not_read("permission", Words.of(N_("the system hides other accounts' programs from this account (/proc is mounted with "
                                    "hidepid={hidepid}), so only this account's programs could be seen"), hidepid=hidden), N_("the programs of other accounts"))


def _still_running(proc, psutil) -> bool:
    """Whether a program the system would not describe is still there (and not a zombie)."""
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:           # ZombieProcess too: it has ended
        return False
    except (psutil.Error, OSError):
        return True


def _family(fam) -> str:
    return "ipv6" if fam == socket.AF_INET6 else "ipv4"


def socket_table(machine: Machine) -> tuple[list[tuple[Any, int | None]], int]:
    """The live system's sockets (TCP and UDP, IPv4 and IPv6), each with its program's id, and
    how many programs would not show theirs. Read once a scan, for the connections and the
    listeners both: psutil finds each socket's program by looking through every program's open
    files, which costs more than the rest of the read. macOS without an administrator refuses
    the whole table when one program is denied; then each program is asked for its own."""
    table = machine.read_once.get("sockets")
    if table is not None:
        return table
    import psutil
    try:
        table = ([(c, c.pid) for c in psutil.net_connections(kind="inet")], 0)
    except psutil.AccessDenied:
        pairs, missed = [], 0
        for proc in psutil.process_iter(["pid"]):
            try:
                getter = getattr(proc, "net_connections", None) or proc.connections
                pairs += [(c, proc.pid) for c in getter(kind="inet")]
            except (psutil.AccessDenied, psutil.ZombieProcess):
                missed += 1
            except psutil.NoSuchProcess:
                continue
        table = (pairs, missed)
    machine.read_once["sockets"] = table
    return table


class ConnectionsSource(Source):
    id = "connections"
    kind = "connections"
    what = "network connections"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import psutil
        pairs, missed = socket_table(machine)
        if missed:
            notes.could_not_read("permission", Words.counting(*NN_("connections of {count} program could not be read",
                                 "connections of {count} programs could not be read"), missed),
                                 N_("network connections of programs run by other accounts"))
        names: dict[int, str | None] = {}
        for c, pid in pairs:
            if pid and pid not in names:
                try:
                    names[pid] = psutil.Process(pid).name()
                except (psutil.Error, OSError):
                    names[pid] = None
            yield Connection(kind="tcp" if c.type == socket.SOCK_STREAM else "udp", family=_family(c.family),
                             local_address=c.laddr.ip if c.laddr else "", local_port=c.laddr.port if c.laddr else 0,
                             remote_address=c.raddr.ip if c.raddr else None,
                             remote_port=c.raddr.port if c.raddr else None,
                             status=c.status if c.status != psutil.CONN_NONE else None,
                             pid=pid, process_name=names.get(pid) if pid else None)


def _loopback(address: str) -> bool:
    import ipaddress
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class ListenersSource(Source):
    """Programs waiting for other computers to connect (TCP, listening on an address other than
    loopback: a wildcard such as 0.0.0.0 or ::, or one of this computer's own addresses)."""
    id = "listeners"
    kind = "listeners"
    what = "programs that other computers can connect to"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import psutil
        pairs, missed = socket_table(machine)
        if missed:
            notes.could_not_read("permission", Words.counting(*NN_("which ports {count} program listens on could not be read",
                                 "which ports {count} programs listen on could not be read"), missed),
                                 N_("programs of other accounts that other computers can connect to"))
        seen: set[tuple] = set()
        owners: dict[int, tuple] = {}
        unnamed = 0
        for c, pid in pairs:
            if c.type != socket.SOCK_STREAM or c.status != psutil.CONN_LISTEN or not c.laddr or _loopback(c.laddr.ip):
                continue
            key = (c.laddr.ip, c.laddr.port, pid)
            if key in seen:
                continue
            seen.add(key)
            if pid and pid not in owners:
                owners[pid] = _owner(pid, psutil)
            name, exe, cmdline, user = owners.get(pid, (None, None, (), None)) if pid else (None, None, (), None)
            if not pid:
                unnamed += 1
            yield Listener(address=c.laddr.ip, port=c.laddr.port, family=_family(c.family), pid=pid or None,
                           process_name=name, exe=exe, cmdline=cmdline, user=user)
        if unnamed:
            notes.could_not_read("permission", Words.counting(*NN_("{count} listening port belongs to a program this account may not name",
                                     "{count} listening ports belong to programs this account may not name"), unnamed), N_("which programs of other accounts other computers can connect to"))


def _owner(pid: int, psutil) -> tuple:
    try:
        proc = psutil.Process(pid)
        info = proc.as_dict(["name", "exe", "cmdline", "username"], ad_value=None)
    except (psutil.Error, OSError):
        return (None, None, (), None)
    return (info.get("name"), info.get("exe") or None, tuple(info.get("cmdline") or ()), info.get("username"))


class InterfacesSource(Source):
    id = "interfaces"
    kind = "interfaces"
    what = "network interfaces"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import netifaces
        for name in netifaces.interfaces():
            addrs = netifaces.ifaddresses(name)
            ips = [a["addr"] for fam in (netifaces.AF_INET, netifaces.AF_INET6) for a in addrs.get(fam, []) if a.get("addr")]
            macs = [a["addr"] for a in addrs.get(netifaces.AF_LINK, []) if a.get("addr")]
            yield Interface(name=name, addresses=tuple(ips), mac=macs[0] if macs else None)


class GatewaysSource(Source):
    id = "gateways"
    kind = "gateways"
    what = "the routes this computer uses to reach the internet"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import netifaces
        gws = netifaces.gateways()
        defaults = gws.get("default", {})
        for fam, label in ((netifaces.AF_INET, "ipv4"), (netifaces.AF_INET6, "ipv6")):
            default = defaults.get(fam)
            for entry in gws.get(fam, []):
                address, iface = entry[0], entry[1]
                is_default = bool(default) and default[0] == address and default[1] == iface
                yield Gateway(address=address, interface=iface, family=label, is_default=is_default)


SOURCES = [ProcessesSource(), ConnectionsSource(), ListenersSource(), InterfacesSource(), GatewaysSource()]
