"""Helplines and support services by region, read from ``app/data/support.yaml``.

Plain Python (no Qt): the app's "Get help" page shows these, and a translation or a new region
is a change to the data file only. Every service must say where its details come from.
"""
from __future__ import annotations

from importlib import resources
from typing import Any

from msgspec import Struct

from device_checkup.checks import i18n, yamlsafe


class SupportDataError(ValueError):
    pass


class Number(Struct, frozen=True):
    number: str
    note: str = ""


class Service(Struct, frozen=True):
    name: str
    what: str
    phones: tuple[Number, ...] = ()
    texts: tuple[Number, ...] = ()
    email: str = ""
    website: str = ""
    note: str = ""
    sources: tuple[str, ...] = ()


class Region(Struct, frozen=True):
    id: str
    name: str
    services: tuple[Service, ...]
    intro: str = ""
    within: str = ""        # the country whose emergency numbers and national helplines come first


class SupportData(Struct, frozen=True):
    regions: tuple[Region, ...]
    before: str = ""
    emergency_note: str = ""
    language: str = "en"

    def region(self, region_id: str) -> Region:
        for r in self.regions:
            if r.id == region_id:
                return r
        raise KeyError(region_id)

    def shown_for(self, region_id: str) -> list[tuple[Region, tuple[Service, ...]]]:
        """What the Get help page shows for a region, in order: the country's emergency numbers
        and national helplines first (a local area never hides them), then the local services."""
        region = self.region(region_id)
        if region.within:
            return [(self.region(region.within), self.region(region.within).services), (region, region.services)]
        return [(region, region.services)]


def _text(node: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = node.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise SupportDataError(f"{where}: '{key}' should be text")
    if required and not value.strip():
        raise SupportDataError(f"{where}: '{key}' is missing")
    return " ".join(value.split())


def _numbers(node: dict[str, Any], key: str, where: str) -> tuple[Number, ...]:
    out = []
    for i, item in enumerate(node.get(key) or []):
        if isinstance(item, (str, int)):
            item = {"number": str(item)}
        if not isinstance(item, dict):
            raise SupportDataError(f"{where}: {key} #{i + 1} should be a number and a note")
        out.append(Number(_text(item, "number", f"{where} {key} #{i + 1}", True),
                          _text(item, "note", where)))
    return tuple(out)


def _source_ok(src: Any) -> bool:
    return isinstance(src, str) and (src.startswith(("https://", "http://")) or src.startswith("seed: "))


# The words of the support file (tools/translations.py collects them); numbers, addresses
# and sources stay data.
WORDS = ("before", "emergency_note", "name", "intro", "what", "note", "number")


def _translated(node, context: str):
    if isinstance(node, dict):
        # A number stays as it is; one with words ("999, then press 55") has them translated.
        return {k: (i18n.pgettext(context + "." + k, v) if k in WORDS and isinstance(v, str)
                    else _translated(v, f"{context}.{k}")) for k, v in node.items()}
    if isinstance(node, list):
        return [_translated(v, context) for v in node]
    return node


def parse(text: str, translate: bool = False) -> SupportData:
    data = yamlsafe.load(text)
    if translate:
        data = _translated(data, "support")
    if not isinstance(data, dict) or not isinstance(data.get("regions"), list):
        raise SupportDataError("the support file needs a list of regions")
    regions = []
    seen: set[str] = set()
    for r in data["regions"]:
        if not isinstance(r, dict):
            raise SupportDataError("each region should be a mapping")
        rid = _text(r, "id", "a region", True)
        if rid in seen:
            raise SupportDataError(f"region '{rid}' is listed twice")
        seen.add(rid)
        services = []
        for s in r.get("services") or []:
            where = f"region '{rid}'"
            name = _text(s, "name", where, True)
            where = f"{where}, service '{name}'"
            sources = tuple(s.get("sources") or ())
            if not sources or not all(_source_ok(x) for x in sources):
                raise SupportDataError(f"{where}: every service needs sources (URLs or 'seed: …')")
            website = _text(s, "website", where)
            if website and not website.startswith("https://"):
                raise SupportDataError(f"{where}: the website should start with https://")
            services.append(Service(name=name, what=_text(s, "what", where, True),
                                    phones=_numbers(s, "phones", where), texts=_numbers(s, "texts", where),
                                    email=_text(s, "email", where), website=website,
                                    note=_text(s, "note", where), sources=sources))
        regions.append(Region(id=rid, name=_text(r, "name", f"region '{rid}'", True),
                              services=tuple(services), intro=_text(r, "intro", rid),
                              within=_text(r, "within", rid)))
    ids = {r.id for r in regions}
    for r in regions:
        if r.within and (r.within not in ids or r.within == r.id):
            raise SupportDataError(f"region '{r.id}': 'within' names no other region ('{r.within}')")
    return SupportData(regions=tuple(regions), before=_text(data, "before", "the file"),
                       emergency_note=_text(data, "emergency_note", "the file"),
                       language=str(data.get("language") or "en"))


def load() -> SupportData:
    """The shipped support data (``support.yaml``), its words in the chosen language (the
    catalogue holds their translations; docs/translating.md)."""
    text = resources.files("device_checkup.app").joinpath("data", "support.yaml").read_text("utf-8")
    return parse(text, translate=i18n.language() != i18n.SOURCE)
