"""The signature set compiled into look-up tables.

Matching one value costs the same whether the set holds 50 or 50,000 indicators:

* names: a dict of exact names; globs are filed under their literal start (or, failing that,
  their literal end), so a name only meets the globs that share its first or last letters;
* paths: globs are filed under one literal folder or file name they contain, so a path only
  meets the globs that share one of its components;
* domains: a set, looked up for the name and each dot-bounded parent (``a.b.example.com`` →
  ``b.example.com`` → ``example.com``) — never a bare ``endswith``;
* IPs: one set per prefix length, looked up after masking (at most 33 or 129 look-ups);
* SHA-256: a dict.

Only regexes and globs with no literal start or end (``*spy*``) are tried one by one; the
validator keeps them rare and ``bench/`` measures it.
"""
from __future__ import annotations

import ipaddress
import functools
import re

from msgspec import Struct

from . import kinds
from .loader import Family, Indicator, SignatureSet, glob_class, normalise_domain

_WILD = re.compile(r"[*?\[]")

# How per-user and system variables read in a normalised (lower case, '/') Windows path.
_WIN_VARS = {
    "%programfiles%": ["C:/Program Files"],
    "%programfiles(x86)%": ["C:/Program Files (x86)"],
    "%programw6432%": ["C:/Program Files"],
    "%commonprogramfiles%": ["C:/Program Files/Common Files"],
    "%programdata%": ["C:/ProgramData"],
    "%allusersprofile%": ["C:/ProgramData"],
    "%systemroot%": ["C:/Windows"],
    "%windir%": ["C:/Windows"],
    "%systemdrive%": ["C:"],
    "%public%": ["C:/Users/Public"],
    "%userprofile%": ["C:/Users/*"],
    "%homepath%": ["C:/Users/*"],
    "%appdata%": ["C:/Users/*/AppData/Roaming"],
    "%localappdata%": ["C:/Users/*/AppData/Local"],
    "%temp%": ["C:/Users/*/AppData/Local/Temp", "C:/Windows/Temp"],
    "%tmp%": ["C:/Users/*/AppData/Local/Temp", "C:/Windows/Temp"],
}
_VAR = re.compile(r"^%[a-z0-9_()]+%")


class Hit(Struct, frozen=True):
    """An indicator that matched, and the family it counts for."""
    indicator: Indicator
    family: Family            # the family that wrote the indicator
    reported_as: Family       # the family the finding names (after same_as)


def norm_name(value: str) -> str:
    return value.strip().casefold()


def norm_path(path: str) -> str:
    """Lower case, forward slashes, drive letter lower case, no trailing slash."""
    return _slashes(path).casefold()


def _slashes(path: str) -> str:
    p = re.sub(r"/{2,}", "/", path.strip().replace("\\", "/"))
    return p.rstrip("/") or "/"


def expand_path(value: str, platform: str) -> list[str]:
    """A path indicator as globs for one platform, in its own case (empty if not for it).

    Per-user places become one glob with ``*`` for the user: ``%AppData%\\X`` →
    ``C:/Users/*/AppData/Roaming/X``; ``~/.config/x`` → ``/home/*/.config/x`` and ``/root/.config/x``.
    """
    p = _slashes(value)
    if platform == "windows":
        m = _VAR.match(p.casefold())
        if m:
            bases = _WIN_VARS.get(m.group(0))
            if bases is None:
                return []
            return [b + p[m.end():] for b in bases]
        return [p[0].upper() + p[1:]] if re.match(r"^[a-z]:/", p, re.I) else []
    if p.startswith("~/"):
        homes = ["/Users/*"] if platform == "macos" else ["/home/*", "/root"]
        return [h + p[1:] for h in homes]
    return [p] if p.startswith("/") else []


def machine_path(glob: str, platform: str) -> str:
    """A glob in the machine's own form, for the file system to look at."""
    return glob.replace("/", "\\") if platform == "windows" else glob


def _glob_regex(glob: str, tree: bool) -> re.Pattern:
    """A regex for a glob whose ``*`` stays in one component; ``tree`` also matches below it."""
    out = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = glob.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                out.append(glob_class(glob[i + 1:j]))
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + ("(?:/.*)?" if tree else "") + r"\Z", re.DOTALL)


@functools.lru_cache(maxsize=None)
def _compiled(glob: str, tree: bool) -> re.Pattern:
    """Globs are compiled when a record first reaches them, once each: compiling all of them up
    front was most of the time a scan took (4,000 path globs in the shipped set)."""
    return _glob_regex(glob, tree)


def _path_matches(glob: str, path: str) -> bool:
    if not _WILD.search(glob):
        return path == glob or path.startswith(glob + "/")
    return _compiled(glob, True).match(path) is not None


class NameIndex:
    """Exact names, globs by literal start or end, and the rest (regexes, ``*x*``)."""

    def __init__(self) -> None:
        self.exact: dict[str, list] = {}
        self.by_prefix: dict[str, list] = {}
        self.by_suffix: dict[str, list] = {}
        self.rest: list = []
        self.prefix_lengths: set[int] = set()
        self._lengths: list[int] = []
        # The lengths of the literal starts, by their first letter: a name only tries the lengths
        # of the starts that share its first letter (a few instead of every length, issue 15).
        self._heads: dict[str, list[int]] = {}
        self.suffix_lengths: set[int] = set()

    def add(self, pattern: str, payload, regex: bool = False) -> None:
        if regex:
            self.rest.append((re.compile(pattern, re.IGNORECASE), payload))
            return
        value = norm_name(pattern)
        m = _WILD.search(value)
        if not m:
            self.exact.setdefault(value, []).append(payload)
            return
        prefix = value[:m.start()]
        suffix = value[max(i for i, c in enumerate(value) if c in "*?]") + 1:]
        if prefix:
            self.by_prefix.setdefault(prefix, []).append((value, payload))
            self.prefix_lengths.add(len(prefix))
            self._lengths = sorted(self.prefix_lengths)
            self._heads[prefix[0]] = sorted(set(self._heads.get(prefix[0], ())) | {len(prefix)})
        elif suffix:
            self.by_suffix.setdefault(suffix, []).append((value, payload))
            self.suffix_lengths.add(len(suffix))
        else:
            self.rest.append((_compiled(value, False), payload))

    def match(self, value: str) -> list:
        v = norm_name(value)
        out = list(self.exact.get(v, ()))
        by_prefix = self.by_prefix
        if by_prefix:
            for n in self._heads.get(v[:1], ()):    # a literal start longer than the name can't match
                if n > len(v):
                    break
                for glob, payload in by_prefix.get(v[:n], ()):
                    if _compiled(glob, False).match(v):
                        out.append(payload)
        for n in self.suffix_lengths:
            if n <= len(v):
                for glob, payload in self.by_suffix.get(v[len(v) - n:], ()):
                    if _compiled(glob, False).match(v):
                        out.append(payload)
        for rx, payload in self.rest:
            if rx.fullmatch(value.strip()) or rx.fullmatch(v):
                out.append(payload)
        return out


class PathIndex:
    """Path globs filed under one literal component each; a glob also matches what is below it."""

    def __init__(self) -> None:
        self.by_component: dict[str, list] = {}
        self.rest: list = []

    def add(self, glob: str, payload) -> None:
        parts = [p for p in glob.split("/") if p]
        literal = [p for p in parts if not _WILD.search(p)]
        # The last literal component is usually the most telling ("anydesk", "sysdiag.exe").
        if literal and not re.match(r"^[a-z]:$", literal[-1]):
            self.by_component.setdefault(literal[-1], []).append((glob, payload))
        else:
            self.rest.append((glob, payload))

    def match(self, path: str) -> list:
        p = norm_path(path)
        out = []
        seen: set = set()
        for comp in set(p.split("/")):
            for glob, payload in self.by_component.get(comp, ()):
                if payload not in seen and _path_matches(glob, p):
                    seen.add(payload)
                    out.append(payload)
        for glob, payload in self.rest:
            if _path_matches(glob, p):
                out.append(payload)
        return out


class DomainIndex:
    def __init__(self) -> None:
        self.domains: dict[str, list] = {}

    def add(self, domain: str, payload) -> None:
        d = normalise_domain(domain)
        if d:
            self.domains.setdefault(d, []).append(payload)

    def match(self, host: str) -> list:
        h = host.strip().lower().rstrip(".")
        out = []
        while h:
            out.extend(self.domains.get(h, ()))
            dot = h.find(".")
            if dot < 0:
                break
            h = h[dot + 1:]
        return out


class IPIndex:
    def __init__(self) -> None:
        self.nets: dict[tuple[int, int], dict[int, list]] = {}

    def add(self, value: str, payload) -> None:
        net = ipaddress.ip_network(value, strict=False)
        self.nets.setdefault((net.version, net.prefixlen), {}).setdefault(int(net.network_address), []).append(payload)

    def match(self, address: str) -> list:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return []
        if ip.version == 6 and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        bits = 32 if ip.version == 4 else 128
        value = int(ip)
        out = []
        for (version, prefix), table in self.nets.items():
            if version != ip.version:
                continue
            mask = ((1 << bits) - 1) ^ ((1 << (bits - prefix)) - 1)
            out.extend(table.get(value & mask, ()))
        return out


def reported_as(sigset: SignatureSet) -> dict[str, Family]:
    """Each family's id → the family its findings are reported as: itself, or the family that
    names it in ``same_as`` (followed to the end of a chain; a circle stops where it closes)."""
    families = {f.id: f for f in sigset.families}
    reported = {fid: fid for fid in families}
    for fam in sigset.families:
        for other in fam.same_as:
            if other in reported and reported[other] == other:
                reported[other] = fam.id

    def canon(fid: str) -> Family:
        seen = set()
        while reported[fid] != fid and fid not in seen:
            seen.add(fid)
            fid = reported[fid]
        return families[fid]
    return {fid: canon(fid) for fid in families}


def _hits(sigset: SignatureSet) -> tuple[dict[str, Family], list[Hit]]:
    """The families by id, and one Hit for each indicator, in the set's order (the shipped
    index names hits by their number in this list)."""
    families = {f.id: f for f in sigset.families}
    target_of = reported_as(sigset)
    hits = [Hit(ind, fam, target_of[fam.id]) for fam in sigset.families for ind in fam.indicators]
    return families, hits


class CompiledSet:
    """Look-up tables for one signature set, built once per scan. The tables hold each hit by
    its number in ``hit_list`` (as the shipped tables do, so those are used as they are read);
    the questions below answer with the hits themselves."""

    def __init__(self, sigset: SignatureSet):
        self.sigset = sigset
        self.names: dict[str, NameIndex] = {k: NameIndex() for k in kinds.indicator_kinds("name")}
        self.paths: dict[tuple[str, str], PathIndex] = {}
        self.registry_keys = PathIndex()
        self.registry_values = PathIndex()
        self.domains = DomainIndex()
        self.ips = IPIndex()
        self.sha256: dict[str, list] = {}
        self.probe_paths: dict[str, set[str]] = {"windows": set(), "macos": set(), "linux": set()}
        self.probe_keys: set[str] = set()
        self.probe_values: set[tuple[str, str]] = set()
        self.family_by_id, self.hit_list = _hits(sigset)
        for n, hit in enumerate(self.hit_list):
            self._add(n, hit.indicator)

    def _add(self, n: int, ind: Indicator) -> None:
        kind = ind.kind
        form = kinds.INDICATOR[kind].form
        if form == "name":
            self.names[kind].add(ind.value, n, regex=ind.regex)
        elif form == "path":
            for plat in ind.platforms:
                for glob in expand_path(ind.value, plat):
                    self.paths.setdefault((kind, plat), PathIndex()).add(norm_path(glob), n)
                    if kinds.INDICATOR[kind].probed:
                        self.probe_paths[plat].add(machine_path(glob, plat))
        elif form == "registry_key":
            self.registry_keys.add(norm_registry(ind.value), n)
            self.probe_keys.add(ind.value)
        elif form == "registry_value":
            self.registry_values.add(norm_registry(ind.key or ""), n)
            self.probe_values.add((ind.key or "", ind.value))
        elif form == "domain":
            self.domains.add(ind.value, n)
        elif form == "ip":
            self.ips.add(ind.value, n)
        elif form == "sha256":
            self.sha256.setdefault(ind.value.lower(), []).append(n)

    def _hits_of(self, numbers) -> list[Hit]:
        hits = self.hit_list
        return [hits[n] for n in numbers]
        # "reference" kinds (phone app ids) are not looked for on a laptop.

    # -- the shipped form ------------------------------------------------------------------
    def tables(self) -> dict:
        """The index as plain JSON values (each hit is its number in ``hit_list``): made by
        ``python -m signatures.manifest`` and shipped in the compact set (signatures/compact.py),
        so a scan of the built-in set doesn't build the index again in every process."""
        nums = list
        pairs = lambda entries: [[text, n] for text, n in entries]
        rx = lambda entries: [[p.pattern, p.flags, n] for p, n in entries]

        def names(ix: NameIndex) -> dict:
            return {"exact": {k: nums(v) for k, v in ix.exact.items()},
                    "prefix": {k: pairs(v) for k, v in ix.by_prefix.items()},
                    "suffix": {k: pairs(v) for k, v in ix.by_suffix.items()},
                    "rest": rx(ix.rest)}

        def paths(ix: PathIndex) -> dict:
            return {"component": {k: pairs(v) for k, v in ix.by_component.items()}, "rest": pairs(ix.rest)}
        return {"hits": len(self.hit_list), "families": len(self.family_by_id),
                "names": {k: names(v) for k, v in self.names.items()},
                "paths": [[kind, plat, paths(ix)] for (kind, plat), ix in self.paths.items()],
                "registry_keys": paths(self.registry_keys), "registry_values": paths(self.registry_values),
                "domains": {k: nums(v) for k, v in self.domains.domains.items()},
                "ips": [[version, prefix, [[net, nums(v)] for net, v in table.items()]]
                        for (version, prefix), table in self.ips.nets.items()],
                "sha256": {k: nums(v) for k, v in self.sha256.items()},
                "probe_paths": {k: sorted(v) for k, v in self.probe_paths.items()},
                "probe_keys": sorted(self.probe_keys),
                "probe_values": sorted([k, v] for k, v in self.probe_values)}

    @classmethod
    def from_tables(cls, sigset: SignatureSet, tables: dict) -> "CompiledSet":
        """The index ``tables()`` made, for the same set, taken as it was read: the shipped file
        is the manifest's, byte for byte (signatures/compact.py). Raises ValueError (or KeyError,
        TypeError, IndexError, re.error) if the tables don't fit the set; the caller then builds
        the index."""
        self = cls.__new__(cls)
        self.sigset = sigset
        self.family_by_id, hits = _hits(sigset)
        self.hit_list = hits
        if tables["hits"] != len(hits) or tables["families"] != len(self.family_by_id):
            raise ValueError("the shipped index was made for another set")

        def names(t: dict) -> NameIndex:
            ix = NameIndex()
            ix.exact = t["exact"]
            ix.by_prefix = t["prefix"]
            ix.by_suffix = t["suffix"]
            ix.rest = [(re.compile(p, flags), n) for p, flags, n in t["rest"]]
            ix.prefix_lengths = {len(k) for k in ix.by_prefix}
            ix._lengths = sorted(ix.prefix_lengths)
            heads: dict[str, set[int]] = {}
            for k in ix.by_prefix:
                heads.setdefault(k[0], set()).add(len(k))
            ix._heads = {h: sorted(ns) for h, ns in heads.items()}
            ix.suffix_lengths = {len(k) for k in ix.by_suffix}
            return ix

        def paths(t: dict) -> PathIndex:
            ix = PathIndex()
            ix.by_component = t["component"]
            ix.rest = t["rest"]
            return ix
        self.names = {k: NameIndex() for k in kinds.indicator_kinds("name")}
        for k, t in tables["names"].items():
            if k not in self.names:
                raise ValueError(f"unknown name kind {k!r}")
            self.names[k] = names(t)
        self.paths = {(str(kind), str(plat)): paths(t) for kind, plat, t in tables["paths"]}
        self.registry_keys = paths(tables["registry_keys"])
        self.registry_values = paths(tables["registry_values"])
        self.domains = DomainIndex()
        self.domains.domains = tables["domains"]
        self.ips = IPIndex()
        self.ips.nets = {(int(version), int(prefix)): {int(net): v for net, v in table}
                         for version, prefix, table in tables["ips"]}
        self.sha256 = tables["sha256"]
        self.probe_paths = {"windows": set(), "macos": set(), "linux": set()}
        self.probe_paths.update({k: set(v) for k, v in tables["probe_paths"].items()})
        self.probe_keys = set(tables["probe_keys"])
        self.probe_values = {(k, v) for k, v in tables["probe_values"]}
        return self

    # -- questions the checks ask --------------------------------------------------------
    def name(self, kind: str, value: str | None, platform: str | None = None) -> list[Hit]:
        """Name indicators matching ``value``; with ``platform``, only those that can be there."""
        if not value:
            return []
        hits = self._hits_of(self.names[kind].match(value))
        if platform:
            hits = [h for h in hits if not h.indicator.platforms or platform in h.indicator.platforms]
        return hits

    def path(self, kind: str, path: str | None, platform: str) -> list[Hit]:
        index = self.paths.get((kind, platform))
        return self._hits_of(index.match(path)) if (index and path) else []

    def domain(self, host: str | None) -> list[Hit]:
        return self._hits_of(self.domains.match(host)) if host else []

    def ip(self, address: str | None) -> list[Hit]:
        return self._hits_of(self.ips.match(address)) if address else []

    def hash(self, digest: str | None) -> list[Hit]:
        return self._hits_of(self.sha256.get(digest.lower(), ())) if digest else []

    def registry_key(self, key: str) -> list[Hit]:
        return self._hits_of(self.registry_keys.match(norm_registry(key)))

    def registry_value(self, key: str, name: str) -> list[Hit]:
        return [h for h in self._hits_of(self.registry_values.match(norm_registry(key)))
                if norm_name(h.indicator.value) == norm_name(name)]

    def ask(self, kind: str, value: str | None, platform: str) -> list[Hit]:
        """Indicators of ``kind`` that match ``value``, asked the way its form is matched."""
        if not value:
            return []
        form = kinds.INDICATOR[kind].form
        if form == "path":
            return self.path(kind, value, platform)
        if form == "domain":
            return self.domain(value)
        if form == "ip":
            return self.ip(value)
        if form == "sha256":
            return self.hash(value)
        if form == "registry_key":
            return self.registry_key(value)
        if form == "name":
            return self.name(kind, value, platform)
        return []           # registry values are asked with their key (registry_value); references never

    def probe_places(self, platform: str) -> tuple[list[str], list[str], list[tuple[str, str]]]:
        """Where the probing sources should look on a machine of ``platform``: (path globs in
        the machine's form, registry keys, (registry key, value name) pairs). The engine hands
        them to the sources as ``checks.sources.base.Locations``; signatures never import device_checkup.checks."""
        windows = platform == "windows"
        return (sorted(self.probe_paths.get(platform, ())), sorted(self.probe_keys) if windows else [],
                sorted(self.probe_values) if windows else [])


_HIVE_ALIASES = (("hkey_local_machine/", "hklm/"), ("hkey_current_user/", "hkcu/"),
                 ("hkey_users/", "hku/"), ("hkey_classes_root/", "hkcr/"))


def norm_registry(key: str) -> str:
    k = norm_path(key)
    for long, short in _HIVE_ALIASES:
        if k.startswith(long):
            k = short + k[len(long):]
    if k.startswith("hku/"):
        rest = k.split("/", 2)
        k = "hkcu/" + (rest[2] if len(rest) > 2 else "")
    if k.startswith("hkcr/"):
        k = "hklm/software/classes/" + k[5:]
    k = k.replace("/controlset001/", "/currentcontrolset/").replace("/controlset002/", "/currentcontrolset/")
    return k.rstrip("/")


def compile_set(sigset: SignatureSet) -> CompiledSet:
    """The set's index, made once per loaded set and kept with it in memory (nothing is written
    on the person's machine), so "Check again" and a report's second scan don't pay for it again.
    For the built-in set read from its compact form, the index made at build time and shipped
    in it is taken instead of building one (issue 15)."""
    key = (len(sigset.files), tuple(id(f) for f in sigset.files), sigset.sha256)
    cached = sigset.__dict__.get("_compiled")
    if cached is not None and cached[0] == key:
        return cached[1]
    index = None
    # The built-in set read from its compact form carries the index made with it at build time
    # (signatures/manifest.py); it is used only for that very set (no user files).
    shipped = sigset.__dict__.pop("_shipped_index", None)
    if shipped is not None and shipped[0] == tuple(id(f) for f in sigset.files):
        try:
            index = CompiledSet.from_tables(sigset, shipped[1])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError, re.error):
            index = None
    if index is None:
        index = CompiledSet(sigset)
    sigset.__dict__["_compiled"] = (key, index)
    return index

