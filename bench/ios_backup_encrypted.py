"""Where the time goes when an encrypted iPhone backup is opened (docs/performance.md).

    python bench/ios_backup_encrypted.py

1. The password's key from pyiosbackup's real keybag (10,000,000 PBKDF2-SHA256 rounds, then
   10,000 of SHA-1): slow on purpose, the same on every computer's share of one core.
2. MVT's real backup (3.3 MB Manifest.db, 3,721 files) encrypted by the test writer with a cheap
   keybag, read plain and encrypted: what decrypting in memory adds to the reading itself.
"""
from __future__ import annotations

import gzip
import os
import plistlib
import shutil
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from device_checkup.checks.phone import ios_crypto  # noqa: E402
from device_checkup.checks.phone.ios_backup import read_backup  # noqa: E402
from tests.ios_backup_writer import Writer  # noqa: E402

DATA = os.path.join(ROOT, "tests", "data", "ios")


def best(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times)


def main() -> None:
    bag = plistlib.loads(open(os.path.join(DATA, "pyiosbackup_encrypted", "Manifest.plist"), "rb").read())["BackupKeyBag"]
    keybag = ios_crypto.Keybag.parse(bag)
    lo, med = best(lambda: keybag.unlock("0000"), 2)
    print(f"password key, real bag (10M + 10k rounds): best {lo:.2f} s, median {med:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain")
        os.mkdir(plain)
        shutil.copy(os.path.join(DATA, "mvt_ios_backup", "Info.plist"), plain)
        with gzip.open(os.path.join(DATA, "mvt_ios_backup", "Manifest.db.gz")) as src, \
                open(os.path.join(plain, "Manifest.db"), "wb") as dst:
            shutil.copyfileobj(src, dst)
        enc = os.path.join(tmp, "encrypted")
        Writer("pw", dpic=1, iterations=1).encrypt_backup(plain, enc)
        lo_p, med_p = best(lambda: read_backup(plain), 9)
        lo_e, med_e = best(lambda: read_backup(enc, "pw"), 9)
        print(f"MVT backup read plain:     best {lo_p * 1000:.1f} ms, median {med_p * 1000:.1f} ms")
        print(f"MVT backup read encrypted: best {lo_e * 1000:.1f} ms, median {med_e * 1000:.1f} ms "
              "(1-round keybag: decrypting and opening in memory only)")


if __name__ == "__main__":
    main()
