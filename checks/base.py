"""What a check is, and the one way signature hits become findings."""
from __future__ import annotations

import re
from typing import ClassVar, Iterable

from msgspec import Struct

from device_checkup.signatures import kinds
from device_checkup.signatures.index import CompiledSet, Hit

from . import texts
from .i18n import _
from .findings import Evidence, Finding, Match
from .inert import shown
from .snapshot import Snapshot


class Context(Struct):
    """What every check is given: the snapshot and the index of the signature set."""
    snapshot: Snapshot
    index: CompiledSet

    @property
    def platform(self) -> str:
        return self.snapshot.platform


class Check:
    """Turns records of some kinds into findings. Subclasses set the class attributes."""

    id: ClassVar[str]
    what: ClassVar[str]               # plain words: "running programs"

    def run(self, ctx: Context) -> list[Finding]:
        raise NotImplementedError


class Probe(Struct, frozen=True):
    """One question asked of the index: (indicator kind, record field, value)."""
    kind: str
    field: str
    value: str


def ask(ctx: Context, probes: Iterable[Probe]) -> list[tuple[Hit, Probe]]:
    """Every indicator that matches one of the probes."""
    out: list[tuple[Hit, Probe]] = []
    index = ctx.index
    for probe in probes:
        if probe.value:
            out.extend((hit, probe) for hit in index.ask(probe.kind, probe.value, ctx.platform))
    return out


class DeclaredCheck(Check):
    """Asks every indicator kind of the records its declaration names (``asked_of`` in
    signatures/kinds.py): a new kind needs no check of its own."""
    id = "declared"
    what = "what the signature files name"

    def run(self, ctx: Context) -> list[Finding]:
        out: list[Finding] = []
        for record_kind in kinds.RECORD:
            fields = [(k.name, f) for k in kinds.INDICATOR_KINDS for rk, f in k.asked_of if rk == record_kind]
            if not fields:
                continue
            for record in ctx.snapshot.of(record_kind):
                probes = []
                for kind, name in fields:
                    value = getattr(record, name)
                    for v in (value if isinstance(value, tuple) else (value,)):
                        probes.append(Probe(kind, name, v or ""))
                hits = ask(ctx, probes)
                if hits:
                    out += signature_findings(self.id, record_kind, record, hits)
        return out


def place_words(record_kind: str, value: str) -> str:
    return texts.text(*kinds.RECORD[record_kind].place_words, value=value)


def signature_findings(check: str, record_kind: str, record, hits: list[tuple[Hit, Probe]]) -> list[Finding]:
    """One finding per family that matched this record."""
    by_family: dict[str, list[tuple[Hit, Probe]]] = {}
    for hit, probe in hits:
        by_family.setdefault(hit.reported_as.id, []).append((hit, probe))
    out = []
    for group in by_family.values():
        fam = group[0][0].reported_as
        matches, seen = [], set()
        for hit, probe in group:
            key = (hit.indicator.kind, hit.indicator.value, probe.field)
            if key in seen:
                continue
            seen.add(key)
            shown_indicator = hit.indicator.value if not hit.indicator.key else f"{hit.indicator.key} → {hit.indicator.value}"
            matches.append(Match(kind=hit.indicator.kind, indicator=shown_indicator, value=probe.value,
                                 field=probe.field, file=hit.family.file, user_file=hit.family.user_file,
                                 sources=hit.family.source_urls))
        out.append(family_finding(fam, [Evidence(check, record_kind, record, matches)], check))
    return out


# What a phone app's family can be known by on a laptop: links to its websites and servers.
_PHONE_PRODUCT_FORMS = {"reference", "domain", "ip"}


def phone_product(fam) -> bool:
    """A phone app's family: known by its apps' ids, and on a laptop only by its websites and
    servers (most of Echap). Found here, it is a link to the app, not the app itself."""
    forms = {kinds.INDICATOR[i.kind].form for i in fam.indicators}
    return "reference" in forms and forms <= _PHONE_PRODUCT_FORMS


def family_finding(fam, evidence: list[Evidence], check: str) -> Finding:
    """The finding for a family, its words filled from where it was found."""
    places = []
    for ev in evidence:
        value = shown_value(ev.record_kind, ev.record)
        words = place_words(ev.record_kind, value)
        if words not in places:
            places.append(words)
    if len(places) == 1:
        place = places[0]
    else:
        more = texts.text("places_many", "more" if len(places) > 4 else "all")
        place = more.format(count=len(places), list="; ".join(places[:4]))
    values = dict(name=fam.name, description=texts.description(fam), place=place)
    t = fam.tier
    said = ("phone_product_on_laptop", t) if phone_product(fam) and t in texts.load()["phone_product_on_laptop"] \
        else ("tiers", t)
    finding = Finding(check=check, tier=t, family=fam.id, family_name=fam.name,
                      title=texts.text(*said, "title", **values),
                      what=texts.text("tiers", t, "what", **values),
                      why=texts.text(*said, "why", **values),
                      do=texts.text(*said, "do", **values),
                      careful=texts.text("tiers", t, "careful", **values),
                      evidence=evidence)
    # Remote sessions the tool itself recorded: list them, and say when and how they came in.
    from .session_words import from_evidence
    sessions = from_evidence(evidence)
    if sessions is not None:
        finding.extra["sessions"] = sessions.items
        finding.why = f"{finding.why} {sessions.why}"
        finding.do = f"{finding.do} {sessions.do}"
    return finding


_SHOWN = {
    "processes": lambda r: _process_shown(r),
    "listeners": lambda r: _("{program}, port {port}").format(program=r.exe or r.process_name or _("a program"),
                                                                port=r.port),
    "connections": lambda r: f"{r.remote_address}:{r.remote_port}" if r.remote_address else
    _("port {port}").format(port=r.local_port),
    "autostart": lambda r: r.name if not r.executable else _("{name}, which starts {program}").format(
        name=r.name, program=r.executable),
    "services": lambda r: r.display_name or r.name,
    "registry": lambda r: f"{r.key} → {r.value_name}" if r.value_name else r.key,
    "extensions": lambda r: _("{name} in {browser}").format(name=r.name, browser=r.browser),
    "settings": lambda r: f"{r.name}: {r.value}" if r.value else r.name,
    "phone_grants": lambda r: f"{r.power}: {r.package}",
    "phone_settings": lambda r: f"{r.name}: {r.value}" if r.value else r.name,
}


def _process_shown(r) -> str:
    """A running program by its file; the name it gives itself is only a claim, shown as one
    beside the file when they differ, or alone when the file could not be read."""
    name = r.name or ""
    from .heuristics import interpreter_script
    script = interpreter_script(r.cmdline, r.exe)
    if script and (r.exe or r.cmdline):
        return _("{program} running {script}").format(program=r.exe or r.cmdline[0], script=script[0])
    if r.exe:
        base = r.exe.replace("\\", "/").rsplit("/", 1)[-1]
        return r.exe if not name or base.startswith(name) else _('{program} (calls itself "{name}")').format(program=r.exe, name=name)
    if getattr(r, "exe_readable", None) is False:
        return _('"{name}" (the name it gives itself; its file could not be read)').format(name=name)
    return name


def shown_value(record_kind: str, record) -> str:
    """The few words that name a record for a person: a name or a path, made inert (no control,
    bidi or invisible character: see checks/inert.py) and at most 1,000 characters long."""
    field = kinds.RECORD[record_kind].shown
    return shown((getattr(record, field) or "") if field else _SHOWN[record_kind](record), limit=1000)


_TOKENS = re.compile(r"[\s\"',;=()<>\[\]{}|`]+")
_HOSTNAME = re.compile(r"(?:[a-z0-9](?:[a-z0-9_-]{0,62}[a-z0-9])?\.)+[a-z]{2,63}")


def hosts_in(text: str | None) -> list[str]:
    """Host names written in a command or URL (for domain indicators); nothing is looked up.

    The text is cut into words; a word's host is what stands before its first '/', ':' or '?'
    (after a scheme and a user@, if any). Reading word by word keeps the cost linear in the
    text, where one pattern over the whole command backtracked on long paths."""
    if not text or "." not in text:
        return []
    found: list[str] = []
    for word in _TOKENS.split(text.lower()):
        if "." not in word:
            continue
        if "://" in word:
            word = word.split("://", 1)[1]
        host = word.split("/", 1)[0].split("?", 1)[0]
        if "@" in host:
            host = host.rsplit("@", 1)[1]
        host = host.split(":", 1)[0].rstrip(".")
        # File names like "sysdiag.exe" or "x.desktop" are not hosts.
        if (host and host not in found and _HOSTNAME.fullmatch(host)
                and host.rsplit(".", 1)[-1] not in _NOT_TLDS):
            found.append(host)
    return found


# File-name endings that are not top-level domains. Endings that are also real TLDs (.app, .pl,
# .sh, .py, .so, .run, .zip, .new) stay hosts: stalkerware servers use them (mSpy's mbill.app).
_NOT_TLDS = {"exe", "dll", "sys", "bat", "cmd", "ps1", "vbs", "js", "lnk", "msi", "txt", "log", "ini",
             "dat", "plist", "conf", "xml", "json", "yaml", "yml", "cfg", "tmp", "db", "jar", "rb", "scr",
             "cpl", "ocx", "drv", "mui", "png", "jpg", "ico", "html", "htm", "dylib", "kext", "bundle",
             "framework", "pid", "sock", "lock", "cache", "bak", "old", "d", "socket", "target", "path",
             "mount", "slice", "scope", "swap", "automount", "device", "appimage", "deb", "rpm", "gz",
             "xz", "tar", "bin", "local", "localhost", "desktop", "service", "timer"}
