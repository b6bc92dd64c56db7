"""Ordinary software, by names taken from public package lists (Debian, Homebrew casks, winget:
tests/data/ordinary_software.tsv), put through every heuristic and every signature indicator a
name or an install place can meet. None may give a signature finding (every tier a signature
gives is above "worth checking"); a heuristic finding — a sign worth checking — only where the
list says why, next to the name."""
from __future__ import annotations

from pathlib import Path

import pytest

from device_checkup.checks.heuristics import program_heuristics, watching_word
from device_checkup.checks.records import AutostartEntry
from device_checkup.signatures.index import compile_set
from device_checkup.signatures.loader import load_set

LIST = Path(__file__).parent / "data" / "ordinary_software.tsv"
NAME_KINDS = ("process_names", "program_names", "service_names", "autostart_names", "task_names",
              "launchd_labels", "bundle_ids")


def rows() -> list[tuple[str, str, str, str]]:
    out = []
    for line in LIST.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, source, expected, why = (line.split("\t") + ["", "", ""])[:4]
            out.append((name, source, expected, why))
    return out


@pytest.fixture(scope="module")
def index():
    return compile_set(load_set())


def places(name: str) -> dict[str, list[str]]:
    """Where a program of this name is put when it is installed the ordinary way."""
    title = name[:1].upper() + name[1:]
    return {
        "windows": [f"C:\\Program Files\\{title}\\{name}.exe", f"C:\\Program Files (x86)\\{title}\\{name}.exe"],
        "macos": [f"/Applications/{title}.app/Contents/MacOS/{name}", f"/usr/local/bin/{name}"],
        "linux": [f"/usr/bin/{name}", f"/usr/lib/{name}/{name}", f"/opt/{name}/{name}"],
    }


def test_the_list_is_long_enough_and_from_three_package_lists():
    got = rows()
    assert len(got) >= 300
    assert len({n.casefold() for n, *_ in got}) == len(got)
    sources = {s.split(":", 1)[0] for _, s, _, _ in got}
    assert sources == {"debian", "homebrew-cask", "winget"}
    assert all(exp in ("", "heuristic") for _, _, exp, _ in got)
    assert all(why.strip() for _, _, exp, why in got if exp)      # a finding always says why


@pytest.mark.parametrize("name, source, expected, why", rows(), ids=[r[0] for r in rows()])
def test_ordinary_software_is_not_taken_for_watching_software(index, name, source, expected, why):
    hits = []
    for kind in NAME_KINDS:
        for value in (name, f"{name}.exe", f"{name}.app", name.replace("-", " ")):
            hits += [(kind, value, h.family.id) for h in index.name(kind, value)]
    for platform, paths in places(name).items():
        folders = {p.rsplit("\\" if platform == "windows" else "/", 1)[0] for p in paths}
        for path in paths:
            hits += [("executable_paths", path, h.family.id) for h in index.path("executable_paths", path, platform)]
        for folder in folders:
            hits += [("file_paths", folder, h.family.id) for h in index.path("file_paths", folder, platform)]
    assert hits == [], f"{name} ({source}) matches a signature"

    heuristic = []
    for platform, paths in places(name).items():
        for path in paths:
            entry = AutostartEntry(kind="run-key", name=name, location="test", command=path, executable=path)
            heuristic += [f.heuristic for f in program_heuristics("autostart", "autostart", entry,
                                                                  path, name, platform, True)]
    if expected == "heuristic":
        assert heuristic and set(heuristic) == {"watching-words"}, name
    else:
        assert heuristic == [], f"{name} ({source}) gives {heuristic}; if that is right, say why in the list"
        assert watching_word(name) is None
