"""The SHA-1 of an Android app's signing certificate, from the APK's bytes, as Echap lists them.

Android keeps an app's signature in the APK itself: in the APK Signing Block (schemes v2 and
v3, just before the ZIP central directory) and, for older apps, in ``META-INF/*.RSA|DSA|EC``
(a PKCS#7 SignedData, scheme v1). Only the first signer's certificate is taken, as
``apksigner`` and androidqf report it. The bytes are untrusted: every length is checked against
what is left, and anything malformed gives ``None``, never an exception.

Written from the format as documented (source.android.com, "APK Signature Scheme v2"), not
from any other tool's code.
"""
from __future__ import annotations

import hashlib
import io
import struct
import zipfile

SIG_BLOCK_MAGIC = b"APK Sig Block 42"
V2, V3, V31 = 0x7109871A, 0xF05368C0, 0x1B93AD61
MAX_APK = 512 * 1024 * 1024


def _seq(buf: bytes, pos: int, end: int) -> tuple[bytes, int] | None:
    """One length-prefixed (u32) item at ``pos``: (item, position after it)."""
    if pos + 4 > end:
        return None
    (n,) = struct.unpack_from("<I", buf, pos)
    if n > end - pos - 4:
        return None
    return buf[pos + 4:pos + 4 + n], pos + 4 + n


def _signing_block_cert(apk: bytes) -> bytes | None:
    eocd = apk.rfind(b"PK\x05\x06", max(0, len(apk) - 65557))
    if eocd < 0 or eocd + 22 > len(apk):
        return None
    (cd_offset,) = struct.unpack_from("<I", apk, eocd + 16)
    if cd_offset < 32 or cd_offset > len(apk) or apk[cd_offset - 16:cd_offset] != SIG_BLOCK_MAGIC:
        return None
    (size,) = struct.unpack_from("<Q", apk, cd_offset - 24)
    start = cd_offset - size - 8
    if start < 0 or size < 24:
        return None
    pos, end = start + 8, cd_offset - 24
    found: dict[int, bytes] = {}
    while pos + 12 <= end:
        (length,) = struct.unpack_from("<Q", apk, pos)
        if length < 4 or length > end - pos - 8:
            return None
        (block_id,) = struct.unpack_from("<I", apk, pos + 8)
        found[block_id] = apk[pos + 12:pos + 8 + length]
        pos += 8 + length
    for block_id in (V31, V3, V2):
        value = found.get(block_id)
        if value is None:
            continue
        signers = _seq(value, 0, len(value))
        signer = signers and _seq(signers[0], 0, len(signers[0]))
        signed = signer and _seq(signer[0], 0, len(signer[0]))
        if not signed:
            continue
        data = signed[0]
        digests = _seq(data, 0, len(data))
        certs = digests and _seq(data, digests[1], len(data))
        cert = certs and _seq(certs[0], 0, len(certs[0]))
        if cert and cert[0]:
            return cert[0]
    return None


def _der(buf: bytes, pos: int) -> tuple[int, int, int] | None:
    """(tag, start of contents, end of contents) of the DER item at ``pos``."""
    if pos + 2 > len(buf):
        return None
    tag, first = buf[pos], buf[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        n = first & 0x7F
        if n == 0 or n > 4 or pos + n > len(buf):
            return None
        length = int.from_bytes(buf[pos:pos + n], "big")
        pos += n
    if pos + length > len(buf):
        return None
    return tag, pos, pos + length


def _pkcs7_first_cert(blob: bytes) -> bytes | None:
    """ContentInfo { OID signedData, [0] SignedData { version, digestAlgorithms, contentInfo,
    [0] certificates { Certificate… }, … } } → the first certificate's DER."""
    item = _der(blob, 0)                                  # ContentInfo SEQUENCE
    if not item or item[0] != 0x30:
        return None
    oid = _der(blob, item[1])
    wrapper = oid and _der(blob, oid[2])                  # [0] EXPLICIT
    if not wrapper or wrapper[0] != 0xA0:
        return None
    signed = _der(blob, wrapper[1])                       # SignedData SEQUENCE
    if not signed or signed[0] != 0x30:
        return None
    pos = signed[1]
    for _ in range(3):                                    # version, digestAlgorithms, contentInfo
        part = _der(blob, pos)
        if not part:
            return None
        pos = part[2]
    certs = _der(blob, pos)
    if not certs or certs[0] != 0xA0:
        return None
    cert = _der(blob, certs[1])
    if not cert or cert[0] != 0x30:
        return None
    return blob[certs[1]:cert[2]]


def _v1_cert(apk: bytes) -> bytes | None:
    try:
        with zipfile.ZipFile(io.BytesIO(apk)) as z:
            for info in z.infolist():
                name = info.filename.upper()
                if name.startswith("META-INF/") and name.count("/") == 1 and name.endswith((".RSA", ".DSA", ".EC")) \
                        and info.file_size < 1024 * 1024:
                    cert = _pkcs7_first_cert(z.read(info))
                    if cert:
                        return cert
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None
    return None


def signing_cert_sha1(apk: bytes) -> str | None:
    """The upper-case hex SHA-1 of the APK's (first) signing certificate, or None."""
    if not apk or len(apk) > MAX_APK:
        return None
    try:
        cert = _signing_block_cert(apk) or _v1_cert(apk)
    except (struct.error, IndexError, ValueError):
        return None
    return hashlib.sha1(cert).hexdigest().upper() if cert else None
