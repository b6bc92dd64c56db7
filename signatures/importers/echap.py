"""Echap stalkerware-indicators (``ioc.yaml``, ``watchware.yaml``) → a signature file.

Echap lists phone stalkerware and watchware. What a laptop can show of them is network
evidence: their websites, download sites and servers (``websites``, ``distribution``, ``c2``),
named in settings, programs or extensions. Every family and every network indicator is kept —
including the ``c2: ip:`` spelling some entries use for ``ips``. The phone app ids (Android
packages, iOS bundles) are kept as ``mobile_app_ids`` and the SHA-1 fingerprints of the Android
signing certificates as ``android_cert_sha1``: a laptop scan does not look for them, a phone check
(checks/phone) does, and a family with no network indicator still carries what Echap knows of it.
"""
from __future__ import annotations

import os
import re
from typing import Any

import yaml

from . import as_domain, as_ip, commit_in_notes, host_of, shared, slug, unique

REPOSITORY = "https://github.com/AssoEchap/stalkerware-indicators"
TIER_OF = {"stalkerware": "stalkerware", "watchware": "watchware"}
DESCRIPTION = {
    "stalkerware": ("A phone app sold to secretly watch another person: it can pass on their messages, "
                    "calls, photos and location to whoever installed it. On a laptop, what can show is "
                    "a link to its websites or servers."),
    "watchware": ("A parental-control or family-tracking phone app. It is legitimate, but it is sometimes "
                  "used to watch another adult. On a laptop, what can show is a link to its websites or "
                  "servers."),
}
MAX_BYTES = 32 * 1024 * 1024
_SHA1 = re.compile(r"[0-9A-F]{40}")


class EchapError(ValueError):
    """The input is not an Echap indicator file."""


def _read(path: str) -> list[dict]:
    if os.path.getsize(path) > MAX_BYTES:
        raise EchapError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    with open(path, encoding="utf-8") as f:
        try:
            data = yaml.safe_load(f)
        except yaml.YAMLError as exc:
            raise EchapError(f"{path} is not readable YAML: {exc}") from None
    if not isinstance(data, list) or not all(isinstance(e, dict) for e in data):
        raise EchapError(f"{path} is not an Echap indicator file (a list of entries)")
    return data


def _strings(value: Any) -> list[str]:
    if isinstance(value, (str, int, float)):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float))]
    return []


def upstream_commit(paths: list[str]) -> str | None:
    """The Echap commit recorded in a SOURCE.txt beside the input, if there is one."""
    return commit_in_notes((os.path.dirname(os.path.abspath(p)) for p in paths), "master commit:")


def import_echap(paths: list[str]) -> tuple[dict, list[str]]:
    notes: list[str] = []
    families: list[dict] = []
    by_id: dict[str, dict] = {}
    commit = upstream_commit(paths)
    where = f"{REPOSITORY}/tree/{commit}" if commit else REPOSITORY
    dropped_certs = 0
    for path in paths:
        base = os.path.basename(path)
        for n, entry in enumerate(_read(path), 1):
            name = str(entry.get("name") or "").strip()
            if not name:
                notes.append(f"{base}: entry {n} has no name; left out")
                continue
            kind = str(entry.get("type") or "").strip().lower()
            tier = TIER_OF.get(kind)
            if tier is None:
                tier = "watchware" if base.startswith("watchware") else "stalkerware"
                notes.append(f"{base}: {name}: unknown type '{kind}', imported as {tier}")
            fid = f"echap.{slug(name)}"
            merge_into = by_id.get(fid)                  # the same product in both files

            domains: list[str] = []
            ips: list[str] = []
            c2 = entry.get("c2") if isinstance(entry.get("c2"), dict) else {}
            network = (_strings(entry.get("websites")) + _strings(entry.get("distribution"))
                       + _strings(c2.get("domains")) + _strings(c2.get("ips")) + _strings(c2.get("ip")))
            for raw in network:
                host = host_of(raw)
                ip = as_ip(host) if host else None
                if ip:
                    ips.append(ip)
                elif host and (domain := as_domain(host)):
                    if shared(domain):
                        notes.append(f"{base}: {name}: '{raw}' is on {domain}, which many services share; left out")
                    else:
                        domains.append(domain)
                else:
                    notes.append(f"{base}: {name}: '{raw}' is neither a domain nor an IP address; left out")
            apps = _strings(entry.get("packages")) + _strings(entry.get("ios_bundles"))
            certs = []
            for raw in _strings(entry.get("certificates")):
                cert = raw.strip().replace(":", "").upper()
                if _SHA1.fullmatch(cert):
                    certs.append(cert)
                else:
                    dropped_certs += 1

            indicators: dict[str, list] = {}
            if domains:
                indicators["domains"] = unique(domains)
            if ips:
                indicators["ips"] = unique(ips)
            if apps:
                indicators["mobile_app_ids"] = unique(a.strip() for a in apps if a.strip())
            if certs:
                indicators["android_cert_sha1"] = unique(certs)
            if not indicators:
                notes.append(f"{base}: {name}: no indicator Device Checkup can keep; left out")
                continue
            if merge_into is not None:
                # One product, one family and one tier: the first file's (ioc.yaml: Echap found it
                # sold or used to watch someone covertly), with both files' indicators and sources.
                for kind, values in indicators.items():
                    merge_into["indicators"][kind] = unique(merge_into["indicators"].get(kind, []) + values)
                merge_into["sources"].append({"url": where, "covers": f"{', '.join(k.replace('_', ' ') for k in indicators)} (from {base})"})
                notes.append(f"{base}: {name} is also in an earlier file; kept as one family, tier {merge_into['tier']}")
                continue
            platforms = ["android"] + (["ios"] if entry.get("ios_bundles") else [])
            covers = ", ".join(k.replace("_", " ") for k in indicators)
            by_id[fid] = {
                "id": fid,
                "name": name,
                **({"aliases": aliases} if (aliases := [a for a in unique(_strings(entry.get("names")))
                                                        if a.casefold() != name.casefold()]) else {}),
                "tier": tier,
                "platforms": platforms,
                "description": DESCRIPTION[tier],
                "sources": [{"url": where, "covers": f"{covers} (from {base})"}],
                "indicators": indicators,
            }
            families.append(by_id[fid])
    if dropped_certs:
        notes.append(f"left out {dropped_certs} Android signing-certificate fingerprints that are not SHA-1 (40 hex digits)")
    doc = {
        "schema": 1,
        "name": "Echap stalkerware indicators",
        "version": commit[:12] if commit else "unknown",
        "license": "CC BY 4.0",
        "attribution": ("Contains data from Echap stalkerware-indicators (https://github.com/AssoEchap/"
                        "stalkerware-indicators), by Echap (https://echap.eu.org/), licensed under CC BY 4.0 "
                        "(https://creativecommons.org/licenses/by/4.0/). Converted to Device Checkup's "
                        "signature format."),
        "families": families,
    }
    return doc, notes
