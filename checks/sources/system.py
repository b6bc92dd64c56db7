"""Sources that read the running system through psutil and netifaces, on every platform."""
from __future__ import annotations

import socket

from ..records import Connection, Gateway, Interface, Process
from .base import Machine, Notes, Source

_HASHED_LIMIT = 64 * 1024 * 1024


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
        denied = 0
        hashes: dict[str, str | None] = {}
        for p in procs:
            info = p.info
            exe = info.get("exe") or None
            if exe is None and info.get("cmdline") is None:
                denied += 1
            digest = None
            if exe:
                if exe not in hashes:
                    hashes[exe] = machine.fs.sha256(exe, _HASHED_LIMIT)
                digest = hashes[exe]
            yield Process(pid=info["pid"], name=info.get("name") or "", exe=exe,
                          cmdline=tuple(info.get("cmdline") or ()), user=info.get("username"),
                          ppid=info.get("ppid"), parent_name=names.get(info.get("ppid")),
                          started=info.get("create_time"), sha256=digest)
        if denied:
            notes.could_not_read("permission", f"{denied} programs belong to other accounts; "
                                 "their file and command line could not be read",
                                 "some details of programs run by other accounts")


def _family(fam) -> str:
    return "ipv6" if fam == socket.AF_INET6 else "ipv4"


class ConnectionsSource(Source):
    id = "connections"
    kind = "connections"
    what = "network connections"
    live_only = True

    def collect(self, machine: Machine, notes: Notes):
        import psutil
        try:
            pairs = [(c, c.pid) for c in psutil.net_connections(kind="inet")]
        except psutil.AccessDenied:
            # macOS without root: one denied process aborts the whole call, so ask each
            # process for its own connections and say how many could not be asked.
            pairs, missed = [], 0
            for proc in psutil.process_iter(["pid"]):
                try:
                    getter = getattr(proc, "net_connections", None) or proc.connections
                    pairs += [(c, proc.pid) for c in getter(kind="inet")]
                except (psutil.AccessDenied, psutil.ZombieProcess):
                    missed += 1
                except psutil.NoSuchProcess:
                    continue
            if missed:
                notes.could_not_read("permission", f"connections of {missed} programs could not be read",
                                     "network connections of programs run by other accounts")
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


SOURCES = [ProcessesSource(), ConnectionsSource(), InterfacesSource(), GatewaysSource()]
