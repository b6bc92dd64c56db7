"""Rebuild tests/data/defender_strings.tsv from a local clone of roadwy/DefenderYara.

    python tools/defender_strings.py PATH_TO_DEFENDERYARA_CLONE

Reads every Microsoft Defender signature (.yar) that a curated family cites and writes the
strings its rules decode in their comments, one per line, so that tests can check identifiers
copied from a signature against it without the network.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from device_checkup.signatures.loader import load_set  # noqa: E402

CITED = re.compile(r"https://github.com/roadwy/DefenderYara/blob/main/(.+\.yar)$")
STRING = re.compile(r"\$\w+\s*=\s*\{[^}]*\}\s*//\s*\d+\s*(.*)")


def main(repo: str) -> int:
    paths = sorted({m.group(1) for f in load_set().families for url in f.source_urls if (m := CITED.match(url))})
    commit = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True,
                            check=True).stdout.strip()
    out = ["# Strings of the Microsoft Defender signatures that curated families cite, as decoded in",
           f"# roadwy/DefenderYara (https://github.com/roadwy/DefenderYara) at commit {commit}.",
           "# One line per string: <path in that repository> TAB <the string, as the rule's comment gives it>.",
           "# Made by tools/defender_strings.py (each cited .yar file's '$name = {hex} //weight text' lines)."]
    missing = []
    for path in paths:
        shown = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, text=True,
                               errors="replace")
        if shown.returncode:
            missing.append(path)
            continue
        seen: set[str] = set()
        for m in STRING.finditer(shown.stdout):
            text = m.group(1).strip()
            if text and text not in seen and text.isprintable():
                seen.add(text)
                out.append(f"{path}\t{text}")
    (ROOT / "tests" / "data" / "defender_strings.tsv").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(paths)} signatures, {len(out) - 4} strings" + (f"; not found: {missing}" if missing else ""))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
