"""The built-in set's compact form (issue 15 item 3) and loading once per process (issue 19 item 2).

The compact form must hold exactly what the YAML loader makes of the shipped files, and be
refused (the YAML read instead) whenever the manifest doesn't vouch for it."""
from __future__ import annotations

import gc
import hashlib
import os
import shutil

import yaml

from device_checkup.signatures import compact, loader, manifest
from device_checkup.signatures.loader import builtin_paths, load_set
from tests.helpers import family_yaml


def _meta(sigset):
    return [(f.path, f.name, f.version, f.license, f.attribution, f.sha256, f.user_file) for f in sigset.files]


def _digests(folder) -> dict[str, str]:
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
            for n in sorted(os.listdir(folder)) if n.endswith(".yaml")}


def test_the_compact_form_is_shipped_listed_and_current():
    folder = manifest.data_folder()
    listed = manifest.read_manifest(folder)
    assert compact.NAME in listed, "run: python -m signatures.manifest"
    got = compact.verified(folder, listed, _digests(__import__("pathlib").Path(folder)))
    assert got is not None, "the compact set is stale: run python -m signatures.manifest"


def test_the_compact_form_loads_exactly_what_the_yaml_loader_makes():
    fast = load_set()                                   # the compact form (verified above)
    slow = load_set(builtin_files=builtin_paths())      # every YAML file parsed and validated
    assert fast.families == slow.families and len(fast.families) > 100
    assert _meta(fast) == _meta(slow)
    assert fast.problems == slow.problems
    assert fast.sha256 == slow.sha256
    assert fast.changed == []


def test_a_user_file_still_goes_through_the_yaml_loader(tmp_path):
    user = tmp_path / "mine.yaml"
    user.write_text("schema: 1\nfamilies:\n" + family_yaml("mine", "monitoring", "process_names: [mine.exe]", name="Mine"))
    s = load_set([str(user)])
    assert [f.id for f in s.families if f.user_file] == ["mine"]
    assert s.problems == []


def _copy(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(manifest.data_folder(), folder)
    return folder


def test_a_tampered_compact_form_is_refused(tmp_path):
    folder = _copy(tmp_path)
    raw = (folder / compact.NAME).read_bytes()
    (folder / compact.NAME).write_bytes(raw.replace(b'"stalkerware"', b'"watchware"', 1))
    assert compact.verified(str(folder), manifest.read_manifest(str(folder)), _digests(folder)) is None


def test_a_compact_form_older_than_the_yaml_is_refused(tmp_path):
    # Someone changes a YAML file and regenerates only the YAML lines of the manifest.
    folder = _copy(tmp_path)
    name = sorted(n for n in os.listdir(folder) if n.endswith(".yaml"))[0]
    path = folder / name
    path.write_text(path.read_text() + "\n# changed\n")
    listed = manifest.read_manifest(str(folder))
    listed[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    assert compact.verified(str(folder), listed, _digests(folder)) is None


def test_a_compact_form_the_manifest_does_not_list_is_refused(tmp_path):
    folder = _copy(tmp_path)
    listed = manifest.read_manifest(str(folder))
    del listed[compact.NAME]
    assert compact.verified(str(folder), listed, _digests(folder)) is None


def test_no_yaml_node_outlives_loading():
    load_set(builtin_files=builtin_paths())
    gc.collect()
    alive = sum(1 for o in gc.get_objects() if isinstance(o, yaml.Node))
    assert alive == 0, f"{alive} YAML nodes kept alive after loading"


def test_the_set_is_loaded_once_and_again_only_when_a_file_changes(tmp_path, monkeypatch):
    loader.forget_shared_set()
    calls = []
    real = loader.load_set
    monkeypatch.setattr(loader, "load_set", lambda *a, **k: calls.append(a) or real(*a, **k))
    user = tmp_path / "mine.yaml"
    user.write_text("schema: 1\nfamilies: []\n")
    first = loader.shared_set([str(user)])
    assert loader.shared_set([str(user)]) is first and len(calls) == 1
    user.write_text("schema: 1\nfamilies: []\n# edited\n")
    second = loader.shared_set([str(user)])
    assert second is not first and len(calls) == 2
    assert loader.shared_set([]) is not second and len(calls) == 3     # another choice of files
    loader.forget_shared_set()


def test_a_fifo_chosen_as_a_signature_file_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "sigs.yaml"
    os.mkfifo(fifo)
    sf, problems = loader.load_file(str(fifo), user_file=True)
    assert sf.families == [] and len(problems) == 1 and "ordinary file" in problems[0].message
