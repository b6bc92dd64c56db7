"""Reading an ENCRYPTED iPhone backup with its password, in memory only.

Real data, as far as it exists (tests/data/ios/README.md):
- No public encrypted backup made by a real iPhone with a known password was found. The one
  public encrypted fixture with a known password is pyiosbackup's (password 0000), built by its
  author from the same format description: it is read here as an independent writer's output.
- MVT's real unencrypted backup is encrypted by tests/ios_backup_writer.py (written separately
  from the reader), and what it writes is opened by the independent reader iphone_backup_decrypt
  (PyPI) too, so the reader and the writer don't merely agree with each other.
"""
from __future__ import annotations

import gzip
import json
import os
import plistlib
import shutil
import sqlite3
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from device_checkup.checks import texts
from device_checkup.checks.phone import ios_crypto
from device_checkup.checks.phone.ios_backup import (PROFILES_DOMAIN, BackupError, PasswordNeeded, WrongPassword,
                                                    _archived, _class_keys, _open_manifest_db, find_backups,
                                                    is_encrypted, read_backup, scan_backup)
from device_checkup.signatures.loader import load_set
from tests.ios_backup_writer import Writer, add_file

HERE = os.path.join(os.path.dirname(__file__), "data", "ios")
MVT = os.path.join(HERE, "mvt_ios_backup")
PYIOSBACKUP = os.path.join(HERE, "pyiosbackup_encrypted")
PASSWORD = "Zebra-4-Lantern ż"         # not ASCII on purpose: iTunes passwords are UTF-8
STUB = "Library/ConfigurationProfiles/profile-4f2c.stub"
CLOUD = "Library/ConfigurationProfiles/CloudConfigurationDetails.plist"
FILES = [  # (file id, path in the configuration-profiles domain, contents)
    ("ab" + "0" * 38, STUB, plistlib.dumps({"PayloadDisplayName": "Network helper", "PayloadIdentifier": "com.example.helper",
                                            "PayloadOrganization": "Example"}, fmt=plistlib.FMT_BINARY)),
    ("cd" + "1" * 38, CLOUD, plistlib.dumps({"IsSupervised": True, "OrganizationName": "Example Org"})),
]


def plain_record(size: int) -> bytes:
    """A file's record in an unencrypted backup's Manifest.db (no EncryptionKey)."""
    return plistlib.dumps({"$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"root": plistlib.UID(1)},
                           "$objects": ["$null", {"Birth": 1700000000, "Size": size}]}, fmt=plistlib.FMT_BINARY)


@pytest.fixture(scope="module")
def sigset():
    return load_set()


@pytest.fixture(scope="module")
def twins(tmp_path_factory):
    """MVT's real backup twice, with the same known app, profile and supervision record added:
    unencrypted, and encrypted by the test writer."""
    root = tmp_path_factory.mktemp("twins")
    plain, source, enc = root / "plain", root / "source", root / "encrypted"
    info = plistlib.loads(open(os.path.join(MVT, "Info.plist"), "rb").read())
    info["Installed Applications"].append("com.wheremychildren.ios")     # FindMyKids (Echap)
    for folder in (plain, source):
        folder.mkdir()
        (folder / "Info.plist").write_bytes(plistlib.dumps(info))
        with gzip.open(os.path.join(MVT, "Manifest.db.gz")) as src, open(folder / "Manifest.db", "wb") as dst:
            shutil.copyfileobj(src, dst)
    writer = Writer(PASSWORD)
    for file_id, rel, data in FILES:
        add_file(str(plain / "Manifest.db"), file_id, PROFILES_DOMAIN, rel, plain_record(len(data)))
        (plain / file_id[:2]).mkdir(exist_ok=True)
        (plain / file_id[:2] / file_id).write_bytes(data)
        add_file(str(source / "Manifest.db"), file_id, PROFILES_DOMAIN, rel, writer.encrypt_file(str(enc), file_id, data))
    writer.encrypt_backup(str(source), str(enc))
    return plain, enc, writer


def comparable(result) -> dict:
    data = result.to_json_data()
    data["scan"].pop("root"), data["scan"].pop("started_at"), data["scan"].pop("finished_at")
    return data


def test_an_encrypted_backup_gives_the_same_findings_as_the_same_backup_unencrypted(twins, sigset):
    plain, enc, _ = twins
    a, b = scan_backup(str(plain), sigset), scan_backup(str(enc), sigset, PASSWORD)
    kinds = sorted(f.heuristic or f.family for f in b.findings)
    family = next(f for f in sigset.families if f.name == "FindMyKids")
    assert kinds == sorted([family.id, "phone-ios-profile", "phone-ios-supervised"])
    assert any("Network helper" in f.title and "2023-11-14 22:13 UTC" in f.what for f in b.findings)
    assert any("Example Org" in f.what or "Example Org" in f.title for f in b.findings)
    # The same, but for the advice on what the backup lacks: encrypting is no advice for one that is.
    assert [n.how for n in a.not_checked] == [texts.text("phone", "backup_how")] * len(a.not_checked)
    assert [n.how for n in b.not_checked] == [texts.text("phone", "backup_how_encrypted")] * len(b.not_checked)
    assert len(a.not_checked) == 1
    da, db = comparable(a), comparable(b)
    for data in (da, db):
        for group in data["not_checked"]:
            group.pop("how")
    assert da == db
    assert a.snapshot.records == b.snapshot.records
    assert b.snapshot.os_version == "iOS 14.3, iPhone9,3, “iPhone”, backup of 2021-12-03 19:33"


def test_the_encrypted_manifest_is_the_real_one_row_for_row(twins):
    plain, enc, _ = twins
    manifest = plistlib.loads((enc / "Manifest.plist").read_bytes())
    db = _open_manifest_db(str(enc / "Manifest.db"), manifest, _class_keys(manifest, PASSWORD))
    ours = db.execute("SELECT fileID, domain, relativePath, flags FROM Files ORDER BY fileID").fetchall()
    with sqlite3.connect(plain / "Manifest.db") as ref:
        theirs = ref.execute("SELECT fileID, domain, relativePath, flags FROM Files ORDER BY fileID").fetchall()
    assert ours == theirs and len(ours) == 3721 + len(FILES)
    with pytest.raises(sqlite3.OperationalError):                # opened read-only in memory
        db.execute("DELETE FROM Files")


def test_an_independent_reader_opens_what_the_test_writer_wrote(twins, tmp_path, monkeypatch):
    """iphone_backup_decrypt (jsharkey13, PyPI) shares no code with the reader or the writer."""
    iphone_backup_decrypt = pytest.importorskip("iphone_backup_decrypt")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))      # it decrypts Manifest.db to a temp file
    _, enc, _ = twins
    backup = iphone_backup_decrypt.EncryptedBackup(backup_directory=str(enc), passphrase=PASSWORD)
    # (By path, so only the stub: MVT's real database already lists a CloudConfigurationDetails.plist.)
    assert backup.extract_file_as_bytes(STUB, domain_like=PROFILES_DOMAIN) == FILES[0][2]
    # Both readers decrypt the same database, row for row, records included.
    query = "SELECT fileID, domain, relativePath, flags, file FROM Files ORDER BY fileID"
    with backup.manifest_db_cursor() as cur:
        cur.execute(query)
        theirs = cur.fetchall()
    manifest = plistlib.loads((enc / "Manifest.plist").read_bytes())
    ours = _open_manifest_db(str(enc / "Manifest.db"), manifest, _class_keys(manifest, PASSWORD)).execute(query).fetchall()
    assert ours == theirs and len(ours) == 3721 + len(FILES)
    del backup                  # its own clean-up removes its temporary copy


def test_the_key_in_a_real_phones_file_record_is_found():
    """MVT's backup was made encrypted and decrypted later: its records still hold the keys the
    phone wrote, in the form the reader looks for (class, then a 40-byte wrapped key)."""
    with gzip.open(os.path.join(MVT, "Manifest.db.gz")) as f:
        raw = f.read()
    db = sqlite3.connect(":memory:")
    db.deserialize(raw[:18] + b"\x01\x01" + raw[20:])          # WAL mode can't open in memory
    (blob,) = db.execute("SELECT file FROM Files WHERE fileID = '1e6c0783f9b33d00b152067a0661c8fc8841073f'").fetchone()
    record = _archived(blob)
    assert record["RelativePath"] == CLOUD and record["ProtectionClass"] == 4
    assert len(record["EncryptionKey"]) == 44 and record["EncryptionKey"][:4] == b"\x04\0\0\0"
    keyed = sum(1 for (b,) in db.execute("SELECT file FROM Files") if isinstance(_archived(b).get("EncryptionKey"), bytes))
    assert keyed > 1000


def test_pyiosbackups_encrypted_fixture_opens_with_its_password():
    """Third-party data: pyiosbackup's fixture (password 0000, a real 10,000,000-round bag)."""
    manifest = plistlib.loads(open(os.path.join(PYIOSBACKUP, "Manifest.plist"), "rb").read())
    assert is_encrypted(PYIOSBACKUP)
    keys = _class_keys(manifest, "0000")
    assert sorted(keys) == list(range(1, 12)) and set(keys.values()) == {bytes(32)}
    db = _open_manifest_db(os.path.join(PYIOSBACKUP, "Manifest.db"), manifest, keys)
    ((file_id, domain, rel, flags, blob),) = db.execute("SELECT fileID, domain, relativePath, flags, file FROM Files")
    assert (file_id, domain, rel) == ("5727bd1c5fa1055e15d8b4a75a74793c84b5ffdc", "MyTestDomain", "Media/Test.txt")
    record = _archived(blob)
    assert record["Size"] == 9 and record["Birth"] == 1627974948
    with open(os.path.join(PYIOSBACKUP, file_id[:2], file_id), "rb") as f:
        assert ios_crypto.decrypt(ios_crypto.unwrap(keys, record["EncryptionKey"]), f.read()) == b"Test data"


def test_without_a_password_it_asks_and_a_wrong_one_is_said_plainly(twins, sigset):
    _, enc, _ = twins
    with pytest.raises(PasswordNeeded, match="password"):
        read_backup(str(enc))
    with pytest.raises(WrongPassword) as caught:
        scan_backup(str(enc), sigset, "zebra-4-lantern ż")
    assert "zebra" not in str(caught.value).lower() and "Traceback" not in str(caught.value)
    # The person can simply try again: nothing was held from the failed try.
    assert read_backup(str(enc), PASSWORD).store_apps


def test_nothing_is_written_and_the_password_is_in_no_output(twins, sigset, tmp_path, monkeypatch):
    _, enc, _ = twins
    spare = tmp_path / "tmp"
    spare.mkdir()
    monkeypatch.setenv("TMPDIR", str(spare))
    monkeypatch.setenv("SQLITE_TMPDIR", str(spare))
    monkeypatch.setattr(tempfile, "tempdir", str(spare))
    before = sorted((p.relative_to(enc), p.stat().st_mtime_ns) for p in enc.rglob("*"))
    result = scan_backup(str(enc), sigset, PASSWORD)
    assert sorted((p.relative_to(enc), p.stat().st_mtime_ns) for p in enc.rglob("*")) == before
    assert list(spare.iterdir()) == []
    text = json.dumps([result.to_json_data(), result.snapshot.to_json_data()], ensure_ascii=False)
    assert PASSWORD not in text and "Lantern" not in text


def test_the_usual_places_say_which_backups_are_encrypted(twins, tmp_path):
    plain, enc, _ = twins
    home = tmp_path / "home"
    usual = home / "Library" / "Application Support" / "MobileSync" / "Backup"
    usual.mkdir(parents=True)
    shutil.copytree(enc, usual / "00008030-ENC")
    shutil.copytree(plain, usual / "00008030-PLAIN")
    words = dict((os.path.basename(f), w) for f, w in find_backups("macos", {"HOME": str(home)}))
    assert words["00008030-ENC"].endswith(", encrypted") and "encrypted" not in words["00008030-PLAIN"]


def _damaged_copy(enc, tmp_path, change):
    folder = tmp_path / "damaged"
    shutil.copytree(enc, folder)
    manifest = plistlib.loads((folder / "Manifest.plist").read_bytes())
    change(folder, manifest)
    if (folder / "Manifest.plist").exists():
        (folder / "Manifest.plist").write_bytes(plistlib.dumps(manifest))
    return folder


def _set_iter(m, value):
    bag = m["BackupKeyBag"]
    at = bag.index(b"ITER")
    m["BackupKeyBag"] = bag[:at + 8] + value.to_bytes(4, "big") + bag[at + 12:]


DAMAGE = {
    "no keybag": (lambda f, m: m.pop("BackupKeyBag"), "holds no keys"),
    "keybag cut short": (lambda f, m: m.update(BackupKeyBag=m["BackupKeyBag"][:30]), "keys are damaged"),
    "keybag empty": (lambda f, m: m.update(BackupKeyBag=b""), "keys are damaged"),
    "four billion rounds": (lambda f, m: _set_iter(m, 0xFFFFFFFF), "impossible amount of work"),
    "no manifest key": (lambda f, m: m.pop("ManifestKey"), "no key for its Manifest.db"),
    "manifest key of no class": (lambda f, m: m.update(ManifestKey=b"\x63\0\0\0" + m["ManifestKey"][4:]), "keys are damaged"),
    "manifest key garbled": (lambda f, m: m.update(ManifestKey=m["ManifestKey"][:4] + bytes(40)), "keys are damaged"),
    "manifest.db garbled": (lambda f, m: (f / "Manifest.db").write_bytes(os.urandom(8192)), "does not open"),
    "manifest.db empty": (lambda f, m: (f / "Manifest.db").write_bytes(b""), "does not open"),
    "manifest.db missing": (lambda f, m: (f / "Manifest.db").unlink(), "no Manifest.db"),
    "manifest.plist not a plist": (None, "Manifest.plist is damaged"),
}


@pytest.mark.parametrize("name", sorted(DAMAGE))
def test_a_damaged_encrypted_backup_is_said_plainly(twins, tmp_path, name):
    _, enc, _ = twins
    change, words = DAMAGE[name]
    if change is None:
        folder = tmp_path / "damaged"
        shutil.copytree(enc, folder)
        (folder / "Manifest.plist").write_bytes(b"bplist00garbage")
    else:
        folder = _damaged_copy(enc, tmp_path, change)
    with pytest.raises(BackupError) as caught:
        read_backup(str(folder), PASSWORD)
    assert not isinstance(caught.value, WrongPassword)
    assert words in str(caught.value) and PASSWORD not in str(caught.value)


# -- hostile content ----------------------------------------------------------------------------
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@FUZZ
@given(st.binary(max_size=600))
def test_any_bytes_as_a_keybag_are_parsed_or_refused_in_words(data):
    try:
        ios_crypto.Keybag.parse(data)
    except ios_crypto.KeybagError:
        pass


@FUZZ
@given(st.data())
def test_a_mutated_real_keybag_never_crashes(twins, tmp_path_factory, monkeypatch_module, data):
    _, enc, _ = twins
    manifest = plistlib.loads((enc / "Manifest.plist").read_bytes())
    bag = bytearray(manifest["BackupKeyBag"])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(bag) - 1))
        bag[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(bag)))
    try:
        ios_crypto.Keybag.parse(bytes(bag[:cut])).unlock(PASSWORD)
    except (ios_crypto.KeybagError, ios_crypto.WrongPassword):
        pass


@pytest.fixture(scope="module")
def monkeypatch_module():
    """Small round limits while fuzzing: a flipped byte in DPIC could otherwise ask for 50 million."""
    mp = pytest.MonkeyPatch()
    mp.setattr(ios_crypto, "MAX_DPIC", 5000)
    mp.setattr(ios_crypto, "MAX_ITER", 5000)
    yield mp
    mp.undo()


@FUZZ
@given(bag=st.one_of(st.binary(max_size=300), st.integers(), st.text(max_size=20), st.none()),
       key=st.one_of(st.binary(max_size=60), st.integers(), st.none()),
       encrypted=st.one_of(st.booleans(), st.integers(), st.text(max_size=5)))
def test_a_hostile_manifest_plist_is_refused_in_words(twins, tmp_path_factory, bag, key, encrypted):
    _, enc, _ = twins
    folder = tmp_path_factory.mktemp("hostile")
    shutil.copy(enc / "Manifest.db", folder / "Manifest.db")
    manifest = {"IsEncrypted": encrypted}
    for name, value in (("BackupKeyBag", bag), ("ManifestKey", key)):
        if value is not None:
            manifest[name] = value
    (folder / "Manifest.plist").write_bytes(plistlib.dumps(manifest, fmt=plistlib.FMT_BINARY))
    try:
        read_backup(str(folder), PASSWORD)
    except BackupError:
        pass


@FUZZ
@given(head=st.binary(max_size=200), records=st.lists(st.binary(max_size=80), max_size=3),
       stored=st.binary(max_size=64))
def test_hostile_decrypted_content_is_refused_in_words(twins, tmp_path_factory, head, records, stored):
    """What the keys decrypt may itself be hostile: a damaged database, odd file records, odd
    stored files."""
    _, enc, writer = twins
    folder = tmp_path_factory.mktemp("content")
    shutil.copy(enc / "Manifest.plist", folder / "Manifest.plist")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)")
    for n, blob in enumerate(records):
        file_id = f"{n:02x}" + "e" * 38
        db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, ?)", (file_id, PROFILES_DOMAIN, [STUB, CLOUD][n % 2], blob))
        (folder / file_id[:2]).mkdir(exist_ok=True)
        (folder / file_id[:2] / file_id).write_bytes(stored)
    raw = db.serialize()
    raw = raw[:100] + head + raw[100 + len(head):] if head else raw
    from tests.ios_backup_writer import _cbc
    (folder / "Manifest.db").write_bytes(_cbc(writer.manifest_key, raw))
    try:
        backup = read_backup(str(folder), PASSWORD)
    except BackupError:
        return
    assert all(isinstance(p.identifier, str) for p in backup.profiles)


# -- the command line --------------------------------------------------------------------------
def test_checkup_reads_the_password_from_standard_input(twins, capsys, monkeypatch):
    import io
    from device_checkup.app.cli import main
    _, enc, _ = twins
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["phone", "ios-backup", str(enc), "--password-stdin", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["scan"]["os_version"].startswith("iOS 14.3") and len(data["findings"]) == 3
    assert PASSWORD not in out + err


def test_checkup_says_a_wrong_password_and_a_missing_one_in_words(twins, capsys, monkeypatch):
    import io
    from device_checkup.app.cli import main
    _, enc, _ = twins
    monkeypatch.setattr("sys.stdin", io.StringIO("guess\n"))
    assert main(["phone", "ios-backup", str(enc), "--password-stdin"]) != 0
    err = capsys.readouterr().err
    assert "That password did not open the backup" in err and "guess" not in err and "Traceback" not in err
    monkeypatch.setattr("sys.stdin", io.StringIO(""))            # not a terminal: no prompt, a sentence
    assert main(["phone", "ios-backup", str(enc)]) != 0
    assert "--password-stdin" in capsys.readouterr().err


def test_checkup_asks_at_a_terminal_and_lets_the_person_try_again(twins, capsys, monkeypatch):
    import getpass
    from device_checkup.app.cli import main
    _, enc, _ = twins
    typed = iter(["first guess", PASSWORD])
    prompts = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or next(typed))

    class Tty:
        def isatty(self):
            return True

        def readline(self):
            raise AssertionError("the password is asked for, not read")
    monkeypatch.setattr("sys.stdin", Tty())
    assert main(["phone", "ios-backup", str(enc), "--json"]) == 0
    out, err = capsys.readouterr()
    assert len(prompts) == 2 and "not shown" in prompts[0]
    assert "That password did not open the backup" in err and json.loads(out)["findings"]
    assert "first guess" not in out + err and PASSWORD not in out + err


def test_without_the_decryption_library_a_plain_backup_is_still_read(twins, monkeypatch):
    import sys
    plain, enc, _ = twins
    import device_checkup.checks.phone as package
    monkeypatch.setitem(sys.modules, "device_checkup.checks.phone.ios_crypto", None)   # import fails
    monkeypatch.delattr(package, "ios_crypto", raising=False)
    assert read_backup(str(plain)).store_apps
    with pytest.raises(BackupError, match="'cryptography' package"):
        read_backup(str(enc), PASSWORD)
