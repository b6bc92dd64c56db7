"""STIX 2.1 bundles as MVT publishes them (tests/data/stix2, real files from mvt-indicators): the
importer, `checkup signatures import stix2`, and `checkup scan --signatures FILE.stix2`."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from device_checkup.signatures.importers import render_signature_file
from device_checkup.signatures.importers.stix2 import Stix2Error, import_stix2, laptop_families, looks_like_stix2
from device_checkup.signatures.loader import load_file, load_set

DATA = Path(__file__).parent / "data" / "stix2"
ROOT = Path(__file__).parent.parent
EAGLE, DARK, CELLEBRITE = (str(DATA / n) for n in ("eaglemsgspy.stix2", "darksword.stix2", "cellebrite.stix2"))


def bundle_values(path: str, prefix: str) -> list[str]:
    """The values of the patterns of one object type in a bundle, read independently."""
    objects = json.loads(Path(path).read_text())["objects"]
    out = []
    for o in objects:
        if o["type"] == "indicator" and o["pattern"].startswith(f"[{prefix}"):
            out.append(o["pattern"].split("=", 1)[1].strip(" ']").strip("'"))
    return out


def test_a_bundle_keeps_its_name_description_and_every_laptop_indicator():
    doc, notes = import_stix2([EAGLE])
    [fam] = doc["families"]
    assert fam["name"] == "EagleMsgSpy" and fam["id"] == "eaglemsgspy.eaglemsgspy"
    assert fam["description"].startswith("IOCs for EagleMsgSpy as documented by Lookout Security")
    ind = fam["indicators"]
    assert sorted(ind["domains"]) == sorted({v.lower() for v in bundle_values(EAGLE, "domain-name")})
    assert sorted(ind["ips"]) == sorted(set(bundle_values(EAGLE, "ipv4-addr")))
    assert sorted(ind["sha256"]) == sorted({v.lower() for v in bundle_values(EAGLE, "file:hashes")})
    assert (len(ind["domains"]), len(ind["ips"]), len(ind["sha256"])) == (13, 13, 25)
    assert any(s["url"] == "file:eaglemsgspy.stix2" for s in fam["sources"])
    assert len(notes) == 1 and "Nothing was left out" in notes[0] and "13 domains" in notes[0]
    sf, problems = load_file("x.yaml", text=render_signature_file(doc, "t"))
    assert problems == [] and len(sf.families) == 1


def test_what_a_laptop_cannot_use_is_counted_in_one_plain_line():
    doc, notes = import_stix2([DARK])
    [fam] = doc["families"]
    assert fam["name"] == "DarkSword" and "ips" in fam["indicators"] and "domains" in fam["indicators"]
    assert len(notes) == 1
    line = notes[0]
    assert "Left out: 22 file paths; 7 file names." in line and "\n" not in line
    assert not any("/private/" in v for vs in fam["indicators"].values() for v in vs)


def test_a_bundle_of_phone_app_ids_only_adds_nothing_a_laptop_looks_for():
    doc, notes = import_stix2([CELLEBRITE])
    assert laptop_families(doc) == 0
    assert doc["families"][0]["indicators"] == {"mobile_app_ids": ["com.client.appA"]}


def test_several_bundles_make_one_file():
    doc, _ = import_stix2([EAGLE, DARK])
    assert [f["name"] for f in doc["families"]] == ["EagleMsgSpy", "DarkSword"]


def test_not_a_bundle_is_refused(tmp_path):
    bad = tmp_path / "x.stix2"
    bad.write_text('{"type": "report", "objects": []}')
    with pytest.raises(Stix2Error):
        import_stix2([str(bad)])
    assert looks_like_stix2(Path(EAGLE).read_text()) and not looks_like_stix2("schema: 1\nfamilies: []")


def run(*args):
    return subprocess.run([sys.executable, "-m", "device_checkup.app.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_the_import_command_writes_a_file_that_validates(tmp_path):
    out = tmp_path / "eagle.yaml"
    proc = run("signatures", "import", "stix2", EAGLE, DARK, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "wrote 2 families" in proc.stderr and "Left out: 22 file paths" in proc.stderr
    sf, problems = load_file(str(out))
    assert problems == [] and len(sf.families) == 2


def test_the_import_command_writes_nothing_for_a_file_that_adds_nothing(tmp_path):
    out = tmp_path / "c.yaml"
    proc = run("signatures", "import", "stix2", CELLEBRITE, "-o", str(out))
    assert proc.returncode == 3 and not out.exists()
    assert "nothing a laptop check can look for" in proc.stderr


def test_a_stix2_file_given_to_a_scan_is_loaded_and_its_dropped_part_said():
    s = load_set([DARK])
    user = [f for f in s.files if f.user_file]
    assert len(user) == 1 and user[0].families[0].name == "DarkSword"
    assert s.problems == [] and len(s.notes) == 1 and "Left out: 22 file paths" in s.notes[0]


def test_a_stix2_file_that_adds_nothing_is_said_and_not_listed_as_loaded():
    s = load_set([CELLEBRITE])
    assert not any(f.user_file for f in s.files)
    assert len(s.problems) == 1 and "adds nothing a laptop check can look for" in s.problems[0].message


def test_scan_with_a_stix2_file(tmp_path):
    proc = run("scan", "--root", str(tmp_path), "--platform", "linux", "--json",
               "--signatures", EAGLE, "--signatures", CELLEBRITE)
    assert proc.returncode in (0, 1), proc.stderr
    doc = json.loads(proc.stdout)
    user = [f for f in doc["signatures"]["files"] if f["user_file"]]
    assert [f["name"] for f in user] == ["STIX 2: eaglemsgspy.stix2"]
    assert "eaglemsgspy.stix2: kept 1 spyware entry" in proc.stderr
    said = [n for n in doc["not_checked"] if "cellebrite.stix2" in n["what"]]
    assert said and "adds nothing" in said[0]["detail"]
