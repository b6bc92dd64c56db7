"""docs/coverage.md is made from the signature data and docs/coverage-left-out.yaml, and stays so."""
from __future__ import annotations

from device_checkup.signatures.importers import coverage
from device_checkup.signatures.loader import load_set


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


def test_signatures_info_counts_families_per_platform_and_tier():
    import subprocess
    import sys
    from pathlib import Path
    from device_checkup.app.cli import platform_tier_counts
    sigset = load_set()
    table = platform_tier_counts(sigset)
    proc = subprocess.run([sys.executable, "-m", "device_checkup.app.cli", "signatures", "info"], capture_output=True, text=True,
                          cwd=Path(__file__).parent.parent, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.strip().startswith("platform"))
    tiers = header.split()[1:-1]
    for platform in ("windows", "macos", "linux"):
        row = next(line for line in lines if line.strip().startswith(platform + " "))
        numbers = [int(n) for n in row.split()[1:]]
        assert numbers[:-1] == [table[platform].get(t, 0) for t in tiers] and numbers[-1] == sum(numbers[:-1])
    # A family counts on each desktop platform it names: Spyrix on Windows and macOS.
    spyrix = sigset.family("spyrix")
    assert {"windows", "macos"} <= set(spyrix.platforms)
    assert table["macos"]["stalkerware"] >= 10 and table["linux"]["monitoring"] >= 3
