#!/usr/bin/env python3
"""Rewrite tests/data/real/lnk-targets.tsv's reference column with LnkParse3 (a developer's tool).

The tests compare Device Checkup's shortcut reader with an independent one. LnkParse3
(https://github.com/Matmaus/LnkParse3, MIT; ``pip install LnkParse3``) reads the parts of a
shortcut but composes no target, so the reference target is taken, in this order, from its
LinkInfo local base path (+ common path suffix), its environment-variable block, the names of
its ID-list items (volume + file entries; LnkParse3 gives 8.3 names there), or its relative path;
"reference_form" says which. Provenance columns are kept as they are.

    python3 tools/lnk_reference.py            # rewrites the file in place
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

TSV = Path(__file__).resolve().parents[1] / "tests" / "data" / "real" / "lnk-targets.tsv"


def reference(data: bytes) -> tuple[str, str]:
    import LnkParse3
    parsed = LnkParse3.lnk_file(indata=data).get_json()
    info = parsed.get("link_info") or {}
    base = info.get("local_base_path_unicode") or info.get("local_base_path")
    if base:
        suffix = info.get("common_path_suffix_unicode") or info.get("common_path_suffix") or ""
        return "linkinfo", base.rstrip("\\") + "\\" + suffix if suffix else base
    env = (parsed.get("extra") or {}).get("ENVIRONMENTAL_VARIABLES_LOCATION_BLOCK")
    if env:
        return "env", env.get("target_unicode") or env.get("target_ansi") or ""
    names: list[str] | None = []
    for item in (parsed.get("target") or {}).get("items") or []:
        kind = item.get("class")
        if kind == "Root Folder":
            continue
        if kind == "Volume Item":
            names.append((item.get("data") or "").rstrip("\\"))
        elif kind == "File entry":
            names.append(item.get("primary_name") or "")
        else:
            names = None
            break
    if names and len(names) > 1:
        return "idlist", "\\".join(names)
    return "relative", (parsed.get("data") or {}).get("relative_path") or ""


def main() -> int:
    with open(TSV, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for row in rows:
        try:
            row["reference_form"], row["reference_target"] = reference((TSV.parent / "lnk" / row["file"]).read_bytes())
        except Exception as exc:  # noqa: BLE001 - the reference could not read it: say so in the file
            row["reference_form"], row["reference_target"] = "unreadable", type(exc).__name__
    with open(TSV, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
