"""Opening an encrypted iPhone backup with its password, in memory only.

The format, as publicly described (the iphone-dataprotection notes, Apple's Platform Security
guide on keybags, and the open readers jsharkey13/iphone_backup_decrypt, pyiosbackup, MVT):

- ``Manifest.plist`` holds ``BackupKeyBag``: tag-length-value blocks (4-byte tag, 4-byte
  big-endian length). The first blocks describe the bag (``SALT``/``ITER`` and, since iOS 10.2,
  ``DPSL``/``DPIC``); each ``UUID`` after the first starts one protection class
  (``CLAS``, ``WRAP``, ``KTYP``, ``WPKY`` = the class key, wrapped).
- The password becomes a key by PBKDF2-HMAC-SHA256 (salt ``DPSL``, ``DPIC`` rounds), then
  PBKDF2-HMAC-SHA1 over that (salt ``SALT``, ``ITER`` rounds, 32 bytes). Older bags have no
  ``DPSL``: only the SHA-1 step, over the password itself.
- A class whose ``WRAP`` has bit 2 is wrapped with that key: AES key unwrap (RFC 3394). A wrong
  password fails the unwrap's integrity check, which is how it is told apart.
- ``ManifestKey`` (4 bytes little-endian class, then a wrapped key) opens ``Manifest.db``;
  each file's record in it carries its own ``EncryptionKey`` in the same form. Contents are
  AES-256-CBC with a zero IV, PKCS#7-padded.

Nothing here writes anything: keys and plain text stay in memory. The password is never kept,
logged or put into an error message. The AES primitives are the ``cryptography`` library's;
PBKDF2 is ``hashlib``'s.
"""
from __future__ import annotations

import hashlib
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap
from msgspec import Struct, field

WRAP_PASSWORD = 2
# Real bags use 10,000,000 (DPIC) and 10,000 (ITER) rounds. A hostile backup could ask for
# billions, which would freeze the check for hours: above these it is said to be damaged.
MAX_DPIC = 50_000_000
MAX_ITER = 10_000_000
MAX_BLOCKS = 2000


class KeybagError(ValueError):
    """The keybag (or a wrapped key) is not in the form an iPhone writes."""


class WrongPassword(ValueError):
    """The password did not unwrap the class keys."""


class Keybag(Struct):
    attrs: dict[bytes, bytes | int] = field(default_factory=dict)
    classes: dict[int, dict[bytes, bytes | int]] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> "Keybag":
        if not isinstance(data, bytes) or len(data) < 8:
            raise KeybagError("the backup's key list is missing or empty")
        bag = cls()
        current: dict[bytes, bytes | int] | None = None
        found: list[dict[bytes, bytes | int]] = []
        seen_uuid = False
        pos = blocks = 0
        while pos + 8 <= len(data):
            tag, length = data[pos:pos + 4], struct.unpack(">I", data[pos + 4:pos + 8])[0]
            value: bytes | int = data[pos + 8:pos + 8 + length]
            if len(value) != length:
                raise KeybagError("the backup's key list is cut short")
            pos += 8 + length
            blocks += 1
            if blocks > MAX_BLOCKS:
                raise KeybagError("the backup's key list is far longer than an iPhone writes")
            if length == 4:
                value = struct.unpack(">I", value)[0]
            if tag == b"UUID":
                if seen_uuid:                   # every UUID after the bag's own starts a class
                    current = {}
                    found.append(current)
                seen_uuid = True
            if current is None:
                bag.attrs.setdefault(tag, value)
            else:
                current[tag] = value
        # Key the classes by their CLAS number (a class without one is of no use).
        bag.classes = {c[b"CLAS"]: c for c in found if isinstance(c.get(b"CLAS"), int)}
        for name in (b"SALT", b"ITER"):
            if name not in bag.attrs:
                raise KeybagError("the backup's key list lacks what is needed to use a password")
        return bag

    def _rounds(self, name: bytes, limit: int) -> int:
        n = self.attrs.get(name)
        if not isinstance(n, int) or not 1 <= n <= limit:
            raise KeybagError("the backup's key list asks for an impossible amount of work")
        return n

    def password_key(self, password: str) -> bytes:
        """The key the password makes (slow on purpose: a real bag asks ~10 million rounds)."""
        secret = password.encode("utf-8", "surrogatepass")
        salt = self.attrs[b"SALT"]
        if not isinstance(salt, bytes):
            raise KeybagError("the backup's key list is not in the form an iPhone writes")
        iterations = self._rounds(b"ITER", MAX_ITER)
        if b"DPSL" in self.attrs:
            dpsl = self.attrs[b"DPSL"]
            if not isinstance(dpsl, bytes):
                raise KeybagError("the backup's key list is not in the form an iPhone writes")
            secret = hashlib.pbkdf2_hmac("sha256", secret, dpsl, self._rounds(b"DPIC", MAX_DPIC))
        return hashlib.pbkdf2_hmac("sha1", secret, salt, iterations, 32)

    def unlock(self, password: str) -> dict[int, bytes]:
        """The class keys, unwrapped with the password. Raises WrongPassword if it is not the one."""
        key = self.password_key(password)
        keys: dict[int, bytes] = {}
        for number, c in self.classes.items():
            wrapped, how = c.get(b"WPKY"), c.get(b"WRAP")
            if not isinstance(wrapped, bytes) or not isinstance(how, int) or not how & WRAP_PASSWORD:
                continue
            try:
                keys[number] = aes_key_unwrap(key, wrapped)
            except InvalidUnwrap:
                raise WrongPassword() from None
            except ValueError:
                raise KeybagError("a key in the backup's key list has the wrong size") from None
        if not keys:
            raise KeybagError("the backup's key list holds no key a password can open")
        return keys


def unwrap(class_keys: dict[int, bytes], wrapped: bytes) -> bytes:
    """A key stored as 4 bytes of protection class (little-endian) then the wrapped key."""
    if not isinstance(wrapped, bytes) or len(wrapped) < 4 + 24:
        raise KeybagError("a stored key is too short")
    number = struct.unpack("<I", wrapped[:4])[0]
    if number not in class_keys:
        raise KeybagError("a stored key belongs to a class the password does not open")
    try:
        return aes_key_unwrap(class_keys[number], wrapped[4:])
    except (InvalidUnwrap, ValueError):
        raise KeybagError("a stored key does not open with the backup's keys") from None


def decrypt(key: bytes, data: bytes) -> bytes:
    """AES-256-CBC with a zero IV; the PKCS#7 padding is removed when it is well formed."""
    if len(key) not in (16, 24, 32):
        raise KeybagError("a stored key has the wrong size")
    usable = len(data) - len(data) % 16
    plain = Cipher(algorithms.AES(key), modes.CBC(b"\0" * 16)).decryptor().update(data[:usable])
    pad = plain[-1] if plain else 0
    if 1 <= pad <= 16 and plain[-pad:] == bytes([pad]) * pad:
        plain = plain[:-pad]
    return plain
