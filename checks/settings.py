"""Settings worth checking: proxies, added root certificates, hosts entries, DNS servers,
accounts, privacy grants, profiles, remote login, SSH keys, and the anti-virus's own verdicts.

Sources report what is set; this check decides what is worth a person's attention and says
it in words from texts/en.yaml (section ``settings``). Addresses and names in settings are also
matched against signatures (a proxy run by a monitoring service is that service's finding).
"""
from __future__ import annotations

import datetime as _dt
import ipaddress
from typing import Iterable

from .i18n import _, and_list
from . import texts
from .base import Check, Context, Probe, ask, hosts_in, signature_findings
from .findings import Evidence, Finding, Match
from .records import Setting

# Public DNS resolvers people choose on purpose (each operator's own documentation):
# Google https://developers.google.com/speed/public-dns/docs/using, Cloudflare
# https://developers.cloudflare.com/1.1.1.1/ip-addresses/, Quad9 https://www.quad9.net/service/service-addresses-and-features,
# OpenDNS https://www.opendns.com/setupguide/.
WELL_KNOWN_RESOLVERS = {
    "8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844",
    "1.1.1.1", "1.0.0.1", "2606:4700:4700::1111", "2606:4700:4700::1001",
    "9.9.9.9", "149.112.112.112", "2620:fe::fe", "2620:fe::9",
    "208.67.222.222", "208.67.220.220",
}
DEFAULT_HOSTS = {"localhost", "localhost.localdomain", "localhost4", "localhost6", "localhost4.localdomain4",
                 "localhost6.localdomain6", "broadcasthost", "ip6-localhost", "ip6-loopback", "ip6-localnet",
                 "ip6-mcastprefix", "ip6-allnodes", "ip6-allrouters", "ip6-allhosts"}
RECENT_DAYS = 30
# One finding for all records of these kinds; the others get one finding each.
GROUPED = ("hosts-entry", "dns-server", "authorized-key", "account")


# What each macOS privacy permission lets an app do, by the name the source gives it (Apple's
# names in System Settings → Privacy & Security): (short word, what it allows).
GRANT_WORDS = {
    "camera": ("camera", "see through the camera"),
    "microphone": ("microphone", "hear through the microphone"),
    "screen recording": ("screen", "see everything on your screen"),
    "input monitoring": ("keyboard", "see what you type"),
    "accessibility": ("keyboard and mouse", "control the computer as if it were you"),
    "full disk access": ("files", "read all your files"),
}


def _grant_words(name: str) -> tuple[str, str]:
    base = name.split("(", 1)[0].strip().casefold()
    return GRANT_WORDS.get(base, (name, f"use “{name}”"))


def _detail(s: Setting) -> dict[str, str]:
    return dict(s.detail)


# Home and office networks (RFC 1918, RFC 4193): a router there is the usual DNS server.
_LOCAL_NETS = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7")]


def _local_address(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    return ip.is_loopback or ip.is_link_local or any(ip in n for n in _LOCAL_NETS if n.version == ip.version)


def _nowhere(value: str) -> bool:
    try:
        ip = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def notable(s: Setting, all_settings: list[Setting], scanned: _dt.datetime | None) -> bool:
    d = _detail(s)
    k = s.kind
    if k == "proxy":
        return s.value.strip().lower() not in ("", "off", "none", "direct", "0", "false")
    if k == "hosts-entry":
        # Names sent to this computer itself (127.x, ::1, 0.0.0.0) are blocked, not redirected:
        # the machine's own name and ad-blocking lists look like that.
        return s.name.lower() not in DEFAULT_HOSTS and not _nowhere(s.value)
    if k == "dns-server":
        return not _local_address(s.value) and s.value not in WELL_KNOWN_RESOLVERS
    if k == "account":
        if d.get("hidden") == "yes":
            return True
        created = d.get("created")
        if created and scanned:
            try:
                when = _dt.datetime.fromisoformat(created)
                if when.tzinfo is None:
                    when = when.replace(tzinfo=scanned.tzinfo)
                if (scanned - when).days <= RECENT_DAYS:
                    return True
            except ValueError:
                pass
        admins = [a for a in all_settings if a.kind == "account" and _detail(a).get("admin") == "yes"]
        return d.get("admin") == "yes" and len(admins) > 1
    if k == "privacy-grant":
        return d.get("allowed", "yes") == "yes" and not s.value.startswith("com.apple.")
    if k == "remote-login":
        return s.value.strip().lower() in ("on", "enabled", "listening", "yes")
    return k in ("root-certificate", "profile", "authorized-key", "antivirus-detection", "antivirus-remote-control")


def _words(kind: str, **values) -> dict[str, str]:
    return {part: texts.text("settings", kind, part, **values) for part in ("title", "what", "why", "do", "careful")}


def _listing(settings: Iterable[Setting]) -> str:
    items = [f"{s.name} → {s.value}" if s.value and s.kind != "account" else s.name for s in settings]
    shown = "; ".join(items[:6])
    if len(items) > 6:
        return _("{list}; and {count} more").format(list=shown, count=len(items) - 6)
    return shown


class SettingsCheck(Check):
    id = "settings"
    what = "settings that change who can see or reach this computer"

    def run(self, ctx: Context) -> list[Finding]:
        all_settings: list[Setting] = list(ctx.snapshot.of("settings"))
        try:
            scanned = _dt.datetime.fromisoformat(ctx.snapshot.started_at) if ctx.snapshot.started_at else None
        except ValueError:
            scanned = None
        out: list[Finding] = []
        groups: dict[str, list[Setting]] = {}
        grants: dict[tuple, list[Setting]] = {}
        for s in all_settings:
            hits = ask(ctx, [Probe("domains", "value", h) for h in hosts_in(s.value)]
                       + [Probe("ips", "value", s.value.split(":")[0] if s.value.count(":") == 1 else s.value)])
            if hits:
                out += signature_findings(self.id, "settings", s, hits)
                continue
            if not notable(s, all_settings, scanned):
                continue
            if s.kind == "privacy-grant":
                grants.setdefault((s.value, s.user), []).append(s)
            elif s.kind in GROUPED:
                groups.setdefault(s.kind, []).append(s)
            else:
                out.append(self._finding(s.kind, [s]))
        for kind, items in groups.items():
            out.append(self._finding(kind, items))
        for items in grants.values():
            out.append(self._grant_finding(items))
        return out

    def _grant_finding(self, items: list[Setting]) -> Finding:
        """One finding per app, worded for what its permissions allow (camera, microphone,
        screen, keyboard, files), so two grants of one app never make two findings alike."""
        shorts, cans = [], []
        for s in items:
            short, can = _grant_words(s.name)
            if short not in shorts:
                shorts.append(short)
                cans.append(can)
        words = _words("privacy-grant", name=", ".join(dict.fromkeys(s.name for s in items)), value=items[0].value,
                       what=and_list(shorts), can=and_list(cans), count=len(items), list=_listing(items), user=items[0].user or "")
        evidence = [Evidence(self.id, "settings", s, [Match("setting", "privacy-grant", s.value or s.name, "value")])
                    for s in items]
        return Finding(check=self.id, tier="settings", heuristic="privacy-grant", evidence=evidence, **words)

    def _finding(self, kind: str, items: list[Setting]) -> Finding:
        first = items[0]
        tier = {"antivirus-detection": "monitoring", "antivirus-remote-control": "remote-access"}.get(kind, "settings")
        words = _words(kind, name=first.name, value=first.value, count=len(items), list=_listing(items),
                       user=first.user or "")
        evidence = [Evidence(self.id, "settings", s, [Match("setting", kind, s.value or s.name, "value")])
                    for s in items]
        return Finding(check=self.id, tier=tier, heuristic=kind, evidence=evidence, **words)
