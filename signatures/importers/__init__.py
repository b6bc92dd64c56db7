"""Turning public data sets into signature files (schema v1).

Each importer returns ``(document, notes)``: the document is a plain mapping ready to be
written as a signature file, and the notes say, in one line each, what was left out and why —
nothing is dropped silently. ``dump_signature_file`` writes a document the same way every time,
so that a re-import of unchanged data gives a byte-identical file.
"""
from __future__ import annotations

import functools
import ipaddress
import os
import re
from typing import Any, Iterable

import yaml

# Domains that many unrelated services share. Listing one of these as an indicator would flag
# every laptop that uses the service, so importers leave them out (a sub-domain that belongs to
# one product, such as ``relay.example.azurewebsites.net``, is kept).
SHARED_DOMAINS = frozenset({
    "amazonaws.com", "cloudfront.net", "azurewebsites.net", "azureedge.net", "windows.net",
    "cloudapp.net", "azure.com", "microsoft.com", "microsoftonline.com", "live.com", "office.com",
    "google.com", "googleapis.com", "gstatic.com", "googleusercontent.com", "appspot.com",
    "firebaseio.com", "firebaseapp.com", "web.app", "github.com", "githubusercontent.com",
    "github.io", "gitlab.com", "bitbucket.org", "herokuapp.com", "cloudflare.com",
    "cloudflare.net", "akamai.net", "akamaized.net", "akamaihd.net", "edgekey.net",
    "edgesuite.net", "fastly.net", "digitaloceanspaces.com", "dropbox.com", "apple.com",
    "icloud.com", "000webhostapp.com", "wordpress.com", "blogspot.com", "ngrok.io",
    "ngrok-free.app", "duckdns.org", "no-ip.com", "no-ip.org", "ddns.net", "dyndns.org",
    "sourceforge.net", "softonic.com", "play.google.com", "apps.apple.com", "mozilla.org",
    # Sub-domains that are themselves shared by everyone who uses the service.
    "raw.githubusercontent.com", "objects.githubusercontent.com", "api.github.com", "gist.github.com",
    "s3.amazonaws.com", "storage.googleapis.com", "drive.google.com", "docs.google.com",
    "sites.google.com", "cdn.discordapp.com", "discord.com", "pastebin.com", "bit.ly", "t.me",
})


def commit_in_notes(folders: Iterable[str], label: str) -> str | None:
    """The upstream commit a SOURCE.txt in one of ``folders`` records after ``label``
    (``master commit:`` for Echap, ``Commit:`` for LOLRMM), or None."""
    for folder in folders:
        try:
            with open(os.path.join(folder, "SOURCE.txt"), encoding="utf-8") as f:
                m = re.search(re.escape(label) + r"\s*([0-9a-f]{40})", f.read())
        except OSError:
            continue
        if m:
            return m.group(1)
    return None


def slug(text: str) -> str:
    """A family id part: lower case letters, digits and '-' ('AnyDesk (Legacy)' → 'anydesk-legacy')."""
    out = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")
    return out[:80] or "unnamed"


def unique(values: Iterable[str]) -> list[str]:
    """Values in first-seen order, without repeats that differ only in case."""
    seen: set[str] = set()
    out = []
    for v in values:
        key = v.casefold()
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def host_of(value: Any) -> str | None:
    """The host name or IP written in a data set's network entry: strips a scheme, a path and
    a port (``https://x.example.com:443/p`` → ``x.example.com``). None when there is none."""
    if not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip().strip("'\"").lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0]
    if text.startswith("[") and "]" in text:          # [ipv6]:port
        return text[1:text.index("]")]
    if text.count(":") == 1:                          # host:port
        text = text.split(":", 1)[0]
    return text.rstrip(".") or None


def as_ip(value: str) -> str | None:
    """The address or CIDR range written, in its normal form, or None."""
    try:
        if "/" in value:
            return str(ipaddress.ip_network(value, strict=False))
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


def as_domain(value: str) -> str | None:
    """A domain in the form signature files keep (``*.x.com`` → ``x.com``), or None."""
    value = value[2:] if value.startswith("*.") else value
    labels = value.split(".")
    if len(labels) < 2 or len(value) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    if labels[-1].isdigit():
        return None
    return value


@functools.lru_cache(maxsize=1)
def left_out_indicators() -> dict[str, dict[str, str]]:
    """kind → value (lower case) → why it is left out of the shipped set (left_out_indicators.yaml)."""
    from importlib import resources
    text = resources.files(__package__).joinpath("left_out_indicators.yaml").read_text(encoding="utf-8")
    return {kind: {str(k).lower(): str(v) for k, v in (values or {}).items()}
            for kind, values in (yaml.safe_load(text) or {}).items()}


def left_out_indicator(kind: str, value: str) -> str | None:
    return left_out_indicators().get(kind, {}).get(value.lower())


def shared(domain: str) -> bool:
    return domain in SHARED_DOMAINS


class _Dumper(yaml.SafeDumper):
    """Block style, keys in the order given, long strings folded at a readable width."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = ">" if len(value) > 90 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_signature_file(doc: dict, path: str, header: str) -> None:
    """Write ``doc`` as a signature file, with ``header`` as comment lines at the top."""
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(render_signature_file(doc, header))


def render_signature_file(doc: dict, header: str) -> str:
    lines = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False, indent=2)
    return lines + body
