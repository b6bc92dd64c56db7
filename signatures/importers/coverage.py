"""docs/coverage.md, made from the signature data and the short list of products left out
(docs/coverage-left-out.yaml), so that what it says stays true.

    python -m signatures.importers.coverage          # rewrite docs/coverage.md
    python -m signatures.importers.coverage --check  # exit 1 if it is out of date

For every curated desktop family: the platforms it is sold for, the kinds of indicator a real
install leaves that the set holds on each (its own and those of the families it links with
``same_as``), a status — "in set" when each of its desktop platforms has at least one such
indicator, "partial" when some platform has none, or when only its name or its servers are
known — and its sources.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml

from ..loader import DESKTOP, SignatureSet, builtin_label, load_set

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "coverage.md"
LEFT_OUT = ROOT / "docs" / "coverage-left-out.yaml"

# Kinds that a real install leaves on the machine, and the platforms each can show on.
ARTEFACT_KINDS = ("process_names", "executable_paths", "file_paths", "service_names", "task_names",
                  "registry_keys", "registry_values", "bundle_ids", "launchd_labels", "autostart_names",
                  "extension_ids", "sha256")
WORDS = {"process_names": "program", "executable_paths": "program path", "file_paths": "file or folder",
         "service_names": "service", "task_names": "task", "registry_keys": "registry key",
         "registry_values": "registry value", "bundle_ids": "bundle id", "launchd_labels": "launchd label",
         "autostart_names": "autostart entry", "extension_ids": "browser extension id", "sha256": "file hash",
         "program_names": "installed-program name", "domains": "domain", "ips": "address"}


def _indicator_platforms(ind) -> tuple[str, ...]:
    if ind.platforms:
        return ind.platforms
    if ind.kind in ("registry_keys", "registry_values", "task_names"):
        return ("windows",)
    if ind.kind in ("bundle_ids", "launchd_labels"):
        return ("macos",)
    if ind.kind == "process_names" and ind.value.lower().endswith((".exe", ".com", ".scr")):
        return ("windows",)
    return DESKTOP


def family_rows(sigset: SignatureSet) -> list[dict]:
    by_id = {f.id: f for f in sigset.families}
    rows = []
    for fam in sigset.families:
        if not os.path.basename(fam.file).startswith("curated") and not fam.file.startswith(builtin_label("curated")):
            continue
        linked = [fam] + [by_id[o] for o in fam.same_as if o in by_id]
        sold = [p for p in fam.platforms if p in DESKTOP] or list(DESKTOP)
        per_platform: dict[str, set[str]] = {p: set() for p in sold}
        other: set[str] = set()
        for f in linked:
            for ind in f.indicators:
                if ind.kind in ARTEFACT_KINDS:
                    for p in _indicator_platforms(ind):
                        if p in per_platform:
                            per_platform[p].add(WORDS[ind.kind])
                elif ind.kind in WORDS:
                    other.add(WORDS[ind.kind])
        missing = [p for p, kinds in per_platform.items() if not kinds]
        status = "in set" if not missing else "partial"
        rows.append({"family": fam, "sold": sold, "per_platform": per_platform, "other": other,
                     "status": status, "missing": missing,
                     "sources": sorted({url for f in linked for url in f.source_urls})})
    return sorted(rows, key=lambda r: (r["family"].tier, r["family"].name.casefold()))


def left_out() -> list[dict]:
    data = yaml.safe_load(LEFT_OUT.read_text(encoding="utf-8")) or []
    return sorted(data, key=lambda e: str(e["name"]).casefold())


def render(sigset: SignatureSet | None = None) -> str:
    sigset = sigset or load_set()
    rows = family_rows(sigset)
    out = ["# Coverage: the products Device Checkup looked at",
           "",
           "Made by `python -m signatures.importers.coverage` from the curated signature files and "
           "`docs/coverage-left-out.yaml`; a test fails while this page differs from what that command makes. "
           "Do not edit it by hand.",
           "",
           "**Status.** *in set*: on every desktop platform the product is sold for, the set holds at least "
           "one thing a real install leaves (program, path, folder, service, task, registry key, bundle id, "
           "launchd label, autostart entry, extension id, file hash). *partial*: on some platform it "
           "knows only the product's name in the installed-program list or its servers, or nothing; "
           "the reason is in `docs/curated-notes.md` or below. *left out*: no public source gave an "
           "indicator, or the product is left out on purpose.",
           ""]
    counts = {"in set": 0, "partial": 0}
    for r in rows:
        counts[r["status"]] += 1
    out += [f"{len(rows)} curated families: {counts['in set']} in set, {counts['partial']} partial; "
            f"{len(left_out())} products left out.", ""]
    tiers = sorted({r["family"].tier for r in rows})
    for tier in tiers:
        out += [f"## {tier}", "", "| product | sold for | what the set holds on each | status | sources |",
                "|---|---|---|---|---|"]
        for r in (r for r in rows if r["family"].tier == tier):
            fam = r["family"]
            holds = "; ".join(f"{p}: {', '.join(sorted(k)) or '—'}" for p, k in r["per_platform"].items())
            if r["other"]:
                holds += f" (also: {', '.join(sorted(r['other']))})"
            status = r["status"] + (f" (nothing on {', '.join(r['missing'])})" if r["missing"] else "")
            sold = ", ".join(p for p in fam.platforms) or "desktop"
            sources = " ".join(f"[{i}]({u})" for i, u in enumerate(r["sources"], 1))
            name = fam.name + (f" ({', '.join(fam.aliases[:3])})" if fam.aliases else "")
            out.append(f"| {name} | {sold} | {holds} | {status} | {sources} |")
        out.append("")
    out += ["## Left out", "", "| product | sold for | why | sources looked at |", "|---|---|---|---|"]
    for e in left_out():
        sources = " ".join(f"[{i}]({u})" for i, u in enumerate(e.get("sources") or [], 1)) or "—"
        out.append(f"| {e['name']} | {', '.join(e.get('platforms') or []) or '—'} | {e['why']} | {sources} |")
    out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        same = DOC.exists() and DOC.read_text(encoding="utf-8") == text
        print("docs/coverage.md is up to date" if same else "docs/coverage.md is out of date")
        return 0 if same else 1
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
