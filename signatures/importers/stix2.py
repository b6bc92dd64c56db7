"""STIX 2.1 bundles (as MVT's mvt-indicators and Echap's ``generated/stalkerware.stix2`` publish
them) → a signature file.

Both publish one ``malware`` object per product, ``indicator`` objects whose ``pattern`` is a
single comparison (``[domain-name:value='x.com']``), and ``relationship`` objects of type
``indicates`` from each indicator to its malware. Each malware becomes a family with its name,
description and the bundle's external references as sources. What a laptop can show is kept:
domains (and the host of a URL), IP addresses, SHA-256 hashes; phone app ids are kept as
``mobile_app_ids`` (not looked for on a laptop). Everything else — phone file paths and process
names, e-mail addresses, certificate hashes, patterns with more than one comparison — is left
out, and one plain line says how many and of what kind. Nothing here uses the network.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter
from typing import Any

from . import as_domain, as_ip, host_of, shared, slug, unique

MAX_BYTES = 32 * 1024 * 1024
# One comparison: [object-type:path = 'value'] (MVT writes no spaces; the standard allows them).
_PATTERN = re.compile(r"^\[\s*([a-z0-9-]+):([A-Za-z0-9_.'\-]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]$")
DESCRIPTION = ("Spyware named in a published list of indicators. What a laptop can show of it is a link "
               "to its servers, or one of its files.")
KIND_WORDS = {
    "file:path": "file paths", "file:name": "file names", "process:name": "process names",
    "email-addr:value": "e-mail addresses", "app:cert.sha256": "app signing certificates",
    "configuration-profile:id": "iPhone configuration profiles",
}


class Stix2Error(ValueError):
    """The input is not a STIX 2 bundle."""


def looks_like_stix2(text: str) -> bool:
    """True for a JSON object whose ``type`` is ``bundle`` (checked without parsing it all)."""
    head = text.lstrip()[:4096]
    return head.startswith("{") and re.search(r'"type"\s*:\s*"bundle"', head) is not None


def _read(path: str) -> dict:
    if os.path.getsize(path) > MAX_BYTES:
        raise Stix2Error(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    return parse(text, path)


def parse(text: str, name: str = "the file") -> dict:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise Stix2Error(f"{name} is not readable JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("type") != "bundle" or not isinstance(data.get("objects"), list):
        raise Stix2Error(f"{name} is not a STIX 2 bundle (a JSON object of type 'bundle' with 'objects')")
    return data


def _pattern(pattern: Any) -> tuple[str, str] | None:
    """(``object:path``, value) for a single-comparison pattern, else None."""
    if not isinstance(pattern, str):
        return None
    m = _PATTERN.match(pattern.strip())
    if not m:
        return None
    path = m.group(2).replace("'", "").lower()
    value = m.group(3).replace("\\'", "'").replace("\\\\", "\\")
    return f"{m.group(1).lower()}:{path}", value


def _add(ind: dict[str, list], kind: str, value: str, dropped: Counter) -> None:
    if kind == "domain-name:value":
        domain = as_domain(value.strip().lower().rstrip("."))
        if domain and not shared(domain):
            ind["domains"].append(domain)
        else:
            dropped["domain names many services share, or not domain names"] += 1
    elif kind == "url:value":
        host = host_of(value)
        ip = as_ip(host) if host else None
        domain = as_domain(host) if host and not ip else None
        if ip:
            ind["ips"].append(ip)
        elif domain and not shared(domain):
            ind["domains"].append(domain)
        else:
            dropped["web addresses on a host many services share"] += 1
    elif kind in ("ipv4-addr:value", "ipv6-addr:value"):
        ip = as_ip(value.strip())
        if ip:
            ind["ips"].append(ip)
        else:
            dropped["addresses that are not IP addresses"] += 1
    elif kind in ("file:hashes.sha256", "file:hashes.sha-256"):
        if re.fullmatch(r"[0-9a-fA-F]{64}", value.strip()):
            ind["sha256"].append(value.strip().lower())
        else:
            dropped["hashes that are not SHA-256"] += 1
    elif kind == "app:id":
        ind["mobile_app_ids"].append(value.strip())
    elif kind.startswith("file:hashes."):
        dropped["hashes other than SHA-256"] += 1
    else:
        dropped[KIND_WORDS.get(kind, f"indicators of type {kind.split(':')[0]}")] += 1


def import_stix2(paths: list[str], *, prefix: str | None = None) -> tuple[dict, list[str]]:
    """Read the bundles; return (signature file document, notes). The last note is one plain line
    saying what was kept and what was left out."""
    families: list[dict] = []
    notes: list[str] = []
    dropped: Counter = Counter()
    used: set[str] = set()
    names = []
    for path in paths:
        bundle = _read(path)
        base = os.path.basename(path)
        stem = prefix or slug(os.path.splitext(base)[0]) or "stix"
        objects = [o for o in bundle["objects"] if isinstance(o, dict)]
        malware = {o.get("id"): o for o in objects if o.get("type") == "malware" and o.get("id")}
        indicators = {o.get("id"): o for o in objects if o.get("type") == "indicator" and o.get("id")}
        links: dict[str, list[str]] = {}
        for o in objects:
            if o.get("type") == "relationship" and o.get("relationship_type") == "indicates":
                if o.get("source_ref") in indicators and o.get("target_ref") in malware:
                    links.setdefault(o["target_ref"], []).append(o["source_ref"])
        linked = {i for ids in links.values() for i in ids}
        orphans = len(set(indicators) - linked)
        if orphans:
            dropped["indicators linked to no named spyware"] += orphans
        for mid, mal in malware.items():
            name = str(mal.get("name") or "").strip()
            if not name:
                dropped["spyware entries with no name"] += 1
                continue
            ind: dict[str, list] = {k: [] for k in ("domains", "ips", "sha256", "mobile_app_ids")}
            for iid in unique(links.get(mid, [])):      # Echap repeats some indicator objects
                parsed = _pattern(indicators[iid].get("pattern"))
                if parsed is None:
                    dropped["patterns with more than one comparison"] += 1
                    continue
                _add(ind, parsed[0], parsed[1], dropped)
            indicators_kept = {k: unique(v) for k, v in ind.items() if v}
            if not indicators_kept:
                dropped["spyware entries with nothing a signature file can hold"] += 1
                continue
            fid = f"{stem}.{slug(name)}"
            n = 2
            while fid in used:
                fid = f"{stem}.{slug(name)}-{n}"
                n += 1
            used.add(fid)
            sources = [{"url": str(ref["url"]), "covers": str(ref.get("source_name") or ref.get("description") or "reference")}
                       for ref in mal.get("external_references") or [] if isinstance(ref, dict)
                       and isinstance(ref.get("url"), str) and ref["url"].startswith(("http://", "https://"))]
            sources.append({"url": f"file:{base}", "covers": f"STIX 2 bundle {base}, malware object {mid}"})
            description = str(mal.get("description") or "").strip()
            aliases = [str(a) for a in mal.get("aliases") or [] if isinstance(a, str) and a.strip() and a != name]
            family = {"id": fid, "name": name}
            if aliases:
                family["aliases"] = unique(aliases)
            family.update({
                "tier": "stalkerware",
                "description": (description + ". " if description and not description.endswith(".") else
                                (description + " " if description else "")) + DESCRIPTION,
                "sources": sources,
                "indicators": indicators_kept,
            })
            families.append(family)
            names.append(name)
    laptop = sum(1 for f in families if set(f["indicators"]) - {"mobile_app_ids"})
    kept = Counter()
    for f in families:
        for k, v in f["indicators"].items():
            kept[k] += len(v)
    kept_words = ", ".join(f"{n} {w}" for w, n in (("domains", kept["domains"]), ("IP addresses", kept["ips"]),
                                                    ("file hashes", kept["sha256"]),
                                                    ("phone app ids (not looked for on a laptop)",
                                                     kept["mobile_app_ids"])) if n) or "nothing"
    left = "; ".join(f"{n} {w}" for w, n in sorted(dropped.items(), key=lambda x: -x[1]))
    entries = f"{len(families)} spyware {'entry' if len(families) == 1 else 'entries'}"
    notes.append(f"kept {entries} ({laptop} with something a laptop can show): {kept_words}"
                 + (f". Left out: {left}." if left else ". Nothing was left out."))
    doc = {
        "schema": 1,
        "name": "STIX 2: " + ", ".join(os.path.basename(p) for p in paths),
        "version": "",
        "license": "",
        "attribution": "Converted from STIX 2 bundles by Device Checkup; see each family's sources.",
        "families": families,
    }
    return doc, notes


def laptop_families(doc: dict) -> int:
    """How many families hold an indicator a laptop scan looks for."""
    return sum(1 for f in doc.get("families", []) if set(f.get("indicators", {})) - {"mobile_app_ids"})
