"""An audit of the whole shipped set — curated, imported, and every same_as link — one test per
class of error found in it (issue 12): an indicator that was left out coming back through a link;
a catch-all registry wildcard; one product under two tiers; an identifier copied wrongly from the
machine-readable source it cites."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from device_checkup.signatures.importers import left_out_indicators
from device_checkup.signatures.loader import load_set

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def sigset():
    s = load_set()
    assert s.problems == [] and s.changed == []
    return s


def effective_tier(sigset) -> dict[str, str]:
    """A family's tier as a person sees it: matches of a family named in another's same_as are
    reported under that other family, with its tier."""
    tiers = {f.id: f.tier for f in sigset.families}
    for f in sigset.families:
        for other in f.same_as:
            tiers[other] = f.tier
    return tiers


def linked_groups(sigset) -> dict[str, int]:
    """Family id → number of its group of families joined by same_as links."""
    parent = {f.id: f.id for f in sigset.families}

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for f in sigset.families:
        for other in f.same_as:
            if other in parent:
                parent[root(other)] = root(f.id)
    return {fid: root(fid) for fid in parent}


# -- a left-out indicator can't come back through a link ------------------------------------------
def test_left_out_indicators_are_in_no_family_of_the_shipped_set(sigset):
    left_out = left_out_indicators()
    assert left_out["process_names"]["winpty-agent.exe"]            # the one issue 12 found
    found = [(f.id, ind.kind, ind.value) for f in sigset.families for ind in f.indicators
             if ind.value.lower() in left_out.get(ind.kind, {})]
    assert found == []


def test_net_monitor_for_employees_no_longer_brings_back_winpty(sigset):
    from device_checkup.signatures.index import compile_set
    fam = sigset.family("netmonitor-employees")
    linked = [sigset.family(o) for o in fam.same_as]
    values = {i.value.lower() for f in [fam, *linked] for i in f.indicators}
    assert "winpty-agent.exe" not in values and "nmep_ctrlagentsvc.exe" in values
    assert compile_set(sigset) is not None


def test_curated_notes_name_every_left_out_process(sigset):
    notes = (Path(__file__).parent.parent / "docs" / "curated-notes.md").read_text(encoding="utf-8").lower()
    for name in left_out_indicators()["process_names"]:
        assert name in notes, f"{name} is left out but docs/curated-notes.md does not say why"


# -- a registry wildcard that matches every program -----------------------------------------------
SHARED_KEYS = ("uninstall", "run", "runonce", "services", "software", "wow6432node", "classes", "clsid")


def test_no_registry_wildcard_stands_for_every_entry_under_a_key_all_programs_share(sigset):
    bad = []
    for f in sigset.families:
        for ind in f.indicators:
            if ind.kind not in ("registry_keys", "registry_values"):
                continue
            key = ind.key if ind.kind == "registry_values" else ind.value
            parts = key.rstrip("\\").split("\\")
            for i, part in enumerate(parts[1:], 1):
                if re.fullmatch(r"\{?[*?]+\}?", part) and parts[i - 1].lower() in SHARED_KEYS:
                    bad.append((f.id, key))
    assert bad == []


def test_the_lolrmm_importer_drops_the_guid_wildcard_and_says_so():
    from device_checkup.signatures.importers.lolrmm import registry_key
    key, why = registry_key(r"HKLM\SOFTWARE\WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\{*}")
    assert key is None and "every entry" in why
    assert registry_key(r"HKLM\SOFTWARE\TeamViewer\*")[0] == r"HKLM\SOFTWARE\TeamViewer\*"


# -- one product, one tier --------------------------------------------------------------------------
# Pairs of unlinked families that share an identifying indicator or a name although their tiers
# differ, each with the reason it is left so. Anything else is an error.
ALLOWED_TIER_CLASHES = {
    frozenset({"echap.screentime", "echap.webwatcher"}):
        "Echap lists 'Screentime' and screentimelabs.com under WebWatcher (stalkerware) and also has a "
        "ScreenTime watchware entry; kept as Echap publishes them",
    frozenset({"echap.discovenger", "echap.spynger"}):
        "Echap lists Discovenger as another name of Spynger (stalkerware) and as its own watchware entry",
    frozenset({"echap.discovenger", "spynger"}):
        "the curated Spynger family links Echap's Spynger, which names Discovenger (see above)",
}
IDENTIFYING = ("domains", "process_names", "bundle_ids", "launchd_labels", "extension_ids", "service_names",
               "executable_paths", "file_paths", "registry_keys", "autostart_names", "program_names", "sha256")


def _clashes(sigset, values_of) -> list:
    tier = effective_tier(sigset)
    group = linked_groups(sigset)
    owners = defaultdict(set)
    for f in sigset.families:
        for value in values_of(f):
            owners[value].add(f.id)
    out = []
    for value, ids in owners.items():
        for a in ids:
            for b in ids:
                if a < b and group[a] != group[b] and tier[a] != tier[b] \
                        and frozenset({a, b}) not in ALLOWED_TIER_CLASHES:
                    out.append((value, a, tier[a], b, tier[b]))
    return sorted(out)


def test_one_product_one_tier_by_indicator(sigset):
    values = lambda f: {(i.kind, i.value.lower()) for i in f.indicators if i.kind in IDENTIFYING}
    assert _clashes(sigset, values) == []


def test_one_product_one_tier_by_name(sigset):
    values = lambda f: {n.casefold() for n in (f.name, *f.aliases)}
    assert _clashes(sigset, values) == []


def test_the_products_issue_12_found_under_two_tiers_have_one(sigset):
    tier = effective_tier(sigset)
    assert tier["spyagent"] == tier["spyanywhere"] == tier["lolrmm.spyanywhere"] == "stalkerware"
    kidlogger = {tier[f.id] for f in sigset.families
                 if any(i.kind == "domains" and i.value == "kidlogger.net" for i in f.indicators)}
    assert kidlogger == {"stalkerware"}
    assert not any(f.id.endswith("-watchware") for f in sigset.families)     # Echap's doubles merged


def test_allowed_clashes_still_exist(sigset):
    """An allowance that no longer matches anything is removed, so the list stays true."""
    ids = {f.id for f in sigset.families}
    for pair in ALLOWED_TIER_CLASHES:
        assert pair <= ids, pair


# -- identifiers copied from a machine-readable source match it ---------------------------------------
def _defender_strings() -> dict[str, list[str]]:
    by_path = defaultdict(list)
    for line in (DATA / "defender_strings.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            path, text = line.split("\t", 1)
            by_path[path].append(text.lower())
    return by_path


def test_every_cited_defender_signature_is_in_the_extract(sigset):
    strings = _defender_strings()
    for f in sigset.families:
        for url in f.source_urls:
            m = re.match(r"https://github.com/roadwy/DefenderYara/blob/main/(.+\.yar)$", url)
            if m:
                assert m.group(1) in strings, (f.id, url)


@pytest.mark.parametrize("kind", ["bundle_ids", "launchd_labels"])
def test_mac_identifiers_of_families_citing_defender_are_in_the_cited_signatures(sigset, kind):
    """iKeyMonitor carried 'com.ikm.macos.userage' where its source has com.ikm.macos.useragent.plist:
    an identifier taken from a signature must be found, whole, in that signature's strings."""
    strings = _defender_strings()
    wrong = []
    for f in sigset.families:
        cited = [t for url in f.source_urls
                 if (m := re.match(r"https://github.com/roadwy/DefenderYara/blob/main/(.+\.yar)$", url))
                 for t in strings.get(m.group(1), [])]
        if not cited:
            continue
        for ind in f.indicators:
            if ind.kind == kind:
                value = ind.value.lower()
                # whole: not followed by more of an identifier ('com.a.b' is not in 'com.a.bc')
                if not any(re.search(re.escape(value) + r"(?![a-z0-9-])", t) for t in cited):
                    wrong.append((f.id, ind.value))
    assert wrong == []


def test_ikeymonitor_macos_agent_is_the_one_its_source_names(sigset):
    fam = sigset.family("ikeymonitor")
    values = {(i.kind, i.value) for i in fam.indicators}
    assert ("launchd_labels", "com.ikm.macos.useragent") in values
    assert ("file_paths", "/Library/Application Support/ikeymonitor-support") in values
    assert not any("userage" == v.rsplit(".", 1)[-1] for _, v in values)
