"""Loading and validating signature files (schema v1, see docs/signatures.md).

Every problem is a :class:`Problem` with the file and line it is on. A file with problems
loses only the families that have them (or all of it, if the file itself is unreadable); a
broken user file never stops a scan with the built-in set.
"""
from __future__ import annotations

import errno
import functools
import hashlib
import ipaddress
import os
import re
import stat
import threading
from typing import Any, Iterable

from msgspec import Struct, field
from msgspec.structs import force_setattr

from . import kinds
from .words import N_, Words

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 32 * 1024 * 1024

TIERS = ("stalkerware", "monitoring", "watchware", "remote-access")
PLATFORMS = ("windows", "macos", "linux", "android", "ios")
DESKTOP = ("windows", "macos", "linux")

# Every kind is declared once, in kinds.py; these are its names by form, in declaration order.
PATH_KINDS = kinds.indicator_kinds("path")
# Kept so a family is known by the ids of its phone app; a laptop scan never looks for them.
REFERENCE_KINDS = kinds.indicator_kinds("reference")
INDICATOR_KINDS = tuple(k.name for k in kinds.INDICATOR_KINDS)

FILE_KEYS = {"schema", "name", "version", "license", "attribution", "families"}
FAMILY_KEYS = {"id", "name", "aliases", "tier", "platforms", "description", "same_as", "sources", "indicators"}
REQUIRED_FAMILY_KEYS = ("id", "name", "tier", "description", "sources", "indicators")

_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
_WIN_START = re.compile(r"^([A-Za-z]:[\\/]|%[A-Za-z0-9_()]+%)")
_REG_ROOT = re.compile(r"^(HKLM|HKCU|HKU|HKCR|HKEY_LOCAL_MACHINE|HKEY_CURRENT_USER|HKEY_USERS|HKEY_CLASSES_ROOT)\\", re.I)
_MAC_PREFIXES = ("/applications", "/library", "/system", "/users", "/private", "~/library", "~/applications")


class Problem(Struct, frozen=True):
    """Something wrong in a signature file, at a line, in words said later."""
    file: str
    line: int
    # What is wrong: a catalogue message and its values (signatures/words.py), said in the
    # person's language by whoever shows it (``checks.i18n.say(problem.words)``).
    words: Words

    def __post_init__(self) -> None:
        if isinstance(self.words, str):
            force_setattr(self, "words", Words(self.words))

    @property
    def message(self) -> str:
        """What is wrong, in English (the words as written)."""
        return self.words.said()

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Indicator(Struct, frozen=True, array_like=True):
    """One indicator of a family: a name, path, key, domain, address or fingerprint.
    (``array_like``: the compact set, signatures/compact.py, stores it as an array.)"""
    kind: str
    value: str                      # as written (regex source for a regex)
    regex: bool = False
    key: str | None = None          # registry_values: the key; value is the value name
    platforms: tuple[str, ...] = () # where it can match (paths: their form; names: .exe or as written; empty: any)
    line: int = 0


class Family(Struct, frozen=True, array_like=True):
    """One product (or group of products) and the indicators it is known by."""
    id: str
    name: str
    tier: str
    description: str
    aliases: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    same_as: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()        # (url, what it covers)
    indicators: tuple[Indicator, ...] = ()
    file: str = ""
    line: int = 0
    user_file: bool = False

    @property
    def source_urls(self) -> tuple[str, ...]:
        return tuple(url for url, _ in self.sources)


class SignatureFile(Struct):
    """One signature file, validated: its header and its families."""
    path: str
    name: str = ""
    version: str = ""
    license: str = ""
    attribution: str = ""
    sha256: str = ""
    user_file: bool = False
    families: list[Family] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.name or os.path.basename(self.path)


class SignatureSet(Struct, dict=True):
    """Every signature file loaded for a scan, with their problems and fingerprint. (Its
    ``__dict__`` holds the index made for it: signatures/index.py compile_set.)"""
    files: list[SignatureFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)   # built-in files that differ from the manifest
    notes: list[str] = field(default_factory=list)     # plain lines about user files (what a STIX 2 file lost)

    @property
    def families(self) -> list[Family]:
        return [f for sf in self.files for f in sf.families]

    def family(self, family_id: str) -> Family | None:
        for f in self.families:
            if f.id == family_id:
                return f
        return None

    @property
    def sha256(self) -> str:
        """One hash over the built-in files, in a fixed order: names the set in reports."""
        digest = hashlib.sha256()
        for sf in sorted((f for f in self.files if not f.user_file), key=lambda f: os.path.basename(f.path)):
            digest.update(os.path.basename(sf.path).encode() + b"\0" + sf.sha256.encode() + b"\n")
        return digest.hexdigest()

    def counts(self) -> dict[str, Any]:
        fams = self.families
        by_tier: dict[str, int] = {}
        by_kind: dict[str, int] = {}
        for fam in fams:
            by_tier[fam.tier] = by_tier.get(fam.tier, 0) + 1
            for ind in fam.indicators:
                by_kind[ind.kind] = by_kind.get(ind.kind, 0) + 1
        return {"families": len(fams), "indicators": sum(by_kind.values()),
                "laptop_indicators": sum(n for k, n in by_kind.items() if k not in REFERENCE_KINDS),
                "by_tier": dict(sorted(by_tier.items())), "by_kind": dict(sorted(by_kind.items()))}


# -- reading YAML with line numbers, no aliases --------------------------------------------
class _LazyYaml:
    """PyYAML, imported when a YAML file is first read. A scan of the built-in set reads its
    compact form (signatures/compact.py) and never needs it; importing it costs ~15 ms of every
    process (issue 15)."""

    def __getattr__(self, name: str) -> Any:
        import yaml as real
        globals()["yaml"] = real
        return getattr(real, name)


yaml: Any = _LazyYaml()


@functools.lru_cache(maxsize=1)
def _no_alias_loader() -> type:
    class _NoAliasLoader(yaml.SafeLoader):
        """Composes nodes but refuses anchors and aliases (no alias bombs in signature files)."""

        def compose_node(self, parent, index):  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.MarkedYAMLError("while reading", None, "anchors and aliases (*name) are not allowed",
                                           event.start_mark)
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError("while reading", None, "anchors (&name) are not allowed", event.start_mark)
            return super().compose_node(parent, index)
    return _NoAliasLoader


def _compose(text: str) -> yaml.Node | None:
    """The node tree of one YAML document, with line numbers; anchors and aliases refused.

    With libyaml (PyYAML's C extension, present in its wheels) the events are first scanned
    for anchors and aliases, then the tree is composed in C: ten times faster than the pure
    Python loader on the shipped set, which it still falls back to."""
    if getattr(yaml, "__with_libyaml__", False):
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                raise yaml.MarkedYAMLError("while reading", None, "anchors and aliases (*name) are not allowed",
                                           event.start_mark)
            if getattr(event, "anchor", None):
                raise yaml.MarkedYAMLError("while reading", None, "anchors (&name) are not allowed", event.start_mark)
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    loader = _no_alias_loader()(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


_STR_TAG = "tag:yaml.org,2002:str"


def _construct(node: yaml.Node) -> Any:
    """The value of one scalar node. Plain text (nearly every scalar) is the node's own value;
    anything else gets a constructor of its own that is dropped straight after. (A module-level
    loader used to do this and kept every node it ever saw in ``constructed_objects``: +47,000
    objects per load, never freed — issue 19.)"""
    if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
        return node.value
    constructor = yaml.constructor.SafeConstructor()
    try:
        return constructor.construct_object(node, deep=True)
    finally:
        constructor.constructed_objects.clear()
        constructor.recursive_objects.clear()


# A built-in file is known by this label in problems and matches (a key: the compact set,
# the manifest and tests use it); people read it through the catalogue (``file_words``).
_BUILTIN = "built-in "


def builtin_label(name: str) -> str:
    """The label of the shipped file ``name`` (``curated.yaml``)."""
    return _BUILTIN + name


def file_words(label: str) -> Words | str:
    """A signature file's label as a person reads it: a built-in file's name in words of the
    catalogue ("built-in {file}"), a file the person added by its own name or path."""
    if label.startswith(_BUILTIN):
        return Words.of(N_("built-in {file}"), file=label[len(_BUILTIN):])
    return label


def _suggest(word: str, options: Iterable[str]) -> Words | str:
    import difflib                  # only to suggest a word for a mistyped one
    close = difflib.get_close_matches(word, list(options), n=1)
    return Words.of(N_(" (did you mean '{close}'?)"), close=close[0]) if close else ""


def _who(fid: str | None) -> Words:
    return Words.of(N_("family '{id}'"), id=fid) if fid else Words(N_("a family"))


def _field(who: Words, field: str) -> Words:
    """A family's field, named as the file writes it ("family 'x': aliases")."""
    return Words.of(N_("{who}: {field}"), who=who, field=field)


def _item_of(what: Words | str) -> Words:
    return Words.of(N_("an item of {what}"), what=what)


# -- validation ----------------------------------------------------------------------------
class _Validator:
    def __init__(self, path: str, label: str):
        self.path = path
        self.label = label
        self.problems: list[Problem] = []

    def bad(self, node_or_line, message: str, **values) -> None:
        """A problem: ``message`` marked with N_ (a catalogue message), ``values`` fill it."""
        line = node_or_line if isinstance(node_or_line, int) else _line(node_or_line)
        self.problems.append(Problem(self.label, line, Words.of(message, **values)))

    # ``what`` below names the thing a problem is about: a key as the file writes it ("id"),
    # or Words ("family 'x': aliases", "an item of ...").
    def string(self, node: yaml.Node, what: Words | str, empty_ok: bool = False) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            self.bad(node, N_("{what} must be text"), what=what)
            return None
        value = _construct(node)
        if not isinstance(value, str):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            else:
                self.bad(node, N_("{what} must be text"), what=what)
                return None
        if not empty_ok and not value.strip():
            self.bad(node, N_("{what} is empty"), what=what)
            return None
        return value

    def string_list(self, node: yaml.Node, what: Words | str) -> list[tuple[str, yaml.Node]]:
        if not isinstance(node, yaml.SequenceNode):
            self.bad(node, N_("{what} must be a list"), what=what)
            return []
        out = []
        for item in node.value:
            value = self.string(item, _item_of(what))
            if value is not None:
                out.append((value, item))
        return out

    def mapping(self, node: yaml.Node, what: Words | str) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        if not isinstance(node, yaml.MappingNode):
            self.bad(node, N_("{what} must be a mapping of keys to values"), what=what)
            return None
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = _construct(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.bad(key_node, N_("{what}: keys must be text"), what=what)
                continue
            if key in out:
                self.bad(key_node, N_("{what}: key '{key}' appears twice"), what=what, key=key)
                continue
            out[key] = (key_node, value_node)
        return out

    # -- one family ------------------------------------------------------------------------
    def family(self, node: yaml.Node, user_file: bool) -> Family | None:
        before = len(self.problems)
        fields = self.mapping(node, Words(N_("a family")))
        if fields is None:
            return None
        fid = None
        if "id" in fields:
            fid = self.string(fields["id"][1], "id")
            if fid is not None and not _ID.match(fid):
                self.bad(fields["id"][1], N_("id '{id}' must be lower case letters, digits, '.', '_' or '-'"), id=fid)
                fid = None
        who = _who(fid)
        for key, (key_node, _) in fields.items():
            if key not in FAMILY_KEYS:
                self.bad(key_node, N_("{who}: unknown key '{key}'{suggest}"), who=who, key=key,
                         suggest=_suggest(key, FAMILY_KEYS))
        for key in REQUIRED_FAMILY_KEYS:
            if key not in fields:
                self.bad(node, N_("{who}: '{key}' is missing"), who=who, key=key)
        name = self.string(fields["name"][1], _field(who, "name")) if "name" in fields else None
        description = (self.string(fields["description"][1], _field(who, "description"))
                       if "description" in fields else None)
        tier = None
        if "tier" in fields:
            tier = self.string(fields["tier"][1], _field(who, "tier"))
            if tier is not None and tier not in TIERS:
                self.bad(fields["tier"][1], N_("{who}: unknown tier '{tier}' (one of {tiers}){suggest}"), who=who,
                         tier=tier, tiers=", ".join(TIERS), suggest=_suggest(tier, TIERS))
        aliases = (tuple(v for v, _ in self.string_list(fields["aliases"][1], _field(who, "aliases")))
                   if "aliases" in fields else ())
        platforms: tuple[str, ...] = ()
        if "platforms" in fields:
            plats = []
            for value, item in self.string_list(fields["platforms"][1], _field(who, "platforms")):
                if value not in PLATFORMS:
                    self.bad(item, N_("{who}: unknown platform '{platform}' (one of {platforms}){suggest}"), who=who,
                             platform=value, platforms=", ".join(PLATFORMS), suggest=_suggest(value, PLATFORMS))
                else:
                    plats.append(value)
            platforms = tuple(plats)
        same_as: tuple[str, ...] = ()
        if "same_as" in fields:
            ids = []
            for value, item in self.string_list(fields["same_as"][1], _field(who, "same_as")):
                if not _ID.match(value):
                    self.bad(item, N_("{who}: same_as '{value}' is not a family id"), who=who, value=value)
                else:
                    ids.append(value)
            same_as = tuple(ids)
        sources = self.sources(fields["sources"][1], who) if "sources" in fields else ()
        indicators = self.indicators(fields["indicators"][1], who) if "indicators" in fields else ()
        if "indicators" in fields and not indicators and len(self.problems) == before:
            self.bad(fields["indicators"][1], N_("{who}: has no indicators"), who=who)
        if len(self.problems) > before:
            return None
        return Family(id=fid, name=name, tier=tier, description=description.strip(), aliases=aliases,
                      platforms=platforms, same_as=same_as, sources=sources, indicators=indicators,
                      file=self.label, line=_line(node), user_file=user_file)

    def sources(self, node: yaml.Node, who: Words) -> tuple[tuple[str, str], ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.bad(node, N_("{who}: sources must be a list with at least one source"), who=who)
            return ()
        out = []
        a_source = Words.of(N_("{who}: a source"), who=who)
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                url = self.string(item, a_source)
                if url:
                    out.append((url, ""))
                continue
            fields = self.mapping(item, a_source)
            if fields is None:
                continue
            for key, (key_node, _) in fields.items():
                if key not in ("url", "covers"):
                    self.bad(key_node, N_("{who}: a source has unknown key '{key}'{suggest}"), who=who, key=key,
                             suggest=_suggest(key, ("url", "covers")))
            if "url" not in fields:
                self.bad(item, N_("{who}: a source needs a 'url'"), who=who)
                continue
            url = self.string(fields["url"][1], _field(who, "source url"))
            covers = self.string(fields["covers"][1], _field(who, "source covers")) if "covers" in fields else ""
            if url:
                out.append((url, covers or ""))
        return tuple(out)

    def indicators(self, node: yaml.Node, who: Words) -> tuple[Indicator, ...]:
        fields = self.mapping(node, _field(who, "indicators"))
        if fields is None:
            return ()
        out: list[Indicator] = []
        for kind, (key_node, value_node) in fields.items():
            if kind not in kinds.INDICATOR:
                self.bad(key_node, N_("{who}: unknown indicator kind '{kind}'{suggest}"), who=who, kind=kind,
                         suggest=_suggest(kind, kinds.INDICATOR))
                continue
            if not isinstance(value_node, yaml.SequenceNode):
                self.bad(value_node, N_("{what} must be a list"), what=_field(who, kind))
                continue
            for item in value_node.value:
                ind = self.indicator(kind, item, who)
                if ind is not None:
                    out.append(ind)
        return tuple(out)

    def indicator(self, kind: str, node: yaml.Node, who: Words) -> Indicator | None:
        line = _line(node)
        form = kinds.INDICATOR[kind].form
        declared = kinds.INDICATOR[kind].platforms      # where a kind can match at all (may be empty)
        if form == "registry_value":
            fields = self.mapping(node, Words.of(N_("{who}: a registry value"), who=who))
            if fields is None:
                return None
            for key, (key_node, _) in fields.items():
                if key not in ("key", "name"):
                    self.bad(key_node, N_("{who}: registry value has unknown key '{key}'{suggest}"), who=who, key=key,
                             suggest=_suggest(key, ("key", "name")))
            if "key" not in fields or "name" not in fields:
                self.bad(node, N_("{who}: a registry value needs 'key' and 'name'"), who=who)
                return None
            key = self.string(fields["key"][1], _field(who, "registry value key"))
            name = self.string(fields["name"][1], _field(who, "registry value name"), empty_ok=True)
            if key is None or name is None:
                return None
            if not _REG_ROOT.match(key):
                self.bad(fields["key"][1], N_("{who}: registry key '{key}' must start with HKLM\\ or HKCU\\"),
                         who=who, key=key)
                return None
            if problem := glob_problem(key):
                self.bad(fields["key"][1], N_("{who}: registry key '{key}': {problem}"), who=who, key=key,
                         problem=problem)
                return None
            return Indicator(kind, name, key=key, platforms=kinds.INDICATOR[kind].platforms, line=line)
        if form == "name" and isinstance(node, yaml.MappingNode):
            fields = self.mapping(node, Words.of(N_("{who}: {kind} item"), who=who, kind=kind))
            if fields is None:
                return None
            keys = set(fields) - {"platforms"}
            if keys not in ({"regex"}, {"name"}):
                self.bad(node, N_("{who}: a {kind} item is a name, a glob, {{regex: PATTERN}} or "
                                  "{{name: NAME, platforms: [...]}}"), who=who, kind=kind)
                return None
            plats: tuple[str, ...] = ()
            if "platforms" in fields:
                listed = [v for v, _ in self.string_list(fields["platforms"][1], _field(who, "platforms"))]
                if not listed or any(p not in DESKTOP for p in listed):
                    self.bad(fields["platforms"][1], N_("{who}: an indicator's platforms are some of {platforms}"),
                             who=who, platforms=", ".join(DESKTOP))
                    return None
                plats = tuple(listed)
            if "name" in fields:
                value = self.string(fields["name"][1], _field(who, "name"))
                if value is None:
                    return None
                if problem := glob_problem(value.strip()):
                    self.bad(node, N_("{who}: {kind} '{value}': {problem}"), who=who, kind=kind, value=value,
                             problem=problem)
                    return None
                return Indicator(kind, value.strip(), platforms=plats or name_platforms(value) or declared,
                                 line=line)
            pattern = self.string(fields["regex"][1], _field(who, "regex"))
            if pattern is None:
                return None
            try:
                re.compile(pattern)
            except re.error as exc:
                self.bad(fields["regex"][1], N_("{who}: bad regex '{pattern}': {why}"), who=who, pattern=pattern,
                         why=exc)
                return None
            return Indicator(kind, pattern, regex=True, platforms=plats or declared, line=line)
        value = self.string(node, Words.of(N_("{who}: an item of {kind}"), who=who, kind=kind))
        if value is None:
            return None
        value = value.strip()
        if form in ("name", "reference"):
            if problem := glob_problem(value):
                self.bad(node, N_("{who}: {kind} '{value}': {problem}"), who=who, kind=kind, value=value,
                         problem=problem)
                return None
            return Indicator(kind, value, platforms=(name_platforms(value) or declared) if form == "name" else (),
                             line=line)
        if form == "path":
            if problem := glob_problem(value):
                self.bad(node, N_("{who}: {kind} '{value}': {problem}"), who=who, kind=kind, value=value,
                         problem=problem)
                return None
            plats = path_platforms(value)
            if not plats:
                self.bad(node, N_("{who}: {kind} '{value}' must be a full path (C:\\…, %ProgramData%\\…, /… or ~/…)"),
                         who=who, kind=kind, value=value)
                return None
            return Indicator(kind, value, platforms=plats, line=line)
        if form == "registry_key":
            if not _REG_ROOT.match(value):
                self.bad(node, N_("{who}: registry key '{key}' must start with HKLM\\ or HKCU\\"), who=who, key=value)
                return None
            if problem := glob_problem(value):
                self.bad(node, N_("{who}: registry key '{key}': {problem}"), who=who, key=value, problem=problem)
                return None
            return Indicator(kind, value, platforms=kinds.INDICATOR[kind].platforms, line=line)
        if form == "domain":
            domain = normalise_domain(value)
            if domain is None:
                self.bad(node, N_("{who}: '{value}' is not a domain name"), who=who, value=value)
                return None
            return Indicator(kind, value, line=line)
        if form == "ip":
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                self.bad(node, N_("{who}: '{value}' is not an IP address or CIDR range"), who=who, value=value)
                return None
            return Indicator(kind, value, line=line)
        if form == "sha256":
            if not _SHA256.match(value):
                self.bad(node, N_("{who}: '{value}' is not a SHA-256 (64 hexadecimal digits)"), who=who, value=value)
                return None
            return Indicator(kind, value.lower(), line=line)
        raise AssertionError(form)


def glob_problem(pattern: str) -> Words | None:
    """Why a glob is not acceptable, or None."""
    if "**" in pattern:
        return Words(N_("'**' is not allowed; name each folder"))
    start = None
    for i, ch in enumerate(pattern):
        if ch == "[":
            if start is not None:
                return Words(N_("'[' inside '[…]'"))
            start = i
        elif ch == "]" and start is not None:
            try:
                re.compile(glob_class(pattern[start + 1:i]))
            except re.error:
                return Words.of(N_("'{chars}' holds no characters, or a range written backwards"),
                                chars=pattern[start:i + 1])
            start = None
    if start is not None:
        return Words(N_("'[' without its closing ']'"))
    return None


def glob_class(body: str) -> str:
    """The regex for a glob's ``[…]`` with this inside (``[!a]`` is any character but a)."""
    if body.startswith("!"):
        body = "^" + body[1:]
    return "[" + body.replace("\\", "\\\\") + "]"


_WINDOWS_PROGRAM = re.compile(r"\.(exe|com|scr|bat|cmd|msi|cpl|sys|dll)$", re.I)


def name_platforms(name: str) -> tuple[str, ...]:
    """The platforms a name indicator can match on (empty: any). A Windows program's file name
    (``vncviewer.exe``) is never a Linux or macOS program's name, so it matches on Windows only."""
    return ("windows",) if _WINDOWS_PROGRAM.search(name.strip()) else ()


def path_platforms(path: str) -> tuple[str, ...]:
    """The platforms a path's form belongs to (empty: not a full path)."""
    if _WIN_START.match(path):
        return ("windows",)
    low = path.lower()
    if low.startswith(_MAC_PREFIXES):
        return ("macos",)
    if path.startswith("/") or path.startswith("~/"):
        return ("linux", "macos")
    return ()


def normalise_domain(value: str) -> str | None:
    """A domain in matching form (lower case, no '*.' or trailing dot), or None if it is not one."""
    value = value.strip().lower().rstrip(".")
    if value.startswith("*."):
        value = value[2:]
    if not value or len(value) > 253:
        return None
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return None
    return value


# -- loading files ---------------------------------------------------------------------------
def _read_regular(path: str) -> tuple[bytes, int]:
    """A regular file's bytes (at most MAX_FILE_BYTES + 1). A FIFO, socket or device chosen as
    a "signature file" is refused without waiting on it: opened non-blocking, checked with
    fstat, never read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "it is not an ordinary file")
        if st.st_size > MAX_FILE_BYTES:
            return b"", st.st_size
        chunks, left = [], MAX_FILE_BYTES + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        raw = b"".join(chunks)
        return raw, len(raw)
    finally:
        os.close(fd)


def load_file(path: str, *, user_file: bool = False, label: str | None = None,
              text: str | None = None) -> tuple[SignatureFile, list[Problem]]:
    """Read and validate one file. Families with problems are left out; the rest load."""
    label = label or path
    sf = SignatureFile(path=path, user_file=user_file)
    v = _Validator(path, label)
    try:
        if text is None:
            raw, size = _read_regular(path)
            if size > MAX_FILE_BYTES:
                return sf, [Problem(label, 0, Words.of(N_("the file is too large ({size} bytes; at most {most})"),
                                                       size=size, most=MAX_FILE_BYTES))]
            text = raw.decode("utf-8")
            sf.sha256 = hashlib.sha256(raw).hexdigest()
        else:
            sf.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    except UnicodeDecodeError:
        return sf, [Problem(label, 0, Words(N_("the file is not UTF-8 text")))]
    except OSError as exc:
        return sf, [Problem(label, 0, Words.of(N_("can't read the file: {why}"), why=exc.strerror or exc))]
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return sf, [Problem(label, (mark.line + 1) if mark else 0,
                            Words.of(N_("not valid YAML: {why}"), why=exc.problem or exc))]
    except (yaml.YAMLError, RecursionError) as exc:
        return sf, [Problem(label, 0, Words.of(N_("not valid YAML: {why}"), why=exc))]
    if root is None:
        return sf, [Problem(label, 1, Words(N_("the file is empty")))]
    top = v.mapping(root, Words(N_("the file")))
    if top is None:
        return sf, v.problems
    for key, (key_node, _) in top.items():
        if key not in FILE_KEYS:
            v.bad(key_node, N_("unknown key '{key}'{suggest}"), key=key, suggest=_suggest(key, FILE_KEYS))
    if "schema" not in top:
        v.bad(root, N_("'schema: 1' is missing"))
        return sf, v.problems
    schema = _construct(top["schema"][1]) if isinstance(top["schema"][1], yaml.ScalarNode) else None
    if schema != SCHEMA_VERSION:
        v.bad(top["schema"][1], N_("schema must be {version}"), version=SCHEMA_VERSION)
        return sf, v.problems
    for key in ("name", "version", "license", "attribution"):
        if key in top:
            value = v.string(top[key][1], key, empty_ok=True)
            if value is not None:
                setattr(sf, key, value.strip())
    if "families" not in top:
        v.bad(root, N_("'families' is missing"))
        return sf, v.problems
    fam_node = top["families"][1]
    if not isinstance(fam_node, yaml.SequenceNode):
        v.bad(fam_node, N_("{what} must be a list"), what="families")
        return sf, v.problems
    seen: dict[str, int] = {}
    for item in fam_node.value:
        fam = v.family(item, user_file)
        if fam is None:
            continue
        if fam.id in seen:
            v.bad(item, N_("family id '{id}' is used twice (first on line {line})"), id=fam.id, line=seen[fam.id])
            continue
        seen[fam.id] = fam.line
        sf.families.append(fam)
    return sf, v.problems


def builtin_paths() -> list[str]:
    from .manifest import data_folder
    folder = data_folder()
    return sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".yaml"))


def _stix2_text(path: str, result: SignatureSet) -> str | None | bool:
    """A user file that is a STIX 2 bundle, as signature-file text; None for any other file;
    False when it can't be used or adds nothing a laptop scan looks for (said in problems)."""
    try:
        head = _read_regular(path)[0][:4096].decode("utf-8", "replace")   # never waits on a FIFO
    except OSError:
        return None
    from .importers.stix2 import Stix2Error, import_stix2, laptop_families, looks_like_stix2
    if not looks_like_stix2(head):
        return None
    from .importers import render_signature_file
    try:
        doc, notes = import_stix2([path])
    except (Stix2Error, OSError, UnicodeDecodeError) as exc:
        result.problems.append(Problem(path, 0, Words.of(N_("can't read this STIX 2 file: {why}"), why=exc)))
        return False
    if not laptop_families(doc):
        result.problems.append(Problem(path, 0, Words.of(N_("this STIX 2 file adds nothing a laptop check can look "
                                                            "for ({why}); it was not loaded"), why=notes[-1])))
        return False
    result.notes.append(f"{path}: {notes[-1]}")
    return render_signature_file(doc, "Converted from STIX 2 by Device Checkup")


def load_set(user_paths: Iterable[str] = (), *, builtin: bool = True,
             builtin_files: Iterable[str] | None = None) -> SignatureSet:
    """The built-in set plus user files. Problems are collected, never raised."""
    result = SignatureSet()
    loaded: list[tuple[str, bool, SignatureFile, list[Problem]]] = []
    digests: dict[str, str] | None = None
    index_tables = None
    user_paths = tuple(user_paths)
    user_paths_used = bool(user_paths)
    if builtin and builtin_files is None:
        digests, compact = _builtin_compact()
        if compact is not None:
            files, problems, index_tables = compact
            by_file: dict[str, list[Problem]] = {}
            for p in problems:
                by_file.setdefault(p.file, []).append(p)
            loaded += [(sf.path, False, sf, by_file.pop(builtin_label(os.path.basename(sf.path)), []))
                       for sf in files]
            result.problems.extend(p for ps in by_file.values() for p in ps)
    if builtin and not loaded:
        for path in (builtin_files if builtin_files is not None else builtin_paths()):
            sf, problems = load_file(path, label=builtin_label(os.path.basename(path)))
            loaded.append((path, False, sf, problems))
    for path in user_paths:
        converted = _stix2_text(path, result)
        if converted is False:
            continue
        sf, problems = load_file(path, user_file=True, text=converted)
        loaded.append((path, True, sf, problems))
    owner: dict[str, str] = {}
    for path, is_user, sf, problems in loaded:
        label = builtin_label(os.path.basename(path)) if not is_user else path
        result.problems.extend(problems)
        kept = []
        for fam in sf.families:
            if fam.id in owner:
                result.problems.append(Problem(sf.label if is_user else label, fam.line,
                                               Words.of(N_("family id '{id}' is already used in {file}"), id=fam.id,
                                                        file=file_words(owner[fam.id]))))
                continue
            owner[fam.id] = label
            kept.append(fam)
        sf.families = kept
        result.files.append(sf)
    if index_tables is not None and not user_paths_used:
        # The index made with the compact form at build time: signatures/index.py compile_set
        # uses it for exactly these files.
        result.__dict__["_shipped_index"] = (tuple(id(sf) for sf in result.files), index_tables)
    if builtin and builtin_files is None:
        from .manifest import changes
        result.changed = changes(digests=digests if digests is not None else
                                 {os.path.basename(sf.path): sf.sha256 for sf in result.files
                                  if not sf.user_file and sf.sha256})
    ids = set(owner)
    for fam in result.families:
        for other in fam.same_as:
            if other not in ids:
                label = fam.file
                result.problems.append(Problem(label, fam.line, Words.of(
                    N_("{who}: same_as '{other}' names no loaded family"), who=_who(fam.id), other=other)))
    return result


def _builtin_compact():
    """(digests of the shipped YAML files, the verified compact set or None)."""
    from . import compact
    from .manifest import data_folder, read_manifest
    folder = data_folder()
    digests: dict[str, str] = {}
    try:
        for name in sorted(os.listdir(folder)):
            if name.endswith(".yaml"):
                digests[name] = hashlib.sha256(_read_regular(os.path.join(folder, name))[0]).hexdigest()
        manifest = read_manifest(folder)
    except (OSError, ValueError):
        return None, None
    return digests, compact.verified(folder, manifest, digests)


# -- one set per process ---------------------------------------------------------------------
_CACHE_LOCK = threading.Lock()
_CACHE: dict[str, Any] = {"key": None, "set": None}


def _stamp(path: str) -> tuple:
    try:
        st = os.stat(path)
    except OSError as exc:
        return (path, "missing", exc.errno)
    return (path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _cache_key(user_paths: tuple[str, ...]) -> tuple:
    from .manifest import MANIFEST, data_folder
    folder = data_folder()
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    return (tuple(_stamp(os.path.join(folder, n)) for n in names if n.endswith(".yaml") or n == MANIFEST),
            tuple(_stamp(p) for p in user_paths))


def shared_set(user_paths: Iterable[str] = ()) -> SignatureSet:
    """The built-in set plus ``user_paths``, loaded once per process and handed to every scan
    until a built-in file, the manifest or a chosen user file changes (or the choice of user
    files does). Changes are seen by each file's inode, size and modification/change times, so
    "Check again" costs a few ``stat`` calls instead of a reload (issue 19). Thread-safe."""
    paths = tuple(user_paths)
    key = _cache_key(paths)
    with _CACHE_LOCK:
        if _CACHE["key"] == key and _CACHE["set"] is not None:
            return _CACHE["set"]
        sigset = load_set(paths)
        _CACHE["key"], _CACHE["set"] = key, sigset
        return sigset


def forget_shared_set() -> None:
    """Drop the process's set (tests; quick exit keeps it: it says nothing about the person,
    except the names of user files, so those are dropped too)."""
    with _CACHE_LOCK:
        _CACHE["key"] = _CACHE["set"] = None
