"""The writer side of an encrypted iPhone backup, for tests: it encrypts a real, unencrypted
backup (MVT's, tests/data/ios) the way iTunes/Finder lay one out, so the reader in
checks/phone/ios_crypto.py can be tried on a backup whose contents are known.

Written from the public format description, separately from the reader (it shares none of its
code): its own tag-length-value writer, ``cryptography``'s ``aes_key_wrap`` and PKCS#7 padder.
tests/test_ios_backup_encrypted.py also reads what it writes with an independent reader from
PyPI (iphone_backup_decrypt), so reader and writer don't merely agree with each other.

No public encrypted backup made by a real iPhone with a known password was found to ship here
(see tests/data/ios/README.md); the one third-party encrypted fixture found (pyiosbackup's) is
used as well, by the tests.
"""
from __future__ import annotations

import hashlib
import os
import plistlib
import sqlite3
import struct

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import aes_key_wrap

MANIFEST_CLASS = 4      # the class iTunes wraps ManifestKey with
FILE_CLASS = 3          # NSFileProtectionCompleteUntilFirstUserAuthentication


def _tlv(tag: bytes, value: bytes | int) -> bytes:
    if isinstance(value, int):
        value = struct.pack(">I", value)
    return tag + struct.pack(">I", len(value)) + value


def _cbc(key: bytes, data: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    return Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor().update(padded)


class Writer:
    """Keys for one encrypted backup: the bag, the class keys and the Manifest.db key."""

    def __init__(self, password: str, *, dpic: int = 1000, iterations: int = 1000):
        self.dpsl, self.salt = os.urandom(20), os.urandom(20)
        self.dpic, self.iterations = dpic, iterations
        step = hashlib.pbkdf2_hmac("sha256", password.encode(), self.dpsl, dpic)
        self.password_key = hashlib.pbkdf2_hmac("sha1", step, self.salt, iterations, 32)
        self.class_keys = {n: os.urandom(32) for n in range(1, 12)}
        self.manifest_key = os.urandom(32)

    def keybag(self) -> bytes:
        out = [_tlv(b"VERS", 5), _tlv(b"TYPE", 1), _tlv(b"UUID", os.urandom(16)), _tlv(b"HMCK", os.urandom(40)),
               _tlv(b"WRAP", 0), _tlv(b"SALT", self.salt), _tlv(b"ITER", self.iterations),
               _tlv(b"DPWT", 1), _tlv(b"DPIC", self.dpic), _tlv(b"DPSL", self.dpsl)]
        for n in sorted(self.class_keys, reverse=True):
            out += [_tlv(b"UUID", os.urandom(16)), _tlv(b"CLAS", n), _tlv(b"WRAP", 3 if n in (5, 9, 10, 11) else 2),
                    _tlv(b"KTYP", 0), _tlv(b"WPKY", aes_key_wrap(self.password_key, self.class_keys[n]))]
        return b"".join(out)

    def wrapped(self, cls: int, key: bytes) -> bytes:
        return struct.pack("<I", cls) + aes_key_wrap(self.class_keys[cls], key)

    def manifest_plist(self, extra: dict | None = None) -> bytes:
        return plistlib.dumps({"BackupKeyBag": self.keybag(), "IsEncrypted": True, "Version": "10.0",
                               "ManifestKey": self.wrapped(MANIFEST_CLASS, self.manifest_key),
                               "Lockdown": {"ProductVersion": "14.3"}, **(extra or {})}, fmt=plistlib.FMT_BINARY)

    def file_record(self, file_key: bytes, size: int, birth: int = 1700000000) -> bytes:
        """A file's Manifest.db record (an archived MBFile) carrying its wrapped key."""
        return plistlib.dumps({
            "$archiver": "NSKeyedArchiver", "$version": 100000, "$top": {"root": plistlib.UID(1)},
            "$objects": ["$null",
                         {"$class": plistlib.UID(3), "Birth": birth, "Size": size, "ProtectionClass": FILE_CLASS,
                          "EncryptionKey": plistlib.UID(2), "Mode": 33188},
                         {"$class": plistlib.UID(4), "NS.data": self.wrapped(FILE_CLASS, file_key)},
                         {"$classname": "MBFile", "$classes": ["MBFile", "NSObject"]},
                         {"$classname": "NSMutableData", "$classes": ["NSMutableData", "NSData", "NSObject"]}]},
            fmt=plistlib.FMT_BINARY)

    def encrypt_file(self, folder: str, file_id: str, data: bytes) -> bytes:
        """Store ``data`` encrypted under its file id; the record to put in Manifest.db."""
        key = os.urandom(32)
        os.makedirs(os.path.join(folder, file_id[:2]), exist_ok=True)
        with open(os.path.join(folder, file_id[:2], file_id), "wb") as f:
            f.write(_cbc(key, data))
        return self.file_record(key, len(data))

    def encrypt_backup(self, plain: str, out: str, extra_manifest: dict | None = None) -> None:
        """``out`` becomes the encrypted twin of the plain backup folder ``plain`` (Info.plist as
        it is, as iTunes leaves it; Manifest.db encrypted whole)."""
        os.makedirs(out, exist_ok=True)
        for name in ("Info.plist",):
            src = os.path.join(plain, name)
            if os.path.exists(src):
                with open(src, "rb") as f, open(os.path.join(out, name), "wb") as g:
                    g.write(f.read())
        with open(os.path.join(plain, "Manifest.db"), "rb") as f:
            db = f.read()
        with open(os.path.join(out, "Manifest.db"), "wb") as f:
            f.write(_cbc(self.manifest_key, db))
        with open(os.path.join(out, "Manifest.plist"), "wb") as f:
            f.write(self.manifest_plist(extra_manifest))


def add_file(db_path: str, file_id: str, domain: str, rel: str, record: bytes) -> None:
    db = sqlite3.connect(db_path)
    db.execute("INSERT INTO Files VALUES (?, ?, ?, 1, ?)", (file_id, domain, rel, record))
    db.commit()
    db.close()
