"""The Echap and LOLRMM importers, on the real data in ../shared/data.

What the issue asks: every Echap family and every network indicator survives (including the
``c2: ip:`` spelling); LOLRMM tools become the remote-access tier with their programs, paths,
disk artefacts, registry keys and domains; the shipped files are exactly what the importers make
of the data today; and whatever is left out is said, never dropped silently.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from device_checkup.signatures.importers import as_domain, host_of, render_signature_file, slug
from device_checkup.signatures.importers.echap import EchapError, import_echap
from device_checkup.signatures.importers.lolrmm import LolrmmError, import_lolrmm, left_out, program_name, registry_key
from device_checkup.signatures.importers.regenerate import ECHAP_HEADER, LOLRMM_HEADER
from device_checkup.signatures.loader import load_file, load_set
from device_checkup.signatures.manifest import data_folder

from .helpers import ROOT, SHARED

ECHAP = SHARED / "data" / "echap"
LOLRMM = SHARED / "data" / "lolrmm"
ECHAP_FILES = [str(ECHAP / "ioc.yaml"), str(ECHAP / "watchware.yaml")]


@pytest.fixture(scope="module")
def echap():
    return import_echap(ECHAP_FILES)


@pytest.fixture(scope="module")
def lolrmm():
    return import_lolrmm(str(LOLRMM))


def raw_entries(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def validates(doc, header, tmp_path, name):
    path = tmp_path / name
    path.write_text(render_signature_file(doc, header), encoding="utf-8")
    sf, problems = load_file(str(path))
    assert problems == []
    return sf


# -- Echap ---------------------------------------------------------------------------------
def test_every_echap_family_is_imported_once(echap):
    doc, _ = echap
    entries = raw_entries(ECHAP_FILES[0]) + raw_entries(ECHAP_FILES[1])
    names = list(dict.fromkeys(e["name"] for e in entries))
    assert len(entries) == 174 and len(doc["families"]) == len(names) == 172
    assert [f["name"] for f in doc["families"]] == names
    ids = [f["id"] for f in doc["families"]]
    assert len(set(ids)) == len(ids)
    # WiseMo and FindMyKids are in both files: one product, one family, one tier (ioc.yaml's),
    # holding what both files know of it.
    both = {f["id"]: f for f in doc["families"] if f["id"] in ("echap.wisemo", "echap.findmykids")}
    assert {f["tier"] for f in both.values()} == {"stalkerware"} and len(both) == 2
    for fam in both.values():
        from_files = {s["covers"].rsplit("(from ", 1)[1].rstrip(")") for s in fam["sources"]}
        assert from_files == {"ioc.yaml", "watchware.yaml"}
    watch = [e for e in raw_entries(ECHAP_FILES[1]) if e["name"] == "WiseMo"][0]
    assert set(d.lower() for d in watch.get("websites", [])) <= set(both["echap.wisemo"]["indicators"]["domains"])
    tiers = {f["tier"] for f in doc["families"]}
    assert tiers == {"stalkerware", "watchware"}


def test_every_echap_network_indicator_survives_or_is_named_in_the_notes(echap):
    doc, notes = echap
    by_name = {}
    for f in doc["families"]:
        by_name.setdefault(f["name"], []).append(f)
    missing = []
    for path in ECHAP_FILES:
        for entry in raw_entries(path):
            fam = next(f for f in by_name[entry["name"]]
                           if any(src["covers"].endswith(f"{os.path.basename(path)})") for src in f["sources"]))
            kept = set(fam["indicators"].get("domains", [])) | set(fam["indicators"].get("ips", []))
            c2 = entry.get("c2") or {}
            for raw in (entry.get("websites") or []) + (entry.get("distribution") or []) + \
                    (c2.get("domains") or []) + (c2.get("ips") or []) + (c2.get("ip") or []):
                host = host_of(raw)
                if host not in kept and not any(f"'{raw}'" in n for n in notes):
                    missing.append((entry["name"], raw))
    assert missing == []
    left = [n for n in notes if "left out" in n and "certificate" not in n]
    assert len(left) == 2 and all("github.com" in n for n in left)


def test_the_c2_ip_misspelling_is_kept(echap):
    doc, _ = echap
    mobistealth = next(f for f in doc["families"] if f["name"] == "MobiStealth")
    assert {"72.167.46.196", "5.79.71.114"} <= set(mobistealth["indicators"]["ips"])
    ahmyth = next(f for f in doc["families"] if f["name"] == "Ahmyth")
    assert "85.10.199.40" in ahmyth["indicators"]["ips"]


def test_a_family_with_only_phone_app_ids_still_survives(echap):
    doc, _ = echap
    spymie = next(f for f in doc["families"] if f["name"] == "Spymie")
    assert set(spymie["indicators"]) <= {"mobile_app_ids", "android_cert_sha1"}
    assert spymie["platforms"] == ["android"]


def test_android_signing_certificates_are_kept_for_the_phone_check(echap):
    doc, notes = echap
    # TheTruthSpy's first certificate in Echap's ioc.yaml (lines 28-29 of the shared copy).
    truthspy = next(f for f in doc["families"] if f["name"] == "TheTruthSpy")
    assert "31A6ECECD97CF39BC4126B8745CD94A7C30BF81C" in truthspy["indicators"]["android_cert_sha1"]
    assert not any("certificate" in n for n in notes)


def test_echap_output_validates_and_says_where_it_came_from(echap, tmp_path):
    doc, _ = echap
    sf = validates(doc, ECHAP_HEADER, tmp_path, "echap.yaml")
    assert sf.license == "CC BY 4.0" and "Echap" in sf.attribution
    assert all(f.sources and "AssoEchap/stalkerware-indicators" in f.sources[0][0] for f in sf.families)


@pytest.mark.parametrize("text, message", [
    ("just: a mapping\n", "not an Echap indicator file"),
    ("- [1, 2]\n", "not an Echap indicator file"),
    ("- name: x\n  c2: [: broken\n", "not readable YAML"),
])
def test_a_file_that_is_not_echap_is_refused_plainly(tmp_path, text, message):
    path = tmp_path / "ioc.yaml"
    path.write_text(text)
    with pytest.raises(EchapError, match=message):
        import_echap([str(path)])


# -- LOLRMM --------------------------------------------------------------------------------
def test_every_lolrmm_tool_is_imported_or_named_in_the_notes(lolrmm):
    doc, notes = lolrmm
    files = sorted(f for f in os.listdir(LOLRMM / "yaml") if f.endswith((".yaml", ".yml")))
    assert len(files) == 319
    imported = {f["id"] for f in doc["families"]}
    whole_tool_notes = {n.split(":", 1)[0] for n in notes
                        if ": left out:" in n[:len(n.split(":", 1)[0]) + 12] or n.endswith("can use; left out")}
    unexplained = [f for f in files
                   if f"lolrmm.{slug(os.path.splitext(f)[0])}" not in imported and f not in whole_tool_notes]
    assert unexplained == []
    assert all(f["tier"] == "remote-access" for f in doc["families"])
    assert len(doc["families"]) > 250


def test_anydesk_carries_each_kind_lolrmm_gives(lolrmm):
    doc, _ = lolrmm
    anydesk = next(f for f in doc["families"] if f["id"] == "lolrmm.anydesk")
    ind = anydesk["indicators"]
    assert "anydesk.exe" in ind["process_names"]
    assert "C:\\Program Files (x86)\\AnyDesk\\*" in ind["executable_paths"]
    assert "C:\\Program Files\\AnyDesk" in ind["file_paths"]
    assert "%ProgramData%\\AnyDesk\\connection_trace.txt" in ind["file_paths"]
    assert "~/.config/AnyDesk/Logs" in ind["file_paths"]
    assert "HKLM\\SYSTEM\\CurrentControlSet\\Services\\AnyDesk" in ind["registry_keys"]
    assert {"boot.net.anydesk.com", "anydesk.com"} <= set(ind["domains"])
    assert ind["sha256"] and all(len(h) == 64 for h in ind["sha256"])
    assert set(anydesk["platforms"]) >= {"windows", "macos", "linux"}
    assert anydesk["sources"][0]["url"].endswith("/yaml/anydesk.yaml")


def test_left_out_tools_and_shared_or_generic_indicators_are_not_shipped(lolrmm):
    doc, notes = lolrmm
    ids = {f["id"] for f in doc["families"]}
    for stem in left_out():
        assert f"lolrmm.{stem}" not in ids
        assert any(n.startswith(f"{stem}.") and "left out" in n for n in notes), stem
    assert "lolrmm.nvda" not in ids and "lolrmm.putty" not in ids
    domains = {d for f in doc["families"] for d in f["indicators"].get("domains", [])}
    assert not domains & {"github.com", "raw.githubusercontent.com", "microsoft.com", "google.com"}
    names = {(n["name"] if isinstance(n, dict) else n).lower() for f in doc["families"]
             for n in f["indicators"].get("process_names", [])}
    assert not names & {"agent.exe", "connect.exe", "qq.exe", "level.exe", "libeay32.dll"}
    everything = yaml.safe_dump(doc)
    assert "<" not in everything.replace("<-", "") and "**" not in everything


@pytest.mark.parametrize("raw, expected", [
    ("HKU\\<SID>\\SOFTWARE\\TeamViewer\\*", "HKCU\\SOFTWARE\\TeamViewer\\*"),
    ("HKEY_LOCAL_MACHINE\\WOW6432Node\\Citrix\\GoToMyPc", "HKLM\\SOFTWARE\\WOW6432Node\\Citrix\\GoToMyPc"),
    ("KLM\\SOFTWARE\\WOW6432Node\\Splashtop Inc.", "HKLM\\SOFTWARE\\WOW6432Node\\Splashtop Inc."),
    ("HKLM\\SYSTEM\\ControlSet\\Services\\EventLog\\Application\\AteraAgent",
     "HKLM\\SYSTEM\\CurrentControlSet\\Services\\EventLog\\Application\\AteraAgent"),
    ("HKU\\.DEFAULT\\Software\\Ammyy\\Admin", None),
    ("HKLM\\SOFTWARE", None),
])
def test_registry_keys_are_read_the_way_windows_writes_them(raw, expected):
    assert registry_key(raw)[0] == expected


@pytest.mark.parametrize("raw, ok", [
    ("AnyDesk.exe", True), ("ControlR.Agent.exe", True), ("nezha-agent", True), ("winvnc*.exe", True),
    ("agent.exe", False), ("dd.exe", False), ("libeay32.dll", False), ("C:\\Windows\\<random>.exe", False),
    ("ImmyBot.msi", False),
])
def test_program_names_are_kept_only_when_they_name_one_program(raw, ok):
    assert (program_name(raw)[0] is not None) is ok


def test_lolrmm_output_validates_with_attribution(lolrmm, tmp_path):
    doc, _ = lolrmm
    sf = validates(doc, LOLRMM_HEADER, tmp_path, "lolrmm.yaml")
    assert sf.license == "Apache-2.0" and "LOLRMM" in sf.attribution


def test_a_folder_without_tools_is_refused(tmp_path):
    with pytest.raises(LolrmmError):
        import_lolrmm(str(tmp_path))


def test_a_broken_tool_file_becomes_a_note(tmp_path):
    (tmp_path / "good.yaml").write_text("Name: GoodTool\nDetails:\n  PEMetadata:\n    - Filename: goodtool.exe\n")
    (tmp_path / "bad.yaml").write_text("Name: [unclosed\n")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    doc, notes = import_lolrmm(str(tmp_path))
    assert [f["id"] for f in doc["families"]] == ["lolrmm.good"]
    assert any(n.startswith("bad.yaml: could not be read") for n in notes)
    assert any(n.startswith("list.yaml: not a LOLRMM tool entry") for n in notes)


# -- the shipped set -------------------------------------------------------------------------
@pytest.mark.parametrize("name, make, header", [
    ("echap.yaml", lambda: import_echap(ECHAP_FILES), ECHAP_HEADER),
    ("lolrmm.yaml", lambda: import_lolrmm(str(LOLRMM)), LOLRMM_HEADER),
])
def test_the_shipped_files_are_what_the_importers_make_today(name, make, header):
    doc, _ = make()
    with open(os.path.join(data_folder(), name), encoding="utf-8") as f:
        shipped = f.read()
    assert shipped == render_signature_file(doc, header), \
        f"{name} is out of date: run python -m signatures.importers.regenerate"


def test_the_shipped_set_holds_the_imported_and_curated_files_with_attribution():
    sigset = load_set()
    assert sigset.problems == [] and sigset.changed == []
    labels = {os.path.basename(sf.path): sf for sf in sigset.files}
    assert {"curated.yaml", "echap.yaml", "lolrmm.yaml", "remote-access.yaml"} <= set(labels)
    assert all(name.startswith("curated") or name == "remote-access.yaml"
               for name in set(labels) - {"echap.yaml", "lolrmm.yaml"})
    assert all(sf.attribution for sf in labels.values())
    assert "Echap" in labels["echap.yaml"].attribution and "LOLRMM" in labels["lolrmm.yaml"].attribution
    # Every family this project writes: curated*.yaml and the remote-access families.
    curated = sum(len(sf.families) for name, sf in labels.items()
                  if name.startswith("curated") or name == "remote-access.yaml")
    assert curated >= 150
    assert sigset.counts()["families"] >= curated + 172 + 250


def test_the_import_commands_write_a_file_that_validates(tmp_path):
    out = tmp_path / "e.yaml"
    proc = subprocess.run([sys.executable, "-m", "device_checkup.app.cli", "signatures", "import", "echap", *ECHAP_FILES,
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 172 families" in proc.stderr
    sf, problems = load_file(str(out))
    assert problems == [] and len(sf.families) == 172
    # Validating it beside the built-in set names each id the shipped echap.yaml already uses.
    check = subprocess.run([sys.executable, "-m", "device_checkup.app.cli", "signatures", "validate", str(out)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert check.returncode == 1 and "'echap.mspy' is already used in built-in echap.yaml" in check.stdout
    bad = tmp_path / "not-echap.yaml"
    bad.write_text("hello: world\n")
    proc = subprocess.run([sys.executable, "-m", "device_checkup.app.cli", "signatures", "import", "echap", str(bad),
                           "-o", str(tmp_path / "x.yaml")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3 and "not an Echap indicator file" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "x.yaml").exists()


def test_as_domain_and_host_of():
    assert host_of("https://App.Example.com:8443/path?q=1") == "app.example.com"
    assert host_of("[2001:db8::1]:443") == "2001:db8::1"
    assert as_domain("*.example.com") == "example.com"
    assert as_domain("relay-[a-f0-9]{8}.net.anydesk.com") is None
    assert as_domain("user_managed") is None and as_domain("10.0.0.1") is None


def test_lolrmm_names_without_a_windows_ending_keep_to_the_tools_platforms(lolrmm):
    doc, _ = lolrmm
    by_id = {f["id"]: f for f in doc["families"]}
    scoped = {n["name"]: n["platforms"] for f in doc["families"]
              for n in f["indicators"].get("process_names", []) if isinstance(n, dict)}
    assert scoped["tmate"] == ["linux", "macos"] and scoped["AnyViewer"] == ["windows"]
    assert "vncviewer.exe" not in by_id["lolrmm.ultra-vnc"]["indicators"]["process_names"]
    assert "tvnserver.exe" not in by_id["lolrmm.tigervnc"]["indicators"].get("process_names", [])
    assert by_id["lolrmm.screenconnect"]["same_as"] == ["lolrmm.connectwise-control", "lolrmm.247ithelp-com-connectwise"]
