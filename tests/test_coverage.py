"""docs/coverage.md is made from the signature data and docs/coverage-left-out.yaml, and stays so."""
from __future__ import annotations

from signatures.importers import coverage
from signatures.loader import load_set


def test_coverage_page_is_what_the_data_makes():
    assert coverage.DOC.read_text(encoding="utf-8") == coverage.render(), \
        "docs/coverage.md is out of date: run python -m signatures.importers.coverage"


def test_every_curated_family_is_on_the_page_with_a_status_and_its_sources():
    sigset = load_set()
    rows = coverage.family_rows(sigset)
    curated = [f for f in sigset.families if f.file.startswith("built-in curated")]
    assert len(rows) == len(curated) >= 130
    for r in rows:
        assert r["status"] in ("in set", "partial") and r["sources"]
        assert (r["status"] == "in set") == all(r["per_platform"].values())


def test_partial_means_a_platform_without_an_install_artefact():
    sigset = load_set()
    rows = {r["family"].id: r for r in coverage.family_rows(sigset)}
    # Refog: Windows folders and registry keys, macOS folder /Library/.Refog.
    assert rows["refog"]["status"] == "in set"
    # Ardamax is known only by its name and its vendor's domain.
    assert rows["ardamax"]["status"] == "partial" and rows["ardamax"]["missing"] == ["windows"]


def test_every_product_left_out_says_why():
    entries = coverage.left_out()
    assert len(entries) >= 10
    for e in entries:
        assert str(e["name"]).strip() and len(str(e["why"]).split()) >= 5
        assert all(str(u).startswith("https://") for u in e.get("sources") or [])
    curated_names = {f.name.casefold() for f in load_set().families if f.file.startswith("built-in curated")}
    assert not any(str(e["name"]).casefold() in curated_names for e in entries)
