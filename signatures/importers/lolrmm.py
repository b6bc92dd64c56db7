"""LOLRMM (one YAML file per remote monitoring and management tool) → a signature file.

Each tool becomes a family in the remote-access tier with what LOLRMM records of it: program
names (``PEMetadata``, bare names in ``InstallationPaths``), install paths (as places to look
and as where a running program may live), disk artefacts, registry keys, domains and addresses
(``Artifacts.Network``) and file hashes. What a laptop check cannot use, or would show on
ordinary laptops for reasons that have nothing to do with being watched, is left out and said
in the notes: generic program names, shared hosting domains, placeholders such as
``<random>.exe``, and the tools named in ``lolrmm_left_out.yaml`` (with the reason for each).
"""
from __future__ import annotations

import os
import re
from importlib import resources
from typing import Any

import yaml

from . import as_domain, as_ip, commit_in_notes, host_of, left_out_indicator, shared, slug, unique
from ..loader import glob_problem, path_platforms

REPOSITORY = "https://github.com/magicsword-io/LOLRMM"
DESCRIPTION = {
    "RMM": ("A remote-access or remote-management tool: it lets someone see and control this computer "
            "from elsewhere. It has honest uses, such as IT support, but it can also be used to watch "
            "a person or to get into their files."),
    "RAT": ("A remote-access tool that can run without showing itself: it lets someone see and control "
            "this computer from elsewhere. Some people use it for their own computers, but it is also "
            "used to get into other people's."),
}
PLATFORM_OF = {"windows": "windows", "mac": "macos", "macos": "macos", "linux": "linux",
               "android": "android", "ios": "ios"}
# Program names that many unrelated programs use, or that name an everyday app.
GENERIC_PROGRAMS = frozenset({
    "connect", "client", "agent", "agent32", "agent64", "agentu", "level", "setup", "install",
    "installer", "update", "updater", "launcher", "service", "server", "qq", "ninite", "python",
    "java", "javaw", "cmd", "powershell", "rundll32", "svchost", "msiexec", "ssh", "sshd", "vnc",
    "remote", "support", "helper", "notificationhelper", "main", "app", "run", "start",
})
# Only these file kinds can be a running program or the program an autostart entry starts.
_PROGRAM = re.compile(r"^([^\\/]+\.(exe|com|scr|bat|cmd|ps1|vbs)|[^.\\/]+)$", re.I)
_PLACEHOLDER = re.compile(r"<[^>]*>|\{sid\}|\\sid\\|\$\(|\[[a-z0-9]-[a-z0-9]\]\{", re.I)
_WIN_VAR = re.compile(r"^%([a-z0-9_()]+)%", re.I)
_KNOWN_VARS = {"programfiles": "%ProgramFiles%", "programfiles(x86)": "%ProgramFiles(x86)%",
               "programw6432": "%ProgramFiles%", "commonprogramfiles": "%CommonProgramFiles%",
               "programdata": "%ProgramData%", "allusersprofile": "%ProgramData%",
               "systemroot": "%SystemRoot%", "windir": "%SystemRoot%", "systemdrive": "C:",
               "public": "%Public%", "userprofile": "%UserProfile%", "homepath": "%UserProfile%",
               "appdata": "%AppData%", "localappdata": "%LocalAppData%", "temp": "%Temp%", "tmp": "%Temp%"}
_ROOTS = {"hkey_local_machine": "HKLM", "hklm": "HKLM", "klm": "HKLM", "hkey_current_user": "HKCU",
          "hkcu": "HKCU"}
MAX_BYTES = 4 * 1024 * 1024
# Keys every program writes under: a wildcard entry below one of them matches ordinary software.
_SHARED_KEYS = frozenset({"uninstall", "run", "runonce", "services", "printers", "software",
                          "wow6432node", "classes", "clsid", "appid", "interface", "typelib"})


class LolrmmError(ValueError):
    """The input is not a LOLRMM folder."""


_INDICATORS_LEFT_OUT = "indicators left out"
_SAME_PRODUCT = "same product"


def _left_out_doc() -> dict:
    text = resources.files(__package__).joinpath("lolrmm_left_out.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def left_out() -> dict[str, str]:
    """LOLRMM file name (without extension) → why the tool is not imported."""
    out = {}
    for reason, names in _left_out_doc().items():
        if reason in (_INDICATORS_LEFT_OUT, _SAME_PRODUCT):
            continue
        for name in names:
            out[str(name)] = reason
    return out


def indicators_left_out() -> dict[str, dict[str, str]]:
    """LOLRMM file name → {indicator value (lower case) → why it is left out of that tool}."""
    out: dict[str, dict[str, str]] = {}
    for stem, values in (_left_out_doc().get(_INDICATORS_LEFT_OUT) or {}).items():
        out[str(stem)] = {str(v).lower(): str(why) for v, why in (values or {}).items()}
    return out


def same_product() -> list[list[str]]:
    """Groups of LOLRMM file names that describe one product (LOLRMM lists some twice or more);
    the first of each group is reported for all of them, so one product is one finding."""
    return [[str(n) for n in group] for group in (_left_out_doc().get(_SAME_PRODUCT) or [])]


def _list(value: Any) -> list:
    return value if isinstance(value, list) else ([] if value is None else [value])


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def program_name(raw: str) -> tuple[str | None, str | None]:
    """(name, None) when ``raw`` can be a running program's name, else (None, why not)."""
    name = raw.strip().strip("'\"")
    if _PLACEHOLDER.search(name):
        return None, "a placeholder, not a name"
    if not _PROGRAM.match(name.replace("*", "x")):
        return None, "not a program's file name"
    stem = re.sub(r"\.[a-z0-9]+$", "", name.lower())
    if stem in GENERIC_PROGRAMS or (len(stem.replace("*", "")) <= 3 and "*" not in stem):
        return None, "a name too many programs share"
    # LOLRMM writes "[a-Z0-9]" for "a letter or a digit" (controlio.yaml); read as a range it
    # runs backwards (a is after Z), which the loader refuses.
    name = name.replace("[a-Z", "[a-zA-Z")
    if problem := glob_problem(name):
        return None, str(problem)
    if (why := left_out_indicator("process_names", name)):
        return None, why
    return name, None


def machine_path(raw: str) -> tuple[str | None, str | None]:
    """A path in signature form (``%ProgramData%\\X``, ``C:\\X``, ``/X``, ``~/X``), or (None, why)."""
    path = raw.strip().strip("'\"").rstrip("\\/") or raw.strip()
    # "*ProgramData\X" and "*Users\*\X" mean the folder on the system drive.
    path = re.sub(r"(?i)^\*(ProgramData|Users|Program Files(?: \(x86\))?|Windows)\\", r"C:\\\1\\", path)
    if _PLACEHOLDER.search(path):
        return None, "holds a placeholder"
    if "**" in path:
        return None, "uses '**', which Device Checkup does not follow"
    m = _WIN_VAR.match(path)
    if m:
        var = _KNOWN_VARS.get(m.group(1).lower())
        if var is None:
            return None, f"starts with %{m.group(1)}%, which has no fixed place"
        path = var + path[m.end():]
    if re.match(r"^[a-z]:[\\/]", path, re.I):
        path = "C:" + path[2:].replace("/", "\\")
    if path.startswith("$HOME/"):
        path = "~/" + path[6:]
    if problem := glob_problem(path):
        return None, str(problem)
    if not path_platforms(path):
        return None, "not a full path"
    return path, None


def registry_key(raw: str) -> tuple[str | None, str | None]:
    key = raw.strip().strip("'\"").rstrip("\\")
    parts_ = key.lower().split("\\")
    if len(parts_) > 1 and re.fullmatch(r"\{?[*?]+\}?", parts_[-1]) and parts_[-2] in _SHARED_KEYS:
        # "Uninstall\{*}" is every GUID-named entry: any program installed from an MSI package.
        return None, "a wildcard that matches every entry under a key all programs share"
    if _PLACEHOLDER.search(key) and not re.search(r"(?i)^(hku|hkey_users)\\", key):
        return None, "holds a placeholder"
    parts = key.split("\\")
    root = parts[0].lower()
    if root in ("hku", "hkey_users") and len(parts) > 2:
        if parts[1].upper() == ".DEFAULT":
            return None, "the default profile, not a person's"
        parts = ["HKCU"] + parts[2:]                 # HKU\<SID>\… is each user's HKCU
    elif root in _ROOTS:
        parts[0] = _ROOTS[root]
    else:
        return None, "not a registry key under HKLM, HKCU or HKU"
    if parts[0] == "HKLM" and len(parts) > 1 and parts[1].lower() == "wow6432node":
        parts.insert(1, "SOFTWARE")
    if len(parts) < 3:
        return None, "too general"
    key = "\\".join(parts)
    if "ControlSet\\" in key and "CurrentControlSet" not in key:
        key = re.sub(r"(?i)\\ControlSet\\", r"\\CurrentControlSet\\", key)
    if problem := glob_problem(key):
        return None, problem
    return key, None


def _install_path(value: str, ind: dict, drop) -> None:
    if _names_a_program(value):
        _disk_artefact(value, ind, drop)
        return
    path, why = machine_path(value)
    if path is None:
        drop(value, why)
        return
    low = path.lower()
    if low.endswith((".exe", ".app")) or low.endswith(("\\*", "/*")):
        if not low.endswith(".app"):
            ind["executable_paths"].append(path)
    folder = path[:-2] if low.endswith(("\\*", "/*")) else path
    if path_platforms(folder):
        ind["file_paths"].append(folder)


def _names_a_program(value: str) -> bool:
    """``x.exe`` or ``*\\…\\x.exe``: a program's name with no fixed place."""
    last = re.split(r"[\\/]", value.rstrip("\\/"))[-1]
    bare = "\\" not in value and "/" not in value
    return bare or (value.startswith(("*\\", "*/")) and "*" not in last)


def _disk_artefact(value: str, ind: dict, drop) -> None:
    """A file LOLRMM says the tool leaves: a full path to look at, or a program's name when
    LOLRMM gives only the name (``x.exe``) or says it may be in any folder (``*\\x.exe``)."""
    if _names_a_program(value):
        name, why = program_name(re.split(r"[\\/]", value)[-1])
        if name and name.lower().endswith((".exe", ".com", ".scr")):
            ind["process_names"].append(name)
        else:
            drop(value, why or "a file name without a place to look")
        return
    path, why = machine_path(value)
    ind["file_paths"].append(path) if path else drop(value, why)


def import_tool(path: str, data: dict, commit: str | None) -> tuple[dict | None, list[str]]:
    base = os.path.basename(path)
    notes: list[str] = []

    def drop(value, why):
        notes.append(f"{base}: '{value}' left out: {why}")

    name = _text(data.get("Name"))
    if not name:
        return None, [f"{base}: no Name; left out"]
    details = data.get("Details") if isinstance(data.get("Details"), dict) else {}
    artifacts = data.get("Artifacts") if isinstance(data.get("Artifacts"), dict) else {}
    ind: dict[str, list] = {k: [] for k in ("process_names", "executable_paths", "file_paths",
                                              "registry_keys", "domains", "ips", "sha256")}
    for pe in _list(details.get("PEMetadata")):
        if isinstance(pe, dict):
            for field in ("Filename", "OriginalFileName"):
                for value in _list(pe.get(field)):
                    if _text(value):
                        n, why = program_name(value)
                        ind["process_names"].append(n) if n else drop(value, why)
    for value in _list(details.get("InstallationPaths")) + _list(data.get("InstallationPaths")):
        if _text(value):
            _install_path(value, ind, drop)
    for item in _list(artifacts.get("Disk")):
        value = _text(item.get("File")) if isinstance(item, dict) else None
        if value:
            _disk_artefact(value, ind, drop)
    for item in _list(artifacts.get("Registry")):
        value = _text(item.get("Path")) if isinstance(item, dict) else None
        if value:
            k, why = registry_key(value)
            ind["registry_keys"].append(k) if k else drop(value, why)
    for item in _list(artifacts.get("Network")):
        for value in _list(item.get("Domains") if isinstance(item, dict) else None):
            host = host_of(value)
            if not host:
                continue
            if ip := as_ip(host):
                ind["ips"].append(ip)
            elif (domain := as_domain(host)) is None:
                drop(value, "not a domain name")
            elif shared(domain):
                drop(value, f"{domain} is shared by many services")
            else:
                ind["domains"].append(domain)
    hashes = data.get("FileHashes") if isinstance(data.get("FileHashes"), dict) else {}
    for group in hashes.values():
        for item in _list(group):
            if isinstance(item, dict) and re.fullmatch(r"[0-9a-fA-F]{64}", str(item.get("sha256", ""))):
                ind["sha256"].append(str(item["sha256"]).lower())
    signing = data.get("CodeSigning") if isinstance(data.get("CodeSigning"), dict) else {}
    for item in _list(signing.get("certificates")):
        if isinstance(item, dict) and re.fullmatch(r"[0-9a-fA-F]{64}", str(item.get("src_file_sha256", ""))):
            ind["sha256"].append(str(item["src_file_sha256"]).lower())

    skip = indicators_left_out().get(os.path.splitext(base)[0], {})
    for kind in ind:
        kept = []
        for value in ind[kind]:
            if str(value).lower() in skip:
                drop(value, skip[str(value).lower()])
            else:
                kept.append(value)
        ind[kind] = kept
    indicators = {k: unique(v) for k, v in ind.items() if v}
    if not indicators:
        return None, notes + [f"{base}: {name}: no indicator a laptop check can use; left out"]
    claimed = unique(PLATFORM_OF[o.lower()] for o in _list(details.get("SupportedOS"))
                     if isinstance(o, str) and o.lower() in PLATFORM_OF)
    # A platform is kept only where an indicator can match there: LOLRMM's names end in .exe and
    # its paths are mostly Windows ones, so "linux" or "mac" in SupportedOS is often a claim that
    # no artefact backs. The curated families (remote-access.yaml) give those platforms' forms.
    platforms = [p for p in claimed if p not in ("linux", "macos") or _usable_on(indicators, p)]
    for p in claimed:
        if p not in platforms:
            notes.append(f"{base}: {name}: sold for {p}, but LOLRMM gives no {p} artefact; "
                         f"the platform is not claimed here")
    # A name without a Windows ending (.exe…) matches wherever it is met unless it says where:
    # a tool sold only for Windows, or only for Linux and macOS, keeps its names there.
    from ..loader import name_platforms
    desktop = [p for p in platforms if p in ("windows", "macos", "linux")]
    if desktop and len(desktop) < 3 and "process_names" in indicators:
        scoped = sorted(set(desktop) if "windows" not in desktop else {"windows"})
        indicators["process_names"] = [n if name_platforms(n) else {"name": n, "platforms": scoped}
                                       for n in indicators["process_names"]]
    stem = os.path.splitext(base)[0]
    where = f"{REPOSITORY}/blob/{commit or 'main'}/yaml/{base}"
    sources = [{"url": where, "covers": "program names, install paths, files, registry keys, domains and hashes"}]
    website = _text(details.get("Website"))
    if website and website.startswith("http"):
        sources.append({"url": website, "covers": "the product"})
    category = str(data.get("Category") or "RMM").upper()
    family = {
        "id": f"lolrmm.{slug(stem)}",
        "name": name,
        "tier": "remote-access",
        **({"platforms": platforms} if platforms else {}),
        "description": DESCRIPTION.get(category, DESCRIPTION["RMM"]),
        "sources": sources,
        "indicators": indicators,
    }
    return family, notes


def _usable_on(indicators: dict, platform: str) -> bool:
    """Whether one of a tool's indicators can match on ``platform`` (domains, addresses and
    Windows program hashes don't say the tool is installed there)."""
    from ..loader import name_platforms
    for kind, values in indicators.items():
        for value in values:
            if kind in ("executable_paths", "file_paths") and platform in path_platforms(value):
                return True
            if kind == "process_names" and not name_platforms(value):
                return True
    return False
# Indicators that name a vendor rather than one of its products when several products share them.
_VENDOR_KINDS = ("domains", "registry_keys", "file_paths", "executable_paths")


def _products(families: list[dict]) -> dict[str, str]:
    """Family name -> the name of the product it is one entry of (entries linked with same_as
    as one product listed twice keep what they share)."""
    by_id = {f["id"]: f for f in families}
    out = {}
    for fam in families:
        for other in fam.get("same_as") or []:
            if other in by_id:
                out[by_id[other]["name"]] = out.get(fam["name"], fam["name"])
    return out


def drop_vendor_wide(families: list[dict], product_of: dict[str, str] | None = None) -> list[str]:
    """Leave out domains, registry keys and folders that *different* products share
    (faronics.com and HKLM\\SOFTWARE\\Faronics belong to Deep Freeze, Deploy, Core and the Insight
    classroom monitor alike): they would name the wrong product, under the wrong tier. Entries
    that are one product listed twice (ISL Online / islonline, Splashtop / Splashtop Remote — one
    name starts every other) keep what they share. Returns the notes."""
    owners: dict[tuple[str, str], set[str]] = {}
    for fam in families:
        for kind in _VENDOR_KINDS:
            for value in fam["indicators"].get(kind, []):
                owners.setdefault((kind, value.lower()), set()).add((product_of or {}).get(fam["name"], fam["name"]))
    drop: dict[tuple[str, str], set[str]] = {}
    for key, names in owners.items():
        norm = sorted({re.sub(r"[^a-z0-9]", "", n.lower()) for n in names}, key=len)
        if len(norm) > 1 and not all(n.startswith(norm[0]) for n in norm):
            drop[key] = names
    notes = []
    for fam in families:
        for kind in _VENDOR_KINDS:
            values = fam["indicators"].get(kind)
            if not values:
                continue
            kept = [v for v in values if (kind, v.lower()) not in drop]
            for v in values:
                if (kind, v.lower()) in drop:
                    others = ", ".join(sorted(drop[(kind, v.lower())] - {(product_of or {}).get(fam["name"], fam["name"])}))
                    notes.append(f"{fam['name']}: '{v}' left out: other products share it ({others})")
            if kept:
                fam["indicators"][kind] = kept
            else:
                del fam["indicators"][kind]
    return notes


def upstream_commit(folder: str) -> str | None:
    return commit_in_notes([folder, os.path.dirname(folder.rstrip("/"))], "Commit:")


def import_lolrmm(folder: str) -> tuple[dict, list[str]]:
    sub = os.path.join(folder, "yaml")
    if os.path.isdir(sub):
        folder = sub
    files = sorted(f for f in os.listdir(folder) if f.endswith((".yaml", ".yml")))
    if not files:
        raise LolrmmError(f"{folder} holds no LOLRMM tool files (*.yaml)")
    commit = upstream_commit(folder)
    skip = left_out()
    notes: list[str] = []
    families: list[dict] = []
    used: set[str] = set()
    for base in files:
        path = os.path.join(folder, base)
        stem = os.path.splitext(base)[0]
        if stem in skip:
            notes.append(f"{base}: left out: {skip[stem]}")
            continue
        try:
            if os.path.getsize(path) > MAX_BYTES:
                notes.append(f"{base}: larger than {MAX_BYTES // (1024 * 1024)} MB; left out")
                continue
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            notes.append(f"{base}: could not be read ({type(exc).__name__}); left out")
            continue
        if not isinstance(data, dict):
            notes.append(f"{base}: not a LOLRMM tool entry; left out")
            continue
        family, more = import_tool(path, data, commit)
        notes += more
        if family is None:
            continue
        if family["id"] in used:
            notes.append(f"{base}: id {family['id']} is taken; left out")
            continue
        used.add(family["id"])
        families.append(family)
    by_stem = {f["sources"][0]["url"].rsplit("/", 1)[-1].rsplit(".", 1)[0]: f for f in families}
    for group in same_product():
        present = [by_stem[stem] for stem in group if stem in by_stem]
        if len(present) > 1:
            present[0]["same_as"] = [f["id"] for f in present[1:]]
    notes += drop_vendor_wide(families, product_of=_products(families))
    for fam in [f for f in families if not f["indicators"]]:
        base = fam["sources"][0]["url"].rsplit("/", 1)[-1]
        notes.append(f"{base}: {fam['name']}: once what other products share is left out, "
                     "no indicator a laptop check can use; left out")
        families.remove(fam)
    kept_ids = {f["id"] for f in families}
    for fam in families:
        if fam.get("same_as"):
            fam["same_as"] = [i for i in fam["same_as"] if i in kept_ids]
            if not fam["same_as"]:
                del fam["same_as"]
    doc = {
        "schema": 1,
        "name": "LOLRMM remote-access tools",
        "version": commit[:12] if commit else "unknown",
        "license": "Apache-2.0",
        "attribution": ("Contains data from LOLRMM (https://github.com/magicsword-io/LOLRMM), "
                        "licensed under the Apache License 2.0. Converted to Device Checkup's signature "
                        "format; some tools and indicators left out, as listed when it is imported."),
        "families": families,
    }
    return doc, notes
